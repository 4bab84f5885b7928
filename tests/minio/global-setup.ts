/**
 * Jest global setup of the `minio` tier: builds the pinned binaries if the cache lacks them,
 * starts one four-drive MinIO on 127.0.0.1 and tells the test workers how to reach it through
 * a private state file (its path in MINIO_TIER_STATE; it holds the root credentials).
 */
import * as fs from "fs";
import * as path from "path";
import { ensureMinioBinaries } from "../../tools/minio-install";
import { startMinio, type MinioServer } from "../../tools/minio-server";
import { STATE_ENV, type TierState } from "./helpers";

declare global {
  var __MINIO_TIER__: { server: MinioServer; started: number } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await ensureMinioBinaries();
  const server = await startMinio({ drives: 4 });
  globalThis.__MINIO_TIER__ = { server, started };

  const info = await server.erasureInfo();
  const state: TierState = {
    connection: {
      endpoint: server.endpoint,
      port: server.port,
      rootUser: server.rootUser,
      rootPassword: server.rootPassword,
      kmsKeyName: server.kmsKeyName,
    },
    statsFile: path.join(server.dataDir, "stats.jsonl"),
  };
  const file = path.join(server.dataDir, "tier-state.json");
  fs.writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
  process.env[STATE_ENV] = file;
  process.stderr.write(
    `\nminio tier: MinIO at ${server.endpoint}, ${info.onlineDisks} drives, ` +
      `sets ${JSON.stringify(info.totalDrivesPerSet)}, EC:${info.standardSCParity}\n`,
  );
}
