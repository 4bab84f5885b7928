import { InvalidArgumentError } from "../../components/errors";
import { AccessModel, policyJson, sharedTenantPolicy } from "../../components/iam";
import { IsolatedBucket, type IsolatedBucketArgs } from "../../components/isolated-bucket";
import {
  SharedTenantAccess,
  type SharedTenantAccessArgs,
} from "../../components/shared-tenant-access";
import { TenantUser } from "../../components/tenant-user";
import { buildPlatform } from "../../stacks/platform";
import { runWithMocks, type RecordedResource } from "../../tools/mock-runtime";
import { analyseAccess, readInventory } from "../../policy-pack/analysis";
import { StackIndex, fromRecorded } from "../../policy-pack/rules/resources";
import { benchConfig, benchSecrets } from "../bench/fixture";
import { countResources, dependencyDepth } from "../bench/graph";

const SHARED_POLICY =
  '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
  '["s3:GetBucketLocation","s3:ListBucket","s3:ListBucketMultipartUploads","s3:ListBucketVersions"],' +
  '"Resource":["arn:aws:s3:::${aws:username}-data"]},{"Sid":"ObjectAccess","Effect":"Allow",' +
  '"Action":["s3:AbortMultipartUpload","s3:DeleteObject","s3:DeleteObjectTagging","s3:GetObject",' +
  '"s3:GetObjectTagging","s3:GetObjectVersion","s3:ListMultipartUploadParts","s3:PutObject",' +
  '"s3:PutObjectTagging"],"Resource":["arn:aws:s3:::${aws:username}-data/*"]}]}';

const GROUP_USER = "minio:index/iamGroupUserAttachment:IamGroupUserAttachment";

function finder(resources: RecordedResource[]) {
  return (name: string): RecordedResource => {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}`);
    return found;
  };
}

/** Runs `build` under mocks, catching what it throws, and counts what got registered. */
async function attempt(build: () => void) {
  let error: unknown;
  const run = await runWithMocks(() => {
    try {
      build();
    } catch (err) {
      error = err;
    }
  });
  return { error, count: run.resources.length };
}

describe("SharedTenantAccess", () => {
  it("creates one group with one ${aws:username} policy attached", async () => {
    const run = await runWithMocks(() => {
      const access = new SharedTenantAccess("tenants");
      return { groupName: access.groupName, policyName: access.policyName };
    });
    const byName = finder(run.resources);
    expect(run.resources.map((r) => `${r.type}::${r.name}`)).toEqual([
      "minio-platform:index:SharedTenantAccess::tenants",
      "minio:index/iamPolicy:IamPolicy::tenants-policy",
      "minio:index/iamGroup:IamGroup::tenants-group",
      "minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment::tenants-attach",
    ]);
    expect(byName("tenants-policy").inputs).toEqual({
      name: "tenants-own-bucket",
      policy: SHARED_POLICY,
    });
    expect(byName("tenants-policy").inputs.policy).toBe(policyJson(sharedTenantPolicy()));
    expect(byName("tenants-group").inputs).toEqual({ name: "tenants", forceDestroy: false });
    expect(byName("tenants-attach").inputs).toEqual({
      groupName: "tenants",
      policyName: "tenants-own-bucket",
    });
    expect(byName("tenants-attach").parent).toBe(byName("tenants").urn);
    expect(byName("tenants").inputs).toEqual({ groupName: "tenants" });
    expect(run.outputs).toEqual({ groupName: "tenants", policyName: "tenants-own-bucket" });
  });

  it("takes a group name, a policy name and a bucket suffix", async () => {
    const run = await runWithMocks(() => {
      const access = new SharedTenantAccess("t", {
        groupName: "customers",
        policyName: "customers-buckets",
        bucketSuffix: "-files",
      });
      return { bucket: access.bucketNameFor("user-acme") };
    });
    const byName = finder(run.resources);
    expect(byName("t-group").inputs.name).toBe("customers");
    expect(byName("t-policy").inputs.name).toBe("customers-buckets");
    expect(byName("t-policy").inputs.policy).toBe(SHARED_POLICY.replaceAll("-data", "-files"));
    expect(run.outputs).toEqual({ bucket: "user-acme-files" });
  });

  it.each<[SharedTenantAccessArgs, string]>([
    [
      { groupName: "Tenants_1" },
      'groupName = "Tenants_1": must be a DNS-1123 label: lowercase letters, digits and ' +
        'hyphens ("T" is not allowed)',
    ],
    [
      { policyName: "a,b" },
      'policyName = "a,b": may contain only lowercase letters, digits, ".", "_" and "-", ' +
        "starting with a letter or digit",
    ],
    [
      { bucketSuffix: "_x" },
      'bucketSuffix = "_x": may contain only lowercase letters, digits, hyphens and dots (at most 40)',
    ],
  ])("refuses %j before registering anything", async (args, message) => {
    const { error, count } = await attempt(() => new SharedTenantAccess("t", args));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(`SharedTenantAccess "t": ${message}`);
    expect(count).toBe(0);
  });
});

describe("IsolatedBucket with a shared ownerAccess", () => {
  async function build(args: Partial<IsolatedBucketArgs> = {}, userName?: string) {
    const run = await runWithMocks(() => {
      const access = new SharedTenantAccess("tenants");
      const owner = new TenantUser("owner", { tenantId: "acme", userName });
      const bucket = new IsolatedBucket("acme", {
        tenantId: "acme",
        owner,
        ownerAccess: access,
        ...args,
      });
      return { ownerPolicyName: bucket.ownerPolicyName, bucketName: bucket.bucketName };
    });
    return { ...run, byName: finder(run.resources) };
  }

  it("joins the owner to the group instead of creating a policy for it", async () => {
    const run = await build();
    const bucketChildren = run.resources.filter((r) => r.parent === run.byName("acme").urn);
    expect(bucketChildren.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      `${GROUP_USER}::acme-owner-group`,
      "minio:index/s3Bucket:S3Bucket::acme-bucket",
    ]);
    expect(run.byName("acme-owner-group").inputs).toEqual({
      groupName: "tenants",
      userName: "user-acme",
    });
    // Joining waits for both the group and the user.
    expect(run.byName("acme-owner-group").dependencies).toEqual(
      [run.byName("tenants-group").urn, run.byName("owner-user").urn].sort(),
    );
    expect(run.resources.filter((r) => r.type === "minio:index/iamPolicy:IamPolicy")).toHaveLength(
      1,
    );
    expect(run.outputs).toEqual({
      ownerPolicyName: "tenants-own-bucket",
      bucketName: "user-acme-data",
    });
  });

  it.each<[string, Partial<IsolatedBucketArgs>, string | undefined, string]>([
    [
      "another bucket name",
      { bucketName: "acme-files" },
      undefined,
      'bucketName = "acme-files": must be "user-acme-data" with a shared ownerAccess: its ' +
        'policy grants the owner "user-acme" only the bucket named after it',
    ],
    [
      "an owner named otherwise",
      {},
      "acme-app",
      'bucketName = "user-acme-data": must be "acme-app-data" with a shared ownerAccess: its ' +
        'policy grants the owner "acme-app" only the bucket named after it',
    ],
    [
      "an ownerPolicy as well",
      { ownerPolicy: sharedTenantPolicy() },
      undefined,
      'ownerPolicy = {"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":' +
        '"Allow","Ac\u2026: must not be set with a shared ownerAccess (the shared group\'s ' +
        "policy grants the owner)",
    ],
  ])("refuses %s before registering the bucket", async (_case, args, userName, message) => {
    let error: unknown;
    const run = await runWithMocks(() => {
      const access = new SharedTenantAccess("tenants");
      const owner = new TenantUser("owner", { tenantId: "acme", userName });
      try {
        new IsolatedBucket("acme", { tenantId: "acme", owner, ownerAccess: access, ...args });
      } catch (err) {
        error = err;
      }
    });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(`IsolatedBucket "acme": ${message}`);
    expect(run.resources.some((r) => r.type === "minio-platform:index:IsolatedBucket")).toBe(false);
  });

  it("names the rule when ownerAccess is neither", async () => {
    const { error, count } = await attempt(
      () =>
        new IsolatedBucket("b", {
          tenantId: "acme",
          ownerAccess: "group" as unknown as "policy",
        }),
    );
    expect((error as Error).message).toBe(
      'IsolatedBucket "b": ownerAccess = "group": must be "policy" or a SharedTenantAccess',
    );
    expect(count).toBe(0);
  });
});

describe('the platform with tenantLayout "shared-policy"', () => {
  async function platform(tenants: number, layout: "per-tenant" | "shared-policy") {
    return runWithMocks(() => ({ ...buildPlatform(benchConfig(tenants, layout), benchSecrets()) }));
  }

  it("keeps the number of MinIO policies constant as tenants are added", async () => {
    // Runs share the mock runtime's global state, so they run one after another.
    const three = await platform(3, "shared-policy");
    const six = await platform(6, "shared-policy");
    const perTenant = await platform(6, "per-tenant");
    // The shared policy, Velero's, and the artifact store's owner, reader and pipeline writer.
    expect(countResources(three.resources).iamPolicies).toBe(5);
    expect(countResources(six.resources).iamPolicies).toBe(5);
    expect(countResources(perTenant.resources).iamPolicies).toBe(10);
    expect(six.resources.filter((r) => r.type === GROUP_USER)).toHaveLength(6);
    expect(perTenant.resources.filter((r) => r.type === GROUP_USER)).toHaveLength(0);
    expect(
      six.resources.filter((r) => r.type === GROUP_USER).map((r) => r.inputs.userName),
    ).toEqual([
      "user-t00001",
      "user-t00002",
      "user-t00003",
      "user-t00004",
      "user-t00005",
      "user-t00006",
    ]);
  });

  it("keeps every tenant, and its access key, to its own bucket", async () => {
    const run = await platform(4, "shared-policy");
    // The policy pack's own isolation proof: every principal, no finding.
    const analysis = analyseAccess(fromRecorded(run.resources));
    expect(analysis.findings).toEqual([]);
    expect(analysis.principals).toHaveLength(1 + 4 * 2 + 4);
    expect(analysis.cells.filter((c) => c.verdict !== "own")).toEqual([]);

    const inventory = readInventory(new StackIndex(fromRecorded(run.resources)));
    const model = new AccessModel(inventory.policies);
    const key = run.resources.find((r) => r.name === "tenant-t00002-sa-app")!;
    const accessKey = String(key.state.accessKey);
    const asKey = { kind: "serviceAccount", accessKey, parent: "user-t00002" } as const;
    const member = { ...asKey, parentGroups: ["tenants"] };
    const put = (bucket: string) => ({ action: "s3:PutObject", bucket, key: "report.csv" });
    expect(model.evaluate({ principal: member, ...put("user-t00002-data") }).allowed).toBe(true);
    expect(model.evaluate({ principal: member, ...put("user-t00003-data") }).allowed).toBe(false);
    // The variable is replaced literally: a longer bucket name is not the tenant's.
    expect(model.evaluate({ principal: member, ...put("user-t00002-data2") }).allowed).toBe(false);
    // Without the parent's membership the key has no policy at all.
    expect(model.evaluate({ principal: asKey, ...put("user-t00002-data") }).allowed).toBe(false);
    // Velero's user is not a member, so the shared policy gives it nothing.
    const velero = { kind: "user", name: "velero-backups" } as const;
    expect(model.evaluate({ principal: velero, ...put("velero-backups-data") }).allowed).toBe(
      false,
    );
  });

  it("does not deepen the dependency graph as tenants are added, in either layout", async () => {
    const depths: number[] = [];
    for (const layout of ["per-tenant", "shared-policy"] as const) {
      for (const tenants of [1, 8]) {
        depths.push(dependencyDepth((await platform(tenants, layout)).resources).depth);
      }
    }
    expect(depths).toEqual([4, 4, 4, 4]);
  });
});
