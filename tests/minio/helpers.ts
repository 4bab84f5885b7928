/**
 * What the `minio` tier's test files share: the connection to the server the global setup
 * started, a root `mc` and S3 client for it, and the per-file figures the teardown sums up.
 */
import * as fs from "fs";
import * as path from "path";
import type { S3Client } from "@aws-sdk/client-s3";
import { connectMinio, type Mc, type MinioConnection } from "../../tools/minio-server";
import { s3Client } from "./s3-probe";

/** Environment variable holding the path of the state file the global setup wrote. */
export const STATE_ENV = "MINIO_TIER_STATE";

export interface TierState {
  connection: MinioConnection;
  /** JSON lines of {@link TierStats}, one per test file. */
  statsFile: string;
}

/** Figures one test file reports for the tier summary. */
export interface TierStats {
  file: string;
  /** Real S3 requests made by probes. */
  requests: number;
  /** Probe answers compared with a prediction, and how many agreed. */
  compared: number;
  agreements: number;
  /** Requests on another tenant's bucket that MinIO allowed (must stay 0). */
  crossTenantAllowed: number;
  mcCalls: number;
}

export function tierState(): TierState {
  const file = process.env[STATE_ENV];
  if (!file || !fs.existsSync(file)) {
    throw new Error(
      `${STATE_ENV} is not set: run this file through the minio Jest project ` +
        "(npm run test:minio), whose global setup starts the server",
    );
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as TierState;
}

export interface TierHandle {
  connection: MinioConnection;
  /** `mc` as root, with its own config folder. */
  mc: Mc;
  /** An S3 client as root. */
  admin: S3Client;
  /** Adds this file's figures to the tier summary and closes the clients. */
  finish(stats: Omit<TierStats, "file" | "mcCalls">): void;
}

/** Connects a test file to the tier's server. Call `finish` in `afterAll`. */
export async function connectTier(testFile: string): Promise<TierHandle> {
  const state = tierState();
  const mc = await connectMinio(state.connection, path.dirname(state.statsFile));
  const admin = s3Client(state.connection.endpoint, {
    name: "root",
    accessKey: state.connection.rootUser,
    secretKey: state.connection.rootPassword,
  });
  return {
    connection: state.connection,
    mc,
    admin,
    finish(stats) {
      const line: TierStats = { file: testFile, ...stats, mcCalls: mc.calls };
      fs.appendFileSync(state.statsFile, `${JSON.stringify(line)}\n`);
      admin.destroy();
      mc.dispose();
    },
  };
}

export function readStats(file: string): TierStats[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TierStats);
}

/** The closing summary of the tier. */
export function summarise(stats: readonly TierStats[], elapsedMs: number): string {
  const sum = (k: keyof Omit<TierStats, "file">) => stats.reduce((n, s) => n + s[k], 0);
  return (
    `minio tier summary: ${sum("requests")} S3 requests, ` +
    `${sum("agreements")}/${sum("compared")} agreements with the evaluator, ` +
    `${sum("crossTenantAllowed")} cross-tenant allowed, ${sum("mcCalls")} mc calls, ` +
    `${stats.length} test files, ${(elapsedMs / 1000).toFixed(1)} s`
  );
}

/** A name unique to one test run, so files sharing the server never collide. */
export function runId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}
