import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError } from "../../components/errors";
import {
  CREDENTIALS_CHECKSUM_ANNOTATION,
  VeleroTarget,
  type VeleroTargetArgs,
} from "../../components/velero-target";
import { mockSecret, runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

const S3_URL = "http://127.0.0.1:9000";
const BASE: VeleroTargetArgs = { s3Url: S3_URL, region: "us-east-1" };
/** The shape of a PEM certificate; Velero only passes it on, so its content is not checked. */
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----";

async function build(args: VeleroTargetArgs, name = "prod") {
  const options = new Map<string, pulumi.ResourceOptions>();
  const run = await runWithMocks(() => {
    pulumi.runtime.registerStackTransformation((a) => {
      options.set(a.name, a.opts);
      return undefined;
    });
    const target = new VeleroTarget(name, args);
    return {
      bucketName: target.bucketName,
      userName: target.userName,
      locationName: target.locationName,
      credentialsSecretName: target.credentialsSecretName,
      credentialsChecksum: target.credentialsChecksum,
    };
  });
  const byName = (n: string): RecordedResource => {
    const found = run.resources.find((r) => r.name === n);
    if (!found) throw new Error(`no resource named ${n}`);
    return found;
  };
  return { ...run, options, byName };
}

const iniFor = (secretSeed: string) =>
  `[default]\naws_access_key_id=velero-prod\naws_secret_access_key=${mockSecret(secretSeed, 40)}\n`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("VeleroTarget", () => {
  it("creates the bucket, a Velero-only user, the cloud Secret and the location", async () => {
    const run = await build(BASE);
    expect(run.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      "kubernetes:core/v1:Secret::prod-credentials",
      "kubernetes:velero.io/v1:BackupStorageLocation::prod-location",
      "minio-platform:index:IsolatedBucket::prod-bucket",
      "minio-platform:index:TenantUser::prod-user",
      "minio-platform:index:VeleroTarget::prod",
      "minio:index/iamPolicy:IamPolicy::prod-bucket-owner-policy",
      "minio:index/iamUser:IamUser::prod-user-user",
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::prod-bucket-owner-attach",
      "minio:index/s3Bucket:S3Bucket::prod-bucket-bucket",
      "random:index/randomPassword:RandomPassword::prod-user-secret",
    ]);
    expect(run.byName("prod-bucket-bucket").inputs.bucket).toBe("velero-prod");
    expect(run.byName("prod-user-user").inputs.name).toBe("velero-prod");
    expect(run.byName("prod-bucket-owner-policy").inputs.policy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"BucketAccess","Effect":"Allow","Action":' +
        '["s3:ListBucket"],' +
        '"Resource":["arn:aws:s3:::velero-prod"]},{"Sid":"ObjectAccess","Effect":"Allow",' +
        '"Action":["s3:AbortMultipartUpload","s3:DeleteObject","s3:GetObject",' +
        '"s3:ListMultipartUploadParts","s3:PutObject"],"Resource":["arn:aws:s3:::velero-prod/*"]}]}',
    );
    expect(run.byName("prod-bucket-owner-attach").inputs).toEqual({
      userName: "velero-prod",
      policyName: "velero-prod-owner",
    });
  });

  it("writes the credentials in the AWS plugin's INI format, as a secret", async () => {
    const run = await build(BASE);
    const secret = run.byName("prod-credentials");
    expect(secret.inputs.metadata).toMatchObject({ name: "prod-credentials", namespace: "velero" });
    expect(secret.inputs.stringData).toEqual({ cloud: iniFor("prod-user-secret:{}") });
    expect(secret.secretPaths).toEqual(["stringData"]);
  });

  it("writes a BackupStorageLocation with MinIO-correct string config", async () => {
    const run = await build({ ...BASE, prefix: "cluster-a", default: true });
    const location = run.byName("prod-location");
    expect(location.inputs.apiVersion).toBe("velero.io/v1");
    expect(location.inputs.kind).toBe("BackupStorageLocation");
    expect(location.inputs.spec).toEqual({
      provider: "aws",
      default: true,
      objectStorage: { bucket: "velero-prod", prefix: "cluster-a" },
      credential: { name: "prod-credentials", key: "cloud" },
      config: {
        checksumAlgorithm: "",
        region: "us-east-1",
        s3ForcePathStyle: "true",
        s3Url: S3_URL,
      },
    });
    const config = (location.inputs.spec as { config: Record<string, unknown> }).config;
    for (const value of Object.values(config)) expect(typeof value).toBe("string");
    expect(run.byName("prod-bucket-owner-policy").inputs.policy).toContain(
      '"Resource":["arn:aws:s3:::velero-prod/cluster-a/*"]',
    );
  });

  it("hands Velero the private CA of an https:// s3Url, base64-encoded", async () => {
    const https = "https://platform-api.minio.svc.cluster.local:9000";
    const run = await build({ ...BASE, s3Url: https, caCert: `${CA_PEM}\n${CA_PEM}\n` });
    const spec = run.byName("prod-location").inputs.spec as {
      objectStorage: Record<string, string>;
    };
    expect(Object.keys(spec.objectStorage)).toEqual(["bucket", "caCert"]);
    expect(Buffer.from(spec.objectStorage.caCert, "base64").toString("utf8")).toBe(
      `${CA_PEM}\n${CA_PEM}\n`,
    );
  });

  it("annotates the location with a checksum that changes with the credentials", async () => {
    const first = await build({ ...BASE, rotation: "1" });
    const second = await build({ ...BASE, rotation: "2" });
    const annotation = (run: typeof first) =>
      (
        (run.byName("prod-location").inputs.metadata as Record<string, unknown>)
          .annotations as Record<string, string>
      )[CREDENTIALS_CHECKSUM_ANNOTATION];

    expect(annotation(first)).toBe(sha256(iniFor('prod-user-secret:{"rotation":"1"}')));
    expect(annotation(second)).toBe(sha256(iniFor('prod-user-secret:{"rotation":"2"}')));
    expect(annotation(second)).not.toBe(annotation(first));
    expect(second.outputs.credentialsChecksum).toBe(annotation(second));

    // The digest is deliberately not secret; nothing else in the location may be.
    const location = second.byName("prod-location");
    expect(location.secretPaths).toEqual([]);
    expect(JSON.stringify(location.inputs)).not.toContain(
      mockSecret('prod-user-secret:{"rotation":"2"}', 40),
    );
    expect(second.secretOutputs).toEqual([]);
  });

  it("is unversioned by default, with no lifecycle policy", async () => {
    const run = await build(BASE);
    expect(run.resources.map((r) => r.type)).not.toContain("minio:index/ilmPolicy:IlmPolicy");
    expect(run.resources.map((r) => r.type)).not.toContain(
      "minio:index/s3BucketVersioning:S3BucketVersioning",
    );
  });

  it("expires old versions and delete markers when versioning is asked for", async () => {
    const run = await build({ ...BASE, versioning: true, noncurrentExpireDays: 14 });
    expect(run.byName("prod-bucket-versioning").inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(run.byName("prod-bucket-lifecycle").inputs.rules).toEqual([
      {
        id: "velero-expire-old-versions",
        status: "Enabled",
        expiration: "DeleteMarker",
        noncurrentVersionExpirationDays: 14,
      },
    ]);
  });

  it("expires old versions after 7 days by default", async () => {
    const run = await build({ ...BASE, versioning: true });
    expect(run.byName("prod-bucket-lifecycle").inputs.rules).toEqual([
      {
        id: "velero-expire-old-versions",
        status: "Enabled",
        expiration: "DeleteMarker",
        noncurrentVersionExpirationDays: 7,
      },
    ]);
  });

  it("switches versioning on for object lock, with the old-version expiry", async () => {
    const run = await build({ ...BASE, objectLock: true });
    expect(run.byName("prod-bucket-bucket").inputs.objectLocking).toBe(true);
    expect(run.byName("prod-bucket-versioning").inputs).toEqual({
      bucket: "velero-prod",
      versioningConfiguration: { status: "Enabled" },
    });
    expect(run.byName("prod-bucket-lifecycle").inputs.rules).toEqual([
      {
        id: "velero-expire-old-versions",
        status: "Enabled",
        expiration: "DeleteMarker",
        noncurrentVersionExpirationDays: 7,
      },
    ]);
  });

  it("protects the backup bucket by default", async () => {
    const run = await build(BASE);
    expect(run.options.get("prod-bucket-bucket")?.protect).toBe(true);
    expect(run.options.get("prod-bucket-bucket")?.retainOnDelete).toBe(true);
    expect(run.byName("prod-bucket-bucket").inputs.forceDestroy).toBe(false);
  });

  it("refuses a component name that cannot be the instance label", async () => {
    let error: unknown;
    const run = await runWithMocks(() => {
      try {
        new VeleroTarget("Acme Corp!", { ...BASE, locationName: "acme", tenantId: "velero-acme" });
      } catch (err) {
        error = err;
      }
    });
    expect((error as Error).message).toBe(
      `VeleroTarget "Acme Corp!": name = "Acme Corp!": must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (it becomes the app.kubernetes.io/instance label)`,
    );
    expect(run.resources).toHaveLength(0);
  });

  describe("refuses bad arguments before registering anything", () => {
    const cases: [string, VeleroTargetArgs, string][] = [
      [
        "an s3Url without a region",
        { s3Url: S3_URL } as VeleroTargetArgs,
        `VeleroTarget "t": region = undefined: must be set when s3Url is set (Velero's AWS plugin fails with MissingRegion)`,
      ],
      [
        "an s3Url without a scheme",
        { ...BASE, s3Url: "minio.minio.svc:9000" },
        'VeleroTarget "t": s3Url = "minio.minio.svc:9000": must start with "http://" or "https://"',
      ],
      [
        "an s3Url with a comma",
        { ...BASE, s3Url: "http://a:9000,http://b:9000" },
        'VeleroTarget "t": s3Url = "http://a:9000,http://b:9000": must not contain commas',
      ],
      [
        "an s3Url with a space",
        { ...BASE, s3Url: "http://minio :9000" },
        'VeleroTarget "t": s3Url = "http://minio :9000": must not contain whitespace',
      ],
      [
        "an s3Url with a user name and password, which the message never shows",
        { ...BASE, s3Url: "https://velero:hunter22@minio.minio.svc:9000" },
        'VeleroTarget "t": s3Url = "https://[secret]@minio.minio.svc:9000": must not contain a user name or password (it would be copied into Secrets, environments and logs)',
      ],
      [
        "object lock on a deployment that is not erasure coded",
        { ...BASE, objectLock: true, erasureCoded: false },
        'VeleroTarget "t": objectLock = true: needs an erasure-coded deployment (erasureCoded is false)',
      ],
      [
        "noncurrent expiry without versioning",
        { ...BASE, noncurrentExpireDays: 3 },
        'VeleroTarget "t": noncurrentExpireDays = 3: needs versioning (an unversioned bucket has no old versions)',
      ],
      [
        "a fractional noncurrent expiry",
        { ...BASE, versioning: true, noncurrentExpireDays: 1.5 },
        'VeleroTarget "t": noncurrentExpireDays = 1.5: must be a whole number of days from 1 to 36500',
      ],
      [
        "a user name of two characters",
        { ...BASE, userName: "vb" },
        'VeleroTarget "t": userName = "vb": must be at least 3 characters long (MinIO access keys are 3 or more)',
      ],
      [
        "the tenant id user",
        { ...BASE, tenantId: "user" },
        'VeleroTarget "t": tenantId = "user": must not be "user" or start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a tenant id under user-",
        { ...BASE, tenantId: "user-acme" },
        'VeleroTarget "t": tenantId = "user-acme": must not be "user" or start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a tenant's user name",
        { ...BASE, userName: "user-acme" },
        'VeleroTarget "t": userName = "user-acme": must not start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a tenant's bucket name",
        { ...BASE, bucketName: "user-acme-data" },
        'VeleroTarget "t": bucketName = "user-acme-data": must not start with "user-": the prefix is kept for tenants\' default names (user-<tenant>, user-<tenant>-data)',
      ],
      [
        "a bucket name with an underscore",
        { ...BASE, bucketName: "velero_backups" },
        'VeleroTarget "t": bucketName = "velero_backups": must not contain underscores',
      ],
      [
        "a CA certificate that is not PEM",
        { ...BASE, s3Url: "https://minio.minio.svc:9000", caCert: "MIIB...not a pem" },
        'VeleroTarget "t": caCert = "MIIB...not a pem": must be one or more PEM certificates ' +
          "(-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
      ],
      [
        "an empty PEM certificate",
        {
          ...BASE,
          s3Url: "https://minio.minio.svc:9000",
          caCert: "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----",
        },
        'VeleroTarget "t": caCert = "-----BEGIN CERTIFICATE-----\\n\\n-----END CERTIFICATE-----": ' +
          "must be one or more PEM certificates " +
          "(-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
      ],
      [
        "a CA certificate for an http:// s3Url",
        { ...BASE, caCert: CA_PEM },
        'VeleroTarget "t": caCert = "[PEM]": needs an https:// s3Url, not http://127.0.0.1:9000',
      ],
      [
        "a namespace that is not a DNS label",
        { ...BASE, veleroNamespace: "Velero" },
        'VeleroTarget "t": veleroNamespace = "Velero": must be a DNS-1123 label: lowercase letters, digits and hyphens ("V" is not allowed)',
      ],
    ];
    it.each(cases)("%s", async (_label, args, message) => {
      let error: unknown;
      const run = await runWithMocks(() => {
        try {
          new VeleroTarget("t", args);
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
