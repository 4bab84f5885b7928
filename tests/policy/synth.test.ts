/**
 * The synth's policy outputs: the access matrix, the heatmap and the pack's report, and a
 * non-zero exit when a mandatory rule fails.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synth } from "../../tools/synth";

jest.setTimeout(180_000);

const root = path.resolve(__dirname, "../..");

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "policy-synth-"));
}

describe("synth with the policy pack", () => {
  let out: string;
  let files: Record<string, string>;

  beforeAll(async () => {
    out = tempDir();
    const result = await synth("local", out);
    expect(result.mandatoryViolations).toBe(0);
    files = Object.fromEntries(
      ["access-matrix.md", "access-matrix.html", "policy-report.md"].map((f) => [
        f,
        fs.readFileSync(path.join(out, "local", f), "utf8"),
      ]),
    );
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("writes the access matrix with each principal's own bucket and the public prefix", () => {
    const md = files["access-matrix.md"];
    expect(md).toContain(
      "| principal | tenant | artifacts-ci | user-acme-data | user-globex-data | " +
        "user-initech-data | velero-cluster |",
    );
    const lines = md.split("\n");
    expect(lines).toContain("| user-acme | acme |  | 13 own |  |  |  |");
    expect(lines).toContain("| anonymous |  | 1 public |  |  |  |  |");
    expect(md).toContain(
      "- **velero-cluster** on `velero-cluster` (own): s3:ListBucket, s3:AbortMultipartUpload, " +
        "s3:DeleteObject, s3:GetObject, s3:ListMultipartUploadParts, s3:PutObject",
    );
  });

  it("writes a self-contained heatmap", () => {
    const page = files["access-matrix.html"];
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toMatch(/<script|<link|src=|href=/);
    expect(page).toContain('title="user-acme on user-acme-data (own): s3:GetBucketLocation,');
    expect(page).toContain("<p>No isolation finding.</p>");
  });

  it("writes each rule's result", () => {
    const report = files["policy-report.md"];
    expect(report).toContain("No mandatory violation");
    expect(report).toContain("| `tenant-isolation` | mandatory | pass |");
    expect(report.match(/\| mandatory \| pass \|/g)).toHaveLength(15);
  });

  it("exits non-zero on a mandatory violation", () => {
    const dir = tempDir();
    try {
      const config = path.join(dir, "policy-config.json");
      fs.writeFileSync(config, JSON.stringify({ "minio-tls-in-production": { production: true } }));
      const run = spawnSync(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          "tools/synth.ts",
          "--stack",
          "local",
          "--out",
          dir,
          "--policy-pack-config",
          config,
        ],
        { cwd: root, encoding: "utf8" },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(
        `synth: 1 mandatory policy violation(s); see ${path.join(dir, "local", "policy-report.md")}`,
      );
      const report = fs.readFileSync(path.join(dir, "local", "policy-report.md"), "utf8");
      expect(report).toContain("| `minio-tls-in-production` | mandatory | 1 violation(s) |");
      expect(report).toContain(
        '- StatefulSet "platform-pool-0" container "minio" runs MinIO without TLS in production ' +
          '(environment "local"); set tls to an existing Secret or cert-manager',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
