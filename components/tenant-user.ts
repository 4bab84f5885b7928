/**
 * TenantUser: one MinIO user for one tenant, with a generated secret, the policies that scope
 * it, optional service accounts for applications, and optional delivery of the credentials as
 * a Kubernetes Secret.
 */
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { validateEndpoint } from "./endpoints";
import { InvalidArgumentError, validateWithin } from "./errors";
import { policyJson, validateUserPolicy, type PolicyDocument } from "./iam";
import { mergeLabels, sortKeys } from "./labels";
import { tenantUserName, validateDnsLabel, validateTenantId } from "./naming";

/** A policy to create under an explicit name. */
export interface NamedTenantPolicy {
  /**
   * The MinIO policy name. Lowercase letters, digits, `.`, `_` and `-`, starting with a letter
   * or digit, at most {@link MAX_POLICY_NAME_LENGTH} characters. No default.
   */
  name: string;
  /** The policy document, usually from one of the `components/iam` builders. No default. */
  document: PolicyDocument;
}

/** An access key for an application, owned by the tenant's user. */
export interface TenantServiceAccountArgs {
  /**
   * The key of this service account in {@link TenantUser.serviceAccounts} and in its child's
   * name; a DNS-1123 label, unique within the user. MinIO generates the access key itself.
   * No default.
   */
  name: string;
  /**
   * A narrower policy for this key. MinIO only ever grants a service account what its parent
   * user may do as well, so this can restrict but never widen. Default: none, the key acts with
   * the user's own policies.
   */
  policy?: PolicyDocument;
}

/** Where to write the user's credentials as a Kubernetes Secret. */
export interface TenantCredentialsSecretArgs {
  /** The tenant's namespace; a DNS-1123 label. No default. */
  namespace: string;
  /** The Secret's name; a DNS-1123 label. Default: `<userName>-s3`. */
  name?: string;
  /** The S3 endpoint written as `S3_ENDPOINT`, an `http://` or `https://` URL. No default. */
  endpoint: string;
  /** The bucket written as `S3_BUCKET`. Default: the key is left out. */
  bucket?: pulumi.Input<string>;
  /** The Kubernetes provider for the Secret. Default: the component's `kubernetes` provider. */
  provider?: k8s.Provider;
}

export interface TenantUserArgs {
  /** The tenant this user belongs to; see `validateTenantId`. No default. */
  tenantId: string;
  /**
   * The MinIO user name, which is also the access key; a DNS-1123 label of 3 or more
   * characters. A name starting with `user-` must be this tenant's own `user-<tenantId>`.
   * Default: `tenantUserName(tenantId)`, i.e. `user-<tenantId>`.
   */
  userName?: string;
  /**
   * Policies to create and attach. A bare document is named `<userName>-<hash>`, the first 8
   * hex digits of the SHA-256 of its canonical JSON, so adding or removing one policy never
   * renames another; give a
   * {@link NamedTenantPolicy} to choose the name. Each one is checked against the policies
   * MinIO refuses before anything is registered. Default: none.
   */
  policies?: (NamedTenantPolicy | PolicyDocument)[];
  /**
   * Names of policies that already exist in MinIO, to attach as they are. MinIO's built-in
   * policies ({@link BUILTIN_POLICY_NAMES}) are refused. Default: none.
   */
  existingPolicyNames?: string[];
  /** Access keys for applications, each an `IamServiceAccount` of this user. Default: none. */
  serviceAccounts?: TenantServiceAccountArgs[];
  /**
   * Disables the user (and so every one of its access keys) without deleting it.
   * Default: `false`.
   */
  disabled?: boolean;
  /**
   * A short label (1 to 32 lowercase letters, digits, `.` and `-`, e.g. `2024-06`); changing
   * it generates a new secret, which replaces the old one in MinIO (the old secret stops
   * working), and gives every service account a new access key: the value is part of each
   * service account's resource name (`<name>-sa-<account>-<rotation>`), so the new key is
   * created and the old one deleted whatever the Pulumi CLI version.
   * Default: unset, the secret is generated once and kept.
   */
  rotation?: string;
  /** Also write the credentials to a Kubernetes Secret. Default: no Secret. */
  kubernetesSecret?: TenantCredentialsSecretArgs;
  /** The MinIO provider for every MinIO child. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
}

/** The credentials of one service account; both values are Pulumi secrets. */
export interface ServiceAccountCredentials {
  readonly accessKey: pulumi.Output<string>;
  readonly secretKey: pulumi.Output<string>;
}

/**
 * MinIO's built-in policies. None fits a tenant: `readwrite`, `readonly` and `writeonly` reach
 * every bucket, `diagnostics` and `consoleAdmin` administer the server.
 */
export const BUILTIN_POLICY_NAMES: readonly string[] = Object.freeze([
  "readwrite",
  "readonly",
  "writeonly",
  "diagnostics",
  "consoleAdmin",
]);

/** Longest policy name accepted; MinIO stores policies as objects named after them. */
export const MAX_POLICY_NAME_LENGTH = 128;

/** Length of the generated secret; MinIO accepts secrets of 8 to 40 characters. */
const SECRET_LENGTH = 40;

export class TenantUser extends pulumi.ComponentResource {
  /**
   * The tenant this user belongs to, known while the program runs (not an output), so other
   * components can refuse to grant one tenant's bucket to another tenant's user.
   */
  readonly tenantId: string;
  /** The MinIO user name. */
  readonly userName: pulumi.Output<string>;
  /**
   * The MinIO user name, known while the program runs (not an output), so a bucket shared
   * through a `${aws:username}` policy can check that it is named after its owner.
   */
  readonly plannedUserName: string;
  /** The access key, which for a MinIO user is its name. */
  readonly accessKey: pulumi.Output<string>;
  /** The user's secret key (a Pulumi secret). */
  readonly secretKey: pulumi.Output<string>;
  /** Credentials of each service account, keyed by its `name` argument. */
  readonly serviceAccounts: Record<string, ServiceAccountCredentials>;
  /** Every policy attached to the user: the created ones, then the existing ones. */
  readonly policyNames: pulumi.Output<string[]>;
  /** The Kubernetes Secret's name, when one was asked for. */
  readonly secretName?: pulumi.Output<string>;

  constructor(name: string, args: TenantUserArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = validateWithin(`TenantUser "${name}"`, () => {
      const planned = planTenantUser(args);
      // Only the credentials Secret carries the name as a label.
      if (planned.kubernetesSecret !== undefined) validateLabelValue(name, "name");
      return planned;
    });
    // Declared so the policy pack can attribute this user and its children to the tenant.
    super(
      "minio-platform:index:TenantUser",
      name,
      { tenantId: args.tenantId, userName: plan.userName },
      opts,
    );

    this.tenantId = plan.tenantId;
    this.plannedUserName = plan.userName;
    const created = createTenantUserChildren(this, name, plan, {
      minio: args.provider ?? minioProviderOf(opts),
      kubernetes: kubernetesProviderOf(opts),
    });
    this.userName = created.userName;
    this.accessKey = created.accessKey;
    this.secretKey = created.secretKey;
    this.serviceAccounts = created.serviceAccounts;
    this.policyNames = created.policyNames;
    this.secretName = created.secretName;

    this.registerOutputs({
      tenantId: this.tenantId,
      userName: this.userName,
      accessKey: this.accessKey,
      secretKey: this.secretKey,
      serviceAccounts: this.serviceAccounts,
      policyNames: this.policyNames,
      secretName: this.secretName,
    });
  }
}

/** What {@link createTenantUserChildren} made: the fields a TenantUser exposes. */
export interface TenantUserOutputs {
  userName: pulumi.Output<string>;
  accessKey: pulumi.Output<string>;
  secretKey: pulumi.Output<string>;
  serviceAccounts: Record<string, ServiceAccountCredentials>;
  policyNames: pulumi.Output<string[]>;
  secretName?: pulumi.Output<string>;
}

/**
 * Creates a tenant user's resources as children of `scope`: the generated secret, the user,
 * its policies and attachments, its service accounts and the optional credentials Secret.
 * TenantUser wraps them in a component of their own; Tenant puts them beside the tenant's
 * bucket in one component, so onboarding a tenant registers one component, not two.
 *
 * @param scope the parent of every child
 * @param name the prefix of every child's name
 * @param plan the checked arguments, from {@link planTenantUser}
 * @param providers the MinIO and Kubernetes providers; default: the parent's
 * @param options merged into every child's options, e.g. aliases to a former parent
 */
export function createTenantUserChildren(
  scope: pulumi.Resource,
  name: string,
  plan: TenantUserPlan,
  providers: { minio?: minio.Provider; kubernetes?: k8s.Provider },
  options: { aliases?: pulumi.Input<pulumi.Alias>[] } = {},
): TenantUserOutputs {
  const minioOpts = { parent: scope, provider: providers.minio, ...options };

  const password = new random.RandomPassword(
    `${name}-secret`,
    {
      length: SECRET_LENGTH,
      special: false,
      keepers: plan.rotation === undefined ? undefined : { rotation: plan.rotation },
    },
    { parent: scope, ...options },
  );

  // The provider's `updateSecret` would make MinIO invent a secret on every update, out of
  // step with the generated one; a change of `secret` itself already resets the user's
  // secret (the old one stops working) and keeps the enabled or disabled status.
  const user = new minio.IamUser(
    `${name}-user`,
    {
      name: plan.userName,
      secret: password.result,
      disableUser: plan.disabled,
      updateSecret: false,
      forceDestroy: false,
    },
    { ...minioOpts, additionalSecretOutputs: ["secret"] },
  );

  const attachments: pulumi.Output<string>[] = [];
  for (const policy of plan.policies) {
    const created = new minio.IamPolicy(
      `${name}-policy-${policy.name}`,
      { name: policy.name, policy: policy.json },
      minioOpts,
    );
    const attachment = new minio.IamUserPolicyAttachment(
      `${name}-attach-${policy.name}`,
      { userName: user.name, policyName: created.name },
      minioOpts,
    );
    attachments.push(attachment.policyName);
  }
  for (const policyName of plan.existingPolicyNames) {
    const attachment = new minio.IamUserPolicyAttachment(
      `${name}-attach-${policyName}`,
      { userName: user.name, policyName },
      minioOpts,
    );
    attachments.push(attachment.policyName);
  }

  const serviceAccounts: Record<string, ServiceAccountCredentials> = {};
  for (const account of plan.serviceAccounts) {
    // MinIO generates a service account's keys, so rotating means a new account. A new
    // logical name does that on every CLI; the replacementTrigger option is ignored by older
    // ones.
    const accountName =
      plan.rotation === undefined
        ? `${name}-sa-${account.name}`
        : `${name}-sa-${account.name}-${plan.rotation}`;
    const created = new minio.IamServiceAccount(
      accountName,
      {
        targetUser: user.name,
        policy: account.policyJson,
        disableUser: plan.disabled,
        updateSecret: false,
      },
      { ...minioOpts, additionalSecretOutputs: ["accessKey", "secretKey"] },
    );
    serviceAccounts[account.name] = {
      accessKey: pulumi.secret(created.accessKey),
      secretKey: pulumi.secret(created.secretKey),
    };
  }

  const created: TenantUserOutputs = {
    userName: user.name,
    accessKey: user.name,
    secretKey: pulumi.secret(password.result),
    serviceAccounts,
    policyNames: pulumi.all(attachments),
  };

  if (plan.kubernetesSecret) {
    const target = plan.kubernetesSecret;
    const stringData: Record<string, pulumi.Input<string>> = {
      AWS_ACCESS_KEY_ID: user.name,
      AWS_SECRET_ACCESS_KEY: password.result,
      S3_ENDPOINT: target.endpoint,
    };
    if (target.bucket !== undefined) stringData.S3_BUCKET = target.bucket;
    const secret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: {
          name: target.name,
          namespace: target.namespace,
          labels: mergeLabels(name, "tenant-credentials", undefined),
        },
        type: "Opaque",
        stringData: pulumi.secret(sortKeys(stringData)),
      },
      { parent: scope, provider: target.provider ?? providers.kubernetes, ...options },
    );
    created.secretName = secret.metadata.name;
  }
  return created;
}

export interface TenantUserPlan {
  tenantId: string;
  userName: string;
  disabled: boolean;
  rotation?: string;
  policies: { name: string; json: string }[];
  existingPolicyNames: string[];
  serviceAccounts: { name: string; policyJson?: string }[];
  kubernetesSecret?: Required<
    Pick<TenantCredentialsSecretArgs, "namespace" | "name" | "endpoint">
  > &
    Pick<TenantCredentialsSecretArgs, "bucket" | "provider">;
}

/**
 * Checks every argument and derives names, so the constructor only wires resources. Exported
 * so that components building a TenantUser can check its arguments before registering
 * themselves.
 */
export function planTenantUser(args: TenantUserArgs): TenantUserPlan {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  const tenantId = validateTenantId(args.tenantId, "tenantId");
  const userName =
    args.userName === undefined
      ? tenantUserName(args.tenantId)
      : validateOutsideTenantNames(
          validateDnsLabel(args.userName, "userName"),
          "userName",
          tenantUserName(tenantId),
        );
  if (userName.length < 3) {
    throw new InvalidArgumentError(
      "userName",
      userName,
      "must be at least 3 characters long (MinIO access keys are 3 or more)",
    );
  }

  if (args.disabled !== undefined && typeof args.disabled !== "boolean") {
    throw new InvalidArgumentError("disabled", args.disabled, "must be true or false");
  }
  if (
    args.rotation !== undefined &&
    (typeof args.rotation !== "string" ||
      !/^[a-z0-9]([a-z0-9.-]{0,30}[a-z0-9])?$/.test(args.rotation))
  ) {
    throw new InvalidArgumentError(
      "rotation",
      args.rotation,
      'must be 1 to 32 lowercase letters, digits, "." and "-", starting and ending with a letter ' +
        "or digit (it becomes part of the service accounts' resource names)",
    );
  }

  const seen = new Set<string>();
  const claim = (policyName: string, argument: string): string => {
    validatePolicyName(policyName, argument);
    if (seen.has(policyName)) {
      throw new InvalidArgumentError(argument, policyName, "must be unique among the policies");
    }
    seen.add(policyName);
    return policyName;
  };

  const policies = listOf(args.policies, "policies").map((entry, index) => {
    const argument = `policies[${index}]`;
    const named = isNamedPolicy(entry);
    const document = named ? entry.document : entry;
    if (named) claim(entry.name, `${argument}.name`);
    validateUserPolicy(document, named ? `${argument}.document` : argument);
    const json = policyJson(document);
    // Named by content rather than position: removing policies[0] must not rename (and so
    // delete and recreate) every policy after it.
    const policyName = named ? entry.name : claim(`${userName}-${contentHash(json)}`, argument);
    return { name: policyName, json };
  });

  const existingPolicyNames = listOf(args.existingPolicyNames, "existingPolicyNames").map(
    (policyName, index) => {
      const argument = `existingPolicyNames[${index}]`;
      if (BUILTIN_POLICY_NAMES.includes(policyName)) {
        throw new InvalidArgumentError(
          argument,
          policyName,
          `must not be one of MinIO's built-in policies (${BUILTIN_POLICY_NAMES.join(", ")}), ` +
            "which reach every bucket or administer the server",
        );
      }
      return claim(policyName, argument);
    },
  );

  const accountNames = new Set<string>();
  const serviceAccounts = listOf(args.serviceAccounts, "serviceAccounts").map((entry, index) => {
    const argument = `serviceAccounts[${index}]`;
    if (typeof entry !== "object" || entry === null) {
      throw new InvalidArgumentError(argument, entry, "must be an object with a name");
    }
    const account = entry as TenantServiceAccountArgs;
    validateDnsLabel(account.name, `${argument}.name`);
    if (accountNames.has(account.name)) {
      throw new InvalidArgumentError(
        `${argument}.name`,
        account.name,
        "must be unique among the service accounts",
      );
    }
    accountNames.add(account.name);
    if (account.policy === undefined) return { name: account.name };
    validateUserPolicy(account.policy, `${argument}.policy`);
    return { name: account.name, policyJson: policyJson(account.policy) };
  });

  let kubernetesSecret: TenantUserPlan["kubernetesSecret"];
  if (args.kubernetesSecret !== undefined) {
    const target = args.kubernetesSecret;
    validateDnsLabel(target.namespace, "kubernetesSecret.namespace");
    const secretName =
      target.name === undefined
        ? validateDnsLabel(`${userName}-s3`, "kubernetesSecret.name")
        : validateDnsLabel(target.name, "kubernetesSecret.name");
    validateEndpoint(target.endpoint, "kubernetesSecret.endpoint");
    kubernetesSecret = {
      namespace: target.namespace,
      name: secretName,
      endpoint: target.endpoint,
      bucket: target.bucket,
      provider: target.provider,
    };
  }

  return {
    tenantId,
    userName,
    disabled: args.disabled ?? false,
    rotation: args.rotation,
    policies,
    existingPolicyNames,
    serviceAccounts,
    kubernetesSecret,
  };
}

/**
 * Checks a MinIO policy name. MinIO joins a user's policy names with commas and stores each
 * policy under its name, so commas, slashes, wildcards and whitespace are refused.
 *
 * @param value the value to check
 * @param argument the argument path named in the error
 * @returns the name, unchanged
 */
export function validatePolicyName(value: unknown, argument: string): string {
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, value, rule);
  };
  if (typeof value !== "string") return fail("must be a string");
  if (value.length === 0 || value.length > MAX_POLICY_NAME_LENGTH) {
    return fail(`must be 1 to ${MAX_POLICY_NAME_LENGTH} characters long`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(value)) {
    return fail(
      'may contain only lowercase letters, digits, ".", "_" and "-", ' +
        "starting with a letter or digit",
    );
  }
  return value;
}

/** The prefix of every tenant's default names: `user-<tenant>` and `user-<tenant>-data`. */
export const TENANT_NAME_PREFIX = "user-";

const TENANT_PREFIX_REASON =
  "the prefix is kept for tenants' default names (user-<tenant>, user-<tenant>-data)";

/**
 * Keeps a MinIO user or bucket name out of the tenants' names, so no other component can
 * create (or be granted) a tenant's user, bucket or owner policy.
 *
 * @param value the name, already checked as a user or bucket name
 * @param argument the argument path named in the error
 * @param own the one name under the prefix that is allowed: the tenant's own default;
 *   default none
 * @returns the name, unchanged
 */
export function validateOutsideTenantNames(value: string, argument: string, own?: string): string {
  if (!value.startsWith(TENANT_NAME_PREFIX) || value === own) return value;
  throw new InvalidArgumentError(
    argument,
    value,
    own === undefined
      ? `must not start with "${TENANT_NAME_PREFIX}": ${TENANT_PREFIX_REASON}`
      : `must not start with "${TENANT_NAME_PREFIX}" unless it is "${own}", this tenant's ` +
          `default: ${TENANT_PREFIX_REASON}`,
  );
}

/**
 * Refuses the tenant id of a component that is not a tenant (a Velero target, an artifact
 * store) when names derived from it would fall among the tenants' names: `user` or `user-...`.
 *
 * @param id the tenant id, already checked by `validateTenantId`
 * @param argument the argument path named in the error; default `"tenantId"`
 * @returns the id, unchanged
 */
export function validateNonTenantId(id: string, argument = "tenantId"): string {
  if (id === "user" || id.startsWith(TENANT_NAME_PREFIX)) {
    throw new InvalidArgumentError(
      argument,
      id,
      `must not be "user" or start with "${TENANT_NAME_PREFIX}": ${TENANT_PREFIX_REASON}`,
    );
  }
  return id;
}

/**
 * Checks a Kubernetes label value, such as a component name that becomes the
 * `app.kubernetes.io/instance` label: at most 63 letters, digits, `-`, `_` and `.`, starting
 * and ending with a letter or digit. A bad one would only fail when the API server sees it.
 *
 * @param value the value to check
 * @param argument the argument path named in the error
 * @returns the value, unchanged
 */
export function validateLabelValue(value: unknown, argument: string): string {
  if (
    typeof value !== "string" ||
    value.length > 63 ||
    !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(value)
  ) {
    throw new InvalidArgumentError(
      argument,
      value,
      'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", ' +
        "starting and ending with a letter or digit " +
        "(it becomes the app.kubernetes.io/instance label)",
    );
  }
  return value;
}

/** A MinIO provider given as the component's `provider` option, if it is one. */
export function minioProviderOf(opts: pulumi.ComponentResourceOptions): minio.Provider | undefined {
  return opts.provider && minio.Provider.isInstance(opts.provider) ? opts.provider : undefined;
}

/** A Kubernetes provider given as the component's `provider` option, if it is one. */
export function kubernetesProviderOf(
  opts: pulumi.ComponentResourceOptions,
): k8s.Provider | undefined {
  return opts.provider && k8s.Provider.isInstance(opts.provider) ? opts.provider : undefined;
}

/** The first 8 hex digits of the SHA-256 of `text`: short, and stable for the same policy. */
function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

function isNamedPolicy(entry: NamedTenantPolicy | PolicyDocument): entry is NamedTenantPolicy {
  return typeof entry === "object" && entry !== null && "document" in entry && "name" in entry;
}

function listOf<T>(value: T[] | undefined, argument: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError(argument, value, "must be a list");
  return value;
}
