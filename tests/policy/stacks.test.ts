/**
 * The whole pack against every shipped stack, resources taken from the synth's mock run and fed
 * through the policy SDK's own shapes: no violation anywhere, every configured tenant seen and
 * proven, and violations seeded into a real stack's resources caught by the right rule.
 */
import { policyJson, readOnlyPolicy } from "../../components/iam";
import { analyseAccess } from "../../policy-pack/analysis";
import { TYPES, fromRecorded } from "../../policy-pack/rules/resources";
import { loadStackConfig, shippedStacks } from "../../stacks/stack-config";
import { RecordedResource } from "../../tools/mock-runtime";
import { runStack } from "../../tools/synth";
import { PackInput, mandatory, runPack } from "./harness";

jest.setTimeout(120_000);

describe.each(shippedStacks())("stack %s", (stack) => {
  let resources: RecordedResource[];

  beforeAll(async () => {
    resources = (await runStack(stack)).resources;
  });

  it("has no violation of any policy", async () => {
    expect(await runPack(resources)).toEqual([]);
  });

  it("proves every configured tenant reaches its own bucket and nothing else", () => {
    const analysis = analyseAccess(fromRecorded(resources));
    for (const tenant of loadStackConfig(stack).tenants) {
      const cells = analysis.cells.filter((c) => c.principal === `user-${tenant.id}`);
      expect(cells.map((c) => [c.bucket, c.verdict])).toEqual([[`user-${tenant.id}-data`, "own"]]);
    }
    expect(analysis.cells.filter((c) => c.verdict !== "own").map((c) => c.principal)).toEqual([
      "*",
    ]);
  });
});

/** A copy of `resources` with `edit` applied to the inputs of the one named resource. */
function seeded(
  resources: readonly RecordedResource[],
  type: string,
  name: string,
  edit: (inputs: Record<string, unknown>) => void,
): PackInput[] {
  let found = false;
  const out = resources.map((r) => {
    if (r.type !== type || r.name !== name) return r;
    found = true;
    const inputs = structuredClone(r.inputs);
    edit(inputs);
    return { ...r, inputs };
  });
  expect(found).toBe(true);
  return out;
}

describe("violations seeded into the local stack", () => {
  let local: RecordedResource[];

  beforeAll(async () => {
    local = (await runStack("local")).resources;
  });

  it("catches a tenant given another tenant's ARN", async () => {
    const resources = seeded(local, TYPES.iamPolicy, "tenant-acme-owner-policy", (inputs) => {
      inputs.policy = policyJson(readOnlyPolicy("user-globex-data"));
    });
    expect(mandatory(await runPack(resources)).map((v) => [v.policy, v.message])).toEqual([
      [
        "tenant-isolation",
        'isolation: user "user-acme" (tenant acme) can s3:GetBucketLocation, s3:ListBucket, ' +
          's3:ListBucketVersions on bucket "user-globex-data" of tenant globex, allowed by ' +
          'policy "user-acme-data-owner" statement 0 (BucketAccess)',
      ],
      [
        "tenant-isolation",
        'isolation: user "user-acme" (tenant acme) can s3:GetObject, s3:GetObjectTagging, ' +
          's3:GetObjectVersion on bucket "user-globex-data" of tenant globex, allowed by policy ' +
          '"user-acme-data-owner" statement 1 (ObjectAccess)',
      ],
      [
        "tenant-isolation",
        'isolation: access key "tenant-acme-sa-web" of user "user-acme" (tenant acme) can ' +
          "s3:GetBucketLocation, s3:ListBucket, s3:ListBucketVersions on bucket " +
          '"user-globex-data" of tenant globex, allowed by policy "user-acme-data-owner" ' +
          "statement 0 (BucketAccess)",
      ],
      [
        "tenant-isolation",
        'isolation: access key "tenant-acme-sa-web" of user "user-acme" (tenant acme) can ' +
          "s3:GetObject, s3:GetObjectTagging, s3:GetObjectVersion on bucket " +
          '"user-globex-data" of tenant globex, allowed by policy "user-acme-data-owner" ' +
          "statement 1 (ObjectAccess)",
      ],
    ]);
  });

  it("catches a wildcard", async () => {
    const resources = seeded(local, TYPES.iamPolicy, "tenant-globex-owner-policy", (inputs) => {
      inputs.policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::user-globex-data/*"] },
        ],
      });
    });
    const violations = mandatory(await runPack(resources));
    expect(violations.map((v) => v.policy)).toEqual(["no-wildcard-actions"]);
    expect(violations[0].message).toBe(
      'IamPolicy "tenant-globex-owner-policy": statement 0 allows "s3:*", which also covers ' +
        "actions such as s3:DeleteBucket and s3:PutLifecycleConfiguration; list the actions the " +
        "role needs (only adminPolicyNames may use wildcards)",
    );
  });

  it("catches a public bucket that was not declared", async () => {
    const resources = seeded(local, TYPES.s3BucketPolicy, "ci-public-read", (inputs) => {
      inputs.bucket = "user-initech-data";
      inputs.policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ["*"] },
            Action: ["s3:GetObject"],
            Resource: ["arn:aws:s3:::user-initech-data/*"],
          },
        ],
      });
    });
    expect(mandatory(await runPack(resources)).map((v) => [v.policy, v.message])).toEqual([
      [
        "private-buckets-no-policy",
        'S3BucketPolicy "ci-public-read" gives anonymous access to bucket "user-initech-data", ' +
          "which has no declared public prefix (publicPrefixes or an ArtifactStore's " +
          "publicReadPrefixes); a private bucket has no bucket policy",
      ],
      [
        "tenant-isolation",
        'isolation: the anonymous caller can s3:GetObject on bucket "user-initech-data" outside ' +
          'a declared public read prefix, allowed by policy "bucket-policy:user-initech-data" ' +
          "statement 0",
      ],
    ]);
  });
});

describe("a stack's production setting", () => {
  it("makes the pack require TLS, whatever the environment is called", async () => {
    const config = { ...loadStackConfig("local"), environment: "eu-1", production: true };
    const violations = await runPack((await runStack("local", config)).resources);
    expect(violations.map((v) => [v.policy, v.message])).toEqual([
      [
        "minio-tls-in-production",
        'StatefulSet "platform-pool-0" container "minio" runs MinIO without TLS in production ' +
          '(environment "eu-1"); set tls to an existing Secret or cert-manager',
      ],
    ]);
    expect(mandatory(violations)).toHaveLength(1);
  });
});
