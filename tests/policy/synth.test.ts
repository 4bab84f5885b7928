/**
 * The synth's policy outputs: the access matrix, the heatmap and the pack's report, and a
 * non-zero exit when a mandatory rule fails.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ActionGrant } from "../../components/iam";
import type { AccessAnalysis, PrincipalEntry } from "../../policy-pack/analysis";
import {
  MATRIX_GRID_MAX_BUCKETS,
  accessMatrixHtml,
  accessMatrixMarkdown,
} from "../../policy-pack/report";
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

describe("access matrix of a large stack", () => {
  // 45 tenants: more buckets than MATRIX_GRID_MAX_BUCKETS, so each principal lists its reach.
  const tenants = Array.from({ length: 45 }, (_, i) => `t${String(i + 1).padStart(2, "0")}`);
  const grant = (action: string): ActionGrant => ({ action, decidedBy: [], witness: {} });
  const analysis: AccessAnalysis = {
    principals: [
      ...tenants.map((t) => ({ id: `user-${t}`, label: `user-${t}`, kind: "user", tenant: t })),
      { id: "user-t01/app", label: "app", kind: "serviceAccount", tenant: "t01" },
      { id: "*", label: "anonymous", kind: "anonymous" },
    ] as PrincipalEntry[],
    buckets: tenants.map((t) => ({ name: `user-${t}-data`, tenant: t, urn: `urn:${t}` })),
    cells: [
      ...tenants.map((t) => ({
        principal: `user-${t}`,
        bucket: `user-${t}-data`,
        verdict: "own" as const,
        grants: [grant("s3:GetObject"), grant("s3:PutObject")],
        violating: [],
      })),
      {
        principal: "user-t01/app",
        bucket: "user-t01-data",
        verdict: "own",
        grants: [grant("s3:GetObject")],
        violating: [],
      },
    ],
    findings: [],
  };

  it("lists each principal's reachable buckets instead of a 47 x 45 grid", () => {
    expect(analysis.buckets.length).toBeGreaterThan(MATRIX_GRID_MAX_BUCKETS);
    const lines = accessMatrixMarkdown("big", analysis).split("\n");
    expect(lines).toContain("| principal | tenant | reaches |");
    expect(lines).toContain("| user-t07 | t07 | user-t07-data (2 own) |");
    expect(lines).toContain("| user-t01/app (access key) | t01 | user-t01-data (1 own) |");
    expect(lines).toContain("| anonymous |  |  |");
    expect(lines.filter((l) => l.startsWith("| "))).toHaveLength(2 + 47);
    expect(lines).toContain("- **user-t45** on `user-t45-data` (own): s3:GetObject, s3:PutObject");
  });

  it("writes the heatmap as one chip per reachable bucket", () => {
    const page = accessMatrixHtml("big", analysis);
    expect(page).toContain("<th>reaches</th>");
    expect(page.match(/<span class="c" /g)).toHaveLength(46);
    expect(page).not.toContain('<th class="b">');
    expect(page).toContain(
      '<span class="c" style="background:rgba(37,99,235,1.00)" ' +
        'title="user-t07 on user-t07-data (own): s3:GetObject, s3:PutObject">user-t07-data 2</span>',
    );
  });
});
