/**
 * One measurement in a fresh process, so its peak memory is its own:
 *
 *   node --expose-gc -r ts-node/register/transpile-only tests/bench/worker.ts \
 *     <components|baseline|proof|matrix> <tenants> <per-tenant|shared-policy> \
 *     [--signature <file>] [--dump <file>] [--resources <file>]
 *
 * `components` and `baseline` time one run of the program under the mock runtime; after the
 * clock stops, `--signature` writes its resources and outputs as comparable lines and `--dump`
 * writes the recorded resources as JSON. `proof` and `matrix` load such a dump (`--resources`,
 * untimed) and time the policy pack's own code over it: `proof` the `tenant-isolation` rule as
 * a preview runs it, `matrix` the analysis and the two pages the synth writes. Prints one
 * `BENCH <json>` line.
 */
import * as fs from "fs";
import * as v8 from "v8";
import * as pulumi from "@pulumi/pulumi";
import type { TenantLayout } from "../../stacks/config";
import { buildPlatform } from "../../stacks/platform";
import { runWithMocks, type MockRun, type RecordedResource } from "../../tools/mock-runtime";
import { analyseAccess } from "../../policy-pack/analysis";
import { accessMatrixHtml, accessMatrixMarkdown } from "../../policy-pack/report";
import { fromRecorded } from "../../policy-pack/rules/resources";
import { tenantIsolation } from "../../policy-pack/rules/tenants";
import { buildBaseline } from "./baseline";
import { benchConfig, benchSecrets } from "./fixture";
import { countResources, dependencyDepth, resourceSignature, stableJson } from "./graph";

export type WorkerMode = "components" | "baseline" | "proof" | "matrix";

/** What one worker reports. Memory figures are in bytes. */
export interface WorkerResult {
  mode: WorkerMode;
  layout: TenantLayout;
  tenants: number;
  wallMs: number;
  /**
   * CPU time (user and system) of the timed part. On a shared machine it moves far less than
   * wall time with the neighbours' load, so the ratios are computed on it as well.
   */
  cpuMs: number;
  /** Peak resident set size of the whole process (`process.resourceUsage().maxRSS`). */
  maxRss: number;
  /** Resident set size just before the timed part, after loading every module. */
  rssBefore: number;
  /** Highest `heapUsed` sampled during the timed part. */
  peakHeap: number;
  /** `heapUsed` just before the timed part, after a full GC. */
  heapBefore: number;
  /** `heapUsed` after the timed part and a full GC, its result still held. */
  heapAfter: number;
  counts?: ReturnType<typeof countResources>;
  depth?: ReturnType<typeof dependencyDepth>;
  /**
   * Proof and matrix: principals examined, the rule's findings, the matrix's non-empty cells
   * and the size of the two pages it writes.
   */
  analysis?: { principals: number; breaches: number; cells: number; pageBytes: number };
}

const gc = (globalThis as { gc?: () => void }).gc;

let peakHeap = 0;

/** Notes the heap in use; called on a timer and at every resource the program constructs. */
function sample(): void {
  peakHeap = Math.max(peakHeap, v8.getHeapStatistics().used_heap_size);
}

/**
 * Runs `work` with the heap sampled. The mock runtime works mostly in microtasks, which a timer
 * cannot interrupt, so the programs also sample at every resource they construct.
 */
async function measured<T>(work: () => Promise<T>) {
  gc?.();
  const heapBefore = v8.getHeapStatistics().used_heap_size;
  const rssBefore = process.memoryUsage().rss;
  peakHeap = heapBefore;
  const timer = setInterval(sample, 1);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const value = await work();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  sample();
  clearInterval(timer);
  gc?.();
  const heapAfter = v8.getHeapStatistics().used_heap_size;
  return { value, wallMs, cpuMs, heapBefore, rssBefore, peakHeap, heapAfter };
}

function program(mode: "components" | "baseline", tenants: number, layout: TenantLayout) {
  const config = benchConfig(tenants, layout);
  return () => {
    pulumi.runtime.registerStackTransformation(() => {
      sample();
      return undefined;
    });
    return { ...(mode === "components" ? buildPlatform : buildBaseline)(config, benchSecrets()) };
  };
}

async function main(): Promise<void> {
  const [modeArg, tenantsArg, layoutArg, ...flags] = process.argv.slice(2);
  const flag = (name: string) => {
    const at = flags.indexOf(`--${name}`);
    return at < 0 ? undefined : flags[at + 1];
  };
  const mode = modeArg as WorkerMode;
  const tenants = Number(tenantsArg);
  const layout = layoutArg as TenantLayout;
  if (!["components", "baseline", "proof", "matrix"].includes(mode) || !(tenants > 0)) {
    throw new Error("usage: worker.ts <components|baseline|proof|matrix> <tenants> <layout>");
  }

  let result: WorkerResult;
  if (mode === "components" || mode === "baseline") {
    const run = await measured(() => runWithMocks(program(mode, tenants, layout)));
    result = {
      mode,
      layout,
      tenants,
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      maxRss: process.resourceUsage().maxRSS * 1024,
      rssBefore: run.rssBefore,
      peakHeap: run.peakHeap,
      heapBefore: run.heapBefore,
      heapAfter: run.heapAfter,
      counts: countResources(run.value.resources),
      depth: dependencyDepth(run.value.resources),
    };
    const signatureFile = flag("signature");
    if (signatureFile) writeSignature(signatureFile, run.value);
    const dumpFile = flag("dump");
    if (dumpFile) fs.writeFileSync(dumpFile, JSON.stringify(run.value.resources));
  } else {
    const resourcesFile = flag("resources");
    if (!resourcesFile) throw new Error(`${mode} needs --resources <file> from a components run`);
    const resources = JSON.parse(fs.readFileSync(resourcesFile, "utf8")) as RecordedResource[];
    const analysis = await measured(async () => {
      // From the recorded resources on, as the pack sees a stack: read it, then decide.
      const views = fromRecorded(resources);
      if (mode === "proof") {
        const findings = tenantIsolation.check(views, tenantIsolation.defaults);
        return { principals: principalCount(resources), breaches: findings.length, cells: 0 };
      }
      const access = analyseAccess(views);
      const pages =
        Buffer.byteLength(accessMatrixMarkdown("bench", access)) +
        Buffer.byteLength(accessMatrixHtml("bench", access));
      return {
        principals: access.principals.length,
        breaches: 0,
        cells: access.cells.length,
        pageBytes: pages,
      };
    });
    result = {
      mode,
      layout,
      tenants,
      wallMs: analysis.wallMs,
      cpuMs: analysis.cpuMs,
      maxRss: process.resourceUsage().maxRSS * 1024,
      rssBefore: analysis.rssBefore,
      peakHeap: analysis.peakHeap,
      heapBefore: analysis.heapBefore,
      heapAfter: analysis.heapAfter,
      analysis: { pageBytes: 0, ...analysis.value },
    };
  }
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

/** Every principal the proof examines: each user, each access key and the anonymous caller. */
function principalCount(resources: readonly RecordedResource[]): number {
  const signing = resources.filter(
    (r) =>
      r.type === "minio:index/iamUser:IamUser" ||
      r.type === "minio:index/iamServiceAccount:IamServiceAccount",
  );
  return signing.length + 1;
}

/** The resources and outputs a run produced, one comparable line each, for the equivalence check. */
function writeSignature(file: string, run: MockRun): void {
  const lines = resourceSignature(run.resources);
  lines.push(`outputs ${stableJson(run.outputs)}`);
  lines.push(`secret-outputs ${stableJson(run.secretOutputs)}`);
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
