/**
 * The pack's results and the access matrix as files a reviewer reads: what the offline synth
 * writes next to its plan. Runs the rules' pure checks, so the SDK is never loaded.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { AccessAnalysis, AccessCell, Verdict } from "./analysis";
import { rules as allRules } from "./policies";
import { Rule, withDefaults } from "./rules/common";
import { ResourceView } from "./rules/resources";

/** Per-policy config in the format of `pulumi preview --policy-pack-config`. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface RuleResult {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly violations: readonly { message: string; urn?: string }[];
}

/** Runs every rule over a stack's resources, with the given pack config. */
export function runRules(
  resources: readonly ResourceView[],
  config: PackConfig = {},
  rules: readonly Rule[] = allRules,
): RuleResult[] {
  return rules.map((rule) => {
    const entry = config[rule.name];
    const settings = typeof entry === "object" ? entry : {};
    const level: EnforcementLevel =
      (typeof entry === "string" ? entry : entry?.enforcementLevel) ??
      rule.enforcementLevel ??
      "advisory";
    if (level === "disabled") {
      return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: level,
        violations: [],
      };
    }
    const options = withDefaults(rule.defaults, settings as Partial<typeof rule.defaults>);
    const violations =
      "validateStack" in rule
        ? (
            rule.check as (
              r: readonly ResourceView[],
              c: object,
            ) => { message: string; urn?: string }[]
          )(resources, options)
        : resources.flatMap((view) =>
            (rule.check as (v: ResourceView, c: object) => string[])(view, options).map(
              (message) => ({
                message,
                urn: view.urn,
              }),
            ),
          );
    return { name: rule.name, description: rule.description, enforcementLevel: level, violations };
  });
}

/** A rule's result as the report's table shows it. */
function ruleOutcome(r: RuleResult): string {
  if (r.enforcementLevel === "disabled") return "disabled";
  return r.violations.length === 0 ? "pass" : `${r.violations.length} violation(s)`;
}

/** One rule's settings out of a pack config, without its enforcement level. */
export function ruleSettings(config: PackConfig, rule: string): Record<string, unknown> {
  const entry = config[rule];
  if (typeof entry !== "object") return {};
  const settings: Record<string, unknown> = { ...entry };
  delete settings.enforcementLevel;
  return settings;
}

/** How many violations of mandatory rules there are: any one fails the synth. */
export function mandatoryCount(results: readonly RuleResult[]): number {
  return results
    .filter((r) => r.enforcementLevel === "mandatory")
    .reduce((n, r) => n + r.violations.length, 0);
}

/** `out/<stack>/policy-report.md`: each rule, its level and its result. */
export function policyReport(stack: string, results: readonly RuleResult[]): string {
  const failed = mandatoryCount(results);
  const lines = [
    `# Policy pack results for stack \`${stack}\``,
    "",
    failed === 0
      ? "No mandatory violation: `pulumi preview --policy-pack policy-pack` would pass."
      : `${failed} mandatory violation(s): ` +
        "`pulumi preview --policy-pack policy-pack` would fail.",
    "",
    "| rule | level | result |",
    "| --- | --- | --- |",
    ...results.map((r) => `| \`${r.name}\` | ${r.enforcementLevel} | ${ruleOutcome(r)} |`),
  ];
  for (const r of results.filter((x) => x.violations.length > 0)) {
    lines.push("", `## \`${r.name}\` (${r.enforcementLevel})`, "", r.description, "");
    for (const v of r.violations) lines.push(`- ${v.message}`);
  }
  return lines.join("\n");
}

const VERDICT_MARK: Record<Verdict, string> = {
  own: "own",
  granted: "granted",
  public: "public",
  violation: "VIOLATION",
};

/**
 * Above this many buckets the matrix is written as each principal's list of reachable buckets
 * instead of a grid: a grid of every principal by every bucket grows with the square of the
 * tenant count (10,000 tenants would be 200 million cells) and is unreadable long before.
 */
export const MATRIX_GRID_MAX_BUCKETS = 40;

function cellsByKey(analysis: AccessAnalysis): Map<string, AccessCell> {
  return new Map(analysis.cells.map((c) => [`${c.principal}\u0000${c.bucket}`, c]));
}

/** Each principal's cells, in the analysis's order (by principal, then bucket). */
function cellsByPrincipal(analysis: AccessAnalysis): Map<string, AccessCell[]> {
  const rows = new Map<string, AccessCell[]>();
  for (const cell of analysis.cells) {
    const row = rows.get(cell.principal);
    if (row) row.push(cell);
    else rows.set(cell.principal, [cell]);
  }
  return rows;
}

/** How the matrix names each principal: access keys marked, the anonymous caller by role. */
function principalNames(analysis: AccessAnalysis): Map<string, string> {
  return new Map(
    analysis.principals.map((p) => [
      p.id,
      p.kind === "anonymous"
        ? "anonymous"
        : p.kind === "serviceAccount"
          ? `${p.id} (access key)`
          : p.id,
    ]),
  );
}

/** `out/<stack>/access-matrix.md`: principals by buckets, then every allowed action. */
export function accessMatrixMarkdown(stack: string, analysis: AccessAnalysis): string {
  const buckets = analysis.buckets.map((b) => b.name);
  const names = principalNames(analysis);
  const nameOf = (id: string) => names.get(id) ?? id;
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  const mark = (cell: AccessCell) => `${cell.grants.length} ${VERDICT_MARK[cell.verdict]}`;
  const grid = buckets.length <= MATRIX_GRID_MAX_BUCKETS;
  const lines = [
    `# Access matrix for stack \`${stack}\``,
    "",
    "What each principal can do on each bucket, decided by the MinIO evaluator in",
    "`components/iam` over every bucket and object action MinIO knows. A cell shows the number",
    "of allowed actions and why it is allowed: `own` (the principal's tenant owns the bucket),",
    "`granted` (a declared cross-tenant grant), `public` (a declared public prefix) or",
    grid
      ? "`VIOLATION`. An empty cell means no action at all."
      : `\`VIOLATION\`. With ${buckets.length} buckets (more than ${MATRIX_GRID_MAX_BUCKETS}), ` +
        "each principal lists only the buckets it can reach; any bucket not listed allows it " +
        "no action at all.",
    "",
  ];
  if (grid) {
    const cells = cellsByKey(analysis);
    lines.push(
      `| principal | tenant | ${buckets.map(escape).join(" | ")} |`,
      `| --- | --- | ${buckets.map(() => "---").join(" | ")} |`,
    );
    for (const p of analysis.principals) {
      const row = buckets.map((b) => {
        const cell = cells.get(`${p.id}\u0000${b}`);
        return cell ? mark(cell) : "";
      });
      lines.push(`| ${escape(nameOf(p.id))} | ${p.tenant ?? ""} | ${row.join(" | ")} |`);
    }
  } else {
    const rows = cellsByPrincipal(analysis);
    lines.push("| principal | tenant | reaches |", "| --- | --- | --- |");
    for (const p of analysis.principals) {
      const reached = (rows.get(p.id) ?? []).map((c) => `${escape(c.bucket)} (${mark(c)})`);
      lines.push(`| ${escape(nameOf(p.id))} | ${p.tenant ?? ""} | ${reached.join(", ")} |`);
    }
  }
  lines.push("", "## Allowed actions", "");
  for (const cell of analysis.cells) {
    lines.push(
      `- **${escape(nameOf(cell.principal))}** on \`${cell.bucket}\` ` +
        `(${VERDICT_MARK[cell.verdict]}): ${cell.grants.map((g) => g.action).join(", ")}`,
    );
  }
  const other = analysis.findings.filter((f) => f.kind !== "violation");
  if (other.length > 0) {
    lines.push("", "## Not verified", "");
    for (const f of other) lines.push(`- ${f.message}`);
  }
  return lines.join("\n");
}

const COLOURS: Record<Verdict, [number, number, number]> = {
  own: [37, 99, 235],
  granted: [22, 163, 74],
  public: [217, 119, 6],
  violation: [220, 38, 38],
};

/** `out/<stack>/access-matrix.html`: the same matrix as a self-contained heatmap. */
export function accessMatrixHtml(stack: string, analysis: AccessAnalysis): string {
  const buckets = analysis.buckets.map((b) => b.name);
  const names = principalNames(analysis);
  const nameOf = (id: string) => names.get(id) ?? id;
  let most = 1;
  for (const c of analysis.cells) most = Math.max(most, c.grants.length);
  const shade = (cell: AccessCell) => {
    const [r, g, bl] = COLOURS[cell.verdict];
    const alpha = (0.25 + (0.75 * cell.grants.length) / most).toFixed(2);
    return `background:rgba(${r},${g},${bl},${alpha})`;
  };
  const title = (cell: AccessCell) =>
    `${nameOf(cell.principal)} on ${cell.bucket} (${cell.verdict}): ${cell.grants
      .map((x) => x.action)
      .join(", ")}`;
  const grid = buckets.length <= MATRIX_GRID_MAX_BUCKETS;
  const rowHead = (id: string, tenant?: string) =>
    `<tr><th class="p">${html(nameOf(id))}</th><td class="t">${html(tenant ?? "")}</td>`;
  let header: string;
  let rows: string[];
  if (grid) {
    const cells = cellsByKey(analysis);
    header = buckets.map((b) => `<th class="b"><span>${html(b)}</span></th>`).join("");
    rows = analysis.principals.map((p) => {
      const tds = buckets.map((b) => {
        const cell = cells.get(`${p.id}\u0000${b}`);
        if (!cell) return "<td></td>";
        return `<td style="${shade(cell)}" title="${html(title(cell))}">${cell.grants.length}</td>`;
      });
      return `${rowHead(p.id, p.tenant)}${tds.join("")}</tr>`;
    });
  } else {
    // One chip per reachable bucket: the page grows with what is allowed, not with
    // principals times buckets.
    const reached = cellsByPrincipal(analysis);
    header = "<th>reaches</th>";
    rows = analysis.principals.map((p) => {
      const chips = (reached.get(p.id) ?? []).map(
        (cell) =>
          `<span class="c" style="${shade(cell)}" title="${html(title(cell))}">` +
          `${html(cell.bucket)} ${cell.grants.length}</span>`,
      );
      return `${rowHead(p.id, p.tenant)}<td class="r">${chips.join(" ")}</td></tr>`;
    });
  }
  const legend = (Object.keys(COLOURS) as Verdict[])
    .map((v) => {
      const [r, g, b] = COLOURS[v];
      return `<span class="k" style="background:rgb(${r},${g},${b})"></span>${VERDICT_MARK[v]}`;
    })
    .join(" ");
  const violations = analysis.findings.filter((f) => f.kind !== "refused");
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Access matrix: ${html(stack)}</title>`,
    "<style>",
    "body{font-family:system-ui,sans-serif;margin:2em;color:#111}",
    "table{border-collapse:collapse;font-size:12px}",
    "td,th{border:1px solid #ddd;padding:3px 6px;text-align:center}",
    "th.p{text-align:left;white-space:nowrap}td.t{color:#555}",
    "th.b{height:140px;vertical-align:bottom}",
    "th.b span{writing-mode:vertical-rl;transform:rotate(180deg)}",
    ".k{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}",
    "td.r{text-align:left}.c{display:inline-block;padding:1px 4px;margin:1px;border-radius:3px}",
    "</style></head><body>",
    `<h1>Access matrix: stack ${html(stack)}</h1>`,
    "<p>Number of S3 actions each principal can perform on each bucket, from the MinIO " +
      "evaluator. Hover a cell for the actions. Darker means more actions.</p>",
    `<p>${legend}</p>`,
    `<table><thead><tr><th>principal</th><th>tenant</th>${header}</tr></thead>`,
    `<tbody>${rows.join("\n")}</tbody></table>`,
    violations.length === 0
      ? "<p>No isolation finding.</p>"
      : "<h2>Findings</h2><ul>" +
        `${violations.map((f) => `<li>${html(f.message)}</li>`).join("")}</ul>`,
    "</body></html>",
  ].join("\n");
}

function html(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
