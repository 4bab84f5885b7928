/**
 * Rules on public exposure: on MinIO any Allow in a bucket policy is anonymous access, so it is
 * only acceptable on a prefix someone declared public, and only for reading.
 */
import { PUBLIC_READ_ACTIONS, declaredPublicPrefixes } from "../analysis";
import { StackRule, arnPath, label, policyOf, stackRule, statementsOf, stringList } from "./common";
import { ResourceView, StackIndex, TYPES, isUnknown } from "./resources";

export interface PublicConfig {
  /**
   * Prefixes declared public, as `<bucket>/<prefix>` (e.g. `artifacts-ci/charts`); an
   * ArtifactStore's publicReadPrefixes count as declared too. Default none.
   */
  publicPrefixes: string[];
}

const publicSchema = {
  properties: {
    publicPrefixes: stringList(
      "Prefixes anonymous callers may read, as <bucket>/<prefix> (ArtifactStore " +
        "publicReadPrefixes are declared too)",
    ),
  },
};

function bucketPolicies(index: StackIndex): { view: ResourceView; bucket: string }[] {
  const out: { view: ResourceView; bucket: string }[] = [];
  for (const view of index.ofType(TYPES.s3BucketPolicy)) {
    const bucket = view.props.bucket;
    if (typeof bucket === "string" && !isUnknown(bucket)) out.push({ view, bucket });
  }
  return out;
}

/** CASES 1: every Allow is public access; it must be a read of a declared prefix. */
export const publicReadOnlyDeclared: StackRule<PublicConfig> = stackRule(
  {
    name: "bucket-policy-declared-public-read",
    description:
      "An Allow in a bucket policy is anonymous access: only read actions, only on a " +
      "declared public prefix (arn:aws:s3:::<bucket>/<prefix>/*).",
    defaults: { publicPrefixes: [] },
    configSchema: publicSchema,
  },
  (resources, config) => {
    const index = new StackIndex(resources);
    const declared = declaredPublicPrefixes(index, config.publicPrefixes);
    const out: { message: string; urn: string }[] = [];
    for (const { view, bucket } of bucketPolicies(index)) {
      const prefixes = declared.get(bucket);
      // A bucket with nothing declared is private-buckets-no-policy's to report.
      if (!prefixes) continue;
      const holder = policyOf(view);
      const statements = holder && statementsOf(holder);
      if (!statements) continue;
      statements.forEach((statement, i) => {
        if (statement.Effect !== "Allow") return;
        const writes = statement.Action.filter((a) => !PUBLIC_READ_ACTIONS.includes(a));
        if (writes.length > 0) {
          out.push({
            urn: view.urn,
            message:
              `${label(view)}: statement ${i} gives anonymous callers ${writes.join(", ")} on ` +
              `bucket "${bucket}"; a public prefix allows only reading objects (s3:GetObject)`,
          });
        }
        for (const resource of statement.Resource) {
          const path = arnPath(resource);
          const inside = [...prefixes].some((p) => path.startsWith(`${bucket}/${p}/`));
          if (inside) continue;
          out.push({
            urn: view.urn,
            message:
              `${label(view)}: statement ${i} exposes "${resource}", which is not under a ` +
              `declared public prefix of bucket "${bucket}" (declared: ` +
              `${[...prefixes].map((p) => `${bucket}/${p}`).join(", ")})`,
          });
        }
      });
    }
    return out;
  },
);

/** CASES 2: a private bucket has no bucket policy at all, and no public ACL. */
export const privateBucketsNoPolicy: StackRule<PublicConfig> = stackRule(
  {
    name: "private-buckets-no-policy",
    description:
      "Buckets are private unless a public prefix is declared for them: no bucket policy on " +
      "any other bucket, and no public ACL on any bucket.",
    defaults: { publicPrefixes: [] },
    configSchema: publicSchema,
  },
  (resources, config) => {
    const index = new StackIndex(resources);
    const declared = declaredPublicPrefixes(index, config.publicPrefixes);
    const out: { message: string; urn: string }[] = [];
    for (const { view, bucket } of bucketPolicies(index)) {
      if (declared.has(bucket)) continue;
      out.push({
        urn: view.urn,
        message:
          `${label(view)} gives anonymous access to bucket "${bucket}", which has no declared ` +
          "public prefix (publicPrefixes or an ArtifactStore's publicReadPrefixes); a private " +
          "bucket has no bucket policy",
      });
    }
    for (const view of index.ofType(TYPES.s3Bucket)) {
      const acl = view.props.acl;
      if (typeof acl !== "string" || isUnknown(acl) || acl === "private") continue;
      out.push({
        urn: view.urn,
        message:
          `${label(view)} has acl "${acl}", which exposes the whole bucket; use acl "private" ` +
          "(a declared public prefix is granted by a bucket policy)",
      });
    }
    return out;
  },
);
