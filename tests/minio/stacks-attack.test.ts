/**
 * The stacks' MinIO resources applied to real servers and attacked: every principal (each user,
 * each access key, the anonymous caller) tries reads, writes, deletes, listing, multipart and
 * bucket administration on every bucket, and each answer is compared with the evaluator's
 * prediction for the same request. The shipped `local` stack gets a MinIO of its own (its
 * names are fixed); a generated stack of 22 tenants, a Velero target and an artifact store
 * goes on the tier's server under names unique to this run; the same stack in the
 * shared-policy layout (one group policy with `${aws:username}`) gets a server of its own.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { PlatformConfig } from "../../stacks/config";
import { applyResources, type ApplyReport } from "../../tools/mc-apply";
import { startMinio, type MinioServer } from "../../tools/minio-server";
import type { RecordedResource } from "../../tools/mock-runtime";
import { runStack } from "../../tools/synth";
import { connectTier, runId, type TierHandle } from "./helpers";
import { describeDisagreements, Predictor, type Comparison } from "./predict";
import { generatedConfig, runGenerated } from "./stacks";
import {
  ANONYMOUS,
  PROBES,
  READ_WRITE_ANSWERS,
  probeBucket,
  probeMatrix,
  probeStats,
  s3Client,
  type ProbeOperation,
  type ProbeRecord,
} from "./s3-probe";

// Thousands of real requests per stack; the tier as a whole stays under ten minutes.
jest.setTimeout(300_000);

/** Operations whose answer depends on the object key or the listing prefix. */
const KEYED_OPERATIONS: readonly ProbeOperation[] = [
  "GetObject",
  "PutObject",
  "DeleteObject",
  "ListObjectsV2",
  "CreateMultipartUpload",
  "UploadPart",
  "ListParts",
  "AbortMultipartUpload",
  "ListMultipartUploads",
];

const id = runId();

interface Attack {
  /** Every record: the matrix's, then the keyed probes inside granted prefixes. */
  records: ProbeRecord[];
  /** The records of the principal x bucket matrix at the default `probe/` key. */
  matrix: ProbeRecord[];
  comparison: Comparison;
}

/**
 * Every principal on every bucket with every probe at the default `probe/` key, then again
 * with the keyed operations at each key inside a prefix the evaluator says the principal was
 * given (a pipeline's folder, the public charts prefix, the Velero prefix).
 */
async function attack(
  endpoint: string,
  admin: S3Client,
  predictor: Predictor,
  maxRequests: number,
): Promise<Attack> {
  const principals = predictor.probePrincipals();
  const buckets = predictor.buckets();
  const matrix = await probeMatrix(endpoint, principals, buckets, {
    admin,
    maxRequests,
    timeoutMs: 200_000,
    concurrency: 4,
  });
  const inside: { principal: (typeof principals)[number]; bucket: string; key: string }[] = [];
  for (const principal of principals) {
    for (const bucket of buckets) {
      for (const key of predictor.grantedKeys(principal.name, bucket)) {
        inside.push({ principal, bucket, key });
      }
    }
  }
  const records = [...matrix];
  let next = 0;
  const worker = async () => {
    while (next < inside.length) {
      const cell = inside[next++];
      records.push(
        ...(await probeBucket(endpoint, cell.principal, cell.bucket, {
          key: cell.key,
          operations: KEYED_OPERATIONS,
          admin,
        })),
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { records, matrix, comparison: predictor.compare(records) };
}

/** Buckets where `principal` got at least one request allowed. */
function reach(records: readonly ProbeRecord[], principal: string): string[] {
  return [
    ...new Set(records.filter((r) => r.principal === principal && r.allowed).map((r) => r.bucket)),
  ].sort();
}

/**
 * `{operation: allowed}` for one principal on one bucket, for the requests made in `folder`:
 * object keys under it and listings of it; the bucket-level probes belong to the default
 * `probe/` pass.
 */
function answers(
  records: readonly ProbeRecord[],
  principal: string,
  bucket: string,
  folder = "probe/",
): Record<string, boolean> {
  const inFolder = (r: ProbeRecord) =>
    r.key !== undefined
      ? r.key.startsWith(folder)
      : r.prefix !== undefined
        ? r.prefix === folder
        : folder === "probe/";
  return Object.fromEntries(
    records
      .filter((r) => r.principal === principal && r.bucket === bucket && inFolder(r))
      .map((r) => [r.operation, r.allowed]),
  );
}

/**
 * The generated stack's attack, in either layout: 27 users, 15 access keys and the anonymous
 * caller on 24 buckets, every answer as predicted, each tenant and key on its own bucket only.
 */
function expectGeneratedIsolation(
  result: Attack,
  predictor: Predictor,
  config: PlatformConfig,
  report: ApplyReport,
): void {
  const { records, comparison } = result;
  const principals = predictor.probePrincipals().length;
  expect(principals).toBe(27 + 15 + 1);
  expect(result.matrix.length).toBe(principals * 24 * PROBES.length);
  expect(describeDisagreements(comparison.disagreements)).toBe("");
  expect(comparison.agreements).toBe(records.length);
  expect(comparison.crossTenant).toEqual([]);

  for (const tenant of config.tenants) {
    expect(reach(records, `user-${tenant.id}`)).toEqual([`user-${tenant.id}-data`]);
  }
  for (const key of report.principals.filter((p) => p.kind === "serviceAccount")) {
    expect(reach(records, key.accessKey)).toEqual([`${key.parentUser}-data`]);
  }
  expect(reach(records, ANONYMOUS.name)).toEqual([`artifacts-ci${id}`]);
}

/** A MinIO of a stack's own (four drives, erasure coded) and a root S3 client for it. */
async function startOwnServer(): Promise<{ server: MinioServer; admin: S3Client }> {
  const server = await startMinio({ drives: 4 });
  const admin = s3Client(server.endpoint, {
    name: "root",
    accessKey: server.rootUser,
    secretKey: server.rootPassword,
  });
  return { server, admin };
}

describe("stacks applied to a real MinIO and attacked", () => {
  let tier: TierHandle;
  const requestsBefore = probeStats.requests;
  const totals = { compared: 0, agreements: 0, crossTenantAllowed: 0 };
  const add = (c: Comparison) => {
    totals.compared += c.compared;
    totals.agreements += c.agreements;
    totals.crossTenantAllowed += c.crossTenant.length;
  };

  beforeAll(async () => {
    tier = await connectTier("stacks-attack.test.ts");
  });

  afterAll(() => {
    tier?.finish({ requests: probeStats.requests - requestsBefore, ...totals });
  });

  describe("the shipped local stack, on a MinIO of its own", () => {
    let server: MinioServer;
    let admin: S3Client;
    let resources: RecordedResource[];
    let report: ApplyReport;
    let predictor: Predictor;
    let result: Attack;

    beforeAll(async () => {
      ({ server, admin } = await startOwnServer());
      resources = (await runStack("local")).resources;
      report = await applyResources(resources, server.mc);
      predictor = new Predictor(resources, report);
    });

    afterAll(async () => {
      admin?.destroy();
      await server?.stop();
    });

    it("applies every MinIO resource and skips Kubernetes, random and the provider", () => {
      const minio = resources.filter((r) => r.custom && r.type.startsWith("minio:index/"));
      expect(report.applied).toHaveLength(minio.length);
      expect(report.skipped.some((s) => s.type === "pulumi:providers:minio")).toBe(true);
      expect(report.skipped.some((s) => s.type === "kubernetes:apps/v1:StatefulSet")).toBe(true);
      expect([...report.buckets].sort()).toEqual([
        "artifacts-ci",
        "user-acme-data",
        "user-globex-data",
        "user-initech-data",
        "velero-cluster",
      ]);
      const users = report.principals.filter((p) => p.kind === "user").map((p) => p.accessKey);
      expect(users.sort()).toEqual([
        "artifacts-ci-pipeline-gitlab",
        "artifacts-ci-pipeline-jenkins",
        "artifacts-ci-reader",
        "artifacts-ci-writer",
        "user-acme",
        "user-globex",
        "user-initech",
        "velero-cluster",
      ]);
      const keys = report.principals.filter((p) => p.kind === "serviceAccount");
      expect(keys.map((k) => [k.parentUser, k.resourceName])).toEqual([
        ["user-acme", "tenant-acme-sa-web"],
      ]);
    });

    it("MinIO and the evaluator agree on every request, and no tenant reaches another", async () => {
      result = await attack(server.endpoint, admin, predictor, 2_000);
      add(result.comparison);
      const { records, comparison } = result;
      // 10 principals x 5 buckets x 14 probes, then the keyed probes inside granted prefixes.
      expect(result.matrix).toHaveLength(10 * 5 * PROBES.length);
      expect(records.length).toBeGreaterThan(result.matrix.length);
      expect(describeDisagreements(comparison.disagreements)).toBe("");
      expect(comparison.agreements).toBe(records.length);
      expect(comparison.crossTenant).toEqual([]);

      expect(reach(records, "user-acme")).toEqual(["user-acme-data"]);
      expect(reach(records, "user-globex")).toEqual(["user-globex-data"]);
      expect(reach(records, "velero-cluster")).toEqual(["velero-cluster"]);
      expect(reach(records, "artifacts-ci-pipeline-jenkins")).toEqual(["artifacts-ci"]);
      expect(reach(records, ANONYMOUS.name)).toEqual(["artifacts-ci"]);
      const web = report.principals.find((p) => p.kind === "serviceAccount")!.accessKey;
      expect(reach(records, web)).toEqual(["user-acme-data"]);
    });

    it("prints principal, bucket, action and both answers when they differ", () => {
      // A real record with MinIO's answer flipped stands for a server that disagreed.
      const real = result.records.find(
        (r) => r.principal === "user-globex" && r.operation === "PutObject" && r.allowed,
      )!;
      const flipped = { ...real, allowed: false, status: "AccessDenied" };
      const comparison = predictor.compare([flipped]);
      expect(comparison).toMatchObject({ compared: 1, agreements: 0 });
      expect(describeDisagreements(comparison.disagreements)).toBe(
        "user-globex PutObject (s3:PutObject) on user-globex-data/probe/user-globex.txt: " +
          "MinIO denied (AccessDenied), evaluator allowed " +
          '(allowed by policy "user-globex-data-owner" statement 1 (ObjectAccess))',
      );
    });

    it("gives a tenant its objects and listing but no bucket administration", () => {
      expect(answers(result.records, "user-acme", "user-acme-data")).toEqual(READ_WRITE_ANSWERS);
      const other = result.records.filter(
        (r) => r.principal === "user-acme" && r.bucket === "user-globex-data",
      );
      expect(other).toHaveLength(PROBES.length);
      expect(new Set(other.map((r) => r.status))).toEqual(new Set(["AccessDenied"]));
    });

    it("limits a pipeline writer to its own folder, listing included", () => {
      const outside = answers(result.records, "artifacts-ci-pipeline-jenkins", "artifacts-ci");
      expect(outside).toMatchObject({
        GetObject: false,
        PutObject: false,
        ListObjectsV2: false,
        GetBucketLocation: true,
      });
      expect(
        answers(result.records, "artifacts-ci-pipeline-jenkins", "artifacts-ci", "jenkins/"),
      ).toEqual({
        GetObject: true,
        PutObject: true,
        DeleteObject: true,
        ListObjectsV2: true,
        CreateMultipartUpload: true,
        UploadPart: true,
        ListParts: true,
        AbortMultipartUpload: true,
        ListMultipartUploads: false,
      });
    });

    it("lets the anonymous caller read the charts prefix only", () => {
      const allowed = result.records.filter((r) => r.principal === ANONYMOUS.name && r.allowed);
      expect(allowed.map((r) => [r.bucket, r.operation, r.key, r.status])).toEqual([
        ["artifacts-ci", "GetObject", "charts/probe-anonymous.txt", "NoSuchKey"],
      ]);
    });
  });

  describe("a generated stack of 22 tenants, a Velero target and an artifact store", () => {
    const config = generatedConfig(id);
    let resources: RecordedResource[];
    let report: ApplyReport;
    let predictor: Predictor;
    let result: Attack;

    beforeAll(async () => {
      resources = await runGenerated(config);
      report = await applyResources(resources, tier.mc);
      predictor = new Predictor(resources, report);
    });

    it("applies 24 buckets, every user and every access key", () => {
      expect(report.buckets).toHaveLength(24);
      expect(report.buckets).toEqual(
        expect.arrayContaining([`velero-bk${id}`, `artifacts-ci${id}`]),
      );
      const keys = report.principals.filter((p) => p.kind === "serviceAccount");
      const expectedKeys = config.tenants.reduce((n, t) => n + t.serviceAccounts.length, 0);
      expect(expectedKeys).toBe(15);
      expect(keys).toHaveLength(expectedKeys);
      expect(new Set(keys.map((k) => k.accessKey)).size).toBe(expectedKeys);
      // 22 tenants, the Velero user, the store's writer, reader and two pipeline writers.
      expect(report.principals.filter((p) => p.kind === "user")).toHaveLength(27);
    });

    it("MinIO and the evaluator agree on every request, and no tenant reaches another", async () => {
      result = await attack(tier.connection.endpoint, tier.admin, predictor, 15_000);
      add(result.comparison);
      expectGeneratedIsolation(result, predictor, config, report);
    });

    it("keeps the Velero user inside its prefix", () => {
      const velero = `velero-bk${id}`;
      expect(answers(result.records, velero, velero, "backups/")).toEqual({
        GetObject: true,
        PutObject: true,
        DeleteObject: true,
        ListObjectsV2: true,
        CreateMultipartUpload: true,
        UploadPart: true,
        ListParts: true,
        AbortMultipartUpload: true,
        ListMultipartUploads: false,
      });
      expect(answers(result.records, velero, velero)).toMatchObject({
        GetObject: false,
        PutObject: false,
        DeleteObject: false,
        DeleteBucket: false,
        PutBucketPolicy: false,
      });
    });
  });

  // The shared-policy layout's group and policy have fixed names, so it gets a server of its
  // own rather than sharing the tier's with other stacks.
  describe("the generated stack in the shared-policy layout, on a MinIO of its own", () => {
    const config = generatedConfig(id, 22, "shared-policy");
    let server: MinioServer;
    let admin: S3Client;
    let resources: RecordedResource[];
    let report: ApplyReport;
    let predictor: Predictor;
    let result: Attack;

    beforeAll(async () => {
      ({ server, admin } = await startOwnServer());
      resources = await runGenerated(config);
      report = await applyResources(resources, server.mc);
      predictor = new Predictor(resources, report);
    });

    afterAll(async () => {
      admin?.destroy();
      await server?.stop();
    });

    it("stores one tenant policy on the group and one membership per tenant user", () => {
      const of = (type: string) => resources.filter((r) => r.type === type);
      const groupPolicies = of("minio:index/iamGroupPolicyAttachment:IamGroupPolicyAttachment");
      expect(groupPolicies.map((r) => [r.inputs.groupName, r.inputs.policyName])).toEqual([
        ["tenants", "tenants-own-bucket"],
      ]);
      const members = of("minio:index/iamGroupUserAttachment:IamGroupUserAttachment");
      expect(members.map((r) => r.inputs.userName).sort()).toEqual(
        config.tenants.map((t) => `user-${t.id}`).sort(),
      );
      // No tenant user has a policy of its own: only the store's and Velero's users do.
      const userPolicies = of("minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment");
      expect(userPolicies.some((r) => String(r.inputs.userName).startsWith("user-"))).toBe(false);
      const keys = report.principals.filter((p) => p.kind === "serviceAccount");
      expect(keys).toHaveLength(15);
    });

    it("MinIO and the evaluator agree on every request, access keys included", async () => {
      result = await attack(server.endpoint, admin, predictor, 15_000);
      add(result.comparison);
      expectGeneratedIsolation(result, predictor, config, report);
    });

    it("gives a tenant through the group what the per-tenant layout gives it", () => {
      const tenant = `user-${config.tenants[0].id}`;
      expect(answers(result.records, tenant, `${tenant}-data`)).toEqual(READ_WRITE_ANSWERS);
    });
  });
});
