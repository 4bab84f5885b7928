/**
 * The platform config the benchmark runs at every size: an existing MinIO on loopback, `n`
 * tenants each with a bucket, a user and one access key, one Velero target and one artifact
 * store. Built in code so that only the tenant count changes between sizes.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig, TenantLayout } from "../../stacks/config";
import type { PlatformSecrets } from "../../stacks/platform";

/** The tenant ids of a run of `count` tenants, zero-padded so they sort as they are numbered. */
export function tenantIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `t${String(i + 1).padStart(5, "0")}`);
}

/**
 * The benchmark's platform config.
 *
 * @param tenants how many tenants to onboard
 * @param layout the tenant layout; default `"per-tenant"`
 */
export function benchConfig(tenants: number, layout: TenantLayout = "per-tenant"): PlatformConfig {
  return {
    environment: "bench",
    production: false,
    minio: {
      deploy: false,
      endpoint: "127.0.0.1:9000",
      ssl: false,
      erasureCoded: true,
      adminUser: "platform-admin",
    },
    tenantLayout: layout,
    tenants: tenantIds(tenants).map((id) => ({
      id,
      versioning: false,
      objectLock: false,
      serviceAccounts: ["app"],
    })),
    veleroTargets: [
      {
        name: "backups",
        region: "us-east-1",
        s3Url: "http://127.0.0.1:9000",
        namespace: "velero",
        versioning: false,
      },
    ],
    artifactStores: [
      { name: "ci", pipelines: [{ name: "build", expireDays: 30 }], publicReadPrefixes: [] },
    ],
    allowDestroy: false,
  };
}

/** The secrets both programs get: the admin password the MinIO provider signs in with. */
export function benchSecrets(): PlatformSecrets {
  return { adminPassword: pulumi.secret("bench-admin-password") };
}
