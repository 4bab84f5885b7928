/**
 * One view of a stack's resources for every rule, whichever way they arrive: from the policy
 * SDK during `pulumi preview`/`up`, or from the mock runtime's recording in the offline synth
 * and the tests. Values the engine does not know yet become {@link UNKNOWN}, so a rule can say
 * "not verifiable until update" instead of crashing or passing.
 */

/** Type tokens of the resources the rules read. */
export const TYPES = Object.freeze({
  s3Bucket: "minio:index/s3Bucket:S3Bucket",
  s3BucketPolicy: "minio:index/s3BucketPolicy:S3BucketPolicy",
  s3BucketVersioning: "minio:index/s3BucketVersioning:S3BucketVersioning",
  ilmPolicy: "minio:index/ilmPolicy:IlmPolicy",
  iamUser: "minio:index/iamUser:IamUser",
  iamPolicy: "minio:index/iamPolicy:IamPolicy",
  iamUserPolicyAttachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
  iamGroup: "minio:index/iamGroup:IamGroup",
  iamGroupMembership: "minio:index/iamGroupMembership:IamGroupMembership",
  iamGroupUserAttachment: "minio:index/iamGroupUserAttachment:IamGroupUserAttachment",
  iamGroupPolicyAttachment: "minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment",
  iamGroupPolicy: "minio:index/iamGroupPolicy:IamGroupPolicy",
  iamServiceAccount: "minio:index/iamServiceAccount:IamServiceAccount",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  tenantUser: "minio-platform:index:TenantUser",
  isolatedBucket: "minio-platform:index:IsolatedBucket",
  veleroTarget: "minio-platform:index:VeleroTarget",
  artifactStore: "minio-platform:index:ArtifactStore",
  minioDeployment: "minio-platform:index:MinioDeployment",
});

/** Stands for a value the engine will only know after the update (a preview's unknowns). */
export const UNKNOWN: unique symbol = Symbol("unknown until update");
export type Unknown = typeof UNKNOWN;

/** The string the Pulumi engine sends for an unknown value (`@pulumi/pulumi` runtime/rpc). */
const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** The policy SDK's per-type stand-ins for unknowns (its proxy module); any of them is unknown. */
const POLICY_UNKNOWNS = new Set([
  ENGINE_UNKNOWN,
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** A resource as every rule sees it. */
export interface ResourceView {
  readonly type: string;
  /** The logical name; safe to print. */
  readonly name: string;
  readonly urn: string;
  /** URN of the parent resource, when there is one other than the stack. */
  readonly parent?: string;
  /** Inputs as plain data; unknown values are {@link UNKNOWN}. May hold secrets: never print. */
  readonly props: Readonly<Record<string, unknown>>;
}

/** What the mock runtime records (tools/mock-runtime.ts); only these fields are read. */
export interface RecordedLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parent?: string;
  readonly inputs: Record<string, unknown>;
}

/** What the policy SDK hands a stack policy (`PolicyResource`); only these fields are read. */
export interface PolicyResourceLike {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  readonly opts?: { readonly parent?: string };
  readonly parent?: { readonly urn: string };
}

/** Whether a value is unknown until the update. */
export function isUnknown(value: unknown): value is Unknown {
  if (value === UNKNOWN) return true;
  if (typeof value === "string") return POLICY_UNKNOWNS.has(value);
  // The Pulumi SDK's own stand-in, which the mock runtime records for a preview's unknowns.
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true
  );
}

/** Views of the mock runtime's recorded resources. */
export function fromRecorded(resources: readonly RecordedLike[]): ResourceView[] {
  return resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    ...(r.parent ? { parent: r.parent } : {}),
    props: plainCopy(r.inputs) as Record<string, unknown>,
  }));
}

/** Views of the resources a stack policy receives. */
export function fromPolicyResources(resources: readonly PolicyResourceLike[]): ResourceView[] {
  return resources.map((r) =>
    viewOf(r.type, r.name, r.urn, r.props, r.parent?.urn ?? r.opts?.parent),
  );
}

/** The view of one resource as a resource policy receives it. */
export function viewOf(
  type: string,
  name: string,
  urn: string,
  props: Record<string, unknown>,
  parent?: string,
): ResourceView {
  return {
    type,
    name,
    urn,
    ...(parent ? { parent } : {}),
    props: plainCopy(props) as Record<string, unknown>,
  };
}

/**
 * A deep copy with every unknown replaced by {@link UNKNOWN}. The policy SDK wraps props in a
 * proxy that throws when an unknown is read, so each read is guarded and the copy never throws.
 */
export function plainCopy(value: unknown): unknown {
  if (isUnknown(value)) return UNKNOWN;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    let length: number;
    try {
      length = value.length;
    } catch {
      return UNKNOWN;
    }
    for (let i = 0; i < length; i++) out.push(guardedRead(value, i));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = guardedRead(value, key);
  return out;
}

function guardedRead(container: object, key: string | number): unknown {
  try {
    return plainCopy((container as Record<string | number, unknown>)[key]);
  } catch (err) {
    // Matched by name: the pack's own copy of @pulumi/policy and the root's are distinct
    // classes, so instanceof would miss one of them.
    if (err instanceof Error && err.constructor.name === "UnknownValueError") return UNKNOWN;
    throw err;
  }
}

/** A string prop, {@link UNKNOWN}, or `undefined` when absent or not a string. */
export function stringProp(view: ResourceView, key: string): string | Unknown | undefined {
  const value = view.props[key];
  if (isUnknown(value)) return UNKNOWN;
  return typeof value === "string" ? value : undefined;
}

/** Resources by URN, with their ancestors, for attributing a child to a component. */
export class StackIndex {
  readonly byUrn = new Map<string, ResourceView>();

  constructor(readonly resources: readonly ResourceView[]) {
    for (const r of resources) this.byUrn.set(r.urn, r);
  }

  /** The resource's ancestors, nearest first. */
  ancestors(view: ResourceView): ResourceView[] {
    const out: ResourceView[] = [];
    const seen = new Set<string>();
    let urn = view.parent;
    while (urn !== undefined && !seen.has(urn)) {
      seen.add(urn);
      const parent = this.byUrn.get(urn);
      if (!parent) break;
      out.push(parent);
      urn = parent.parent;
    }
    return out;
  }

  /** The nearest ancestor (or the resource itself) of one of `types`. */
  nearest(view: ResourceView, ...types: string[]): ResourceView | undefined {
    if (types.includes(view.type)) return view;
    return this.ancestors(view).find((a) => types.includes(a.type));
  }

  /**
   * The tenant the components declare for this resource: the `tenantId` input of the nearest
   * ancestor that has one. {@link UNKNOWN} when that value is not known yet.
   */
  declaredTenant(view: ResourceView): string | Unknown | undefined {
    for (const r of [view, ...this.ancestors(view)]) {
      const tenant = r.props.tenantId;
      if (isUnknown(tenant)) return UNKNOWN;
      if (typeof tenant === "string" && tenant !== "") return tenant;
    }
    return undefined;
  }

  ofType(type: string): ResourceView[] {
    return this.resources.filter((r) => r.type === type);
  }
}
