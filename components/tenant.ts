/**
 * Tenant: one tenant's user and bucket in a single component. It makes exactly what a
 * TenantUser and an IsolatedBucket given that user make, under one parent instead of two:
 * the SDK registers a component much as it registers a provider resource, so a platform that
 * onboards thousands of tenants saves one registration per tenant. Use TenantUser and
 * IsolatedBucket directly for other shapes (a second bucket, a user shared by several).
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError, validateWithin } from "./errors";
import {
  createIsolatedBucketChildren,
  planIsolatedBucket,
  type BucketCredentials,
  type IsolatedBucketArgs,
  type IsolatedBucketPlan,
} from "./isolated-bucket";
import { validateTenantId } from "./naming";
import {
  createTenantUserChildren,
  kubernetesProviderOf,
  minioProviderOf,
  planTenantUser,
  validateLabelValue,
  type ServiceAccountCredentials,
  type TenantUserArgs,
  type TenantUserPlan,
} from "./tenant-user";

export interface TenantArgs {
  /** The tenant; see `validateTenantId`. No default. */
  tenantId: string;
  /**
   * The user's arguments, as for TenantUser: `userName`, `policies`, `existingPolicyNames`,
   * `serviceAccounts`, `disabled`, `rotation`, `kubernetesSecret`. Default: `{}` (the user
   * `user-<tenantId>`, granted the bucket and nothing else).
   */
  user?: Omit<TenantUserArgs, "tenantId" | "provider">;
  /**
   * The bucket's arguments, as for IsolatedBucket: `bucketName`, `ownerPolicy`, `ownerAccess`,
   * `versioning`, `objectLock`, `erasureCoded`, `quotaBytes`, `lifecycleRules`, `encryption`,
   * `allowDestroy`. Its owner is this tenant's user. Default: `{}` (a private, protected
   * `user-<tenantId>-data` with read-write for the user).
   */
  bucket?: Omit<IsolatedBucketArgs, "tenantId" | "owner" | "provider">;
  /** The MinIO provider for every MinIO child. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
  /**
   * Alias every child to the parent it has under a TenantUser and an IsolatedBucket of the
   * same name, for a program that onboarded this tenant that way and now switches to Tenant:
   * nothing is replaced (no new secret, no new access keys, the bucket untouched). The SDK
   * resolves aliases for every child on every run, which costs about a third more time and
   * memory per tenant, so leave it off for new tenants. Default: `false`.
   */
  aliasSeparateComponents?: boolean;
}

export class Tenant extends pulumi.ComponentResource {
  /** The tenant, known while the program runs. */
  readonly tenantId: string;
  /** The MinIO user name. */
  readonly userName: pulumi.Output<string>;
  /** The access key, which for a MinIO user is its name. */
  readonly accessKey: pulumi.Output<string>;
  /** The user's secret key (a Pulumi secret). */
  readonly secretKey: pulumi.Output<string>;
  /** Credentials of each service account, keyed by its `name` argument; all secrets. */
  readonly serviceAccounts: Record<string, ServiceAccountCredentials>;
  /** Every policy attached to the user itself. */
  readonly policyNames: pulumi.Output<string[]>;
  /** The Kubernetes Secret's name, when `user.kubernetesSecret` asked for one. */
  readonly secretName?: pulumi.Output<string>;
  /** The bucket's name. */
  readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN, `arn:aws:s3:::<bucket>`. */
  readonly bucketArn: pulumi.Output<string>;
  /** The policy that grants the user the bucket (the shared group's, in that layout). */
  readonly ownerPolicyName: pulumi.Output<string>;
  /** The user's access and secret key, as one Pulumi secret. */
  readonly credentials: pulumi.Output<BucketCredentials>;

  constructor(name: string, args: TenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = validateWithin(`Tenant "${name}"`, () => planTenant(name, args));
    // Declared so the policy pack can attribute every child to the tenant.
    super(
      "minio-platform:index:Tenant",
      name,
      {
        tenantId: plan.user.tenantId,
        userName: plan.user.userName,
        bucketName: plan.bucket.bucketName,
      },
      opts,
    );

    const provider = args.provider ?? minioProviderOf(opts);
    const formerly = (type: string) =>
      plan.aliasSeparateComponents
        ? { aliases: [{ parent: pulumi.createUrn(name, type, opts.parent) }] }
        : {};
    const user = createTenantUserChildren(
      this,
      name,
      plan.user,
      { minio: provider, kubernetes: kubernetesProviderOf(opts) },
      formerly("minio-platform:index:TenantUser"),
    );
    const bucket = createIsolatedBucketChildren(this, name, plan.bucket, () => user, provider, {
      label: `Tenant "${name}"`,
      options: formerly("minio-platform:index:IsolatedBucket"),
    });

    this.tenantId = plan.user.tenantId;
    this.userName = user.userName;
    this.accessKey = user.accessKey;
    this.secretKey = user.secretKey;
    this.serviceAccounts = user.serviceAccounts;
    this.policyNames = user.policyNames;
    this.secretName = user.secretName;
    this.bucketName = bucket.bucketName;
    this.bucketArn = bucket.bucketArn;
    this.ownerPolicyName = bucket.ownerPolicyName;
    this.credentials = bucket.credentials;

    this.registerOutputs({
      tenantId: this.tenantId,
      userName: this.userName,
      bucketName: this.bucketName,
      ownerPolicyName: this.ownerPolicyName,
      credentials: this.credentials,
      serviceAccounts: this.serviceAccounts,
    });
  }
}

/** Both halves' plans, with errors naming `user.*` and `bucket.*` as the caller wrote them. */
function planTenant(
  name: string,
  args: TenantArgs,
): { user: TenantUserPlan; bucket: IsolatedBucketPlan; aliasSeparateComponents: boolean } {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  const tenantId = validateTenantId(args.tenantId, "tenantId");
  const userArgs = part(args.user, "user", ["tenantId", "provider"]);
  const bucketArgs = part(args.bucket, "bucket", ["tenantId", "owner", "provider"]);
  const user = under("user", () => planTenantUser({ ...userArgs, tenantId }));
  // Only the credentials Secret carries the name as a label.
  if (user.kubernetesSecret !== undefined) validateLabelValue(name, "name");
  const bucket = under("bucket", () =>
    planIsolatedBucket({ ...bucketArgs, tenantId }, user.userName),
  );
  const aliasSeparateComponents = args.aliasSeparateComponents ?? false;
  if (typeof aliasSeparateComponents !== "boolean") {
    throw new InvalidArgumentError(
      "aliasSeparateComponents",
      aliasSeparateComponents,
      "must be true or false",
    );
  }
  return { user, bucket, aliasSeparateComponents };
}

/**
 * One half's arguments: an object (default `{}`) without the keys the Tenant sets itself, which
 * a JavaScript caller could otherwise pass and see silently replaced.
 */
function part<T extends object>(value: T | undefined, argument: string, owned: string[]): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, value, "must be an object");
  }
  for (const key of owned) {
    if (key in value) {
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        // Resources are named, not rendered: their fields are not for messages.
        key === "tenantId" ? (value as Record<string, unknown>)[key] : `[${key}]`,
        "must not be set: the Tenant sets it (use TenantUser and IsolatedBucket for other owners)",
      );
    }
  }
  return value;
}

/** Runs a half's planner, naming its arguments under `part` (`user.serviceAccounts[0]`). */
function under<T>(part: string, plan: () => T): T {
  try {
    return plan();
  } catch (err) {
    if (err instanceof InvalidArgumentError && err.context === undefined) {
      throw new InvalidArgumentError(`${part}.${err.argument}`, err.value, err.rule);
    }
    throw err;
  }
}
