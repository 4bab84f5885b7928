/**
 * The benchmark's floor: a flat program that registers the same resources with the same
 * inputs and options as `buildPlatform`, and returns the same stack outputs, but straight
 * through the providers' constructors: no component, no plan objects, no validation. What it
 * costs is what the Pulumi SDK itself costs for these resources; whatever the component
 * program costs beyond it is the library's own.
 *
 * It only knows the benchmark's config shape (an existing MinIO, tenants with access keys and
 * no credentials Secret, Velero targets without versioning, artifact stores without public
 * prefixes) and refuses anything else, so it cannot silently drift from what it is compared
 * with; the run checks that both programs register the same resources and inputs.
 */
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  ciReaderPolicy,
  ciWriterPolicy,
  mergeLabels,
  policyJson,
  readWritePolicy,
  sharedTenantPolicy,
  sortKeys,
  tenantBucketName,
  tenantUserName,
  veleroConfig,
  veleroPolicy,
} from "../../components";
import type { PlatformConfig } from "../../stacks/config";
import type { PlatformOutputs, PlatformSecrets, TenantOutputs } from "../../stacks/platform";

type Keys = { accessKey: string; secretKey: string };

/** Builds the flat equivalent of `buildPlatform(config, secrets)`. */
export function buildBaseline(config: PlatformConfig, secrets: PlatformSecrets): PlatformOutputs {
  const m = config.minio;
  if (m.deploy) throw new Error("the baseline only models an existing MinIO (minio.deploy: false)");
  const provider = new minio.Provider("minio", {
    minioServer: m.endpoint,
    minioUser: m.adminUser,
    minioPassword: pulumi.secret(secrets.adminPassword ?? ""),
    minioSsl: m.ssl,
  });
  const endpoint = `${m.ssl ? "https" : "http"}://${m.endpoint}`;
  const opts = { provider };
  const destroy = config.allowDestroy;

  const shared = config.tenantLayout === "shared-policy" ? sharedAccess(provider) : undefined;

  const tenants: Record<string, TenantOutputs> = {};
  for (const tenant of config.tenants) {
    if (tenant.namespace || tenant.versioning || tenant.objectLock || tenant.quotaGiB) {
      throw new Error(`the baseline does not model tenant ${tenant.id}'s options`);
    }
    const name = `tenant-${tenant.id}`;
    const bucketName = tenantBucketName(tenant.id);
    const user = userOf(name, tenantUserName(tenant.id), undefined, opts);
    const serviceAccounts: TenantOutputs["serviceAccounts"] = {};
    for (const account of tenant.serviceAccounts) {
      const created = new minio.IamServiceAccount(
        `${name}-sa-${account}`,
        { targetUser: user.user.name, disableUser: false, updateSecret: false },
        { ...opts, additionalSecretOutputs: ["accessKey", "secretKey"] },
      );
      serviceAccounts[account] = pulumi.secret(
        pulumi
          .all([created.accessKey, created.secretKey])
          .apply(([accessKey, secretKey]) => ({ accessKey, secretKey })),
      );
    }
    const bucket = bucketOf(name, bucketName, destroy, opts);
    if (shared) {
      new minio.IamGroupUserAttachment(
        `${name}-owner-group`,
        { groupName: shared.name, userName: user.user.name },
        opts,
      );
    } else {
      ownerPolicy(name, bucketName, policyJson(readWritePolicy(bucketName)), user.user, opts);
    }
    tenants[tenant.id] = {
      bucket: bucket.bucket,
      userName: user.user.name,
      credentials: user.credentials,
      serviceAccounts,
    };
  }

  const veleroTargets: PlatformOutputs["veleroTargets"] = {};
  for (const target of config.veleroTargets) {
    if (target.versioning || target.prefix !== undefined) {
      throw new Error(`the baseline does not model Velero target ${target.name}'s options`);
    }
    const derived = `velero-${target.name}`;
    const bucketName = target.bucket ?? derived;
    const user = userOf(`${target.name}-user`, derived, undefined, opts);
    const bucket = bucketOf(`${target.name}-bucket`, bucketName, destroy, opts);
    ownerPolicy(
      `${target.name}-bucket`,
      bucketName,
      policyJson(veleroPolicy(bucketName)),
      user.user,
      opts,
    );
    const file = pulumi.secret(
      pulumi.interpolate`[default]\naws_access_key_id=${user.user.name}\naws_secret_access_key=${user.password.result}\n`,
    );
    const checksum = pulumi.unsecret(
      file.apply((text) => createHash("sha256").update(text).digest("hex")),
    );
    const labels = mergeLabels(target.name, "velero-target", undefined);
    const secret = new k8s.core.v1.Secret(`${target.name}-credentials`, {
      metadata: { name: `${target.name}-credentials`, namespace: target.namespace, labels },
      type: "Opaque",
      stringData: pulumi.secret(file.apply((text) => ({ cloud: text }))),
    });
    const location = new k8s.apiextensions.CustomResource(
      `${target.name}-location`,
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: {
          name: target.name,
          namespace: target.namespace,
          labels,
          annotations: { "minio-platform/credentials-sha256": checksum },
        },
        spec: {
          provider: "aws",
          default: false,
          objectStorage: { bucket: bucket.bucket },
          credential: { name: secret.metadata.name, key: "cloud" },
          config: veleroConfig(target.s3Url, target.region),
        },
      },
      { dependsOn: [secret] },
    );
    veleroTargets[target.name] = {
      bucket: bucket.bucket,
      locationName: location.metadata.name,
      credentialsSecretName: secret.metadata.name,
      credentialsChecksum: checksum,
    };
  }

  const artifactStores: PlatformOutputs["artifactStores"] = {};
  for (const store of config.artifactStores) {
    if (store.publicReadPrefixes.length > 0) {
      throw new Error(`the baseline does not model artifact store ${store.name}'s public prefixes`);
    }
    const tenantId = `artifacts-${store.name}`;
    const bucketName = store.bucket ?? tenantId;
    const environment = (keys: Keys, extra: Record<string, string>) =>
      sortKeys({
        AWS_ACCESS_KEY_ID: keys.accessKey,
        AWS_SECRET_ACCESS_KEY: keys.secretKey,
        AWS_ENDPOINT_URL: endpoint,
        S3_ENDPOINT: endpoint,
        S3_BUCKET: bucketName,
        AWS_REGION: "us-east-1",
        ...extra,
      });
    const writer = userOf(`${store.name}-writer`, `${tenantId}-writer`, undefined, opts);
    const reader = userOf(
      `${store.name}-reader`,
      `${tenantId}-reader`,
      policyJson(ciReaderPolicy(bucketName)),
      opts,
    );
    const rules = store.pipelines
      .filter((p) => p.expireDays !== undefined)
      .map((p) => ({
        id: `expire-${p.name}`,
        status: "Enabled",
        filter: `${p.name}/`,
        expiration: `${p.expireDays}d`,
      }));
    const bucket = bucketOf(`${store.name}-bucket`, bucketName, destroy, opts);
    if (rules.length > 0) {
      new minio.IlmPolicy(
        `${store.name}-bucket-lifecycle`,
        { bucket: bucket.bucket, rules },
        { ...opts, dependsOn: [] },
      );
    }
    ownerPolicy(
      `${store.name}-bucket`,
      bucketName,
      policyJson(ciWriterPolicy(bucketName)),
      writer.user,
      opts,
    );
    const pipelineEnv: Record<string, pulumi.Output<Record<string, string>>> = {};
    for (const pipeline of store.pipelines) {
      const user = userOf(
        `${store.name}-pipeline-${pipeline.name}`,
        `${tenantId}-pipeline-${pipeline.name}`,
        policyJson(ciWriterPolicy(bucketName, [pipeline.name])),
        opts,
      );
      pipelineEnv[pipeline.name] = pulumi.secret(
        user.credentials.apply((keys) => environment(keys, { S3_PREFIX: `${pipeline.name}/` })),
      );
    }
    artifactStores[store.name] = {
      bucket: bucket.bucket,
      writerEnv: pulumi.secret(writer.credentials.apply((keys) => environment(keys, {}))),
      readerEnv: pulumi.secret(reader.credentials.apply((keys) => environment(keys, {}))),
      pipelineEnv,
    };
  }

  return {
    minioEndpoint: pulumi.output(endpoint),
    consoleEndpoint: undefined,
    rootUser: undefined,
    rootPassword: undefined,
    tenants,
    veleroTargets,
    artifactStores,
  };
}

/** A user with a generated secret and, when `policy` is given, a policy named after it. */
function userOf(
  name: string,
  userName: string,
  policy: string | undefined,
  opts: { provider: minio.Provider },
) {
  const password = new random.RandomPassword(`${name}-secret`, { length: 40, special: false });
  const user = new minio.IamUser(
    `${name}-user`,
    {
      name: userName,
      secret: password.result,
      disableUser: false,
      updateSecret: false,
      forceDestroy: false,
    },
    { ...opts, additionalSecretOutputs: ["secret"] },
  );
  if (policy !== undefined) {
    const created = new minio.IamPolicy(
      `${name}-policy-${userName}`,
      { name: userName, policy },
      opts,
    );
    new minio.IamUserPolicyAttachment(
      `${name}-attach-${userName}`,
      { userName: user.name, policyName: created.name },
      opts,
    );
  }
  const credentials = pulumi.secret(
    pulumi
      .all([user.name, password.result])
      .apply(([accessKey, secretKey]) => ({ accessKey, secretKey })),
  );
  return { password, user, credentials };
}

function bucketOf(
  name: string,
  bucketName: string,
  allowDestroy: boolean,
  opts: { provider: minio.Provider },
): minio.S3Bucket {
  return new minio.S3Bucket(
    `${name}-bucket`,
    { bucket: bucketName, acl: "private", objectLocking: false, forceDestroy: allowDestroy },
    {
      ...opts,
      protect: !allowDestroy,
      retainOnDelete: !allowDestroy,
      replaceOnChanges: ["objectLocking"],
      deleteBeforeReplace: true,
    },
  );
}

function ownerPolicy(
  name: string,
  bucketName: string,
  policy: string,
  user: minio.IamUser,
  opts: { provider: minio.Provider },
): void {
  const created = new minio.IamPolicy(
    `${name}-owner-policy`,
    { name: `${bucketName}-owner`, policy },
    opts,
  );
  new minio.IamUserPolicyAttachment(
    `${name}-owner-attach`,
    { userName: user.name, policyName: created.name },
    opts,
  );
}

/** The shared layout's one group and its one `${aws:username}` policy. */
function sharedAccess(provider: minio.Provider): minio.IamGroup {
  const opts = { provider };
  const policy = new minio.IamPolicy(
    "tenants-policy",
    { name: "tenants-own-bucket", policy: policyJson(sharedTenantPolicy()) },
    opts,
  );
  const group = new minio.IamGroup("tenants-group", { name: "tenants", forceDestroy: false }, opts);
  new minio.IamGroupPolicyAttachment(
    "tenants-attach",
    { groupName: group.name, policyName: policy.name },
    opts,
  );
  return group;
}
