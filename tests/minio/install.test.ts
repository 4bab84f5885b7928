/**
 * The binary installer: where the pinned builds live, that a warm cache means no build, that
 * overrides are honoured, and that a failed build names the command to run by hand. No test
 * here builds anything (a cold build takes minutes); the failure is provoked with a PATH that
 * has no `go`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { binaryPath, cacheRoot, ensureMinioBinaries, MINIO_TOOLS } from "../../tools/minio-install";

describe("minio-install", () => {
  const saved = { ...process.env };
  let scratch: string;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "minio-install-test-"));
  });

  afterEach(() => {
    for (const key of ["XDG_CACHE_HOME", "MINIO_BIN", "MC_BIN", "PATH"] as const) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("keys the cache by tool and pinned version under XDG_CACHE_HOME", () => {
    const env = { XDG_CACHE_HOME: "/var/cache/x", HOME: "/home/u" };
    expect(cacheRoot(env)).toBe("/var/cache/x/minio-platform");
    expect(binaryPath("minio", env)).toBe(
      "/var/cache/x/minio-platform/minio-v0.0.0-20260212201848-7aac2a2c5b7c/minio",
    );
    expect(binaryPath("mc", { HOME: "/home/u" })).toBe(
      "/home/u/.cache/minio-platform/mc-v0.0.0-20250313080218-cf909e1063a9/mc",
    );
    expect(binaryPath("mc", { HOME: "/home/u", MC_BIN: "/opt/mc" })).toBe("/opt/mc");
  });

  it("uses cached binaries without building", async () => {
    const lines: string[] = [];
    const paths = await ensureMinioBinaries({ log: (l) => lines.push(l) });
    expect(paths).toEqual({ minio: binaryPath("minio"), mc: binaryPath("mc") });
    expect(lines).toEqual([]);
  });

  it("refuses an override that is not an executable file", async () => {
    process.env.MINIO_BIN = path.join(scratch, "no-such-minio");
    await expect(ensureMinioBinaries({ log: () => undefined })).rejects.toThrow(
      `MINIO_BIN=${process.env.MINIO_BIN} is not an executable file`,
    );
  });

  it("names the go install command when a build fails, and leaves no half build", async () => {
    process.env.XDG_CACHE_HOME = scratch;
    process.env.PATH = path.join(scratch, "empty-bin");
    const lines: string[] = [];
    const result = ensureMinioBinaries({ log: (l) => lines.push(l) });
    await expect(result).rejects.toThrow(
      /building (minio|mc) failed; run it by hand to see why:\n {2}GOBIN=\S+ go install github\.com\/minio\/(minio|mc)@v0\.0\.0-\d{14}-[0-9a-f]{12}\n/,
    );
    expect(Object.values(MINIO_TOOLS).map((t) => t.module)).toEqual([
      "github.com/minio/minio",
      "github.com/minio/mc",
    ]);
    expect(lines[0]).toMatch(/^minio-platform: building (minio|mc) v0\.0\.0-/);
    // Neither a binary folder nor a staging folder nor a lock survives the failure.
    const left = fs.readdirSync(path.join(scratch, "minio-platform"));
    expect(left.filter((f) => !f.endsWith(".lock"))).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.readdirSync(path.join(scratch, "minio-platform"))).toEqual([]);
  });
});
