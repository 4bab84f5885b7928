/**
 * Naming rules for tenants, users, buckets, prefixes and Kubernetes objects.
 *
 * Every name here ends up inside a policy ARN or a resource name, so the rules are written to
 * make widening impossible: a value that could carry a wildcard (`*`, `?`), a policy variable
 * (`${...}`) or a path separator is refused before any policy is built from it.
 */
import { InvalidArgumentError } from "./errors";

/** Longest tenant id for which `user-<id>-data` still fits the 63-character bucket limit. */
export const MAX_TENANT_ID_LENGTH = 53;

/** Longest object-key prefix accepted for pipelines and backup locations. */
export const MAX_PREFIX_LENGTH = 200;

const TENANT_USER_PREFIX = "user-";
const TENANT_BUCKET_SUFFIX = "-data";

const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"];

/**
 * Checks a tenant id: a DNS-label-style word of lowercase letters, digits and single hyphens,
 * starting and ending with a letter or digit, 1 to {@link MAX_TENANT_ID_LENGTH} characters.
 *
 * @param id the value to check
 * @param argument the argument path named in the error; default `"tenantId"`
 * @returns the id, unchanged
 */
export function validateTenantId(id: unknown, argument = "tenantId"): string {
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, id, rule);
  };
  if (typeof id !== "string") return fail("must be a string");
  if (id.length === 0) return fail("must not be empty");
  if (id.length > MAX_TENANT_ID_LENGTH) {
    return fail(`must be at most ${MAX_TENANT_ID_LENGTH} characters long`);
  }
  const bad = firstCharacterNotIn(id, /[a-z0-9-]/);
  if (bad !== undefined) {
    return fail(
      "may contain only lowercase letters, digits and hyphens " +
        `(${JSON.stringify(bad)} is not allowed)`,
    );
  }
  if (!/^[a-z0-9]/.test(id)) return fail("must start with a lowercase letter or digit");
  if (!/[a-z0-9]$/.test(id)) return fail("must end with a lowercase letter or digit");
  // A double hyphen is how reserved forms such as `xn--` and `--x-s3` are spelled.
  if (id.includes("--")) return fail("must not contain two hyphens in a row");
  return id;
}

/**
 * Checks a bucket name against the S3 naming rules (which MinIO enforces in strict mode).
 *
 * @param name the value to check
 * @param argument the argument path named in the error; default `"bucket"`
 * @returns the name, unchanged
 */
export function validateBucketName(name: unknown, argument = "bucket"): string {
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, name, rule);
  };
  if (typeof name !== "string") return fail("must be a string");
  if (name.length < 3 || name.length > 63) return fail("must be 3 to 63 characters long");
  if (name.includes("_")) return fail("must not contain underscores");
  if (/[A-Z]/.test(name)) return fail("must not contain uppercase letters");
  const bad = firstCharacterNotIn(name, /[a-z0-9.-]/);
  if (bad !== undefined) {
    return fail(
      "may contain only lowercase letters, digits, hyphens and dots " +
        `(${JSON.stringify(bad)} is not allowed)`,
    );
  }
  if (!/^[a-z0-9]/.test(name)) return fail("must start with a lowercase letter or digit");
  if (!/[a-z0-9]$/.test(name)) return fail("must end with a lowercase letter or digit");
  if (name.includes("..")) return fail("must not contain two dots in a row");
  if (name.includes(".-") || name.includes("-.")) {
    return fail("must not have a dot next to a hyphen");
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return fail("must not look like an IP address");
  for (const prefix of RESERVED_BUCKET_PREFIXES) {
    if (name.startsWith(prefix)) return fail(`must not start with the reserved prefix "${prefix}"`);
  }
  for (const suffix of RESERVED_BUCKET_SUFFIXES) {
    if (name.endsWith(suffix)) return fail(`must not end with the reserved suffix "${suffix}"`);
  }
  return name;
}

/**
 * The MinIO user name of a tenant: `user-<id>`. The tenant's default bucket is this name
 * followed by `-data`, which is what the shared `${aws:username}` policy relies on.
 */
export function tenantUserName(tenantId: string): string {
  return `${TENANT_USER_PREFIX}${validateTenantId(tenantId)}`;
}

/**
 * The default bucket of a tenant: `user-<id>-data`, checked as a whole against the bucket
 * rules so that no id can produce a name S3 would refuse.
 */
export function tenantBucketName(tenantId: string): string {
  const bucket = `${tenantUserName(tenantId)}${TENANT_BUCKET_SUFFIX}`;
  try {
    return validateBucketName(bucket);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(
      "tenantId",
      tenantId,
      `gives the bucket name "${bucket}", which ${err.rule}`,
    );
  }
}

/**
 * Checks an object-key prefix such as `pipelines/web` (no leading or trailing slash): segments
 * of lowercase letters, digits, `.`, `_` and `-` separated by single slashes, 1 to
 * {@link MAX_PREFIX_LENGTH} characters, no `..` and no wildcard or policy-variable characters.
 *
 * @param prefix the value to check
 * @param argument the argument path named in the error; default `"prefix"`
 * @returns the prefix, unchanged
 */
export function validatePrefix(prefix: unknown, argument = "prefix"): string {
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, prefix, rule);
  };
  if (typeof prefix !== "string") return fail("must be a string");
  if (prefix.length === 0) return fail("must not be empty");
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return fail(`must be at most ${MAX_PREFIX_LENGTH} characters long`);
  }
  const wildcard = firstCharacterIn(prefix, /[*?$]/);
  if (wildcard !== undefined) {
    return fail(
      `must not contain ${JSON.stringify(wildcard)} ` +
        "(wildcards and policy variables widen policies)",
    );
  }
  if (prefix.startsWith("/") || prefix.endsWith("/")) {
    return fail("must not start or end with a slash");
  }
  if (prefix.includes("//")) return fail("must not contain two slashes in a row");
  if (prefix.includes("..")) return fail("must not contain two dots in a row");
  const bad = firstCharacterNotIn(prefix, /[a-z0-9._/-]/);
  if (bad !== undefined) {
    return fail(
      'may contain only lowercase letters, digits, ".", "_", "-" and "/" ' +
        `(${JSON.stringify(bad)} is not allowed)`,
    );
  }
  if (prefix.split("/").some((segment) => segment === ".")) {
    return fail('must not have a "." segment');
  }
  return prefix;
}

/**
 * Checks a Kubernetes object name or service-account name that must be an RFC 1123 label:
 * lowercase letters, digits and hyphens, starting and ending with a letter or digit, 1 to 63
 * characters.
 *
 * @param value the value to check
 * @param argument the argument path named in the error (no default: the caller knows it)
 * @returns the value, unchanged
 */
export function validateDnsLabel(value: unknown, argument: string): string {
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, value, rule);
  };
  if (typeof value !== "string") return fail("must be a string");
  if (value.length === 0 || value.length > 63) return fail("must be 1 to 63 characters long");
  const bad = firstCharacterNotIn(value, /[a-z0-9-]/);
  if (bad !== undefined) {
    return fail(
      "must be a DNS-1123 label: lowercase letters, digits and hyphens " +
        `(${JSON.stringify(bad)} is not allowed)`,
    );
  }
  if (!/^[a-z0-9]/.test(value) || !/[a-z0-9]$/.test(value)) {
    return fail("must be a DNS-1123 label: start and end with a lowercase letter or digit");
  }
  return value;
}

function firstCharacterNotIn(text: string, allowed: RegExp): string | undefined {
  for (const char of text) if (!allowed.test(char)) return char;
  return undefined;
}

function firstCharacterIn(text: string, wanted: RegExp): string | undefined {
  for (const char of text) if (wanted.test(char)) return char;
  return undefined;
}
