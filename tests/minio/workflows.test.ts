/**
 * The platform's users doing their actual jobs on a real MinIO, with each authorisation
 * answer also put to the evaluator: Velero backing up with a multipart upload under its
 * prefix, a CI writer publishing what a reader may fetch but not change, the anonymous caller
 * on the public charts prefix, a credential rotation, a disabled user, and a locked object
 * version that nobody can delete.
 */
import { createHash, randomBytes } from "crypto";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { IsolatedBucket, TenantUser, readWritePolicy, tenantBucketName } from "../../components";
import { applyResources, MINIO_TYPES, type ApplyReport } from "../../tools/mc-apply";
import type { Mc } from "../../tools/minio-server";
import { runWithMocks, type RecordedResource } from "../../tools/mock-runtime";
import { connectTier, runId, type TierHandle } from "./helpers";
import { describeDisagreements, Predictor, type Disagreement } from "./predict";
import { ANONYMOUS, DENIED_CODES, probeBucket, probeStats, s3Client } from "./s3-probe";
import type { ProbeOperation, ProbePrincipal, ProbeRecord } from "./s3-probe";
import { generatedConfig, runGenerated } from "./stacks";

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
/** How answers to root's requests are named; root's client is the tier's admin client. */
const ROOT: ProbePrincipal = { name: "root" };
const id = runId();

/** What one request of a workflow got back. */
interface Answer<T> {
  allowed: boolean;
  /** `OK` or the S3 error code. */
  status: string;
  output?: T;
}

/**
 * Makes a workflow's requests, one client per principal, and puts each authorisation answer
 * to the evaluator of the stack the principal belongs to.
 */
class Workflow {
  requests = 0;
  compared = 0;
  readonly disagreements: Disagreement[] = [];
  private readonly clients = new Map<string, S3Client>();

  constructor(private readonly endpoint: string) {}

  /**
   * Sends `command` as `who`. With a `predictor`, the answer is compared with the evaluator's
   * decision for `action` on `bucket` (and `key` or `prefix`); without one (a stale secret, a
   * lock: no policy question) it is only returned.
   */
  async send<T>(
    who: ProbePrincipal,
    action: string,
    bucket: string,
    target: { key?: string; prefix?: string },
    command: () => Promise<T>,
    predictor?: Predictor,
  ): Promise<Answer<T>> {
    this.requests++;
    let answer: Answer<T>;
    try {
      answer = { allowed: true, status: "OK", output: await command() };
    } catch (err) {
      const status = errorCode(err);
      answer = { allowed: !DENIED_CODES.has(status), status };
    }
    if (predictor) {
      this.compared++;
      const record: ProbeRecord = {
        principal: who.name,
        bucket,
        ...target,
        operation: operationFor(action),
        action,
        allowed: answer.allowed,
        status: answer.status,
      };
      const decision = predictor.model.evaluate(predictor.request(record));
      if (decision.allowed !== answer.allowed) {
        this.disagreements.push({ record, predicted: decision.allowed, reason: decision.reason });
      }
    }
    return answer;
  }

  client(who: ProbePrincipal): S3Client {
    const key = `${who.name}:${who.secretKey ?? ""}`;
    let client = this.clients.get(key);
    if (!client) {
      client = s3Client(this.endpoint, who);
      this.clients.set(key, client);
    }
    return client;
  }

  dispose(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/** The probe operation that stands for an action in a comparison record. */
function operationFor(action: string): ProbeOperation {
  const byAction: Record<string, ProbeOperation> = {
    "s3:GetObject": "GetObject",
    "s3:PutObject": "PutObject",
    "s3:DeleteObject": "DeleteObject",
    "s3:ListBucket": "ListObjectsV2",
    "s3:ListMultipartUploadParts": "ListParts",
    "s3:AbortMultipartUpload": "AbortMultipartUpload",
    "s3:DeleteBucket": "DeleteBucket",
  };
  const operation = byAction[action];
  if (!operation) throw new Error(`no probe operation for ${action}`);
  return operation;
}

function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.$metadata?.httpStatusCode === undefined) throw err;
  const code = e.Code ?? e.name;
  return code && code !== "Error" && code !== "Unknown"
    ? code
    : `HTTP${e.$metadata.httpStatusCode}`;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function principalOf(report: ApplyReport, accessKeyOrUser: string): ProbePrincipal {
  const p = report.principals.find((x) => x.accessKey === accessKeyOrUser);
  if (!p) throw new Error(`no applied principal ${accessKeyOrUser}`);
  return { name: p.accessKey, accessKey: p.accessKey, secretKey: p.secretKey };
}

/**
 * Removes the access keys a re-run no longer declares, as `pulumi up` deletes a resource that
 * left the program; the mc apply itself only creates and updates.
 */
async function removeUndeclaredKeys(
  before: readonly RecordedResource[],
  after: readonly RecordedResource[],
  mc: Mc,
): Promise<string[]> {
  const kept = new Set(
    after.filter((r) => r.type === MINIO_TYPES.serviceAccount).map((r) => r.name),
  );
  const removed: string[] = [];
  for (const r of before) {
    if (r.type !== MINIO_TYPES.serviceAccount || kept.has(r.name)) continue;
    const accessKey = String(r.state.accessKey);
    await mc.run(["admin", "user", "svcacct", "rm", mc.alias, accessKey]);
    removed.push(accessKey);
  }
  return removed;
}

describe("workflows as the platform's users run them, on a real MinIO", () => {
  let tier: TierHandle;
  let flow: Workflow;
  const requestsBefore = probeStats.requests;
  let probeCompared = 0;
  let probeAgreements = 0;

  beforeAll(async () => {
    tier = await connectTier("workflows.test.ts");
    flow = new Workflow(tier.connection.endpoint);
  });

  afterAll(() => {
    flow?.dispose();
    tier?.finish({
      requests: probeStats.requests - requestsBefore + (flow?.requests ?? 0),
      compared: probeCompared + (flow?.compared ?? 0),
      agreements: probeAgreements + (flow ? flow.compared - flow.disagreements.length : 0),
      crossTenantAllowed: 0,
    });
  });

  describe("a platform with tenants, a Velero target and an artifact store", () => {
    const config = generatedConfig(`w${id}`, 4);
    const velero = `velero-bkw${id}`;
    const artifacts = `artifacts-ciw${id}`;
    const lockedTenant = config.tenants[3];
    let resources: RecordedResource[];
    let report: ApplyReport;
    let predictor: Predictor;

    beforeAll(async () => {
      resources = await runGenerated(config);
      report = await applyResources(resources, tier.mc);
      predictor = new Predictor(resources, report);
    });

    it("Velero backs up over 5 MiB in parts under its prefix, lists, restores and deletes", async () => {
      const user = principalOf(report, velero);
      const s3 = flow.client(user);
      const Bucket = velero;
      const Key = "backups/backups/nightly-1/nightly-1.tar.gz";
      const parts = [randomBytes(5 * MiB), randomBytes(1 * MiB + 17)];
      const body = Buffer.concat(parts);
      expect(body.length).toBeGreaterThan(5 * MiB);

      const created = await flow.send(
        user,
        "s3:PutObject",
        Bucket,
        { key: Key },
        () => s3.send(new CreateMultipartUploadCommand({ Bucket, Key })),
        predictor,
      );
      expect(created.status).toBe("OK");
      const UploadId = created.output!.UploadId!;
      const etags: string[] = [];
      for (const [i, part] of parts.entries()) {
        const uploaded = await flow.send(
          user,
          "s3:PutObject",
          Bucket,
          { key: Key },
          () =>
            s3.send(
              new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: part }),
            ),
          predictor,
        );
        expect(uploaded.status).toBe("OK");
        etags.push(uploaded.output!.ETag!);
      }
      const listed = await flow.send(
        user,
        "s3:ListMultipartUploadParts",
        Bucket,
        { key: Key },
        () => s3.send(new ListPartsCommand({ Bucket, Key, UploadId })),
        predictor,
      );
      expect(listed.output?.Parts?.map((p) => p.Size)).toEqual([5 * MiB, 1 * MiB + 17]);
      const completed = await flow.send(
        user,
        "s3:PutObject",
        Bucket,
        { key: Key },
        () =>
          s3.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
            }),
          ),
        predictor,
      );
      expect(completed.status).toBe("OK");

      const listing = await flow.send(
        user,
        "s3:ListBucket",
        Bucket,
        { prefix: "backups/" },
        () => s3.send(new ListObjectsV2Command({ Bucket, Prefix: "backups/" })),
        predictor,
      );
      expect(listing.output?.Contents?.map((c) => [c.Key, c.Size])).toEqual([[Key, body.length]]);

      const read = await flow.send(
        user,
        "s3:GetObject",
        Bucket,
        { key: Key },
        async () => {
          const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
          return out.Body!.transformToByteArray();
        },
        predictor,
      );
      expect(sha256(read.output!)).toBe(sha256(body));

      const deleted = await flow.send(
        user,
        "s3:DeleteObject",
        Bucket,
        { key: Key },
        () => s3.send(new DeleteObjectCommand({ Bucket, Key })),
        predictor,
      );
      expect(deleted.status).toBe("OK");
      const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "backups/" }));
      flow.requests++;
      expect(after.KeyCount).toBe(0);
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });

    it("refuses Velero's user outside its prefix and on every other bucket", async () => {
      const user = principalOf(report, velero);
      const s3 = flow.client(user);
      const outside = await flow.send(
        user,
        "s3:PutObject",
        velero,
        { key: "elsewhere/x" },
        () => s3.send(new PutObjectCommand({ Bucket: velero, Key: "elsewhere/x", Body: "x" })),
        predictor,
      );
      expect(outside.status).toBe("AccessDenied");
      const multipart = await flow.send(
        user,
        "s3:PutObject",
        velero,
        { key: "elsewhere/big" },
        () => s3.send(new CreateMultipartUploadCommand({ Bucket: velero, Key: "elsewhere/big" })),
        predictor,
      );
      expect(multipart.status).toBe("AccessDenied");
      const dropBucket = await flow.send(
        user,
        "s3:DeleteBucket",
        velero,
        {},
        () => s3.send(new DeleteBucketCommand({ Bucket: velero })),
        predictor,
      );
      expect(dropBucket.status).toBe("AccessDenied");

      const others = predictor.buckets().filter((b) => b !== velero);
      expect(others).toHaveLength(5);
      for (const Bucket of others) {
        const Key = "backups/backups/nightly-1/nightly-1.tar.gz";
        const put = await flow.send(
          user,
          "s3:PutObject",
          Bucket,
          { key: Key },
          () => s3.send(new PutObjectCommand({ Bucket, Key, Body: "x" })),
          predictor,
        );
        const list = await flow.send(
          user,
          "s3:ListBucket",
          Bucket,
          { prefix: "backups/" },
          () => s3.send(new ListObjectsV2Command({ Bucket, Prefix: "backups/" })),
          predictor,
        );
        const get = await flow.send(
          user,
          "s3:GetObject",
          Bucket,
          { key: Key },
          () => s3.send(new GetObjectCommand({ Bucket, Key })),
          predictor,
        );
        expect([Bucket, put.status, list.status, get.status]).toEqual([
          Bucket,
          "AccessDenied",
          "AccessDenied",
          "AccessDenied",
        ]);
      }
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });

    it("a CI writer publishes an artifact the reader can fetch but not overwrite or delete", async () => {
      const writer = principalOf(report, `${artifacts}-writer`);
      const reader = principalOf(report, `${artifacts}-reader`);
      const Bucket = artifacts;
      const Key = "build/42/app.tar.gz";
      const body = randomBytes(64 * 1024);

      const put = await flow.send(
        writer,
        "s3:PutObject",
        Bucket,
        { key: Key },
        () => flow.client(writer).send(new PutObjectCommand({ Bucket, Key, Body: body })),
        predictor,
      );
      expect(put.status).toBe("OK");

      const r = flow.client(reader);
      const fetched = await flow.send(
        reader,
        "s3:GetObject",
        Bucket,
        { key: Key },
        async () => {
          const out = await r.send(new GetObjectCommand({ Bucket, Key }));
          return out.Body!.transformToByteArray();
        },
        predictor,
      );
      expect(sha256(fetched.output!)).toBe(sha256(body));
      const listed = await flow.send(
        reader,
        "s3:ListBucket",
        Bucket,
        { prefix: "build/" },
        () => r.send(new ListObjectsV2Command({ Bucket, Prefix: "build/" })),
        predictor,
      );
      expect(listed.output?.Contents?.map((c) => c.Key)).toEqual([Key]);
      const overwrite = await flow.send(
        reader,
        "s3:PutObject",
        Bucket,
        { key: Key },
        () => r.send(new PutObjectCommand({ Bucket, Key, Body: "tampered" })),
        predictor,
      );
      expect(overwrite.status).toBe("AccessDenied");
      const remove = await flow.send(
        reader,
        "s3:DeleteObject",
        Bucket,
        { key: Key },
        () => r.send(new DeleteObjectCommand({ Bucket, Key })),
        predictor,
      );
      expect(remove.status).toBe("AccessDenied");

      const still = await tier.admin.send(new GetObjectCommand({ Bucket, Key }));
      flow.requests++;
      expect(sha256(await still.Body!.transformToByteArray())).toBe(sha256(body));
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });

    it("the anonymous caller reads the public charts prefix and nothing else", async () => {
      const writer = principalOf(report, `${artifacts}-writer`);
      const w = flow.client(writer);
      const chart = "charts/app-1.2.3.tgz";
      const internal = "build/43/app.tar.gz";
      await w.send(new PutObjectCommand({ Bucket: artifacts, Key: chart, Body: "chart bytes" }));
      await w.send(new PutObjectCommand({ Bucket: artifacts, Key: internal, Body: "internal" }));
      flow.requests += 2;

      const anon = flow.client(ANONYMOUS);
      const get = (Bucket: string, Key: string) =>
        flow.send(
          ANONYMOUS,
          "s3:GetObject",
          Bucket,
          { key: Key },
          async () => {
            const out = await anon.send(new GetObjectCommand({ Bucket, Key }));
            return out.Body!.transformToString();
          },
          predictor,
        );
      expect(await get(artifacts, chart)).toEqual({
        allowed: true,
        status: "OK",
        output: "chart bytes",
      });
      expect((await get(artifacts, internal)).status).toBe("AccessDenied");
      const list = await flow.send(
        ANONYMOUS,
        "s3:ListBucket",
        artifacts,
        { prefix: "charts/" },
        () => anon.send(new ListObjectsV2Command({ Bucket: artifacts, Prefix: "charts/" })),
        predictor,
      );
      expect(list.status).toBe("AccessDenied");
      const upload = await flow.send(
        ANONYMOUS,
        "s3:PutObject",
        artifacts,
        { key: chart },
        () => anon.send(new PutObjectCommand({ Bucket: artifacts, Key: chart, Body: "evil" })),
        predictor,
      );
      expect(upload.status).toBe("AccessDenied");
      const remove = await flow.send(
        ANONYMOUS,
        "s3:DeleteObject",
        artifacts,
        { key: chart },
        () => anon.send(new DeleteObjectCommand({ Bucket: artifacts, Key: chart })),
        predictor,
      );
      expect(remove.status).toBe("AccessDenied");
      for (const bucket of predictor.buckets().filter((b) => b !== artifacts)) {
        expect([bucket, (await get(bucket, chart)).status]).toEqual([bucket, "AccessDenied"]);
      }
      expect((await get(artifacts, chart)).output).toBe("chart bytes");
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });

    it("keeps a locked object version from being deleted, by its tenant or by root", async () => {
      const bucket = tenantBucketName(lockedTenant.id);
      expect(lockedTenant.objectLock).toBe(true);
      const tenant = principalOf(report, `user-${lockedTenant.id}`);
      const s3 = flow.client(tenant);
      const Key = "ledger/2026-12.csv";

      // Retention and legal hold are set by root: the tenant's role has no lock actions.
      const retained = await tier.admin.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: "v1",
          ObjectLockMode: "COMPLIANCE",
          ObjectLockRetainUntilDate: new Date(Date.now() + 24 * 3600 * 1000),
        }),
      );
      const held = await tier.admin.send(
        new PutObjectCommand({ Bucket: bucket, Key, Body: "v2", ObjectLockLegalHoldStatus: "ON" }),
      );
      flow.requests += 2;
      const retention = await tier.admin.send(
        new GetObjectRetentionCommand({ Bucket: bucket, Key, VersionId: retained.VersionId }),
      );
      const hold = await tier.admin.send(
        new GetObjectLegalHoldCommand({ Bucket: bucket, Key, VersionId: held.VersionId }),
      );
      flow.requests += 2;
      expect(retention.Retention?.Mode).toBe("COMPLIANCE");
      expect(hold.LegalHold?.Status).toBe("ON");

      // The tenant is authorised to delete versions (the evaluator agrees); the lock refuses
      // it, and root alike, with MinIO's WORM error rather than an access refusal.
      for (const VersionId of [retained.VersionId!, held.VersionId!]) {
        const byTenant = await flow.send(
          tenant,
          "s3:DeleteObject",
          bucket,
          { key: Key },
          () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId })),
          predictor,
        );
        const byRoot = await flow.send(ROOT, "s3:DeleteObject", bucket, { key: Key }, () =>
          tier.admin.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId })),
        );
        expect([VersionId, byTenant.status, byRoot.status]).toEqual([
          VersionId,
          "InvalidRequest",
          "InvalidRequest",
        ]);
      }
      const versions = await tier.admin.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: Key }),
      );
      flow.requests++;
      expect(versions.Versions?.map((v) => v.VersionId).sort()).toEqual(
        [retained.VersionId, held.VersionId].sort(),
      );

      // Without a version id the delete only adds a delete marker; the locked versions stay.
      const marker = await flow.send(
        tenant,
        "s3:DeleteObject",
        bucket,
        { key: Key },
        () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key })),
        predictor,
      );
      expect(marker.output?.DeleteMarker).toBe(true);
      const v1 = await tier.admin.send(
        new GetObjectCommand({ Bucket: bucket, Key, VersionId: retained.VersionId }),
      );
      flow.requests++;
      expect(await v1.Body!.transformToString()).toBe("v1");

      // Lifting the legal hold is what makes its version deletable.
      await tier.admin.send(
        new PutObjectLegalHoldCommand({
          Bucket: bucket,
          Key,
          VersionId: held.VersionId,
          LegalHold: { Status: "OFF" },
        }),
      );
      flow.requests++;
      const freed = await flow.send(
        tenant,
        "s3:DeleteObject",
        bucket,
        { key: Key },
        () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId: held.VersionId })),
        predictor,
      );
      expect(freed.status).toBe("OK");
      expect(freed.output?.VersionId).toBe(held.VersionId);
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });
  });

  describe("a tenant's credentials rotated, then the tenant disabled", () => {
    const tenantId = `r${id}`;
    const bucket = tenantBucketName(tenantId);
    const program =
      (rotation: string, disabled = false) =>
      () => {
        const user = new TenantUser(`rot-${id}`, {
          tenantId,
          rotation,
          disabled,
          serviceAccounts: [{ name: "app" }],
        });
        new IsolatedBucket(`rot-${id}`, {
          tenantId,
          owner: user,
          ownerPolicy: readWritePolicy(bucket),
          erasureCoded: true,
          allowDestroy: true,
        });
      };
    let first: { resources: RecordedResource[]; report: ApplyReport };
    let second: { resources: RecordedResource[]; report: ApplyReport };

    const apply = async (rotation: string, disabled = false) => {
      const resources = (await runWithMocks(program(rotation, disabled))).resources;
      return { resources, report: await applyResources(resources, tier.mc) };
    };
    const keyOf = (report: ApplyReport) => {
      const key = report.principals.find((p) => p.kind === "serviceAccount")!;
      return { name: key.accessKey, accessKey: key.accessKey, secretKey: key.secretKey };
    };
    const list = (who: ProbePrincipal, predictor?: Predictor) =>
      flow.send(
        who,
        "s3:ListBucket",
        bucket,
        { prefix: "probe/" },
        () => flow.client(who).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "probe/" })),
        predictor,
      );

    beforeAll(async () => {
      first = await apply("2026-01");
    });

    it("refuses the old secret and access key after a rotation and accepts the new ones", async () => {
      const user = `user-${tenantId}`;
      const oldUser = principalOf(first.report, user);
      const oldKey = keyOf(first.report);
      expect((await list(oldUser, new Predictor(first.resources, first.report))).status).toBe("OK");
      expect((await list(oldKey)).status).toBe("OK");

      second = await apply("2026-02");
      const removed = await removeUndeclaredKeys(first.resources, second.resources, tier.mc);
      expect(removed).toEqual([oldKey.accessKey]);
      const newUser = principalOf(second.report, user);
      const newKey = keyOf(second.report);
      expect(newUser.secretKey).not.toBe(oldUser.secretKey);
      expect(newKey.accessKey).not.toBe(oldKey.accessKey);

      // A stale credential is not a policy question, so these two are not put to the evaluator.
      expect((await list(oldUser)).status).toBe("SignatureDoesNotMatch");
      expect((await list(oldKey)).status).toBe("InvalidAccessKeyId");
      const predictor = new Predictor(second.resources, second.report);
      expect((await list(newUser, predictor)).status).toBe("OK");
      expect((await list(newKey, predictor)).status).toBe("OK");
      const info = await tier.mc.json(["admin", "user", "info", tier.mc.alias, user]);
      expect(info).toMatchObject({ userStatus: "enabled" });
      expect(describeDisagreements(flow.disagreements)).toBe("");
    });

    it("refuses a disabled user and its access key everywhere, as the evaluator predicts", async () => {
      const disabled = await apply("2026-02", true);
      const predictor = new Predictor(disabled.resources, disabled.report);
      const user = principalOf(disabled.report, `user-${tenantId}`);
      const key = keyOf(disabled.report);
      expect(predictor.principal(user.name).access).toMatchObject({ disabled: true });

      const records = [
        ...(await probeBucket(tier.connection.endpoint, user, bucket, { admin: tier.admin })),
        ...(await probeBucket(tier.connection.endpoint, key, bucket, { admin: tier.admin })),
      ];
      const comparison = predictor.compare(records);
      probeCompared += comparison.compared;
      probeAgreements += comparison.agreements;
      expect(describeDisagreements(comparison.disagreements)).toBe("");
      expect(records.filter((r) => r.allowed)).toEqual([]);
      // MinIO treats a disabled user, and every key of it, as unknown.
      expect(new Set(records.map((r) => r.status))).toEqual(new Set(["InvalidAccessKeyId"]));
      const info = await tier.mc.json(["admin", "user", "info", tier.mc.alias, user.name]);
      expect(info).toMatchObject({ userStatus: "disabled" });
    });
  });
});
