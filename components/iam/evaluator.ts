/**
 * A model of how MinIO decides an S3 request, written from MinIO's documented and observed
 * semantics (no MinIO code is used):
 *
 * - Users are governed by their own policies and their enabled groups' policies, merged into
 *   one set: any applicable Deny refuses, otherwise any applicable Allow grants, otherwise
 *   the request is implicitly denied. A disabled user has no policies.
 * - An access key (service account) is evaluated as its parent user, with `${aws:username}`
 *   and `${aws:userid}` set to the PARENT's name. When the key has its own policy, the
 *   request must be allowed by that policy AND by the parent's set (the intersection).
 * - Anonymous requests are governed by the bucket's policy alone; bucket policies have no
 *   effect on signed requests, so a Principal naming a user never matters.
 * - Actions match with `*` and `?` wildcards. Resources are matched against `<bucket>/<key>`
 *   for object actions; for bucket actions user policies match `<bucket>/` (so both
 *   `arn:aws:s3:::<bucket>` and, by accident, `arn:aws:s3:::<bucket>/*` match) and bucket
 *   policies match `<bucket>`. `*` in a resource spans slashes: `user-1*` matches
 *   `user-10-data` and every key in it.
 * - Policy variables are replaced by the request's values before matching, as MinIO does:
 *   `${aws:username}` and `${aws:userid}` by the user's name, so a `*` or `?` in a name acts
 *   as a wildcard in a resource, and as plain text in condition values. Every other variable
 *   is one MinIO fills from the request (`${aws:Referer}`, `${aws:UserAgent}`, ...) or leaves
 *   as text, and the caller chooses which: a statement that uses one is taken at the caller's
 *   best choice. In an Allow such a resource matches anything and such a condition holds; in a
 *   Deny such a resource matches nothing and such a condition fails. So the model never
 *   allows less than MinIO would for some request the caller can send.
 * - Conditions (all must hold; any value of a key may match): String(Not)Equals,
 *   String(Not)EqualsIgnoreCase, String(Not)Like with the ForAnyValue/ForAllValues
 *   qualifiers, IpAddress/NotIpAddress, Bool and Null. A key the request lacks fails a
 *   positive operator and satisfies a negated one. Other operators are refused when the
 *   policy is loaded, so no answer silently ignores a condition.
 */
import { InvalidArgumentError, validateWithin } from "../errors";
import { BUCKET_ACTIONS, OBJECT_ACTIONS, isObjectAction, wildcardMatch } from "./actions";
import { Statement } from "./document";
import {
  IDENTITY_VARIABLE_GLOBAL,
  MINIO_REFUSALS_ONLY,
  S3_ARN_PREFIX,
  isIdentityVariable,
  requestVariables,
  validateBucketPolicy,
  validateUserPolicy,
} from "./validate";

/** Who makes a request. */
export type AccessPrincipal =
  | {
      kind: "user";
      /** The MinIO user name (its access key). */
      name: string;
      /** Enabled groups the user belongs to; default none. */
      groups?: readonly string[];
      /** A disabled user is denied everything; default `false`. */
      disabled?: boolean;
    }
  | {
      kind: "serviceAccount";
      /** The access key of the service account. */
      accessKey: string;
      /** The user the key belongs to. */
      parent: string;
      /** Enabled groups of the parent user; default none. */
      parentGroups?: readonly string[];
      /** A disabled key or a disabled parent is denied everything; default `false`. */
      disabled?: boolean;
    }
  | { kind: "anonymous" };

/** What a policy is attached to. */
export type PolicyAttachment =
  | { kind: "user"; name: string }
  | { kind: "group"; name: string }
  | { kind: "serviceAccount"; accessKey: string }
  | { kind: "bucket"; bucket: string };

/** A policy document with its name (used in answers) and what it is attached to. */
export interface NamedPolicy {
  /** Name shown in decisions, e.g. the MinIO policy name or `bucket-policy:<bucket>`. */
  readonly name: string;
  /** The document or its JSON text; it is validated as MinIO would validate it. */
  readonly document: unknown;
  /** One attachment or several (a policy attached to many users is compiled once). */
  readonly attachedTo: PolicyAttachment | readonly PolicyAttachment[];
}

/** One S3 request. */
export interface AccessRequest {
  readonly principal: AccessPrincipal;
  /** A concrete S3 action such as `s3:GetObject`. */
  readonly action: string;
  readonly bucket: string;
  /** Object key, for object actions; default none (a bucket-level request). */
  readonly key?: string;
  /** The `prefix` a ListBucket request sends (`s3:prefix`); default none sent. */
  readonly prefix?: string;
  /** `aws:SourceIp`; default `127.0.0.1`. */
  readonly sourceIp?: string;
  /** `aws:SecureTransport`; default `false` (plain HTTP). */
  readonly secureTransport?: boolean;
  /** Further condition values by key name (e.g. `s3:max-keys`); default none. */
  readonly conditions?: Readonly<Record<string, readonly string[]>>;
}

/** A statement that took part in a decision. Indices refer to the canonical statement order. */
export interface DecidingStatement {
  policy: string;
  statementIndex: number;
  sid?: string;
  effect: "Allow" | "Deny";
}

/** The answer to "may this principal do this?". */
export interface Decision {
  allowed: boolean;
  /** The Deny that refused, or the Allow(s) that granted; empty for an implicit deny. */
  decidedBy: DecidingStatement[];
  reason: string;
}

/** One action a principal can perform on some part of a bucket, with a request proving it. */
export interface ActionGrant {
  action: string;
  decidedBy: DecidingStatement[];
  /** The object key and list prefix of a request that is allowed. */
  witness: { key?: string; prefix?: string };
}

/**
 * Decides one request against a set of policies. For many requests over the same policies
 * build an {@link AccessModel} once instead.
 */
export function evaluate(request: AccessRequest, policies: readonly NamedPolicy[]): Decision {
  return new AccessModel(policies).evaluate(request);
}

/** Every catalogue action `principal` can perform somewhere in `bucket`. */
export function allowedActions(
  principal: AccessPrincipal,
  bucket: string,
  policies: readonly NamedPolicy[],
): ActionGrant[] {
  return new AccessModel(policies).allowedActions(principal, bucket);
}

const CATALOGUE: readonly string[] = [...BUCKET_ACTIONS, ...OBJECT_ACTIONS];

/** Characters a witness key uses for `*`: unlikely to be matched by a narrower Deny. */
const FILL = "witness~0";

interface CompiledStatement {
  readonly policy: string;
  readonly index: number;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly principals?: readonly string[];
  readonly exactActions: ReadonlySet<string>;
  readonly wildcardActions: readonly string[];
  /**
   * Resource patterns without the ARN prefix (`*` for the `*` resource), with backslashes
   * escaped so that substituted variables can be marked literal.
   */
  readonly resources: readonly string[];
  readonly conditions: readonly CompiledCondition[];
}

interface CompiledCondition {
  readonly operator: string;
  readonly base: string;
  readonly qualifier: "" | "ForAnyValue" | "ForAllValues";
  readonly key: string;
  readonly values: readonly string[];
  /** A value uses a variable the caller fills, so the caller decides whether it holds. */
  readonly callerChosen: boolean;
}

type Values = Map<string, string[]>;

const STRING_OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
]);
const MODELLED_OPERATORS = new Set([
  ...STRING_OPERATORS,
  "IpAddress",
  "NotIpAddress",
  "Bool",
  "Null",
]);

/**
 * Policies compiled and indexed by what they are attached to, so that answering for one
 * principal touches only that principal's statements, whatever the number of tenants.
 */
export class AccessModel {
  private readonly byUser = new Map<string, CompiledStatement[]>();
  private readonly byGroup = new Map<string, CompiledStatement[]>();
  private readonly byServiceAccount = new Map<string, CompiledStatement[]>();
  private readonly byBucket = new Map<string, CompiledStatement[]>();

  /** @param policies every policy in play; each is validated and compiled once */
  constructor(policies: readonly NamedPolicy[]) {
    for (const policy of policies) {
      const attachments = (
        Array.isArray(policy.attachedTo) ? policy.attachedTo : [policy.attachedTo]
      ) as readonly PolicyAttachment[];
      const bucketAttachments = attachments.filter((a) => a.kind === "bucket");
      if (bucketAttachments.length > 0 && bucketAttachments.length !== attachments.length) {
        throw new InvalidArgumentError(
          `policies["${policy.name}"].attachedTo`,
          policy.attachedTo,
          "a bucket policy cannot also be attached to users, groups or access keys",
        );
      }
      if (bucketAttachments.length > 0) {
        for (const attachment of bucketAttachments) {
          const bucket = (attachment as { bucket: string }).bucket;
          push(this.byBucket, bucket, compile(policy, "bucket", bucket));
        }
        continue;
      }
      const compiled = compile(policy, "user");
      for (const attachment of attachments) {
        if (attachment.kind === "user") push(this.byUser, attachment.name, compiled);
        else if (attachment.kind === "group") push(this.byGroup, attachment.name, compiled);
        else if (attachment.kind === "serviceAccount") {
          push(this.byServiceAccount, attachment.accessKey, compiled);
        }
      }
    }
  }

  /** Decides one request the way MinIO would. */
  evaluate(request: AccessRequest): Decision {
    const { principal } = request;
    if (principal.kind === "anonymous") {
      const statements = this.byBucket.get(request.bucket) ?? [];
      const decision = decide(statements, request, "bucket", undefined);
      if (!decision.allowed && decision.decidedBy.length === 0) {
        decision.reason =
          `${decision.reason}; ` + "anonymous requests are governed only by the bucket policy";
      }
      return decision;
    }
    if (principal.disabled) {
      return { allowed: false, decidedBy: [], reason: `${describe(principal)} is disabled` };
    }
    const userName = principal.kind === "user" ? principal.name : principal.parent;
    const groups = (principal.kind === "user" ? principal.groups : principal.parentGroups) ?? [];
    const inherited = this.userStatements(userName, groups);
    const parentDecision = decide(inherited, request, "user", userName);
    if (principal.kind === "user" || !parentDecision.allowed) return parentDecision;

    const own = this.byServiceAccount.get(principal.accessKey);
    if (own === undefined) return parentDecision;
    const ownDecision = decide(own, request, "user", userName);
    if (!ownDecision.allowed) {
      return {
        allowed: false,
        decidedBy: ownDecision.decidedBy,
        reason:
          `${ownDecision.reason} in the access key's own policy ` +
          "(it is intersected with the parent's)",
      };
    }
    return {
      allowed: true,
      decidedBy: [...parentDecision.decidedBy, ...ownDecision.decidedBy],
      reason: "allowed by both the parent user's policies and the access key's own policy",
    };
  }

  /**
   * Every catalogue action (BUCKET_ACTIONS and OBJECT_ACTIONS) `principal` can perform on the
   * bucket or some object in it, each with a request that proves it. A witness request is
   * built from each allowing statement (and from variants that step around conditional
   * Denies) and decided by {@link AccessModel.evaluate}, so every grant reported is real.
   */
  allowedActions(principal: AccessPrincipal, bucket: string): ActionGrant[] {
    const sources = this.grantingStatements(principal, bucket);
    if (sources.allows.length === 0) return [];
    const grants: ActionGrant[] = [];
    for (const action of CATALOGUE) {
      const grant = this.findGrant(principal, bucket, action, sources);
      if (grant) grants.push(grant);
    }
    return grants;
  }

  /**
   * The buckets among `buckets` that `principal` can reach at all, with what it can do in
   * each. Only buckets named by the principal's Allow statements are examined (a wildcard
   * bucket pattern is matched against the list), so the cost follows the principal's
   * statements, not the number of buckets.
   */
  reachableBuckets(
    principal: AccessPrincipal,
    buckets: readonly string[],
  ): Map<string, ActionGrant[]> {
    const known = bucketSet(buckets);
    const candidates = new Set<string>();
    if (principal.kind === "anonymous") {
      for (const bucket of buckets) if (this.byBucket.has(bucket)) candidates.add(bucket);
    }
    const { statements, userName } = this.primaryStatements(principal);
    for (const statement of statements) {
      if (statement.effect !== "Allow") continue;
      for (const resource of statement.resources) {
        const pattern = allowPattern(resource, userName);
        const slash = pattern.indexOf("/");
        const bucketPart = slash < 0 ? pattern : pattern.slice(0, slash);
        if (!hasWildcardToken(bucketPart)) {
          const literal = unescape(bucketPart);
          if (known.has(literal)) candidates.add(literal);
        } else {
          for (const bucket of buckets) {
            if (resourceCanMatchBucket(pattern, bucket, "user")) candidates.add(bucket);
          }
        }
      }
    }
    const result = new Map<string, ActionGrant[]>();
    for (const bucket of [...candidates].sort()) {
      const grants = this.allowedActions(principal, bucket);
      if (grants.length > 0) result.set(bucket, grants);
    }
    return result;
  }

  private userStatements(name: string, groups: readonly string[]): CompiledStatement[] {
    const statements = [...(this.byUser.get(name) ?? [])];
    for (const group of groups) statements.push(...(this.byGroup.get(group) ?? []));
    return statements;
  }

  /** The statements that can grant anything to a signed principal (its parent's, for a key). */
  private primaryStatements(principal: AccessPrincipal): {
    statements: CompiledStatement[];
    userName?: string;
  } {
    if (principal.kind === "anonymous" || principal.disabled) return { statements: [] };
    const userName = principal.kind === "user" ? principal.name : principal.parent;
    const groups = (principal.kind === "user" ? principal.groups : principal.parentGroups) ?? [];
    return { statements: this.userStatements(userName, groups), userName };
  }

  private grantingStatements(
    principal: AccessPrincipal,
    bucket: string,
  ): { allows: CompiledStatement[]; denies: CompiledStatement[]; userName?: string } {
    let statements: CompiledStatement[];
    let userName: string | undefined;
    if (principal.kind === "anonymous") {
      statements = this.byBucket.get(bucket) ?? [];
    } else {
      if (principal.disabled) return { allows: [], denies: [] };
      ({ statements, userName } = this.primaryStatements(principal));
      if (principal.kind === "serviceAccount") {
        statements = [...statements, ...(this.byServiceAccount.get(principal.accessKey) ?? [])];
      }
    }
    const kind = principal.kind === "anonymous" ? "bucket" : "user";
    const relevant = statements.filter((s) =>
      s.resources.some((r) => {
        const pattern = substituteResource(r, userName, s.effect);
        return pattern !== undefined && resourceCanMatchBucket(pattern, bucket, kind);
      }),
    );
    return {
      allows: relevant.filter((s) => s.effect === "Allow"),
      denies: relevant.filter((s) => s.effect === "Deny"),
      userName,
    };
  }

  private findGrant(
    principal: AccessPrincipal,
    bucket: string,
    action: string,
    sources: { allows: CompiledStatement[]; denies: CompiledStatement[]; userName?: string },
  ): ActionGrant | undefined {
    const objectAction = isObjectAction(action);
    for (const statement of sources.allows) {
      if (!matchesAction(statement, action)) continue;
      for (const resource of statement.resources) {
        const pattern = allowPattern(resource, sources.userName);
        const keys = objectAction ? witnessKeys(pattern, bucket) : [undefined];
        for (const key of keys) {
          for (const values of witnessConditions(statement, sources.denies, sources.userName)) {
            const request: AccessRequest = {
              principal,
              action,
              bucket,
              key,
              prefix: values.get("s3:prefix")?.[0],
              sourceIp: values.get("aws:sourceip")?.[0],
              secureTransport: parseBool(values.get("aws:securetransport")?.[0]),
              conditions: Object.fromEntries(values),
            };
            const decision = this.evaluate(request);
            if (decision.allowed) {
              return {
                action,
                decidedBy: decision.decidedBy,
                witness: {
                  ...(key !== undefined ? { key } : {}),
                  ...(request.prefix !== undefined ? { prefix: request.prefix } : {}),
                },
              };
            }
          }
        }
      }
    }
    return undefined;
  }
}

const bucketSets = new WeakMap<readonly string[], ReadonlySet<string>>();

// The isolation proof asks once per principal with the same list; index it once.
function bucketSet(buckets: readonly string[]): ReadonlySet<string> {
  let set = bucketSets.get(buckets);
  if (!set) {
    set = new Set(buckets);
    bucketSets.set(buckets, set);
  }
  return set;
}

function push<K, V>(map: Map<K, V[]>, key: K, values: V[]): void {
  const list = map.get(key);
  if (list) list.push(...values);
  else map.set(key, [...values]);
}

function describe(principal: AccessPrincipal): string {
  if (principal.kind === "user") return `user "${principal.name}"`;
  if (principal.kind === "serviceAccount") return `access key "${principal.accessKey}"`;
  return "the anonymous caller";
}

// The evaluator loads what MinIO loads; the library's stricter resource-shape rule is for
// policies it writes, and a model that refused MinIO-valid policies could not judge them.

function compile(
  policy: NamedPolicy,
  kind: "user" | "bucket",
  bucket?: string,
): CompiledStatement[] {
  const doc = validateWithin(`Policy "${policy.name}"`, () =>
    kind === "user"
      ? validateUserPolicy(policy.document, "policy", MINIO_REFUSALS_ONLY)
      : validateBucketPolicy(policy.document, "policy", bucket, MINIO_REFUSALS_ONLY),
  );
  return doc.Statement.map((statement, index) => compileStatement(policy.name, index, statement));
}

function compileStatement(policy: string, index: number, statement: Statement): CompiledStatement {
  const conditions: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    const match = /^(?:(ForAnyValue|ForAllValues):)?(.+)$/.exec(operator) as RegExpExecArray;
    const base = match[2];
    if (!MODELLED_OPERATORS.has(base)) {
      throw new InvalidArgumentError(
        `policy.Statement[${index}].Condition.${operator}`,
        keys,
        "is not modelled by the evaluator (only String*, IpAddress, NotIpAddress, Bool, Null)",
      ).within(`Policy "${policy}"`);
    }
    for (const [key, values] of Object.entries(keys)) {
      conditions.push({
        operator,
        base,
        qualifier: (match[1] ?? "") as CompiledCondition["qualifier"],
        key: key.toLowerCase(),
        values,
        callerChosen: values.some((v) => requestVariables(v).length > 0),
      });
    }
  }
  const exact = statement.Action.filter((a) => !a.includes("*") && !a.includes("?"));
  return {
    policy,
    index,
    ...(statement.Sid !== undefined ? { sid: statement.Sid } : {}),
    effect: statement.Effect,
    ...(statement.Principal ? { principals: statement.Principal.AWS } : {}),
    exactActions: new Set(exact),
    wildcardActions: statement.Action.filter((a) => !exact.includes(a)),
    resources: statement.Resource.map((r) =>
      r === "*" ? "*" : r.slice(S3_ARN_PREFIX.length).replace(/\\/g, "\\\\"),
    ),
    conditions,
  };
}

function decide(
  statements: readonly CompiledStatement[],
  request: AccessRequest,
  kind: "user" | "bucket",
  userName: string | undefined,
): Decision {
  const values = requestValues(request, userName);
  const resource = requestResource(request, kind);
  let allow: CompiledStatement | undefined;
  for (const statement of statements) {
    if (!applies(statement, request, resource, values, kind)) continue;
    if (statement.effect === "Deny") {
      return {
        allowed: false,
        decidedBy: [deciding(statement)],
        reason: `explicitly denied by ${where(statement)}`,
      };
    }
    allow ??= statement;
  }
  if (allow) {
    return { allowed: true, decidedBy: [deciding(allow)], reason: `allowed by ${where(allow)}` };
  }
  return {
    allowed: false,
    decidedBy: [],
    reason: `no statement allows ${request.action} on ${S3_ARN_PREFIX}${resource} (implicit deny)`,
  };
}

function deciding(statement: CompiledStatement): DecidingStatement {
  return {
    policy: statement.policy,
    statementIndex: statement.index,
    ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
    effect: statement.effect,
  };
}

function where(statement: CompiledStatement): string {
  const sid = statement.sid ? ` (${statement.sid})` : "";
  return `policy "${statement.policy}" statement ${statement.index}${sid}`;
}

function applies(
  statement: CompiledStatement,
  request: AccessRequest,
  resource: string,
  values: Values,
  kind: "user" | "bucket",
): boolean {
  if (kind === "bucket") {
    // Anonymous callers have no account name; only a wildcard principal covers them.
    if (!statement.principals?.some((p) => wildcardMatch(p, ""))) return false;
  }
  if (!matchesAction(statement, request.action)) return false;
  const userName = values.get("aws:username")?.[0];
  const matches = (r: string) => {
    const pattern = substituteResource(r, userName, statement.effect);
    return pattern !== undefined && resourceMatches(pattern, resource);
  };
  if (!statement.resources.some(matches)) return false;
  return statement.conditions.every((condition) =>
    condition.callerChosen ? statement.effect === "Allow" : conditionHolds(condition, values),
  );
}

function matchesAction(statement: CompiledStatement, action: string): boolean {
  return (
    statement.exactActions.has(action) ||
    statement.wildcardActions.some((pattern) => wildcardMatch(pattern, action))
  );
}

function requestResource(request: AccessRequest, kind: "user" | "bucket"): string {
  if (request.key !== undefined && request.key !== "") {
    const key = request.key.startsWith("/") ? request.key.slice(1) : request.key;
    return `${request.bucket}/${key}`;
  }
  return kind === "user" ? `${request.bucket}/` : request.bucket;
}

function requestValues(request: AccessRequest, userName: string | undefined): Values {
  const values: Values = new Map();
  for (const [key, list] of Object.entries(request.conditions ?? {})) {
    values.set(key.toLowerCase(), [...list]);
  }
  if (request.prefix !== undefined) values.set("s3:prefix", [request.prefix]);
  values.set("aws:sourceip", [request.sourceIp ?? "127.0.0.1"]);
  values.set("aws:securetransport", [String(request.secureTransport ?? false)]);
  if (userName !== undefined) {
    values.set("aws:username", [userName]);
    values.set("aws:userid", [userName]);
  } else {
    values.delete("aws:username");
    values.delete("aws:userid");
  }
  return values;
}

// Resource patterns are kept in an escaped form after substitution: `\` escapes the next
// character. MinIO matches the substituted name as part of the pattern, so only a backslash in
// it is escaped: its `*` and `?` stay wildcards, as they are on the server. A variable the
// caller fills is its best choice (see the header): anything in an Allow, so `*`, and nothing
// in a Deny, so `undefined`.
function substituteResource(
  pattern: string,
  userName: string | undefined,
  effect: "Allow" | "Deny",
): string | undefined {
  if (!pattern.includes("${")) return pattern;
  let out = pattern;
  if (userName !== undefined && userName !== "") {
    const name = userName.replace(/\\/g, "\\\\");
    out = out.replace(IDENTITY_VARIABLE_GLOBAL, () => name);
  }
  // Without a user (the anonymous caller) `${aws:username}` stays as text, as on MinIO, and
  // matches no bucket.
  if (requestVariables(out).length === 0) return out;
  if (effect === "Deny") return undefined;
  return out.replace(/\$\{[^}]*\}/g, (v) => (isIdentityVariable(v) ? v : "*"));
}

/** The Allow form: a caller-filled variable matches anything. */
function allowPattern(pattern: string, userName: string | undefined): string {
  return substituteResource(pattern, userName, "Allow") ?? pattern;
}

function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === "*" || pattern === resource) return true;
  if (!pattern.includes("\\")) {
    if (!pattern.includes("*") && !pattern.includes("?")) return pattern === cleanPath(resource);
    return wildcardMatch(pattern, resource);
  }
  if (!hasWildcardToken(pattern) && unescape(pattern) === cleanPath(resource)) return true;
  return escapedMatch(pattern, resource);
}

function resourceCanMatchBucket(pattern: string, bucket: string, kind: "user" | "bucket"): boolean {
  if (pattern === "*") return true;
  return (
    resourceMatches(pattern, kind === "user" ? `${bucket}/` : bucket) ||
    canMatchWithPrefix(pattern, `${bucket}/`)
  );
}

function cleanPath(path: string): string {
  if (!path.includes("//") && !path.includes("/.")) {
    return path.endsWith("/") ? path.slice(0, -1) : path;
  }
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

type Token = { kind: "star" } | { kind: "one" } | { kind: "char"; char: string };

function tokens(pattern: string): Token[] {
  const result: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) result.push({ kind: "char", char: pattern[++i] });
    else if (c === "*") result.push({ kind: "star" });
    else if (c === "?") result.push({ kind: "one" });
    else result.push({ kind: "char", char: c });
  }
  return result;
}

function hasWildcardToken(pattern: string): boolean {
  return tokens(pattern).some((t) => t.kind !== "char");
}

function unescape(pattern: string): string {
  return tokens(pattern)
    .map((t) => (t.kind === "char" ? t.char : t.kind === "star" ? "*" : "?"))
    .join("");
}

function escapedMatch(pattern: string, text: string): boolean {
  if (!pattern.includes("\\")) return wildcardMatch(pattern, text);
  const toks = tokens(pattern);
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const tok = toks[p];
    if (p < toks.length && tok.kind === "star") {
      star = p++;
      mark = t;
    } else if (
      p < toks.length &&
      (tok.kind === "one" || (tok.kind === "char" && tok.char === text[t]))
    ) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < toks.length && toks[p].kind === "star") p++;
  return p === toks.length;
}

/** Whether some string that starts with `prefix` matches `pattern`. */
function canMatchWithPrefix(pattern: string, prefix: string): boolean {
  const toks = tokens(pattern);
  // The set of pattern positions reachable after consuming the prefix so far.
  let states = closure(new Set([0]), toks);
  for (const char of prefix) {
    const next = new Set<number>();
    for (const s of states) {
      if (s >= toks.length) continue;
      const tok = toks[s];
      if (tok.kind === "star") next.add(s);
      else if (tok.kind === "one" || tok.char === char) next.add(s + 1);
    }
    states = closure(next, toks);
    if (states.size === 0) return false;
  }
  // Whatever remains of the pattern can be satisfied by a suitable rest of the string.
  return states.size > 0;
}

function closure(states: Set<number>, toks: Token[]): Set<number> {
  for (const s of [...states]) {
    let i = s;
    while (i < toks.length && toks[i].kind === "star") states.add(++i);
  }
  return states;
}

function conditionHolds(condition: CompiledCondition, values: Values): boolean {
  const present = values.get(condition.key) ?? [];
  const userName = values.get("aws:username")?.[0];
  const wanted = condition.values.map((v) => substituteValue(v, userName));
  switch (condition.base) {
    case "IpAddress":
    case "NotIpAddress": {
      const inside = present.some((ip) => wanted.some((cidr) => ipInCidr(ip, cidr)));
      return condition.base === "IpAddress" ? inside : !inside;
    }
    case "Bool":
      return present.some((v) => wanted.some((w) => w.toLowerCase() === v.toLowerCase()));
    case "Null": {
      const absent = present.length === 0;
      return wanted.some((w) => (w.toLowerCase() === "true" ? absent : !absent));
    }
  }
  const negate = condition.base.includes("Not");
  const like = condition.base.endsWith("Like");
  const ignoreCase = condition.base.endsWith("IgnoreCase");
  const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  const matchOne = (v: string) =>
    wanted.some((w) => (like ? wildcardMatch(w, v) : norm(w) === norm(v)));
  const result =
    condition.qualifier === "ForAllValues" ? present.every(matchOne) : present.some(matchOne);
  return negate ? !result : result;
}

function substituteValue(value: string, userName: string | undefined): string {
  if (!userName || !value.includes("${")) return value;
  return value.replace(IDENTITY_VARIABLE_GLOBAL, () => userName);
}

function witnessKeys(pattern: string, bucket: string): string[] {
  if (pattern === "*") return [FILL];
  const literalPrefix = `${bucket}/`;
  const unescaped = unescape(pattern);
  // Bucket names hold no wildcard characters, so a literal "<bucket>/" start is a real one.
  if (unescaped.startsWith(literalPrefix)) {
    return [fillWildcards(pattern, literalPrefix.length)];
  }
  return canMatchWithPrefix(pattern, literalPrefix) ? [FILL] : [];
}

function fillWildcards(pattern: string, from: number): string {
  let unescapedIndex = 0;
  let out = "";
  for (const tok of tokens(pattern)) {
    if (unescapedIndex++ < from) continue;
    out += tok.kind === "star" ? FILL : tok.kind === "one" ? "x" : tok.char;
  }
  return out === "" ? FILL : out;
}

/**
 * Condition values that satisfy `statement`, plus variants that each defeat one conditional
 * Deny, so that a Deny narrower than the Allow does not hide a request that is allowed.
 */
function witnessConditions(
  statement: CompiledStatement,
  denies: readonly CompiledStatement[],
  userName: string | undefined,
): Values[] {
  const base: Values = new Map();
  for (const condition of statement.conditions) {
    const value = satisfying(condition, userName);
    if (value !== undefined) base.set(condition.key, [value]);
  }
  const variants = [base];
  for (const deny of denies) {
    for (const condition of deny.conditions) {
      const value = defeating(condition, userName);
      if (value === undefined || base.has(condition.key)) continue;
      variants.push(new Map([...base, [condition.key, [value]]]));
    }
  }
  return variants;
}

function satisfying(
  condition: CompiledCondition,
  userName: string | undefined,
): string | undefined {
  const first = substituteValue(condition.values[0], userName);
  switch (condition.base) {
    case "StringEquals":
    case "StringEqualsIgnoreCase":
      return condition.qualifier === "ForAllValues" ? undefined : first;
    case "StringLike":
      return condition.qualifier === "ForAllValues"
        ? undefined
        : first.replace(/\*/g, FILL).replace(/\?/g, "x");
    case "IpAddress":
      return firstAddress(first);
    case "Bool":
      return first.toLowerCase();
    case "Null":
      return first.toLowerCase() === "true" ? undefined : FILL;
    default:
      return undefined;
  }
}

function defeating(condition: CompiledCondition, userName: string | undefined): string | undefined {
  const first = substituteValue(condition.values[0], userName);
  switch (condition.base) {
    case "StringNotEquals":
    case "StringNotEqualsIgnoreCase":
      return first;
    case "StringNotLike":
      return first.replace(/\*/g, FILL).replace(/\?/g, "x");
    case "StringEquals":
    case "StringEqualsIgnoreCase":
    case "StringLike":
      return FILL;
    case "NotIpAddress":
      return firstAddress(first);
    case "Bool":
      return first.toLowerCase() === "true" ? "false" : "true";
    default:
      return undefined;
  }
}

function parseBool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "true";
}

function firstAddress(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed) return undefined;
  return parsed.v6 ? formatV6(parsed.network) : formatV4(parsed.network);
}

interface Cidr {
  v6: boolean;
  network: bigint;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const [address, length] = text.split("/");
  const ip = parseIp(address);
  if (!ip) return undefined;
  const width = ip.v6 ? 128 : 32;
  const bits = length === undefined ? width : Number(length);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { v6: ip.v6, network: ip.value & mask, bits };
}

function ipInCidr(ipText: string, cidrText: string): boolean {
  const ip = parseIp(ipText);
  const cidr = parseCidr(cidrText);
  if (!ip || !cidr || ip.v6 !== cidr.v6) return false;
  const width = ip.v6 ? 128 : 32;
  const mask = cidr.bits === 0 ? 0n : ((1n << BigInt(cidr.bits)) - 1n) << BigInt(width - cidr.bits);
  return (ip.value & mask) === cidr.network;
}

function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}

function formatV6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return groups.join(":");
}
