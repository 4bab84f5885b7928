/**
 * Figures read off a recorded run: how many resources of each kind, and how deep the
 * dependency graph is, i.e. the longest chain of resources `pulumi up` has to create one
 * after another however many it may create at once.
 */
import type { RecordedResource } from "../../tools/mock-runtime";

/** The longest creation chain and its length in custom resources. */
export interface DepthResult {
  /** Custom resources on the longest chain (components are free: nothing is created). */
  depth: number;
  /** The chain's resource names, first created first. */
  chain: string[];
}

/**
 * The longest chain of resources that must be created one after another. A resource waits for
 * every resource its RegisterResource request depends on (`dependsOn`, a component standing
 * for all its children, and the resources behind its Output inputs), for its parent and for
 * its provider. Components register instantly, so only custom resources add to a chain.
 */
export function dependencyDepth(resources: readonly RecordedResource[]): DepthResult {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const memo = new Map<string, DepthResult>();
  const visiting = new Set<string>();

  const longest = (urn: string): DepthResult => {
    const known = memo.get(urn);
    if (known) return known;
    const resource = byUrn.get(urn);
    if (!resource) return { depth: 0, chain: [] };
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let best: DepthResult = { depth: 0, chain: [] };
    const before = [...resource.dependencies, resource.parent, resource.provider];
    for (const dependency of before) {
      if (dependency === undefined) continue;
      const candidate = longest(dependency);
      if (candidate.depth > best.depth) best = candidate;
    }
    visiting.delete(urn);
    const result = resource.custom
      ? { depth: best.depth + 1, chain: [...best.chain, resource.name] }
      : best;
    memo.set(urn, result);
    return result;
  };

  let deepest: DepthResult = { depth: 0, chain: [] };
  for (const resource of resources) {
    const candidate = longest(resource.urn);
    if (candidate.depth > deepest.depth) deepest = candidate;
  }
  return deepest;
}

/** Counts of what a run registered. */
export interface ResourceCounts {
  /** Every registered resource, components included. */
  total: number;
  custom: number;
  components: number;
  /** `minio.IamPolicy` resources: the policies MinIO has to store and evaluate. */
  iamPolicies: number;
}

export function countResources(resources: readonly RecordedResource[]): ResourceCounts {
  const custom = resources.filter((r) => r.custom).length;
  return {
    total: resources.length,
    custom,
    components: resources.length - custom,
    iamPolicies: resources.filter((r) => r.type === "minio:index/iamPolicy:IamPolicy").length,
  };
}

/**
 * One line per custom resource, `type name inputs secret-paths` with object keys sorted, sorted:
 * two programs that register the same resources with the same inputs give the same lines.
 */
export function resourceSignature(resources: readonly RecordedResource[]): string[] {
  return resources
    .filter((r) => r.custom)
    .map(
      (r) => `${r.type} ${r.name} ${stableJson(r.inputs)} ${[...r.secretPaths].sort().join(",")}`,
    )
    .sort();
}

/** JSON with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
