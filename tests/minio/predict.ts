/**
 * Puts MinIO's real answers next to the evaluator's predictions. The principals, groups,
 * policies and tenants come from the policy pack's own inventory of a stack's resources
 * (policy-pack/analysis.ts), so the tier checks the very reading of the stack the isolation
 * proof relies on; this file only maps the probe's principals onto it and compares.
 */
import {
  AccessModel,
  OBJECT_ACTIONS,
  type AccessPrincipal,
  type AccessRequest,
} from "../../components/iam";
import type { ApplyReport } from "../../tools/mc-apply";
import type { RecordedResource } from "../../tools/mock-runtime";
import { readInventory, type AccessInventory } from "../../policy-pack/analysis";
import { StackIndex, fromRecorded } from "../../policy-pack/rules/resources";
import { ANONYMOUS, type ProbePrincipal, type ProbeRecord } from "./s3-probe";

/** A probe principal with what the evaluator and the isolation check need to know about it. */
export interface KnownPrincipal {
  probe: ProbePrincipal;
  access: AccessPrincipal;
  /** The tenant the stack attributes it to; undefined for the anonymous caller. */
  tenant?: string;
}

/** One request on which MinIO and the evaluator answered differently. */
export interface Disagreement {
  record: ProbeRecord;
  predicted: boolean;
  reason: string;
}

export interface Comparison {
  compared: number;
  agreements: number;
  disagreements: Disagreement[];
  /**
   * Requests MinIO allowed on a bucket of another tenant (or, for the anonymous caller, outside
   * a declared public prefix).
   */
  crossTenant: ProbeRecord[];
}

/** The evaluator's view of one applied stack. */
export class Predictor {
  readonly inventory: AccessInventory;
  readonly model: AccessModel;
  /** Every principal that can sign a request, then the anonymous caller, by probe name. */
  readonly principals = new Map<string, KnownPrincipal>();
  private readonly bucketTenant: Map<string, string | undefined>;

  /**
   * @param resources the mock run's resources, as applied
   * @param report what the apply created, for the principals' real access keys and secrets
   */
  constructor(resources: readonly RecordedResource[], report: ApplyReport) {
    this.inventory = readInventory(new StackIndex(fromRecorded(resources)));
    const refused = this.inventory.findings.filter((f) => f.kind !== "unattributed");
    if (refused.length > 0) {
      // An unverifiable or refused policy would make every prediction below a guess.
      throw new Error(`the stack cannot be predicted: ${refused.map((f) => f.message).join("; ")}`);
    }
    this.model = new AccessModel(this.inventory.policies);
    this.bucketTenant = new Map(this.inventory.buckets.map((b) => [b.name, b.tenant]));

    for (const p of report.principals) {
      const probe = { name: p.accessKey, accessKey: p.accessKey, secretKey: p.secretKey };
      if (p.kind === "user") {
        const user = this.inventory.users.get(p.accessKey);
        if (!user) throw new Error(`applied user ${p.accessKey} is not in the stack's inventory`);
        this.principals.set(probe.name, {
          probe,
          access: {
            kind: "user",
            name: p.accessKey,
            groups: this.inventory.groupsOf.get(p.accessKey) ?? [],
            disabled: user.disabled,
          },
          tenant: user.tenant,
        });
        continue;
      }
      // The inventory names an access key `<user>/<resource name>`: the real key is only
      // known after the apply, and MinIO makes it up.
      const id = `${p.parentUser}/${p.resourceName}`;
      const key = this.inventory.serviceAccounts.find((sa) => sa.id === id);
      if (!key) throw new Error(`applied access key ${id} is not in the stack's inventory`);
      this.principals.set(probe.name, {
        probe,
        access: {
          kind: "serviceAccount",
          accessKey: id,
          parent: key.parent,
          parentGroups: this.inventory.groupsOf.get(key.parent) ?? [],
          disabled: key.disabled || (this.inventory.users.get(key.parent)?.disabled ?? false),
        },
        tenant: key.tenant,
      });
    }
    this.principals.set(ANONYMOUS.name, { probe: ANONYMOUS, access: { kind: "anonymous" } });
  }

  /** The probe principals, anonymous last. */
  probePrincipals(): ProbePrincipal[] {
    return [...this.principals.values()].map((p) => p.probe);
  }

  /** The stack's buckets, sorted. */
  buckets(): string[] {
    return this.inventory.buckets.map((b) => b.name);
  }

  tenantOfBucket(bucket: string): string | undefined {
    return this.bucketTenant.get(bucket);
  }

  principal(name: string): KnownPrincipal {
    const known = this.principals.get(name);
    if (!known) throw new Error(`no principal named ${name} in the stack`);
    return known;
  }

  /** The evaluator's request for a probe record. */
  request(record: ProbeRecord): AccessRequest {
    return {
      principal: this.principal(record.principal).access,
      action: record.action,
      bucket: record.bucket,
      ...(record.key !== undefined ? { key: record.key } : {}),
      ...(record.prefix !== undefined ? { prefix: record.prefix } : {}),
    };
  }

  /**
   * Object keys worth probing beyond the default `probe/` one: for each object action the
   * evaluator grants the principal on the bucket, a key next to the grant's witness (so a
   * prefix-limited role such as a pipeline writer or the public charts prefix is probed inside
   * its prefix, not only outside it).
   */
  grantedKeys(name: string, bucket: string): string[] {
    const known = this.principal(name);
    const folders = new Set<string>();
    for (const grant of this.model.allowedActions(known.access, bucket)) {
      if (!OBJECT_ACTIONS.includes(grant.action) || grant.witness.key === undefined) continue;
      const key = grant.witness.key;
      folders.add(key.slice(0, key.lastIndexOf("/") + 1));
    }
    folders.delete("probe/");
    const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
    return [...folders].sort().map((folder) => `${folder}probe-${safe}.txt`);
  }

  /** Whether MinIO allowing `record` would cross a tenant boundary. */
  crossesTenants(record: ProbeRecord): boolean {
    const known = this.principal(record.principal);
    if (known.access.kind === "anonymous") {
      const declared = this.inventory.publicPrefixes.get(record.bucket);
      if (!declared || record.key === undefined) return true;
      return ![...declared].some((prefix) => record.key!.startsWith(`${prefix}/`));
    }
    const owner = this.tenantOfBucket(record.bucket);
    return known.tenant === undefined || owner === undefined || owner !== known.tenant;
  }

  /** Compares every record with the evaluator's decision for the same request. */
  compare(records: readonly ProbeRecord[]): Comparison {
    const result: Comparison = { compared: 0, agreements: 0, disagreements: [], crossTenant: [] };
    for (const record of records) {
      const decision = this.model.evaluate(this.request(record));
      result.compared++;
      if (decision.allowed === record.allowed) result.agreements++;
      else
        result.disagreements.push({ record, predicted: decision.allowed, reason: decision.reason });
      if (record.allowed && this.crossesTenants(record)) result.crossTenant.push(record);
    }
    return result;
  }
}

/** One line per disagreement: principal, bucket, action, MinIO's answer and the evaluator's. */
export function describeDisagreements(disagreements: readonly Disagreement[]): string {
  return disagreements
    .map(({ record: r, predicted, reason }) => {
      const where = r.key !== undefined ? `${r.bucket}/${r.key}` : r.bucket;
      const prefix = r.prefix !== undefined ? ` prefix=${r.prefix}` : "";
      return (
        `${r.principal} ${r.operation} (${r.action}) on ${where}${prefix}: ` +
        `MinIO ${r.allowed ? "allowed" : "denied"} (${r.status}), ` +
        `evaluator ${predicted ? "allowed" : "denied"} (${reason})`
      );
    })
    .join("\n");
}
