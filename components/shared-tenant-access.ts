/**
 * SharedTenantAccess: the shared-policy tenant layout. One MinIO group holds every tenant user,
 * and its one policy grants each member the bucket named after the member, through MinIO's
 * `${aws:username}` variable (`user-<id>` gets `user-<id>-data`). Onboarding a tenant then adds
 * a user, a bucket and a group membership, and no policy: the number of policies MinIO stores
 * and evaluates stays the same however many tenants there are.
 *
 * An access key (service account) without a policy of its own acts as its parent user,
 * group policies included, with `${aws:username}` set to the parent's name, so tenant access
 * keys reach their own tenant's bucket and nothing else in this layout too.
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError, validateWithin } from "./errors";
import { policyJson, sharedTenantPolicy, validateUserPolicy } from "./iam";
import { validateBucketName, validateDnsLabel } from "./naming";
import { minioProviderOf, validatePolicyName } from "./tenant-user";

export interface SharedTenantAccessArgs {
  /** The MinIO group every tenant user joins; a DNS-1123 label. Default: `"tenants"`. */
  groupName?: string;
  /**
   * The name of the group's one policy; see `validatePolicyName`.
   * Default: `<groupName>-own-bucket`.
   */
  policyName?: string;
  /**
   * What follows the user name in the name of the bucket each member gets: lowercase letters,
   * digits, `-` and `.`, at most 40 characters. Default: `"-data"`, matching
   * `tenantBucketName` for users named by `tenantUserName`.
   */
  bucketSuffix?: string;
  /** The MinIO provider for every MinIO child. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
}

const DEFAULT_GROUP_NAME = "tenants";
const DEFAULT_BUCKET_SUFFIX = "-data";

export class SharedTenantAccess extends pulumi.ComponentResource {
  /** The group's name; depending on it waits for the group to exist. */
  readonly groupName: pulumi.Output<string>;
  /** The shared policy's name, once it is attached to the group. */
  readonly policyName: pulumi.Output<string>;
  /** The bucket-name suffix the policy grants after each member's user name. */
  readonly bucketSuffix: string;
  /** The group's name, known while the program runs (for names and checks). */
  readonly plannedGroupName: string;

  constructor(
    name: string,
    args: SharedTenantAccessArgs = {},
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    const plan = validateWithin(`SharedTenantAccess "${name}"`, () => planSharedTenantAccess(args));
    super("minio-platform:index:SharedTenantAccess", name, { groupName: plan.groupName }, opts);

    const minioOpts = { parent: this, provider: args.provider ?? minioProviderOf(opts) };
    const policy = new minio.IamPolicy(
      `${name}-policy`,
      { name: plan.policyName, policy: plan.policyJson },
      minioOpts,
    );
    const group = new minio.IamGroup(
      `${name}-group`,
      // Members are managed one attachment each; a group with unmanaged members is kept.
      { name: plan.groupName, forceDestroy: false },
      minioOpts,
    );
    const attachment = new minio.IamGroupPolicyAttachment(
      `${name}-attach`,
      { groupName: group.name, policyName: policy.name },
      minioOpts,
    );

    this.groupName = group.name;
    this.policyName = attachment.policyName;
    this.bucketSuffix = plan.bucketSuffix;
    this.plannedGroupName = plan.groupName;

    this.registerOutputs({ groupName: this.groupName, policyName: this.policyName });
  }

  /**
   * The bucket the shared policy grants to the member `userName`.
   *
   * @param userName a member's MinIO user name
   * @returns `<userName><bucketSuffix>`, checked against the S3 bucket rules
   */
  bucketNameFor(userName: string): string {
    return validateBucketName(`${userName}${this.bucketSuffix}`, "bucketName");
  }
}

export interface SharedTenantAccessPlan {
  groupName: string;
  policyName: string;
  bucketSuffix: string;
  policyJson: string;
}

/** Checks the arguments and builds the policy, before anything is registered. */
export function planSharedTenantAccess(args: SharedTenantAccessArgs): SharedTenantAccessPlan {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  const groupName = validateDnsLabel(args.groupName ?? DEFAULT_GROUP_NAME, "groupName");
  const policyName = validatePolicyName(args.policyName ?? `${groupName}-own-bucket`, "policyName");
  const bucketSuffix = args.bucketSuffix ?? DEFAULT_BUCKET_SUFFIX;
  const policy = sharedTenantPolicy(bucketSuffix);
  validateUserPolicy(policy, "bucketSuffix");
  return { groupName, policyName, bucketSuffix, policyJson: policyJson(policy) };
}
