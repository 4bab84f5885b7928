/**
 * VeleroTarget: a bucket Velero backs up into, a user limited to what Velero needs, the
 * `cloud` credentials Secret in the AWS plugin's format, and the BackupStorageLocation.
 */
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { validateEndpoint } from "./endpoints";
import { InvalidArgumentError, validateWithin } from "./errors";
import { veleroPolicy } from "./iam";
import {
  IsolatedBucket,
  oldVersionRules,
  planIsolatedBucket,
  type IsolatedBucketArgs,
} from "./isolated-bucket";
import { mergeLabels, sortKeys } from "./labels";
import { validateBucketName, validateDnsLabel, validatePrefix, validateTenantId } from "./naming";
import {
  TenantUser,
  kubernetesProviderOf,
  minioProviderOf,
  planTenantUser,
  validateLabelValue,
  validateNonTenantId,
  validateOutsideTenantNames,
  type TenantUserArgs,
} from "./tenant-user";

/** The annotation on the BackupStorageLocation that changes whenever the credentials do. */
export const CREDENTIALS_CHECKSUM_ANNOTATION = "minio-platform/credentials-sha256";

/** The key of the credentials file in the Secret, as Velero's AWS plugin expects it. */
export const VELERO_CREDENTIALS_KEY = "cloud";

export interface VeleroTargetArgs {
  /**
   * The MinIO S3 URL Velero talks to, e.g. `http://minio.minio.svc:9000`: an `http://` or
   * `https://` scheme, no commas, no whitespace. No default.
   */
  s3Url: string;
  /**
   * The region Velero signs requests for. Required: with `s3Url` set and no region the AWS
   * plugin fails with MissingRegion. No default.
   */
  region: string;
  /**
   * The bucket's name, checked against the S3 rules; not starting with `user-`, which is kept
   * for tenants' default names. Default: `velero-<name>`.
   */
  bucketName?: string;
  /** A key prefix inside the bucket for this location; see `validatePrefix`. Default: none. */
  prefix?: string;
  /**
   * The PEM certificate(s) of the CA that signed MinIO's certificate, for an `https://` `s3Url`
   * served with a private CA (cert-manager's CA issuer, say); Velero verifies MinIO with it.
   * Set as `objectStorage.caCert`, base64-encoded. Default: none (the system's CAs).
   */
  caCert?: string;
  /**
   * The tenant id the bucket and user are filed under; not `user` or `user-...`.
   * Default: `velero-<name>`.
   */
  tenantId?: string;
  /**
   * The MinIO user Velero authenticates as; a DNS-1123 label of 3 or more characters, not
   * starting with `user-`. Default: `velero-<name>`.
   */
  userName?: string;
  /** The namespace Velero runs in; a DNS-1123 label. Default: `"velero"`. */
  veleroNamespace?: string;
  /** The BackupStorageLocation's name; a DNS-1123 label. Default: `<name>`. */
  locationName?: string;
  /** The credentials Secret's name; a DNS-1123 label. Default: `<locationName>-credentials`. */
  credentialsSecretName?: string;
  /** Make this Velero's default location (`spec.default`). Default: `false`. */
  default?: boolean;
  /**
   * Version the bucket. Deleted backups then leave old versions and delete markers behind, so
   * a lifecycle rule expiring both comes with it. Default: `false`.
   */
  versioning?: boolean;
  /**
   * Days after which non-current versions are deleted when versioning (or object lock) is on,
   * 1 to 36500. Default: `7`.
   */
  noncurrentExpireDays?: number;
  /** Create the bucket with object locking (turns versioning on). Default: `false`. */
  objectLock?: boolean;
  /** Whether the deployment is erasure coded; object lock is refused when not. Default: `true`. */
  erasureCoded?: boolean;
  /** A hard quota in bytes, a whole number from 1 up. Default: no quota. */
  quotaBytes?: number;
  /** Let Pulumi delete the bucket and its backups. Default: `false`. */
  allowDestroy?: boolean;
  /** Changing it rotates Velero's secret key (see `TenantUser.rotation`). Default: unset. */
  rotation?: string;
  /** The MinIO provider. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
  /** The Kubernetes provider. Default: `opts.provider` when it is a Kubernetes one. */
  kubernetesProvider?: k8s.Provider;
}

export class VeleroTarget extends pulumi.ComponentResource {
  /** The bucket's name. */
  readonly bucketName: pulumi.Output<string>;
  /** The MinIO user Velero authenticates as. */
  readonly userName: pulumi.Output<string>;
  /** The BackupStorageLocation's name. */
  readonly locationName: pulumi.Output<string>;
  /** The credentials Secret's name. */
  readonly credentialsSecretName: pulumi.Output<string>;
  /**
   * SHA-256 of the credentials file. Not secret: put it on Velero's pod template as an
   * annotation so a rotation restarts Velero with the new key.
   */
  readonly credentialsChecksum: pulumi.Output<string>;
  /** The bucket component. */
  readonly bucket: IsolatedBucket;
  /** The user component. */
  readonly user: TenantUser;

  constructor(name: string, args: VeleroTargetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = validateWithin(`VeleroTarget "${name}"`, () => planVeleroTarget(name, args));
    // Declared so the policy pack can attribute the target's user and bucket to its tenant.
    super(
      "minio-platform:index:VeleroTarget",
      name,
      { tenantId: plan.bucketArgs.tenantId, bucketName: plan.bucketArgs.bucketName },
      opts,
    );

    const provider = args.provider ?? minioProviderOf(opts);
    const kubernetesProvider = args.kubernetesProvider ?? kubernetesProviderOf(opts);

    const user = new TenantUser(`${name}-user`, { ...plan.userArgs, provider }, { parent: this });
    const bucket = new IsolatedBucket(
      `${name}-bucket`,
      { ...plan.bucketArgs, owner: user, provider },
      { parent: this },
    );

    const credentialsFile = pulumi.secret(
      pulumi.concat(
        "[default]\n",
        "aws_access_key_id=",
        user.accessKey,
        "\naws_secret_access_key=",
        user.secretKey,
        "\n",
      ),
    );
    // A digest of a 40-character random secret reveals nothing, and a plain value lets the
    // annotation show up in diffs, which is the point of it.
    const checksum = pulumi.unsecret(
      credentialsFile.apply((file) => createHash("sha256").update(file).digest("hex")),
    );

    const labels = mergeLabels(name, "velero-target", undefined);
    const secret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: { name: plan.secretName, namespace: plan.namespace, labels },
        type: "Opaque",
        stringData: pulumi.secret(
          credentialsFile.apply((file) => ({ [VELERO_CREDENTIALS_KEY]: file })),
        ),
      },
      { parent: this, provider: kubernetesProvider },
    );

    const spec: Record<string, unknown> = {
      provider: "aws",
      default: plan.isDefault,
      objectStorage: sortKeys({
        bucket: bucket.bucketName,
        ...(plan.prefix === undefined ? {} : { prefix: plan.prefix }),
        ...(plan.caCert === undefined
          ? {}
          : { caCert: Buffer.from(plan.caCert, "utf8").toString("base64") }),
      }),
      credential: { name: secret.metadata.name, key: VELERO_CREDENTIALS_KEY },
      config: veleroConfig(plan.s3Url, plan.region),
    };
    const location = new k8s.apiextensions.CustomResource(
      `${name}-location`,
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: {
          name: plan.locationName,
          namespace: plan.namespace,
          labels,
          annotations: { [CREDENTIALS_CHECKSUM_ANNOTATION]: checksum },
        },
        spec,
      },
      { parent: this, provider: kubernetesProvider, dependsOn: [secret] },
    );

    this.bucket = bucket;
    this.user = user;
    this.bucketName = bucket.bucketName;
    this.userName = user.userName;
    this.locationName = location.metadata.name;
    this.credentialsSecretName = secret.metadata.name;
    this.credentialsChecksum = checksum;

    this.registerOutputs({
      bucketName: this.bucketName,
      userName: this.userName,
      locationName: this.locationName,
      credentialsSecretName: this.credentialsSecretName,
      credentialsChecksum: this.credentialsChecksum,
    });
  }
}

/**
 * The BackupStorageLocation `config` for MinIO. Every value is a string, as Velero's AWS
 * plugin reads them; the empty `checksumAlgorithm` stops newer plugins from sending CRC32
 * checksums that some MinIO releases reject with `XAmzContentSHA256Mismatch`.
 */
export function veleroConfig(s3Url: string, region: string): Record<string, string> {
  return sortKeys({
    region,
    s3ForcePathStyle: "true",
    s3Url,
    checksumAlgorithm: "",
  });
}

interface VeleroTargetPlan {
  s3Url: string;
  region: string;
  prefix?: string;
  caCert?: string;
  namespace: string;
  locationName: string;
  secretName: string;
  isDefault: boolean;
  userArgs: TenantUserArgs;
  bucketArgs: IsolatedBucketArgs;
}

function planVeleroTarget(name: string, args: VeleroTargetArgs): VeleroTargetPlan {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  validateLabelValue(name, "name");
  const s3Url = validateEndpoint(args.s3Url, "s3Url");
  const region = args.region as unknown;
  if (typeof region !== "string" || region === "") {
    throw new InvalidArgumentError(
      "region",
      region,
      "must be set when s3Url is set (Velero's AWS plugin fails with MissingRegion)",
    );
  }
  if (!/^[a-z0-9-]+$/.test(region)) {
    throw new InvalidArgumentError(
      "region",
      region,
      "may contain only lowercase letters, digits and hyphens",
    );
  }
  const derived = `velero-${name}`;
  const tenantId = validateNonTenantId(validateTenantId(args.tenantId ?? derived, "tenantId"));
  const bucketName = validateOutsideTenantNames(
    validateBucketName(args.bucketName ?? derived, "bucketName"),
    "bucketName",
  );
  const userName = validateOutsideTenantNames(
    validateDnsLabel(args.userName ?? derived, "userName"),
    "userName",
  );
  const prefix = args.prefix === undefined ? undefined : validatePrefix(args.prefix, "prefix");
  const caCert = args.caCert === undefined ? undefined : validateCaCert(args.caCert, s3Url);
  const namespace = validateDnsLabel(args.veleroNamespace ?? "velero", "veleroNamespace");
  const locationName = validateDnsLabel(args.locationName ?? name, "locationName");
  const secretName = validateDnsLabel(
    args.credentialsSecretName ?? `${locationName}-credentials`,
    "credentialsSecretName",
  );
  for (const flag of ["default", "versioning", "objectLock"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean") {
      throw new InvalidArgumentError(flag, args[flag], "must be true or false");
    }
  }

  const versioning = (args.versioning ?? false) || (args.objectLock ?? false);
  // Deleting a backup in a versioned bucket only hides it behind a delete marker.
  const lifecycleRules = oldVersionRules(
    "velero-expire-old-versions",
    versioning,
    args.noncurrentExpireDays,
  );

  const userArgs: TenantUserArgs = { tenantId, userName, rotation: args.rotation };
  const bucketArgs: IsolatedBucketArgs = {
    tenantId,
    bucketName,
    ownerPolicy: veleroPolicy(bucketName, prefix),
    versioning,
    objectLock: args.objectLock,
    erasureCoded: args.erasureCoded,
    quotaBytes: args.quotaBytes,
    lifecycleRules,
    allowDestroy: args.allowDestroy,
  };
  // The children check these again; checking here first means a bad value stops this
  // component before it registers anything.
  planTenantUser(userArgs);
  planIsolatedBucket(bucketArgs);

  return {
    s3Url,
    region,
    prefix,
    caCert,
    namespace,
    locationName,
    secretName,
    isDefault: args.default ?? false,
    userArgs,
    bucketArgs,
  };
}

// At least one line of base64 between the markers.
const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n(?:[A-Za-z0-9+/=]+\r?\n)+-----END CERTIFICATE-----$/;

/** A CA bundle: one or more PEM certificates, for an `https://` URL only. */
function validateCaCert(value: unknown, s3Url: string): string {
  if (typeof value !== "string")
    throw new InvalidArgumentError("caCert", value, "must be a string");
  const blocks = value
    .trim()
    .split(/(?<=-----END CERTIFICATE-----)\s*/)
    .filter((b) => b !== "");
  if (blocks.length === 0 || !blocks.every((b) => PEM_CERTIFICATE.test(b))) {
    throw new InvalidArgumentError(
      "caCert",
      value,
      "must be one or more PEM certificates " +
        "(-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
    );
  }
  if (!s3Url.startsWith("https://")) {
    throw new InvalidArgumentError("caCert", "[PEM]", `needs an https:// s3Url, not ${s3Url}`);
  }
  return `${value.trim()}\n`;
}
