import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InvalidArgumentError } from "../../components/errors";
import { parsePlatformConfig } from "../../stacks/config";
import { loadStackConfig, shippedStacks } from "../../stacks/stack-config";
import { RecordedResource } from "../../tools/mock-runtime";
import { synth } from "../../tools/synth";

const parse = (values: Record<string, unknown>) =>
  parsePlatformConfig((k) => values[k], Object.keys(values), "test");

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "synth-test-"));
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** Every credential a run handled: generated passwords, user secrets, access key pairs. */
function secretValues(resources: RecordedResource[]): string[] {
  const values = new Set<string>();
  for (const r of resources) {
    for (const v of [r.state.result, r.inputs.secret, r.state.accessKey, r.state.secretKey]) {
      if (typeof v === "string") values.add(v);
    }
  }
  return [...values];
}

describe("platform config", () => {
  it("fills defaults for a minimal config", () => {
    const config = parse({ tenants: ["acme"] });
    expect(config.environment).toBe("test");
    expect(config.production).toBe(false);
    expect(config.tenantLayout).toBe("per-tenant");
    expect(config.minio).toMatchObject({ deploy: true, namespace: "minio", tls: { mode: "off" } });
    expect(config.tenants).toEqual([
      { id: "acme", versioning: false, objectLock: false, serviceAccounts: [] },
    ]);
  });

  it("turns versioning on by default when object lock is asked for", () => {
    expect(parse({ tenants: [{ id: "vault", objectLock: true }] }).tenants[0].versioning).toBe(
      true,
    );
  });

  it.each([
    [{ tenant: [] }, "minio-platform:tenant", "is not a setting of this program"],
    [{ tenants: [{ id: "a", quotaGib: 3 }] }, "tenants[0].quotaGib", "is not a known setting"],
    [{ tenants: [{ id: "a", quotaGiB: 0 }] }, "tenants[0].quotaGiB", "must be greater than 0"],
    [{ tenants: ["a", "a"] }, "tenants[1].id", "must be unique in tenants"],
    [{ tenants: ["ok", "Acme_1"] }, "tenants[1].id", "may contain only"],
    [{ tenants: [{ id: "a*" }] }, "tenants[0].id", "may contain only"],
    [{ tenants: "acme" }, "tenants", "must be a list"],
    [{ production: "yes" }, "production", "must be true or false"],
    [{ minio: { tls: { mode: "on" } } }, "minio.tls.mode", 'must be "off", "secret" or'],
    [{ tenantLayout: "shared" }, "tenantLayout", 'must be "per-tenant" or "shared-policy"'],
    [
      { minio: { deploy: false, endpoint: "s3:9000", adminUser: "admin" } },
      "adminPassword",
      "is required when minio.deploy is false",
    ],
    [
      { minio: { deploy: false, endpoint: "admin:S3cretPw99@s3:9000", adminUser: "admin" } },
      "minio.endpoint",
      "must not contain a user name or password",
    ],
    [
      { minio: { deploy: false, endpoint: "https://s3:9000", adminUser: "admin" } },
      "minio.endpoint",
      "must be host:port with no scheme",
    ],
  ])("refuses %j", (values, argument, rule) => {
    let error: unknown;
    try {
      parse(values);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as InvalidArgumentError).rule).toContain(rule);
    expect((error as Error).message).not.toContain("S3cretPw99");
  });

  it("ships local, dev and prod stacks, prod with two pools, TLS, ingress and 25+ tenants", () => {
    expect(shippedStacks()).toEqual(["dev", "local", "prod"]);
    const prod = loadStackConfig("prod");
    expect(prod.production).toBe(true);
    if (!prod.minio.deploy) throw new Error("prod deploys MinIO");
    expect(prod.minio.pools).toHaveLength(2);
    expect(prod.minio.tls.mode).toBe("certManager");
    expect(prod.minio.ingress?.apiHost).toBe("s3.example.internal");
    expect(prod.tenants.length).toBeGreaterThanOrEqual(25);
  });

  it("names the config file when a shipped-style file is wrong", () => {
    const dir = tempDir();
    const file = path.join(dir, "Pulumi.broken.yaml");
    fs.writeFileSync(file, "config:\n  minio-platform:tenants:\n    - id: Bad_Tenant\n");
    expect(() => loadStackConfig("broken", file)).toThrow(
      /Pulumi\.broken\.yaml: tenants\[0\]\.id = "Bad_Tenant": may contain only lowercase letters, digits and hyphens \("B" is not allowed\)$/,
    );
    fs.writeFileSync(file, "config:\n  minio-platform:rootPassword: Hunter2Hunter2\n");
    expect(() => loadStackConfig("broken", file)).toThrow(
      /Pulumi\.broken\.yaml: minio-platform:rootPassword = \[secret\]: must be stored encrypted, not as text in the stack file: pulumi config set --secret rootPassword \.\.\.$/,
    );
    fs.writeFileSync(file, "config:\n  minio-platform:rootPassword:\n    secure: AAABAA==\n");
    expect(loadStackConfig("broken", file).tenants).toEqual([]);
    fs.writeFileSync(file, "config:\n  minio-platform:tenantz: []\n");
    expect(() => loadStackConfig("broken", file)).toThrow(
      /Pulumi\.broken\.yaml: minio-platform:tenantz = "tenantz": is not a setting/,
    );
  });
});

describe("offline synth", () => {
  it.each(["local", "dev", "prod"])("plans the %s stack into out/<stack>/", async (stack) => {
    const out = tempDir();
    const result = await synth(stack, out);
    const files = readTree(path.join(out, stack));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(["resources.json", "summary.md"]));
    expect(files["manifests.yaml"]).toContain("kind: StatefulSet");

    const config = result.config;
    const buckets = result.run.resources
      .filter((r) => r.type === "minio:index/s3Bucket:S3Bucket")
      .map((r) => r.inputs.bucket);
    for (const tenant of config.tenants) expect(buckets).toContain(`user-${tenant.id}-data`);
    for (const tenant of config.tenants) {
      expect(files[`policies/iam/user-${tenant.id}-data-owner.json`]).toBeDefined();
    }
    expect(files["summary.md"]).toContain(`- tenants: ${config.tenants.length},`);

    // Private by default: the only bucket policy is the artifact store's declared public prefix.
    const bucketPolicies = Object.keys(files).filter((f) => f.startsWith("policies/bucket/"));
    expect(bucketPolicies).toEqual(["policies/bucket/ci-public-read.json"]);

    // No secret value reaches any file.
    const text = Object.values(files).join("\n");
    const secrets = secretValues(result.run.resources);
    expect(secrets.length).toBeGreaterThan(config.tenants.length);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain("[secret]");
  });

  it("lets every tenant namespace with credentials, and Velero's, through the NetworkPolicy", async () => {
    const result = await synth("prod", tempDir());
    const policy = result.run.resources.find(
      (r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    )!;
    const ingress = policy.inputs.spec as {
      ingress: { from: { namespaceSelector?: { matchExpressions: { values: string[] }[] } }[] }[];
    };
    const allowed = ingress.ingress
      .flatMap((rule) => rule.from)
      .flatMap((peer) => peer.namespaceSelector?.matchExpressions ?? [])
      .flatMap((e) => e.values);
    const tenantNamespaces = result.config.tenants.flatMap((t) => t.namespace ?? []);
    expect(tenantNamespaces.length).toBeGreaterThan(5);
    expect(allowed).toEqual(expect.arrayContaining([...tenantNamespaces, "velero", "ci"]));
    expect(allowed).toEqual([...new Set(allowed)].sort());
  });

  it("fronts prod's HTTPS servers with an Ingress that speaks HTTPS and gets its certificate", async () => {
    const result = await synth("prod", tempDir());
    const ingress = result.run.resources.find(
      (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress",
    )!;
    const metadata = ingress.inputs.metadata as { annotations: Record<string, string> };
    expect(metadata.annotations).toMatchObject({
      "cert-manager.io/cluster-issuer": "corporate-ca",
      "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
    });
    const spec = ingress.inputs.spec as { tls: { secretName: string; hosts: string[] }[] };
    expect(spec.tls).toEqual([
      {
        secretName: "s3-example-internal-tls",
        hosts: ["s3.example.internal", "console.s3.example.internal"],
      },
    ]);
    expect(() =>
      parse({ minio: { ingress: { apiHost: "a", consoleHost: "b", annotations: { x: 1 } } } }),
    ).toThrow("minio.ingress.annotations.x = 1: must be a non-empty string");
  });

  it("gives byte-identical output for the same config", async () => {
    const first = tempDir();
    const second = tempDir();
    await synth("prod", first);
    await synth("prod", second);
    expect(readTree(path.join(second, "prod"))).toEqual(readTree(path.join(first, "prod")));
  });

  it("writes the in-cluster endpoint and secret credentials as stack outputs", async () => {
    const out = tempDir();
    const result = await synth("local", out);
    expect(result.run.outputs.minioEndpoint).toBe(
      "http://platform-api.minio.svc.cluster.local:9000",
    );
    expect(result.run.secretOutputs).toEqual(
      expect.arrayContaining([
        "rootPassword",
        "tenants.acme.credentials",
        "tenants.acme.serviceAccounts.web",
        "artifactStores.ci.writerEnv",
      ]),
    );
    const outputs = JSON.parse(fs.readFileSync(path.join(out, "local", "outputs.json"), "utf8"));
    expect(outputs.tenants.acme).toEqual({
      bucket: "user-acme-data",
      credentials: "[secret]",
      serviceAccounts: { web: "[secret]" },
      userName: "user-acme",
    });
  });
});
