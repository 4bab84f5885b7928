/**
 * The policy pack `pulumi preview --policy-pack policy-pack` loads. Constructing the PolicyPack
 * starts its gRPC server, so nothing but the Pulumi engine imports this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./policies";

new PolicyPack("minio-platform", { policies: [...rules] });
