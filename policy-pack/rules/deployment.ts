/**
 * MinioDeployment hardening, read from the Kubernetes objects themselves so that a deployment
 * written by hand is held to the same bar.
 */
import { planErasure } from "../../components/erasure";
import {
  ResourceRule,
  StackFinding,
  StackRule,
  at,
  label,
  resourceRule,
  stackRule,
  stringList,
  stringMap,
} from "./common";
import { ResourceView, StackIndex, TYPES } from "./resources";

/** The label the platform puts on every object of an environment. */
export const ENVIRONMENT_LABEL = "minio-platform/environment";
/** The label the platform puts on MinIO's objects when the stack sets `production: true`. */
export const PRODUCTION_LABEL = "minio-platform/production";

/** Whether a StatefulSet runs MinIO: the recommended name label, or a MinIO image. */
export function isMinioStatefulSet(view: ResourceView): boolean {
  if (view.type !== TYPES.statefulSet) return false;
  if (stringMap(at(view.props, "metadata", "labels"))["app.kubernetes.io/name"] === "minio") {
    return true;
  }
  return containers(view).some((c) => typeof c.image === "string" && /minio\/minio/.test(c.image));
}

function containers(view: ResourceView): Record<string, unknown>[] {
  const list = at(view.props, "spec", "template", "spec", "containers");
  return Array.isArray(list)
    ? list.filter((c): c is Record<string, unknown> => typeof c === "object" && c !== null)
    : [];
}

function containerName(c: Record<string, unknown>, i: number): string {
  return typeof c.name === "string" ? c.name : `#${i}`;
}

/** Resource limits, non-root, and a pinned image on every MinIO container. */
export const statefulSetHardening: ResourceRule<Record<string, never>> = resourceRule(
  {
    name: "minio-statefulset-hardening",
    description:
      "MinIO StatefulSets set CPU and memory limits, run as non-root, and use a tagged image " +
      "other than latest.",
    defaults: {},
  },
  (view) => {
    if (!isMinioStatefulSet(view)) return [];
    const podNonRoot = at(
      view.props,
      "spec",
      "template",
      "spec",
      "securityContext",
      "runAsNonRoot",
    );
    const podUser = at(view.props, "spec", "template", "spec", "securityContext", "runAsUser");
    const out: string[] = [];
    containers(view).forEach((c, i) => {
      const name = `${label(view)} container "${containerName(c, i)}"`;
      const limits = stringMap(at(c, "resources", "limits"));
      const missing = ["cpu", "memory"].filter((k) => limits[k] === undefined);
      if (missing.length > 0) out.push(`${name} has no ${missing.join(" or ")} limit`);
      const nonRoot = at(c, "securityContext", "runAsNonRoot") ?? podNonRoot;
      const user = at(c, "securityContext", "runAsUser") ?? podUser;
      if (nonRoot !== true || user === 0) {
        out.push(
          `${name} may run as root: ` +
            "set securityContext.runAsNonRoot: true and a non-zero runAsUser",
        );
      }
      const image = typeof c.image === "string" ? c.image : "";
      const tag = imageTag(image);
      if (tag === undefined || tag === "latest") {
        out.push(
          `${name} uses image "${image}" ` +
            `${tag === undefined ? "without a tag" : 'tagged "latest"'}; ` +
            "pin a release tag or digest",
        );
      }
    });
    return out;
  },
);

/** The tag of an image reference, `@digest` counting as pinned; `undefined` when untagged. */
export function imageTag(image: string): string | undefined {
  if (image.includes("@")) return image.slice(image.indexOf("@") + 1);
  const last = image.slice(image.lastIndexOf("/") + 1);
  return last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
}

export interface ProductionConfig {
  /** Treat every stack checked with this config as production. Default `false`. */
  production: boolean;
  /**
   * Values of the minio-platform/environment label that mean production.
   * Default `["prod", "production"]`.
   */
  productionEnvironments: string[];
}

/** TLS is on for MinIO in production: every server URL is https and certs are mounted. */
export const tlsInProduction: ResourceRule<ProductionConfig> = resourceRule(
  {
    name: "minio-tls-in-production",
    description:
      'In production (config production, the label minio-platform/production: "true", or a ' +
      "minio-platform/environment label listed in productionEnvironments) MinIO serves and " +
      "talks between servers over TLS.",
    defaults: { production: false, productionEnvironments: ["prod", "production"] },
    configSchema: {
      properties: {
        production: { type: "boolean", default: false, description: "The stack is production" },
        productionEnvironments: stringList(
          "minio-platform/environment label values that mean production",
          ["prod", "production"],
        ),
      },
    },
  },
  (view, config) => {
    if (!isMinioStatefulSet(view)) return [];
    const labels = stringMap(at(view.props, "metadata", "labels"));
    const environment = labels[ENVIRONMENT_LABEL];
    const production =
      config.production ||
      labels[PRODUCTION_LABEL] === "true" ||
      (environment !== undefined && config.productionEnvironments.includes(environment));
    if (!production) return [];
    const out: string[] = [];
    containers(view).forEach((c, i) => {
      const args = [
        ...(Array.isArray(c.command) ? c.command : []),
        ...(Array.isArray(c.args) ? c.args : []),
      ].filter((a): a is string => typeof a === "string");
      const plain = args.filter((a) => a.startsWith("http://"));
      if (plain.length > 0 || !args.includes("--certs-dir")) {
        out.push(
          `${label(view)} container "${containerName(c, i)}" runs MinIO without TLS in ` +
            `production${environment !== undefined ? ` (environment "${environment}")` : ""}; ` +
            "set tls to an existing Secret or cert-manager",
        );
      }
    });
    return out;
  },
);

/** Each MinIO StatefulSet has a PodDisruptionBudget selecting its pods. */
export const podDisruptionBudget: StackRule<Record<string, never>> = stackRule(
  {
    name: "minio-pod-disruption-budget",
    description:
      "Every MinIO StatefulSet has a PodDisruptionBudget in its namespace selecting its pods, " +
      "so node drains cannot take down write quorum.",
    defaults: {},
  },
  (resources) => {
    const index = new StackIndex(resources);
    const budgets = index.ofType(TYPES.podDisruptionBudget);
    const out: StackFinding[] = [];
    for (const set of resources.filter(isMinioStatefulSet)) {
      const namespace = at(set.props, "metadata", "namespace");
      const podLabels = stringMap(at(set.props, "spec", "template", "metadata", "labels"));
      const covered = budgets.some((pdb) => {
        if (at(pdb.props, "metadata", "namespace") !== namespace) return false;
        const selector = stringMap(at(pdb.props, "spec", "selector", "matchLabels"));
        const keys = Object.keys(selector);
        return keys.length > 0 && keys.every((k) => podLabels[k] === selector[k]);
      });
      if (!covered) {
        out.push({
          urn: set.urn,
          message: `${label(set)} has no PodDisruptionBudget selecting its pods`,
        });
      }
    }
    return out;
  },
);

/** The pools of one deployment form a layout MinIO can start (components/erasure.ts). */
export const erasureLayout: StackRule<Record<string, never>> = stackRule(
  {
    name: "minio-erasure-layout",
    description:
      "The pools of each MinIO deployment (replicas x data volumes per StatefulSet) and its " +
      "MINIO_STORAGE_CLASS_STANDARD parity form a valid erasure layout.",
    defaults: {},
  },
  (resources) => {
    const groups = new Map<string, ResourceView[]>();
    for (const set of resources.filter(isMinioStatefulSet)) {
      const labels = stringMap(at(set.props, "metadata", "labels"));
      const namespace = String(at(set.props, "metadata", "namespace"));
      const key = `${namespace}/${labels["app.kubernetes.io/instance"] ?? set.name}`;
      groups.set(key, [...(groups.get(key) ?? []), set]);
    }
    const out: StackFinding[] = [];
    for (const sets of groups.values()) {
      sets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const pools = sets.map((set) => ({
        servers: Number(at(set.props, "spec", "replicas") ?? 1),
        drivesPerServer: (() => {
          const templates = at(set.props, "spec", "volumeClaimTemplates");
          return Array.isArray(templates) ? templates.length : 0;
        })(),
      }));
      const parity = parityOf(sets[0]);
      try {
        planErasure(pools, parity);
      } catch (err) {
        out.push({
          urn: sets[0].urn,
          message:
            `${sets.map(label).join(", ")}: ` +
            `${pools.map((p) => `${p.servers} x ${p.drivesPerServer}`).join(" + ")} drives` +
            `${parity !== undefined ? ` with EC:${parity}` : ""} is not a layout MinIO can run: ` +
            (err instanceof Error ? err.message : String(err)),
        });
      }
    }
    return out;
  },
);

function parityOf(set: ResourceView): number | undefined {
  for (const c of containers(set)) {
    const env = Array.isArray(c.env) ? c.env : [];
    for (const e of env) {
      const entry = e as { name?: unknown; value?: unknown };
      if (entry.name !== "MINIO_STORAGE_CLASS_STANDARD" || typeof entry.value !== "string")
        continue;
      const match = /^EC:(\d+)$/.exec(entry.value);
      if (match) return Number(match[1]);
    }
  }
  return undefined;
}
