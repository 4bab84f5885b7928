/**
 * IsolatedBucket: one tenant's private bucket, with the owner's access granted through a user
 * policy (never a bucket policy, which on MinIO only governs anonymous requests).
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError, validateWithin } from "./errors";
import {
  CI_READER_ACTIONS,
  CI_WRITER_ACTIONS,
  READ_ONLY_ACTIONS,
  READ_WRITE_ACTIONS,
  VELERO_ACTIONS,
  parseStatements,
  policyJson,
  readWritePolicy,
  validateUserPolicy,
  type PolicyDocument,
} from "./iam";
import {
  tenantBucketName,
  tenantUserName,
  validateBucketName,
  validatePrefix,
  validateTenantId,
} from "./naming";
import {
  TenantUser,
  minioProviderOf,
  validateOutsideTenantNames,
  validatePolicyName,
} from "./tenant-user";
import { SharedTenantAccess } from "./shared-tenant-access";

/** One lifecycle (ILM) rule. At least one of the expiry fields must be set. */
export interface LifecycleRuleArgs {
  /** The rule's id, unique within the bucket; 1 to 255 characters, no whitespace. No default. */
  id: string;
  /** Apply only to keys under `<prefix>/`; see `validatePrefix`. Default: the whole bucket. */
  prefix?: string;
  /** Delete current objects this many days after creation (1 to 36500). Default: never. */
  expireDays?: number;
  /**
   * Delete non-current versions this many days after they were replaced (1 to 36500); needs
   * versioning. Default: never.
   */
  noncurrentExpireDays?: number;
  /**
   * Remove delete markers left with no versions behind them; needs versioning, and cannot be
   * combined with `expireDays` in one rule (S3 allows one kind of expiration per rule).
   * Default: `false`.
   */
  expireDeleteMarkers?: boolean;
}

/** Server-side encryption with a key held by MinIO's KMS (KES). */
export interface BucketEncryptionArgs {
  /** The KMS key id objects are encrypted with by default (SSE-KMS). No default. */
  kmsKeyId: string;
}

export interface IsolatedBucketArgs {
  /** The tenant that owns the bucket; see `validateTenantId`. No default. */
  tenantId: string;
  /**
   * The bucket's name, checked against the S3 rules. A name starting with `user-` must be
   * this tenant's own `user-<tenantId>-data`. Default: `user-<tenantId>-data`.
   */
  bucketName?: string;
  /**
   * The user granted {@link ownerPolicy} on this bucket; its `tenantId` must be this bucket's.
   * Default: a new TenantUser `user-<tenantId>` created as a child of this component.
   */
  owner?: TenantUser;
  /**
   * The policy the owner gets, which must name only this bucket and allow only actions of the
   * library's roles (`READ_WRITE_ACTIONS`, `READ_ONLY_ACTIONS`, `VELERO_ACTIONS`,
   * `CI_WRITER_ACTIONS`, `CI_READER_ACTIONS`), no wildcards. Velero targets and artifact stores
   * narrow it. Default: `readWritePolicy(bucketName)`.
   */
  ownerPolicy?: PolicyDocument;
  /**
   * How the owner gets its access. `"policy"`: a policy of its own ({@link ownerPolicy}),
   * attached to the owner. A {@link SharedTenantAccess}: the owner joins its group, whose one
   * `${aws:username}` policy grants each member read-write on the bucket named after the
   * member; the bucket's name must then be `<owner's user name><bucketSuffix>` and no
   * `ownerPolicy` may be given. Default: `"policy"`.
   */
  ownerAccess?: "policy" | SharedTenantAccess;
  /** Keep every version of every object. Default: `false` (`true` when `objectLock` is set). */
  versioning?: boolean;
  /**
   * Create the bucket with object locking. MinIO only allows this when the bucket is created,
   * so a later change is a replacement of the bucket, which protection refuses unless
   * `allowDestroy` is set; with `allowDestroy` the replacement goes ahead and empties the
   * bucket (a warning is logged on every run). Turns versioning on. Default: `false`.
   */
  objectLock?: boolean;
  /**
   * Whether the deployment is erasure coded (`ErasurePlan.erasureCoded`). Versioning and
   * object lock are refused when it is not, because MinIO refuses them there. Default: `true`.
   */
  erasureCoded?: boolean;
  /** A hard quota in bytes, a whole number from 1 up. Default: no quota. */
  quotaBytes?: number;
  /** Lifecycle rules, created as one `IlmPolicy`. Default: none. */
  lifecycleRules?: LifecycleRuleArgs[];
  /**
   * Default server-side encryption. Only SSE-KMS is offered: `@pulumi/minio` 0.17.1 requires a
   * KMS key id for bucket encryption. Default: no bucket default encryption.
   */
  encryption?: BucketEncryptionArgs;
  /**
   * Let Pulumi delete the bucket, even with objects in it: the data becomes disposable, also
   * when a change of `objectLock` replaces the bucket (its objects are deleted with it). When
   * `false` the bucket is protected, so such a replacement is refused, kept in MinIO if removed
   * from the program, and never force-emptied. Default: `false`.
   */
  allowDestroy?: boolean;
  /** The MinIO provider for every MinIO child. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
}

/** The owner's credentials; both values are Pulumi secrets. */
export interface BucketCredentials {
  accessKey: string;
  secretKey: string;
}

const MAX_DAYS = 36500;

/**
 * What an owner policy may allow: the actions of the library's roles. Anything else on the
 * owner's own bucket (`s3:*`, `s3:PutBucketPolicy`, `s3:DeleteBucket`, ...) would let one
 * leaked key make the bucket public, delete it or rewrite its lifecycle.
 */
const OWNER_ACTIONS: ReadonlySet<string> = new Set(
  [
    READ_WRITE_ACTIONS,
    READ_ONLY_ACTIONS,
    VELERO_ACTIONS,
    CI_WRITER_ACTIONS,
    CI_READER_ACTIONS,
  ].flatMap((role) => [...role.bucket, ...role.list, ...role.object]),
);

export class IsolatedBucket extends pulumi.ComponentResource {
  /** The bucket's name. */
  readonly bucketName: pulumi.Output<string>;
  /** The bucket's ARN, `arn:aws:s3:::<bucket>`. */
  readonly bucketArn: pulumi.Output<string>;
  /** The owning user's name. */
  readonly ownerUserName: pulumi.Output<string>;
  /** The owning user's access and secret key, as one Pulumi secret. */
  readonly credentials: pulumi.Output<BucketCredentials>;
  /** The owning user (the one passed in, or the one this component created). */
  readonly owner: TenantUser;
  /** The name of the policy that grants the owner access to this bucket. */
  readonly ownerPolicyName: pulumi.Output<string>;

  constructor(name: string, args: IsolatedBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = validateWithin(`IsolatedBucket "${name}"`, () => planIsolatedBucket(args));
    // Declared so the policy pack can attribute this bucket and its children to the tenant.
    super(
      "minio-platform:index:IsolatedBucket",
      name,
      { tenantId: plan.tenantId, bucketName: plan.bucketName },
      opts,
    );

    const provider = args.provider ?? minioProviderOf(opts);
    const created = createIsolatedBucketChildren(
      this,
      name,
      plan,
      () =>
        args.owner ??
        new TenantUser(`${name}-owner`, { tenantId: plan.tenantId, provider }, { parent: this }),
      provider,
    );
    this.bucketName = created.bucketName;
    this.bucketArn = created.bucketArn;
    this.owner = created.owner;
    this.ownerUserName = created.ownerUserName;
    this.ownerPolicyName = created.ownerPolicyName;
    this.credentials = created.credentials;

    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      ownerUserName: this.ownerUserName,
      ownerPolicyName: this.ownerPolicyName,
      credentials: this.credentials,
    });
  }
}

/** How a component that builds children through a shared function names itself. */
export interface ChildContext {
  /** The component in messages, e.g. `Tenant "acme"`. */
  label: string;
  /** Options merged into every child's, e.g. aliases to a former parent. Default: none. */
  options?: { aliases?: pulumi.Input<pulumi.Alias>[] };
}

/** The user a bucket is granted to: a TenantUser, or the user parts a Tenant made. */
export interface BucketOwner {
  readonly userName: pulumi.Output<string>;
  readonly accessKey: pulumi.Output<string>;
  readonly secretKey: pulumi.Output<string>;
}

/** What {@link createIsolatedBucketChildren} made: the fields an IsolatedBucket exposes. */
export interface IsolatedBucketOutputs<O extends BucketOwner> {
  bucketName: pulumi.Output<string>;
  bucketArn: pulumi.Output<string>;
  owner: O;
  ownerUserName: pulumi.Output<string>;
  ownerPolicyName: pulumi.Output<string>;
  credentials: pulumi.Output<BucketCredentials>;
}

/**
 * Creates a tenant bucket's resources as children of `scope`: the bucket, versioning,
 * lifecycle, encryption and the owner's access. IsolatedBucket wraps them in a component of
 * their own; Tenant puts them beside the tenant's user in one component.
 *
 * @param scope the parent of every child
 * @param name the prefix of every child's name
 * @param plan the checked arguments, from {@link planIsolatedBucket}
 * @param ownerOf gives the owner, called after the bucket's own resources are declared
 * @param provider the MinIO provider; default: the parent's
 * @param context how messages name the component, and options every child gets
 */
export function createIsolatedBucketChildren<O extends BucketOwner>(
  scope: pulumi.Resource,
  name: string,
  plan: IsolatedBucketPlan,
  ownerOf: () => O,
  provider: minio.Provider | undefined,
  context: ChildContext = { label: `IsolatedBucket "${name}"` },
): IsolatedBucketOutputs<O> {
  const minioOpts = { parent: scope, provider, ...context.options };

  if (plan.objectLock && plan.allowDestroy) {
    pulumi.log.warn(
      `${context.label}: objectLock with allowDestroy: changing objectLock replaces ` +
        `the bucket "${plan.bucketName}", and forceDestroy deletes every object in it first`,
      scope,
    );
  }

  const bucket = new minio.S3Bucket(
    `${name}-bucket`,
    {
      bucket: plan.bucketName,
      acl: "private",
      objectLocking: plan.objectLock,
      quota: plan.quotaBytes,
      forceDestroy: plan.allowDestroy,
    },
    {
      ...minioOpts,
      protect: !plan.allowDestroy,
      retainOnDelete: !plan.allowDestroy,
      replaceOnChanges: ["objectLocking"],
      // The replacement has the same name, so the old bucket must go first.
      deleteBeforeReplace: true,
    },
  );

  let versioning: minio.S3BucketVersioning | undefined;
  if (plan.versioning) {
    versioning = new minio.S3BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
      minioOpts,
    );
  }

  if (plan.lifecycleRules.length > 0) {
    new minio.IlmPolicy(
      `${name}-lifecycle`,
      { bucket: bucket.bucket, rules: plan.lifecycleRules },
      { ...minioOpts, dependsOn: versioning ? [versioning] : [] },
    );
  }

  if (plan.encryption) {
    new minio.S3BucketServerSideEncryption(
      `${name}-encryption`,
      { bucket: bucket.bucket, encryptionType: "aws:kms", kmsKeyId: plan.encryption.kmsKeyId },
      minioOpts,
    );
  }

  const owner = ownerOf();
  let ownerPolicyName: pulumi.Output<string>;
  if (plan.owner.kind === "shared") {
    // Membership is one resource per user, so onboarding a tenant changes nothing shared.
    new minio.IamGroupUserAttachment(
      `${name}-owner-group`,
      { groupName: plan.owner.access.groupName, userName: owner.userName },
      minioOpts,
    );
    ownerPolicyName = plan.owner.access.policyName;
  } else {
    const policy = new minio.IamPolicy(
      `${name}-owner-policy`,
      { name: plan.owner.policyName, policy: plan.owner.policyJson },
      minioOpts,
    );
    const attachment = new minio.IamUserPolicyAttachment(
      `${name}-owner-attach`,
      { userName: owner.userName, policyName: policy.name },
      minioOpts,
    );
    ownerPolicyName = attachment.policyName;
  }

  return {
    bucketName: bucket.bucket,
    bucketArn: bucket.arn,
    owner,
    ownerUserName: owner.userName,
    ownerPolicyName,
    credentials: pulumi.secret(
      pulumi
        .all([owner.accessKey, owner.secretKey])
        .apply(([accessKey, secretKey]) => ({ accessKey, secretKey })),
    ),
  };
}

export interface IsolatedBucketPlan {
  tenantId: string;
  bucketName: string;
  versioning: boolean;
  objectLock: boolean;
  quotaBytes?: number;
  lifecycleRules: minio.types.input.IlmPolicyRule[];
  encryption?: BucketEncryptionArgs;
  allowDestroy: boolean;
  /** The owner's own policy, or the shared group it joins. */
  owner:
    | { kind: "policy"; policyName: string; policyJson: string }
    | { kind: "shared"; access: SharedTenantAccess };
}

/**
 * Checks every argument and derives names, so the constructor only wires resources. Exported
 * so that components building an IsolatedBucket can check its arguments before registering
 * themselves.
 *
 * @param args the bucket's arguments
 * @param ownerUserName the owner's user name; default: `args.owner`'s, else `user-<tenantId>`
 */
export function planIsolatedBucket(
  args: IsolatedBucketArgs,
  ownerUserName?: string,
): IsolatedBucketPlan {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  const tenantId = validateTenantId(args.tenantId, "tenantId");
  const bucketName =
    args.bucketName === undefined
      ? tenantBucketName(tenantId)
      : validateOutsideTenantNames(
          validateBucketName(args.bucketName, "bucketName"),
          "bucketName",
          tenantBucketName(tenantId),
        );
  if (args.owner !== undefined && args.owner.tenantId !== tenantId) {
    throw new InvalidArgumentError(
      "owner.tenantId",
      args.owner.tenantId,
      `must be the bucket's tenant "${tenantId}" ` +
        "(a bucket grants read-write only to a user of its own tenant)",
    );
  }

  for (const flag of ["versioning", "objectLock", "erasureCoded", "allowDestroy"] as const) {
    if (args[flag] !== undefined && typeof args[flag] !== "boolean") {
      throw new InvalidArgumentError(flag, args[flag], "must be true or false");
    }
  }
  const objectLock = args.objectLock ?? false;
  const erasureCoded = args.erasureCoded ?? true;
  if (objectLock && args.versioning === false) {
    throw new InvalidArgumentError(
      "versioning",
      false,
      "must not be false when objectLock is true (object lock turns versioning on)",
    );
  }
  const versioning = objectLock || (args.versioning ?? false);
  if (objectLock && !erasureCoded) {
    throw new InvalidArgumentError(
      "objectLock",
      true,
      "needs an erasure-coded deployment (erasureCoded is false)",
    );
  }
  if (versioning && !erasureCoded) {
    throw new InvalidArgumentError(
      "versioning",
      true,
      "needs an erasure-coded deployment (erasureCoded is false)",
    );
  }

  if (args.quotaBytes !== undefined && !isWholeNumber(args.quotaBytes, 1)) {
    throw new InvalidArgumentError("quotaBytes", args.quotaBytes, "must be a whole number from 1");
  }

  const lifecycleRules = planLifecycleRules(args.lifecycleRules, versioning);

  if (args.encryption !== undefined) {
    const encryption: unknown = args.encryption;
    if (typeof encryption === "string") {
      throw new InvalidArgumentError(
        "encryption",
        encryption,
        "must be { kmsKeyId }: @pulumi/minio 0.17.1 only sets SSE-KMS bucket encryption",
      );
    }
    const kmsKeyId = (encryption as BucketEncryptionArgs | null)?.kmsKeyId;
    if (typeof kmsKeyId !== "string" || !/^[A-Za-z0-9._-]{1,255}$/.test(kmsKeyId)) {
      throw new InvalidArgumentError(
        "encryption.kmsKeyId",
        kmsKeyId,
        'must be a KMS key name of letters, digits, ".", "_" and "-"',
      );
    }
  }

  const owner = planOwnerAccess(
    args,
    tenantId,
    bucketName,
    ownerUserName ?? args.owner?.plannedUserName,
  );

  return {
    tenantId,
    bucketName,
    versioning,
    objectLock,
    quotaBytes: args.quotaBytes,
    lifecycleRules,
    encryption: args.encryption,
    allowDestroy: args.allowDestroy ?? false,
    owner,
  };
}

/** Checks how the owner is given access: its own policy, or membership of a shared group. */
function planOwnerAccess(
  args: IsolatedBucketArgs,
  tenantId: string,
  bucketName: string,
  ownerUserName: string | undefined,
): IsolatedBucketPlan["owner"] {
  const access = args.ownerAccess ?? "policy";
  if (access instanceof SharedTenantAccess) {
    if (args.ownerPolicy !== undefined) {
      throw new InvalidArgumentError(
        "ownerPolicy",
        args.ownerPolicy,
        "must not be set with a shared ownerAccess (the shared group's policy grants the owner)",
      );
    }
    const ownerName = ownerUserName ?? tenantUserName(tenantId);
    const expected = access.bucketNameFor(ownerName);
    if (bucketName !== expected) {
      throw new InvalidArgumentError(
        "bucketName",
        bucketName,
        `must be "${expected}" with a shared ownerAccess: its policy grants the owner ` +
          `"${ownerName}" only the bucket named after it`,
      );
    }
    return { kind: "shared", access };
  }
  if (access !== "policy") {
    throw new InvalidArgumentError(
      "ownerAccess",
      access,
      'must be "policy" or a SharedTenantAccess',
    );
  }

  const ownerPolicy = args.ownerPolicy ?? readWritePolicy(bucketName);
  parseStatements(ownerPolicy, "ownerPolicy").forEach((statement, index) => {
    // A Deny only takes away, so it may name anything.
    if (statement.Effect !== "Allow") return;
    const extra = statement.Action.find((action) => !OWNER_ACTIONS.has(action));
    if (extra !== undefined) {
      throw new InvalidArgumentError(
        `ownerPolicy.Statement[${index}].Action`,
        extra,
        "must be one of the actions of the library's roles (read-write, read-only, Velero, " +
          "CI writer, CI reader), with no wildcards",
      );
    }
  });
  validateUserPolicy(ownerPolicy, "ownerPolicy");
  const ownerPolicyJson = policyJson(ownerPolicy);
  const foreign = foreignBucketIn(ownerPolicyJson, bucketName);
  if (foreign !== undefined) {
    throw new InvalidArgumentError(
      "ownerPolicy",
      foreign,
      `must name only the bucket "${bucketName}" and its objects`,
    );
  }

  return {
    kind: "policy",
    policyName: validatePolicyName(`${bucketName}-owner`, "bucketName"),
    policyJson: ownerPolicyJson,
  };
}

/**
 * Checks lifecycle rules and turns them into the provider's form: a prefix becomes the filter
 * `<prefix>/`, days become `"<n>d"`, and delete-marker expiry is the `"DeleteMarker"`
 * expiration the provider translates to `ExpiredObjectDeleteMarker`.
 *
 * @param rules the caller's rules; default none
 * @param versioning whether the bucket keeps versions (needed by the non-current rules)
 * @param argument the argument path named in errors; default `"lifecycleRules"`
 */
export function planLifecycleRules(
  rules: LifecycleRuleArgs[] | undefined,
  versioning: boolean,
  argument = "lifecycleRules",
): minio.types.input.IlmPolicyRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new InvalidArgumentError(argument, rules, "must be a list");
  const ids = new Set<string>();
  return rules.map((rule, index) => {
    const at = `${argument}[${index}]`;
    if (typeof rule !== "object" || rule === null) {
      throw new InvalidArgumentError(at, rule, "must be an object with an id");
    }
    if (typeof rule.id !== "string" || !/^\S{1,255}$/.test(rule.id)) {
      throw new InvalidArgumentError(`${at}.id`, rule.id, "must be 1 to 255 non-space characters");
    }
    if (ids.has(rule.id)) {
      throw new InvalidArgumentError(`${at}.id`, rule.id, "must be unique among the rules");
    }
    ids.add(rule.id);
    const prefix =
      rule.prefix === undefined ? undefined : validatePrefix(rule.prefix, `${at}.prefix`);
    for (const field of ["expireDays", "noncurrentExpireDays"] as const) {
      const days = rule[field];
      if (days !== undefined && !isWholeNumber(days, 1, MAX_DAYS)) {
        throw new InvalidArgumentError(
          `${at}.${field}`,
          days,
          `must be a whole number of days from 1 to ${MAX_DAYS}`,
        );
      }
    }
    if (rule.expireDeleteMarkers !== undefined && typeof rule.expireDeleteMarkers !== "boolean") {
      throw new InvalidArgumentError(
        `${at}.expireDeleteMarkers`,
        rule.expireDeleteMarkers,
        "must be true or false",
      );
    }
    const deleteMarkers = rule.expireDeleteMarkers ?? false;
    if (deleteMarkers && rule.expireDays !== undefined) {
      throw new InvalidArgumentError(
        `${at}.expireDeleteMarkers`,
        true,
        "cannot be combined with expireDays in one rule; use two rules",
      );
    }
    if (!versioning && (deleteMarkers || rule.noncurrentExpireDays !== undefined)) {
      throw new InvalidArgumentError(
        `${at}.${deleteMarkers ? "expireDeleteMarkers" : "noncurrentExpireDays"}`,
        deleteMarkers ? true : rule.noncurrentExpireDays,
        "needs versioning (an unversioned bucket has no old versions or delete markers)",
      );
    }
    if (
      !deleteMarkers &&
      rule.expireDays === undefined &&
      rule.noncurrentExpireDays === undefined
    ) {
      throw new InvalidArgumentError(
        at,
        rule,
        "must set expireDays, noncurrentExpireDays or expireDeleteMarkers",
      );
    }
    const out: minio.types.input.IlmPolicyRule = { id: rule.id, status: "Enabled" };
    if (prefix !== undefined) out.filter = `${prefix}/`;
    if (rule.expireDays !== undefined) out.expiration = `${rule.expireDays}d`;
    if (deleteMarkers) out.expiration = "DeleteMarker";
    if (rule.noncurrentExpireDays !== undefined) {
      out.noncurrentVersionExpirationDays = rule.noncurrentExpireDays;
    }
    return out;
  });
}

/** Days after which {@link oldVersionRules} deletes non-current versions unless told otherwise. */
export const DEFAULT_NONCURRENT_EXPIRE_DAYS = 7;

/**
 * The rule that stops a versioned bucket growing forever: there a delete only adds a delete
 * marker, so the old versions and the markers stay until a rule removes them. Velero targets
 * and artifact stores add it whenever their bucket keeps versions.
 *
 * @param id the rule's id
 * @param versioning whether the bucket keeps versions; without, there is nothing to expire
 * @param noncurrentExpireDays days after which non-current versions are deleted, 1 to 36500;
 *   default {@link DEFAULT_NONCURRENT_EXPIRE_DAYS}; refused when `versioning` is off
 * @param argument the argument path of `noncurrentExpireDays` in errors; default
 *   `"noncurrentExpireDays"`
 * @returns the rule, or no rule for an unversioned bucket
 */
export function oldVersionRules(
  id: string,
  versioning: boolean,
  noncurrentExpireDays?: number,
  argument = "noncurrentExpireDays",
): LifecycleRuleArgs[] {
  if (noncurrentExpireDays !== undefined) {
    if (!versioning) {
      throw new InvalidArgumentError(
        argument,
        noncurrentExpireDays,
        "needs versioning (an unversioned bucket has no old versions)",
      );
    }
    if (!isWholeNumber(noncurrentExpireDays, 1, MAX_DAYS)) {
      throw new InvalidArgumentError(
        argument,
        noncurrentExpireDays,
        `must be a whole number of days from 1 to ${MAX_DAYS}`,
      );
    }
  }
  if (!versioning) return [];
  return [
    {
      id,
      noncurrentExpireDays: noncurrentExpireDays ?? DEFAULT_NONCURRENT_EXPIRE_DAYS,
      expireDeleteMarkers: true,
    },
  ];
}

/** The first `arn:aws:s3:::` resource in a policy that is not `bucket` or under `bucket/`. */
function foreignBucketIn(json: string, bucket: string): string | undefined {
  const doc = JSON.parse(json) as PolicyDocument;
  for (const statement of doc.Statement) {
    for (const resource of statement.Resource) {
      if (
        resource !== `arn:aws:s3:::${bucket}` &&
        !resource.startsWith(`arn:aws:s3:::${bucket}/`)
      ) {
        return resource;
      }
    }
  }
  return undefined;
}

function isWholeNumber(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
}
