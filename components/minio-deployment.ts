/**
 * MinioDeployment: MinIO in distributed, erasure-coded mode on Kubernetes, one StatefulSet per
 * server pool, with the Services, credentials, disruption budget, network policy and provider
 * that the tenant components build on.
 */
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { validateHostPort } from "./endpoints";
import { ErasurePlan, PoolLayout, maxUnavailableServers, planErasure } from "./erasure";
import { InvalidArgumentError, REDACTED, validateWithin } from "./errors";
import { StringMap, mergeLabels, recommendedLabels, sortKeys } from "./labels";
import { validateDnsLabel } from "./naming";

/**
 * The image used when none is given: a MinIO release pinned by tag, so that a `pulumi up`
 * months later runs the same server.
 */
export const DEFAULT_MINIO_IMAGE = "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z";

/** MinIO's S3 API port. */
export const API_PORT = 9000;
/** MinIO's web console port. */
export const CONSOLE_PORT = 9001;

/** One server pool: a StatefulSet of `servers` pods, each with `drivesPerServer` volumes. */
export interface MinioPoolArgs {
  /** Servers (pods) in the pool, 1 to 64. No default. */
  servers: number;
  /** Drives (PersistentVolumeClaims) per server, 1 to 32. No default. */
  drivesPerServer: number;
  /** Size of each drive, a Kubernetes quantity such as `100Gi`. No default. */
  volumeSize: string;
  /** StorageClass of the drives. Defaults to the cluster's default StorageClass. */
  storageClassName?: string;
}

/** Where the server certificate comes from. */
export type MinioTlsArgs =
  | {
      /** Plain HTTP inside the cluster. */
      mode: "off";
    }
  | {
      /** An existing `kubernetes.io/tls` Secret in the deployment's namespace. */
      mode: "secret";
      /**
       * Name of the Secret: `tls.crt` and `tls.key`, plus `ca.crt` when a private CA signed
       * it (MinIO then trusts that CA for traffic between servers). No default.
       */
      secretName: string;
    }
  | {
      /** A cert-manager `Certificate` for every in-cluster name of the deployment. */
      mode: "certManager";
      /** Name of the cert-manager issuer. No default. */
      issuerName: string;
      /** Kind of the issuer. Defaults to `"Issuer"` (in the deployment's namespace). */
      issuerKind?: "Issuer" | "ClusterIssuer";
    };

/** An Ingress exposing the API and the console outside the cluster. */
export interface MinioIngressArgs {
  /** Host name for the S3 API, e.g. `s3.example.com`. No default. */
  apiHost: string;
  /** Host name for the console, e.g. `console.s3.example.com`. No default. */
  consoleHost: string;
  /** IngressClass to use. Defaults to the cluster's default IngressClass. */
  className?: string;
  /** TLS Secret for both hosts; the Ingress serves plain HTTP without it. Defaults to none. */
  tlsSecretName?: string;
  /**
   * Extra annotations for the Ingress, e.g. a body-size limit large enough for uploads, or the
   * controller's setting for HTTPS back ends when `tls` is on. Defaults to none.
   */
  annotations?: StringMap;
}

/** CPU and memory for one quantity set (requests or limits). */
export interface MinioComputeArgs {
  /** CPU, a Kubernetes quantity such as `500m` or `2`. */
  cpu?: string;
  /** Memory, a Kubernetes quantity such as `2Gi`. */
  memory?: string;
}

/** Requests and limits of each MinIO container. */
export interface MinioResourcesArgs {
  /** Defaults to `{ cpu: "500m", memory: "1Gi" }`; a field left out keeps its default. */
  requests?: MinioComputeArgs;
  /** Defaults to `{ cpu: "2", memory: "4Gi" }`; a field left out keeps its default. */
  limits?: MinioComputeArgs;
}

/** Prometheus metrics. */
export interface MinioMetricsArgs {
  /**
   * `MINIO_PROMETHEUS_AUTH_TYPE`: `"public"` lets anyone who can reach port 9000 scrape,
   * `"jwt"` needs a bearer token made with `mc admin prometheus generate`. Defaults to
   * `"public"`; the NetworkPolicy still limits who can reach the port.
   */
  authType?: "public" | "jwt";
  /** Create a `monitoring.coreos.com/v1` ServiceMonitor for the API Service. Defaults to false. */
  serviceMonitor?: boolean;
  /** Scrape interval of the ServiceMonitor. Defaults to `"30s"`. */
  interval?: string;
  /** Secret key holding the bearer token; required with `authType: "jwt"` and a ServiceMonitor. */
  bearerTokenSecret?: { name: string; key: string };
  /** Extra labels on the ServiceMonitor, e.g. the one your Prometheus selects. Defaults to none. */
  serviceMonitorLabels?: StringMap;
}

export interface MinioDeploymentArgs {
  /** Namespace of every object. Defaults to the component's name. */
  namespace?: string;
  /** Create the namespace (with the `restricted` Pod Security level). Defaults to true. */
  createNamespace?: boolean;
  /**
   * MinIO image, pinned by a tag other than `latest` or by a digest. Defaults to
   * {@link DEFAULT_MINIO_IMAGE}.
   */
  image?: string;
  /**
   * Server pools, in the order MinIO sees them. Every pool must land on the same erasure set
   * size. Append a pool to expand; never reorder or remove one. Changing a pool's drives
   * (count, size, class) replaces its StatefulSet (`replaceOnChanges` on
   * `spec.volumeClaimTemplates`), because Kubernetes cannot change claim templates in place;
   * existing claims are kept by name and are not resized. No default.
   */
  pools: MinioPoolArgs[];
  /** Parity drives per erasure set (`EC:n`). Defaults to MinIO's default for the set size. */
  parity?: number;
  /** Requests and limits per MinIO container. Defaults: see {@link MinioResourcesArgs}. */
  resources?: MinioResourcesArgs;
  /** Node selector of the MinIO pods. Defaults to none. */
  nodeSelector?: StringMap;
  /** Tolerations of the MinIO pods. Defaults to none. */
  tolerations?: k8s.types.input.core.v1.Toleration[];
  /**
   * How strictly the servers of a pool are spread over nodes (`kubernetes.io/hostname`):
   * `"required"` leaves a pod pending rather than stack two on a node, `"preferred"` only
   * tries. Defaults to `"required"`; pod anti-affinity is always preferred on top.
   */
  topologySpread?: "required" | "preferred";
  /** Root user name. Defaults to `"minio-root"`. Kept in the credentials Secret. */
  rootUser?: pulumi.Input<string>;
  /**
   * Root password, 8 to 40 characters; treated as a secret. Defaults to 40 random letters
   * and digits generated with `random.RandomPassword`.
   */
  rootPassword?: pulumi.Input<string>;
  /** TLS for the API, console and traffic between servers. Defaults to `{ mode: "off" }`. */
  tls?: MinioTlsArgs;
  /** Ingress for the API and console. Defaults to none. */
  ingress?: MinioIngressArgs;
  /** One PodDisruptionBudget per pool, sized to keep write quorum. Defaults to true. */
  podDisruptionBudget?: boolean;
  /**
   * A NetworkPolicy admitting ports 9000 and 9001 only from the deployment's own pods and
   * from `allowedNamespaces`. Defaults to true.
   */
  networkPolicy?: boolean;
  /**
   * Namespaces whose pods may reach the API and console when `networkPolicy` is on, e.g. the
   * ingress controller's, Prometheus's and your applications'. Defaults to none.
   */
  allowedNamespaces?: string[];
  /** Metrics settings. Defaults to public metrics and no ServiceMonitor. */
  metrics?: MinioMetricsArgs;
  /** Labels added to every object; the `app.kubernetes.io/*` ones always win. Defaults to none. */
  labels?: StringMap;
  /** Annotations added to every object. Defaults to none. */
  annotations?: StringMap;
  /** The cluster's DNS domain. Defaults to `"cluster.local"`. */
  clusterDomain?: string;
  /**
   * `host:port` the {@link MinioDeployment.provider} connects to, for when Pulumi runs where
   * the in-cluster name does not resolve (e.g. `127.0.0.1:9000` through a port-forward).
   * Defaults to the API Service's in-cluster name and port 9000.
   */
  providerEndpoint?: string;
  /** CA file the provider trusts when `tls` is on with a private CA. Defaults to none. */
  providerCaCertFile?: string;
}

/** What {@link buildServerArgs} needs: the same names the StatefulSets and Service use. */
export interface ServerArgsInput {
  /** The component's name; StatefulSets are `<name>-pool-<i>`. No default. */
  name: string;
  /** Namespace of the pods. No default. */
  namespace: string;
  /** The headless Service's real `metadata.name`. */
  headlessServiceName: string;
  /** Every pool, in order; each server lists all of them. No default. */
  pools: readonly PoolLayout[];
  /** Use `https` URLs and the mounted certificates folder. No default. */
  tls: boolean;
  /** Defaults to `"cluster.local"`. */
  clusterDomain?: string;
}

/** Where TLS material is mounted; MinIO reads `public.crt`, `private.key` and `CAs/`. */
const CERTS_DIR = "/etc/minio/certs";

/**
 * The `minio` arguments for every server of every pool: one ellipsis URL per pool, built from
 * the StatefulSet names and zero-based ordinals the pods really get, and the volume mounts.
 */
export function buildServerArgs(input: ServerArgsInput): string[] {
  const scheme = input.tls ? "https" : "http";
  const domain = input.clusterDomain ?? "cluster.local";
  const urls = input.pools.map((pool, i) => {
    const sts = statefulSetName(input.name, i);
    const hosts = pool.servers > 1 ? `${sts}-{0...${pool.servers - 1}}` : `${sts}-0`;
    const drives = pool.drivesPerServer > 1 ? `/data{0...${pool.drivesPerServer - 1}}` : "/data0";
    const fqdn = `${hosts}.${input.headlessServiceName}.${input.namespace}.svc.${domain}`;
    return `${scheme}://${fqdn}:${API_PORT}${drives}`;
  });
  const certs = input.tls ? ["--certs-dir", CERTS_DIR] : [];
  return ["server", "--console-address", `:${CONSOLE_PORT}`, ...certs, ...urls];
}

/** Name of pool `i`'s StatefulSet (and of its PodDisruptionBudget). */
export function statefulSetName(name: string, i: number): string {
  return `${name}-pool-${i}`;
}

/** MinIO in distributed mode on Kubernetes. */
export class MinioDeployment extends pulumi.ComponentResource {
  /** The namespace every object lives in. */
  public readonly namespace: pulumi.Output<string>;
  /** Name of the headless Service the servers find each other through. */
  public readonly headlessServiceName: pulumi.Output<string>;
  /** Name of the S3 API Service (port 9000). */
  public readonly apiServiceName: pulumi.Output<string>;
  /** Name of the console Service (port 9001). */
  public readonly consoleServiceName: pulumi.Output<string>;
  /** In-cluster S3 endpoint, `http(s)://<api>.<ns>.svc.<domain>:9000`. */
  public readonly apiEndpoint: pulumi.Output<string>;
  /** In-cluster console endpoint, `http(s)://<console>.<ns>.svc.<domain>:9001`. */
  public readonly consoleEndpoint: pulumi.Output<string>;
  /**
   * The same API endpoint as plain text. Every name in it is fixed by the arguments, so it is
   * known before anything is deployed and can be validated and written into job settings.
   */
  public readonly apiUrl: string;
  /** Root user name (a secret). */
  public readonly rootUser: pulumi.Output<string>;
  /** Root password (a secret). */
  public readonly rootPassword: pulumi.Output<string>;
  /** Name of the Secret holding `rootUser` and `rootPassword`. */
  public readonly rootCredentialsSecretName: pulumi.Output<string>;
  /** The erasure layout MinIO will use. */
  public readonly erasure: ErasurePlan;
  /** A MinIO provider logged in as root, for the tenant components. */
  public readonly provider: minio.Provider;

  constructor(name: string, args: MinioDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    const cfg = validateWithin(`MinioDeployment "${name}"`, () => validateArgs(name, args));
    super("minio-platform:index:MinioDeployment", name, {}, opts);

    const parent = { parent: this };
    const meta = (component: string, metaName: string, extraLabels?: StringMap) => ({
      name: metaName,
      namespace: this.namespace,
      labels: mergeLabels(name, component, { ...cfg.labels, ...extraLabels }),
      ...(cfg.annotations ? { annotations: cfg.annotations } : {}),
    });

    this.erasure = cfg.plan;
    this.namespace = cfg.createNamespace
      ? new k8s.core.v1.Namespace(
          `${name}-namespace`,
          {
            metadata: {
              name: cfg.namespace,
              labels: mergeLabels(name, "namespace", {
                ...cfg.labels,
                // The pods below meet the restricted level; enforcing it keeps others honest.
                "pod-security.kubernetes.io/enforce": "restricted",
              }),
              ...(cfg.annotations ? { annotations: cfg.annotations } : {}),
            },
          },
          parent,
        ).metadata.name
      : pulumi.output(cfg.namespace);

    const password =
      args.rootPassword !== undefined
        ? pulumi.secret(args.rootPassword)
        : new random.RandomPassword(
            `${name}-root-password`,
            { length: 40, special: false },
            { ...parent, additionalSecretOutputs: ["result"] },
          ).result;
    const user = pulumi.secret(pulumi.output(args.rootUser ?? "minio-root"));
    this.rootUser = user;
    this.rootPassword = pulumi.secret(password);

    const credentials = new k8s.core.v1.Secret(
      `${name}-root-credentials`,
      {
        metadata: meta("credentials", `${name}-root-credentials`),
        type: "Opaque",
        stringData: { rootUser: user, rootPassword: this.rootPassword },
      },
      parent,
    );
    this.rootCredentialsSecretName = credentials.metadata.name;

    const selectorOnly = pickSelector(recommendedLabels(name, "server"));
    const servicePorts = (ports: ("api" | "console")[]) =>
      ports.map((p) => ({
        name: p,
        port: p === "api" ? API_PORT : CONSOLE_PORT,
        targetPort: p,
        protocol: "TCP",
      }));

    const headless = new k8s.core.v1.Service(
      `${name}-hl`,
      {
        metadata: meta("server", cfg.names.headless),
        spec: {
          clusterIP: "None",
          // Servers must resolve each other before any is ready: readiness needs quorum.
          publishNotReadyAddresses: true,
          selector: selectorOnly,
          ports: servicePorts(["api", "console"]),
        },
      },
      parent,
    );
    this.headlessServiceName = headless.metadata.name;

    const api = new k8s.core.v1.Service(
      `${name}-api`,
      {
        metadata: meta("api", cfg.names.api),
        spec: { type: "ClusterIP", selector: selectorOnly, ports: servicePorts(["api"]) },
      },
      parent,
    );
    this.apiServiceName = api.metadata.name;

    const console = new k8s.core.v1.Service(
      `${name}-console`,
      {
        metadata: meta("console", cfg.names.console),
        spec: { type: "ClusterIP", selector: selectorOnly, ports: servicePorts(["console"]) },
      },
      parent,
    );
    this.consoleServiceName = console.metadata.name;

    let certificate: k8s.apiextensions.CustomResource | undefined;
    if (cfg.tls.mode === "certManager") {
      certificate = new k8s.apiextensions.CustomResource(
        `${name}-tls`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: meta("tls", cfg.tlsSecretName),
          spec: {
            secretName: cfg.tlsSecretName,
            issuerRef: {
              name: cfg.tls.issuerName,
              kind: cfg.tls.issuerKind ?? "Issuer",
              group: "cert-manager.io",
            },
            dnsNames: certificateDnsNames(cfg),
            ...(cfg.providerHost && isIpAddress(cfg.providerHost)
              ? { ipAddresses: [cfg.providerHost] }
              : {}),
            privateKey: { rotationPolicy: "Always" },
          },
        },
        parent,
      );
    }

    const serverArgs = buildServerArgs({
      name,
      namespace: cfg.namespace,
      headlessServiceName: cfg.names.headless,
      pools: cfg.pools,
      tls: cfg.tls.mode !== "off",
      clusterDomain: cfg.clusterDomain,
    });

    const statefulSets = cfg.pools.map((pool, i) => {
      const poolSelector = sortKeys({ ...selectorOnly, [POOL_LABEL]: String(i) });
      return new k8s.apps.v1.StatefulSet(
        `${name}-pool-${i}`,
        {
          metadata: meta("server", statefulSetName(name, i), { [POOL_LABEL]: String(i) }),
          spec: {
            serviceName: headless.metadata.name,
            replicas: pool.servers,
            // MinIO waits for its peers before it reports ready; ordered start would deadlock.
            podManagementPolicy: "Parallel",
            selector: { matchLabels: poolSelector },
            template: {
              metadata: {
                labels: mergeLabels(name, "server", { ...cfg.labels, [POOL_LABEL]: String(i) }),
                ...(cfg.annotations ? { annotations: cfg.annotations } : {}),
              },
              spec: podSpec(cfg, pool, serverArgs, poolSelector, credentials.metadata.name),
            },
            volumeClaimTemplates: range(pool.drivesPerServer).map((d) => ({
              // Only fixed labels here: any change to the templates replaces the StatefulSet.
              metadata: { name: `data-${d}`, labels: recommendedLabels(name, "server") },
              spec: {
                accessModes: ["ReadWriteOnce"],
                ...(pool.storageClassName ? { storageClassName: pool.storageClassName } : {}),
                resources: { requests: { storage: pool.volumeSize } },
              },
            })),
          },
        },
        {
          ...parent,
          dependsOn: certificate ? [certificate] : [],
          replaceOnChanges: ["spec.volumeClaimTemplates"],
          // The replacement has the same name, so the old one must go first; its claims stay.
          deleteBeforeReplace: true,
        },
      );
    });

    if (cfg.podDisruptionBudget) {
      cfg.pools.forEach((pool, i) => {
        const maxUnavailable = maxUnavailableServers(pool, cfg.plan);
        if (maxUnavailable === 0) {
          pulumi.log.warn(
            `pools[${i}] cannot lose a server and keep write quorum (${pool.servers} server(s), ` +
              `${cfg.plan.storageClass} on sets of ${cfg.plan.setSize}); its ` +
              "PodDisruptionBudget blocks every voluntary eviction, node drains included",
            this,
          );
        }
        new k8s.policy.v1.PodDisruptionBudget(
          `${name}-pool-${i}`,
          {
            metadata: meta("server", statefulSetName(name, i), { [POOL_LABEL]: String(i) }),
            spec: {
              maxUnavailable,
              selector: { matchLabels: sortKeys({ ...selectorOnly, [POOL_LABEL]: String(i) }) },
            },
          },
          parent,
        );
      });
    }

    if (cfg.networkPolicy) {
      const ports = [API_PORT, CONSOLE_PORT].map((port) => ({ protocol: "TCP", port }));
      new k8s.networking.v1.NetworkPolicy(
        `${name}-network`,
        {
          metadata: meta("server", `${name}-network`),
          spec: {
            podSelector: { matchLabels: selectorOnly },
            policyTypes: ["Ingress"],
            ingress: [
              // Servers talk to each other on the API port for every request.
              { from: [{ podSelector: { matchLabels: selectorOnly } }], ports },
              ...(cfg.allowedNamespaces.length > 0
                ? [
                    {
                      from: [
                        {
                          namespaceSelector: {
                            matchExpressions: [
                              {
                                key: "kubernetes.io/metadata.name",
                                operator: "In",
                                values: cfg.allowedNamespaces,
                              },
                            ],
                          },
                        },
                      ],
                      ports,
                    },
                  ]
                : []),
            ],
          },
        },
        parent,
      );
    }

    if (cfg.ingress) {
      const ing = cfg.ingress;
      const rule = (host: string, service: pulumi.Output<string>, port: string) => ({
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: service, port: { name: port } } },
            },
          ],
        },
      });
      new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        {
          metadata: {
            ...meta("ingress", name),
            annotations: { ...(cfg.annotations ?? {}), ...(ing.annotations ?? {}) },
          },
          spec: {
            ...(ing.className ? { ingressClassName: ing.className } : {}),
            ...(ing.tlsSecretName
              ? { tls: [{ hosts: [ing.apiHost, ing.consoleHost], secretName: ing.tlsSecretName }] }
              : {}),
            rules: [
              rule(ing.apiHost, api.metadata.name, "api"),
              rule(ing.consoleHost, console.metadata.name, "console"),
            ],
          },
        },
        parent,
      );
    }

    if (cfg.metrics.serviceMonitor) {
      const m = cfg.metrics;
      new k8s.apiextensions.CustomResource(
        `${name}-metrics`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: meta("metrics", name, m.serviceMonitorLabels),
          spec: {
            selector: { matchLabels: pickSelector(recommendedLabels(name, "api")) },
            endpoints: [
              {
                port: "api",
                path: "/minio/v2/metrics/cluster",
                scheme: cfg.tls.mode === "off" ? "http" : "https",
                interval: m.interval ?? "30s",
                ...(cfg.tls.mode !== "off"
                  ? { tlsConfig: { serverName: `${cfg.names.api}.${cfg.namespace}.svc` } }
                  : {}),
                ...(m.bearerTokenSecret ? { bearerTokenSecret: m.bearerTokenSecret } : {}),
              },
            ],
          },
        },
        parent,
      );
    }

    const scheme = cfg.tls.mode === "off" ? "http" : "https";
    const domain = cfg.clusterDomain;
    const endpoint = (service: pulumi.Output<string>, port: number) =>
      pulumi.interpolate`${scheme}://${service}.${this.namespace}.svc.${domain}:${port}`;
    this.apiEndpoint = endpoint(this.apiServiceName, API_PORT);
    this.consoleEndpoint = endpoint(this.consoleServiceName, CONSOLE_PORT);
    this.apiUrl = `${scheme}://${cfg.names.api}.${cfg.namespace}.svc.${domain}:${API_PORT}`;

    this.provider = new minio.Provider(
      `${name}-provider`,
      {
        minioServer:
          cfg.providerEndpoint ?? `${cfg.names.api}.${cfg.namespace}.svc.${domain}:${API_PORT}`,
        minioUser: this.rootUser,
        minioPassword: this.rootPassword,
        minioSsl: cfg.tls.mode !== "off",
        ...(cfg.providerCaCertFile ? { minioCacertFile: cfg.providerCaCertFile } : {}),
      },
      { ...parent, dependsOn: [api, ...statefulSets] },
    );

    this.registerOutputs({
      namespace: this.namespace,
      headlessServiceName: this.headlessServiceName,
      apiServiceName: this.apiServiceName,
      consoleServiceName: this.consoleServiceName,
      apiEndpoint: this.apiEndpoint,
      consoleEndpoint: this.consoleEndpoint,
      rootUser: this.rootUser,
      rootPassword: this.rootPassword,
      rootCredentialsSecretName: this.rootCredentialsSecretName,
      erasure: this.erasure,
    });
  }
}

/** Label telling the pools apart; part of each StatefulSet's (immutable) selector. */
const POOL_LABEL = "minio-platform/pool";

const DEFAULT_REQUESTS = { cpu: "500m", memory: "1Gi" };
const DEFAULT_LIMITS = { cpu: "2", memory: "4Gi" };

/** Arguments after validation, with every default filled in. */
interface ValidatedArgs {
  plan: ErasurePlan;
  namespace: string;
  createNamespace: boolean;
  image: string;
  pools: MinioPoolArgs[];
  resources: { requests: Required<MinioComputeArgs>; limits: Required<MinioComputeArgs> };
  nodeSelector?: StringMap;
  tolerations?: k8s.types.input.core.v1.Toleration[];
  topologySpread: "required" | "preferred";
  tls: MinioTlsArgs;
  tlsSecretName: string;
  ingress?: MinioIngressArgs;
  podDisruptionBudget: boolean;
  networkPolicy: boolean;
  allowedNamespaces: string[];
  metrics: MinioMetricsArgs & { authType: "public" | "jwt" };
  labels?: StringMap;
  annotations?: StringMap;
  clusterDomain: string;
  providerEndpoint?: string;
  providerHost?: string;
  providerCaCertFile?: string;
  names: { headless: string; api: string; console: string };
}

/** Longest component name: `<name>-pool-<i>` must leave room for the revision-hash label. */
const MAX_NAME_LENGTH = 40;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const DURATION = /^(\d+(ms|s|m|h))+$/;

function validateArgs(name: string, args: MinioDeploymentArgs): ValidatedArgs {
  if (typeof name !== "string" || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new InvalidArgumentError(
      "name",
      name,
      "must be a lowercase DNS label starting with a letter (it prefixes every object name)",
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(
      "name",
      name,
      `must be at most ${MAX_NAME_LENGTH} characters (StatefulSet names get a hash suffix)`,
    );
  }
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object with at least pools");
  }

  const namespace = args.namespace ?? name;
  validateDnsLabel(namespace, "namespace");

  const image = args.image ?? DEFAULT_MINIO_IMAGE;
  validateImage(image);

  if (!Array.isArray(args.pools) || args.pools.length === 0) {
    throw new InvalidArgumentError("pools", args.pools, "must list at least one server pool");
  }
  const plan = planErasure(args.pools, args.parity);
  args.pools.forEach((pool, i) => {
    const size = pool.volumeSize;
    if (typeof size !== "string" || !QUANTITY.test(size) || parseQuantity(size) <= 0) {
      throw new InvalidArgumentError(
        `pools[${i}].volumeSize`,
        size,
        "must be a positive Kubernetes quantity such as 100Gi",
      );
    }
    if (pool.storageClassName !== undefined) {
      dnsSubdomain(`pools[${i}].storageClassName`, pool.storageClassName);
    }
  });

  const resources = validateResources(args.resources);

  if (args.nodeSelector !== undefined) labelMap("nodeSelector", args.nodeSelector);
  if (args.labels !== undefined) labelMap("labels", args.labels);
  if (args.annotations !== undefined) annotationMap("annotations", args.annotations);
  if (args.tolerations !== undefined && !Array.isArray(args.tolerations)) {
    throw new InvalidArgumentError("tolerations", args.tolerations, "must be a list");
  }

  const topologySpread = args.topologySpread ?? "required";
  oneOf("topologySpread", topologySpread, ["required", "preferred"]);

  if (args.rootUser !== undefined && typeof args.rootUser === "string") {
    if (args.rootUser.length < 3 || /[\s:]/.test(args.rootUser)) {
      throw new InvalidArgumentError(
        "rootUser",
        args.rootUser,
        "must be at least 3 characters with no spaces or colons",
      );
    }
  }
  if (args.rootPassword !== undefined && typeof args.rootPassword === "string") {
    if (args.rootPassword.length < 8 || args.rootPassword.length > 40) {
      throw new InvalidArgumentError("rootPassword", REDACTED, "must be 8 to 40 characters");
    }
  }

  const tls = args.tls ?? { mode: "off" };
  validateTls(tls);

  const ingress = args.ingress;
  if (ingress !== undefined) {
    dnsSubdomain("ingress.apiHost", ingress.apiHost);
    dnsSubdomain("ingress.consoleHost", ingress.consoleHost);
    if (ingress.apiHost === ingress.consoleHost) {
      throw new InvalidArgumentError(
        "ingress.consoleHost",
        ingress.consoleHost,
        "must differ from ingress.apiHost (the console and the API cannot share a host)",
      );
    }
    if (ingress.className !== undefined) dnsSubdomain("ingress.className", ingress.className);
    if (ingress.tlsSecretName !== undefined) {
      dnsSubdomain("ingress.tlsSecretName", ingress.tlsSecretName);
    }
    if (ingress.annotations !== undefined) {
      annotationMap("ingress.annotations", ingress.annotations);
    }
  }

  const allowedNamespaces = args.allowedNamespaces ?? [];
  if (!Array.isArray(allowedNamespaces)) {
    throw new InvalidArgumentError("allowedNamespaces", allowedNamespaces, "must be a list");
  }
  allowedNamespaces.forEach((ns, i) => validateDnsLabel(ns, `allowedNamespaces[${i}]`));

  const metrics = { ...(args.metrics ?? {}), authType: args.metrics?.authType ?? "public" };
  oneOf("metrics.authType", metrics.authType, ["public", "jwt"]);
  if (metrics.interval !== undefined && !DURATION.test(metrics.interval)) {
    throw new InvalidArgumentError(
      "metrics.interval",
      metrics.interval,
      "must be a Prometheus duration such as 30s or 1m",
    );
  }
  if (metrics.serviceMonitor && metrics.authType === "jwt" && !metrics.bearerTokenSecret) {
    throw new InvalidArgumentError(
      "metrics.bearerTokenSecret",
      undefined,
      'must name the Secret key with the scrape token when metrics.authType is "jwt"',
    );
  }
  if (metrics.bearerTokenSecret !== undefined) {
    dnsSubdomain("metrics.bearerTokenSecret.name", metrics.bearerTokenSecret.name);
  }
  if (metrics.serviceMonitorLabels !== undefined) {
    labelMap("metrics.serviceMonitorLabels", metrics.serviceMonitorLabels);
  }

  const clusterDomain = args.clusterDomain ?? "cluster.local";
  dnsSubdomain("clusterDomain", clusterDomain);

  let providerHost: string | undefined;
  if (args.providerEndpoint !== undefined) {
    providerHost = validateHostPort(args.providerEndpoint, "providerEndpoint");
  }
  if (args.providerCaCertFile !== undefined) {
    if (typeof args.providerCaCertFile !== "string" || args.providerCaCertFile === "") {
      throw new InvalidArgumentError(
        "providerCaCertFile",
        args.providerCaCertFile,
        "must be the path of a PEM file",
      );
    }
  }

  return {
    plan,
    namespace,
    createNamespace: args.createNamespace ?? true,
    image,
    pools: args.pools,
    resources,
    nodeSelector: args.nodeSelector,
    tolerations: args.tolerations,
    topologySpread,
    tls,
    tlsSecretName: tls.mode === "secret" ? tls.secretName : `${name}-tls`,
    ingress,
    podDisruptionBudget: args.podDisruptionBudget ?? true,
    networkPolicy: args.networkPolicy ?? true,
    allowedNamespaces: [...new Set(allowedNamespaces)].sort(),
    metrics,
    labels: args.labels,
    annotations: args.annotations ? sortKeys(args.annotations) : undefined,
    clusterDomain,
    providerEndpoint: args.providerEndpoint,
    providerHost,
    providerCaCertFile: args.providerCaCertFile,
    names: { headless: `${name}-hl`, api: `${name}-api`, console: `${name}-console` },
  };
}

function validateImage(image: unknown): void {
  if (typeof image !== "string" || image === "" || /\s/.test(image)) {
    throw new InvalidArgumentError("image", image, "must be an image reference");
  }
  const [ref, digest] = image.split("@");
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  const tag = colon > lastSlash ? ref.slice(colon + 1) : undefined;
  if (tag === "latest" || (tag === undefined && digest === undefined)) {
    throw new InvalidArgumentError(
      "image",
      image,
      'must be pinned by a tag other than "latest" or by a digest',
    );
  }
}

function validateTls(tls: MinioTlsArgs): void {
  if (typeof tls !== "object" || tls === null) {
    throw new InvalidArgumentError(
      "tls",
      tls,
      'must be an object with mode "off", "secret" or "certManager"',
    );
  }
  oneOf("tls.mode", tls.mode, ["off", "secret", "certManager"]);
  if (tls.mode === "secret") {
    if (tls.secretName === undefined) {
      throw new InvalidArgumentError(
        "tls.secretName",
        undefined,
        'must name the TLS Secret (tls.crt, tls.key) when tls.mode is "secret"',
      );
    }
    dnsSubdomain("tls.secretName", tls.secretName);
  }
  if (tls.mode === "certManager") {
    if (tls.issuerName === undefined) {
      throw new InvalidArgumentError(
        "tls.issuerName",
        undefined,
        'must name the cert-manager issuer when tls.mode is "certManager"',
      );
    }
    dnsSubdomain("tls.issuerName", tls.issuerName);
    if (tls.issuerKind !== undefined) {
      oneOf("tls.issuerKind", tls.issuerKind, ["Issuer", "ClusterIssuer"]);
    }
  }
}

function validateResources(resources: MinioResourcesArgs | undefined): ValidatedArgs["resources"] {
  const requests = { ...DEFAULT_REQUESTS, ...(resources?.requests ?? {}) };
  const limits = { ...DEFAULT_LIMITS, ...(resources?.limits ?? {}) };
  for (const key of ["cpu", "memory"] as const) {
    for (const [kind, value] of [
      ["requests", requests[key]],
      ["limits", limits[key]],
    ] as const) {
      if (typeof value !== "string" || !QUANTITY.test(value) || parseQuantity(value) <= 0) {
        throw new InvalidArgumentError(
          `resources.${kind}.${key}`,
          value,
          "must be a positive Kubernetes quantity such as 500m, 2 or 4Gi",
        );
      }
    }
    if (parseQuantity(requests[key]) > parseQuantity(limits[key])) {
      throw new InvalidArgumentError(
        `resources.requests.${key}`,
        requests[key],
        `must not exceed resources.limits.${key} (${limits[key]})`,
      );
    }
  }
  return { requests, limits };
}

const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity already matched by {@link QUANTITY}, for comparisons. */
function parseQuantity(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (!match) return NaN;
  const [, number, suffix] = match;
  if (suffix === undefined) return Number(number);
  if (/^[eE]/.test(suffix)) return Number(`${number}${suffix}`);
  return Number(number) * SUFFIXES[suffix];
}

function dnsSubdomain(argument: string, value: unknown): void {
  if (typeof value !== "string" || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new InvalidArgumentError(
      argument,
      value,
      "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', " +
        "at most 253 characters",
    );
  }
}

function labelMap(argument: string, map: unknown): void {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new InvalidArgumentError(argument, map, "must be a map of strings");
  }
  for (const [key, value] of Object.entries(map)) {
    labelKey(`${argument}["${key}"]`, key);
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new InvalidArgumentError(
        `${argument}["${key}"]`,
        value,
        "must be a label value: at most 63 letters, digits, '-', '_' or '.', " +
          "alphanumeric at both ends",
      );
    }
  }
}

function annotationMap(argument: string, map: unknown): void {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new InvalidArgumentError(argument, map, "must be a map of strings");
  }
  for (const [key, value] of Object.entries(map)) {
    labelKey(`${argument}["${key}"]`, key);
    if (typeof value !== "string") {
      throw new InvalidArgumentError(`${argument}["${key}"]`, value, "must be a string");
    }
  }
}

function labelKey(argument: string, key: string): void {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const label = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || label.length > 63 || !LABEL_NAME.test(label)) {
    throw new InvalidArgumentError(
      argument,
      key,
      "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 " +
        "letters, digits, '-', '_' or '.'",
    );
  }
}

function oneOf(argument: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new InvalidArgumentError(
      argument,
      value,
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
    );
  }
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/** Every name a client or a peer server may use to reach the deployment. */
function certificateDnsNames(cfg: ValidatedArgs): string[] {
  const ns = cfg.namespace;
  const domain = cfg.clusterDomain;
  const names = [
    `*.${cfg.names.headless}.${ns}.svc.${domain}`,
    `${cfg.names.headless}.${ns}.svc.${domain}`,
    ...[cfg.names.api, cfg.names.console].flatMap((svc) => [
      svc,
      `${svc}.${ns}`,
      `${svc}.${ns}.svc`,
      `${svc}.${ns}.svc.${domain}`,
    ]),
  ];
  if (cfg.providerHost && !isIpAddress(cfg.providerHost)) names.push(cfg.providerHost);
  return [...new Set(names)];
}

/** The selector-relevant labels only: the caller's labels must never reach a selector. */
function pickSelector(labels: StringMap): StringMap {
  return sortKeys({
    "app.kubernetes.io/name": labels["app.kubernetes.io/name"],
    "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"],
    "app.kubernetes.io/component": labels["app.kubernetes.io/component"],
  });
}

function podSpec(
  cfg: ValidatedArgs,
  pool: MinioPoolArgs,
  serverArgs: string[],
  poolSelector: StringMap,
  credentialsSecret: pulumi.Output<string>,
): k8s.types.input.core.v1.PodSpec {
  const tlsOn = cfg.tls.mode !== "off";
  const scheme = tlsOn ? "HTTPS" : "HTTP";
  const secretKey = (key: string) => ({ secretKeyRef: { name: credentialsSecret, key } });
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: "api", scheme },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold,
  });

  const volumes: k8s.types.input.core.v1.Volume[] = [{ name: "tmp", emptyDir: {} }];
  const mounts: k8s.types.input.core.v1.VolumeMount[] = [{ name: "tmp", mountPath: "/tmp" }];
  if (tlsOn) {
    volumes.push({
      name: "certs",
      projected: {
        sources: [
          {
            secret: {
              name: cfg.tlsSecretName,
              items: [
                { key: "tls.crt", path: "public.crt" },
                { key: "tls.key", path: "private.key" },
              ],
            },
          },
          {
            secret: {
              name: cfg.tlsSecretName,
              items: [{ key: "ca.crt", path: "CAs/ca.crt" }],
              optional: true,
            },
          },
          {
            // MinIO exits when it cannot create <certs>/CAs, and this volume is read-only;
            // this file makes the folder exist when the Secret has no ca.crt. MinIO skips
            // files in CAs/ that hold no certificate.
            downwardAPI: {
              items: [{ path: "CAs/namespace", fieldRef: { fieldPath: "metadata.namespace" } }],
            },
          },
        ],
      },
    });
    mounts.push({ name: "certs", mountPath: CERTS_DIR, readOnly: true });
  }
  range(pool.drivesPerServer).forEach((d) =>
    mounts.push({ name: `data-${d}`, mountPath: `/data${d}` }),
  );

  const whenUnsatisfiable = cfg.topologySpread === "required" ? "DoNotSchedule" : "ScheduleAnyway";
  return {
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      // Re-owning every object on every start would take hours on a full drive.
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...(cfg.nodeSelector ? { nodeSelector: sortKeys(cfg.nodeSelector) } : {}),
    ...(cfg.tolerations ? { tolerations: cfg.tolerations } : {}),
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable,
        labelSelector: { matchLabels: poolSelector },
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: "kubernetes.io/hostname",
              labelSelector: { matchLabels: poolSelector },
            },
          },
        ],
      },
    },
    containers: [
      {
        name: "minio",
        image: cfg.image,
        imagePullPolicy: "IfNotPresent",
        command: ["minio"],
        args: serverArgs,
        ports: [
          { name: "api", containerPort: API_PORT, protocol: "TCP" },
          { name: "console", containerPort: CONSOLE_PORT, protocol: "TCP" },
        ],
        env: [
          // MinIO keeps its default config and certs folders under $HOME; /tmp is writable.
          { name: "HOME", value: "/tmp" },
          { name: "MINIO_ROOT_USER", valueFrom: secretKey("rootUser") },
          { name: "MINIO_ROOT_PASSWORD", valueFrom: secretKey("rootPassword") },
          { name: "MINIO_STORAGE_CLASS_STANDARD", value: cfg.plan.storageClass },
          { name: "MINIO_PROMETHEUS_AUTH_TYPE", value: cfg.metrics.authType },
          ...(cfg.ingress
            ? [
                {
                  name: "MINIO_BROWSER_REDIRECT_URL",
                  value: consoleUrl(cfg.ingress),
                },
              ]
            : []),
        ],
        resources: { requests: cfg.resources.requests, limits: cfg.resources.limits },
        livenessProbe: probe("/minio/health/live", 3),
        readinessProbe: probe("/minio/health/ready", 6),
        securityContext: {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMounts: mounts,
      },
    ],
    volumes,
  };
}

/** The console's public address, where MinIO redirects browsers after login. */
function consoleUrl(ingress: MinioIngressArgs): string {
  return `${ingress.tlsSecretName ? "https" : "http"}://${ingress.consoleHost}`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
