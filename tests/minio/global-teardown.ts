/**
 * Jest global teardown of the `minio` tier: prints the tier's summary from what the test files
 * recorded, then stops the server and deletes its folder (the process exit hook in
 * tools/minio-server.ts does the same if Jest never gets here).
 */
import { readStats, summarise } from "./helpers";

export default async function globalTeardown(): Promise<void> {
  const tier = globalThis.__MINIO_TIER__;
  if (!tier) return;
  try {
    const stats = readStats(`${tier.server.dataDir}/stats.jsonl`);
    process.stderr.write(`\n${summarise(stats, Date.now() - tier.started)}\n`);
  } finally {
    await tier.server.stop();
    globalThis.__MINIO_TIER__ = undefined;
  }
}
