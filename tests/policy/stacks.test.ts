/**
 * The whole pack against every shipped stack, resources taken from the synth's mock run and fed
 * through the policy SDK's own shapes: no mandatory violation anywhere.
 */
import { shippedStacks } from "../../stacks/stack-config";
import { runStack } from "../../tools/synth";
import { mandatory, runPack } from "./harness";

jest.setTimeout(120_000);

describe.each(shippedStacks())("stack %s", (stack) => {
  it("has no violation of any policy", async () => {
    const run = await runStack(stack);
    const violations = await runPack(run.resources);
    expect(violations).toEqual([]);
    expect(mandatory(violations)).toEqual([]);
  });
});
