/**
 * What MinIO refuses in a policy, checked before apply so the error names the statement and
 * the reason instead of surfacing as a failed update half-way through a deployment.
 *
 * Beyond MinIO's own refusals, one shape rule is applied to both kinds of policy: object
 * actions need an object resource and bucket actions the bucket resource. MinIO refuses the
 * mismatch in bucket policies; in user policies an object action on a bare bucket ARN grants
 * nothing, and a bucket action on `<bucket>/*` works on MinIO only by accident of how it
 * matches (AWS ignores it), so the library writes neither.
 */
import { InvalidArgumentError } from "../errors";
import {
  LIST_ACTIONS,
  NOT_MINIO_ACTIONS,
  OBJECT_ACTIONS,
  S3_ACTIONS,
  wildcardMatch,
} from "./actions";
import { PolicyDocument, Statement, canonicalFromStatements, parseStatements } from "./document";

/** The ARN prefix of every S3 resource. */
export const S3_ARN_PREFIX = "arn:aws:s3:::";

const CONDITION_OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "Null",
  "Bool",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
]);

/** Condition keys MinIO accepts only on the ListBucket family. */
const LIST_ONLY_KEYS = new Set(["s3:prefix", "s3:delimiter", "s3:max-keys"]);

/** How strict a validator is beyond MinIO's own refusals. */
export interface ValidateOptions {
  /**
   * Refuse object actions without an object resource and bucket actions without the bucket
   * resource; default `true`. The evaluator turns it off to load every policy MinIO loads.
   */
  readonly resourceShape?: boolean;
  /**
   * Refuse policy variables in resources other than `${aws:username}` and `${aws:userid}`;
   * default `true`. MinIO fills the others (`${aws:Referer}`, `${aws:UserAgent}`, ...) from the
   * request, so the caller would choose what the resource matches, `*` included. The evaluator
   * turns it off, and treats such a variable as a wildcard.
   */
  readonly resourceVariables?: boolean;
}

/** Only what MinIO itself refuses: for reading policies written elsewhere, as MinIO would. */
export const MINIO_REFUSALS_ONLY: ValidateOptions = Object.freeze({
  resourceShape: false,
  resourceVariables: false,
});

/** Every `${aws:username}` and `${aws:userid}` in a text: the signed-in user's own name. */
export const IDENTITY_VARIABLE_GLOBAL = /\$\{aws:(username|userid)\}/gi;

/** Whether a `${...}` variable is the signed-in user's name, which the caller cannot pick. */
export function isIdentityVariable(variable: string): boolean {
  return /^\$\{aws:(username|userid)\}$/i.test(variable);
}

/**
 * The `${...}` policy variables in `text` other than the user's name, in order of appearance:
 * MinIO fills them from the request or leaves them as text, at the caller's choice.
 */
export function requestVariables(text: string): string[] {
  if (!text.includes("${")) return [];
  return (text.match(/\$\{[^}]*\}/g) ?? []).filter((v) => !isIdentityVariable(v));
}

/**
 * Checks a user or group policy (what `minio.IamPolicy` and access-key policies hold) and
 * returns its canonical form.
 *
 * @param doc the policy document or its JSON text
 * @param argument the argument path named in errors; default `"policy"`
 * @param options extra strictness; default {@link ValidateOptions} defaults
 */
export function validateUserPolicy(
  doc: unknown,
  argument = "policy",
  options: ValidateOptions = {},
): PolicyDocument {
  const statements = parseStatements(doc, argument);
  checkStatements(statements, argument, "user", undefined, options);
  return canonicalFromStatements(statements);
}

/**
 * Checks a bucket policy (what `minio.S3BucketPolicy` holds) and returns its canonical form.
 * On MinIO a bucket policy governs anonymous requests, so every statement needs a Principal.
 *
 * @param doc the policy document or its JSON text
 * @param argument the argument path named in errors; default `"policy"`
 * @param bucket when given, every resource must be this bucket or inside it; default: unchecked
 * @param options extra strictness; default {@link ValidateOptions} defaults
 */
export function validateBucketPolicy(
  doc: unknown,
  argument = "policy",
  bucket?: string,
  options: ValidateOptions = {},
): PolicyDocument {
  const statements = parseStatements(doc, argument);
  checkStatements(statements, argument, "bucket", bucket, options);
  return canonicalFromStatements(statements);
}

type PolicyKind = "user" | "bucket";

function checkStatements(
  statements: Statement[],
  argument: string,
  kind: PolicyKind,
  bucket: string | undefined,
  options: ValidateOptions,
): void {
  if (statements.length === 0) {
    throw new InvalidArgumentError(
      `${argument}.Statement`,
      [],
      "must contain at least one statement",
    );
  }
  statements.forEach((statement, index) =>
    checkStatement(statement, `${argument}.Statement[${index}]`, kind, bucket, options),
  );
}

function checkStatement(
  statement: Statement,
  path: string,
  kind: PolicyKind,
  bucket: string | undefined,
  options: ValidateOptions,
): void {
  const fail = (field: string, value: unknown, rule: string): never => {
    throw new InvalidArgumentError(`${path}.${field}`, value, rule);
  };

  if (kind === "user" && statement.Principal) {
    fail("Principal", statement.Principal, "must not appear in a user policy (MinIO refuses it)");
  }
  if (kind === "bucket" && !statement.Principal) {
    fail("Principal", undefined, "is required in a bucket policy");
  }

  if (statement.Action.length === 0) fail("Action", [], "must list at least one action");
  let admin = false;
  let s3 = false;
  for (const action of statement.Action) {
    const reason = NOT_MINIO_ACTIONS[action];
    if (reason) fail("Action", action, `is not a MinIO action (${reason})`);
    if (action.startsWith("admin:")) {
      if (!/^admin:[A-Za-z*?]+$/.test(action)) {
        fail("Action", action, "is not an admin action MinIO knows");
      }
      if (kind === "bucket") fail("Action", action, "bucket policies may grant only s3: actions");
      admin = true;
    } else if (action === "*" || action.startsWith("s3:")) {
      if (!S3_ACTIONS.some((known) => wildcardMatch(action, known))) {
        fail("Action", action, "is not an S3 action MinIO knows");
      }
      s3 = true;
    } else {
      fail("Action", action, "is not an action this library accepts (only s3: and admin:)");
    }
  }
  if (admin && s3) {
    fail(
      "Action",
      statement.Action,
      "must not mix admin: and s3: actions in one statement (MinIO refuses it)",
    );
  }

  if (s3 && statement.Resource.length === 0) {
    fail("Resource", [], "must list at least one resource");
  }
  for (const resource of statement.Resource) {
    checkResource(resource, fail, bucket);
    const variables = options.resourceVariables === false ? [] : requestVariables(resource);
    if (variables.length > 0) {
      fail(
        "Resource",
        resource,
        `uses ${variables.join(", ")}, which MinIO fills from the request, so the caller ` +
          "would choose what it matches (even *); resources may use only ${aws:username} " +
          "and ${aws:userid}",
      );
    }
  }
  if (s3 && options.resourceShape !== false) checkResourceShape(statement, fail);
  checkConditions(statement, fail);
}

function checkResource(
  resource: string,
  fail: (field: string, value: unknown, rule: string) => never,
  bucket: string | undefined,
): void {
  if (resource.startsWith("arn:minio:")) {
    fail("Resource", resource, "arn:minio: resources are refused; use arn:aws:s3:::<bucket>");
  }
  if (resource === S3_ARN_PREFIX) {
    fail(
      "Resource",
      resource,
      "the bare arn:aws:s3::: names no resource (MinIO refuses it); use arn:aws:s3:::<bucket>",
    );
  }
  if (resource !== "*" && !resource.startsWith(S3_ARN_PREFIX)) {
    fail("Resource", resource, "must be an S3 ARN: arn:aws:s3:::<bucket> or <bucket>/<key>");
  }
  const pattern = resource === "*" ? "*" : resource.slice(S3_ARN_PREFIX.length);
  if (pattern.startsWith("/")) {
    fail("Resource", resource, "must name a bucket right after arn:aws:s3::: (no leading slash)");
  }
  if (bucket !== undefined && pattern !== bucket && !pattern.startsWith(`${bucket}/`)) {
    fail("Resource", resource, `must be bucket "${bucket}" or inside it`);
  }
}

function checkResourceShape(
  statement: Statement,
  fail: (field: string, value: unknown, rule: string) => never,
): void {
  const patterns = statement.Resource.map((r) => (r === "*" ? "*" : r.slice(S3_ARN_PREFIX.length)));
  const hasObjectResource = patterns.some((p) => p.includes("/") || p.includes("*"));
  const hasBucketResource = patterns.some((p) => !p.includes("/") || p === "*");
  for (const action of statement.Action) {
    const objectAction = OBJECT_ACTIONS.some((known) => wildcardMatch(action, known));
    if (objectAction && !hasObjectResource) {
      fail(
        "Resource",
        statement.Resource,
        `object actions such as ${action} need an object resource such as arn:aws:s3:::<bucket>/*`,
      );
    }
    if (!objectAction && !hasBucketResource) {
      fail(
        "Resource",
        statement.Resource,
        `bucket actions such as ${action} need the bucket resource arn:aws:s3:::<bucket>`,
      );
    }
  }
}

function checkConditions(
  statement: Statement,
  fail: (field: string, value: unknown, rule: string) => never,
): void {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const base = operator.replace(/^(ForAnyValue|ForAllValues):/, "");
    if (!CONDITION_OPERATORS.has(base)) {
      fail(`Condition.${operator}`, keys, "is not a condition operator MinIO knows");
    }
    for (const key of Object.keys(keys)) {
      if (!/^(aws|s3|jwt|ldap|sts|svc):[A-Za-z0-9/_-]+$/.test(key)) {
        fail(`Condition.${operator}.${key}`, keys[key], "is not a condition key MinIO knows");
      }
      if (!LIST_ONLY_KEYS.has(key)) continue;
      for (const action of statement.Action) {
        const listing =
          wildcardMatch(action, "s3:*") || LIST_ACTIONS.some((l) => wildcardMatch(action, l));
        if (!listing) {
          fail(
            `Condition.${operator}.${key}`,
            keys[key],
            `applies only to ${LIST_ACTIONS.join(" and ")}, not to ${action} (MinIO refuses it)`,
          );
        }
      }
    }
  }
}
