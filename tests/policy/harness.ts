/**
 * Runs the pack's rules the way the policy SDK's server would, without constructing a
 * PolicyPack: recorded resources become the `ResourceValidationArgs` and `PolicyResource`
 * shapes @pulumi/policy passes, with props behind the SDK's own unknown-checking proxy, and
 * every violation is collected with its policy's enforcement level.
 */
import {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  StackValidationArgs,
  UnknownValueError,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { rules } from "../../policy-pack/policies";
import { Rule } from "../../policy-pack/rules/common";
import { ResourceView, isUnknown } from "../../policy-pack/rules/resources";
import { RecordedResource } from "../../tools/mock-runtime";

/** The string the engine sends for an unknown value. */
export const ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  message: string;
  urn?: string;
}

/** The fields of a recorded resource the pack reads; fixtures build these directly. */
export type PackInput = Pick<RecordedResource, "type" | "name" | "urn" | "parent" | "inputs">;

const notApplicable = (reason?: string): never => {
  throw new Error(`not applicable: ${reason ?? ""}`);
};

/** Inputs as the engine sends them to a policy pack: every unknown is the engine's string. */
export function engineForm(value: unknown): unknown {
  if (isUnknown(value)) return ENGINE_UNKNOWN;
  if (Array.isArray(value)) return value.map(engineForm);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, engineForm(v)]));
  }
  return value;
}

/** The policy SDK's view of a stack's resources, parents linked. */
export function policyResources(resources: readonly PackInput[]): PolicyResource[] {
  const out = resources.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unknownCheckingProxy(engineForm(r.inputs) as Record<string, unknown>),
        opts: {
          protect: false,
          ignoreChanges: [],
          aliases: [],
          customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          additionalSecretOutputs: [],
          ...(r.parent ? { parent: r.parent } : {}),
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as PolicyResource,
  );
  const byUrn = new Map(out.map((r) => [r.urn, r]));
  resources.forEach((r, i) => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    if (parent) out[i].parent = parent;
  });
  return out;
}

/**
 * Runs every rule (or the given ones) over `resources` as the SDK's server runs them: resource
 * rules once per resource, stack rules once. A rule reading an unknown value through the SDK's
 * proxy is reported as the SDK reports it (advisory, "can't run ... during preview").
 */
export async function runPack(
  resources: readonly PackInput[],
  config: Record<string, object> = {},
  only: readonly Rule[] = rules,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const stack = policyResources(resources);
  for (const rule of only) {
    const level = rule.enforcementLevel ?? "advisory";
    const report = (message: string, urn?: string) =>
      violations.push({ policy: rule.name, enforcementLevel: level, message, urn });
    const getConfig = <T extends object>() => (config[rule.name] ?? {}) as T;
    const guard = async (run: () => void | Promise<void>) => {
      try {
        await run();
      } catch (err) {
        if (!(err instanceof UnknownValueError)) throw err;
        violations.push({
          policy: rule.name,
          enforcementLevel: "advisory",
          message: `can't run policy '${rule.name}' during preview: ${(err as Error).message}`,
        });
      }
    };
    if ("validateStack" in rule) {
      const args: StackValidationArgs = {
        resources: stack,
        stackTags: new Map(),
        getConfig,
        notApplicable,
      };
      await guard(() => rule.validateStack(args, report));
      continue;
    }
    const validations = rule.validateResource
      ? Array.isArray(rule.validateResource)
        ? rule.validateResource
        : [rule.validateResource]
      : [];
    for (const resource of stack) {
      const args: ResourceValidationArgs = {
        type: resource.type,
        props: resource.props,
        urn: resource.urn,
        name: resource.name,
        opts: resource.opts,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig,
        notApplicable,
      };
      for (const validate of validations) await guard(() => validate(args, report));
    }
  }
  return violations;
}

/** Violations of mandatory policies only. */
export function mandatory(violations: readonly Violation[]): Violation[] {
  return violations.filter((v) => v.enforcementLevel === "mandatory");
}

let counter = 0;

/** A fixture resource; `parent` is another fixture's URN. */
export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  parent?: string,
): PackInput & ResourceView {
  const urn = `urn:pulumi:test::minio-platform::${type}::${name}#${counter++}`;
  return {
    type,
    name,
    urn,
    inputs,
    props: inputs,
    ...(parent ? { parent } : {}),
  };
}
