/**
 * Every rule of the pack, in the order reports list them. Importing this module starts nothing;
 * index.ts hands the list to the PolicyPack constructor, which tests never call.
 */
import { Rule } from "./rules/common";
import {
  erasureLayout,
  podDisruptionBudget,
  statefulSetHardening,
  tlsInProduction,
} from "./rules/deployment";
import { privateBucketsNoPolicy, publicReadOnlyDeclared } from "./rules/buckets";
import {
  actionResourceKind,
  bucketPolicyPrincipal,
  minioAcceptsPolicy,
  noBucketWildcard,
  noWildcardActions,
} from "./rules/iam";
import {
  noAdminForTenants,
  tenantIsolation,
  veleroExactActions,
  veleroVersionedExpiry,
} from "./rules/tenants";

export const rules: readonly Rule[] = Object.freeze([
  noWildcardActions,
  noBucketWildcard,
  actionResourceKind,
  minioAcceptsPolicy,
  bucketPolicyPrincipal,
  publicReadOnlyDeclared,
  privateBucketsNoPolicy,
  noAdminForTenants,
  veleroExactActions,
  veleroVersionedExpiry,
  statefulSetHardening,
  tlsInProduction,
  podDisruptionBudget,
  erasureLayout,
  tenantIsolation,
] as Rule[]);
