/**
 * The roles the components grant, each an explicit list of actions (never `s3:*`): bucket
 * actions on `arn:aws:s3:::<bucket>`, object actions on `arn:aws:s3:::<bucket>/*` or
 * `arn:aws:s3:::<bucket>/<prefix>/*`. Every bucket name and prefix is checked by naming.ts
 * first, so no input can smuggle a wildcard or a policy variable into an ARN.
 *
 * Prefix variants limit listing with `s3:prefix`, which MinIO accepts only on the ListBucket
 * family; that is why listing sits in its own statement, and why ListBucketMultipartUploads
 * (which no condition can narrow, and which shows every in-progress key) is left out of them.
 */
import { InvalidArgumentError } from "../errors";
import { validateBucketName, validatePrefix } from "../naming";
import { PolicyDocument, Statement, canonicalPolicy } from "./document";

/** What one role may do: actions on the bucket, listing actions, and actions on objects. */
export interface RoleActions {
  /** Bucket actions granted without a prefix condition. */
  readonly bucket: readonly string[];
  /** ListBucket-family actions, narrowed by `s3:prefix` in prefix variants. */
  readonly list: readonly string[];
  /** Actions on objects. */
  readonly object: readonly string[];
}

/**
 * Tenant read-write. Clients need GetBucketLocation and ListBucket on the bucket before they
 * touch objects. DeleteObjectVersion is left out on purpose: on a versioned bucket a leaked
 * key can then hide data (a delete marker) but not destroy old versions.
 */
export const READ_WRITE_ACTIONS: RoleActions = freezeRole({
  bucket: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
  list: ["s3:ListBucket", "s3:ListBucketVersions"],
  object: [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:DeleteObjectTagging",
    "s3:GetObject",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
    "s3:PutObjectTagging",
  ],
});

/** Tenant read-only: locate, list (versions too) and read. */
export const READ_ONLY_ACTIONS: RoleActions = freezeRole({
  bucket: ["s3:GetBucketLocation"],
  list: ["s3:ListBucket", "s3:ListBucketVersions"],
  object: ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion"],
});

/**
 * Exactly what Velero's AWS object-store plugin uses. GetBucketLocation is not granted: the
 * plugin asks for the bucket's region only when none is configured, and VeleroTarget always
 * sets `region` (MinIO needs it alongside `s3Url`).
 */
export const VELERO_ACTIONS: RoleActions = freezeRole({
  bucket: [],
  list: ["s3:ListBucket"],
  object: [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
  ],
});

/**
 * CI writer: uploads (and overwrites, e.g. a Helm `index.yaml`) and may delete what it may
 * write, which with prefixes is only its own pipelines' prefixes; other prefixes are not in
 * its resources at all. Old artifacts are otherwise removed by lifecycle expiry.
 */
export const CI_WRITER_ACTIONS: RoleActions = freezeRole({
  bucket: ["s3:GetBucketLocation"],
  list: ["s3:ListBucket"],
  object: [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
  ],
});

/** CI reader (consumers of artifacts and charts): locate, list and download. */
export const CI_READER_ACTIONS: RoleActions = freezeRole({
  bucket: ["s3:GetBucketLocation"],
  list: ["s3:ListBucket"],
  object: ["s3:GetObject"],
});

/**
 * What anonymous callers get on a declared public prefix: download by name only. Listing is
 * not included, because anonymous listing would reveal every key name under the prefix and
 * chart or artifact consumers fetch known names (`index.yaml`, a versioned file).
 */
export const PUBLIC_READ_ACTIONS: readonly string[] = Object.freeze(["s3:GetObject"]);

/** The policy variable MinIO replaces with the requesting user's name (the parent's, for keys). */
export const USERNAME_VARIABLE = "${aws:username}";

/**
 * Read-write on one bucket, or only on the given prefixes of it.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefixes object-key prefixes to limit the role to; default: the whole bucket
 */
export function readWritePolicy(bucket: string, prefixes?: string[]): PolicyDocument {
  return rolePolicy(READ_WRITE_ACTIONS, bucket, prefixes, "prefixes");
}

/**
 * Read-only on one bucket, or only on the given prefixes of it.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefixes object-key prefixes to limit the role to; default: the whole bucket
 */
export function readOnlyPolicy(bucket: string, prefixes?: string[]): PolicyDocument {
  return rolePolicy(READ_ONLY_ACTIONS, bucket, prefixes, "prefixes");
}

/**
 * Velero's backup user on its bucket, or on one prefix of it.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefix the BackupStorageLocation prefix; default: the whole bucket
 */
export function veleroPolicy(bucket: string, prefix?: string): PolicyDocument {
  return rolePolicy(VELERO_ACTIONS, bucket, prefix === undefined ? undefined : [prefix], "prefix");
}

/**
 * A CI writer on an artifact bucket, or only on its pipelines' prefixes.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefixes the pipelines' prefixes; default: the whole bucket
 */
export function ciWriterPolicy(bucket: string, prefixes?: string[]): PolicyDocument {
  return rolePolicy(CI_WRITER_ACTIONS, bucket, prefixes, "prefixes");
}

/**
 * A CI reader on an artifact bucket, or only on some prefixes of it.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefixes prefixes the reader may read; default: the whole bucket
 */
export function ciReaderPolicy(bucket: string, prefixes?: string[]): PolicyDocument {
  return rolePolicy(CI_READER_ACTIONS, bucket, prefixes, "prefixes");
}

/**
 * The bucket policy that makes named prefixes anonymously readable: Principal `*`, only
 * s3:GetObject, only on `<bucket>/<prefix>/*`. This is the only public thing the library
 * builds; there is no whole-bucket variant.
 *
 * @param bucket the bucket name (S3 rules)
 * @param prefixes the prefixes to expose; at least one, no default
 */
export function publicReadBucketPolicy(bucket: string, prefixes: string[]): PolicyDocument {
  const name = validateBucketName(bucket, "bucket");
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    throw new InvalidArgumentError(
      "prefixes",
      prefixes,
      "must name at least one prefix (a whole bucket is never made public)",
    );
  }
  return canonicalPolicy({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublicRead",
        Effect: "Allow",
        Principal: { AWS: ["*"] },
        Action: [...PUBLIC_READ_ACTIONS],
        Resource: (checkPrefixes(prefixes, "prefixes") ?? []).map((prefix) =>
          objectArn(name, prefix),
        ),
      },
    ],
  });
}

/**
 * One policy for every tenant of a large platform: read-write on the bucket named after the
 * requesting user (`${aws:username}` followed by `bucketSuffix`), so the policy count stays
 * constant as tenants are added. MinIO substitutes the user name literally (a name cannot act
 * as a wildcard), and for an access key it substitutes the parent user's name.
 *
 * @param bucketSuffix appended to the user name to form the bucket name; default `"-data"`,
 *   matching `tenantBucketName` in naming.ts
 */
export function sharedTenantPolicy(bucketSuffix = "-data"): PolicyDocument {
  if (typeof bucketSuffix !== "string" || !/^[a-z0-9.-]{0,40}$/.test(bucketSuffix)) {
    throw new InvalidArgumentError(
      "bucketSuffix",
      bucketSuffix,
      "may contain only lowercase letters, digits, hyphens and dots (at most 40)",
    );
  }
  // Checked against a sample user name so the suffix cannot produce an invalid bucket.
  validateBucketName(`user-a${bucketSuffix}`, "bucketSuffix");
  return rolePolicyFor(READ_WRITE_ACTIONS, `${USERNAME_VARIABLE}${bucketSuffix}`, undefined);
}

function rolePolicy(
  actions: RoleActions,
  bucket: string,
  prefixes: string[] | undefined,
  argument: string,
): PolicyDocument {
  const name = validateBucketName(bucket, "bucket");
  return rolePolicyFor(actions, name, checkPrefixes(prefixes, argument));
}

function rolePolicyFor(
  actions: RoleActions,
  bucket: string,
  prefixes: string[] | undefined,
): PolicyDocument {
  const statements: Statement[] = [];
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (prefixes === undefined) {
    const bucketActions = [...actions.bucket, ...actions.list];
    if (bucketActions.length > 0) {
      statements.push(allow("BucketAccess", bucketActions, [bucketArn]));
    }
    statements.push(allow("ObjectAccess", actions.object, [`${bucketArn}/*`]));
  } else {
    const unconditioned = actions.bucket.filter((a) => a !== "s3:ListBucketMultipartUploads");
    if (unconditioned.length > 0) {
      statements.push(allow("BucketAccess", unconditioned, [bucketArn]));
    }
    if (actions.list.length > 0) {
      const listed = prefixes.flatMap((prefix) => [`${prefix}/`, `${prefix}/*`]);
      statements.push({
        ...allow("ListPrefixes", actions.list, [bucketArn]),
        Condition: { StringLike: { "s3:prefix": listed } },
      });
    }
    statements.push(
      allow(
        "ObjectAccess",
        actions.object,
        prefixes.map((prefix) => objectArn(bucket, prefix)),
      ),
    );
  }
  return canonicalPolicy({ Version: "2012-10-17", Statement: statements });
}

function allow(sid: string, actions: readonly string[], resources: string[]): Statement {
  return { Sid: sid, Effect: "Allow", Action: [...actions], Resource: resources };
}

function objectArn(bucket: string, prefix: string): string {
  return `arn:aws:s3:::${bucket}/${prefix}/*`;
}

function checkPrefixes(prefixes: unknown, argument: string): string[] | undefined {
  if (prefixes === undefined) return undefined;
  if (!Array.isArray(prefixes) || prefixes.length === 0) {
    throw new InvalidArgumentError(
      argument,
      prefixes,
      "must be a non-empty list of prefixes, or be left out for the whole bucket",
    );
  }
  return prefixes.map((prefix, index) =>
    validatePrefix(prefix, argument === "prefix" ? argument : `${argument}[${index}]`),
  );
}

function freezeRole(role: RoleActions): RoleActions {
  return Object.freeze({
    bucket: Object.freeze([...role.bucket]),
    list: Object.freeze([...role.list]),
    object: Object.freeze([...role.object]),
  });
}
