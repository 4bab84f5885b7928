/** The public API of minio-platform. */
export * from "./errors";
export * from "./labels";
export * from "./erasure";
export * from "./naming";
export * from "./endpoints";
export * from "./iam";
export * from "./minio-deployment";
export * from "./tenant-user";
export * from "./isolated-bucket";
export * from "./tenant";
export * from "./shared-tenant-access";
export * from "./velero-target";
export * from "./artifact-store";
