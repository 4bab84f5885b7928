/**
 * ArtifactStore: a bucket for pipeline artifacts and Helm charts, a CI writer, a read-only
 * consumer, optional per-pipeline writers limited to their own prefix, lifecycle expiry per
 * pipeline, and anonymous read of named prefixes only.
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgumentError, validateWithin } from "./errors";
import {
  ciReaderPolicy,
  ciWriterPolicy,
  policyJson,
  publicReadBucketPolicy,
  validateBucketPolicy,
} from "./iam";
import {
  IsolatedBucket,
  oldVersionRules,
  planIsolatedBucket,
  type IsolatedBucketArgs,
  type LifecycleRuleArgs,
} from "./isolated-bucket";
import { validateEndpoint } from "./endpoints";
import { sortKeys } from "./labels";
import { validateBucketName, validateDnsLabel, validatePrefix, validateTenantId } from "./naming";
import {
  TenantUser,
  minioProviderOf,
  planTenantUser,
  validateNonTenantId,
  validateOutsideTenantNames,
  type TenantUserArgs,
} from "./tenant-user";

/** One pipeline with its own prefix `<name>/` and its own writer. */
export interface ArtifactPipelineArgs {
  /** The pipeline's name, also its key prefix; a DNS-1123 label. No default. */
  name: string;
  /** Delete the pipeline's artifacts this many days after upload (1 to 36500). Default: never. */
  expireDays?: number;
}

export interface ArtifactStoreArgs {
  /**
   * The S3 endpoint jobs use, e.g. `https://s3.example.internal`: an `http://` or `https://`
   * URL, no commas or whitespace. No default.
   */
  endpoint: string;
  /** The region written as `AWS_REGION`. Default: `"us-east-1"` (MinIO's default region). */
  region?: string;
  /**
   * The tenant id the bucket and users are filed under; not `user` or `user-...`, which are
   * kept for tenants' default names. Default: `artifacts-<name>`.
   */
  tenantId?: string;
  /**
   * The bucket's name, checked against the S3 rules; not starting with `user-`.
   * Default: `artifacts-<name>`.
   */
  bucketName?: string;
  /**
   * Pipelines, each with a writer `<tenantId>-pipeline-<name>` (user and policy) limited to
   * `<bucket>/<name>/*`; `owner`, `writer` and `reader` are refused as names. Default: none.
   */
  pipelines?: ArtifactPipelineArgs[];
  /** The prefix Helm charts are published under; see `validatePrefix`. Default: `"charts"`. */
  chartsPrefix?: string;
  /**
   * Prefixes anyone may read without credentials (`s3:GetObject` only). This is the only way
   * this library creates a bucket policy, and each run warns about it. Default: none.
   */
  publicReadPrefixes?: string[];
  /**
   * Version the bucket (needs an erasure-coded deployment). Expired and overwritten artifacts
   * then leave old versions and delete markers behind, so a lifecycle rule expiring both comes
   * with it. Default: `false`.
   */
  versioning?: boolean;
  /**
   * Days after which non-current versions are deleted when versioning is on, 1 to 36500.
   * Default: `7`.
   */
  noncurrentExpireDays?: number;
  /** Whether the deployment is erasure coded. Default: `true`. */
  erasureCoded?: boolean;
  /** A hard quota in bytes, a whole number from 1 up. Default: no quota. */
  quotaBytes?: number;
  /** Let Pulumi delete the bucket and its artifacts. Default: `false`. */
  allowDestroy?: boolean;
  /** The MinIO provider. Default: `opts.provider` when it is a MinIO one. */
  provider?: minio.Provider;
}

/** Environment variables for a CI job, as one Pulumi secret. */
export type JobEnvironment = pulumi.Output<Record<string, string>>;

const DEFAULT_REGION = "us-east-1";
const DEFAULT_CHARTS_PREFIX = "charts";
/** Pipeline names that would read as the store's own roles. */
const RESERVED_PIPELINE_NAMES: readonly string[] = ["owner", "writer", "reader"];

export class ArtifactStore extends pulumi.ComponentResource {
  /** The bucket's name. */
  readonly bucketName: pulumi.Output<string>;
  /** The CI writer's user name. */
  readonly writerUserName: pulumi.Output<string>;
  /** The read-only consumer's user name. */
  readonly readerUserName: pulumi.Output<string>;
  /**
   * The writer's job environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
   * `AWS_ENDPOINT_URL`, `S3_ENDPOINT`, `S3_BUCKET`, `AWS_REGION`, and `HELM_REPO_URL` when
   * the charts prefix is public. A Pulumi secret.
   */
  readonly writerEnv: JobEnvironment;
  /** The same variables for the read-only consumer. A Pulumi secret. */
  readonly readerEnv: JobEnvironment;
  /** Per pipeline: the same variables plus `S3_PREFIX`, for its own writer. Pulumi secrets. */
  readonly pipelineEnv: Record<string, JobEnvironment>;
  /** The Helm repository URL, when the charts prefix is public. */
  readonly helmRepoUrl?: string;
  /** The bucket component. */
  readonly bucket: IsolatedBucket;

  constructor(name: string, args: ArtifactStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const plan = validateWithin(`ArtifactStore "${name}"`, () => planArtifactStore(name, args));
    // Declared so the policy pack can attribute the store to its tenant and knows which
    // prefixes were asked to be public.
    super(
      "minio-platform:index:ArtifactStore",
      name,
      {
        tenantId: plan.bucketArgs.tenantId,
        bucketName: plan.bucketName,
        publicReadPrefixes: plan.publicReadPrefixes,
      },
      opts,
    );

    const provider = args.provider ?? minioProviderOf(opts);

    const writer = new TenantUser(
      `${name}-writer`,
      { ...plan.writerArgs, provider },
      { parent: this },
    );
    const reader = new TenantUser(
      `${name}-reader`,
      { ...plan.readerArgs, provider },
      { parent: this },
    );
    const bucket = new IsolatedBucket(
      `${name}-bucket`,
      { ...plan.bucketArgs, owner: writer, provider },
      { parent: this },
    );

    const pipelineEnv: Record<string, JobEnvironment> = {};
    for (const pipeline of plan.pipelines) {
      const user = new TenantUser(
        `${name}-pipeline-${pipeline.name}`,
        { ...pipeline.userArgs, provider },
        { parent: this },
      );
      pipelineEnv[pipeline.name] = jobEnvironment(plan, user, { S3_PREFIX: `${pipeline.name}/` });
    }

    if (plan.publicPolicyJson !== undefined) {
      pulumi.log.warn(
        `ArtifactStore "${name}": anyone who can reach ${plan.endpoint} can read ` +
          `${plan.publicReadPrefixes.map((p) => `${plan.bucketName}/${p}/`).join(", ")} ` +
          "without credentials (publicReadPrefixes)",
        this,
      );
      new minio.S3BucketPolicy(
        `${name}-public-read`,
        { bucket: bucket.bucketName, policy: plan.publicPolicyJson },
        { parent: this, provider },
      );
    }

    this.bucket = bucket;
    this.bucketName = bucket.bucketName;
    this.writerUserName = writer.userName;
    this.readerUserName = reader.userName;
    this.helmRepoUrl = plan.helmRepoUrl;
    this.writerEnv = jobEnvironment(plan, writer, {});
    this.readerEnv = jobEnvironment(plan, reader, {});
    this.pipelineEnv = pipelineEnv;

    this.registerOutputs({
      bucketName: this.bucketName,
      writerUserName: this.writerUserName,
      readerUserName: this.readerUserName,
      helmRepoUrl: this.helmRepoUrl,
      writerEnv: this.writerEnv,
      readerEnv: this.readerEnv,
      pipelineEnv: this.pipelineEnv,
    });
  }
}

/**
 * The variables a Jenkins, GitLab or Argo CD job needs. Both `AWS_ENDPOINT_URL` (read by the
 * AWS CLI and SDKs) and `S3_ENDPOINT` (read by many Helm and S3 plugins) are set.
 */
function jobEnvironment(
  plan: ArtifactStorePlan,
  user: TenantUser,
  extra: Record<string, string>,
): JobEnvironment {
  return pulumi.secret(
    pulumi.all([user.accessKey, user.secretKey]).apply(([accessKey, secretKey]) =>
      sortKeys({
        AWS_ACCESS_KEY_ID: accessKey,
        AWS_SECRET_ACCESS_KEY: secretKey,
        AWS_ENDPOINT_URL: plan.endpoint,
        S3_ENDPOINT: plan.endpoint,
        S3_BUCKET: plan.bucketName,
        AWS_REGION: plan.region,
        ...(plan.helmRepoUrl === undefined ? {} : { HELM_REPO_URL: plan.helmRepoUrl }),
        ...extra,
      }),
    ),
  );
}

interface ArtifactStorePlan {
  endpoint: string;
  region: string;
  bucketName: string;
  publicReadPrefixes: string[];
  publicPolicyJson?: string;
  helmRepoUrl?: string;
  writerArgs: TenantUserArgs;
  readerArgs: TenantUserArgs;
  bucketArgs: IsolatedBucketArgs;
  pipelines: { name: string; userArgs: TenantUserArgs }[];
}

function planArtifactStore(name: string, args: ArtifactStoreArgs): ArtifactStorePlan {
  if (typeof args !== "object" || args === null) {
    throw new InvalidArgumentError("args", args, "must be an object");
  }
  const endpoint = validateEndpoint(args.endpoint, "endpoint").replace(/\/+$/, "");
  const region = (args.region ?? DEFAULT_REGION) as unknown;
  if (typeof region !== "string" || !/^[a-z0-9-]+$/.test(region)) {
    throw new InvalidArgumentError(
      "region",
      region,
      "must be a non-empty string of lowercase letters, digits and hyphens",
    );
  }
  const derived = `artifacts-${name}`;
  const tenantId = validateNonTenantId(validateTenantId(args.tenantId ?? derived, "tenantId"));
  const bucketName = validateOutsideTenantNames(
    validateBucketName(args.bucketName ?? derived, "bucketName"),
    "bucketName",
  );
  const chartsPrefix = validatePrefix(args.chartsPrefix ?? DEFAULT_CHARTS_PREFIX, "chartsPrefix");

  const pipelineArgs = args.pipelines ?? [];
  if (!Array.isArray(pipelineArgs)) {
    throw new InvalidArgumentError("pipelines", pipelineArgs, "must be a list");
  }
  const seen = new Set<string>();
  const lifecycleRules: LifecycleRuleArgs[] = [];
  const pipelines = pipelineArgs.map((pipeline, index) => {
    const at = `pipelines[${index}]`;
    const pipelineName = validateDnsLabel(pipeline?.name, `${at}.name`);
    if (seen.has(pipelineName)) {
      throw new InvalidArgumentError(`${at}.name`, pipelineName, "must be unique among pipelines");
    }
    seen.add(pipelineName);
    if (chartsPrefix === pipelineName || chartsPrefix.startsWith(`${pipelineName}/`)) {
      throw new InvalidArgumentError(
        `${at}.name`,
        pipelineName,
        `must not be the charts prefix "${chartsPrefix}" (its writer could replace charts)`,
      );
    }
    if (RESERVED_PIPELINE_NAMES.includes(pipelineName)) {
      throw new InvalidArgumentError(
        `${at}.name`,
        pipelineName,
        'must not be "owner", "writer" or "reader" ' +
          "(the store's own users and policies are named after them)",
      );
    }
    if (pipeline.expireDays !== undefined) {
      const days = pipeline.expireDays as unknown;
      if (typeof days !== "number" || !Number.isSafeInteger(days) || days < 1 || days > 36500) {
        throw new InvalidArgumentError(
          `${at}.expireDays`,
          days,
          "must be a whole number of days from 1 to 36500",
        );
      }
      lifecycleRules.push({
        id: `expire-${pipelineName}`,
        prefix: pipelineName,
        expireDays: pipeline.expireDays,
      });
    }
    // The `-pipeline-` infix keeps pipeline users and policies apart from the store's own
    // `-writer`, `-reader` and `-owner` names.
    const userName = `${tenantId}-pipeline-${pipelineName}`;
    if (userName === `${bucketName}-owner`) {
      throw new InvalidArgumentError(
        `${at}.name`,
        pipelineName,
        `gives the policy name "${userName}", which is the bucket owner's policy`,
      );
    }
    if (userName.length > 63) {
      throw new InvalidArgumentError(
        `${at}.name`,
        pipelineName,
        `gives the user name "${userName}", longer than 63 characters`,
      );
    }
    const userArgs: TenantUserArgs = {
      tenantId,
      userName,
      policies: [{ name: userName, document: ciWriterPolicy(bucketName, [pipelineName]) }],
    };
    return { name: pipelineName, userArgs };
  });

  // Pipeline rules are named `expire-<pipeline>`, so this id cannot clash with one of them.
  lifecycleRules.push(
    ...oldVersionRules("old-versions", args.versioning === true, args.noncurrentExpireDays),
  );

  const publicArgs = args.publicReadPrefixes ?? [];
  if (!Array.isArray(publicArgs)) {
    throw new InvalidArgumentError("publicReadPrefixes", publicArgs, "must be a list");
  }
  const publicReadPrefixes = publicArgs.map((prefix, index) =>
    validatePrefix(prefix, `publicReadPrefixes[${index}]`),
  );
  let publicPolicyJson: string | undefined;
  if (publicReadPrefixes.length > 0) {
    const policy = publicReadBucketPolicy(bucketName, publicReadPrefixes);
    validateBucketPolicy(policy, "publicReadPrefixes");
    publicPolicyJson = policyJson(policy);
  }
  const chartsPublic = publicReadPrefixes.some(
    (prefix) => chartsPrefix === prefix || chartsPrefix.startsWith(`${prefix}/`),
  );

  const writerArgs: TenantUserArgs = {
    tenantId,
    userName: `${tenantId}-writer`,
    // The bucket attaches the writer's policy, being the writer's bucket owner.
  };
  const readerArgs: TenantUserArgs = {
    tenantId,
    userName: `${tenantId}-reader`,
    policies: [{ name: `${tenantId}-reader`, document: ciReaderPolicy(bucketName) }],
  };
  const bucketArgs: IsolatedBucketArgs = {
    tenantId,
    bucketName,
    ownerPolicy: ciWriterPolicy(bucketName),
    versioning: args.versioning,
    erasureCoded: args.erasureCoded,
    quotaBytes: args.quotaBytes,
    lifecycleRules,
    allowDestroy: args.allowDestroy,
  };
  // The children check these again; checking here first means a bad value stops this
  // component before it registers anything.
  planTenantUser(writerArgs);
  planTenantUser(readerArgs);
  for (const pipeline of pipelines) planTenantUser(pipeline.userArgs);
  planIsolatedBucket(bucketArgs);

  return {
    endpoint,
    region,
    bucketName,
    publicReadPrefixes,
    publicPolicyJson,
    helmRepoUrl: chartsPublic ? `${endpoint}/${bucketName}/${chartsPrefix}` : undefined,
    writerArgs,
    readerArgs,
    bucketArgs,
    pipelines,
  };
}
