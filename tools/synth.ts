/**
 * Offline synth: runs the platform program for one stack under Pulumi's mock runtime and writes
 * what `pulumi up` would ask for into `out/<stack>/`. It is a plan to review, not a deployment.
 *
 *   npm run synth -- --stack local [--out out]
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { InvalidArgumentError } from "../components/errors";
import { sortKeys } from "../components/labels";
import { PlatformConfig } from "../stacks/config";
import { ENCRYPTED, loadStackConfig } from "../stacks/stack-config";
import { buildPlatform } from "../stacks/platform";
import { MockRun, RecordedResource, redactedInputs, runWithMocks } from "./mock-runtime";
import { analyseAccess } from "../policy-pack/analysis";
import {
  PackConfig,
  RuleResult,
  accessMatrixHtml,
  accessMatrixMarkdown,
  mandatoryCount,
  ruleSettings,
  policyReport,
  runRules,
} from "../policy-pack/report";
import { fromRecorded } from "../policy-pack/rules/resources";

export interface SynthResult {
  readonly stack: string;
  readonly config: PlatformConfig;
  readonly run: MockRun;
  /** Files written, relative to the output folder, in a stable order. */
  readonly files: string[];
  /** The policy pack's result per rule, as `policy-report.md` shows it. */
  readonly policy: RuleResult[];
  /** Violations of mandatory rules; the command exits non-zero when there is any. */
  readonly mandatoryViolations: number;
}

/** Runs the program for `stack` under mocks; no files are written. */
export async function runStack(stack: string, config = loadStackConfig(stack)): Promise<MockRun> {
  return runWithMocks(
    () => ({
      // Encrypted values cannot be read offline; the mock run stands in a placeholder secret.
      ...buildPlatform(config, {
        adminPassword: config.minio.deploy ? undefined : ENCRYPTED,
      }),
    }),
    { stack, project: "minio-platform" },
  );
}

/** Synthesises `stack` into `<outRoot>/<stack>/`, replacing what was there. */
export async function synth(
  stack: string,
  outRoot = "out",
  policyConfig: PackConfig = {},
): Promise<SynthResult> {
  const config = loadStackConfig(stack);
  const run = await runStack(stack, config);
  const dir = path.join(outRoot, stack);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  const files: string[] = [];
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
    files.push(name);
  };

  const resources = [...run.resources].sort(byUrn);
  write("resources.json", JSON.stringify(resources.map(describeResource), null, 2));
  write("manifests.yaml", kubernetesManifests(resources));
  for (const [name, json] of policyDocuments(resources)) write(`policies/${name}.json`, json);
  write("outputs.json", JSON.stringify(redactOutputs(run), null, 2));
  write("summary.md", summary(stack, config, resources));

  // The policy pack's checks over the same resources, and its access analysis as a matrix.
  const views = fromRecorded(resources);
  const policy = runRules(views, policyConfig);
  const analysis = analyseAccess(views, ruleSettings(policyConfig, "tenant-isolation"));
  write("access-matrix.md", accessMatrixMarkdown(stack, analysis));
  write("access-matrix.html", accessMatrixHtml(stack, analysis));
  write("policy-report.md", policyReport(stack, policy));

  const mandatoryViolations = mandatoryCount(policy);
  return { stack, config, run, files: files.sort(), policy, mandatoryViolations };
}

function byUrn(a: RecordedResource, b: RecordedResource): number {
  return a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0;
}

function describeResource(r: RecordedResource) {
  return {
    type: r.type,
    name: r.name,
    parent: r.parent ? r.parent.split("::").pop() : undefined,
    inputs: sortDeep(redactedInputs(r)),
  };
}

/** Kubernetes kinds in the order `kubectl apply` would need them. */
const APPLY_ORDER = [
  "Namespace",
  "Secret",
  "ConfigMap",
  "ServiceAccount",
  "Certificate",
  "Service",
  "StatefulSet",
  "PodDisruptionBudget",
  "NetworkPolicy",
  "Ingress",
  "ServiceMonitor",
  "BackupStorageLocation",
];

function kubernetesManifests(resources: RecordedResource[]): string {
  const manifests = resources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => sortDeep(redactedInputs(r)) as Record<string, unknown>)
    .map(({ apiVersion, kind, metadata, ...rest }) => ({ apiVersion, kind, metadata, ...rest }));
  const rank = (kind: unknown) => {
    const i = APPLY_ORDER.indexOf(String(kind));
    return i === -1 ? APPLY_ORDER.length : i;
  };
  manifests.sort((a, b) => rank(a.kind) - rank(b.kind));
  return manifests.map((m) => yaml.dump(m, { lineWidth: 100, noRefs: true })).join("---\n");
}

/** Every IAM, service-account and bucket policy, keyed by a file name. */
function policyDocuments(resources: RecordedResource[]): [string, string][] {
  const out: [string, string][] = [];
  for (const r of resources) {
    const policy = r.inputs.policy;
    if (typeof policy !== "string" || policy === "") continue;
    const kind =
      r.type === "minio:index/s3BucketPolicy:S3BucketPolicy"
        ? "bucket"
        : r.type === "minio:index/iamServiceAccount:IamServiceAccount"
          ? "service-account"
          : "iam";
    const name = kind === "iam" ? String(r.inputs.name ?? r.name) : r.name;
    out.push([`${kind}/${name}`, JSON.stringify(JSON.parse(policy), null, 2)]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

function redactOutputs(run: MockRun): unknown {
  const copy = structuredClone(run.outputs) as Record<string, unknown>;
  for (const p of run.secretOutputs) {
    const keys = p.split(/\.|\[(\d+)\]/).filter((k) => k);
    let node = copy as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    if (keys.length) node[keys[keys.length - 1]] = "[secret]";
  }
  return sortDeep(copy);
}

function summary(stack: string, config: PlatformConfig, resources: RecordedResource[]): string {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const buckets = resources
    .filter((r) => r.type === "minio:index/s3Bucket:S3Bucket")
    .map((r) => String(r.inputs.bucket))
    .sort();
  const lines = [
    `# Offline plan for stack \`${stack}\``,
    "",
    "Produced by `npm run synth` under Pulumi's mock runtime: what `pulumi up` would ask the",
    "providers to create. Nothing was deployed; secrets are shown as `[secret]`.",
    "",
    `- environment: ${config.environment}${config.production ? " (production)" : ""}`,
    `- MinIO: ${
      config.minio.deploy
        ? `deployed in namespace ${config.minio.namespace}`
        : `existing at ${config.minio.endpoint}`
    }`,
    `- tenant layout: ${config.tenantLayout}`,
    `- tenants: ${config.tenants.length}, ` +
      `Velero targets: ${config.veleroTargets.length}, ` +
      `artifact stores: ${config.artifactStores.length}`,
    `- resources: ${resources.length}`,
    "",
    "| type | count |",
    "| --- | ---: |",
    ...[...counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([t, n]) => `| ${t} | ${n} |`),
    "",
    "## Buckets",
    "",
    ...buckets.map((b) => `- ${b}`),
  ];
  return lines.join("\n");
}

/** A deep copy with object keys sorted, so JSON and YAML output is byte-stable. */
export function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const sorted = sortKeys(value as Record<string, unknown>);
    for (const k of Object.keys(sorted)) sorted[k] = sortDeep(sorted[k]);
    return sorted;
  }
  return value;
}

function parseArgs(argv: string[]): { stack: string; out: string; policyConfig?: string } {
  let stack = "local";
  let out = "out";
  let policyConfig: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--stack") stack = argv[++i] ?? "";
    else if (arg === "--out") out = argv[++i] ?? "";
    else if (arg === "--policy-pack-config") policyConfig = argv[++i] ?? "";
    else {
      throw new InvalidArgumentError(
        "argument",
        arg,
        "must be --stack <name>, --out <dir> or --policy-pack-config <file>",
      );
    }
  }
  return { stack, out, policyConfig };
}

async function main(): Promise<void> {
  const { stack, out, policyConfig } = parseArgs(process.argv.slice(2));
  // The same JSON file `pulumi preview --policy-pack-config` reads.
  const config =
    policyConfig === undefined
      ? {}
      : (JSON.parse(fs.readFileSync(policyConfig, "utf8")) as PackConfig);
  const result = await synth(stack, out, config);
  const dir = path.join(out, stack);
  process.stdout.write(
    `synth: stack ${stack}: ${result.run.resources.length} resources planned, ` +
      `${result.files.length} files in ${dir}/ (offline plan; deploy with pulumi up)\n`,
  );
  if (result.mandatoryViolations > 0) {
    process.stderr.write(
      `synth: ${result.mandatoryViolations} mandatory policy violation(s); ` +
        `see ${path.join(dir, "policy-report.md")}\n`,
    );
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`synth: ${message}\n`);
    process.exit(1);
  });
}
