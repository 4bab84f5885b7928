/**
 * The isolation proof over programs built from the real components under the mock runtime:
 * clean tenants pass, seeded leaks are named with principal, bucket, actions and statement, and
 * a preview's unknown values are reported as not verifiable.
 */
import * as minio from "@pulumi/minio";
import {
  ArtifactStore,
  IsolatedBucket,
  TenantUser,
  policyJson,
  publicReadBucketPolicy,
  readOnlyPolicy,
} from "../../components";
import { analyseAccess } from "../../policy-pack/analysis";
import { fromRecorded } from "../../policy-pack/rules/resources";
import { tenantIsolation } from "../../policy-pack/rules/tenants";
import { RecordedResource, runWithMocks } from "../../tools/mock-runtime";
import { mandatory, runPack } from "./harness";

jest.setTimeout(60_000);

function tenant(id: string): TenantUser {
  const user = new TenantUser(`tenant-${id}`, { tenantId: id });
  new IsolatedBucket(`tenant-${id}`, { tenantId: id, owner: user });
  return user;
}

async function record(program: () => void, preview = false): Promise<RecordedResource[]> {
  const run = await runWithMocks(
    () => {
      program();
    },
    { preview },
  );
  return run.resources;
}

async function isolation(program: () => void, preview = false): Promise<string[]> {
  const resources = await record(program, preview);
  return tenantIsolation
    .check(fromRecorded(resources), tenantIsolation.defaults)
    .map((f) => f.message);
}

const GLOBEX_READ =
  'isolation: user "user-acme" (tenant acme) can s3:GetBucketLocation, s3:ListBucket, ' +
  's3:ListBucketVersions on bucket "user-globex-data" of tenant globex, allowed by policy ' +
  '"leak" statement 0 (BucketAccess)';
const GLOBEX_OBJECTS =
  'isolation: user "user-acme" (tenant acme) can s3:GetObject, s3:GetObjectTagging, ' +
  's3:GetObjectVersion on bucket "user-globex-data" of tenant globex, allowed by policy ' +
  '"leak" statement 1 (ObjectAccess)';

describe("tenant-isolation", () => {
  it("passes tenants that reach only their own buckets, and says so in the matrix", async () => {
    const resources = await record(() => {
      tenant("acme");
      tenant("globex");
    });
    const analysis = analyseAccess(fromRecorded(resources));
    expect(analysis.findings).toEqual([]);
    expect(analysis.cells.map((c) => [c.principal, c.bucket, c.verdict])).toEqual([
      ["user-acme", "user-acme-data", "own"],
      ["user-globex", "user-globex-data", "own"],
    ]);
    expect(analysis.cells[0].grants).toHaveLength(13);
  });

  it("names principal, bucket, actions and statement when a tenant is given another's ARN", async () => {
    const messages = await isolation(() => {
      tenant("acme");
      tenant("globex");
      new minio.IamPolicy("leak", {
        name: "leak",
        policy: policyJson(readOnlyPolicy("user-globex-data")),
      });
      new minio.IamUserPolicyAttachment("leak", { userName: "user-acme", policyName: "leak" });
    });
    expect(messages).toEqual([GLOBEX_READ, GLOBEX_OBJECTS]);
  });

  it("catches a wildcard bucket ARN reaching another tenant, not the own bucket", async () => {
    const messages = await isolation(() => {
      tenant("acme");
      tenant("acmecorp");
      new minio.IamPolicy("wide", {
        name: "wide",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::user-acme*"] },
          ],
        }),
      });
      new minio.IamUserPolicyAttachment("wide", { userName: "user-acme", policyName: "wide" });
    });
    expect(messages).toEqual([
      'isolation: user "user-acme" (tenant acme) can s3:GetObject on bucket ' +
        '"user-acmecorp-data" of tenant acmecorp, allowed by policy "wide" statement 0',
    ]);
  });

  it("catches a public bucket policy nobody declared (anonymous access)", async () => {
    const messages = await isolation(() => {
      tenant("acme");
      new minio.S3BucketPolicy("exposed", {
        bucket: "user-acme-data",
        policy: policyJson(publicReadBucketPolicy("user-acme-data", ["reports"])),
      });
    });
    expect(messages).toEqual([
      'isolation: the anonymous caller can s3:GetObject on bucket "user-acme-data" outside a ' +
        'declared public read prefix, allowed by policy "bucket-policy:user-acme-data" ' +
        "statement 0 (PublicRead)",
    ]);
  });

  it("accepts the same prefix once declared in config or by an ArtifactStore", async () => {
    const resources = fromRecorded(
      await record(() => {
        tenant("acme");
        new minio.S3BucketPolicy("exposed", {
          bucket: "user-acme-data",
          policy: policyJson(publicReadBucketPolicy("user-acme-data", ["reports"])),
        });
      }),
    );
    expect(
      tenantIsolation.check(resources, { publicPrefixes: ["user-acme-data/reports"], grants: [] }),
    ).toEqual([]);
    expect(
      tenantIsolation.check(resources, { publicPrefixes: ["user-acme-data/other"], grants: [] }),
    ).toHaveLength(1);

    const store = await isolation(() => {
      new ArtifactStore("ci", {
        endpoint: "http://127.0.0.1:9000",
        publicReadPrefixes: ["charts"],
      });
    });
    expect(store).toEqual([]);
  });

  it("follows group membership", async () => {
    const messages = await isolation(() => {
      tenant("acme");
      tenant("globex");
      new minio.IamGroup("readers", { name: "readers" });
      new minio.IamPolicy("leak", {
        name: "leak",
        policy: policyJson(readOnlyPolicy("user-globex-data")),
      });
      new minio.IamGroupPolicyAttachment("readers", { groupName: "readers", policyName: "leak" });
      new minio.IamGroupMembership("readers", { group: "readers", users: ["user-acme"] });
    });
    expect(messages).toEqual([GLOBEX_READ, GLOBEX_OBJECTS]);
  });

  it("checks access keys, whose own policy cannot widen the parent's", async () => {
    const narrowKey = await isolation(() => {
      const acme = new TenantUser("tenant-acme", {
        tenantId: "acme",
        serviceAccounts: [{ name: "app", policy: readOnlyPolicy("user-globex-data") }],
      });
      new IsolatedBucket("tenant-acme", { tenantId: "acme", owner: acme });
      tenant("globex");
    });
    expect(narrowKey).toEqual([]);

    const leakyParent = await isolation(() => {
      new TenantUser("tenant-acme", {
        tenantId: "acme",
        policies: [{ name: "leak", document: readOnlyPolicy("user-globex-data") }],
        serviceAccounts: [{ name: "app" }],
      });
      tenant("globex");
    });
    expect(leakyParent).toContain(
      'isolation: access key "tenant-acme-sa-app" of user "user-acme" (tenant acme) can ' +
        "s3:GetObject, s3:GetObjectTagging, s3:GetObjectVersion on bucket " +
        '"user-globex-data" of tenant globex, allowed by policy "leak" statement 1 (ObjectAccess)',
    );
  });

  it("reports a principal no tenant owns, and what MinIO's built-in readwrite gives it", async () => {
    const messages = await isolation(() => {
      tenant("acme");
      new minio.IamUser("ops", { name: "ops" });
      new minio.IamUserPolicyAttachment("ops", { userName: "ops", policyName: "readwrite" });
    });
    expect(messages).toHaveLength(2);
    expect(messages[0]).toBe(
      'isolation: user "ops" belongs to no tenant (no component declares its tenantId and its ' +
        "name does not follow user-<tenant>); it can reach user-acme-data",
    );
    expect(messages[1]).toMatch(
      /^isolation: user "ops" \(no tenant\) can s3:CreateBucket, s3:DeleteBucket, .*, s3:RestoreObject on bucket "user-acme-data" of tenant acme, allowed by policy "readwrite" statement 0$/,
    );
  });

  it("honours a declared cross-tenant grant, limited to its prefixes", async () => {
    const resources = fromRecorded(
      await record(() => {
        tenant("acme");
        tenant("globex");
        new minio.IamPolicy("shared", {
          name: "shared",
          policy: policyJson(readOnlyPolicy("user-globex-data", ["exports"])),
        });
        new minio.IamUserPolicyAttachment("shared", {
          userName: "user-acme",
          policyName: "shared",
        });
      }),
    );
    const grant = (prefixes?: string[]) => ({
      publicPrefixes: [],
      grants: [
        { principal: "user-acme", bucket: "user-globex-data", ...(prefixes ? { prefixes } : {}) },
      ],
    });
    expect(tenantIsolation.check(resources, grant(["exports"]))).toEqual([]);
    expect(tenantIsolation.check(resources, grant())).toEqual([]);
    expect(tenantIsolation.check(resources, grant(["other"])).map((f) => f.message)).toEqual([
      'isolation: user "user-acme" (tenant acme) can s3:GetObject, s3:GetObjectTagging, ' +
        's3:GetObjectVersion on bucket "user-globex-data" of tenant globex, allowed by policy ' +
        '"shared" statement 2 (ObjectAccess)',
    ]);
  });

  it("reports a preview's unknown values as not verifiable instead of passing", async () => {
    const program = () => {
      tenant("acme");
      const ops = new minio.IamUser("late", { name: "user-late" });
      new minio.IamUserPolicyAttachment("late", {
        userName: ops.status.apply((s) => `user-${s}`),
        policyName: "user-acme-data-owner",
      });
    };
    const messages = await isolation(program, true);
    expect(messages).toEqual([
      'isolation: not verifiable until update: IamUserPolicyAttachment "late" has an unknown userName',
    ]);

    // The same through the policy SDK's proxy: a mandatory report, not the SDK's advisory skip.
    const violations = await runPack(await record(program, true), {}, [tenantIsolation]);
    expect(mandatory(violations).map((v) => v.message)).toEqual(messages);
  });

  it("never puts a secret in a message", async () => {
    const resources = await record(() => {
      const acme = new TenantUser("tenant-acme", {
        tenantId: "acme",
        policies: [{ name: "leak", document: readOnlyPolicy("user-globex-data") }],
        serviceAccounts: [{ name: "app" }],
      });
      new IsolatedBucket("tenant-acme", { tenantId: "acme", owner: acme });
      tenant("globex");
    });
    const secrets = resources
      .flatMap((r) => [r.inputs.secret, r.state.result, r.state.accessKey, r.state.secretKey])
      .filter((v): v is string => typeof v === "string");
    expect(secrets.length).toBeGreaterThan(3);
    const messages = (await runPack(resources)).map((v) => v.message);
    expect(messages.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      for (const message of messages) expect(message).not.toContain(secret);
    }
  });
});
