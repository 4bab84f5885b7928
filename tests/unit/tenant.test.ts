import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError } from "../../components/errors";
import { readWritePolicy } from "../../components/iam";
import { IsolatedBucket } from "../../components/isolated-bucket";
import { SharedTenantAccess } from "../../components/shared-tenant-access";
import { Tenant, type TenantArgs } from "../../components/tenant";
import { TenantUser } from "../../components/tenant-user";
import { runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

const ARGS: TenantArgs = {
  tenantId: "acme",
  user: {
    serviceAccounts: [{ name: "app" }],
    kubernetesSecret: { namespace: "acme", endpoint: "http://s3:9000", bucket: "user-acme-data" },
  },
  bucket: { versioning: true, quotaBytes: 1024 ** 3 },
};

/** Type, name, inputs and secret paths of every provider resource, by name. */
const custom = (resources: RecordedResource[]) =>
  resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, secrets: r.secretPaths }))
    .sort((a, b) => a.name.localeCompare(b.name));

async function refused(args: TenantArgs) {
  let error: unknown;
  const run = await runWithMocks(() => {
    try {
      new Tenant("t", args);
    } catch (err) {
      error = err;
    }
  });
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect(run.resources).toHaveLength(0);
  return (error as Error).message;
}

describe("Tenant", () => {
  it("creates what a TenantUser and an IsolatedBucket create, under one component", async () => {
    const options = new Map<string, pulumi.ResourceOptions>();
    const one = await runWithMocks(() => {
      pulumi.runtime.registerStackTransformation((a) => {
        options.set(a.name, a.opts);
        return undefined;
      });
      const tenant = new Tenant("acme", ARGS);
      return { bucketName: tenant.bucketName, credentials: tenant.credentials };
    });
    const two = await runWithMocks(() => {
      const user = new TenantUser("acme", { tenantId: "acme", ...ARGS.user });
      const bucket = new IsolatedBucket("acme", {
        tenantId: "acme",
        owner: user,
        ownerPolicy: readWritePolicy("user-acme-data"),
        ...ARGS.bucket,
      });
      return { bucketName: bucket.bucketName, credentials: bucket.credentials };
    });

    expect(custom(one.resources)).toEqual(custom(two.resources));
    expect(one.outputs).toEqual(two.outputs);
    expect(one.secretOutputs).toEqual(["credentials"]);
    const components = one.resources.filter((r) => !r.custom);
    expect(components.map((r) => `${r.type}::${r.name}`)).toEqual([
      "minio-platform:index:Tenant::acme",
    ]);
    expect(components[0].inputs).toEqual({
      tenantId: "acme",
      userName: "user-acme",
      bucketName: "user-acme-data",
    });
    for (const r of one.resources.filter((x) => x.custom)) expect(r.parent).toBe(components[0].urn);
    expect(custom(one.resources).map((r) => r.name)).toEqual([
      "acme-bucket",
      "acme-credentials",
      "acme-owner-attach",
      "acme-owner-policy",
      "acme-sa-app",
      "acme-secret",
      "acme-user",
      "acme-versioning",
    ]);
    expect(options.get("acme-bucket")).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one.resources.find((r) => r.name === "acme-credentials")!.secretPaths).toEqual([
      "stringData",
    ]);
  });

  it("joins the shared group in the shared-policy layout, with no policy of its own", async () => {
    const run = await runWithMocks(() => {
      const shared = new SharedTenantAccess("tenants");
      new Tenant("acme", { tenantId: "acme", bucket: { ownerAccess: shared } });
    });
    const names = run.resources.filter((r) => r.name.startsWith("acme-")).map((r) => r.name);
    expect(names.sort()).toEqual(["acme-bucket", "acme-owner-group", "acme-secret", "acme-user"]);
    expect(run.resources.find((r) => r.name === "acme-owner-group")!.inputs).toEqual({
      groupName: "tenants",
      userName: "user-acme",
    });
  });

  it("names the half an argument belongs to, before registering anything", async () => {
    expect(await refused({ tenantId: "Acme_1" })).toBe(
      'Tenant "t": tenantId = "Acme_1": may contain only lowercase letters, digits and hyphens ' +
        '("A" is not allowed)',
    );
    expect(
      await refused({ tenantId: "acme", user: { serviceAccounts: [{ name: "a b" }] } }),
    ).toMatch(/^Tenant "t": user\.serviceAccounts\[0\]\.name = "a b": /);
    expect(await refused({ tenantId: "acme", bucket: { quotaBytes: 0 } })).toBe(
      'Tenant "t": bucket.quotaBytes = 0: must be a whole number from 1',
    );
  });

  it("refuses halves that are not objects, and keys the Tenant sets itself", async () => {
    const args = (extra: object) => ({ tenantId: "acme", ...extra }) as unknown as TenantArgs;
    expect(await refused(args({ user: 5 }))).toBe('Tenant "t": user = 5: must be an object');
    expect(await refused(args({ bucket: [] }))).toBe('Tenant "t": bucket = []: must be an object');
    expect(await refused(args({ user: { tenantId: "globex" } }))).toBe(
      'Tenant "t": user.tenantId = "globex": must not be set: the Tenant sets it ' +
        "(use TenantUser and IsolatedBucket for other owners)",
    );
    expect(await refused(args({ bucket: { owner: {} } }))).toMatch(
      /^Tenant "t": bucket\.owner = "\[owner\]": must not be set/,
    );
  });

  it("aliases every child to its former TenantUser or IsolatedBucket parent when asked", async () => {
    const aliases = new Map<string, pulumi.Input<pulumi.Alias>[]>();
    const run = await runWithMocks(() => {
      pulumi.runtime.registerStackTransformation((a) => {
        aliases.set(a.name, (a.opts.aliases ?? []) as pulumi.Input<pulumi.Alias>[]);
        return undefined;
      });
      new Tenant("acme", { ...ARGS, aliasSeparateComponents: true });
      new Tenant("globex", { tenantId: "globex" });
      const parentOf = (child: string) => (aliases.get(child)![0] as pulumi.Alias).parent;
      return {
        user: parentOf("acme-user"),
        key: parentOf("acme-sa-app"),
        secret: parentOf("acme-credentials"),
        bucket: parentOf("acme-bucket"),
        attach: parentOf("acme-owner-attach"),
      };
    });
    const former = (type: string) => `urn:pulumi:test::minio-platform::${type}::acme`;
    expect(run.outputs).toEqual({
      user: former("minio-platform:index:TenantUser"),
      key: former("minio-platform:index:TenantUser"),
      secret: former("minio-platform:index:TenantUser"),
      bucket: former("minio-platform:index:IsolatedBucket"),
      attach: former("minio-platform:index:IsolatedBucket"),
    });
    // Off by default: aliases cost every run a third more per tenant.
    expect(aliases.get("globex-user")).toEqual([]);
    expect(aliases.get("globex-bucket")).toEqual([]);
  });

  it("checks the shared layout's bucket against the user's own name", async () => {
    let error: unknown;
    await runWithMocks(() => {
      const shared = new SharedTenantAccess("tenants");
      try {
        new Tenant("t", {
          tenantId: "acme",
          user: { userName: "acme-svc" },
          bucket: { ownerAccess: shared },
        });
      } catch (err) {
        error = err;
      }
    });
    expect((error as Error).message).toBe(
      'Tenant "t": bucket.bucketName = "user-acme-data": must be "acme-svc-data" with a shared ' +
        'ownerAccess: its policy grants the owner "acme-svc" only the bucket named after it',
    );
  });
});
