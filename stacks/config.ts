/**
 * The typed configuration of the platform program. Every environment is one file
 * `stacks/Pulumi.<env>.yaml`; this module turns its `minio-platform:*` keys into a
 * {@link PlatformConfig}, refusing anything it does not understand (a misspelt key is an error,
 * not a silently ignored setting).
 */
import { validateHostPort } from "../components/endpoints";
import { InvalidArgumentError, REDACTED } from "../components/errors";
import { validateTenantId } from "../components/naming";

/** The config namespace: the project name in Pulumi.yaml. */
export const CONFIG_NAMESPACE = "minio-platform";

export type TlsConfig =
  | { mode: "off" }
  | { mode: "secret"; secretName: string }
  | { mode: "certManager"; issuerName: string; issuerKind?: "Issuer" | "ClusterIssuer" };

export interface PoolConfig {
  servers: number;
  drivesPerServer: number;
  volumeSize: string;
  storageClassName?: string;
}

/** MinIO deployed by this program, with MinioDeployment. */
export interface DeployedMinioConfig {
  deploy: true;
  namespace: string;
  pools: PoolConfig[];
  parity?: number;
  image?: string;
  tls: TlsConfig;
  ingress?: {
    apiHost: string;
    consoleHost: string;
    className?: string;
    tlsSecretName?: string;
    annotations?: Record<string, string>;
  };
  serviceMonitor: boolean;
  /** Namespaces allowed through the NetworkPolicy to the API and console. */
  allowedNamespaces: string[];
  /** host:port the Pulumi MinIO provider uses when the in-cluster name is not reachable. */
  providerEndpoint?: string;
}

/** A MinIO that already runs somewhere; the program only manages tenants on it. */
export interface ExistingMinioConfig {
  deploy: false;
  /** host:port of the S3 API. */
  endpoint: string;
  ssl: boolean;
  /** Whether the server is erasure coded (needed for versioning and object lock). */
  erasureCoded: boolean;
  /** Admin user the provider signs in as; its password is the secret `adminPassword`. */
  adminUser: string;
}

export type MinioConfig = DeployedMinioConfig | ExistingMinioConfig;

export interface TenantConfig {
  id: string;
  quotaGiB?: number;
  versioning: boolean;
  objectLock: boolean;
  /** Application access keys (MinIO service accounts) for the tenant's user. */
  serviceAccounts: string[];
  /** Kubernetes namespace to receive the tenant's credentials Secret. */
  namespace?: string;
}

export interface VeleroTargetConfig {
  name: string;
  bucket?: string;
  prefix?: string;
  region: string;
  s3Url: string;
  /** PEM of the CA behind an `https://` s3Url signed privately. */
  caCert?: string;
  namespace: string;
  versioning: boolean;
}

export interface PipelineConfig {
  name: string;
  expireDays?: number;
}

export interface ArtifactStoreConfig {
  name: string;
  bucket?: string;
  pipelines: PipelineConfig[];
  publicReadPrefixes: string[];
}

/** How tenant users are scoped: one policy per tenant, or one shared `${aws:username}` policy. */
export type TenantLayout = "per-tenant" | "shared-policy";

export interface PlatformConfig {
  /** The environment name; also the stack name. */
  environment: string;
  /** Production stacks must use TLS; the policy pack checks it. */
  production: boolean;
  minio: MinioConfig;
  tenantLayout: TenantLayout;
  tenants: TenantConfig[];
  veleroTargets: VeleroTargetConfig[];
  artifactStores: ArtifactStoreConfig[];
  /** Lets `pulumi destroy` delete buckets and their data; off everywhere but throw-away stacks. */
  allowDestroy: boolean;
}

/** Reads one config key (without namespace); undefined when it is not set. */
export type ConfigReader = (key: string) => unknown;

const TOP_LEVEL_KEYS = [
  "environment",
  "production",
  "minio",
  "tenantLayout",
  "tenants",
  "veleroTargets",
  "artifactStores",
  "allowDestroy",
  "rootUser",
  "rootPassword",
  "adminPassword",
] as const;

/** Keys whose values must be stored encrypted (`pulumi config set --secret`), never as text. */
export const SECRET_CONFIG_KEYS: readonly string[] = Object.freeze([
  "rootPassword",
  "adminPassword",
]);

/**
 * Refuses a password stored as plain text in a stack's config file, without showing it.
 *
 * @param key the key, without the namespace
 * @param encrypted whether the file holds it encrypted
 */
export function checkSecretStorage(key: string, encrypted: boolean): void {
  if (encrypted || !SECRET_CONFIG_KEYS.includes(key)) return;
  throw new InvalidArgumentError(
    `${CONFIG_NAMESPACE}:${key}`,
    REDACTED,
    "must be stored encrypted, not as text in the stack file: " +
      `pulumi config set --secret ${key} ...`,
  );
}

/**
 * Validates raw config into a {@link PlatformConfig}. `keys` lists every key that is set, so
 * unknown ones can be refused.
 */
export function parsePlatformConfig(
  read: ConfigReader,
  keys: readonly string[],
  stack: string,
): PlatformConfig {
  for (const key of keys) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(
        `${CONFIG_NAMESPACE}:${key}`,
        key,
        `is not a setting of this program; known settings: ${TOP_LEVEL_KEYS.join(", ")}`,
      );
    }
  }

  const environment = optionalString(read("environment"), "environment") ?? stack;
  const production = optionalBoolean(read("production"), "production") ?? false;
  const minio = parseMinio(read("minio"));
  const tenantLayout = parseLayout(read("tenantLayout"));
  const tenants = list(read("tenants"), "tenants").map((t, i) => parseTenant(t, `tenants[${i}]`));
  const veleroTargets = list(read("veleroTargets"), "veleroTargets").map((v, i) =>
    parseVelero(v, `veleroTargets[${i}]`),
  );
  const artifactStores = list(read("artifactStores"), "artifactStores").map((a, i) =>
    parseArtifactStore(a, `artifactStores[${i}]`),
  );
  const allowDestroy = optionalBoolean(read("allowDestroy"), "allowDestroy") ?? false;

  unique(
    tenants.map((t) => t.id),
    "tenants",
    "id",
  );
  unique(
    veleroTargets.map((v) => v.name),
    "veleroTargets",
    "name",
  );
  unique(
    artifactStores.map((a) => a.name),
    "artifactStores",
    "name",
  );
  if (minio.deploy === false && read("adminPassword") === undefined) {
    throw new InvalidArgumentError(
      "adminPassword",
      undefined,
      "is required when minio.deploy is false " +
        "(set it with `pulumi config set --secret adminPassword`)",
    );
  }

  return {
    environment,
    production,
    minio,
    tenantLayout,
    tenants,
    veleroTargets,
    artifactStores,
    allowDestroy,
  };
}

function parseMinio(raw: unknown): MinioConfig {
  const m = record(raw ?? { deploy: true }, "minio");
  const deploy = optionalBoolean(m.deploy, "minio.deploy") ?? true;
  if (!deploy) {
    only(m, "minio", ["deploy", "endpoint", "ssl", "erasureCoded", "adminUser"]);
    return {
      deploy: false,
      endpoint: validatedHostPort(m.endpoint, "minio.endpoint"),
      ssl: optionalBoolean(m.ssl, "minio.ssl") ?? true,
      erasureCoded: optionalBoolean(m.erasureCoded, "minio.erasureCoded") ?? true,
      adminUser: requiredString(m.adminUser, "minio.adminUser"),
    };
  }
  only(m, "minio", [
    "deploy",
    "namespace",
    "pools",
    "parity",
    "image",
    "tls",
    "ingress",
    "serviceMonitor",
    "allowedNamespaces",
    "providerEndpoint",
  ]);
  const pools = list(m.pools ?? [{ servers: 4, drivesPerServer: 1, volumeSize: "10Gi" }], "pools");
  return {
    deploy: true,
    namespace: optionalString(m.namespace, "minio.namespace") ?? "minio",
    pools: pools.map((p, i) => parsePool(p, `minio.pools[${i}]`)),
    parity: optionalNumber(m.parity, "minio.parity"),
    image: optionalString(m.image, "minio.image"),
    tls: parseTls(m.tls),
    ingress: m.ingress === undefined ? undefined : parseIngress(m.ingress),
    serviceMonitor: optionalBoolean(m.serviceMonitor, "minio.serviceMonitor") ?? false,
    allowedNamespaces: list(m.allowedNamespaces, "minio.allowedNamespaces").map((n, i) =>
      requiredString(n, `minio.allowedNamespaces[${i}]`),
    ),
    providerEndpoint: optionalString(m.providerEndpoint, "minio.providerEndpoint"),
  };
}

function parsePool(raw: unknown, path: string): PoolConfig {
  const p = record(raw, path);
  only(p, path, ["servers", "drivesPerServer", "volumeSize", "storageClassName"]);
  return {
    servers: requiredNumber(p.servers, `${path}.servers`),
    drivesPerServer: requiredNumber(p.drivesPerServer, `${path}.drivesPerServer`),
    volumeSize: requiredString(p.volumeSize, `${path}.volumeSize`),
    storageClassName: optionalString(p.storageClassName, `${path}.storageClassName`),
  };
}

function parseTls(raw: unknown): TlsConfig {
  if (raw === undefined) return { mode: "off" };
  const t = record(raw, "minio.tls");
  const mode = t.mode;
  if (mode === "off") {
    only(t, "minio.tls", ["mode"]);
    return { mode };
  }
  if (mode === "secret") {
    only(t, "minio.tls", ["mode", "secretName"]);
    return { mode, secretName: requiredString(t.secretName, "minio.tls.secretName") };
  }
  if (mode === "certManager") {
    only(t, "minio.tls", ["mode", "issuerName", "issuerKind"]);
    const issuerKind = optionalString(t.issuerKind, "minio.tls.issuerKind");
    if (issuerKind !== undefined && issuerKind !== "Issuer" && issuerKind !== "ClusterIssuer") {
      throw new InvalidArgumentError(
        "minio.tls.issuerKind",
        issuerKind,
        'must be "Issuer" or "ClusterIssuer"',
      );
    }
    return {
      mode,
      issuerName: requiredString(t.issuerName, "minio.tls.issuerName"),
      issuerKind,
    };
  }
  throw new InvalidArgumentError(
    "minio.tls.mode",
    mode,
    'must be "off", "secret" or "certManager"',
  );
}

function parseIngress(raw: unknown): DeployedMinioConfig["ingress"] {
  const i = record(raw, "minio.ingress");
  only(i, "minio.ingress", ["apiHost", "consoleHost", "className", "tlsSecretName", "annotations"]);
  let annotations: Record<string, string> | undefined;
  if (i.annotations !== undefined) {
    const given = record(i.annotations, "minio.ingress.annotations");
    annotations = {};
    for (const key of Object.keys(given).sort()) {
      annotations[key] = requiredString(given[key], `minio.ingress.annotations.${key}`);
    }
  }
  return {
    apiHost: requiredString(i.apiHost, "minio.ingress.apiHost"),
    consoleHost: requiredString(i.consoleHost, "minio.ingress.consoleHost"),
    className: optionalString(i.className, "minio.ingress.className"),
    tlsSecretName: optionalString(i.tlsSecretName, "minio.ingress.tlsSecretName"),
    ...(annotations ? { annotations } : {}),
  };
}

function parseLayout(raw: unknown): TenantLayout {
  if (raw === undefined) return "per-tenant";
  if (raw === "per-tenant" || raw === "shared-policy") return raw;
  throw new InvalidArgumentError("tenantLayout", raw, 'must be "per-tenant" or "shared-policy"');
}

function parseTenant(raw: unknown, path: string): TenantConfig {
  // A bare string is shorthand for a tenant with every default.
  const t = typeof raw === "string" ? { id: raw } : record(raw, path);
  only(t, path, ["id", "quotaGiB", "versioning", "objectLock", "serviceAccounts", "namespace"]);
  const quotaGiB = optionalNumber(t.quotaGiB, `${path}.quotaGiB`);
  if (quotaGiB !== undefined && quotaGiB <= 0) {
    throw new InvalidArgumentError(`${path}.quotaGiB`, quotaGiB, "must be greater than 0");
  }
  const objectLock = optionalBoolean(t.objectLock, `${path}.objectLock`) ?? false;
  return {
    // Checked here too, so a bad id is reported with its place in the file.
    id: validateTenantId(t.id, `${path}.id`),
    quotaGiB,
    // Object lock turns versioning on, so it is the default whenever lock is asked for.
    versioning: optionalBoolean(t.versioning, `${path}.versioning`) ?? objectLock,
    objectLock,
    serviceAccounts: list(t.serviceAccounts, `${path}.serviceAccounts`).map((s, i) =>
      requiredString(s, `${path}.serviceAccounts[${i}]`),
    ),
    namespace: optionalString(t.namespace, `${path}.namespace`),
  };
}

function parseVelero(raw: unknown, path: string): VeleroTargetConfig {
  const v = record(raw, path);
  only(v, path, [
    "name",
    "bucket",
    "prefix",
    "region",
    "s3Url",
    "caCert",
    "namespace",
    "versioning",
  ]);
  return {
    name: requiredString(v.name, `${path}.name`),
    bucket: optionalString(v.bucket, `${path}.bucket`),
    prefix: optionalString(v.prefix, `${path}.prefix`),
    region: requiredString(v.region, `${path}.region`),
    s3Url: requiredString(v.s3Url, `${path}.s3Url`),
    caCert: optionalString(v.caCert, `${path}.caCert`),
    namespace: optionalString(v.namespace, `${path}.namespace`) ?? "velero",
    versioning: optionalBoolean(v.versioning, `${path}.versioning`) ?? false,
  };
}

function parseArtifactStore(raw: unknown, path: string): ArtifactStoreConfig {
  const a = record(raw, path);
  only(a, path, ["name", "bucket", "pipelines", "publicReadPrefixes"]);
  return {
    name: requiredString(a.name, `${path}.name`),
    bucket: optionalString(a.bucket, `${path}.bucket`),
    pipelines: list(a.pipelines, `${path}.pipelines`).map((p, i) => {
      const pp = `${path}.pipelines[${i}]`;
      const pipeline = typeof p === "string" ? { name: p } : record(p, pp);
      only(pipeline, pp, ["name", "expireDays"]);
      return {
        name: requiredString(pipeline.name, `${pp}.name`),
        expireDays: optionalNumber(pipeline.expireDays, `${pp}.expireDays`),
      };
    }),
    publicReadPrefixes: list(a.publicReadPrefixes, `${path}.publicReadPrefixes`).map((p, i) =>
      requiredString(p, `${path}.publicReadPrefixes[${i}]`),
    ),
  };
}

// Small typed readers. Each names the config path in its error.

/** A MinIO server as `host:port`, checked whole (a password in it is refused, never shown). */
function validatedHostPort(raw: unknown, path: string): string {
  validateHostPort(raw, path);
  return raw as string;
}

function record(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidArgumentError(path, raw, "must be a mapping of settings");
  }
  return raw as Record<string, unknown>;
}

function only(raw: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        `${path}.${key}`,
        raw[key],
        `is not a known setting; known: ${allowed.join(", ")}`,
      );
    }
  }
}

function list(raw: unknown, path: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError(path, raw, "must be a list");
  return raw;
}

function unique(values: string[], path: string, field: string): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) {
      throw new InvalidArgumentError(`${path}[${i}].${field}`, value, `must be unique in ${path}`);
    }
    seen.add(value);
  });
}

function requiredString(raw: unknown, path: string): string {
  if (typeof raw !== "string" || raw.length === 0) {
    throw new InvalidArgumentError(path, raw, "must be a non-empty string");
  }
  return raw;
}

function optionalString(raw: unknown, path: string): string | undefined {
  return raw === undefined ? undefined : requiredString(raw, path);
}

function requiredNumber(raw: unknown, path: string): number {
  if (typeof raw !== "number" || !Number.isFinite(raw)) {
    throw new InvalidArgumentError(path, raw, "must be a number");
  }
  return raw;
}

function optionalNumber(raw: unknown, path: string): number | undefined {
  return raw === undefined ? undefined : requiredNumber(raw, path);
}

function optionalBoolean(raw: unknown, path: string): boolean | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "boolean") throw new InvalidArgumentError(path, raw, "must be true or false");
  return raw;
}
