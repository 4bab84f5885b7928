/**
 * The scale benchmark (`npm run bench`): the platform program through the components against a
 * flat baseline registering the same resources, at several tenant counts, each measurement in
 * its own child process. Prints figures; asserts nothing about time.
 *
 *   npm run bench -- [--sizes 100,1000,5000] [--reps 1] [--shared-sizes 100,1000]
 *                    [--proof-sizes 10000]
 *
 * `--reps` repeats the program measurements and keeps each one's fastest run (the machine is
 * shared, so the slowest runs mostly measure the neighbours). `--shared-sizes` are the sizes
 * at which the shared-policy layout is measured as well. `--proof-sizes` are sizes at which
 * only the isolation proof and the access matrix are measured (the program runs once, untimed
 * against no baseline, to make their input); an empty list skips them.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { TenantLayout } from "../../stacks/config";
import type { WorkerMode, WorkerResult } from "./worker";

const WORKER = path.join(__dirname, "worker.ts");
/** The biggest runs hold tens of thousands of resources and their SDK bookkeeping at once. */
const HEAP_MB = 16384;

interface Options {
  sizes: number[];
  sharedSizes: number[];
  proofSizes: number[];
  reps: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    sizes: [100, 1000, 5000],
    sharedSizes: [100, 1000],
    proofSizes: [10000],
    reps: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[++i] ?? "";
    const list = () =>
      value
        .split(",")
        .filter((v) => v !== "")
        .map(Number);
    if (argv[i - 1] === "--sizes") options.sizes = list();
    else if (argv[i - 1] === "--shared-sizes") options.sharedSizes = list();
    else if (argv[i - 1] === "--proof-sizes") options.proofSizes = list();
    else if (argv[i - 1] === "--reps") options.reps = Number(value);
    else throw new Error(`unknown argument ${argv[i - 1]}`);
  }
  const all = [...options.sizes, ...options.sharedSizes, ...options.proofSizes, options.reps];
  if (all.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new Error("--sizes, --shared-sizes, --proof-sizes and --reps take whole numbers from 1");
  }
  return options;
}

function work(mode: WorkerMode, tenants: number, layout: TenantLayout, flags: string[] = []) {
  const args = [
    "--expose-gc",
    `--max-old-space-size=${HEAP_MB}`,
    "-r",
    "ts-node/register/transpile-only",
    WORKER,
    mode,
    String(tenants),
    layout,
    ...flags,
  ];
  const child = spawnSync(process.execPath, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
  });
  const line = child.stdout.split("\n").find((l) => l.startsWith("BENCH "));
  if (child.status !== 0 || !line) {
    throw new Error(`worker ${mode} ${tenants} ${layout} failed:\n${child.stderr.slice(-4000)}`);
  }
  return JSON.parse(line.slice("BENCH ".length)) as WorkerResult;
}

/** The run with the least CPU time of `reps` (its memory and wall time come with it). */
function best(results: WorkerResult[]): WorkerResult {
  return results.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
}

/** The isolation proof and the synth's access matrix over one size's resources. */
interface AnalysisResult {
  tenants: number;
  layout: TenantLayout;
  proof: WorkerResult;
  matrix: WorkerResult;
}

interface SizeResult extends AnalysisResult {
  tenants: number;
  layout: TenantLayout;
  components: WorkerResult;
  baseline: WorkerResult;
  same: { equal: boolean; lines: number; firstDifference?: string };
}

function compareSignatures(a: string, b: string): SizeResult["same"] {
  const left = fs.readFileSync(a, "utf8").split("\n");
  const right = fs.readFileSync(b, "utf8").split("\n");
  const onlyLeft = left.filter((l) => !new Set(right).has(l));
  const rightSet = new Set(right);
  const leftSet = new Set(left);
  const missing = left.find((l) => !rightSet.has(l));
  const extra = right.find((l) => !leftSet.has(l));
  const equal = onlyLeft.length === 0 && left.length === right.length && extra === undefined;
  return {
    equal,
    lines: left.filter((l) => l !== "").length,
    firstDifference: equal
      ? undefined
      : `components only: ${missing?.slice(0, 300) ?? "-"}\n    baseline only: ${extra?.slice(0, 300) ?? "-"}`,
  };
}

function measureSize(tenants: number, layout: TenantLayout, reps: number, dir: string) {
  const tag = `${layout}-${tenants}`;
  const signatures = {
    components: path.join(dir, `${tag}-c.txt`),
    baseline: path.join(dir, `${tag}-b.txt`),
  };
  const dump = path.join(dir, `${tag}-resources.json`);
  const components: WorkerResult[] = [];
  const baseline: WorkerResult[] = [];
  for (let rep = 0; rep < reps; rep++) {
    // Alternate, so a noisy neighbour spreads over both sides.
    const first = rep === 0 ? ["--signature", signatures.components, "--dump", dump] : [];
    components.push(work("components", tenants, layout, first));
    progress(`  ${tag}: components ${ms(components[rep].wallMs)}`);
    baseline.push(
      work("baseline", tenants, layout, rep === 0 ? ["--signature", signatures.baseline] : []),
    );
    progress(`  ${tag}: baseline ${ms(baseline[rep].wallMs)}`);
  }
  const result: SizeResult = {
    ...measureAnalysis(tenants, layout, dump),
    components: best(components),
    baseline: best(baseline),
    same: compareSignatures(signatures.components, signatures.baseline),
  };
  return result;
}

/** Times the proof and the matrix over the resources in `dump`, then deletes it. */
function measureAnalysis(tenants: number, layout: TenantLayout, dump: string): AnalysisResult {
  const tag = `${layout}-${tenants}`;
  const proof = work("proof", tenants, layout, ["--resources", dump]);
  const matrix = work("matrix", tenants, layout, ["--resources", dump]);
  progress(`  ${tag}: proof ${ms(proof.wallMs)}, matrix ${ms(matrix.wallMs)}`);
  fs.rmSync(dump, { force: true });
  return { tenants, layout, proof, matrix };
}

/** The program once, only for its resources, then the proof and the matrix over them. */
function measureProofOnly(tenants: number, dir: string): AnalysisResult {
  const dump = path.join(dir, `proof-${tenants}-resources.json`);
  const run = work("components", tenants, "per-tenant", ["--dump", dump]);
  progress(`  per-tenant-${tenants}: components ${ms(run.wallMs)} (input for the proof only)`);
  return measureAnalysis(tenants, "per-tenant", dump);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
const ms = (value: number) =>
  value >= 10000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const progress = (line: string) => process.stderr.write(`${line}\n`);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [
    line(headers),
    `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** Resources (or policies) added per tenant, from the difference between two sizes. */
function perTenant(results: SizeResult[], pick: (r: SizeResult) => number): string {
  if (results.length < 2) return "n/a";
  const [a, b] = [results[0], results[results.length - 1]];
  return ((pick(b) - pick(a)) / (b.tenants - a.tenants)).toFixed(2);
}

function report(results: SizeResult[], analyses: AnalysisResult[]): string {
  const out: string[] = [];
  const side = (pick: (w: WorkerResult) => number, show: (v: number) => string) =>
    results.map((r) => {
      const [c, b] = [pick(r.components), pick(r.baseline)];
      return [show(c), show(b), ratio(c, b)];
    });
  const wall = side((w) => w.wallMs, ms);
  const cpu = side((w) => w.cpuMs, ms);
  const rss = side((w) => w.maxRss, mb);
  const heap = side((w) => w.peakHeap, mb);
  const label = (r: SizeResult) => `${r.tenants} ${r.layout}`;
  out.push("Program under the mock runtime: components vs flat baseline (least-CPU run of each)");
  out.push(
    table(
      ["tenants", "wall comp", "wall base", "x", "CPU comp", "CPU base", "x"],
      results.map((r, i) => [label(r), ...wall[i], ...cpu[i]]),
    ),
  );
  out.push("");
  out.push(
    table(
      ["tenants", "peak RSS comp", "peak RSS base", "x", "peak heap comp", "peak heap base", "x"],
      results.map((r, i) => [label(r), ...rss[i], ...heap[i]]),
    ),
  );
  out.push("");
  out.push(
    "Same resources and inputs (custom resources, their inputs and secret paths, and the stack outputs):",
  );
  for (const r of results) {
    out.push(
      `  ${r.tenants} ${r.layout}: ${r.same.equal ? "identical" : "DIFFERENT"} (${r.same.lines} lines)` +
        (r.same.firstDifference ? `\n    ${r.same.firstDifference}` : ""),
    );
  }
  out.push("");
  out.push(
    table(
      [
        "tenants",
        "registered",
        "custom",
        "components",
        "IAM policies",
        "graph depth",
        "longest chain",
      ],
      results.map((r) => [
        `${r.tenants} ${r.layout}`,
        String(r.components.counts!.total),
        String(r.components.counts!.custom),
        String(r.components.counts!.components),
        String(r.components.counts!.iamPolicies),
        String(r.components.depth!.depth),
        r.components.depth!.chain.join(" > "),
      ]),
    ),
  );
  for (const layout of new Set(results.map((r) => r.layout))) {
    const rows = results.filter((r) => r.layout === layout);
    out.push(
      `  ${layout}: per tenant ${perTenant(rows, (r) => r.components.counts!.total)} resources registered ` +
        `(${perTenant(rows, (r) => r.components.counts!.custom)} custom, baseline ` +
        `${perTenant(rows, (r) => r.baseline.counts!.total)}), ` +
        `${perTenant(rows, (r) => r.components.counts!.iamPolicies)} MinIO IAM policies; ` +
        `baseline graph depth ${rows.map((r) => r.baseline.depth!.depth).join("/")}`,
    );
  }
  out.push("");
  out.push(
    "Policy pack over the component program's resources: the tenant-isolation rule (proof) " +
      "and the synth's access analysis with its two pages (matrix)",
  );
  out.push(
    table(
      [
        "tenants",
        "principals",
        "proof time",
        "proof heap",
        "findings",
        "matrix time",
        "matrix heap",
        "cells",
        "pages",
        "proof us/principal",
      ],
      analyses.map((r) => [
        `${r.tenants} ${r.layout}`,
        String(r.proof.analysis!.principals),
        ms(r.proof.wallMs),
        mb(r.proof.peakHeap - r.proof.heapBefore),
        String(r.proof.analysis!.breaches),
        ms(r.matrix.wallMs),
        mb(r.matrix.peakHeap - r.matrix.heapBefore),
        String(r.matrix.analysis!.cells),
        kb(r.matrix.analysis!.pageBytes),
        ((r.proof.wallMs * 1000) / r.proof.analysis!.principals).toFixed(0),
      ]),
    ),
  );
  return out.join("\n");
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minio-platform-bench-"));
  const started = Date.now();
  progress(`bench: node ${process.version}, ${os.cpus().length} CPUs, ${mb(os.totalmem())} memory`);
  const results: SizeResult[] = [];
  const proofOnly: AnalysisResult[] = [];
  try {
    for (const tenants of options.sizes) {
      results.push(measureSize(tenants, "per-tenant", options.reps, dir));
    }
    for (const tenants of options.sharedSizes) {
      results.push(measureSize(tenants, "shared-policy", options.reps, dir));
    }
    for (const tenants of options.proofSizes) proofOnly.push(measureProofOnly(tenants, dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const analyses = [...results, ...proofOnly].sort(
    (a, b) => a.layout.localeCompare(b.layout) || a.tenants - b.tenants,
  );
  const text = report(results, analyses);
  process.stdout.write(`${text}\n\nbench: ${ms(Date.now() - started)} in all\n`);
  const breached = analyses.some((r) => r.proof.analysis!.breaches > 0);
  if (results.some((r) => !r.same.equal) || breached) process.exitCode = 1;
}

main();
