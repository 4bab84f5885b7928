/**
 * The shared-policy tenant layout (one `${aws:username}` policy on one group) through the whole
 * pack: the proof follows group membership and the policy variable to each user's own bucket.
 */
import { parsePlatformConfig } from "../../stacks/config";
import { buildPlatform } from "../../stacks/platform";
import { analyseAccess } from "../../policy-pack/analysis";
import { fromRecorded } from "../../policy-pack/rules/resources";
import { runWithMocks } from "../../tools/mock-runtime";
import { runPack } from "./harness";

jest.setTimeout(60_000);

it("proves isolation of the shared-policy layout with no violation", async () => {
  const values: Record<string, unknown> = {
    tenantLayout: "shared-policy",
    tenants: [{ id: "acme", serviceAccounts: ["app"] }, { id: "globex" }],
  };
  const config = parsePlatformConfig((k) => values[k], Object.keys(values), "shared");
  const run = await runWithMocks(() => ({ ...buildPlatform(config) }), { stack: "shared" });
  expect(await runPack(run.resources)).toEqual([]);
  const cells = analyseAccess(fromRecorded(run.resources)).cells;
  expect(cells.map((c) => [c.principal, c.bucket, c.verdict, c.grants.length])).toEqual([
    ["user-acme", "user-acme-data", "own", 13],
    ["user-globex", "user-globex-data", "own", 13],
    ["user-acme/tenant-acme-sa-app", "user-acme-data", "own", 13],
  ]);
});
