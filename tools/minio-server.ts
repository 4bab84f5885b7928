/**
 * Starts real MinIO servers for the test tier: on 127.0.0.1 only, on free ports, with data in a
 * temporary folder, random root credentials and a static KMS key so SSE works. Also wraps the
 * `mc` client with a private config folder and an alias for the server.
 *
 * Every process started here is remembered twice: in memory, so an exiting Node process kills
 * it, and in a small registry file, so the next run reaps what a killed run left behind.
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type { PoolLayout } from "../components/erasure";
import { binaryPath } from "./minio-install";

/** Loopback only: nothing in this tier may listen on or talk to another address. */
export const LOOPBACK = "127.0.0.1";

export interface StartMinioOptions {
  /** Drive folders for the single server. Defaults to 4, the smallest erasure-coded layout. */
  drives?: number;
  /** Extra environment for the server, e.g. `MINIO_STORAGE_CLASS_STANDARD`. Defaults to none. */
  env?: Record<string, string>;
  /**
   * How long to wait for readiness. Defaults to 60 seconds; a start that takes longer is tried
   * once more on fresh folders.
   */
  readyTimeoutMs?: number;
}

export interface StartClusterOptions {
  /** The pools, in command-line order. Each server is its own process on its own port. */
  pools: PoolLayout[];
  /** Extra environment for every server. Defaults to none. */
  env?: Record<string, string>;
  /** How long to wait for readiness. Defaults to 80 seconds. */
  readyTimeoutMs?: number;
}

/** The erasure part of `mc admin info --json`. */
export interface ErasureInfo {
  backendType: string;
  onlineDisks: number;
  offlineDisks: number;
  standardSCParity: number;
  rrSCParity: number;
  /** Sets in each pool. */
  totalSets: number[];
  /** Drives per set in each pool. */
  totalDrivesPerSet: number[];
}

/** What a test needs to reach a running server; written to a file for Jest's workers. */
export interface MinioConnection {
  endpoint: string;
  port: number;
  rootUser: string;
  rootPassword: string;
  /** Name of the static KMS key, usable as an SSE-KMS key id. */
  kmsKeyName: string;
}

export interface MinioServer extends MinioConnection {
  /** The temporary folder holding the drives, logs and mc config; removed by {@link stop}. */
  readonly dataDir: string;
  readonly pids: readonly number[];
  /** `mc` with an alias for this server, as root. */
  readonly mc: Mc;
  /** The last lines the server processes printed, for failure messages. */
  logTail(): string;
  /** Erasure layout as MinIO reports it. */
  erasureInfo(): Promise<ErasureInfo>;
  /** Stops every process and removes {@link dataDir}. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts one server with `drives` drive folders: `minio server <tmp>/d{1...N}`. A start that
 * stalls (see {@link withRetry}) is tried once more on fresh folders.
 */
export async function startMinio(options: StartMinioOptions = {}): Promise<MinioServer> {
  const drives = options.drives ?? 4;
  if (!Number.isInteger(drives) || drives < 1 || drives > 32) {
    throw new Error(`drives must be a whole number from 1 to 32, got ${drives}`);
  }
  return withRetry("server", async () => {
    const dataDir = makeDataDir();
    try {
      const [port, consolePort] = await freePorts(2);
      const volume =
        drives === 1 ? path.join(dataDir, "d1") : path.join(dataDir, `d{1...${drives}}`);
      const credentials = newCredentials();
      const proc = spawnServer(
        port,
        consolePort,
        [volume],
        credentials,
        options.env ?? {},
        dataDir,
      );
      return await finishStart([proc], port, credentials, dataDir, drives, options.readyTimeoutMs);
    } catch (err) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  });
}

/**
 * Starts MinIO in distributed mode: one process per server, all on 127.0.0.1 with their own
 * ports and drive folders, every process told every endpoint (see {@link spawnCluster}). A
 * start that fails in one of MinIO's known startup failures is tried again (see
 * {@link withRetry}).
 */
export async function startMinioCluster(options: StartClusterOptions): Promise<MinioServer> {
  return withRetry("cluster", () => startClusterOnce(options));
}

/** How often a start that fails in a {@link TRANSIENT_START} way is tried in all. */
const START_ATTEMPTS = 2;
/**
 * Startup failures of MinIO itself, not of the layout: processes that format their pools at
 * the same moment read each other's half-written `pool.bin` and exit, or a server answers
 * readiness but never brings its drives online. A fresh start on fresh folders gets past both;
 * any other failure (a refused layout included) is reported at once.
 */
const TRANSIENT_START =
  /pool\.bin has incomplete body|saving pool\.bin for pool index \d+ failed|drives online in time/;

async function withRetry(what: string, start: () => Promise<MinioServer>): Promise<MinioServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const message = (err as Error).message;
      if (attempt >= START_ATTEMPTS || !TRANSIENT_START.test(message)) throw err;
      const reason = message.split("\n", 1)[0];
      process.stderr.write(`minio-platform: ${what} start failed (${reason}); retrying\n`);
    }
  }
}

async function startClusterOnce(options: StartClusterOptions): Promise<MinioServer> {
  const dataDir = makeDataDir();
  try {
    const credentials = newCredentials();
    const { procs, firstPort } = await spawnCluster(options, credentials, dataDir);
    const drives = options.pools.reduce((n, p) => n + p.servers * p.drivesPerServer, 0);
    return await finishStart(
      procs,
      firstPort,
      credentials,
      dataDir,
      drives,
      options.readyTimeoutMs ?? 80_000,
    );
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** The outcome of starting a layout MinIO is expected to refuse. */
export interface RefusedStart {
  /** Exit code of the first process that exited, or undefined if all kept running. */
  exitCode: number | undefined;
  /** What the processes printed. */
  output: string;
}

/**
 * Starts a layout and waits for its processes to exit on their own. Used to show MinIO
 * refuses what the planner refuses; whatever is still running after `timeoutMs` is killed and
 * reported with `exitCode: undefined`.
 */
export async function startExpectingRefusal(
  options: StartClusterOptions & { timeoutMs?: number },
): Promise<RefusedStart> {
  const single = options.pools.length === 1 && options.pools[0].servers === 1;
  const dataDir = makeDataDir();
  try {
    const credentials = newCredentials();
    let procs: ServerProcess[];
    if (single) {
      const [port, consolePort] = await freePorts(2);
      const n = options.pools[0].drivesPerServer;
      const volume = path.join(dataDir, `d{1...${n}}`);
      procs = [spawnServer(port, consolePort, [volume], credentials, options.env ?? {}, dataDir)];
    } else {
      procs = (await spawnCluster(options, credentials, dataDir)).procs;
    }
    const exitCode = await Promise.race([
      Promise.race(procs.map((p) => p.exited)),
      sleep(options.timeoutMs ?? 20_000).then(() => undefined),
    ]);
    const output = procs.map((p) => p.log()).join("\n");
    await Promise.all(procs.map((p) => p.kill()));
    return { exitCode: exitCode ?? undefined, output };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Connects to a server another process started (Jest's global setup), as root. Give the
 * server's own folder as `configParent` so the mc config (it holds the root credentials) goes
 * when the server's folder does, even if this process is killed. Defaults to the temp folder.
 */
export async function connectMinio(
  connection: MinioConnection,
  configParent: string = os.tmpdir(),
): Promise<Mc> {
  hookExit();
  const configDir = fs.mkdtempSync(path.join(configParent, "minio-platform-mc-"));
  tracked.dirs.add(configDir);
  const mc = new Mc(binaryPath("mc"), configDir, "local", () => {
    fs.rmSync(configDir, { recursive: true, force: true });
    tracked.dirs.delete(configDir);
  });
  await mc.setAlias(connection.endpoint, connection.rootUser, connection.rootPassword);
  return mc;
}

/** Options for one `mc` call. */
export interface McRunOptions {
  /** Written to mc's standard input (e.g. `mc ilm import`). */
  input?: string;
  /** Defaults to 60 seconds. */
  timeoutMs?: number;
}

/**
 * The `mc` client bound to one alias and a private config folder. Every value registered with
 * {@link addSecret} is replaced by `[secret]` in error messages.
 */
export class Mc {
  private readonly secrets = new Set<string>();
  /** Number of mc invocations, for the tier summary. */
  calls = 0;

  constructor(
    readonly binary: string,
    readonly configDir: string,
    readonly alias: string,
    private readonly cleanup: () => void = () => undefined,
  ) {}

  /** `alias/path`, the form every mc command takes. */
  target(...parts: string[]): string {
    return [this.alias, ...parts].join("/");
  }

  addSecret(value: string): void {
    if (value) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[secret]");
    return out;
  }

  async setAlias(endpoint: string, user: string, password: string): Promise<void> {
    this.addSecret(password);
    await this.run(["alias", "set", this.alias, endpoint, user, password]);
  }

  /** Runs mc and returns its standard output; throws with the (redacted) command and output. */
  run(args: string[], options: McRunOptions = {}): Promise<string> {
    this.calls++;
    const fullArgs = ["--config-dir", this.configDir, "--no-color", "--disable-pager", ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, fullArgs, {
        env: { ...stripMinioEnv(process.env), MC_DISABLE_PAGER: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new Error(this.redact(`mc ${args.join(" ")}: ${err.message}`)));
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) {
          resolve(stdout);
          return;
        }
        const why = `${stdout}\n${stderr}`.trim().split("\n").slice(-8).join("\n");
        reject(
          new Error(this.redact(`mc ${args.join(" ")} failed (exit ${code ?? signal}):\n${why}`)),
        );
      });
      child.stdin.end(options.input ?? "");
    });
  }

  /** Runs mc with `--json` and parses its output (one JSON document, or the last line). */
  async json<T = Record<string, unknown>>(args: string[], options?: McRunOptions): Promise<T> {
    const out = (await this.run(["--json", ...args], options)).trim();
    try {
      return JSON.parse(out) as T;
    } catch {
      const lines = out.split("\n").filter((l) => l.trim().startsWith("{"));
      return JSON.parse(lines[lines.length - 1] ?? "null") as T;
    }
  }

  /** Erasure layout from `mc admin info --json`. */
  async erasureInfo(): Promise<ErasureInfo> {
    const info = await this.json<{ status: string; info?: { backend?: ErasureInfo } }>([
      "admin",
      "info",
      this.alias,
    ]);
    if (info.status !== "success" || !info.info?.backend) {
      throw new Error(`mc admin info gave no backend: ${this.redact(JSON.stringify(info))}`);
    }
    return info.info.backend;
  }

  /** Removes the config folder (and with it the stored credentials). */
  dispose(): void {
    this.cleanup();
  }
}

// ---------------------------------------------------------------------------------------------

interface Credentials {
  rootUser: string;
  rootPassword: string;
  kmsKeyName: string;
  kmsKey: string;
}

interface ServerProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  log(): string;
  kill(): Promise<void>;
}

const REGISTRY = path.join(os.tmpdir(), "minio-platform-servers");

const tracked = {
  procs: new Set<ChildProcess>(),
  dirs: new Set<string>(),
  hooked: false,
};

function newCredentials(): Credentials {
  return {
    rootUser: `root-${randomBytes(6).toString("hex")}`,
    rootPassword: randomBytes(24).toString("base64url"),
    kmsKeyName: "minio-platform-test-key",
    kmsKey: randomBytes(32).toString("base64"),
  };
}

function makeDataDir(): string {
  hookExit();
  reapStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "minio-platform-"));
  tracked.dirs.add(dir);
  return dir;
}

/**
 * Spawns one process per server of `pools`. MinIO reads several pools only from arguments that
 * each carry an ellipsis, so:
 *
 * - one pool lists every endpoint one by one (`http://127.0.0.1:<port>/<dir>/s<k>/d<n>`);
 * - several pools of one server each are `http://127.0.0.1:<port>/<dir>/pool<i>/d{1...N}`;
 * - several pools with several servers use a port range (`:{p...q}`), which expands into the
 *   same drive paths on every server. Each such process therefore runs in its own mount
 *   namespace (`unshare -m`, root only) where `<dir>/view` is bind-mounted onto that server's
 *   own folder, so no two servers share a drive.
 */
async function spawnCluster(
  options: StartClusterOptions,
  credentials: Credentials,
  dataDir: string,
): Promise<{ procs: ServerProcess[]; firstPort: number }> {
  const pools = options.pools;
  if (pools.length === 0) throw new Error("a cluster needs at least one pool");
  const servers = pools.reduce((n, p) => n + p.servers, 0);
  const namespaced = pools.length > 1 && pools.some((p) => p.servers > 1);
  const apiPorts = namespaced ? await consecutiveFreePorts(servers) : await freePorts(servers);
  const consolePorts = await freePorts(servers, apiPorts);

  let endpoints: string[];
  if (pools.length === 1) {
    endpoints = apiPorts.flatMap((port, k) =>
      Array.from(
        { length: pools[0].drivesPerServer },
        (_, d) => `http://${LOOPBACK}:${port}${path.join(dataDir, `s${k}`, `d${d + 1}`)}`,
      ),
    );
  } else {
    let next = 0;
    endpoints = pools.map((pool, i) => {
      const first = apiPorts[next];
      const last = apiPorts[next + pool.servers - 1];
      next += pool.servers;
      const port = pool.servers > 1 ? `{${first}...${last}}` : `${first}`;
      const root = namespaced ? path.join(dataDir, "view") : dataDir;
      const drives = path.join(root, `pool${i}`, `d{1...${pool.drivesPerServer}}`);
      return `http://${LOOPBACK}:${port}${drives}`;
    });
  }

  if (namespaced) fs.mkdirSync(path.join(dataDir, "view"));
  const procs = apiPorts.map((port, k) => {
    const own = path.join(dataDir, `s${k}`);
    fs.mkdirSync(own, { recursive: true });
    return spawnServer(
      port,
      consolePorts[k],
      endpoints,
      credentials,
      {
        ...options.env,
        // A container (/.dockerenv) makes MinIO treat every loopback host as "not yet
        // resolved" and wait forever; this names the endpoint host that is this process.
        _MINIO_SERVER_LOCAL: `${LOOPBACK}:${port}`,
      },
      dataDir,
      namespaced ? { source: own, target: path.join(dataDir, "view") } : undefined,
    );
  });
  return { procs, firstPort: apiPorts[0] };
}

function spawnServer(
  port: number,
  consolePort: number,
  volumes: string[],
  credentials: Credentials,
  extraEnv: Record<string, string>,
  dataDir: string,
  bind?: { source: string; target: string },
): ServerProcess {
  const env: NodeJS.ProcessEnv = {
    ...stripMinioEnv(process.env),
    MINIO_ROOT_USER: credentials.rootUser,
    MINIO_ROOT_PASSWORD: credentials.rootPassword,
    MINIO_KMS_SECRET_KEY: `${credentials.kmsKeyName}:${credentials.kmsKey}`,
    MINIO_BROWSER: "off",
    MINIO_UPDATE: "off",
    // Drives on the root disk are refused in distributed mode unless this is set.
    MINIO_CI_CD: "1",
    CI: "true",
    ...extraEnv,
  };
  const args = [
    "server",
    "--address",
    `${LOOPBACK}:${port}`,
    "--console-address",
    `${LOOPBACK}:${consolePort}`,
    ...volumes,
  ];
  // With a bind, `unshare` and `sh` both exec, so the child's pid ends up being minio's.
  const [command, commandArgs] = bind
    ? [
        "unshare",
        [
          "--mount",
          "--propagation",
          "private",
          "sh",
          "-c",
          'src="$1"; dst="$2"; shift 2; mount --bind "$src" "$dst" && exec "$@"',
          "sh",
          bind.source,
          bind.target,
          binaryPath("minio"),
          ...args,
        ],
      ]
    : [binaryPath("minio"), args];
  const child = spawn(command, commandArgs, {
    env,
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  tracked.procs.add(child);
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-6000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      tracked.procs.delete(child);
      resolve(code);
    });
    child.on("error", (err) => {
      tail += `\nspawn failed: ${err.message}`;
      tracked.procs.delete(child);
      resolve(-1);
    });
  });
  if (child.pid !== undefined) register(child.pid, dataDir);
  return {
    pid: child.pid ?? -1,
    exited,
    log: () => tail,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) {
          child.kill("SIGKILL");
          await exited;
        }
      }
      if (child.pid !== undefined) unregister(child.pid);
    },
  };
}

async function finishStart(
  procs: ServerProcess[],
  port: number,
  credentials: Credentials,
  dataDir: string,
  drives: number,
  readyTimeoutMs = 60_000,
): Promise<MinioServer> {
  const endpoint = `http://${LOOPBACK}:${port}`;
  const logTail = () => procs.map((p) => p.log()).join("\n---\n");
  const stopAll = async () => {
    await Promise.all(procs.map((p) => p.kill()));
  };
  const mcDir = path.join(dataDir, "mc");
  fs.mkdirSync(mcDir);
  const mc = new Mc(binaryPath("mc"), mcDir, "local");
  mc.addSecret(credentials.kmsKey);

  const deadline = Date.now() + readyTimeoutMs;
  const early = Promise.race(procs.map((p) => p.exited.then((code) => ({ code }))));
  let exitedEarly: { code: number | null } | undefined;
  void early.then((e) => (exitedEarly = e));
  try {
    while ((await httpStatus(`${endpoint}/minio/health/ready`)) !== 200) {
      if (exitedEarly) throw new Error(`minio exited with code ${exitedEarly.code}`);
      if (Date.now() > deadline) throw new Error("not ready in time");
      await sleep(250);
    }
    // Readiness can answer before the object layer is up or every drive is online: the
    // alias (which logs in) and admin info tell when the whole layout is there.
    let aliased = false;
    let lastMcError = "";
    const noted = (err: unknown) => {
      lastMcError = (err as Error).message.split("\n", 1)[0];
      return undefined;
    };
    for (;;) {
      if (!aliased) {
        aliased = await mc
          .setAlias(endpoint, credentials.rootUser, credentials.rootPassword)
          .then(() => true)
          .catch((err: unknown) => noted(err) ?? false);
      }
      const info = aliased ? await mc.erasureInfo().catch(noted) : undefined;
      if (info && info.onlineDisks === drives) break;
      if (exitedEarly) throw new Error(`minio exited with code ${exitedEarly.code}`);
      if (Date.now() > deadline) {
        const why = lastMcError ? ` (last mc error: ${lastMcError})` : "";
        throw new Error(`only ${info?.onlineDisks ?? 0} of ${drives} drives online in time${why}`);
      }
      await sleep(500);
    }
  } catch (err) {
    const log = mc.redact(logTail());
    await stopAll();
    throw new Error(`MinIO at ${endpoint} did not start: ${(err as Error).message}\n${log}`);
  }

  let stopped = false;
  return {
    endpoint,
    port,
    rootUser: credentials.rootUser,
    rootPassword: credentials.rootPassword,
    kmsKeyName: credentials.kmsKeyName,
    dataDir,
    pids: procs.map((p) => p.pid),
    mc,
    logTail: () => mc.redact(logTail()),
    erasureInfo: () => mc.erasureInfo(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
      fs.rmSync(dataDir, { recursive: true, force: true });
      tracked.dirs.delete(dataDir);
    },
  };
}

/** Our own MINIO_* / MC_* settings must not be overridden by whatever the caller exported. */
function stripMinioEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^_?(MINIO|MC)_/.test(k) && k !== "MINIO_BIN" && k !== "MC_BIN") continue;
    out[k] = v;
  }
  return out;
}

/** Ports the OS says are free on the loopback address right now, none of `exclude`. */
async function freePorts(count: number, exclude: readonly number[] = []): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = await listen(0);
      servers.push(server);
      const port = (server.address() as net.AddressInfo).port;
      if (!exclude.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** `count` free ports in a row (for a `{p...q}` range), all with five digits. */
async function consecutiveFreePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (60000 - 20000 - count));
    const servers: net.Server[] = [];
    try {
      for (let i = 0; i < count; i++) servers.push(await listen(base + i));
      return servers.map((_, i) => base + i);
    } catch {
      // One of them is taken; try another range.
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error(`found no ${count} consecutive free ports on ${LOOPBACK}`);
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve(server));
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function register(pid: number, dataDir: string): void {
  fs.mkdirSync(REGISTRY, { recursive: true });
  const entry = { pid, owner: process.pid, dataDir, binary: binaryPath("minio") };
  fs.writeFileSync(path.join(REGISTRY, `${pid}.json`), JSON.stringify(entry));
}

function unregister(pid: number): void {
  fs.rmSync(path.join(REGISTRY, `${pid}.json`), { force: true });
}

/**
 * Kills servers whose starting process is gone (a run killed with SIGKILL cannot clean up),
 * after checking the pid still runs our minio binary, and removes their folders.
 */
function reapStale(): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(REGISTRY);
  } catch {
    return;
  }
  for (const name of entries) {
    const file = path.join(REGISTRY, name);
    let entry: { pid: number; owner: number; dataDir: string; binary: string };
    try {
      entry = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (isAlive(entry.owner)) continue;
    if (isAlive(entry.pid) && commandOf(entry.pid).startsWith(entry.binary)) {
      try {
        process.kill(entry.pid, "SIGKILL");
      } catch {
        // Already gone between the check and the kill.
      }
    }
    if (entry.dataDir.startsWith(path.join(os.tmpdir(), "minio-platform-"))) {
      fs.rmSync(entry.dataDir, { recursive: true, force: true });
    }
    fs.rmSync(file, { force: true });
  }
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
  } catch {
    return "";
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

/** Kills what is still running and removes the folders when this Node process ends. */
function hookExit(): void {
  if (tracked.hooked) return;
  tracked.hooked = true;
  const cleanup = () => {
    for (const child of tracked.procs) {
      try {
        child.kill("SIGKILL");
        if (child.pid !== undefined) unregister(child.pid);
      } catch {
        // The process already exited.
      }
    }
    for (const dir of tracked.dirs) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanup);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanup();
      process.kill(process.pid, signal);
    });
  }
}
