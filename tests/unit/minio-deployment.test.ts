import * as pulumi from "@pulumi/pulumi";
import { maxUnavailableServers, planErasure, writeTolerance } from "../../components/erasure";
import {
  DEFAULT_MINIO_IMAGE,
  MinioDeployment,
  MinioDeploymentArgs,
  buildServerArgs,
} from "../../components/minio-deployment";
import { RecordedResource, mockSecret, runWithMocks } from "../../tools/mock-runtime";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = {
  component: "minio-platform:index:MinioDeployment",
  namespace: "kubernetes:core/v1:Namespace",
  password: "random:index/randomPassword:RandomPassword",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  sts: "kubernetes:apps/v1:StatefulSet",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  certificate: "kubernetes:cert-manager.io/v1:Certificate",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  provider: "pulumi:providers:minio",
};

const onePool: MinioDeploymentArgs = {
  namespace: "storage",
  pools: [{ servers: 4, drivesPerServer: 2, volumeSize: "100Gi" }],
};

async function deploy(args: MinioDeploymentArgs, name = "store") {
  return runWithMocks(() => {
    const d = new MinioDeployment(name, args);
    return {
      namespace: d.namespace,
      headlessServiceName: d.headlessServiceName,
      apiServiceName: d.apiServiceName,
      consoleServiceName: d.consoleServiceName,
      apiEndpoint: d.apiEndpoint,
      apiUrl: d.apiUrl,
      consoleEndpoint: d.consoleEndpoint,
      rootUser: d.rootUser,
      rootPassword: d.rootPassword,
      rootCredentialsSecretName: d.rootCredentialsSecretName,
      erasure: d.erasure,
    };
  });
}

function one(resources: RecordedResource[], type: string, name?: string): RecordedResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found).toHaveLength(1);
  return found[0];
}

const inputs = (r: RecordedResource) => r.inputs as Obj;
const container = (sts: RecordedResource) => inputs(sts).spec.template.spec.containers[0];

describe("MinioDeployment children", () => {
  it("registers the expected types and names, all parented to the component", async () => {
    const run = await deploy(onePool);
    expect(run.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual(
      [
        `${T.component}::store`,
        `${T.namespace}::store-namespace`,
        `${T.password}::store-root-password`,
        `${T.secret}::store-root-credentials`,
        `${T.service}::store-hl`,
        `${T.service}::store-api`,
        `${T.service}::store-console`,
        `${T.sts}::store-pool-0`,
        `${T.pdb}::store-pool-0`,
        `${T.netpol}::store-network`,
        `${T.provider}::store-provider`,
      ].sort(),
    );
    const component = one(run.resources, T.component);
    for (const r of run.resources.filter((r) => r !== component)) {
      expect(r.parent).toBe(component.urn);
    }
  });

  it("sets every Kubernetes name explicitly so nothing is auto-suffixed", async () => {
    const run = await deploy(onePool);
    const names = run.resources
      .filter((r) => r.type.startsWith("kubernetes:"))
      .map((r) => `${r.type.split(":")[1]}/${inputs(r).metadata.name}`)
      .sort();
    expect(names).toEqual([
      "apps/v1/store-pool-0",
      "core/v1/storage",
      "core/v1/store-api",
      "core/v1/store-console",
      "core/v1/store-hl",
      "core/v1/store-root-credentials",
      "networking.k8s.io/v1/store-network",
      "policy/v1/store-pool-0",
    ]);
    for (const r of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
      if (r.type !== T.namespace) expect(inputs(r).metadata.namespace).toBe("storage");
    }
  });

  it("uses an existing namespace when createNamespace is false", async () => {
    const run = await deploy({ ...onePool, createNamespace: false });
    expect(run.resources.filter((r) => r.type === T.namespace)).toHaveLength(0);
    expect(inputs(one(run.resources, T.sts)).metadata.namespace).toBe("storage");
    expect(run.outputs.namespace).toBe("storage");
  });

  it("creates the namespace with the restricted Pod Security level", async () => {
    const run = await deploy(onePool);
    const labels = inputs(one(run.resources, T.namespace)).metadata.labels;
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("defaults the namespace to the component name", async () => {
    const run = await deploy({ pools: onePool.pools }, "objects");
    expect(inputs(one(run.resources, T.namespace)).metadata.name).toBe("objects");
    expect(run.outputs.apiEndpoint).toBe("http://objects-api.objects.svc.cluster.local:9000");
    expect(run.outputs.apiUrl).toBe("http://objects-api.objects.svc.cluster.local:9000");
  });
});

describe("server arguments", () => {
  it("lists one pool with zero-based ordinals, the headless Service, the namespace", async () => {
    const run = await deploy(onePool);
    const c = container(one(run.resources, T.sts));
    expect(c.command).toEqual(["minio"]);
    expect(c.args.join(" ")).toBe(
      "server --console-address :9001 " +
        "http://store-pool-0-{0...3}.store-hl.storage.svc.cluster.local:9000/data{0...1}",
    );
  });

  it("gives every pool's pods the full list of all pools", async () => {
    const run = await deploy({
      namespace: "storage",
      pools: [
        { servers: 4, drivesPerServer: 4, volumeSize: "1Ti" },
        { servers: 16, drivesPerServer: 1, volumeSize: "2Ti", storageClassName: "fast" },
      ],
    });
    const expected =
      "server --console-address :9001 " +
      "http://store-pool-0-{0...3}.store-hl.storage.svc.cluster.local:9000/data{0...3} " +
      "http://store-pool-1-{0...15}.store-hl.storage.svc.cluster.local:9000/data0";
    const sets = run.resources
      .filter((r) => r.type === T.sts)
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(sets.map((s) => s.name)).toEqual(["store-pool-0", "store-pool-1"]);
    for (const sts of sets) expect(container(sts).args.join(" ")).toBe(expected);
    expect(inputs(sets[1]).spec.replicas).toBe(16);
    expect(inputs(sets[1]).spec.volumeClaimTemplates[0].spec.storageClassName).toBe("fast");
    expect(inputs(sets[0]).spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
  });

  it("switches to https and a certs folder when TLS is on", () => {
    const args = buildServerArgs({
      name: "s",
      namespace: "ns",
      headlessServiceName: "s-hl",
      pools: [{ servers: 1, drivesPerServer: 4 }],
      tls: true,
      clusterDomain: "example.internal",
    });
    expect(args).toEqual([
      "server",
      "--console-address",
      ":9001",
      "--certs-dir",
      "/etc/minio/certs",
      "https://s-pool-0-0.s-hl.ns.svc.example.internal:9000/data{0...3}",
    ]);
  });

  it("leaves an existing pool unchanged but for its args when a pool is added", async () => {
    const before = await deploy(onePool);
    const after = await deploy({
      ...onePool,
      pools: [...onePool.pools, { servers: 8, drivesPerServer: 1, volumeSize: "100Gi" }],
    });
    const strip = (r: RecordedResource) => {
      const copy = structuredClone(inputs(r));
      delete copy.spec.template.spec.containers[0].args;
      return copy;
    };
    const pool0 = (run: typeof before) => one(run.resources, T.sts, "store-pool-0");
    expect(strip(pool0(after))).toEqual(strip(pool0(before)));
    expect(container(pool0(after)).args).toHaveLength(5);
    expect(inputs(one(after.resources, T.pdb, "store-pool-0"))).toEqual(
      inputs(one(before.resources, T.pdb, "store-pool-0")),
    );
  });
});

describe("StatefulSet", () => {
  it("finds its peers through the headless Service, in parallel", async () => {
    const run = await deploy(onePool);
    const sts = inputs(one(run.resources, T.sts));
    const headless = inputs(one(run.resources, T.service, "store-hl"));
    expect(sts.spec.serviceName).toBe(headless.metadata.name);
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    expect(sts.spec.replicas).toBe(4);
    expect(headless.spec.clusterIP).toBe("None");
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
  });

  it("has one claim template per drive, mounted at /data<d>", async () => {
    const run = await deploy(onePool);
    const sts = inputs(one(run.resources, T.sts));
    expect(
      sts.spec.volumeClaimTemplates.map((t: Obj) => [
        t.metadata.name,
        t.spec.resources.requests.storage,
        t.spec.accessModes,
      ]),
    ).toEqual([
      ["data-0", "100Gi", ["ReadWriteOnce"]],
      ["data-1", "100Gi", ["ReadWriteOnce"]],
    ]);
    const mounts = container(one(run.resources, T.sts)).volumeMounts;
    expect(mounts).toEqual([
      { name: "tmp", mountPath: "/tmp" },
      { name: "data-0", mountPath: "/data0" },
      { name: "data-1", mountPath: "/data1" },
    ]);
  });

  it("probes liveness and readiness on the API port", async () => {
    const run = await deploy(onePool);
    const c = container(one(run.resources, T.sts));
    expect(c.livenessProbe.httpGet).toEqual({
      path: "/minio/health/live",
      port: "api",
      scheme: "HTTP",
    });
    expect(c.readinessProbe.httpGet).toEqual({
      path: "/minio/health/ready",
      port: "api",
      scheme: "HTTP",
    });
    expect(c.ports).toEqual([
      { name: "api", containerPort: 9000, protocol: "TCP" },
      { name: "console", containerPort: 9001, protocol: "TCP" },
    ]);
  });

  it("sets parity, metrics auth and credentials from the Secret in the environment", async () => {
    const run = await deploy({ ...onePool, parity: 3, metrics: { authType: "jwt" } });
    const env = container(one(run.resources, T.sts)).env;
    expect(env).toEqual([
      { name: "HOME", value: "/tmp" },
      {
        name: "MINIO_ROOT_USER",
        valueFrom: { secretKeyRef: { name: "store-root-credentials", key: "rootUser" } },
      },
      {
        name: "MINIO_ROOT_PASSWORD",
        valueFrom: { secretKeyRef: { name: "store-root-credentials", key: "rootPassword" } },
      },
      { name: "MINIO_STORAGE_CLASS_STANDARD", value: "EC:3" },
      { name: "MINIO_PROMETHEUS_AUTH_TYPE", value: "jwt" },
    ]);
    expect(run.outputs.erasure).toMatchObject({ setSize: 8, parity: 3, storageClass: "EC:3" });
  });

  it("uses MinIO's default parity and public metrics when none are given", async () => {
    const run = await deploy(onePool);
    const env = container(one(run.resources, T.sts)).env as Obj[];
    expect(env.find((e) => e.name === "MINIO_STORAGE_CLASS_STANDARD")?.value).toBe("EC:4");
    expect(env.find((e) => e.name === "MINIO_PROMETHEUS_AUTH_TYPE")?.value).toBe("public");
  });

  it("runs non-root, read-only, without capabilities, with RuntimeDefault seccomp", async () => {
    const run = await deploy(onePool);
    const pod = inputs(one(run.resources, T.sts)).spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
  });

  it("defaults resources and image, and pins the image", async () => {
    const run = await deploy(onePool);
    const c = container(one(run.resources, T.sts));
    expect(c.resources).toEqual({
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });
    expect(c.image).toBe(DEFAULT_MINIO_IMAGE);
    expect(DEFAULT_MINIO_IMAGE).toMatch(/^quay\.io\/minio\/minio:RELEASE\.2025-/);
    expect(DEFAULT_MINIO_IMAGE).not.toMatch(/latest/);
  });

  it("spreads a pool's servers over nodes and prefers anti-affinity", async () => {
    const run = await deploy({
      ...onePool,
      nodeSelector: { "node-role/storage": "true" },
      tolerations: [{ key: "storage", operator: "Exists", effect: "NoSchedule" }],
      resources: { requests: { memory: "8Gi" }, limits: { memory: "16Gi" } },
    });
    const pod = inputs(one(run.resources, T.sts)).spec.template.spec;
    const selector = {
      "app.kubernetes.io/component": "server",
      "app.kubernetes.io/instance": "store",
      "app.kubernetes.io/name": "minio",
      "minio-platform/pool": "0",
    };
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: selector },
      },
    ]);
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: "kubernetes.io/hostname",
          labelSelector: { matchLabels: selector },
        },
      },
    ]);
    expect(pod.nodeSelector).toEqual({ "node-role/storage": "true" });
    expect(pod.tolerations).toEqual([{ key: "storage", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: "500m", memory: "8Gi" },
      limits: { cpu: "2", memory: "16Gi" },
    });
    expect(inputs(one(run.resources, T.sts)).spec.selector.matchLabels).toEqual(selector);
  });

  it("softens the spread to ScheduleAnyway when asked", async () => {
    const run = await deploy({ ...onePool, topologySpread: "preferred" });
    const pod = inputs(one(run.resources, T.sts)).spec.template.spec;
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe("ScheduleAnyway");
  });
});

describe("PodDisruptionBudget", () => {
  it.each([
    // servers x drives, parity -> servers that may be down
    [4, 1, undefined, 1], // set 4, EC:2: write quorum 3, one drive (one server) to spare
    [4, 1, 1, 1], // set 4, EC:1: write quorum 3
    [16, 1, undefined, 4], // set 16, EC:4: four single-drive servers
    [8, 2, undefined, 2], // set 16, two drives of each set per server
    [4, 4, undefined, 1], // set 16, four drives per server: EC:4 spares exactly one server
    [4, 4, 8, 1], // EC:8 on 16: write quorum 9, spares 7 drives, still one server
    [3, 16, 6, 1], // sets of 12, 4 drives per server, EC:6 spares 5 drives
    [5, 4, undefined, 2], // sets of 10, 2 drives per server, EC:4
    [2, 1, undefined, 0], // a mirror cannot lose a server and keep writing
    [1, 4, undefined, 0], // a single server holds every drive
  ])("%i x %i at parity %p allows %i unavailable", (servers, drives, parity, expected) => {
    const pool = { servers, drivesPerServer: drives };
    expect(maxUnavailableServers(pool, planErasure([pool], parity))).toBe(expected);
  });

  it("writeTolerance counts the extra drive write quorum needs when parity is half the set", () => {
    expect(writeTolerance(4, 2)).toBe(1);
    expect(writeTolerance(16, 8)).toBe(7);
    expect(writeTolerance(16, 4)).toBe(4);
    expect(writeTolerance(12, 4)).toBe(4);
  });

  it("is registered per pool with the computed numbers and the pool's selector", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const run = await deploy({
      namespace: "storage",
      pools: [
        { servers: 4, drivesPerServer: 1, volumeSize: "10Gi" },
        { servers: 2, drivesPerServer: 2, volumeSize: "10Gi" },
      ],
    });
    const pdbs = run.resources
      .filter((r) => r.type === T.pdb)
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(pdbs.map((p) => [p.name, inputs(p).spec.maxUnavailable])).toEqual([
      ["store-pool-0", 1],
      ["store-pool-1", 0],
    ]);
    expect(inputs(pdbs[1]).spec.selector.matchLabels["minio-platform/pool"]).toBe("1");
    const warnings = warn.mock.calls.map((c) => String(c[0]));
    warn.mockRestore();
    expect(warnings.filter((w) => w.includes("cannot lose a server"))).toEqual([
      expect.stringContaining("pools[1] cannot lose a server and keep write quorum (2 server(s)"),
    ]);
  });

  it("can be turned off", async () => {
    const run = await deploy({ ...onePool, podDisruptionBudget: false });
    expect(run.resources.filter((r) => r.type === T.pdb)).toHaveLength(0);
  });
});

describe("NetworkPolicy", () => {
  it("admits 9000 and 9001 only from the deployment's pods and allowed namespaces", async () => {
    const run = await deploy({ ...onePool, allowedNamespaces: ["velero", "apps", "apps"] });
    const spec = inputs(one(run.resources, T.netpol)).spec;
    const pods = {
      "app.kubernetes.io/component": "server",
      "app.kubernetes.io/instance": "store",
      "app.kubernetes.io/name": "minio",
    };
    const ports = [
      { protocol: "TCP", port: 9000 },
      { protocol: "TCP", port: 9001 },
    ];
    expect(spec).toEqual({
      podSelector: { matchLabels: pods },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: { matchLabels: pods } }], ports },
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: "kubernetes.io/metadata.name",
                    operator: "In",
                    values: ["apps", "velero"],
                  },
                ],
              },
            },
          ],
          ports,
        },
      ],
    });
  });

  it("admits only the deployment's own pods when no namespace is allowed", async () => {
    const run = await deploy(onePool);
    expect(inputs(one(run.resources, T.netpol)).spec.ingress).toHaveLength(1);
  });

  it("can be turned off", async () => {
    const run = await deploy({ ...onePool, networkPolicy: false });
    expect(run.resources.filter((r) => r.type === T.netpol)).toHaveLength(0);
  });
});

describe("labels and annotations", () => {
  it("puts the recommended labels and the caller's on every Kubernetes child", async () => {
    const run = await deploy({
      ...onePool,
      labels: { team: "platform", "app.kubernetes.io/name": "overridden" },
      annotations: { "example.com/owner": "storage-team" },
      ingress: { apiHost: "s3.example.com", consoleHost: "console.example.com" },
      tls: { mode: "certManager", issuerName: "internal-ca" },
      metrics: { serviceMonitor: true },
    });
    const children = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(children).toHaveLength(11);
    for (const r of children) {
      const metadata = inputs(r).metadata;
      expect(metadata.labels).toMatchObject({
        team: "platform",
        "app.kubernetes.io/name": "minio",
        "app.kubernetes.io/instance": "store",
        "app.kubernetes.io/part-of": "minio-platform",
        "app.kubernetes.io/managed-by": "pulumi",
      });
      expect(typeof metadata.labels["app.kubernetes.io/component"]).toBe("string");
      expect(metadata.annotations).toMatchObject({ "example.com/owner": "storage-team" });
    }
    const template = inputs(one(run.resources, T.sts)).spec.template.metadata;
    expect(template.labels.team).toBe("platform");
    // Caller labels never reach an immutable selector.
    expect(inputs(one(run.resources, T.sts)).spec.selector.matchLabels.team).toBeUndefined();
  });
});

describe("root credentials", () => {
  it("generates a password and keeps both credentials secret", async () => {
    const run = await deploy(onePool);
    const secret = one(run.resources, T.secret);
    const generated = mockSecret("store-root-password:{}", 40);
    expect(inputs(secret).stringData).toEqual({ rootUser: "minio-root", rootPassword: generated });
    expect(secret.secretPaths).toContain("stringData");
    expect(inputs(one(run.resources, T.password))).toMatchObject({ length: 40, special: false });
    expect(run.outputs.rootPassword).toBe(generated);
    expect(run.outputs.rootUser).toBe("minio-root");
    expect(run.secretOutputs).toEqual(["rootPassword", "rootUser"]);
    expect(run.outputs.rootCredentialsSecretName).toBe("store-root-credentials");
  });

  it("uses given credentials as secrets without generating one", async () => {
    const run = await deploy({ ...onePool, rootUser: "admin", rootPassword: "correct-horse" });
    expect(run.resources.filter((r) => r.type === T.password)).toHaveLength(0);
    expect(inputs(one(run.resources, T.secret)).stringData).toEqual({
      rootUser: "admin",
      rootPassword: "correct-horse",
    });
    expect(run.secretOutputs).toEqual(["rootPassword", "rootUser"]);
  });

  it("hands the credentials to the provider as secrets", async () => {
    const run = await deploy(onePool);
    const provider = one(run.resources, T.provider);
    expect([...provider.secretPaths].sort()).toEqual(["minioPassword", "minioUser"]);
    expect(inputs(provider).minioServer).toBe("store-api.storage.svc.cluster.local:9000");
    expect(String(inputs(provider).minioSsl)).toBe("false");
  });

  it("points the provider at providerEndpoint when given", async () => {
    const run = await deploy({ ...onePool, providerEndpoint: "127.0.0.1:19000" });
    expect(inputs(one(run.resources, T.provider)).minioServer).toBe("127.0.0.1:19000");
  });
});

describe("outputs", () => {
  it("names the Services and the in-cluster endpoints", async () => {
    const run = await deploy(onePool);
    expect(run.outputs).toMatchObject({
      namespace: "storage",
      headlessServiceName: "store-hl",
      apiServiceName: "store-api",
      consoleServiceName: "store-console",
      apiEndpoint: "http://store-api.storage.svc.cluster.local:9000",
      consoleEndpoint: "http://store-console.storage.svc.cluster.local:9001",
    });
    expect(run.outputs.erasure).toEqual(planErasure([{ servers: 4, drivesPerServer: 2 }]));
  });
});

describe("TLS", () => {
  it("mounts an existing Secret and switches every scheme to https", async () => {
    const run = await deploy({ ...onePool, tls: { mode: "secret", secretName: "minio-cert" } });
    const c = container(one(run.resources, T.sts));
    expect(c.args.join(" ")).toBe(
      "server --console-address :9001 --certs-dir /etc/minio/certs " +
        "https://store-pool-0-{0...3}.store-hl.storage.svc.cluster.local:9000/data{0...1}",
    );
    expect(c.livenessProbe.httpGet.scheme).toBe("HTTPS");
    expect(c.readinessProbe.httpGet.scheme).toBe("HTTPS");
    expect(c.volumeMounts).toContainEqual({
      name: "certs",
      mountPath: "/etc/minio/certs",
      readOnly: true,
    });
    const certs = inputs(one(run.resources, T.sts)).spec.template.spec.volumes[1];
    expect(certs.projected.sources[0].secret).toEqual({
      name: "minio-cert",
      items: [
        { key: "tls.crt", path: "public.crt" },
        { key: "tls.key", path: "private.key" },
      ],
    });
    expect(certs.projected.sources[1].secret).toEqual({
      name: "minio-cert",
      items: [{ key: "ca.crt", path: "CAs/ca.crt" }],
      optional: true,
    });
    expect(run.outputs.apiEndpoint).toBe("https://store-api.storage.svc.cluster.local:9000");
    expect(run.outputs.consoleEndpoint).toBe(
      "https://store-console.storage.svc.cluster.local:9001",
    );
    expect(String(inputs(one(run.resources, T.provider)).minioSsl)).toBe("true");
    expect(run.resources.filter((r) => r.type === T.certificate)).toHaveLength(0);
  });

  it("requests a cert-manager Certificate for every in-cluster name", async () => {
    const run = await deploy({
      ...onePool,
      tls: { mode: "certManager", issuerName: "internal-ca", issuerKind: "ClusterIssuer" },
      providerEndpoint: "minio.example.com:443",
    });
    const cert = inputs(one(run.resources, T.certificate, "store-tls"));
    expect(cert.apiVersion).toBe("cert-manager.io/v1");
    expect(cert.kind).toBe("Certificate");
    expect(cert.metadata.name).toBe("store-tls");
    expect(cert.spec).toEqual({
      secretName: "store-tls",
      issuerRef: { name: "internal-ca", kind: "ClusterIssuer", group: "cert-manager.io" },
      dnsNames: [
        "*.store-hl.storage.svc.cluster.local",
        "store-hl.storage.svc.cluster.local",
        "store-api",
        "store-api.storage",
        "store-api.storage.svc",
        "store-api.storage.svc.cluster.local",
        "store-console",
        "store-console.storage",
        "store-console.storage.svc",
        "store-console.storage.svc.cluster.local",
        "minio.example.com",
      ],
      privateKey: { rotationPolicy: "Always" },
    });
    const volumes = inputs(one(run.resources, T.sts)).spec.template.spec.volumes;
    expect(volumes[1].projected.sources[0].secret.name).toBe("store-tls");
  });

  it("defaults the issuer kind to Issuer", async () => {
    const run = await deploy({ ...onePool, tls: { mode: "certManager", issuerName: "ca" } });
    expect(inputs(one(run.resources, T.certificate)).spec.issuerRef.kind).toBe("Issuer");
  });
});

describe("Ingress", () => {
  it("routes the API and console hosts to their Services", async () => {
    const run = await deploy({
      ...onePool,
      ingress: {
        apiHost: "s3.example.com",
        consoleHost: "console.example.com",
        className: "nginx",
        tlsSecretName: "wildcard-example",
        annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "0" },
      },
    });
    const ing = inputs(one(run.resources, T.ingress));
    expect(ing.metadata.name).toBe("store");
    expect(ing.metadata.annotations).toEqual({
      "nginx.ingress.kubernetes.io/proxy-body-size": "0",
    });
    const backend = (name: string, port: string) => ({ service: { name, port: { name: port } } });
    expect(ing.spec).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["s3.example.com", "console.example.com"], secretName: "wildcard-example" }],
      rules: [
        {
          host: "s3.example.com",
          http: {
            paths: [{ path: "/", pathType: "Prefix", backend: backend("store-api", "api") }],
          },
        },
        {
          host: "console.example.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: backend("store-console", "console") },
            ],
          },
        },
      ],
    });
    const env = container(one(run.resources, T.sts)).env as Obj[];
    expect(env.find((e) => e.name === "MINIO_BROWSER_REDIRECT_URL")?.value).toBe(
      "https://console.example.com",
    );
  });
});

describe("ServiceMonitor", () => {
  it("scrapes the cluster metrics of the API Service", async () => {
    const run = await deploy({
      ...onePool,
      metrics: { serviceMonitor: true, interval: "1m", serviceMonitorLabels: { release: "prom" } },
    });
    const sm = inputs(one(run.resources, T.serviceMonitor));
    expect(sm.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(sm.metadata.labels.release).toBe("prom");
    expect(sm.spec).toEqual({
      selector: {
        matchLabels: {
          "app.kubernetes.io/component": "api",
          "app.kubernetes.io/instance": "store",
          "app.kubernetes.io/name": "minio",
        },
      },
      endpoints: [
        { port: "api", path: "/minio/v2/metrics/cluster", scheme: "http", interval: "1m" },
      ],
    });
    const api = inputs(one(run.resources, T.service, "store-api"));
    expect(api.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
  });

  it("passes the bearer token Secret with jwt auth", async () => {
    const run = await deploy({
      ...onePool,
      metrics: {
        serviceMonitor: true,
        authType: "jwt",
        bearerTokenSecret: { name: "minio-prom", key: "token" },
      },
    });
    const endpoint = inputs(one(run.resources, T.serviceMonitor)).spec.endpoints[0];
    expect(endpoint.bearerTokenSecret).toEqual({ name: "minio-prom", key: "token" });
  });

  it("is absent unless asked for", async () => {
    const run = await deploy(onePool);
    expect(run.resources.filter((r) => r.type === T.serviceMonitor)).toHaveLength(0);
  });
});

describe("invalid arguments", () => {
  const pools = onePool.pools;
  it.each<[string, MinioDeploymentArgs, string]>([
    [
      "zero servers",
      { pools: [{ servers: 0, drivesPerServer: 1, volumeSize: "1Gi" }] },
      "pools[0].servers = 0: must be a whole number from 1 to 64",
    ],
    [
      "17 drives per set",
      { pools: [{ servers: 17, drivesPerServer: 1, volumeSize: "1Gi" }] },
      'pools[0] = {"servers":17,"drivesPerServer":1}: 17 drives cannot be split into erasure ' +
        "sets of 2 to 16 drives spread evenly over 17 server(s)",
    ],
    [
      "parity too high",
      { pools, parity: 5 },
      "parity = 5: must be a whole number from 1 to 4 (half the erasure set size 8)",
    ],
    [
      "pools with different set sizes",
      {
        pools: [
          { servers: 4, drivesPerServer: 1, volumeSize: "1Gi" },
          { servers: 6, drivesPerServer: 1, volumeSize: "1Gi" },
        ],
      },
      'pools[1] = {"servers":6,"drivesPerServer":1}: has erasure set size 6 but pools[0] has 4; ' +
        "every pool must use the same set size",
    ],
    [
      "1 server x 1 drive",
      { pools: [{ servers: 1, drivesPerServer: 1, volumeSize: "1Gi" }] },
      'pools[0] = {"servers":1,"drivesPerServer":1}: must have at least 2 drives ' +
        "(servers x drivesPerServer): MinIO runs distributed, erasure-coded, only from 2 drives",
    ],
    [
      "an invalid namespace",
      { pools, namespace: "Bad_NS" },
      'namespace = "Bad_NS": must be a DNS-1123 label: lowercase letters, digits and hyphens ' +
        '("B" is not allowed)',
    ],
    [
      "an invalid volume size",
      { pools: [{ servers: 4, drivesPerServer: 1, volumeSize: "10GB" }] },
      'pools[0].volumeSize = "10GB": must be a positive Kubernetes quantity such as 100Gi',
    ],
    [
      "a zero volume size",
      { pools: [{ servers: 4, drivesPerServer: 1, volumeSize: "0Gi" }] },
      'pools[0].volumeSize = "0Gi": must be a positive Kubernetes quantity such as 100Gi',
    ],
    [
      "TLS from a Secret without its name",
      { pools, tls: { mode: "secret" } as never },
      "tls.secretName = undefined: must name the TLS Secret (tls.crt, tls.key) " +
        'when tls.mode is "secret"',
    ],
    [
      "TLS from cert-manager without an issuer",
      { pools, tls: { mode: "certManager" } as never },
      "tls.issuerName = undefined: must name the cert-manager issuer " +
        'when tls.mode is "certManager"',
    ],
    [
      "an unknown TLS mode",
      { pools, tls: { mode: "on" } as never },
      'tls.mode = "on": must be one of "off", "secret", "certManager"',
    ],
    [
      "the latest image",
      { pools, image: "quay.io/minio/minio:latest" },
      'image = "quay.io/minio/minio:latest": ' +
        'must be pinned by a tag other than "latest" or by a digest',
    ],
    [
      "an untagged image",
      { pools, image: "registry.local:5000/minio" },
      'image = "registry.local:5000/minio": ' +
        'must be pinned by a tag other than "latest" or by a digest',
    ],
    [
      "requests above limits",
      { pools, resources: { requests: { memory: "8Gi" } } },
      'resources.requests.memory = "8Gi": must not exceed resources.limits.memory (4Gi)',
    ],
    [
      "a bad CPU quantity",
      { pools, resources: { limits: { cpu: "two" } } },
      'resources.limits.cpu = "two": must be a positive Kubernetes quantity such as 500m, 2 or 4Gi',
    ],
    [
      "a short root password",
      { pools, rootPassword: "hunter2" },
      "rootPassword = [secret]: must be 8 to 40 characters",
    ],
    [
      "an endpoint with a scheme",
      { pools, providerEndpoint: "http://127.0.0.1:9000" },
      'providerEndpoint = "http://127.0.0.1:9000": ' +
        "must be host:port with no scheme, e.g. 127.0.0.1:9000",
    ],
    [
      "an endpoint with a password in it",
      { pools, providerEndpoint: "admin:S3cretPw99@127.0.0.1:9000" },
      'providerEndpoint = "[secret]@127.0.0.1:9000": must not contain a user name or password ' +
        "(it would be copied into Secrets, environments and logs)",
    ],
    [
      "a bad allowed namespace",
      { pools, allowedNamespaces: ["ok", "-bad"] },
      'allowedNamespaces[1] = "-bad": must be a DNS-1123 label: start and end with a lowercase ' +
        "letter or digit",
    ],
    [
      "the same host for API and console",
      { pools, ingress: { apiHost: "s3.example.com", consoleHost: "s3.example.com" } },
      'ingress.consoleHost = "s3.example.com": must differ from ingress.apiHost (the console and ' +
        "the API cannot share a host)",
    ],
    [
      "jwt metrics scraped without a token",
      { pools, metrics: { authType: "jwt", serviceMonitor: true } },
      "metrics.bearerTokenSecret = undefined: must name the Secret key with the scrape token " +
        'when metrics.authType is "jwt"',
    ],
    [
      "a bad label value",
      { pools, labels: { team: "platform team" } },
      'labels["team"] = "platform team": must be a label value: at most 63 letters, digits, ' +
        "'-', '_' or '.', alphanumeric at both ends",
    ],
  ])("refuses %s before registering anything", async (_, args, rule) => {
    let caught: unknown;
    const run = await runWithMocks(() => {
      try {
        new MinioDeployment("store", args);
      } catch (err) {
        caught = err;
      }
    });
    expect((caught as Error).message).toBe(`MinioDeployment "store": ${rule}`);
    expect(run.resources).toEqual([]);
  });

  it("refuses a component name that cannot prefix Kubernetes names", async () => {
    const run = await runWithMocks(() => {
      expect(() => new MinioDeployment("9store", onePool)).toThrow(
        'MinioDeployment "9store": name = "9store": must be a lowercase DNS label starting with ' +
          "a letter (it prefixes every object name)",
      );
    });
    expect(run.resources).toEqual([]);
  });

  it("never prints a given password", () => {
    expect(() => new MinioDeployment("store", { ...onePool, rootPassword: "short" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("short") }),
    );
  });

  it("accepts an output as the password without inspecting it", async () => {
    const run = await deploy({ ...onePool, rootPassword: pulumi.output("from-elsewhere-123") });
    expect(inputs(one(run.resources, T.secret)).stringData.rootPassword).toBe("from-elsewhere-123");
  });
});
