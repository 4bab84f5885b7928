import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError } from "../../components/errors";
import { ArtifactStore, type ArtifactStoreArgs } from "../../components/artifact-store";
import { mockSecret, runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

const ENDPOINT = "http://127.0.0.1:9000";
const BUCKET_POLICY = "minio:index/s3BucketPolicy:S3BucketPolicy";

async function build(args: ArtifactStoreArgs) {
  const run = await runWithMocks(() => {
    const store = new ArtifactStore("ci", args);
    return {
      bucketName: store.bucketName,
      writerUserName: store.writerUserName,
      readerUserName: store.readerUserName,
      writerEnv: store.writerEnv,
      readerEnv: store.readerEnv,
      pipelineEnv: store.pipelineEnv,
    };
  });
  const byName = (n: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === n);
    if (!found) throw new Error(`no resource named ${n}`);
    return found;
  };
  return { ...run, byName, types: run.resources.map((r) => r.type) };
}

afterEach(() => jest.restoreAllMocks());

describe("ArtifactStore", () => {
  it("creates the bucket, a CI writer and a read-only consumer", async () => {
    const run = await build({ endpoint: ENDPOINT });
    expect(run.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      "minio-platform:index:ArtifactStore::ci",
      "minio-platform:index:IsolatedBucket::ci-bucket",
      "minio-platform:index:TenantUser::ci-reader",
      "minio-platform:index:TenantUser::ci-writer",
      "minio:index/iamPolicy:IamPolicy::ci-bucket-owner-policy",
      "minio:index/iamPolicy:IamPolicy::ci-reader-policy-artifacts-ci-reader",
      "minio:index/iamUser:IamUser::ci-reader-user",
      "minio:index/iamUser:IamUser::ci-writer-user",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::ci-bucket-owner-attach",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::ci-reader-attach-artifacts-ci-reader",
      "minio:index/s3Bucket:S3Bucket::ci-bucket-bucket",
      "random:index/randomPassword:RandomPassword::ci-reader-secret",
      "random:index/randomPassword:RandomPassword::ci-writer-secret",
    ]);
    expect(run.byName("ci-bucket-bucket").inputs.bucket).toBe("artifacts-ci");
    expect(run.byName("ci-bucket-owner-attach").inputs).toEqual({
      userName: "artifacts-ci-writer",
      policyName: "artifacts-ci-owner",
    });
    expect(run.byName("ci-reader-attach-artifacts-ci-reader").inputs).toEqual({
      userName: "artifacts-ci-reader",
      policyName: "artifacts-ci-reader",
    });
    expect(run.types).not.toContain(BUCKET_POLICY);
  });

  it("grants the writer and reader the CI roles on this bucket only", async () => {
    const run = await build({ endpoint: ENDPOINT });
    expect(run.byName("ci-bucket-owner-policy").inputs.policy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
        '["s3:GetBucketLocation","s3:ListBucket"],"Resource":["arn:aws:s3:::artifacts-ci"]},' +
        '{"Sid":"ObjectAccess","Effect":"Allow","Action":["s3:AbortMultipartUpload",' +
        '"s3:DeleteObject","s3:GetObject","s3:ListMultipartUploadParts","s3:PutObject"],' +
        '"Resource":["arn:aws:s3:::artifacts-ci/*"]}]}',
    );
    expect(run.byName("ci-reader-policy-artifacts-ci-reader").inputs.policy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
        '["s3:GetBucketLocation","s3:ListBucket"],"Resource":["arn:aws:s3:::artifacts-ci"]},' +
        '{"Sid":"ObjectAccess","Effect":"Allow","Action":["s3:GetObject"],' +
        '"Resource":["arn:aws:s3:::artifacts-ci/*"]}]}',
    );
  });

  it("outputs the job environment as one secret", async () => {
    const run = await build({ endpoint: `${ENDPOINT}/`, region: "eu-west-1" });
    expect(run.outputs.writerEnv).toEqual({
      AWS_ACCESS_KEY_ID: "artifacts-ci-writer",
      AWS_ENDPOINT_URL: ENDPOINT,
      AWS_REGION: "eu-west-1",
      AWS_SECRET_ACCESS_KEY: mockSecret("ci-writer-secret:{}", 40),
      S3_BUCKET: "artifacts-ci",
      S3_ENDPOINT: ENDPOINT,
    });
    expect((run.outputs.readerEnv as Record<string, string>).AWS_ACCESS_KEY_ID).toBe(
      "artifacts-ci-reader",
    );
    expect(run.secretOutputs).toEqual(["readerEnv", "writerEnv"]);
  });

  it("gives each pipeline a writer limited to its prefix and expires its artifacts", async () => {
    const run = await build({
      endpoint: ENDPOINT,
      pipelines: [{ name: "web", expireDays: 30 }, { name: "api" }],
    });
    expect(run.byName("ci-pipeline-web-policy-artifacts-ci-pipeline-web").inputs).toEqual({
      name: "artifacts-ci-pipeline-web",
      policy:
        '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
        '["s3:GetBucketLocation"],"Resource":["arn:aws:s3:::artifacts-ci"]},{"Sid":"ListPrefixes",' +
        '"Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::artifacts-ci"],' +
        '"Condition":{"StringLike":{"s3:prefix":["web/","web/*"]}}},{"Sid":"ObjectAccess",' +
        '"Effect":"Allow","Action":["s3:AbortMultipartUpload","s3:DeleteObject","s3:GetObject",' +
        '"s3:ListMultipartUploadParts","s3:PutObject"],' +
        '"Resource":["arn:aws:s3:::artifacts-ci/web/*"]}]}',
    });
    expect(run.byName("ci-pipeline-web-attach-artifacts-ci-pipeline-web").inputs).toEqual({
      userName: "artifacts-ci-pipeline-web",
      policyName: "artifacts-ci-pipeline-web",
    });
    expect(run.byName("ci-pipeline-api-user").inputs.name).toBe("artifacts-ci-pipeline-api");
    expect(run.byName("ci-bucket-lifecycle").inputs.rules).toEqual([
      { id: "expire-web", status: "Enabled", filter: "web/", expiration: "30d" },
    ]);
    expect(run.outputs.pipelineEnv).toEqual({
      web: expect.objectContaining({
        AWS_ACCESS_KEY_ID: "artifacts-ci-pipeline-web",
        S3_PREFIX: "web/",
      }),
      api: expect.objectContaining({
        AWS_ACCESS_KEY_ID: "artifacts-ci-pipeline-api",
        S3_PREFIX: "api/",
      }),
    });
    expect(run.secretOutputs).toEqual([
      "pipelineEnv.api",
      "pipelineEnv.web",
      "readerEnv",
      "writerEnv",
    ]);
    expect(run.types).not.toContain(BUCKET_POLICY);
  });

  it("expires old versions and delete markers when the bucket is versioned", async () => {
    const run = await build({
      endpoint: ENDPOINT,
      versioning: true,
      pipelines: [{ name: "web", expireDays: 30 }],
    });
    expect(run.byName("ci-bucket-versioning").inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(run.byName("ci-bucket-lifecycle").inputs.rules).toEqual([
      { id: "expire-web", status: "Enabled", filter: "web/", expiration: "30d" },
      {
        id: "old-versions",
        status: "Enabled",
        expiration: "DeleteMarker",
        noncurrentVersionExpirationDays: 7,
      },
    ]);
    const custom = await build({ endpoint: ENDPOINT, versioning: true, noncurrentExpireDays: 30 });
    expect(custom.byName("ci-bucket-lifecycle").inputs.rules).toEqual([
      {
        id: "old-versions",
        status: "Enabled",
        expiration: "DeleteMarker",
        noncurrentVersionExpirationDays: 30,
      },
    ]);
  });

  it("creates exactly one public-read bucket policy for named prefixes, and warns", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockResolvedValue();
    const run = await build({ endpoint: ENDPOINT, publicReadPrefixes: ["charts"] });
    const policies = run.resources.filter((r) => r.type === BUCKET_POLICY);
    expect(policies.map((p) => p.name)).toEqual(["ci-public-read"]);
    expect(policies[0].inputs).toEqual({
      bucket: "artifacts-ci",
      policy:
        '{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow",' +
        '"Principal":{"AWS":["*"]},"Action":["s3:GetObject"],' +
        '"Resource":["arn:aws:s3:::artifacts-ci/charts/*"]}]}',
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toBe(
      `ArtifactStore "ci": anyone who can reach ${ENDPOINT} can read artifacts-ci/charts/ ` +
        "without credentials (publicReadPrefixes)",
    );
    expect((run.outputs.writerEnv as Record<string, string>).HELM_REPO_URL).toBe(
      `${ENDPOINT}/artifacts-ci/charts`,
    );
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, ArtifactStoreArgs, string][] = [
      [
        "an endpoint without a scheme",
        { endpoint: "minio:9000" },
        'ArtifactStore "t": endpoint = "minio:9000": must start with "http://" or "https://"',
      ],
      [
        "an endpoint with a user name and password, which the message never shows",
        { endpoint: "http://ci:hunter22@127.0.0.1:9000" },
        'ArtifactStore "t": endpoint = "http://[secret]@127.0.0.1:9000": must not contain a user name or password (it would be copied into Secrets, environments and logs)',
      ],
      [
        "a wildcard in a public prefix",
        { endpoint: ENDPOINT, publicReadPrefixes: ["charts/*"] },
        'ArtifactStore "t": publicReadPrefixes[0] = "charts/*": must not contain "*" (wildcards and policy variables widen policies)',
      ],
      [
        "a duplicate pipeline",
        { endpoint: ENDPOINT, pipelines: [{ name: "web" }, { name: "web" }] },
        'ArtifactStore "t": pipelines[1].name = "web": must be unique among pipelines',
      ],
      [
        "a pipeline named like the charts prefix",
        { endpoint: ENDPOINT, pipelines: [{ name: "charts" }] },
        'ArtifactStore "t": pipelines[0].name = "charts": must not be the charts prefix "charts" (its writer could replace charts)',
      ],
      [
        "a pipeline expiry of zero days",
        { endpoint: ENDPOINT, pipelines: [{ name: "web", expireDays: 0 }] },
        'ArtifactStore "t": pipelines[0].expireDays = 0: must be a whole number of days from 1 to 36500',
      ],
      [
        "noncurrent expiry without versioning",
        { endpoint: ENDPOINT, noncurrentExpireDays: 3 },
        'ArtifactStore "t": noncurrentExpireDays = 3: needs versioning (an unversioned bucket has no old versions)',
      ],
      [
        "the tenant id user, whose pipeline acme would be tenant acme's user",
        { endpoint: ENDPOINT, tenantId: "user", pipelines: [{ name: "acme" }] },
        'ArtifactStore "t": tenantId = "user": must not be "user" or start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a tenant's bucket name",
        { endpoint: ENDPOINT, bucketName: "user-acme-data" },
        'ArtifactStore "t": bucketName = "user-acme-data": must not start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a pipeline named owner",
        { endpoint: ENDPOINT, pipelines: [{ name: "owner" }] },
        'ArtifactStore "t": pipelines[0].name = "owner": must not be "owner", "writer" or "reader" (the store\'s own users and policies are named after them)',
      ],
      [
        "a pipeline whose user would share the bucket owner's policy name",
        {
          endpoint: ENDPOINT,
          tenantId: "ci",
          bucketName: "ci-pipeline-x",
          pipelines: [{ name: "x-owner" }],
        },
        'ArtifactStore "t": pipelines[0].name = "x-owner": gives the policy name "ci-pipeline-x-owner", which is the bucket owner\'s policy',
      ],
      [
        "an uppercase bucket name",
        { endpoint: ENDPOINT, bucketName: "Artifacts" },
        'ArtifactStore "t": bucketName = "Artifacts": must not contain uppercase letters',
      ],
    ];
    it.each(cases)("%s", async (_label, args, message) => {
      let error: unknown;
      const run = await runWithMocks(() => {
        try {
          new ArtifactStore("t", args);
        } catch (err) {
          error = err;
        }
      });
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(message);
      expect((error as Error).message).not.toContain("hunter22");
      expect(run.resources).toHaveLength(0);
    });
  });
});
