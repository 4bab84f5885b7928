/**
 * Stack rules about principals: the isolation proof, no admin rights for tenants, and Velero
 * users that can do exactly what Velero needs.
 */
import { VELERO_ACTIONS } from "../../components/iam";
import { AccessGrant, analyseAccess, readInventory } from "../analysis";
import { StackFinding, StackRule, label, stackRule, stringList } from "./common";
import { ResourceView, StackIndex, TYPES, isUnknown } from "./resources";

export interface IsolationConfig {
  /** Prefixes declared public, as `<bucket>/<prefix>`. Default none. */
  publicPrefixes: string[];
  /** Cross-tenant accesses allowed on purpose. Default none. */
  grants: AccessGrant[];
}

/**
 * The isolation proof: every principal (user, access key, group member, anonymous) reaches only
 * its own tenant's buckets, granted prefixes and declared public prefixes, over every bucket and
 * object action MinIO knows. Unknown values are reported as not verifiable, never passed.
 */
export const tenantIsolation: StackRule<IsolationConfig> = stackRule(
  {
    name: "tenant-isolation",
    description:
      "Proves with the MinIO evaluator that no principal can do anything on a bucket of " +
      "another tenant, and that anonymous callers reach only declared public prefixes.",
    defaults: { publicPrefixes: [], grants: [] },
    configSchema: {
      properties: {
        publicPrefixes: stringList("Prefixes anonymous callers may read, as <bucket>/<prefix>"),
        grants: {
          type: "array",
          default: [],
          description: "Cross-tenant accesses allowed on purpose",
          items: {
            type: "object",
            required: ["principal", "bucket"],
            properties: {
              principal: { type: "string" },
              bucket: { type: "string" },
              prefixes: { type: "array", items: { type: "string" } },
            },
          },
        },
      },
    },
  },
  (resources, config) =>
    analyseAccess(resources, config)
      .findings.filter((f) => f.kind !== "refused")
      .map((f) => ({ message: f.message, ...(f.urn !== undefined ? { urn: f.urn } : {}) })),
);

/** Tenant principals never administer the server. */
export const noAdminForTenants: StackRule<Record<string, never>> = stackRule(
  {
    name: "no-admin-for-tenants",
    description:
      "No policy attached to a tenant's user, group or access key grants admin: actions.",
    defaults: {},
  },
  (resources) => {
    const inventory = readInventory(new StackIndex(resources));
    const membersOf = new Map<string, string[]>();
    for (const [user, groups] of inventory.groupsOf) {
      for (const group of groups) membersOf.set(group, [...(membersOf.get(group) ?? []), user]);
    }
    const out: StackFinding[] = [];
    for (const policy of inventory.policies) {
      const document = inventory.documents.get(policy.name);
      const admin = [
        ...new Set(
          (document?.Statement ?? [])
            .filter((s) => s.Effect === "Allow")
            .flatMap((s) => s.Action.filter((a) => a.startsWith("admin:"))),
        ),
      ];
      if (admin.length === 0) continue;
      const targets = Array.isArray(policy.attachedTo) ? policy.attachedTo : [policy.attachedTo];
      for (const target of targets) {
        const holders: { who: string; tenant?: string; urn?: string }[] = [];
        if (target.kind === "user" || target.kind === "group") {
          const users = target.kind === "user" ? [target.name] : (membersOf.get(target.name) ?? []);
          for (const name of users) {
            const user = inventory.users.get(name);
            const via = target.kind === "group" ? ` (through group "${target.name}")` : "";
            holders.push({
              who: `user "${name}"${via}`,
              tenant: user?.tenant,
              urn: user?.view.urn,
            });
          }
        } else if (target.kind === "serviceAccount") {
          const sa = inventory.serviceAccounts.find((s) => s.id === target.accessKey);
          if (sa) {
            holders.push({
              who: `access key "${sa.view.name}" of user "${sa.parent}"`,
              tenant: sa.tenant,
              urn: sa.view.urn,
            });
          }
        }
        for (const holder of holders) {
          if (holder.tenant === undefined) continue;
          out.push({
            ...(holder.urn !== undefined ? { urn: holder.urn } : {}),
            message:
              `policy "${policy.name}" gives ${holder.who} of tenant ${holder.tenant} ` +
              `${admin.join(", ")}; tenant principals never get admin: actions`,
          });
        }
      }
    }
    return out;
  },
);

const VELERO_SET: readonly string[] = [
  ...VELERO_ACTIONS.bucket,
  ...VELERO_ACTIONS.list,
  ...VELERO_ACTIONS.object,
].sort();

/** The users and buckets of each VeleroTarget, found by parent chain. */
function veleroTargets(index: StackIndex): {
  target: ResourceView;
  users: string[];
  buckets: string[];
}[] {
  return index.ofType(TYPES.veleroTarget).map((target) => {
    const within = (type: string, field: string) =>
      index
        .ofType(type)
        .filter((r) => index.ancestors(r).some((a) => a.urn === target.urn))
        .map((r) => r.props[field])
        .filter((v): v is string => typeof v === "string" && !isUnknown(v));
    return {
      target,
      users: within(TYPES.iamUser, "name"),
      buckets: within(TYPES.s3Bucket, "bucket"),
    };
  });
}

/** Velero's user holds exactly Velero's actions, on its own bucket and nowhere else. */
export const veleroExactActions: StackRule<Record<string, never>> = stackRule(
  {
    name: "velero-exact-actions",
    description:
      "A VeleroTarget's user can do exactly what Velero needs (s3:ListBucket on the bucket; " +
      "Get, Put, Delete, AbortMultipartUpload, ListMultipartUploadParts on its objects) on its " +
      "own bucket, and nothing on any other bucket.",
    defaults: {},
  },
  (resources) => {
    const index = new StackIndex(resources);
    const targets = veleroTargets(index);
    if (targets.length === 0) return [];
    const users = new Set(targets.flatMap((t) => t.users));
    const analysis = analyseAccess(resources, { onlyUsers: users });
    const out: StackFinding[] = [];
    for (const { target, users: names, buckets } of targets) {
      for (const user of names) {
        for (const bucket of buckets) {
          const cell = analysis.cells.find((c) => c.principal === user && c.bucket === bucket);
          const actions = (cell?.grants ?? []).map((g) => g.action);
          const extra = actions.filter((a) => !VELERO_SET.includes(a));
          const missing = VELERO_SET.filter((a) => !actions.includes(a));
          if (extra.length > 0) {
            out.push({
              urn: target.urn,
              message:
                `${label(target)}: user "${user}" can ${extra.join(", ")} on bucket ` +
                `"${bucket}", beyond what Velero needs`,
            });
          }
          if (missing.length > 0) {
            out.push({
              urn: target.urn,
              message:
                `${label(target)}: user "${user}" cannot ${missing.join(", ")} on bucket ` +
                `"${bucket}", which Velero needs for backups and restores`,
            });
          }
        }
        for (const cell of analysis.cells) {
          if (cell.principal !== user || buckets.includes(cell.bucket)) continue;
          out.push({
            urn: target.urn,
            message:
              `${label(target)}: user "${user}" can ` +
              `${cell.grants.map((g) => g.action).join(", ")} on bucket "${cell.bucket}", ` +
              "which is not its own",
          });
        }
      }
    }
    return out;
  },
);

/** CASES 11: a versioned Velero bucket keeps deleted backups unless old versions expire. */
export const veleroVersionedExpiry: StackRule<Record<string, never>> = stackRule(
  {
    name: "velero-versioned-expiry",
    description:
      "A versioned (or object-locked) Velero bucket has lifecycle rules expiring non-current " +
      "versions and delete markers, so deleted backups do not stay forever.",
    defaults: {},
  },
  (resources) => {
    const index = new StackIndex(resources);
    const velero = new Map<string, ResourceView>();
    for (const { target, buckets } of veleroTargets(index)) {
      for (const bucket of buckets) velero.set(bucket, target);
    }
    // Buckets a BackupStorageLocation points at are Velero's, whoever created them.
    for (const r of resources) {
      if (r.props.kind !== "BackupStorageLocation") continue;
      const spec = r.props.spec as { objectStorage?: { bucket?: unknown } } | undefined;
      const bucket = spec?.objectStorage?.bucket;
      if (typeof bucket === "string" && !isUnknown(bucket) && !velero.has(bucket)) {
        velero.set(bucket, r);
      }
    }
    const versioned = new Set<string>();
    for (const r of index.ofType(TYPES.s3BucketVersioning)) {
      const status = (r.props.versioningConfiguration as { status?: unknown } | undefined)?.status;
      if (typeof r.props.bucket === "string" && status === "Enabled") versioned.add(r.props.bucket);
    }
    for (const r of index.ofType(TYPES.s3Bucket)) {
      if (typeof r.props.bucket === "string" && r.props.objectLocking === true) {
        versioned.add(r.props.bucket);
      }
    }
    const rulesOf = new Map<string, Record<string, unknown>[]>();
    for (const r of index.ofType(TYPES.ilmPolicy)) {
      if (typeof r.props.bucket !== "string" || !Array.isArray(r.props.rules)) continue;
      const rules = (r.props.rules as unknown[]).filter(
        (x): x is Record<string, unknown> => typeof x === "object" && x !== null,
      );
      rulesOf.set(r.props.bucket, [...(rulesOf.get(r.props.bucket) ?? []), ...rules]);
    }
    const out: StackFinding[] = [];
    for (const [bucket, owner] of velero) {
      if (!versioned.has(bucket)) continue;
      const enabled = (rulesOf.get(bucket) ?? []).filter((r) => r.status !== "Disabled");
      const missing: string[] = [];
      if (!enabled.some((r) => typeof r.noncurrentVersionExpirationDays === "number")) {
        missing.push("non-current versions");
      }
      if (!enabled.some((r) => r.expiration === "DeleteMarker")) missing.push("delete markers");
      if (missing.length === 0) continue;
      out.push({
        urn: owner.urn,
        message:
          `${label(owner)}: bucket "${bucket}" is versioned but no lifecycle rule expires its ` +
          `${missing.join(" or ")}, so deleted backups stay forever`,
      });
    }
    return out;
  },
);
