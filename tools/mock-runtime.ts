/**
 * Runs a Pulumi program in-process under Pulumi's mock runtime and records every resource it
 * registers: type, name, URN, parent, inputs (with the secret ones marked) and the state the
 * mock handed back. The synth, the policy tests, the real-MinIO tier and the benchmarks all
 * read programs through this one recorder, so they all see the same resources.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** The key and value Pulumi's RPC layer uses to mark a secret value. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Placeholder written wherever a secret value would otherwise be shown. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface RecordedResource {
  /** The Pulumi type token, e.g. `minio:index/iamUser:IamUser`. */
  readonly type: string;
  /** The logical name given to the constructor. */
  readonly name: string;
  readonly urn: string;
  /** URN of the parent resource, when there is one other than the stack. */
  readonly parent?: string;
  /** True for custom (provider) resources, false for components. */
  readonly custom: boolean;
  /** Inputs with secrets unwrapped: the values a real provider would receive. */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of inputs that were secret (`secret`, `stringData.cloud`, ...). */
  readonly secretPaths: readonly string[];
  /** The state the mock returned (inputs plus computed fields such as generated passwords). */
  readonly state: Record<string, unknown>;
  /** The id the mock assigned. */
  readonly id: string;
  /**
   * URNs of the resources the SDK waited for before registering this one: `dependsOn` (a
   * component expanded to its children) and the resources behind every Output input, as sent
   * in the RegisterResource request. The parent and the provider are not repeated here.
   */
  readonly dependencies: readonly string[];
  /** URN of the provider resource this one is registered with, when it names one. */
  readonly provider?: string;
}

export interface MockRunOptions {
  project?: string;
  stack?: string;
  /** Run as a preview (`pulumi preview`): some outputs stay unknown. Defaults to false. */
  preview?: boolean;
  /** Config values keyed `<namespace>:<key>`, as `pulumi config` stores them. */
  config?: Record<string, string>;
}

export interface MockRun {
  readonly resources: RecordedResource[];
  /** The program's stack outputs, resolved, with secrets unwrapped. */
  readonly outputs: Record<string, unknown>;
  /** Dotted paths of stack outputs that were secret. */
  readonly secretOutputs: readonly string[];
}

type Program = () => Record<string, unknown> | Promise<Record<string, unknown> | void> | void;

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** Strips Pulumi's secret wrappers, collecting the paths where they were. */
export function unwrapSecrets(
  value: unknown,
  path = "",
  secretPaths: string[] = [],
): { value: unknown; secretPaths: string[] } {
  const walk = (v: unknown, p: string): unknown => {
    if (isSecretWrapper(v)) {
      secretPaths.push(p);
      return walkInner(v.value, p);
    }
    return walkInner(v, p);
  };
  const walkInner = (v: unknown, p: string): unknown => {
    if (Array.isArray(v)) return v.map((e, i) => walk(e, `${p}[${i}]`));
    if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) out[k] = walk(e, p ? `${p}.${k}` : k);
      return out;
    }
    return v;
  };
  return { value: walk(value, path), secretPaths };
}

/** A deterministic stand-in for a generated value: same seed, same string, every run. */
export function mockSecret(seed: string, length: number, alphabet = ALNUM): string {
  let out = "";
  let counter = 0;
  while (out.length < length) {
    const digest = createHash("sha256").update(`${seed}#${counter++}`).digest();
    for (const byte of digest) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * The computed state a real provider would return for the types this library creates, made
 * deterministic so two runs of the same program give the same state.
 */
export function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): { id: string; state: Record<string, unknown> } {
  const state: Record<string, unknown> = { ...inputs };
  const metadata = inputs.metadata as Record<string, unknown> | undefined;
  switch (type) {
    case "random:index/randomPassword:RandomPassword": {
      const length = typeof inputs.length === "number" ? inputs.length : 16;
      const keepers = JSON.stringify(inputs.keepers ?? {});
      state.result = mockSecret(`${name}:${keepers}`, length);
      return { id: name, state };
    }
    case "minio:index/s3Bucket:S3Bucket": {
      const bucket = String(inputs.bucket ?? name);
      state.bucket = bucket;
      state.arn = `arn:aws:s3:::${bucket}`;
      return { id: bucket, state };
    }
    case "minio:index/iamUser:IamUser":
    case "minio:index/iamPolicy:IamPolicy":
    case "minio:index/iamGroup:IamGroup": {
      const id = String(inputs.name ?? name);
      state.name = id;
      return { id, state };
    }
    case "minio:index/iamServiceAccount:IamServiceAccount": {
      const keepers = `${String(inputs.targetUser)}:${name}`;
      state.accessKey = mockSecret(`access:${keepers}`, 20, UPPER_ALNUM);
      state.secretKey = mockSecret(`secret:${keepers}`, 40);
      return { id: String(state.accessKey), state };
    }
    default: {
      if (metadata && typeof metadata === "object") {
        const k8sName = String(metadata.name ?? name);
        state.metadata = { ...metadata, name: k8sName };
        const ns = metadata.namespace;
        return { id: ns ? `${String(ns)}/${k8sName}` : k8sName, state };
      }
      return { id: `${name}-id`, state };
    }
  }
}

/** Mocks for `pulumi.runtime.setMocks` that record every resource into `sink`. */
export function recordingMocks(sink: RecordedResource[]): pulumi.runtime.Mocks {
  return {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      const { value, secretPaths } = unwrapSecrets(args.inputs);
      const inputs = value as Record<string, unknown>;
      const { id, state } = mockState(args.type, args.name, inputs);
      sink.push({
        type: args.type,
        name: args.name,
        urn: "",
        custom: args.custom !== false,
        inputs,
        secretPaths,
        state,
        id,
        dependencies: [],
      });
      return { id, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      return args.inputs;
    },
  };
}

/**
 * Runs `program` under the mock runtime and returns what it registered. Runs are independent:
 * each sets up a fresh mock monitor, so several programs can be recorded in one process.
 */
export async function runWithMocks(
  program: Program,
  options: MockRunOptions = {},
): Promise<MockRun> {
  const project = options.project ?? "minio-platform";
  const stack = options.stack ?? "test";
  const recorded: RecordedResource[] = [];
  const secretOutputs: string[] = [];
  if (options.config) {
    pulumi.runtime.setAllConfig(options.config);
  }
  await pulumi.runtime.setMocks(recordingMocks(recorded), project, stack, options.preview ?? false);
  const requests = recordRequests();

  // Parents and URNs are not part of the mock's arguments; a stack transformation sees every
  // resource's parent as it is constructed, and the resource's URN resolves afterwards.
  const parents = new Map<pulumi.Resource, pulumi.Resource | undefined>();
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      parents.set(args.resource, args.opts.parent);
      return undefined;
    });
    return resolveOutputs((await program()) ?? {}, secretOutputs);
  });
  await pulumi.runtime.disconnect();

  const urnOf = new Map<pulumi.Resource, string>();
  await Promise.all(
    [...parents.keys()].map(async (res) => urnOf.set(res, await promiseOf(res.urn))),
  );
  const byKey = new Map<string, { urn: string; parent?: string }>();
  for (const [res, parent] of parents) {
    const urn = urnOf.get(res) ?? "";
    const parentUrn = parent ? urnOf.get(parent) : undefined;
    byKey.set(keyOfUrn(urn), { urn, parent: parentUrn });
  }

  // The stack itself is the mock's root, not something the program asked for.
  const resources = recorded
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      const key = `${r.type}::${r.name}`;
      const found = byKey.get(key);
      const request = requests.get(key);
      return {
        ...r,
        urn: found?.urn ?? "",
        parent: found?.parent,
        dependencies: request?.dependencies ?? [],
        provider: request?.provider,
      };
    });
  return {
    resources,
    outputs: (outputs ?? {}) as Record<string, unknown>,
    secretOutputs: secretOutputs.sort(),
  };
}

interface RequestDependencies {
  dependencies: string[];
  provider?: string;
}

/**
 * Notes what each RegisterResource request says the resource waits for. The mock monitor is
 * handed the SDK's own request, so these are the dependencies `pulumi up` would see, not a
 * reconstruction; the monitor's answer is left untouched.
 */
function recordRequests(): Map<string, RequestDependencies> {
  const seen = new Map<string, RequestDependencies>();
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const provider = req.getProvider();
    seen.set(`${req.getType()}::${req.getName()}`, {
      dependencies: [...new Set(req.getDependenciesList())].sort(),
      // A provider reference is `<urn>::<id>`.
      provider: provider ? provider.slice(0, provider.lastIndexOf("::")) : undefined,
    });
    return register(req, callback);
  };
  return seen;
}

/** The part of the SDK's RegisterResourceRequest read here. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProvider(): string;
  getDependenciesList(): string[];
}

/** Resolves every Output in a stack's outputs, noting which ones are secret. */
async function resolveOutputs(value: unknown, secretPaths: string[], path = ""): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) secretPaths.push(path);
    return resolveOutputs(await promiseOf(value), secretPaths, path);
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((e, i) => resolveOutputs(e, secretPaths, `${path}[${i}]`)));
  }
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(value)) {
      out[k] = await resolveOutputs(e, secretPaths, path ? `${path}.${k}` : k);
    }
    return out;
  }
  return value;
}

function keyOfUrn(urn: string): string {
  // urn:pulumi:<stack>::<project>::<parentType$...$type>::<name>
  const parts = urn.split("::");
  const typeChain = parts[2] ?? "";
  const type = typeChain.split("$").pop() ?? "";
  return `${type}::${parts.slice(3).join("::")}`;
}

/** The value of an output; under the mock runtime every output resolves. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** A copy of a resource's inputs with every secret replaced by {@link SECRET_PLACEHOLDER}. */
export function redactedInputs(resource: RecordedResource): Record<string, unknown> {
  const copy = structuredClone(resource.inputs);
  for (const path of resource.secretPaths) setPath(copy, path, SECRET_PLACEHOLDER);
  return copy;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (path === "") return;
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}
