/**
 * Generated platform configs for the real-MinIO tier, built in code from the typed
 * {@link PlatformConfig}, and their mock runs. Names carry a suffix unique to the run so that
 * stacks applied to the same server never collide.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig, TenantLayout } from "../../stacks/config";
import { buildPlatform } from "../../stacks/platform";
import { runWithMocks, type RecordedResource } from "../../tools/mock-runtime";

/**
 * A generated stack: `tenants` tenants (every second versioned, every fourth with object lock,
 * every third with one access key, every fifth with two, some with quotas), a Velero target
 * writing under `backups/` and an artifact store with two pipelines and a public `charts/`.
 */
export function generatedConfig(
  suffix: string,
  tenants = 22,
  tenantLayout: TenantLayout = "per-tenant",
): PlatformConfig {
  return {
    environment: `gen-${suffix}`,
    production: false,
    minio: {
      deploy: false,
      endpoint: "127.0.0.1:9000",
      ssl: false,
      erasureCoded: true,
      adminUser: "platform-admin",
    },
    tenantLayout,
    tenants: Array.from({ length: tenants }, (_, i) => ({
      id: `g${suffix}-${String(i + 1).padStart(2, "0")}`,
      versioning: i % 2 === 0 || i % 4 === 3,
      objectLock: i % 4 === 3,
      quotaGiB: i % 3 === 1 ? 1 : undefined,
      serviceAccounts: i % 5 === 4 ? ["app", "batch"] : i % 3 === 0 ? ["app"] : [],
    })),
    veleroTargets: [
      {
        name: `bk${suffix}`,
        prefix: "backups",
        region: "us-east-1",
        s3Url: "http://127.0.0.1:9000",
        namespace: "velero",
        versioning: false,
      },
    ],
    artifactStores: [
      {
        name: `ci${suffix}`,
        pipelines: [{ name: "build", expireDays: 30 }, { name: "release" }],
        publicReadPrefixes: ["charts"],
      },
    ],
    allowDestroy: true,
  };
}

/** The mock run of `config` (an existing MinIO, so no Kubernetes deployment). */
export async function runGenerated(config: PlatformConfig): Promise<RecordedResource[]> {
  const run = await runWithMocks(
    () => ({ ...buildPlatform(config, { adminPassword: pulumi.secret("not-used-offline") }) }),
    { stack: config.environment, project: "minio-platform" },
  );
  return run.resources;
}
