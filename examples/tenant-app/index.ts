/**
 * A team's stack on top of the platform: it reads its tenant's bucket and credentials from the
 * platform stack through a StackReference, hands them to its workload as a Kubernetes Secret,
 * and adds a second, read-only bucket of its own with the library's components.
 *
 *   pulumi config set platformStack <org>/minio-platform/prod
 *   pulumi config set tenantId acme
 *   pulumi config set --secret minioPassword <root or admin password>   # for the extra bucket
 *   pulumi up
 */
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { IsolatedBucket, TenantUser, readOnlyPolicy, validateTenantId } from "minio-platform";

const config = new pulumi.Config();
const tenantId = validateTenantId(config.require("tenantId"), "tenantId");
const platform = new pulumi.StackReference(config.require("platformStack"));

interface PlatformTenant {
  bucket: string;
  userName: string;
  credentials: { accessKey: string; secretKey: string };
}

// The platform exports every tenant's credentials as secrets; this stack sees only its own.
const tenant = platform
  .requireOutput("tenants")
  .apply((tenants) => (tenants as Record<string, PlatformTenant>)[tenantId]);
const endpoint = platform.requireOutput("minioEndpoint") as pulumi.Output<string>;

new k8s.core.v1.Secret("app-storage", {
  metadata: { name: "app-storage", namespace: config.get("namespace") ?? tenantId },
  stringData: pulumi.secret(
    pulumi.all([tenant, endpoint]).apply(([t, url]) => ({
      AWS_ACCESS_KEY_ID: t.credentials.accessKey,
      AWS_SECRET_ACCESS_KEY: t.credentials.secretKey,
      S3_ENDPOINT: url,
      S3_BUCKET: t.bucket,
    })),
  ),
});

// An extra bucket for published reports: private, with a read-only user for the report viewer.
const admin = new minio.Provider("platform-minio", {
  minioServer: config.require("minioServer"),
  minioUser: config.get("minioUser") ?? "platform-admin",
  minioPassword: config.requireSecret("minioPassword"),
  minioSsl: true,
});
const reportsBucket = `${tenantId}-reports`;
const viewer = new TenantUser("reports-viewer", {
  tenantId,
  userName: `${tenantId}-reports-viewer`,
  policies: [{ name: `${tenantId}-reports-read`, document: readOnlyPolicy(reportsBucket) }],
  provider: admin,
});
const reports = new IsolatedBucket("reports", {
  tenantId,
  bucketName: reportsBucket,
  versioning: true,
  provider: admin,
});

export const appBucket = tenant.bucket;
export const reportsBucketName = reports.bucketName;
export const reportsViewer = viewer.userName;
export const reportsViewerSecret = viewer.secretKey;
