/**
 * The platform program as a function of its config, so `pulumi up` (stacks/index.ts), the
 * offline synth, the tests and the benchmarks all build exactly the same resources.
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import {
  ArtifactStore,
  MinioDeployment,
  SharedTenantAccess,
  Tenant,
  VeleroTarget,
  readWritePolicy,
  tenantBucketName,
} from "../components";
import { PlatformConfig } from "./config";

const GIB = 1024 ** 3;

/** Values that come from the stack's encrypted config, never from the plain config file. */
export interface PlatformSecrets {
  rootUser?: pulumi.Input<string>;
  rootPassword?: pulumi.Input<string>;
  /** Password of `minio.adminUser` when the program manages an existing MinIO. */
  adminPassword?: pulumi.Input<string>;
}

export interface TenantOutputs {
  bucket: pulumi.Output<string>;
  userName: pulumi.Output<string>;
  /** The tenant user's access key and secret key; a Pulumi secret. */
  credentials: pulumi.Output<{ accessKey: string; secretKey: string }>;
  /** Application access keys by name; each a Pulumi secret. */
  serviceAccounts: Record<string, pulumi.Output<{ accessKey: string; secretKey: string }>>;
}

/** The stack outputs: what other stacks read through a StackReference. */
export interface PlatformOutputs {
  /** The S3 API endpoint as the cluster's workloads reach it. */
  minioEndpoint: pulumi.Output<string>;
  consoleEndpoint?: pulumi.Output<string>;
  rootUser?: pulumi.Output<string>;
  rootPassword?: pulumi.Output<string>;
  tenants: Record<string, TenantOutputs>;
  veleroTargets: Record<
    string,
    {
      bucket: pulumi.Output<string>;
      locationName: pulumi.Output<string>;
      credentialsSecretName: pulumi.Output<string>;
      credentialsChecksum: pulumi.Output<string>;
    }
  >;
  artifactStores: Record<
    string,
    {
      bucket: pulumi.Output<string>;
      writerEnv: pulumi.Output<Record<string, string>>;
      readerEnv: pulumi.Output<Record<string, string>>;
      pipelineEnv: Record<string, pulumi.Output<Record<string, string>>>;
    }
  >;
}

/** Creates every resource the config asks for and returns the stack outputs. */
export function buildPlatform(
  config: PlatformConfig,
  secrets: PlatformSecrets = {},
): PlatformOutputs {
  const { provider, endpoint, erasureCoded, deployment } = connect(config, secrets);
  const allowDestroy = config.allowDestroy;

  // One group and one policy for every tenant, instead of one policy per tenant.
  const sharedAccess =
    config.tenantLayout === "shared-policy"
      ? new SharedTenantAccess("tenants", { provider })
      : undefined;

  const tenants: Record<string, TenantOutputs> = {};
  for (const tenant of config.tenants) {
    const bucketName = tenantBucketName(tenant.id);
    // One component per tenant: the user and its bucket under the same parent.
    const onboarded = new Tenant(`tenant-${tenant.id}`, {
      tenantId: tenant.id,
      user: {
        serviceAccounts: tenant.serviceAccounts.map((name) => ({ name })),
        kubernetesSecret: tenant.namespace
          ? { namespace: tenant.namespace, endpoint: endpoint, bucket: bucketName }
          : undefined,
      },
      bucket: {
        bucketName,
        ...(sharedAccess
          ? { ownerAccess: sharedAccess }
          : { ownerPolicy: readWritePolicy(bucketName) }),
        versioning: tenant.versioning,
        objectLock: tenant.objectLock,
        erasureCoded,
        quotaBytes: tenant.quotaGiB === undefined ? undefined : Math.round(tenant.quotaGiB * GIB),
        allowDestroy,
      },
      provider,
    });
    const serviceAccounts: TenantOutputs["serviceAccounts"] = {};
    for (const [name, keys] of Object.entries(onboarded.serviceAccounts)) {
      serviceAccounts[name] = pulumi.secret(
        pulumi
          .all([keys.accessKey, keys.secretKey])
          .apply(([accessKey, secretKey]) => ({ accessKey, secretKey })),
      );
    }
    tenants[tenant.id] = {
      bucket: onboarded.bucketName,
      userName: onboarded.userName,
      credentials: onboarded.credentials,
      serviceAccounts,
    };
  }

  const veleroTargets: PlatformOutputs["veleroTargets"] = {};
  for (const target of config.veleroTargets) {
    const velero = new VeleroTarget(target.name, {
      s3Url: target.s3Url,
      region: target.region,
      caCert: target.caCert,
      bucketName: target.bucket,
      prefix: target.prefix,
      veleroNamespace: target.namespace,
      versioning: target.versioning,
      erasureCoded,
      allowDestroy,
      provider,
    });
    veleroTargets[target.name] = {
      bucket: velero.bucketName,
      locationName: velero.locationName,
      credentialsSecretName: velero.credentialsSecretName,
      credentialsChecksum: velero.credentialsChecksum,
    };
  }

  const artifactStores: PlatformOutputs["artifactStores"] = {};
  for (const store of config.artifactStores) {
    const artifacts = new ArtifactStore(store.name, {
      endpoint: endpoint,
      bucketName: store.bucket,
      pipelines: store.pipelines,
      publicReadPrefixes: store.publicReadPrefixes,
      erasureCoded,
      allowDestroy,
      provider,
    });
    artifactStores[store.name] = {
      bucket: artifacts.bucketName,
      writerEnv: artifacts.writerEnv,
      readerEnv: artifacts.readerEnv,
      pipelineEnv: artifacts.pipelineEnv,
    };
  }

  return {
    minioEndpoint: pulumi.output(endpoint),
    consoleEndpoint: deployment?.consoleEndpoint,
    rootUser: deployment?.rootUser,
    rootPassword: deployment?.rootPassword,
    tenants,
    veleroTargets,
    artifactStores,
  };
}

interface Connection {
  provider: minio.Provider;
  /** The S3 endpoint URL workloads use. */
  endpoint: string;
  erasureCoded: boolean;
  deployment?: MinioDeployment;
}

/**
 * The namespaces whose pods may reach MinIO: the configured ones, every tenant namespace that
 * receives credentials and every Velero namespace, since a workload handed credentials it
 * cannot use is a broken onboarding. Sorted, so adding a tenant never reorders the list.
 */
export function clientNamespaces(config: PlatformConfig): string[] {
  const names = new Set(config.minio.deploy ? config.minio.allowedNamespaces : []);
  for (const tenant of config.tenants) if (tenant.namespace) names.add(tenant.namespace);
  for (const target of config.veleroTargets) names.add(target.namespace);
  return [...names].sort();
}

/** Deploys MinIO, or connects to the one the config names. */
function connect(config: PlatformConfig, secrets: PlatformSecrets): Connection {
  const m = config.minio;
  if (!m.deploy) {
    const provider = new minio.Provider("minio", {
      minioServer: m.endpoint,
      minioUser: m.adminUser,
      minioPassword: pulumi.secret(secrets.adminPassword ?? ""),
      minioSsl: m.ssl,
    });
    const endpoint = `${m.ssl ? "https" : "http"}://${m.endpoint}`;
    return { provider, endpoint, erasureCoded: m.erasureCoded };
  }
  const deployment = new MinioDeployment("platform", {
    namespace: m.namespace,
    image: m.image,
    pools: m.pools,
    parity: m.parity,
    tls: m.tls,
    ingress: m.ingress,
    metrics: { serviceMonitor: m.serviceMonitor },
    allowedNamespaces: clientNamespaces(config),
    providerEndpoint: m.providerEndpoint,
    rootUser: secrets.rootUser,
    rootPassword: secrets.rootPassword,
    // The policy pack reads both: TLS is required where either says production.
    labels: {
      "minio-platform/environment": config.environment,
      ...(config.production ? { "minio-platform/production": "true" } : {}),
    },
  });
  return {
    provider: deployment.provider,
    endpoint: deployment.apiUrl,
    erasureCoded: deployment.erasure.erasureCoded,
    deployment,
  };
}
