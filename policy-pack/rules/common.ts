/**
 * How a rule is written: a plain `@pulumi/policy` policy object whose check is a pure function
 * the tests call directly. Only types come from @pulumi/policy, so loading a rule never loads
 * the SDK (the synth runs the same checks without it).
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Statement, parseStatements } from "../../components/iam";
import { ResourceView, TYPES, Unknown, fromPolicyResources, isUnknown, viewOf } from "./resources";

/** One violation a stack rule found; `urn` points the engine at the resource. */
export interface StackFinding {
  readonly message: string;
  readonly urn?: string;
}

/** A resource rule: a ResourceValidationPolicy plus its pure check. */
export interface ResourceRule<C extends object> extends ResourceValidationPolicy {
  readonly defaults: C;
  /** The violations of one resource, as messages. */
  check(view: ResourceView, config: C): string[];
}

/** A stack rule: a StackValidationPolicy plus its pure check. */
export interface StackRule<C extends object> extends StackValidationPolicy {
  readonly defaults: C;
  /** The violations in a whole stack. */
  check(resources: readonly ResourceView[], config: C): StackFinding[];
}

/** What both kinds of rule share. */
export type Rule = ResourceRule<object> | StackRule<object>;

interface RuleSpec<C extends object> {
  name: string;
  description: string;
  /** Default `"mandatory"`. */
  enforcementLevel?: EnforcementLevel;
  defaults: C;
  configSchema?: PolicyConfigSchema;
}

/** Builds a resource rule from its metadata and check. */
export function resourceRule<C extends object>(
  spec: RuleSpec<C>,
  check: (view: ResourceView, config: C) => string[],
): ResourceRule<C> {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel ?? "mandatory",
    ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
    defaults: spec.defaults,
    check,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const view = viewOf(args.type, args.name, args.urn, args.props, args.opts?.parent);
      for (const message of check(view, withDefaults(spec.defaults, args.getConfig<C>()))) {
        report(message);
      }
    },
  };
}

/** Builds a stack rule from its metadata and check. */
export function stackRule<C extends object>(
  spec: RuleSpec<C>,
  check: (resources: readonly ResourceView[], config: C) => StackFinding[],
): StackRule<C> {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel ?? "mandatory",
    ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
    defaults: spec.defaults,
    check,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const views = fromPolicyResources(args.resources);
      for (const finding of check(views, withDefaults(spec.defaults, args.getConfig<C>()))) {
        report(finding.message, finding.urn);
      }
    },
  };
}

/** The rule's config with its defaults filled in for every key the user left out. */
export function withDefaults<C extends object>(defaults: C, config: Partial<C> | undefined): C {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(config ?? {})) {
    if (value !== undefined && key in defaults) out[key] = value;
  }
  return out as C;
}

/** A JSON-schema list of strings with a default, for configSchema. */
export function stringList(description: string, fallback: string[] = []) {
  return {
    type: "array" as const,
    items: { type: "string" as const },
    default: fallback,
    description,
  };
}

/** A resource that holds a policy document, and which kind of policy it is. */
export interface PolicyHolder {
  readonly kind: "user" | "bucket";
  /** The policy's MinIO name, when it has one (IamPolicy). */
  readonly policyName?: string;
  /** The bucket of a bucket policy, when known. */
  readonly bucket?: string;
  readonly text: string | Unknown;
}

/** The policy document a resource holds, if it is one of the policy-holding types. */
export function policyOf(view: ResourceView): PolicyHolder | undefined {
  const policy = view.props.policy;
  const text: string | Unknown | undefined = isUnknown(policy)
    ? (policy as Unknown)
    : typeof policy === "string" && policy !== ""
      ? policy
      : undefined;
  if (text === undefined) return undefined;
  const name = typeof view.props.name === "string" ? view.props.name : undefined;
  switch (view.type) {
    case TYPES.iamPolicy:
      return { kind: "user", text, ...(name !== undefined ? { policyName: name } : {}) };
    case TYPES.iamGroupPolicy:
    case TYPES.iamServiceAccount:
      return { kind: "user", text };
    case TYPES.s3BucketPolicy: {
      const bucket = typeof view.props.bucket === "string" ? view.props.bucket : undefined;
      return { kind: "bucket", text, ...(bucket !== undefined ? { bucket } : {}) };
    }
    default:
      return undefined;
  }
}

/**
 * The statements of a known policy document in the caller's order, or `undefined` when the text
 * is unknown or cannot be parsed (minio-accepts-policy reports those).
 */
export function statementsOf(holder: PolicyHolder): Statement[] | undefined {
  if (isUnknown(holder.text)) return undefined;
  try {
    return parseStatements(holder.text);
  } catch {
    return undefined;
  }
}

/** `IamPolicy "tenant-acme-owner-policy"`: how messages name a resource. */
export function label(view: ResourceView): string {
  return `${view.type.slice(view.type.lastIndexOf(":") + 1)} "${view.name}"`;
}

/** `arn:aws:s3:::b/k` to `b/k`; `*` stays `*`. */
export function arnPath(resource: string): string {
  return resource === "*" ? "*" : resource.replace(/^arn:aws:s3:::/, "");
}

/** A string-keyed map prop (labels, matchLabels), ignoring unknowns and non-strings. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** A nested prop by path, or `undefined` when any step is missing. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
