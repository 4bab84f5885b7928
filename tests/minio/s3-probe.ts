/**
 * Asks a real MinIO who may do what: for one principal and one bucket, it makes one real S3
 * request per action and records whether MinIO authorised it. The records carry the S3 action
 * name the evaluator in components/iam uses, so a compare step can put MinIO's answer next to
 * the evaluator's prediction.
 *
 * MinIO checks authorisation before anything else, so any answer other than an access error
 * (NoSuchKey, NoSuchUpload, BucketNotEmpty, MalformedPolicy, ...) means the request was
 * allowed. The requests are built so that an allowed one changes nothing a test relies on:
 * deletes only touch the probe's own key, DeleteBucket only goes to a bucket that holds an
 * object, and policy, lifecycle and versioning writes carry documents MinIO rejects after
 * authorising them, with the bucket's state compared before and after.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";

/** Someone making requests; without keys, the anonymous caller. */
export interface ProbePrincipal {
  /** How records name the principal: a user name, an access key, or `anonymous`. */
  name: string;
  accessKey?: string;
  secretKey?: string;
}

export const ANONYMOUS: ProbePrincipal = { name: "anonymous" };

/** The S3 operations probed, each with the IAM action MinIO checks for it. */
export const PROBES = [
  { operation: "GetObject", action: "s3:GetObject" },
  { operation: "PutObject", action: "s3:PutObject" },
  { operation: "DeleteObject", action: "s3:DeleteObject" },
  { operation: "ListObjectsV2", action: "s3:ListBucket" },
  { operation: "GetBucketLocation", action: "s3:GetBucketLocation" },
  { operation: "CreateMultipartUpload", action: "s3:PutObject" },
  { operation: "UploadPart", action: "s3:PutObject" },
  { operation: "ListParts", action: "s3:ListMultipartUploadParts" },
  { operation: "AbortMultipartUpload", action: "s3:AbortMultipartUpload" },
  { operation: "ListMultipartUploads", action: "s3:ListBucketMultipartUploads" },
  { operation: "DeleteBucket", action: "s3:DeleteBucket" },
  { operation: "PutBucketPolicy", action: "s3:PutBucketPolicy" },
  { operation: "PutBucketLifecycleConfiguration", action: "s3:PutLifecycleConfiguration" },
  { operation: "PutBucketVersioning", action: "s3:PutBucketVersioning" },
] as const;

export type ProbeOperation = (typeof PROBES)[number]["operation"];

/**
 * What the library's read-write role (a tenant's own user) gets from every probe in its own
 * bucket: objects, listing and multipart, no bucket administration.
 */
export const READ_WRITE_ANSWERS: Readonly<Record<ProbeOperation, boolean>> = Object.freeze({
  GetObject: true,
  PutObject: true,
  DeleteObject: true,
  ListObjectsV2: true,
  GetBucketLocation: true,
  CreateMultipartUpload: true,
  UploadPart: true,
  ListParts: true,
  AbortMultipartUpload: true,
  ListMultipartUploads: true,
  DeleteBucket: false,
  PutBucketPolicy: false,
  PutBucketLifecycleConfiguration: false,
  PutBucketVersioning: false,
});

/** One real request and MinIO's answer. */
export interface ProbeRecord {
  principal: string;
  bucket: string;
  /** The object key for object operations; undefined for bucket operations. */
  key?: string;
  /** The listing prefix for ListObjectsV2 (the `s3:prefix` condition key). */
  prefix?: string;
  operation: ProbeOperation;
  /** The IAM action, as the evaluator names it. */
  action: string;
  allowed: boolean;
  /** `OK` for a success, otherwise the S3 error code MinIO answered with. */
  status: string;
}

/** Error codes that mean "not authorised": an access refusal or unusable credentials. */
export const DENIED_CODES: ReadonlySet<string> = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AllAccessDisabled",
]);

export interface ProbeOptions {
  /** Object key the object operations use. Defaults to `probe/<principal>.txt`. */
  key?: string;
  /** Listing prefix for ListObjectsV2. Defaults to the key's folder (`probe/`). */
  prefix?: string;
  /** Only these operations. Defaults to all of {@link PROBES}. */
  operations?: readonly ProbeOperation[];
  /**
   * A root client. It is needed for the probes that could change the bucket (DeleteBucket and
   * the three bucket-configuration writes): it makes sure the bucket holds an object, and checks
   * and restores the configuration afterwards. Without it those probes are left out.
   */
  admin?: S3Client;
}

/** Counts every request any probe made in this process, for the tier's summary. */
export const probeStats = { requests: 0 };

/** Requests one probe call may make at most (each operation makes one or two). */
const MAX_REQUESTS_PER_PROBE = 40;

/** A client for `principal` against `endpoint`; anonymous requests are sent unsigned. */
export function s3Client(endpoint: string, principal: ProbePrincipal = ANONYMOUS): S3Client {
  const signed = principal.accessKey !== undefined && principal.secretKey !== undefined;
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    // One attempt: a retried refusal would double-count and slow every denied probe.
    maxAttempts: 1,
    requestHandler: { requestTimeout: 15_000, connectionTimeout: 5_000 },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    credentials: signed
      ? { accessKeyId: principal.accessKey!, secretAccessKey: principal.secretKey! }
      : { accessKeyId: "", secretAccessKey: "" },
    // An identity signer leaves the request exactly as built: no Authorization header.
    ...(signed ? {} : { signer: { sign: async (request) => request } }),
  });
}

/** Probes every operation for `principal` on `bucket` and returns one record each. */
export async function probeBucket(
  endpoint: string,
  principal: ProbePrincipal,
  bucket: string,
  options: ProbeOptions = {},
): Promise<ProbeRecord[]> {
  const client = s3Client(endpoint, principal);
  try {
    return await new Probe(client, principal, bucket, options).run();
  } finally {
    client.destroy();
  }
}

export interface MatrixOptions extends Omit<ProbeOptions, "key" | "prefix"> {
  /** The key to probe for one principal and bucket. Defaults to `probe/<principal>.txt`. */
  keyFor?: (principal: ProbePrincipal, bucket: string) => string | undefined;
  /** Requests the whole matrix may make. Defaults to 20,000. */
  maxRequests?: number;
  /** Time the whole matrix may take. Defaults to 5 minutes. */
  timeoutMs?: number;
  /** Probes run at once. Defaults to 4. */
  concurrency?: number;
}

/**
 * Probes every principal on every bucket. Stops with an error, rather than running on, when
 * the request or time budget is spent.
 */
export async function probeMatrix(
  endpoint: string,
  principals: readonly ProbePrincipal[],
  buckets: readonly string[],
  options: MatrixOptions = {},
): Promise<ProbeRecord[]> {
  const maxRequests = options.maxRequests ?? 20_000;
  const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
  const startRequests = probeStats.requests;
  const cells = principals.flatMap((principal) => buckets.map((bucket) => ({ principal, bucket })));
  const results: ProbeRecord[][] = new Array(cells.length);
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const i = next++;
      if (probeStats.requests - startRequests > maxRequests) {
        throw new Error(`probe matrix exceeded its budget of ${maxRequests} requests`);
      }
      if (Date.now() > deadline) throw new Error("probe matrix ran out of time");
      const { principal, bucket } = cells[i];
      results[i] = await probeBucket(endpoint, principal, bucket, {
        ...options,
        key: options.keyFor?.(principal, bucket),
      });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return results.flat();
}

class Probe {
  private readonly key: string;
  private readonly prefix: string;
  private requests = 0;
  private readonly records: ProbeRecord[] = [];

  constructor(
    private readonly client: S3Client,
    private readonly principal: ProbePrincipal,
    private readonly bucket: string,
    private readonly options: ProbeOptions,
  ) {
    this.key = options.key ?? `probe/${safeName(principal.name)}.txt`;
    this.prefix = options.prefix ?? this.key.slice(0, this.key.lastIndexOf("/") + 1);
  }

  async run(): Promise<ProbeRecord[]> {
    const admin = this.options.admin;
    const wanted = new Set<ProbeOperation>(
      this.options.operations ?? PROBES.map((p) => p.operation),
    );
    if (!admin) {
      for (const op of [
        "DeleteBucket",
        "PutBucketPolicy",
        "PutBucketLifecycleConfiguration",
        "PutBucketVersioning",
      ] as const) {
        wanted.delete(op);
      }
    }
    const Bucket = this.bucket;
    const Key = this.key;
    const has = (op: ProbeOperation) => wanted.has(op);

    if (has("GetObject"))
      await this.send("GetObject", () => this.client.send(new GetObjectCommand({ Bucket, Key })));
    if (has("PutObject")) {
      await this.send("PutObject", () =>
        this.client.send(new PutObjectCommand({ Bucket, Key, Body: "probe" })),
      );
    }
    if (has("DeleteObject")) {
      await this.send("DeleteObject", () =>
        this.client.send(new DeleteObjectCommand({ Bucket, Key })),
      );
    }
    if (has("ListObjectsV2")) {
      const list = new ListObjectsV2Command({ Bucket, Prefix: this.prefix, MaxKeys: 10 });
      await this.send("ListObjectsV2", () => this.client.send(list));
    }
    if (has("GetBucketLocation")) {
      await this.send("GetBucketLocation", () =>
        this.client.send(new GetBucketLocationCommand({ Bucket })),
      );
    }
    if (has("CreateMultipartUpload") || has("UploadPart") || has("AbortMultipartUpload")) {
      await this.multipart(wanted);
    }
    if (has("ListMultipartUploads")) {
      const list = new ListMultipartUploadsCommand({ Bucket, Prefix: this.prefix, MaxUploads: 10 });
      await this.send("ListMultipartUploads", () => this.client.send(list));
    }
    if (admin && has("DeleteBucket")) await this.deleteBucket(admin);
    if (admin && has("PutBucketPolicy")) await this.putBucketPolicy(admin);
    if (admin && has("PutBucketLifecycleConfiguration")) await this.putLifecycle(admin);
    if (admin && has("PutBucketVersioning")) await this.putVersioning(admin);
    return this.records;
  }

  /**
   * Create, upload a part, list parts, abort. When the create is refused the later steps use a
   * made-up upload id: MinIO still authorises first and answers NoSuchUpload if allowed.
   */
  private async multipart(wanted: Set<ProbeOperation>): Promise<void> {
    const Bucket = this.bucket;
    const Key = this.key;
    let uploadId = "probe-upload-id-that-does-not-exist";
    let created = false;
    if (wanted.has("CreateMultipartUpload")) {
      const out = await this.send("CreateMultipartUpload", () =>
        this.client.send(new CreateMultipartUploadCommand({ Bucket, Key })),
      );
      if (out?.UploadId) {
        uploadId = out.UploadId;
        created = true;
      }
    }
    if (wanted.has("UploadPart")) {
      const part = new UploadPartCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        PartNumber: 1,
        Body: "part",
      });
      await this.send("UploadPart", () => this.client.send(part));
    }
    if (wanted.has("ListParts")) {
      await this.send("ListParts", () =>
        this.client.send(new ListPartsCommand({ Bucket, Key, UploadId: uploadId })),
      );
    }
    let aborted = false;
    if (wanted.has("AbortMultipartUpload")) {
      const abort = new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId });
      const record = await this.record("AbortMultipartUpload", () => this.client.send(abort));
      aborted = record.status === "OK";
    }
    if (created && !aborted && this.options.admin) {
      // Leave no incomplete upload behind when the principal could start but not abort one.
      await this.options.admin
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => undefined);
    }
  }

  /** Only on a bucket that holds an object, so an allowed delete answers BucketNotEmpty. */
  private async deleteBucket(admin: S3Client): Promise<void> {
    const listing = await admin.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }));
    if (!listing.KeyCount) {
      await admin.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: KEEPER_KEY, Body: "keeps the bucket" }),
      );
    }
    const record = await this.record("DeleteBucket", () =>
      this.client.send(new DeleteBucketCommand({ Bucket: this.bucket })),
    );
    if (record.status === "OK") {
      throw new Error(`probe deleted bucket ${this.bucket} although it held an object`);
    }
  }

  /** A statement without actions: authorised first, then refused as MalformedPolicy. */
  private async putBucketPolicy(admin: S3Client): Promise<void> {
    const before = await bucketPolicy(admin, this.bucket);
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] } }],
    });
    await this.record("PutBucketPolicy", () =>
      this.client.send(new PutBucketPolicyCommand({ Bucket: this.bucket, Policy })),
    );
    const after = await bucketPolicy(admin, this.bucket);
    if (after !== before) {
      if (before === undefined) {
        throw new Error(`probe changed the policy of ${this.bucket}; it had none before`);
      }
      await admin.send(new PutBucketPolicyCommand({ Bucket: this.bucket, Policy: before }));
      throw new Error(`probe changed the policy of ${this.bucket}; restored it`);
    }
  }

  /** A rule without any action: authorised first, then refused as malformed. */
  private async putLifecycle(admin: S3Client): Promise<void> {
    const before = await lifecycle(admin, this.bucket);
    const command = new PutBucketLifecycleConfigurationCommand({
      Bucket: this.bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: "probe-no-action", Status: "Enabled", Filter: { Prefix: "probe/" } }],
      },
    });
    await this.record("PutBucketLifecycleConfiguration", () => this.client.send(command));
    const after = await lifecycle(admin, this.bucket);
    if (after !== before) {
      throw new Error(`probe changed the lifecycle of ${this.bucket}`);
    }
  }

  /** A status S3 does not know: authorised first, then refused as malformed. */
  private async putVersioning(admin: S3Client): Promise<void> {
    const before = await versioning(admin, this.bucket);
    const command = new PutBucketVersioningCommand({
      Bucket: this.bucket,
      VersioningConfiguration: { Status: "ProbeUnknownStatus" as "Enabled" },
    });
    await this.record("PutBucketVersioning", () => this.client.send(command));
    const after = await versioning(admin, this.bucket);
    if (after !== before) {
      if (before === "Enabled" || before === "Suspended") {
        await admin.send(
          new PutBucketVersioningCommand({
            Bucket: this.bucket,
            VersioningConfiguration: { Status: before },
          }),
        );
      }
      throw new Error(`probe changed versioning of ${this.bucket} from ${before} to ${after}`);
    }
  }

  /** Like {@link record}, returning the output of a successful request. */
  private async send<T>(operation: ProbeOperation, call: () => Promise<T>): Promise<T | undefined> {
    let output: T | undefined;
    await this.record(operation, async () => (output = await call()));
    return output;
  }

  private async record(
    operation: ProbeOperation,
    call: () => Promise<unknown>,
  ): Promise<ProbeRecord> {
    if (++this.requests > MAX_REQUESTS_PER_PROBE) {
      throw new Error(`probe of ${this.bucket} exceeded ${MAX_REQUESTS_PER_PROBE} requests`);
    }
    probeStats.requests++;
    const spec = PROBES.find((p) => p.operation === operation)!;
    const objectLevel = spec.action !== "s3:ListBucket" && isObjectOperation(operation);
    let status: string;
    try {
      await call();
      status = "OK";
    } catch (err) {
      status = errorCode(err);
    }
    const record: ProbeRecord = {
      principal: this.principal.name,
      bucket: this.bucket,
      ...(objectLevel ? { key: this.key } : {}),
      ...(operation === "ListObjectsV2" || operation === "ListMultipartUploads"
        ? { prefix: this.prefix }
        : {}),
      operation,
      action: spec.action,
      allowed: !DENIED_CODES.has(status),
      status,
    };
    this.records.push(record);
    return record;
  }
}

/** The object the DeleteBucket probe makes sure exists, so a bucket is never empty. */
export const KEEPER_KEY = "probe-keeper/keep.txt";

function isObjectOperation(operation: ProbeOperation): boolean {
  return [
    "GetObject",
    "PutObject",
    "DeleteObject",
    "CreateMultipartUpload",
    "UploadPart",
    "ListParts",
    "AbortMultipartUpload",
  ].includes(operation);
}

/**
 * The S3 error code of a failed request. A connection failure is not an answer from MinIO and
 * is thrown rather than recorded.
 */
function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) throw err;
  const code = e.Code ?? e.name;
  if (code && code !== "Error" && code !== "Unknown") return code;
  return `HTTP${status}`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

async function bucketPolicy(admin: S3Client, Bucket: string): Promise<string | undefined> {
  try {
    return (await admin.send(new GetBucketPolicyCommand({ Bucket }))).Policy;
  } catch (err) {
    if (errorCode(err) === "NoSuchBucketPolicy") return undefined;
    throw err;
  }
}

async function lifecycle(admin: S3Client, Bucket: string): Promise<string> {
  try {
    const out = await admin.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    return JSON.stringify(out.Rules ?? []);
  } catch (err) {
    if (errorCode(err) === "NoSuchLifecycleConfiguration") return "none";
    throw err;
  }
}

async function versioning(admin: S3Client, Bucket: string): Promise<string> {
  const out = await admin.send(new GetBucketVersioningCommand({ Bucket }));
  return out.Status ?? "Unversioned";
}
