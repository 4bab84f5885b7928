/** Labels and annotations shared by every Kubernetes object the library creates. */

export type StringMap = Record<string, string>;

/** The `app.kubernetes.io/*` labels every object carries; the caller cannot remove them. */
export function recommendedLabels(instance: string, component: string): StringMap {
  return {
    "app.kubernetes.io/name": "minio",
    "app.kubernetes.io/instance": instance,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "minio-platform",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/**
 * Merges the caller's labels with the recommended ones. The recommended labels win, because
 * selectors and policies in this library depend on them.
 */
export function mergeLabels(
  instance: string,
  component: string,
  extra: StringMap | undefined,
): StringMap {
  return sortKeys({ ...(extra ?? {}), ...recommendedLabels(instance, component) });
}

/** A copy with keys in sorted order, so serialised manifests are byte-stable. */
export function sortKeys<V>(map: Record<string, V>): Record<string, V> {
  const sorted: Record<string, V> = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key];
  return sorted;
}
