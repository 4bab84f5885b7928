/**
 * Applies the MinIO resources of a Pulumi program's mock run to a real server with `mc`, doing
 * what the Pulumi MinIO provider (0.17.1, a bridge of terraform-provider-minio) would do for
 * each resource, in dependency order. The real-MinIO tier uses it to put a stack's tenants on
 * a server and then ask that server who may do what.
 *
 * Inputs arrive already resolved (the mock runtime resolves every output), so a reference such
 * as `bucket: bucket.bucket` is the bucket's name. Types this file does not know fail loudly;
 * resources of other providers (Kubernetes, random) and components are skipped and reported.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "./mock-runtime";
import type { Mc } from "./minio-server";

/** Pulumi type tokens of @pulumi/minio 0.17.1. */
export const MINIO_TYPES = {
  kmsKey: "minio:index/kmsKey:KmsKey",
  bucket: "minio:index/s3Bucket:S3Bucket",
  versioning: "minio:index/s3BucketVersioning:S3BucketVersioning",
  encryption: "minio:index/s3BucketServerSideEncryption:S3BucketServerSideEncryption",
  ilm: "minio:index/ilmPolicy:IlmPolicy",
  bucketPolicy: "minio:index/s3BucketPolicy:S3BucketPolicy",
  object: "minio:index/s3Object:S3Object",
  notification: "minio:index/s3BucketNotification:S3BucketNotification",
  policy: "minio:index/iamPolicy:IamPolicy",
  user: "minio:index/iamUser:IamUser",
  group: "minio:index/iamGroup:IamGroup",
  groupMembership: "minio:index/iamGroupMembership:IamGroupMembership",
  groupUserAttachment: "minio:index/iamGroupUserAttachment:IamGroupUserAttachment",
  groupPolicy: "minio:index/iamGroupPolicy:IamGroupPolicy",
  userPolicyAttachment: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
  groupPolicyAttachment: "minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment",
  serviceAccount: "minio:index/iamServiceAccount:IamServiceAccount",
} as const;

/**
 * Order of creation: a bucket before its configuration, policies before what attaches them,
 * users before their groups and access keys. Types of one rank keep the program's order.
 */
const RANK: Record<string, number> = {
  [MINIO_TYPES.kmsKey]: 0,
  [MINIO_TYPES.bucket]: 1,
  [MINIO_TYPES.versioning]: 2,
  [MINIO_TYPES.encryption]: 2,
  [MINIO_TYPES.ilm]: 3,
  [MINIO_TYPES.bucketPolicy]: 3,
  [MINIO_TYPES.object]: 3,
  [MINIO_TYPES.policy]: 4,
  [MINIO_TYPES.user]: 5,
  [MINIO_TYPES.group]: 6,
  [MINIO_TYPES.groupMembership]: 7,
  [MINIO_TYPES.groupUserAttachment]: 7,
  [MINIO_TYPES.groupPolicy]: 8,
  [MINIO_TYPES.userPolicyAttachment]: 8,
  [MINIO_TYPES.groupPolicyAttachment]: 8,
  [MINIO_TYPES.serviceAccount]: 9,
};

/** Someone who can sign requests after the apply: a user or a service account. */
export interface AppliedPrincipal {
  kind: "user" | "serviceAccount";
  /** The user name, or the service account's access key. */
  accessKey: string;
  secretKey: string;
  /** For a service account, the user it belongs to. */
  parentUser?: string;
  disabled: boolean;
  /** Logical name of the Pulumi resource that made it. */
  resourceName: string;
}

export interface ApplyReport {
  /** Resources created, in the order they were applied. */
  applied: { type: string; name: string }[];
  /** Resources that are not MinIO's (Kubernetes, random, components, providers). */
  skipped: { type: string; name: string }[];
  principals: AppliedPrincipal[];
  buckets: string[];
  /** mc invocations the apply made. */
  mcCalls: number;
}

/** Raised for a resource the provider would create but this apply cannot reproduce. */
export class UnsupportedResourceError extends Error {
  constructor(resource: RecordedResource, why: string) {
    super(`cannot apply ${resource.type} "${resource.name}": ${why}`);
    this.name = "UnsupportedResourceError";
  }
}

/**
 * Creates `resources` on the server behind `mc`. Safe to run again over the same server: each
 * step either creates or overwrites (a changed user secret is a rotation).
 */
export async function applyResources(
  resources: readonly RecordedResource[],
  mc: Mc,
): Promise<ApplyReport> {
  const callsBefore = mc.calls;
  const report: ApplyReport = { applied: [], skipped: [], principals: [], buckets: [], mcCalls: 0 };
  const minio: RecordedResource[] = [];
  for (const r of resources) {
    if (!r.custom || !r.type.startsWith("minio:index/")) {
      report.skipped.push({ type: r.type, name: r.name });
    } else if (!(r.type in RANK)) {
      throw new UnsupportedResourceError(r, "this type is not supported by the mc apply");
    } else {
      minio.push(r);
    }
  }
  // Fail before touching the server: a half-applied stack would make every later probe lie.
  for (const r of minio) checkFields(r);
  const ordered = minio
    .map((r, i) => ({ r, i }))
    .sort((a, b) => RANK[a.r.type] - RANK[b.r.type] || a.i - b.i)
    .map(({ r }) => r);

  const ctx = new ApplyContext(mc, minio, report);
  try {
    for (const r of ordered) {
      await ctx.apply(r);
      report.applied.push({ type: r.type, name: r.name });
    }
    await ctx.finish();
  } finally {
    ctx.dispose();
  }
  report.mcCalls = mc.calls - callsBefore;
  return report;
}

/** The inputs each type may carry; anything else is a field this apply would silently drop. */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  [MINIO_TYPES.kmsKey]: ["keyId"],
  [MINIO_TYPES.bucket]: ["acl", "bucket", "bucketPrefix", "forceDestroy", "objectLocking", "quota"],
  [MINIO_TYPES.versioning]: ["bucket", "versioningConfiguration"],
  [MINIO_TYPES.encryption]: ["bucket", "encryptionType", "kmsKeyId"],
  [MINIO_TYPES.ilm]: ["bucket", "rules"],
  [MINIO_TYPES.bucketPolicy]: ["bucket", "policy"],
  [MINIO_TYPES.object]: [
    "bucketName",
    "content",
    "contentBase64",
    "contentType",
    "etag",
    "objectName",
    "source",
    "versionId",
  ],
  [MINIO_TYPES.policy]: ["name", "namePrefix", "policy"],
  // Tags on a user are metadata in the provider; they grant nothing, so they are not applied.
  [MINIO_TYPES.user]: ["disableUser", "forceDestroy", "name", "secret", "tags", "updateSecret"],
  [MINIO_TYPES.group]: ["disableGroup", "forceDestroy", "name"],
  [MINIO_TYPES.groupMembership]: ["group", "name", "users"],
  [MINIO_TYPES.groupUserAttachment]: ["groupName", "userName"],
  [MINIO_TYPES.groupPolicy]: ["group", "name", "namePrefix", "policy"],
  [MINIO_TYPES.userPolicyAttachment]: ["policyName", "userName"],
  [MINIO_TYPES.groupPolicyAttachment]: ["groupName", "policyName"],
  [MINIO_TYPES.serviceAccount]: ["disableUser", "policy", "targetUser", "updateSecret"],
};

function checkFields(r: RecordedResource): void {
  const known = KNOWN_FIELDS[r.type];
  for (const [key, value] of Object.entries(r.inputs)) {
    if (value === undefined || value === null) continue;
    if (!known.includes(key)) throw new UnsupportedResourceError(r, `unknown input "${key}"`);
  }
  if (r.type === MINIO_TYPES.bucket) {
    const acl = r.inputs.acl;
    if (acl !== undefined && acl !== "private") {
      throw new UnsupportedResourceError(
        r,
        `acl "${String(acl)}" is a canned public policy; declare an S3BucketPolicy instead`,
      );
    }
  }
  if (r.type === MINIO_TYPES.versioning) {
    const config = (r.inputs.versioningConfiguration ?? {}) as Record<string, unknown>;
    const prefixes = config.excludedPrefixes as unknown[] | undefined;
    if ((prefixes && prefixes.length > 0) || config.excludeFolders === true) {
      throw new UnsupportedResourceError(
        r,
        "excludedPrefixes/excludeFolders are not settable with the pinned mc",
      );
    }
  }
  if (r.type === MINIO_TYPES.ilm) {
    for (const rule of (r.inputs.rules ?? []) as Record<string, unknown>[]) lifecycleRule(r, rule);
  }
}

class ApplyContext {
  private files = 0;
  private readonly disableLater: string[] = [];
  private readonly written: string[] = [];

  constructor(
    private readonly mc: Mc,
    private readonly all: readonly RecordedResource[],
    private readonly report: ApplyReport,
  ) {}

  async apply(r: RecordedResource): Promise<void> {
    const mc = this.mc;
    const i = r.inputs;
    switch (r.type) {
      case MINIO_TYPES.kmsKey:
        await mc.run(["admin", "kms", "key", "create", mc.alias, str(r, "keyId")]);
        return;

      case MINIO_TYPES.bucket: {
        const bucket = bucketName(r);
        const lock = i.objectLocking === true ? ["--with-lock"] : [];
        await mc.run(["mb", "--ignore-existing", ...lock, mc.target(bucket)]);
        const quota = typeof i.quota === "number" ? i.quota : 0;
        // The provider's quota is a hard quota in bytes; 0 means none.
        if (quota > 0) await mc.run(["quota", "set", mc.target(bucket), "--size", `${quota}`]);
        this.report.buckets.push(bucket);
        return;
      }

      case MINIO_TYPES.versioning: {
        const config = (i.versioningConfiguration ?? {}) as Record<string, unknown>;
        const status = String(config.status ?? "");
        if (status === "Enabled") await mc.run(["version", "enable", mc.target(str(r, "bucket"))]);
        else if (status === "Suspended") {
          await mc.run(["version", "suspend", mc.target(str(r, "bucket"))]);
        } else throw new UnsupportedResourceError(r, `versioning status "${status}"`);
        return;
      }

      case MINIO_TYPES.encryption: {
        const bucket = mc.target(str(r, "bucket"));
        const type = str(r, "encryptionType");
        if (type === "aws:kms") {
          await mc.run(["encrypt", "set", "sse-kms", str(r, "kmsKeyId"), bucket]);
        } else if (type === "AES256") {
          await mc.run(["encrypt", "set", "sse-s3", bucket]);
        } else throw new UnsupportedResourceError(r, `encryptionType "${type}"`);
        return;
      }

      case MINIO_TYPES.ilm: {
        const rules = ((i.rules ?? []) as Record<string, unknown>[]).map((rule) =>
          lifecycleRule(r, rule),
        );
        const config = JSON.stringify({ Rules: rules });
        await mc.run(["ilm", "import", mc.target(str(r, "bucket"))], { input: config });
        return;
      }

      case MINIO_TYPES.bucketPolicy: {
        const file = this.file(str(r, "policy"));
        await mc.run(["anonymous", "set-json", file, mc.target(str(r, "bucket"))]);
        return;
      }

      case MINIO_TYPES.object: {
        const target = mc.target(str(r, "bucketName"), str(r, "objectName"));
        const type =
          typeof i.contentType === "string" ? ["--attr", `Content-Type=${i.contentType}`] : [];
        if (typeof i.source === "string") {
          await mc.run(["cp", ...type, i.source, target]);
        } else {
          const content =
            typeof i.contentBase64 === "string"
              ? Buffer.from(i.contentBase64, "base64").toString("binary")
              : String(i.content ?? "");
          await mc.run(["pipe", ...type, target], { input: content });
        }
        return;
      }

      case MINIO_TYPES.policy: {
        const name = namedOrPrefixed(r);
        await mc.run(["admin", "policy", "create", mc.alias, name, this.file(str(r, "policy"))]);
        return;
      }

      case MINIO_TYPES.user: {
        const name = userName(r);
        const secret = userSecret(r);
        mc.addSecret(secret);
        await mc.run(["admin", "user", "add", mc.alias, name, secret]);
        await mc.run(["admin", "user", "enable", mc.alias, name]);
        const disabled = i.disableUser === true;
        if (disabled) this.disableLater.push(name);
        this.report.principals.push({
          kind: "user",
          accessKey: name,
          secretKey: secret,
          disabled,
          resourceName: r.name,
        });
        return;
      }

      case MINIO_TYPES.group: {
        const name = String(r.state.name ?? i.name ?? r.name);
        const members = this.membersOf(name);
        if (members.length > 0) {
          await mc.run(["admin", "group", "add", mc.alias, name, ...members]);
        } else {
          await this.createEmptyGroup(name);
        }
        if (i.disableGroup === true) await mc.run(["admin", "group", "disable", mc.alias, name]);
        return;
      }

      case MINIO_TYPES.groupMembership:
        await mc.run([
          "admin",
          "group",
          "add",
          mc.alias,
          str(r, "group"),
          ...((i.users ?? []) as string[]).map(String),
        ]);
        return;

      case MINIO_TYPES.groupUserAttachment:
        await mc.run(["admin", "group", "add", mc.alias, str(r, "groupName"), str(r, "userName")]);
        return;

      case MINIO_TYPES.groupPolicy: {
        // The provider stores an inline group policy as a canned policy attached to the group.
        const name = namedOrPrefixed(r);
        await mc.run(["admin", "policy", "create", mc.alias, name, this.file(str(r, "policy"))]);
        await this.attach(name, "--group", str(r, "group"));
        return;
      }

      case MINIO_TYPES.userPolicyAttachment:
        await this.attach(str(r, "policyName"), "--user", str(r, "userName"));
        return;

      case MINIO_TYPES.groupPolicyAttachment:
        await this.attach(str(r, "policyName"), "--group", str(r, "groupName"));
        return;

      case MINIO_TYPES.serviceAccount: {
        const accessKey = String(r.state.accessKey ?? "");
        const secretKey = String(r.state.secretKey ?? "");
        if (!accessKey || !secretKey) {
          throw new UnsupportedResourceError(r, "the mock state has no accessKey/secretKey");
        }
        mc.addSecret(secretKey);
        const policy =
          typeof i.policy === "string" && i.policy ? ["--policy", this.file(i.policy)] : [];
        const target = str(r, "targetUser");
        let existed = false;
        try {
          await mc.run([
            "admin",
            "user",
            "svcacct",
            "add",
            mc.alias,
            target,
            "--access-key",
            accessKey,
            "--secret-key",
            secretKey,
            ...policy,
          ]);
        } catch (err) {
          if (!/already (exists|taken)/i.test((err as Error).message)) throw err;
          existed = true;
        }
        const disabled = i.disableUser === true;
        const account = (verb: string) => ["admin", "user", "svcacct", verb, mc.alias, accessKey];
        if (disabled) await mc.run(account("disable"));
        // `svcacct enable` resets the account's policy to its user's, so the policy (and the
        // secret, for a rotation) are set again after it.
        else if (existed) await mc.run(account("enable"));
        if (existed) await mc.run([...account("edit"), "--secret-key", secretKey, ...policy]);
        this.report.principals.push({
          kind: "serviceAccount",
          accessKey,
          secretKey,
          parentUser: target,
          disabled,
          resourceName: r.name,
        });
        return;
      }

      default:
        throw new UnsupportedResourceError(r, "this type is not supported by the mc apply");
    }
  }

  /**
   * MinIO treats a disabled user as absent when a policy or an access key is attached to it,
   * so users are disabled once everything that refers to them exists.
   */
  async finish(): Promise<void> {
    for (const name of this.disableLater) {
      await this.mc.run(["admin", "user", "disable", this.mc.alias, name]);
    }
  }

  dispose(): void {
    for (const file of this.written) fs.rmSync(file, { force: true });
  }

  /** A private file in mc's own config folder, for documents mc reads by path. */
  private file(content: string): string {
    const file = path.join(this.mc.configDir, `apply-${process.pid}-${this.files++}.json`);
    fs.writeFileSync(file, content, { mode: 0o600 });
    this.written.push(file);
    return file;
  }

  private async attach(policy: string, flag: "--user" | "--group", who: string): Promise<void> {
    try {
      await this.mc.run(["admin", "policy", "attach", this.mc.alias, policy, flag, who]);
    } catch (err) {
      // Attaching twice (a second apply) is the state we want, not a failure.
      if (!/already/i.test((err as Error).message)) throw err;
    }
  }

  private membersOf(group: string): string[] {
    const members = new Set<string>();
    for (const r of this.all) {
      if (r.type === MINIO_TYPES.groupMembership && r.inputs.group === group) {
        for (const u of (r.inputs.users ?? []) as string[]) members.add(String(u));
      }
      if (r.type === MINIO_TYPES.groupUserAttachment && r.inputs.groupName === group) {
        members.add(String(r.inputs.userName));
      }
    }
    return [...members].sort();
  }

  /**
   * The provider creates a group with no members through the admin API; `mc admin group add`
   * needs one, so a throwaway user joins and leaves again.
   */
  private async createEmptyGroup(name: string): Promise<void> {
    const mc = this.mc;
    const temp = `mc-apply-${randomBytes(4).toString("hex")}`;
    const secret = randomBytes(18).toString("base64url");
    mc.addSecret(secret);
    await mc.run(["admin", "user", "add", mc.alias, temp, secret]);
    try {
      await mc.run(["admin", "group", "add", mc.alias, name, temp]);
      await mc.run(["admin", "group", "rm", mc.alias, name, temp]);
    } finally {
      await mc.run(["admin", "user", "rm", mc.alias, temp]);
    }
  }
}

/**
 * One rule of `minio.IlmPolicy` as the S3 lifecycle JSON `mc ilm import` reads, with the
 * provider's reading of its fields: `expiration` is `"<n>d"` (days), a `YYYY-MM-DD` date or
 * `"DeleteMarker"` (expire delete markers whose versions are gone); `filter` is a key prefix;
 * `tags` narrow it; `noncurrentVersionExpirationDays` expires old versions; `status` defaults
 * to Enabled.
 */
export function lifecycleRule(
  r: RecordedResource,
  rule: Record<string, unknown>,
): Record<string, unknown> {
  const id = String(rule.id ?? "");
  if (!id) throw new UnsupportedResourceError(r, "a lifecycle rule without an id");
  const out: Record<string, unknown> = { ID: id, Status: String(rule.status ?? "Enabled") };
  if (out.Status !== "Enabled" && out.Status !== "Disabled") {
    throw new UnsupportedResourceError(r, `rule "${id}" status "${String(rule.status)}"`);
  }

  const prefix = typeof rule.filter === "string" ? rule.filter : "";
  const tags = Object.entries((rule.tags ?? {}) as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  out.Filter =
    tags.length > 0
      ? {
          And: {
            Prefix: prefix,
            Tags: tags.map(([Key, Value]) => ({ Key, Value: String(Value) })),
          },
        }
      : { Prefix: prefix };

  const expiration = rule.expiration;
  if (typeof expiration === "string" && expiration !== "") {
    const days = /^(\d+)d$/.exec(expiration);
    if (expiration === "DeleteMarker") {
      if (tags.length > 0) {
        throw new UnsupportedResourceError(r, `rule "${id}": delete-marker expiry with tags`);
      }
      out.Expiration = { ExpiredObjectDeleteMarker: true };
    } else if (days) {
      out.Expiration = { Days: Number(days[1]) };
    } else if (/^\d{4}-\d{2}-\d{2}$/.test(expiration) && !isNaN(Date.parse(expiration))) {
      out.Expiration = { Date: `${expiration}T00:00:00Z` };
    } else {
      throw new UnsupportedResourceError(
        r,
        `rule "${id}" expiration "${expiration}": must be "<n>d", YYYY-MM-DD or "DeleteMarker"`,
      );
    }
  }
  const noncurrent = rule.noncurrentVersionExpirationDays;
  if (typeof noncurrent === "number" && noncurrent > 0) {
    out.NoncurrentVersionExpiration = { NoncurrentDays: noncurrent };
  }
  if (!out.Expiration && !out.NoncurrentVersionExpiration) {
    throw new UnsupportedResourceError(r, `rule "${id}" has no expiration of any kind`);
  }
  return out;
}

function str(r: RecordedResource, key: string): string {
  const value = r.inputs[key];
  if (typeof value !== "string" || value === "") {
    throw new UnsupportedResourceError(r, `input "${key}" is missing or not a string`);
  }
  return value;
}

function bucketName(r: RecordedResource): string {
  return String(r.state.bucket ?? r.inputs.bucket ?? r.name);
}

function userName(r: RecordedResource): string {
  return String(r.state.name ?? r.inputs.name ?? r.name);
}

/** The user's secret: the given one, or the one the (mock) provider reported generating. */
function userSecret(r: RecordedResource): string {
  const secret = r.inputs.secret ?? r.state.secret;
  if (typeof secret !== "string" || secret.length < 8) {
    throw new UnsupportedResourceError(r, "the user has no secret of at least 8 characters");
  }
  return secret;
}

function namedOrPrefixed(r: RecordedResource): string {
  if (typeof r.inputs.name === "string" && r.inputs.name) return r.inputs.name;
  if (typeof r.state.name === "string" && r.state.name) return r.state.name;
  if (typeof r.inputs.namePrefix === "string") return `${r.inputs.namePrefix}${r.name}`;
  return r.name;
}
