/**
 * Reads a stack's config file (`stacks/Pulumi.<stack>.yaml`) without the Pulumi CLI, for the
 * offline synth, the tests and the benchmarks. `pulumi up` reads the same file through
 * `pulumi.Config`; both paths end in {@link parsePlatformConfig}.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { InvalidArgumentError, validateWithin } from "../components/errors";
import {
  CONFIG_NAMESPACE,
  PlatformConfig,
  checkSecretStorage,
  parsePlatformConfig,
} from "./config";

/** The folder holding `Pulumi.<stack>.yaml` files (Pulumi.yaml's `stackConfigDir`). */
export const STACKS_DIR = path.resolve(__dirname);

export function stackConfigPath(stack: string): string {
  return path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
}

/** The stacks that ship with the project, from the config files present. */
export function shippedStacks(): string[] {
  return fs
    .readdirSync(STACKS_DIR)
    .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * The `minio-platform:*` values of a config file's `config:` block, keyed without the
 * namespace. A `secure:` value (encrypted by the CLI) cannot be read offline and is reported
 * as present with the value {@link ENCRYPTED}.
 */
export function readStackConfigFile(file: string): Record<string, unknown> {
  if (!/^[a-z0-9-]+$/.test(path.basename(file).replace(/^Pulumi\.|\.yaml$/g, ""))) {
    throw new InvalidArgumentError("stack", path.basename(file), "must be a lowercase word");
  }
  if (!fs.existsSync(file)) {
    throw new InvalidArgumentError("stack", file, "has no config file; create it or pick another");
  }
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    const [ns, name] = key.includes(":") ? key.split(":", 2) : [CONFIG_NAMESPACE, key];
    // Keys of other packages (kubernetes:context, minio:...) belong to providers.
    if (ns !== CONFIG_NAMESPACE) continue;
    checkSecretStorage(name, isEncrypted(value));
    values[name] = isEncrypted(value) ? ENCRYPTED : value;
  }
  return values;
}

/** Stands for a config value encrypted with `pulumi config set --secret`. */
export const ENCRYPTED = "[encrypted]";

function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Loads and validates a shipped stack's config. Errors name the file. */
export function loadStackConfig(stack: string, file = stackConfigPath(stack)): PlatformConfig {
  const values = validateWithin(path.relative(process.cwd(), file) || file, () =>
    readStackConfigFile(file),
  );
  return validateWithin(path.relative(process.cwd(), file) || file, () =>
    parsePlatformConfig((key) => values[key], Object.keys(values), stack),
  );
}
