/**
 * The mc apply and the S3 probe against the tier's real MinIO, driven by a small program that
 * uses @pulumi/minio directly: users, a group with a member, an empty group, policies and
 * attachments, a service account with its own policy, a disabled user, buckets with quota and
 * object lock, versioning, lifecycle rules, a public-prefix bucket policy and SSE-KMS.
 */
import { GetObjectLockConfigurationCommand, GetBucketVersioningCommand } from "@aws-sdk/client-s3";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import { applyResources, MINIO_TYPES, UnsupportedResourceError } from "../../tools/mc-apply";
import type { ApplyReport } from "../../tools/mc-apply";
import { runWithMocks, type RecordedResource } from "../../tools/mock-runtime";
import { connectTier, runId, type TierHandle } from "./helpers";
import {
  ANONYMOUS,
  READ_WRITE_ANSWERS,
  probeBucket,
  probeMatrix,
  probeStats,
  type ProbeRecord,
} from "./s3-probe";

// Real servers and real requests: far slower than the unit tier's default of 5 s.
jest.setTimeout(120_000);

const id = runId();
const A = `apply-a-${id}`;
const B = `apply-b-${id}`;
const PUB = `apply-pub-${id}`;

const readWrite = (bucket: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
      {
        Effect: "Allow",
        Action: [
          "s3:AbortMultipartUpload",
          "s3:DeleteObject",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  });

const readOnly = (bucket: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/*`] },
    ],
  });

function program(kmsKeyName: string) {
  return () => {
    const a = new minio.S3Bucket("a", { bucket: A, objectLocking: true, quota: 10 * 1024 * 1024 });
    const b = new minio.S3Bucket("b", { bucket: B, acl: "private" });
    const pub = new minio.S3Bucket("pub", { bucket: PUB });

    new minio.S3BucketVersioning("b-versioning", {
      bucket: b.bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new minio.IlmPolicy("a-lifecycle", {
      bucket: a.bucket,
      rules: [
        { id: "expire-tmp", expiration: "30d", filter: "tmp/" },
        { id: "old-versions", expiration: "DeleteMarker", noncurrentVersionExpirationDays: 7 },
      ],
    });
    new minio.S3BucketServerSideEncryption("a-sse", {
      bucket: a.bucket,
      encryptionType: "aws:kms",
      kmsKeyId: kmsKeyName,
    });
    new minio.S3BucketPolicy("pub-charts", {
      bucket: pub.bucket,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: ["*"] },
            Action: ["s3:GetObject"],
            Resource: [`arn:aws:s3:::${PUB}/charts/*`],
          },
        ],
      }),
    });

    const aliceSecret = new random.RandomPassword("alice-secret", { length: 32, special: false });
    const alice = new minio.IamUser("alice", { name: `alice-${id}`, secret: aliceSecret.result });
    const aliceRw = new minio.IamPolicy("alice-rw", {
      name: `alice-rw-${id}`,
      policy: readWrite(A),
    });
    new minio.IamUserPolicyAttachment("alice-rw", {
      userName: alice.name,
      policyName: aliceRw.name,
    });
    new minio.IamServiceAccount("alice-reader-key", {
      targetUser: alice.name,
      policy: readOnly(A),
    });

    const bob = new minio.IamUser("bob", { name: `bob-${id}`, secret: `bob-secret-${id}` });
    const readers = new minio.IamGroup("readers", { name: `readers-${id}` });
    new minio.IamGroupMembership("readers-members", {
      name: "readers-members",
      group: readers.name,
      users: [bob.name],
    });
    const readB = new minio.IamPolicy("read-b", { name: `read-b-${id}`, policy: readOnly(B) });
    new minio.IamGroupPolicyAttachment("readers-read-b", {
      groupName: readers.name,
      policyName: readB.name,
    });

    const nobody = new minio.IamGroup("nobody", { name: `nobody-${id}` });
    new minio.IamGroupPolicyAttachment("nobody-read-b", {
      groupName: nobody.name,
      policyName: readB.name,
    });

    const carol = new minio.IamUser("carol", {
      name: `carol-${id}`,
      secret: `carol-secret-${id}`,
      disableUser: true,
    });
    new minio.IamUserPolicyAttachment("carol-rw", {
      userName: carol.name,
      policyName: aliceRw.name,
    });
  };
}

/** `{operation: allowed}` for the records of one probe, the shape the assertions compare. */
function answers(records: ProbeRecord[]): Record<string, boolean> {
  return Object.fromEntries(records.map((r) => [r.operation, r.allowed]));
}

describe("mc apply and S3 probe on a real MinIO", () => {
  let tier: TierHandle;
  let resources: RecordedResource[];
  let report: ApplyReport;
  const requestsBefore = probeStats.requests;
  let crossTenantAllowed = 0;

  beforeAll(async () => {
    tier = await connectTier("apply.test.ts");
    resources = (await runWithMocks(program(tier.connection.kmsKeyName))).resources;
    report = await applyResources(resources, tier.mc);
  });

  afterAll(() => {
    tier?.finish({
      requests: probeStats.requests - requestsBefore,
      compared: 0,
      agreements: 0,
      crossTenantAllowed,
    });
  });

  const principal = (prefix: string) => {
    const p = report.principals.find((x) => x.accessKey.startsWith(prefix));
    if (!p) throw new Error(`no principal ${prefix}`);
    return { name: p.accessKey, accessKey: p.accessKey, secretKey: p.secretKey };
  };

  it("applies every MinIO resource in dependency order and skips the others", () => {
    const types = report.applied.map((r) => r.type);
    expect(report.applied).toHaveLength(
      resources.filter((r) => r.type.startsWith("minio:")).length,
    );
    expect(report.skipped).toEqual([
      { type: "random:index/randomPassword:RandomPassword", name: "alice-secret" },
    ]);
    const last = (t: string) => types.lastIndexOf(t);
    const first = (t: string) => types.indexOf(t);
    expect(last(MINIO_TYPES.bucket)).toBeLessThan(first(MINIO_TYPES.versioning));
    expect(last(MINIO_TYPES.policy)).toBeLessThan(first(MINIO_TYPES.user));
    expect(last(MINIO_TYPES.user)).toBeLessThan(first(MINIO_TYPES.group));
    expect(last(MINIO_TYPES.userPolicyAttachment)).toBeLessThan(first(MINIO_TYPES.serviceAccount));
    expect([...report.buckets].sort()).toEqual([A, B, PUB]);
    const principals = report.principals.map((p) => [p.resourceName, p.kind, p.disabled]);
    expect(principals.sort()).toEqual([
      ["alice", "user", false],
      ["alice-reader-key", "serviceAccount", false],
      ["bob", "user", false],
      ["carol", "user", true],
    ]);
  });

  it("creates buckets with object lock, quota, versioning, lifecycle and SSE-KMS", async () => {
    const mc = tier.mc;
    const lock = await tier.admin.send(new GetObjectLockConfigurationCommand({ Bucket: A }));
    expect(lock.ObjectLockConfiguration?.ObjectLockEnabled).toBe("Enabled");
    const versioningA = await tier.admin.send(new GetBucketVersioningCommand({ Bucket: A }));
    expect(versioningA.Status).toBe("Enabled");
    const versioningB = await tier.admin.send(new GetBucketVersioningCommand({ Bucket: B }));
    expect(versioningB.Status).toBe("Enabled");
    const versioningPub = await tier.admin.send(new GetBucketVersioningCommand({ Bucket: PUB }));
    expect(versioningPub.Status).toBeUndefined();

    expect(await mc.json(["quota", "info", mc.target(A)])).toMatchObject({
      quota: 10485760,
      type: "hard",
    });
    expect(await mc.json(["encrypt", "info", mc.target(A)])).toMatchObject({
      encryption: { algorithm: "aws:kms", keyId: tier.connection.kmsKeyName },
    });
    const ilm = JSON.parse(await mc.run(["ilm", "export", mc.target(A)]));
    expect(ilm.Rules).toEqual([
      { ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 30 } },
      {
        ID: "old-versions",
        Status: "Enabled",
        Expiration: { ExpiredObjectDeleteMarker: true },
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      },
    ]);
    const anonymous = await mc.json(["anonymous", "get", mc.target(PUB)]);
    expect(anonymous).toMatchObject({ permission: "custom" });
    const none = await mc.json(["anonymous", "get", mc.target(A)]);
    expect(none).toMatchObject({ permission: "private" });
  });

  it("creates users, groups and attachments as the program declared them", async () => {
    const mc = tier.mc;
    const alice = await mc.json(["admin", "user", "info", mc.alias, `alice-${id}`]);
    expect(alice).toMatchObject({ userStatus: "enabled", policyName: `alice-rw-${id}` });
    const carol = await mc.json(["admin", "user", "info", mc.alias, `carol-${id}`]);
    expect(carol).toMatchObject({ userStatus: "disabled" });
    const readers = await mc.json(["admin", "group", "info", mc.alias, `readers-${id}`]);
    expect(readers).toMatchObject({ members: [`bob-${id}`], groupPolicy: `read-b-${id}` });
    const nobody = await mc.json<Record<string, unknown>>([
      "admin",
      "group",
      "info",
      mc.alias,
      `nobody-${id}`,
    ]);
    expect(nobody.members ?? []).toEqual([]);
    expect(nobody.groupPolicy).toBe(`read-b-${id}`);
  });

  it("lets a read-write user work in its bucket and nowhere else", async () => {
    const alice = principal("alice-");
    const own = await probeBucket(tier.connection.endpoint, alice, A, { admin: tier.admin });
    expect(answers(own)).toEqual(READ_WRITE_ANSWERS);
    // A missing key is still an allowed read: MinIO authorises before it looks.
    expect(own.find((r) => r.operation === "GetObject")).toMatchObject({
      action: "s3:GetObject",
      key: "probe/" + alice.name + ".txt",
      status: "NoSuchKey",
    });
    const other = await probeBucket(tier.connection.endpoint, alice, B, { admin: tier.admin });
    expect(other.filter((r) => r.allowed)).toEqual([]);
    expect(new Set(other.map((r) => r.status))).toEqual(new Set(["AccessDenied"]));
  });

  it("gives a group member the group's read-only policy", async () => {
    const bob = principal("bob-");
    const records = await probeBucket(tier.connection.endpoint, bob, B, {
      operations: ["GetObject", "PutObject", "DeleteObject", "ListObjectsV2", "GetBucketLocation"],
    });
    expect(answers(records)).toEqual({
      GetObject: true,
      PutObject: false,
      DeleteObject: false,
      ListObjectsV2: true,
      GetBucketLocation: true,
    });
  });

  it("limits a service account to its own policy within its user's rights", async () => {
    const key = report.principals.find((p) => p.kind === "serviceAccount")!;
    expect(key.parentUser).toBe(`alice-${id}`);
    expect(key.accessKey).toMatch(/^[A-Z0-9]{20}$/);
    const records = await probeBucket(
      tier.connection.endpoint,
      { name: key.accessKey, accessKey: key.accessKey, secretKey: key.secretKey },
      A,
      { operations: ["GetObject", "PutObject", "ListObjectsV2", "DeleteObject"] },
    );
    expect(answers(records)).toEqual({
      GetObject: true,
      PutObject: false,
      ListObjectsV2: true,
      DeleteObject: false,
    });
  });

  it("refuses a disabled user everywhere, even where its policy allows", async () => {
    const carol = principal("carol-");
    const records = await probeBucket(tier.connection.endpoint, carol, A, {
      operations: ["GetObject", "PutObject", "ListObjectsV2"],
    });
    expect(records.map((r) => [r.operation, r.allowed])).toEqual([
      ["GetObject", false],
      ["PutObject", false],
      ["ListObjectsV2", false],
    ]);
  });

  it("lets the anonymous caller read the public prefix and nothing else", async () => {
    const charts = await probeBucket(tier.connection.endpoint, ANONYMOUS, PUB, {
      key: "charts/app-1.0.0.tgz",
      admin: tier.admin,
    });
    expect(charts.filter((r) => r.allowed).map((r) => [r.operation, r.status])).toEqual([
      ["GetObject", "NoSuchKey"],
    ]);
    const elsewhere = await probeBucket(tier.connection.endpoint, ANONYMOUS, PUB, {
      key: "private/data.bin",
      operations: ["GetObject"],
    });
    expect(elsewhere[0]).toMatchObject({ allowed: false, status: "AccessDenied" });
    const privateBucket = await probeBucket(tier.connection.endpoint, ANONYMOUS, A, {
      operations: ["GetObject", "ListObjectsV2"],
    });
    expect(privateBucket.map((r) => r.allowed)).toEqual([false, false]);
  });

  it("lets no principal reach a bucket it was not given", async () => {
    const owned: Record<string, string[]> = {
      [`alice-${id}`]: [A],
      [`bob-${id}`]: [B],
      [`carol-${id}`]: [],
      anonymous: [PUB],
    };
    const key = report.principals.find((p) => p.kind === "serviceAccount")!;
    owned[key.accessKey] = [A];
    const principals = [
      ...report.principals.map((p) => ({
        name: p.accessKey,
        accessKey: p.accessKey,
        secretKey: p.secretKey,
      })),
      ANONYMOUS,
    ];
    const records = await probeMatrix(tier.connection.endpoint, principals, [A, B, PUB], {
      admin: tier.admin,
      keyFor: (_principal, bucket) => (bucket === PUB ? "charts/probe.tgz" : undefined),
      maxRequests: 500,
    });
    expect(records).toHaveLength(principals.length * 3 * 14);
    const cross = records.filter((r) => r.allowed && !owned[r.principal].includes(r.bucket));
    crossTenantAllowed += cross.length;
    expect(cross).toEqual([]);
    const reach = (name: string) => [
      ...new Set(records.filter((r) => r.principal === name && r.allowed).map((r) => r.bucket)),
    ];
    expect(reach(`alice-${id}`)).toEqual([A]);
    expect(reach(`bob-${id}`)).toEqual([B]);
    expect(reach(`carol-${id}`)).toEqual([]);
    expect(reach("anonymous")).toEqual([PUB]);
  });

  it("applies again without error, and a changed secret rotates the user", async () => {
    const old = principal("alice-");
    const rotated = resources.map((r) =>
      r.type === MINIO_TYPES.user && r.name === "alice"
        ? { ...r, inputs: { ...r.inputs, secret: `rotated-secret-${id}` } }
        : r,
    );
    const second = await applyResources(rotated, tier.mc);
    expect(second.applied).toHaveLength(report.applied.length);

    const before = await probeBucket(tier.connection.endpoint, old, A, {
      operations: ["ListObjectsV2"],
    });
    expect(before[0]).toMatchObject({ allowed: false, status: "SignatureDoesNotMatch" });
    const after = await probeBucket(
      tier.connection.endpoint,
      { ...old, secretKey: `rotated-secret-${id}` },
      A,
      { operations: ["ListObjectsV2"] },
    );
    expect(after[0]).toMatchObject({ allowed: true, status: "OK" });
    const info = await tier.mc.json(["admin", "user", "info", tier.mc.alias, old.name]);
    expect(info).toMatchObject({ userStatus: "enabled" });
  });

  it("probes root's every right without changing the bucket", async () => {
    const root = {
      name: "root",
      accessKey: tier.connection.rootUser,
      secretKey: tier.connection.rootPassword,
    };
    const records = await probeBucket(tier.connection.endpoint, root, B, { admin: tier.admin });
    expect(records.every((r) => r.allowed)).toBe(true);
    const status = Object.fromEntries(records.map((r) => [r.operation, r.status]));
    // The bucket-changing requests were authorised, then refused for their content.
    expect(status).toMatchObject({
      AbortMultipartUpload: "OK",
      DeleteBucket: "BucketNotEmpty",
      PutBucketPolicy: "MalformedPolicy",
      PutBucketLifecycleConfiguration: "InvalidArgument",
      PutBucketVersioning: "IllegalVersioningConfigurationException",
    });
    const versioning = await tier.admin.send(new GetBucketVersioningCommand({ Bucket: B }));
    expect(versioning.Status).toBe("Enabled");
    const anonymous = await tier.mc.json(["anonymous", "get", tier.mc.target(B)]);
    expect(anonymous).toMatchObject({ permission: "private" });
  });

  it("fails loudly on a MinIO type it cannot apply, before touching the server", async () => {
    const bucket = `apply-unsupported-${id}`;
    const { resources: unsupported } = await runWithMocks(() => {
      new minio.S3Bucket("x", { bucket });
      new minio.S3BucketNotification("x-events", { bucket, queues: [] });
    });
    await expect(applyResources(unsupported, tier.mc)).rejects.toThrow(UnsupportedResourceError);
    await expect(applyResources(unsupported, tier.mc)).rejects.toThrow(
      'cannot apply minio:index/s3BucketNotification:S3BucketNotification "x-events"',
    );
    const buckets = await tier.mc.run(["ls", tier.mc.alias]);
    expect(buckets).not.toContain(bucket);
  });

  it("never prints a secret in an mc failure", async () => {
    const secret = `never-shown-${id}`;
    tier.mc.addSecret(secret);
    const failure = tier.mc.run(["admin", "user", "add", tier.mc.alias, "x", secret]);
    await expect(failure).rejects.toThrow("[secret]");
    await expect(
      tier.mc.run(["admin", "user", "add", tier.mc.alias, "x", secret]),
    ).rejects.not.toThrow(secret);
  });
});
