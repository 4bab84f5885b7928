/**
 * Rules on policy documents, one resource at a time: IamPolicy, IamGroupPolicy, an access
 * key's own policy and S3BucketPolicy.
 */
import {
  ACCOUNT_ACTIONS,
  IDENTITY_VARIABLE_GLOBAL,
  hasWildcard,
  isObjectAction,
  MINIO_REFUSALS_ONLY,
  requestVariables,
  validateBucketPolicy,
  validateUserPolicy,
} from "../../components/iam";
import {
  ResourceRule,
  arnPath,
  label,
  policyOf,
  resourceRule,
  statementsOf,
  stringList,
} from "./common";
import { ResourceView, isUnknown } from "./resources";

export interface AdminConfig {
  /** MinIO policy names of explicit admin roles, exempt from the wildcard rules. Default none. */
  adminPolicyNames: string[];
}

const adminSchema = {
  properties: {
    adminPolicyNames: stringList(
      "MinIO policy names of explicit admin roles, which may use wildcards",
    ),
  },
};

function isAdminRole(view: ResourceView, config: AdminConfig): boolean {
  const holder = policyOf(view);
  return holder?.policyName !== undefined && config.adminPolicyNames.includes(holder.policyName);
}

/** CASES 4: `s3:*` also deletes the bucket and replaces its lifecycle; roles list actions. */
export const noWildcardActions: ResourceRule<AdminConfig> = resourceRule(
  {
    name: "no-wildcard-actions",
    description:
      "Policies list their actions: no '*', 's3:*' or other wildcard action outside an " +
      "explicit admin role (adminPolicyNames).",
    defaults: { adminPolicyNames: [] },
    configSchema: adminSchema,
  },
  (view, config) => {
    const holder = policyOf(view);
    const statements = holder && statementsOf(holder);
    if (!statements || isAdminRole(view, config)) return [];
    const out: string[] = [];
    statements.forEach((statement, i) => {
      if (statement.Effect !== "Allow") return;
      const wild = statement.Action.filter(hasWildcard);
      if (wild.length === 0) return;
      out.push(
        `${label(view)}: statement ${i} allows ${wild.map((a) => `"${a}"`).join(", ")}, ` +
          "which also covers actions such as s3:DeleteBucket and s3:PutLifecycleConfiguration; " +
          "list the actions the role needs (only adminPolicyNames may use wildcards)",
      );
    });
    return out;
  },
);

/** CASES 3: `arn:aws:s3:::user-1*` also matches `user-10-data`. */
export const noBucketWildcard: ResourceRule<AdminConfig> = resourceRule(
  {
    name: "no-bucket-wildcard-in-arn",
    description:
      "Resources name their bucket exactly: no '*' resource and no wildcard in the bucket " +
      "part of an ARN outside an explicit admin role (adminPolicyNames).",
    defaults: { adminPolicyNames: [] },
    configSchema: adminSchema,
  },
  (view, config) => {
    const holder = policyOf(view);
    const statements = holder && statementsOf(holder);
    if (!statements || isAdminRole(view, config)) return [];
    const out: string[] = [];
    statements.forEach((statement, i) => {
      if (statement.Effect !== "Allow") return;
      for (const resource of statement.Resource) {
        const path = arnPath(resource);
        const bucketPart = path.split("/")[0];
        // MinIO fills other variables from the request, so the caller picks the bucket.
        const chosen = requestVariables(bucketPart);
        if (chosen.length > 0) {
          out.push(
            `${label(view)}: statement ${i} resource "${resource}" takes its bucket name from ` +
              `${chosen.join(", ")}, which MinIO fills from the request, so the caller can name ` +
              "any bucket (even *); use the bucket's name or ${aws:username}",
          );
          continue;
        }
        // `${aws:username}` is the signed-in user's name, which the caller cannot choose; the
        // isolation proof checks what each member's name makes of it.
        if (!hasWildcard(bucketPart.replace(IDENTITY_VARIABLE_GLOBAL, ""))) continue;
        out.push(
          `${label(view)}: statement ${i} resource "${resource}" has a wildcard in the bucket ` +
            "name, so it also matches every other bucket that fits the pattern (user-1* matches " +
            "user-10-data); name the bucket exactly",
        );
      }
    });
    return out;
  },
);

/** CASES 3 and 5: object actions on a bare bucket ARN, or bucket actions on `bucket/*`. */
export const actionResourceKind: ResourceRule<Record<string, never>> = resourceRule(
  {
    name: "action-resource-kind",
    description:
      "Object actions only on object ARNs (arn:aws:s3:::<bucket>/*) and bucket actions only " +
      "on the bucket ARN (arn:aws:s3:::<bucket>).",
    defaults: {},
  },
  (view) => {
    const holder = policyOf(view);
    const statements = holder && statementsOf(holder);
    if (!statements) return [];
    const out: string[] = [];
    statements.forEach((statement, i) => {
      const concrete = statement.Action.filter(
        (a) => a.startsWith("s3:") && !hasWildcard(a) && !ACCOUNT_ACTIONS.includes(a),
      );
      const objectActions = concrete.filter(isObjectAction);
      const bucketActions = concrete.filter((a) => !isObjectAction(a));
      for (const resource of statement.Resource) {
        const path = arnPath(resource);
        if (path === "*") continue;
        const onObject = path.includes("/");
        if (!onObject && objectActions.length > 0) {
          out.push(
            `${label(view)}: statement ${i} grants object actions ${objectActions.join(", ")} ` +
              `on the bucket ARN "${resource}", which matches no object and grants nothing; ` +
              `use "${resource}/*"`,
          );
        }
        if (onObject && bucketActions.length > 0) {
          const bucketArn = `arn:aws:s3:::${path.split("/")[0]}`;
          out.push(
            `${label(view)}: statement ${i} grants bucket actions ${bucketActions.join(", ")} ` +
              `on the object ARN "${resource}"; bucket actions belong on "${bucketArn}"`,
          );
        }
      }
    });
    return out;
  },
);

/** CASES 6: what MinIO refuses, caught before apply with MinIO's reason. */
export const minioAcceptsPolicy: ResourceRule<Record<string, never>> = resourceRule(
  {
    name: "minio-accepts-policy",
    description:
      "No action, resource or field MinIO refuses: ACL actions, s3:ListObjects, another " +
      "Version, arn:minio: resources, admin: with s3: in one statement, Principal in a user " +
      "policy, the bare arn:aws:s3:::.",
    defaults: {},
  },
  (view) => {
    const holder = policyOf(view);
    if (!holder || isUnknown(holder.text)) return [];
    try {
      // The shape of resources is action-resource-kind's to judge, so it is not doubled here.
      if (holder.kind === "user") validateUserPolicy(holder.text, "policy", MINIO_REFUSALS_ONLY);
      else validateBucketPolicy(holder.text, "policy", holder.bucket, MINIO_REFUSALS_ONLY);
      return [];
    } catch (err) {
      return [
        `${label(view)} would be refused by MinIO: ` +
          `${err instanceof Error ? err.message : String(err)}`,
      ];
    }
  },
);

/** CASES 1: a bucket policy governs anonymous requests only; a named principal does nothing. */
export const bucketPolicyPrincipal: ResourceRule<Record<string, never>> = resourceRule(
  {
    name: "bucket-policy-principal",
    description:
      "Bucket policies name only the '*' principal: on MinIO a bucket policy governs " +
      "anonymous requests, so a principal naming a user has no effect.",
    defaults: {},
  },
  (view) => {
    const holder = policyOf(view);
    if (holder?.kind !== "bucket") return [];
    const statements = statementsOf(holder);
    if (!statements) return [];
    const out: string[] = [];
    statements.forEach((statement, i) => {
      const named = (statement.Principal?.AWS ?? []).filter((p) => p !== "*");
      if (named.length === 0) return;
      out.push(
        `${label(view)}: statement ${i} names principal ` +
          `${named.map((p) => `"${p}"`).join(", ")}, ` +
          "which has no effect on MinIO (bucket policies only govern anonymous requests); " +
          "grant users access with user or group policies",
      );
    });
    return out;
  },
);
