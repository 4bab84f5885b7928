/**
 * The access analysis behind the isolation proof and the synth's access matrix: who (every
 * user, access key and the anonymous caller) can do what (every bucket and object action MinIO
 * knows) on which bucket of the stack, decided by the MinIO evaluator in components/iam, and
 * whether each answer is one the tenant layout allows.
 *
 * The cost follows the statements, not principals x buckets x actions: policies are compiled
 * once into an {@link AccessModel} indexed by attachment, and each principal is only asked
 * about the buckets its own Allow statements name.
 */
import {
  AccessModel,
  AccessPrincipal,
  ActionGrant,
  NamedPolicy,
  OBJECT_ACTIONS,
  PolicyAttachment,
  PolicyDocument,
  MINIO_REFUSALS_ONLY,
  validateBucketPolicy,
  validateUserPolicy,
} from "../components/iam";
import { ResourceView, StackIndex, TYPES, UNKNOWN, isUnknown } from "./rules/resources";

/** A cross-tenant access the layout allows on purpose. */
export interface AccessGrant {
  /** The MinIO user name (its access keys inherit the grant). No default. */
  principal: string;
  /** The bucket it may reach. No default. */
  bucket: string;
  /**
   * Object-key prefixes the grant is limited to (`a/b`, no wildcards); bucket actions are then
   * limited to locating and listing. Default: the whole bucket.
   */
  prefixes?: string[];
}

export interface AccessOptions {
  /**
   * Prefixes declared public, as `<bucket>/<prefix>` (e.g. `artifacts-ci/charts`). The
   * ArtifactStore's `publicReadPrefixes` are declared too. Default: none.
   */
  publicPrefixes?: readonly string[];
  /** Cross-tenant accesses allowed on purpose. Default: none. */
  grants?: readonly AccessGrant[];
  /**
   * Evaluate only these users and their access keys (not the anonymous caller), for rules
   * about a few principals of a large stack. Default: every principal.
   */
  onlyUsers?: ReadonlySet<string>;
}

export type PrincipalKind = "user" | "serviceAccount" | "anonymous";

export interface PrincipalEntry {
  /** Stable key: the user name, `<user>/<resource name>` for an access key, `*` for anonymous. */
  readonly id: string;
  /** How messages name it; never an access key or secret. */
  readonly label: string;
  readonly kind: PrincipalKind;
  readonly tenant?: string;
  readonly urn?: string;
}

export interface BucketEntry {
  readonly name: string;
  readonly tenant?: string;
  readonly urn: string;
}

/** How an allowed (principal, bucket) pair is judged. */
export type Verdict = "own" | "granted" | "public" | "violation";

export interface AccessCell {
  readonly principal: string;
  readonly bucket: string;
  readonly verdict: Verdict;
  readonly grants: readonly ActionGrant[];
  /** The grants the layout does not allow; empty unless the verdict is `violation`. */
  readonly violating: readonly ActionGrant[];
}

export type FindingKind = "violation" | "unverifiable" | "unattributed" | "refused";

export interface Finding {
  readonly kind: FindingKind;
  /** The resource to attach the message to, when there is one. */
  readonly urn?: string;
  readonly message: string;
}

export interface AccessAnalysis {
  readonly principals: readonly PrincipalEntry[];
  readonly buckets: readonly BucketEntry[];
  /** Every pair where the principal can do at least one action, sorted by principal then bucket. */
  readonly cells: readonly AccessCell[];
  /** Isolation violations, values unknown until the update, principals of no tenant. */
  readonly findings: readonly Finding[];
}

/** The message prefix of every finding about a value the preview does not know. */
export const NOT_VERIFIABLE = "not verifiable until update";

/** Object actions an anonymous caller may be given on a declared public prefix: reads only. */
export const PUBLIC_READ_ACTIONS: readonly string[] = Object.freeze(
  OBJECT_ACTIONS.filter((a) => a.startsWith("s3:GetObject")),
);

/** Bucket actions a prefix-limited grant may include: locating and listing. */
const PREFIX_GRANT_BUCKET_ACTIONS = new Set([
  "s3:GetBucketLocation",
  "s3:ListBucket",
  "s3:ListBucketVersions",
]);

/**
 * MinIO's built-in policies, which exist on every server without being in the stack; written
 * from MinIO's documentation of what each grants on S3.
 */
export const BUILTIN_POLICIES: Readonly<Record<string, PolicyDocument>> = Object.freeze({
  readwrite: doc([{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::*"] }]),
  readonly: doc([
    {
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:GetObject"],
      Resource: ["arn:aws:s3:::*"],
    },
  ]),
  writeonly: doc([{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::*"] }]),
  consoleAdmin: doc([
    { Effect: "Allow", Action: ["admin:*"], Resource: [] },
    { Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::*"] },
  ]),
  diagnostics: doc([
    {
      Effect: "Allow",
      Action: ["admin:OBDInfo", "admin:Profiling", "admin:ServerInfo", "admin:ServerTrace"],
      Resource: [],
    },
  ]),
});

const USER_CONVENTION = /^user-(.+)$/;
const BUCKET_CONVENTION = /^user-(.+)-data$/;

/** Runs the analysis over a stack's resources. */
export function analyseAccess(
  resources: readonly ResourceView[],
  options: AccessOptions = {},
): AccessAnalysis {
  return new Analysis(new StackIndex(resources), options).run();
}

/** Everything the analysis read, before any evaluation. */
export interface AccessInventory {
  readonly index: StackIndex;
  readonly buckets: BucketEntry[];
  readonly users: Map<string, { view: ResourceView; tenant?: string; disabled: boolean }>;
  readonly serviceAccounts: {
    view: ResourceView;
    id: string;
    parent: string;
    tenant?: string;
    disabled: boolean;
    policy?: string;
  }[];
  /** Policy documents in canonical form by the name the evaluator reports. */
  readonly documents: Map<string, PolicyDocument>;
  readonly policies: NamedPolicy[];
  readonly groupsOf: Map<string, string[]>;
  /** Declared public prefixes by bucket. */
  readonly publicPrefixes: Map<string, Set<string>>;
  readonly findings: Finding[];
}

class Analysis {
  constructor(
    private readonly index: StackIndex,
    private readonly options: AccessOptions,
  ) {}

  run(): AccessAnalysis {
    const inventory = readInventory(this.index, this.options);
    const findings = [...inventory.findings];
    const model = buildModel(inventory.policies, findings);
    const bucketNames = inventory.buckets.map((b) => b.name);
    const bucketTenant = new Map(inventory.buckets.map((b) => [b.name, b.tenant]));

    const principals: { entry: PrincipalEntry; access: AccessPrincipal; user?: string }[] = [];
    for (const [name, user] of [...inventory.users].sort(([a], [b]) => compare(a, b))) {
      principals.push({
        entry: {
          id: name,
          label: `user "${name}"`,
          kind: "user",
          ...(user.tenant !== undefined ? { tenant: user.tenant } : {}),
          urn: user.view.urn,
        },
        access: {
          kind: "user",
          name,
          groups: inventory.groupsOf.get(name) ?? [],
          disabled: user.disabled,
        },
        user: name,
      });
    }
    for (const sa of inventory.serviceAccounts) {
      principals.push({
        entry: {
          id: sa.id,
          label: `access key "${sa.view.name}" of user "${sa.parent}"`,
          kind: "serviceAccount",
          ...(sa.tenant !== undefined ? { tenant: sa.tenant } : {}),
          urn: sa.view.urn,
        },
        access: {
          kind: "serviceAccount",
          accessKey: sa.id,
          parent: sa.parent,
          parentGroups: inventory.groupsOf.get(sa.parent) ?? [],
          disabled: sa.disabled || (inventory.users.get(sa.parent)?.disabled ?? false),
        },
        user: sa.parent,
      });
    }
    if (!this.options.onlyUsers) {
      principals.push({
        entry: { id: "*", label: "the anonymous caller", kind: "anonymous" },
        access: { kind: "anonymous" },
      });
    }

    const only = this.options.onlyUsers;
    const cells: AccessCell[] = [];
    for (const { entry, access, user } of principals) {
      if (only && (user === undefined || !only.has(user))) continue;
      const reachable = model.reachableBuckets(access, bucketNames);
      if (entry.kind !== "anonymous" && entry.tenant === undefined) {
        findings.push({
          kind: "unattributed",
          urn: entry.urn,
          message:
            `isolation: ${entry.label} belongs to no tenant (no component declares its tenantId ` +
            `and its name does not follow user-<tenant>)` +
            (reachable.size > 0 ? `; it can reach ${[...reachable.keys()].join(", ")}` : ""),
        });
      }
      for (const [bucket, grants] of reachable) {
        const owner = bucketTenant.get(bucket);
        const violating = grants.filter(
          (grant) => !this.allowed(entry, user, bucket, owner, grant, inventory),
        );
        const verdict: Verdict =
          violating.length > 0
            ? "violation"
            : entry.kind === "anonymous"
              ? "public"
              : owner !== undefined && owner === entry.tenant
                ? "own"
                : "granted";
        cells.push({ principal: entry.id, bucket, verdict, grants, violating });
        if (violating.length > 0) {
          findings.push(...violationFindings(entry, bucket, owner, violating));
        }
      }
    }

    return {
      principals: principals.map((p) => p.entry),
      buckets: inventory.buckets,
      cells,
      findings,
    };
  }

  private allowed(
    principal: PrincipalEntry,
    user: string | undefined,
    bucket: string,
    owner: string | undefined,
    grant: ActionGrant,
    inventory: AccessInventory,
  ): boolean {
    if (principal.kind === "anonymous") {
      const declared = inventory.publicPrefixes.get(bucket);
      if (!declared || !PUBLIC_READ_ACTIONS.includes(grant.action)) return false;
      return statementsWithin(grant, bucket, declared, inventory.documents);
    }
    if (principal.tenant === undefined) return false;
    if (owner !== undefined && owner === principal.tenant) return true;
    for (const allowance of this.options.grants ?? []) {
      if (allowance.principal !== user || allowance.bucket !== bucket) continue;
      if (allowance.prefixes === undefined) return true;
      if (!OBJECT_ACTIONS.includes(grant.action)) {
        if (PREFIX_GRANT_BUCKET_ACTIONS.has(grant.action)) return true;
        continue;
      }
      if (statementsWithin(grant, bucket, new Set(allowance.prefixes), inventory.documents)) {
        return true;
      }
    }
    return false;
  }
}

/**
 * Reads users, keys, groups, policies, attachments, buckets and bucket policies, noting every
 * value the preview does not know. Exported for the rules that need the same inventory.
 */
export function readInventory(index: StackIndex, options: AccessOptions = {}): AccessInventory {
  const findings: Finding[] = [];
  const unknown = (view: ResourceView, field: string) =>
    findings.push({
      kind: "unverifiable",
      urn: view.urn,
      message:
        `isolation: ${NOT_VERIFIABLE}: ` +
        `${shortType(view.type)} "${view.name}" has an unknown ${field}`,
    });
  const read = (view: ResourceView, field: string): string | undefined => {
    const value = view.props[field];
    if (isUnknown(value)) {
      unknown(view, field);
      return undefined;
    }
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const tenantOf = (view: ResourceView, name: string, convention: RegExp): string | undefined => {
    const declared = index.declaredTenant(view);
    if (declared === UNKNOWN) {
      unknown(view, "tenantId (declared by its component)");
      return undefined;
    }
    return declared ?? convention.exec(name)?.[1];
  };
  const flag = (view: ResourceView, field: string): boolean => {
    const value = view.props[field];
    if (isUnknown(value)) unknown(view, field);
    return value === true;
  };

  const buckets: BucketEntry[] = [];
  for (const view of index.ofType(TYPES.s3Bucket)) {
    const name = read(view, "bucket");
    if (name === undefined) continue;
    const tenant = tenantOf(view, name, BUCKET_CONVENTION);
    buckets.push({ name, urn: view.urn, ...(tenant !== undefined ? { tenant } : {}) });
  }
  buckets.sort((a, b) => compare(a.name, b.name));

  const users = new Map<string, { view: ResourceView; tenant?: string; disabled: boolean }>();
  for (const view of index.ofType(TYPES.iamUser)) {
    const name = read(view, "name");
    if (name === undefined) continue;
    const tenant = tenantOf(view, name, USER_CONVENTION);
    users.set(name, {
      view,
      disabled: flag(view, "disableUser"),
      ...(tenant !== undefined ? { tenant } : {}),
    });
  }

  const disabledGroups = new Set<string>();
  for (const view of index.ofType(TYPES.iamGroup)) {
    const name = read(view, "name");
    if (name !== undefined && flag(view, "disableGroup")) disabledGroups.add(name);
  }
  const groupsOf = new Map<string, string[]>();
  const join = (user: string, group: string) => {
    if (disabledGroups.has(group)) return;
    const list = groupsOf.get(user) ?? [];
    if (!list.includes(group)) list.push(group);
    groupsOf.set(user, list);
  };
  for (const view of index.ofType(TYPES.iamGroupMembership)) {
    const group = read(view, "group");
    const members = view.props.users;
    if (isUnknown(members)) unknown(view, "users");
    if (group === undefined || !Array.isArray(members)) continue;
    members.forEach((member, i) => {
      if (isUnknown(member)) unknown(view, `users[${i}]`);
      else if (typeof member === "string") join(member, group);
    });
  }
  for (const view of index.ofType(TYPES.iamGroupUserAttachment)) {
    const group = read(view, "groupName");
    const user = read(view, "userName");
    if (group !== undefined && user !== undefined) join(user, group);
  }

  const attachments = new Map<string, PolicyAttachment[]>();
  const attach = (policy: string, to: PolicyAttachment) => {
    const list = attachments.get(policy) ?? [];
    list.push(to);
    attachments.set(policy, list);
  };
  const attachmentViews = new Map<string, ResourceView>();
  for (const view of index.ofType(TYPES.iamUserPolicyAttachment)) {
    const user = read(view, "userName");
    const policy = read(view, "policyName");
    if (user === undefined || policy === undefined) continue;
    attach(policy, { kind: "user", name: user });
    attachmentViews.set(policy, view);
  }
  for (const view of index.ofType(TYPES.iamGroupPolicyAttachment)) {
    const group = read(view, "groupName");
    const policy = read(view, "policyName");
    if (group === undefined || policy === undefined) continue;
    attach(policy, { kind: "group", name: group });
    attachmentViews.set(policy, view);
  }

  const documents = new Map<string, PolicyDocument>();
  const policies: NamedPolicy[] = [];
  const defined = new Set<string>();
  const add = (
    view: ResourceView,
    name: string,
    text: string,
    attachedTo: PolicyAttachment[],
    bucket?: string,
  ) => {
    try {
      const canonical =
        bucket === undefined
          ? validateUserPolicy(text, "policy", MINIO_REFUSALS_ONLY)
          : validateBucketPolicy(text, "policy", bucket, MINIO_REFUSALS_ONLY);
      documents.set(name, canonical);
      if (attachedTo.length > 0) policies.push({ name, document: canonical, attachedTo });
    } catch (err) {
      // MinIO refuses the policy, so it grants nothing; the minio-accepts-policy rule says why.
      findings.push({
        kind: "refused",
        urn: view.urn,
        message: `${shortType(view.type)} "${view.name}" is refused by MinIO: ${errorText(err)}`,
      });
    }
  };

  for (const view of index.ofType(TYPES.iamPolicy)) {
    const name = read(view, "name");
    const text = read(view, "policy");
    if (name === undefined) continue;
    defined.add(name);
    if (text === undefined) {
      if (!isUnknown(view.props.policy)) continue;
      for (const to of attachments.get(name) ?? []) {
        findings.push({
          kind: "unverifiable",
          urn: view.urn,
          message:
            `isolation: ${NOT_VERIFIABLE}: the access of ${to.kind} ` +
            `"${(to as { name: string }).name}" depends on policy "${name}", ` +
            "whose document is unknown",
        });
      }
      continue;
    }
    add(view, name, text, attachments.get(name) ?? []);
  }
  for (const view of index.ofType(TYPES.iamGroupPolicy)) {
    const group = read(view, "group");
    const text = read(view, "policy");
    if (group === undefined || text === undefined) continue;
    add(view, `group-policy:${view.name}`, text, [{ kind: "group", name: group }]);
  }
  for (const [name, to] of attachments) {
    if (defined.has(name)) continue;
    const builtin = BUILTIN_POLICIES[name];
    if (builtin) {
      documents.set(name, builtin);
      policies.push({ name, document: builtin, attachedTo: to });
      continue;
    }
    findings.push({
      kind: "unverifiable",
      urn: attachmentViews.get(name)?.urn,
      message:
        `isolation: policy "${name}" is attached but neither defined in this stack nor a ` +
        "MinIO built-in, so what it grants cannot be verified",
    });
  }

  const serviceAccounts: AccessInventory["serviceAccounts"] = [];
  for (const view of index.ofType(TYPES.iamServiceAccount)) {
    const parent = read(view, "targetUser");
    if (parent === undefined) continue;
    const id = `${parent}/${view.name}`;
    const declared = index.declaredTenant(view);
    if (declared === UNKNOWN) unknown(view, "tenantId (declared by its component)");
    const tenant =
      (declared === UNKNOWN ? undefined : declared) ??
      users.get(parent)?.tenant ??
      USER_CONVENTION.exec(parent)?.[1];
    const policyValue = view.props.policy;
    let policy: string | undefined;
    if (isUnknown(policyValue)) {
      findings.push({
        kind: "unverifiable",
        urn: view.urn,
        message:
          `isolation: ${NOT_VERIFIABLE}: ` +
          `access key "${view.name}" of user "${parent}" has an unknown policy`,
      });
    } else if (typeof policyValue === "string" && policyValue !== "") {
      policy = policyValue;
      add(view, `access-key-policy:${view.name}`, policyValue, [
        { kind: "serviceAccount", accessKey: id },
      ]);
    }
    serviceAccounts.push({
      view,
      id,
      parent,
      disabled: flag(view, "disableUser"),
      ...(tenant !== undefined ? { tenant } : {}),
      ...(policy !== undefined ? { policy } : {}),
    });
  }
  serviceAccounts.sort((a, b) => compare(a.id, b.id));

  for (const view of index.ofType(TYPES.s3BucketPolicy)) {
    const bucket = read(view, "bucket");
    const text = read(view, "policy");
    if (bucket === undefined || text === undefined) continue;
    add(view, bucketPolicyName(bucket), text, [{ kind: "bucket", bucket }], bucket);
  }

  return {
    index,
    buckets,
    users,
    serviceAccounts,
    documents,
    policies,
    groupsOf,
    publicPrefixes: declaredPublicPrefixes(index, options.publicPrefixes ?? [], findings),
    findings,
  };
}

/** The name the evaluator reports for a bucket's policy. */
export function bucketPolicyName(bucket: string): string {
  return `bucket-policy:${bucket}`;
}

/**
 * Public prefixes by bucket: the configured `<bucket>/<prefix>` entries and every
 * ArtifactStore's `publicReadPrefixes` on its `bucketName`.
 */
export function declaredPublicPrefixes(
  index: StackIndex,
  configured: readonly string[],
  findings: Finding[] = [],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (bucket: string, prefix: string) => {
    const set = out.get(bucket) ?? new Set<string>();
    set.add(prefix.replace(/^\/+|\/+$/g, ""));
    out.set(bucket, set);
  };
  for (const entry of configured) {
    const slash = entry.indexOf("/");
    if (slash > 0 && slash < entry.length - 1) add(entry.slice(0, slash), entry.slice(slash + 1));
  }
  for (const store of index.ofType(TYPES.artifactStore)) {
    const bucket = store.props.bucketName;
    const prefixes = store.props.publicReadPrefixes;
    if (isUnknown(bucket) || isUnknown(prefixes)) {
      findings.push({
        kind: "unverifiable",
        urn: store.urn,
        message:
          `isolation: ${NOT_VERIFIABLE}: ` +
          `ArtifactStore "${store.name}" has unknown public prefixes`,
      });
      continue;
    }
    if (typeof bucket !== "string" || !Array.isArray(prefixes)) continue;
    for (const prefix of prefixes) if (typeof prefix === "string") add(bucket, prefix);
  }
  return out;
}

/**
 * Whether every resource of `bucket` in the statements that allowed `grant` lies under one of
 * `prefixes` (`arn:aws:s3:::<bucket>/<prefix>/...`); a grant decided by no known document fails.
 */
function statementsWithin(
  grant: ActionGrant,
  bucket: string,
  prefixes: ReadonlySet<string>,
  documents: ReadonlyMap<string, PolicyDocument>,
): boolean {
  if (grant.decidedBy.length === 0) return false;
  return grant.decidedBy.every((deciding) => {
    const statement = documents.get(deciding.policy)?.Statement[deciding.statementIndex];
    if (!statement) return false;
    return statement.Resource.every((resource) => {
      const path = resource === "*" ? "*" : resource.replace(/^arn:aws:s3:::/, "");
      if (path !== "*" && path !== bucket && !path.startsWith(`${bucket}/`)) {
        // Another bucket's resource in the same statement says nothing about this one.
        return !path.includes("*") && !path.includes("?");
      }
      return [...prefixes].some((prefix) => path.startsWith(`${bucket}/${prefix}/`));
    });
  });
}

function buildModel(policies: NamedPolicy[], findings: Finding[]): AccessModel {
  try {
    return new AccessModel(policies);
  } catch {
    // One policy the evaluator cannot model must not hide the others: keep those it can.
    const usable = policies.filter((policy) => {
      try {
        new AccessModel([policy]);
        return true;
      } catch (err) {
        findings.push({
          kind: "unverifiable",
          message: `isolation: policy "${policy.name}" cannot be evaluated: ${errorText(err)}`,
        });
        return false;
      }
    });
    return new AccessModel(usable);
  }
}

function violationFindings(
  principal: PrincipalEntry,
  bucket: string,
  owner: string | undefined,
  violating: readonly ActionGrant[],
): Finding[] {
  const byStatement = new Map<string, string[]>();
  for (const grant of violating) {
    const key = grant.decidedBy.map(describeStatement).join(" and ");
    const list = byStatement.get(key) ?? [];
    list.push(grant.action);
    byStatement.set(key, list);
  }
  const who =
    principal.kind === "anonymous"
      ? principal.label
      : `${principal.label} (${tenantLabel(principal.tenant)})`;
  const whose = owner === undefined ? "no tenant" : `tenant ${owner}`;
  const what =
    principal.kind === "anonymous" ? "outside a declared public read prefix" : `of ${whose}`;
  return [...byStatement].map(([statement, actions]) => ({
    kind: "violation" as const,
    urn: principal.urn,
    message:
      `isolation: ${who} can ${actions.join(", ")} on bucket "${bucket}" ${what}, ` +
      `allowed by ${statement}`,
  }));
}

function describeStatement(deciding: ActionGrant["decidedBy"][number]): string {
  const sid = deciding.sid ? ` (${deciding.sid})` : "";
  return `policy "${deciding.policy}" statement ${deciding.statementIndex}${sid}`;
}

/** How a principal's tenant reads in a message. */
function tenantLabel(tenant: string | undefined): string {
  return tenant === undefined ? "no tenant" : `tenant ${tenant}`;
}

/** `minio:index/iamUser:IamUser` to `IamUser`. */
export function shortType(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function doc(statements: PolicyDocument["Statement"]): PolicyDocument {
  return Object.freeze({ Version: "2012-10-17", Statement: statements }) as PolicyDocument;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
