import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError } from "../../components/errors";
import { IsolatedBucket, type IsolatedBucketArgs } from "../../components/isolated-bucket";
import { TenantUser } from "../../components/tenant-user";
import { mockSecret, runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

const READ_WRITE_ACME =
  '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
  '["s3:GetBucketLocation","s3:ListBucket","s3:ListBucketMultipartUploads","s3:ListBucketVersions"],' +
  '"Resource":["arn:aws:s3:::user-acme-data"]},{"Sid":"ObjectAccess","Effect":"Allow","Action":' +
  '["s3:AbortMultipartUpload","s3:DeleteObject","s3:DeleteObjectTagging","s3:GetObject",' +
  '"s3:GetObjectTagging","s3:GetObjectVersion","s3:ListMultipartUploadParts","s3:PutObject",' +
  '"s3:PutObjectTagging"],"Resource":["arn:aws:s3:::user-acme-data/*"]}]}';

async function build(args: IsolatedBucketArgs, withOwner?: string) {
  const options = new Map<string, pulumi.ResourceOptions>();
  const run = await runWithMocks(() => {
    pulumi.runtime.registerStackTransformation((a) => {
      options.set(a.name, a.opts);
      return undefined;
    });
    const owner = withOwner ? new TenantUser(withOwner, { tenantId: "acme" }) : undefined;
    const bucket = new IsolatedBucket("acme", { ...args, owner });
    return {
      bucketName: bucket.bucketName,
      bucketArn: bucket.bucketArn,
      ownerUserName: bucket.ownerUserName,
      ownerPolicyName: bucket.ownerPolicyName,
      credentials: bucket.credentials,
    };
  });
  const byName = (n: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === n);
    if (!found) throw new Error(`no resource named ${n}`);
    return found;
  };
  const types = run.resources.map((r) => r.type);
  return { ...run, options, byName, types };
}

async function refused(args: IsolatedBucketArgs) {
  let error: unknown;
  const run = await runWithMocks(() => {
    try {
      new IsolatedBucket("b", args);
    } catch (err) {
      error = err;
    }
  });
  return { error, count: run.resources.length };
}

describe("IsolatedBucket", () => {
  it("refuses missing arguments with the rule, not a TypeError", async () => {
    const { error, count } = await refused(undefined as unknown as IsolatedBucketArgs);
    expect((error as Error).message).toBe(
      'IsolatedBucket "b": args = undefined: must be an object',
    );
    expect(count).toBe(0);
  });

  it("creates a private bucket and an owner with read-write on it only", async () => {
    const run = await build({ tenantId: "acme" });
    expect(run.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      "minio-platform:index:IsolatedBucket::acme",
      "minio-platform:index:TenantUser::acme-owner",
      "minio:index/iamPolicy:IamPolicy::acme-owner-policy",
      "minio:index/iamUser:IamUser::acme-owner-user",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::acme-owner-attach",
      "minio:index/s3Bucket:S3Bucket::acme-bucket",
      "random:index/randomPassword:RandomPassword::acme-owner-secret",
    ]);
    expect(run.byName("acme-bucket").inputs).toEqual({
      bucket: "user-acme-data",
      acl: "private",
      objectLocking: false,
      forceDestroy: false,
    });
    expect(run.byName("acme-owner-policy").inputs).toEqual({
      name: "user-acme-data-owner",
      policy: READ_WRITE_ACME,
    });
    expect(run.byName("acme-owner-attach").inputs).toEqual({
      userName: "user-acme",
      policyName: "user-acme-data-owner",
    });
    expect(run.outputs).toEqual({
      bucketName: "user-acme-data",
      bucketArn: "arn:aws:s3:::user-acme-data",
      ownerUserName: "user-acme",
      ownerPolicyName: "user-acme-data-owner",
      credentials: {
        accessKey: "user-acme",
        secretKey: mockSecret("acme-owner-secret:{}", 40),
      },
    });
    expect(run.secretOutputs).toEqual(["credentials"]);
  });

  it("never creates a bucket policy, whatever else is asked for", async () => {
    const run = await build({
      tenantId: "acme",
      versioning: true,
      quotaBytes: 10 * 1024 ** 3,
      lifecycleRules: [{ id: "tmp", prefix: "tmp", expireDays: 3 }],
      encryption: { kmsKeyId: "tenant-acme" },
    });
    expect(run.types).not.toContain("minio:index/s3BucketPolicy:S3BucketPolicy");
    expect(run.byName("acme-bucket").inputs.quota).toBe(10737418240);
  });

  it("protects and retains the bucket and never force-empties it by default", async () => {
    const run = await build({ tenantId: "acme" });
    const opts = run.options.get("acme-bucket");
    expect(opts?.protect).toBe(true);
    expect(opts?.retainOnDelete).toBe(true);
    expect(opts?.replaceOnChanges).toEqual(["objectLocking"]);
    expect(run.byName("acme-bucket").inputs.forceDestroy).toBe(false);
  });

  it("lets the caller opt out of protection with allowDestroy", async () => {
    const run = await build({ tenantId: "acme", allowDestroy: true });
    const opts = run.options.get("acme-bucket");
    expect(opts?.protect).toBe(false);
    expect(opts?.retainOnDelete).toBe(false);
    expect(run.byName("acme-bucket").inputs.forceDestroy).toBe(true);
  });

  it("keeps an object-locked bucket protected, so a later objectLock change is refused", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
    const run = await build({ tenantId: "acme", objectLock: true });
    const opts = run.options.get("acme-bucket");
    expect(opts?.protect).toBe(true);
    expect(opts?.retainOnDelete).toBe(true);
    expect(opts?.replaceOnChanges).toEqual(["objectLocking"]);
    expect((opts as pulumi.CustomResourceOptions | undefined)?.deleteBeforeReplace).toBe(true);
    expect(run.byName("acme-bucket").inputs.forceDestroy).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("warns that allowDestroy makes an object-locked bucket disposable", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
    const run = await build({ tenantId: "acme", objectLock: true, allowDestroy: true });
    expect(run.options.get("acme-bucket")?.protect).toBe(false);
    expect(run.byName("acme-bucket").inputs.forceDestroy).toBe(true);
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      'IsolatedBucket "acme": objectLock with allowDestroy: changing objectLock replaces the ' +
        'bucket "user-acme-data", and forceDestroy deletes every object in it first',
    ]);
    warn.mockRestore();
  });

  it("creates object-locked buckets with versioning on", async () => {
    const run = await build({ tenantId: "acme", objectLock: true });
    expect(run.byName("acme-bucket").inputs.objectLocking).toBe(true);
    expect(run.byName("acme-versioning").inputs).toEqual({
      bucket: "user-acme-data",
      versioningConfiguration: { status: "Enabled" },
    });
  });

  it("turns lifecycle rules into one IlmPolicy in the provider's form", async () => {
    const run = await build({
      tenantId: "acme",
      versioning: true,
      lifecycleRules: [
        { id: "tmp", prefix: "tmp/build", expireDays: 7 },
        { id: "old-versions", noncurrentExpireDays: 30, expireDeleteMarkers: true },
      ],
    });
    expect(run.byName("acme-lifecycle").inputs).toEqual({
      bucket: "user-acme-data",
      rules: [
        { id: "tmp", status: "Enabled", filter: "tmp/build/", expiration: "7d" },
        {
          id: "old-versions",
          status: "Enabled",
          expiration: "DeleteMarker",
          noncurrentVersionExpirationDays: 30,
        },
      ],
    });
  });

  it("sets SSE-KMS bucket encryption", async () => {
    const run = await build({ tenantId: "acme", encryption: { kmsKeyId: "tenant-acme" } });
    expect(run.byName("acme-encryption").inputs).toEqual({
      bucket: "user-acme-data",
      encryptionType: "aws:kms",
      kmsKeyId: "tenant-acme",
    });
  });

  it("accepts the tenant's own default bucket name given explicitly", async () => {
    const run = await build({ tenantId: "acme", bucketName: "user-acme-data" });
    expect(run.byName("acme-bucket").inputs.bucket).toBe("user-acme-data");
  });

  it("grants a passed-in owner access and creates no second user", async () => {
    const run = await build({ tenantId: "acme", bucketName: "acme-reports" }, "shared");
    expect(run.types.filter((t) => t === "minio:index/iamUser:IamUser")).toHaveLength(1);
    expect(run.byName("acme-owner-attach").inputs).toEqual({
      userName: "user-acme",
      policyName: "acme-reports-owner",
    });
    expect(run.outputs.credentials).toEqual({
      accessKey: "user-acme",
      secretKey: mockSecret("shared-secret:{}", 40),
    });
  });

  it("refuses an owner of another tenant before registering the bucket", async () => {
    let error: unknown;
    const run = await runWithMocks(() => {
      const owner = new TenantUser("globex", { tenantId: "globex" });
      try {
        new IsolatedBucket("b", { tenantId: "acme", owner });
      } catch (err) {
        error = err;
      }
    });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      'IsolatedBucket "b": owner.tenantId = "globex": must be the bucket\'s tenant "acme" ' +
        "(a bucket grants read-write only to a user of its own tenant)",
    );
    expect(run.resources.map((r) => r.name).sort()).toEqual([
      "globex",
      "globex-secret",
      "globex-user",
    ]);
  });

  it.each([
    ["s3:*", "arn:aws:s3:::user-acme-data/*"],
    ["*", "arn:aws:s3:::user-acme-data"],
    ["s3:PutBucketPolicy", "arn:aws:s3:::user-acme-data"],
    ["s3:DeleteBucket", "arn:aws:s3:::user-acme-data"],
    ["s3:Get*", "arn:aws:s3:::user-acme-data/*"],
  ])("refuses an owner policy that allows %s on its own bucket", async (action, resource) => {
    const { error, count } = await refused({
      tenantId: "acme",
      ownerPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: ["arn:aws:s3:::user-acme-data/*"],
          },
          { Effect: "Allow", Action: [action], Resource: [resource] },
        ],
      },
    });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      `IsolatedBucket "b": ownerPolicy.Statement[1].Action = ${JSON.stringify(action)}: must be ` +
        "one of the actions of the library's roles (read-write, read-only, Velero, CI writer, " +
        "CI reader), with no wildcards",
    );
    expect(count).toBe(0);
  });

  it("accepts an owner policy made of role actions, with a Deny of anything", async () => {
    const run = await build({
      tenantId: "acme",
      ownerPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: ["arn:aws:s3:::user-acme-data/*"],
          },
          { Effect: "Deny", Action: ["s3:*"], Resource: ["arn:aws:s3:::user-acme-data/secret/*"] },
        ],
      },
    });
    expect(run.byName("acme-owner-policy").inputs.policy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject",' +
        '"s3:PutObject"],"Resource":["arn:aws:s3:::user-acme-data/*"]},{"Effect":"Deny",' +
        '"Action":["s3:*"],"Resource":["arn:aws:s3:::user-acme-data/secret/*"]}]}',
    );
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, IsolatedBucketArgs, string][] = [
      [
        "an underscore in the bucket name",
        { tenantId: "acme", bucketName: "db_wal" },
        'IsolatedBucket "b": bucketName = "db_wal": must not contain underscores',
      ],
      [
        "a bucket name in another tenant's namespace",
        { tenantId: "acme", bucketName: "user-globex-data" },
        'IsolatedBucket "b": bucketName = "user-globex-data": must not start with "user-" unless it is "user-acme-data", this tenant\'s default: the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a bucket name that looks like an IP address",
        { tenantId: "acme", bucketName: "10.0.0.1" },
        'IsolatedBucket "b": bucketName = "10.0.0.1": must not look like an IP address',
      ],
      [
        "a tenant id longer than 53 characters",
        { tenantId: "a".repeat(54) },
        `IsolatedBucket "b": tenantId = "${"a".repeat(54)}": must be at most 53 characters long`,
      ],
      [
        "object lock on a deployment that is not erasure coded",
        { tenantId: "acme", objectLock: true, erasureCoded: false },
        'IsolatedBucket "b": objectLock = true: needs an erasure-coded deployment (erasureCoded is false)',
      ],
      [
        "versioning on a deployment that is not erasure coded",
        { tenantId: "acme", versioning: true, erasureCoded: false },
        'IsolatedBucket "b": versioning = true: needs an erasure-coded deployment (erasureCoded is false)',
      ],
      [
        "object lock with versioning explicitly off",
        { tenantId: "acme", objectLock: true, versioning: false },
        'IsolatedBucket "b": versioning = false: must not be false when objectLock is true (object lock turns versioning on)',
      ],
      [
        "a fractional quota",
        { tenantId: "acme", quotaBytes: 1.5 },
        'IsolatedBucket "b": quotaBytes = 1.5: must be a whole number from 1',
      ],
      [
        "noncurrent expiry without versioning",
        { tenantId: "acme", lifecycleRules: [{ id: "x", noncurrentExpireDays: 3 }] },
        'IsolatedBucket "b": lifecycleRules[0].noncurrentExpireDays = 3: needs versioning (an unversioned bucket has no old versions or delete markers)',
      ],
      [
        "a rule with nothing to do",
        { tenantId: "acme", lifecycleRules: [{ id: "x", prefix: "a" }] },
        'IsolatedBucket "b": lifecycleRules[0] = {"id":"x","prefix":"a"}: must set expireDays, noncurrentExpireDays or expireDeleteMarkers',
      ],
      [
        "a wildcard in a rule prefix",
        { tenantId: "acme", lifecycleRules: [{ id: "x", prefix: "a*", expireDays: 1 }] },
        'IsolatedBucket "b": lifecycleRules[0].prefix = "a*": must not contain "*" (wildcards and policy variables widen policies)',
      ],
      [
        "delete-marker expiry together with day expiry",
        {
          tenantId: "acme",
          versioning: true,
          lifecycleRules: [{ id: "x", expireDays: 1, expireDeleteMarkers: true }],
        },
        'IsolatedBucket "b": lifecycleRules[0].expireDeleteMarkers = true: cannot be combined with expireDays in one rule; use two rules',
      ],
      [
        "SSE-S3, which the provider cannot set",
        { tenantId: "acme", encryption: "sse-s3" as unknown as { kmsKeyId: string } },
        'IsolatedBucket "b": encryption = "sse-s3": must be { kmsKeyId }: @pulumi/minio 0.17.1 only sets SSE-KMS bucket encryption',
      ],
      [
        "an owner policy naming another bucket",
        {
          tenantId: "acme",
          ownerPolicy: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: ["arn:aws:s3:::user-acme-data2/*"],
              },
            ],
          },
        },
        'IsolatedBucket "b": ownerPolicy = "arn:aws:s3:::user-acme-data2/*": must name only the bucket "user-acme-data" and its objects',
      ],
    ];
    it.each(cases)("%s", async (_label, args, message) => {
      const { error, count } = await refused(args);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(message);
      expect(count).toBe(0);
    });
  });
});
