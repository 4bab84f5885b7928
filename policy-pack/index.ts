/**
 * The policy pack `pulumi preview --policy-pack policy-pack` loads. Constructing the PolicyPack
 * starts its gRPC server, so nothing but the Pulumi engine imports this file.
 */
import {
  PolicyPack,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { rules } from "./policies";

// The SDK gets exactly its own policy shape; the pure checks stay behind in the rule objects.
const policies = rules.map((rule): ResourceValidationPolicy | StackValidationPolicy => {
  const { check: _check, defaults: _defaults, ...policy } = rule;
  return policy as ResourceValidationPolicy | StackValidationPolicy;
});

new PolicyPack("minio-platform", { policies });
