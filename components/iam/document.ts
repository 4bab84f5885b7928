/**
 * Policy documents in the canonical form MinIO hands back, so that what the library writes is
 * exactly what a later read returns and a second preview shows no diff.
 *
 * The canonical form:
 * - top-level keys `Version`, `Statement`; `Version` is always `2012-10-17`;
 * - statement keys in MinIO's marshalling order: `Sid` (only when non-empty), `Effect`,
 *   `Principal` (bucket policies only), `Action`, `Resource`, `Condition` (only when present);
 * - a lone action or resource string becomes an array; `Principal: "*"` becomes
 *   `{"AWS":["*"]}`; action, resource, principal and condition-value arrays are sorted by
 *   UTF-16 code unit (byte order for the ASCII MinIO accepts) and de-duplicated; condition
 *   operators and keys are sorted the same way; boolean and number condition values are
 *   written as strings;
 * - statements sorted by `Sid` (an absent Sid sorts first), then by their canonical JSON, and
 *   a statement equal to an earlier one apart from its `Sid` is dropped, as MinIO drops it.
 */
import { InvalidArgumentError } from "../errors";

/** The only policy language version MinIO accepts. */
export const POLICY_VERSION = "2012-10-17";

/** One statement of a MinIO user, group or bucket policy, in canonical form. */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: { AWS: string[] };
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

/** A MinIO policy document in canonical form. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

const DOCUMENT_KEYS = new Set(["Version", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]);

/**
 * Parses a policy (an object or its JSON text) in any of the loose forms people write and
 * returns its statements normalised one by one, in the caller's order, so errors and
 * evaluator answers can point at the statement the caller wrote.
 *
 * @param doc the policy document or its JSON text
 * @param argument the argument path named in errors; default `"policy"`
 */
export function parseStatements(doc: unknown, argument = "policy"): Statement[] {
  const root = parseRoot(doc, argument);
  for (const key of Object.keys(root)) {
    if (!DOCUMENT_KEYS.has(key)) {
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        root[key],
        "is not a field this library writes (only Version and Statement)",
      );
    }
  }
  if (root.Version !== undefined && root.Version !== POLICY_VERSION) {
    throw new InvalidArgumentError(
      `${argument}.Version`,
      root.Version,
      `must be "${POLICY_VERSION}" (MinIO refuses any other version)`,
    );
  }
  const raw = root.Statement;
  if (raw === undefined) {
    throw new InvalidArgumentError(`${argument}.Statement`, raw, "is required");
  }
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, index) => parseStatement(item, `${argument}.Statement[${index}]`));
}

/**
 * The canonical form of a policy (see the module comment): same meaning, one spelling.
 *
 * @param doc the policy document or its JSON text, in any loose form MinIO accepts
 * @param argument the argument path named in errors; default `"policy"`
 */
export function canonicalPolicy(doc: unknown, argument = "policy"): PolicyDocument {
  return canonicalFromStatements(parseStatements(doc, argument));
}

/** The canonical document made of statements already normalised by {@link parseStatements}. */
export function canonicalFromStatements(parsed: readonly Statement[]): PolicyDocument {
  const keyed = parsed.map((statement) => ({
    statement,
    sid: statement.Sid ?? "",
    text: statementJson(statement),
    body: statementJson({ ...statement, Sid: undefined }),
  }));
  keyed.sort((a, b) => compare(a.sid, b.sid) || compare(a.text, b.text));
  const seen = new Set<string>();
  const statements: Statement[] = [];
  for (const entry of keyed) {
    if (seen.has(entry.body)) continue;
    seen.add(entry.body);
    statements.push(entry.statement);
  }
  return { Version: POLICY_VERSION, Statement: statements };
}

/**
 * Compact canonical JSON of a policy: byte-identical for documents that mean the same,
 * whatever order their statements, actions and resources were written in.
 *
 * @param doc the policy document or its JSON text
 */
export function policyJson(doc: unknown): string {
  const canonical = canonicalPolicy(doc);
  return `{"Version":${JSON.stringify(canonical.Version)},"Statement":[${canonical.Statement.map(
    statementJson,
  ).join(",")}]}`;
}

/** Compact JSON of one already-normalised statement, keys in MinIO's order. */
export function statementJson(statement: Statement): string {
  const ordered: Record<string, unknown> = {};
  if (statement.Sid) ordered.Sid = statement.Sid;
  ordered.Effect = statement.Effect;
  if (statement.Principal) ordered.Principal = { AWS: statement.Principal.AWS };
  ordered.Action = statement.Action;
  ordered.Resource = statement.Resource;
  if (statement.Condition) ordered.Condition = statement.Condition;
  return JSON.stringify(ordered);
}

/** Sorted, de-duplicated copy; the canonical order for every string set in a policy. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseRoot(doc: unknown, argument: string): Record<string, unknown> {
  let value = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch {
      throw new InvalidArgumentError(argument, doc, "must be valid JSON");
    }
  }
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(argument, doc, "must be a policy document object");
  }
  return value;
}

function parseStatement(raw: unknown, path: string): Statement {
  if (!isPlainObject(raw)) {
    throw new InvalidArgumentError(path, raw, "must be a statement object");
  }
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) {
      const rule =
        key === "NotAction" || key === "NotResource" || key === "NotPrincipal"
          ? `${key} is not supported by this library: list what is allowed instead`
          : "is not a statement field MinIO knows";
      throw new InvalidArgumentError(`${path}.${key}`, raw[key], rule);
    }
  }

  if (raw.Sid !== undefined && typeof raw.Sid !== "string") {
    throw new InvalidArgumentError(`${path}.Sid`, raw.Sid, "must be a string");
  }
  const effect = parseEffect(raw.Effect, `${path}.Effect`);
  const principal =
    raw.Principal === undefined ? undefined : parsePrincipal(raw.Principal, `${path}.Principal`);
  const action = parseStrings(raw.Action, `${path}.Action`);
  const resource = parseStrings(raw.Resource, `${path}.Resource`);
  const condition =
    raw.Condition === undefined ? {} : parseCondition(raw.Condition, `${path}.Condition`);
  // Built in MinIO's field order, which is also the order JSON.stringify keeps.
  return {
    ...(raw.Sid ? { Sid: raw.Sid as string } : {}),
    Effect: effect,
    ...(principal ? { Principal: principal } : {}),
    Action: action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

function parseEffect(value: unknown, path: string): "Allow" | "Deny" {
  if (value === "Allow" || value === "Deny") return value;
  throw new InvalidArgumentError(path, value, 'must be "Allow" or "Deny"');
}

function parseStrings(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((item, index) => {
    if (typeof item !== "string" || item === "") {
      const where = Array.isArray(value) ? `${path}[${index}]` : path;
      throw new InvalidArgumentError(where, item, "must be a non-empty string");
    }
  });
  return sortedSet(list as string[]);
}

function parsePrincipal(value: unknown, path: string): { AWS: string[] } {
  if (value === "*") return { AWS: ["*"] };
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(path, value, 'must be "*" or {"AWS": [...]}');
  }
  for (const key of Object.keys(value)) {
    if (key !== "AWS") {
      throw new InvalidArgumentError(
        `${path}.${key}`,
        value[key],
        "is not a principal kind MinIO knows (only AWS)",
      );
    }
  }
  const aws = parseStrings(value.AWS, `${path}.AWS`);
  if (aws.length === 0) {
    throw new InvalidArgumentError(`${path}.AWS`, value.AWS, "must name at least one principal");
  }
  return { AWS: aws };
}

function parseCondition(value: unknown, path: string): Record<string, Record<string, string[]>> {
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(path, value, "must be an object of condition operators");
  }
  const result: Record<string, Record<string, string[]>> = {};
  for (const operator of Object.keys(value).sort(compare)) {
    const keys = value[operator];
    const opPath = `${path}.${operator}`;
    if (!isPlainObject(keys) || Object.keys(keys).length === 0) {
      throw new InvalidArgumentError(opPath, keys, "must be an object of condition keys");
    }
    const entry: Record<string, string[]> = {};
    for (const key of Object.keys(keys).sort(compare)) {
      entry[key] = parseConditionValues(keys[key], `${opPath}.${key}`);
    }
    result[operator] = entry;
  }
  return result;
}

function parseConditionValues(value: unknown, path: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    throw new InvalidArgumentError(path, value, "must list at least one value");
  const values = list.map((item) => {
    if (typeof item === "string") return item;
    if (typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item))) {
      return String(item);
    }
    throw new InvalidArgumentError(path, item, "must be a string, number or boolean");
  });
  return sortedSet(values);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
