/**
 * The platform program: one for every environment, driven by `stacks/Pulumi.<env>.yaml`.
 * `pulumi up --stack <env>` runs this file; the offline synth runs {@link buildPlatform} with
 * the same parsed config.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, checkSecretStorage, parsePlatformConfig } from "./config";
import { buildPlatform } from "./platform";

const config = new pulumi.Config(CONFIG_NAMESPACE);

// Structured values arrive as JSON text; plain ones as strings.
const read = (key: string): unknown => {
  const text = config.get(key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const keys = Object.keys(pulumi.runtime.allConfig())
  .filter((k) => k.startsWith(`${CONFIG_NAMESPACE}:`))
  .map((k) => k.slice(CONFIG_NAMESPACE.length + 1));

// The CLI lists the keys it decrypted in PULUMI_CONFIG_SECRET_KEYS; a password missing from it
// sits as text in the stack file. A CLI that does not set the list is not second-guessed.
const secretList = process.env.PULUMI_CONFIG_SECRET_KEYS;
if (secretList) {
  const encrypted = new Set<unknown>(JSON.parse(secretList) as unknown[]);
  for (const key of keys) checkSecretStorage(key, encrypted.has(`${CONFIG_NAMESPACE}:${key}`));
}

const platform = buildPlatform(parsePlatformConfig(read, keys, pulumi.getStack()), {
  rootUser: config.get("rootUser"),
  rootPassword: config.getSecret("rootPassword"),
  adminPassword: config.getSecret("adminPassword"),
});

// Stack outputs, read by other stacks through a StackReference; credentials are secrets.
export const {
  minioEndpoint,
  consoleEndpoint,
  rootUser,
  rootPassword,
  tenants,
  veleroTargets,
  artifactStores,
} = platform;
