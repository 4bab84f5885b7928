/**
 * Installs the MinIO server and the `mc` client that the real-MinIO test tier runs as external
 * programs. Both are AGPL: this project only starts them as separate processes and never links
 * or imports their code. Versions are pinned here and nowhere else; binaries are built with
 * `go install` into a per-user cache keyed by version, so a warm machine skips the build.
 *
 * Run directly (`node -r ts-node/register/transpile-only tools/minio-install.ts`) to build ahead
 * of the tests; the tier's global setup calls {@link ensureMinioBinaries} as well.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The pinned Go modules. Both build with the machine's Go toolchain (1.24 and later). */
export const MINIO_TOOLS = {
  minio: {
    module: "github.com/minio/minio",
    version: "v0.0.0-20260212201848-7aac2a2c5b7c",
    envOverride: "MINIO_BIN",
  },
  mc: {
    module: "github.com/minio/mc",
    version: "v0.0.0-20250313080218-cf909e1063a9",
    envOverride: "MC_BIN",
  },
} as const;

export type MinioTool = keyof typeof MINIO_TOOLS;

/** `${XDG_CACHE_HOME:-$HOME/.cache}/minio-platform`, outside any work tree. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
  return path.join(base, "minio-platform");
}

/** Where the pinned build of `tool` lives, or the override from `MINIO_BIN` / `MC_BIN`. */
export function binaryPath(tool: MinioTool, env: NodeJS.ProcessEnv = process.env): string {
  const spec = MINIO_TOOLS[tool];
  const override = env[spec.envOverride];
  if (override) return path.resolve(override);
  return path.join(cacheRoot(env), `${tool}-${spec.version}`, tool);
}

export interface InstallOptions {
  /** Where progress lines go. Defaults to stderr, so Jest shows them during global setup. */
  log?: (line: string) => void;
  /** Give up waiting for another process's build after this long. Defaults to 20 minutes. */
  lockTimeoutMs?: number;
}

/**
 * Makes sure both binaries exist, building the missing ones in parallel, and returns their
 * paths. An override that points at a missing file is an error, never a silent rebuild.
 */
export async function ensureMinioBinaries(
  options: InstallOptions = {},
): Promise<Record<MinioTool, string>> {
  const tools = Object.keys(MINIO_TOOLS) as MinioTool[];
  const paths = await Promise.all(tools.map((tool) => ensureBinary(tool, options)));
  return Object.fromEntries(tools.map((tool, i) => [tool, paths[i]])) as Record<MinioTool, string>;
}

async function ensureBinary(tool: MinioTool, options: InstallOptions): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = MINIO_TOOLS[tool];
  const target = binaryPath(tool);
  if (process.env[spec.envOverride]) {
    if (!isExecutable(target)) {
      throw new Error(`${spec.envOverride}=${target} is not an executable file`);
    }
    return target;
  }
  if (isExecutable(target)) return target;

  const dir = path.dirname(target);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, options.lockTimeoutMs ?? 20 * 60_000, log);
  try {
    // Another process may have finished the build while this one waited for the lock.
    if (isExecutable(target)) return target;
    const staging = fs.mkdtempSync(`${dir}.build-`);
    const command = `GOBIN=${staging} go install ${spec.module}@${spec.version}`;
    log(`minio-platform: building ${tool} ${spec.version} (a cold build takes ~5 min): ${command}`);
    const started = Date.now();
    try {
      await run("go", ["install", `${spec.module}@${spec.version}`], {
        ...process.env,
        GOBIN: staging,
        GOFLAGS: process.env.GOFLAGS ?? "-trimpath",
      });
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `building ${tool} failed; run it by hand to see why:\n  ${command}\n` +
          (err as Error).message,
      );
    }
    // Renaming the finished folder into place means no reader ever sees half a binary.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    log(`minio-platform: built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
    return target;
  } finally {
    release();
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A lock folder holding the owner's pid. `mkdir` is atomic, so only one process builds; a lock
 * whose owner has died is taken over rather than waited on.
 */
async function acquireLock(
  lockDir: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(readOr(path.join(lockDir, "pid"), ""));
    if (owner && !isAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${lockDir} (held by pid ${owner || "unknown"})`);
    }
    if (!announced) {
      log(`minio-platform: waiting for another build (lock ${lockDir}, pid ${owner})`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`exit ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

if (require.main === module) {
  ensureMinioBinaries().then(
    (paths) => {
      for (const [tool, file] of Object.entries(paths)) process.stdout.write(`${tool}: ${file}\n`);
    },
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
