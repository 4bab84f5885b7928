/**
 * The S3 action catalogue MinIO knows, split the way MinIO matches resources: object actions
 * are checked against `<bucket>/<key>`, every other action against the bucket itself.
 */

/** Every S3 action MinIO evaluates against an object (`arn:aws:s3:::<bucket>/<key>`). */
export const OBJECT_ACTIONS: readonly string[] = Object.freeze([
  "s3:AbortMultipartUpload",
  "s3:BypassGovernanceRetention",
  "s3:DeleteObject",
  "s3:DeleteObjectTagging",
  "s3:DeleteObjectVersion",
  "s3:DeleteObjectVersionTagging",
  "s3:GetObject",
  "s3:GetObjectAttributes",
  "s3:GetObjectLegalHold",
  "s3:GetObjectRetention",
  "s3:GetObjectTagging",
  "s3:GetObjectVersion",
  "s3:GetObjectVersionAttributes",
  "s3:GetObjectVersionForReplication",
  "s3:GetObjectVersionTagging",
  "s3:ListMultipartUploadParts",
  "s3:PutObject",
  "s3:PutObjectFanOut",
  "s3:PutObjectLegalHold",
  "s3:PutObjectRetention",
  "s3:PutObjectTagging",
  "s3:PutObjectVersionTagging",
  "s3:ReplicateDelete",
  "s3:ReplicateObject",
  "s3:ReplicateTags",
  "s3:ResetBucketReplicationState",
  "s3:RestoreObject",
]);

/** Every S3 action MinIO evaluates against a bucket (`arn:aws:s3:::<bucket>`). */
export const BUCKET_ACTIONS: readonly string[] = Object.freeze([
  "s3:CreateBucket",
  "s3:DeleteBucket",
  "s3:DeleteBucketCors",
  "s3:DeleteBucketPolicy",
  "s3:ForceDeleteBucket",
  "s3:GetBucketCors",
  "s3:GetBucketLocation",
  "s3:GetBucketNotification",
  "s3:GetBucketObjectLockConfiguration",
  "s3:GetBucketPolicy",
  "s3:GetBucketPolicyStatus",
  "s3:GetBucketQOS",
  "s3:GetBucketTagging",
  "s3:GetBucketVersioning",
  "s3:GetEncryptionConfiguration",
  "s3:GetInventoryConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "s3:HeadBucket",
  "s3:ListBucket",
  "s3:ListBucketMultipartUploads",
  "s3:ListBucketVersions",
  "s3:ListenBucketNotification",
  "s3:PutBucketCors",
  "s3:PutBucketNotification",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketPolicy",
  "s3:PutBucketQOS",
  "s3:PutBucketTagging",
  "s3:PutBucketVersioning",
  "s3:PutEncryptionConfiguration",
  "s3:PutInventoryConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
]);

/** S3 actions that name no bucket at all; they are never part of a per-bucket answer. */
export const ACCOUNT_ACTIONS: readonly string[] = Object.freeze([
  "s3:ListAllMyBuckets",
  "s3:ListenNotification",
]);

/** Every S3 action MinIO accepts in a policy, wildcard `s3:*` included. */
export const S3_ACTIONS: readonly string[] = Object.freeze([
  ...OBJECT_ACTIONS,
  ...BUCKET_ACTIONS,
  ...ACCOUNT_ACTIONS,
  "s3:*",
]);

/** The only actions on which MinIO accepts the `s3:prefix` (and delimiter, max-keys) keys. */
export const LIST_ACTIONS: readonly string[] = Object.freeze([
  "s3:ListBucket",
  "s3:ListBucketVersions",
]);

/**
 * AWS actions that people copy into MinIO policies and MinIO refuses, with what to use
 * instead; the validator quotes these so the error says more than "unknown action".
 */
export const NOT_MINIO_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  "s3:GetBucketAcl": "MinIO has no ACLs; access is granted by policies only",
  "s3:PutBucketAcl": "MinIO has no ACLs; access is granted by policies only",
  "s3:GetObjectAcl": "MinIO has no ACLs; access is granted by policies only",
  "s3:PutObjectAcl": "MinIO has no ACLs; access is granted by policies only",
  "s3:ListObjects": "listing a bucket is s3:ListBucket",
  "s3:ListObjectsV2": "listing a bucket is s3:ListBucket",
});

const OBJECT_SET = new Set(OBJECT_ACTIONS);

/** Whether MinIO evaluates `action` (a concrete action, no wildcard) against an object. */
export function isObjectAction(action: string): boolean {
  return OBJECT_SET.has(action);
}

/**
 * MinIO's wildcard match: `*` matches any run of characters (slashes included, so `user-1*`
 * matches `user-10-data/x`), `?` exactly one character, everything else itself, case-sensitive.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === text;
  // Greedy match with a single backtrack point: linear in practice, never exponential.
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (p < pattern.length && c === "*") {
      star = p++;
      mark = t;
    } else if (p < pattern.length && (c === "?" || c === text[t])) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Whether `text` contains a character MinIO treats as a wildcard. */
export function hasWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}

/** The catalogue actions a (possibly wildcard) action pattern covers. */
export function expandAction(pattern: string, catalogue: readonly string[] = S3_ACTIONS): string[] {
  return catalogue.filter((action) => wildcardMatch(pattern, action));
}
