/**
 * Rules that need the whole stack (public exposure, admin rights, Velero) and the MinioDeployment
 * hardening rules, each with a passing and a failing fixture and its exact message; CASES 1, 2,
 * 11 and 13.
 */
import * as minio from "@pulumi/minio";
import {
  ArtifactStore,
  MinioDeployment,
  VeleroTarget,
  policyJson,
  veleroPolicy,
} from "../../components";
import { privateBucketsNoPolicy, publicReadOnlyDeclared } from "../../policy-pack/rules/buckets";
import {
  erasureLayout,
  imageTag,
  podDisruptionBudget,
  statefulSetHardening,
  tlsInProduction,
} from "../../policy-pack/rules/deployment";
import { ResourceView, TYPES, fromRecorded } from "../../policy-pack/rules/resources";
import {
  noAdminForTenants,
  veleroExactActions,
  veleroVersionedExpiry,
} from "../../policy-pack/rules/tenants";
import { runWithMocks } from "../../tools/mock-runtime";
import { res } from "./harness";

jest.setTimeout(60_000);

async function views(program: () => void): Promise<ResourceView[]> {
  const run = await runWithMocks(() => {
    program();
  });
  return fromRecorded(run.resources);
}

const messages = (findings: { message: string }[]) => findings.map((f) => f.message);

const bucketPolicy = (bucket: string, statement: object) =>
  res(TYPES.s3BucketPolicy, "bp", {
    bucket,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
  });

const publicRead = (resource: string, action: string | string[] = "s3:GetObject") => ({
  Effect: "Allow",
  Principal: "*",
  Action: action,
  Resource: resource,
});

describe("bucket-policy-declared-public-read (CASES 1)", () => {
  const config = { publicPrefixes: ["artifacts-ci/charts"] };
  const check = (view: ResourceView) => messages(publicReadOnlyDeclared.check([view], config));

  it("passes s3:GetObject on a declared prefix", () => {
    expect(
      check(bucketPolicy("artifacts-ci", publicRead("arn:aws:s3:::artifacts-ci/charts/*"))),
    ).toEqual([]);
  });

  it("rejects the whole bucket, and writes", () => {
    expect(
      check(
        bucketPolicy(
          "artifacts-ci",
          publicRead("arn:aws:s3:::artifacts-ci/*", ["s3:GetObject", "s3:PutObject"]),
        ),
      ),
    ).toEqual([
      'S3BucketPolicy "bp": statement 0 gives anonymous callers s3:PutObject on bucket ' +
        '"artifacts-ci"; a public prefix allows only reading objects (s3:GetObject)',
      'S3BucketPolicy "bp": statement 0 exposes "arn:aws:s3:::artifacts-ci/*", which is not ' +
        'under a declared public prefix of bucket "artifacts-ci" (declared: artifacts-ci/charts)',
    ]);
  });

  it("counts an ArtifactStore's publicReadPrefixes as declared", async () => {
    const store = await views(() => {
      new ArtifactStore("ci", {
        endpoint: "http://127.0.0.1:9000",
        publicReadPrefixes: ["charts"],
      });
    });
    expect(messages(publicReadOnlyDeclared.check(store, { publicPrefixes: [] }))).toEqual([]);
    expect(messages(privateBucketsNoPolicy.check(store, { publicPrefixes: [] }))).toEqual([]);
  });
});

describe("private-buckets-no-policy (CASES 2)", () => {
  const check = (...resources: ResourceView[]) =>
    messages(privateBucketsNoPolicy.check(resources, { publicPrefixes: [] }));

  it("passes a private bucket with no policy", () => {
    expect(check(res(TYPES.s3Bucket, "b", { bucket: "user-acme-data", acl: "private" }))).toEqual(
      [],
    );
  });

  it("rejects any bucket policy on a bucket with nothing declared public", () => {
    expect(
      check(bucketPolicy("user-acme-data", publicRead("arn:aws:s3:::user-acme-data/x/*"))),
    ).toEqual([
      'S3BucketPolicy "bp" gives anonymous access to bucket "user-acme-data", which has no ' +
        "declared public prefix (publicPrefixes or an ArtifactStore's publicReadPrefixes); a " +
        "private bucket has no bucket policy",
    ]);
  });

  it("rejects a public ACL", () => {
    expect(
      check(res(TYPES.s3Bucket, "b", { bucket: "user-acme-data", acl: "public-read" })),
    ).toEqual([
      'S3Bucket "b" has acl "public-read", which exposes the whole bucket; use acl "private" ' +
        "(a declared public prefix is granted by a bucket policy)",
    ]);
  });
});

describe("no-admin-for-tenants", () => {
  const adminPolicy = (name: string) =>
    res(TYPES.iamPolicy, name, {
      name,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["admin:ServerInfo"] }],
      }),
    });

  it("passes admin rights for a user of no tenant", () => {
    const resources = [
      res(TYPES.iamUser, "ops", { name: "ops" }),
      adminPolicy("ops-admin"),
      res(TYPES.iamUserPolicyAttachment, "a", { userName: "ops", policyName: "ops-admin" }),
    ];
    expect(messages(noAdminForTenants.check(resources, {}))).toEqual([]);
  });

  it("rejects admin: actions for a tenant user", () => {
    const resources = [
      res(TYPES.iamUser, "acme", { name: "user-acme" }),
      adminPolicy("acme-admin"),
      res(TYPES.iamUserPolicyAttachment, "a", { userName: "user-acme", policyName: "acme-admin" }),
    ];
    expect(messages(noAdminForTenants.check(resources, {}))).toEqual([
      'policy "acme-admin" gives user "user-acme" of tenant acme admin:ServerInfo; tenant ' +
        "principals never get admin: actions",
    ]);
  });

  it("rejects MinIO's built-in consoleAdmin given to a tenant through a group", () => {
    const resources = [
      res(TYPES.iamUser, "acme", { name: "user-acme" }),
      res(TYPES.iamGroupMembership, "m", { group: "ops", users: ["user-acme"] }),
      res(TYPES.iamGroupPolicyAttachment, "a", { groupName: "ops", policyName: "consoleAdmin" }),
    ];
    expect(messages(noAdminForTenants.check(resources, {}))).toEqual([
      'policy "consoleAdmin" gives user "user-acme" (through group "ops") of tenant acme ' +
        "admin:*; tenant principals never get admin: actions",
    ]);
  });
});

const velero = (args: Partial<ConstructorParameters<typeof VeleroTarget>[1]> = {}) =>
  new VeleroTarget("cluster", {
    s3Url: "http://127.0.0.1:9000",
    region: "us-east-1",
    ...args,
  });

describe("velero-exact-actions", () => {
  it("passes the VeleroTarget component, with and without a prefix", async () => {
    expect(messages(veleroExactActions.check(await views(() => velero()), {}))).toEqual([]);
    expect(
      messages(veleroExactActions.check(await views(() => velero({ prefix: "db" })), {})),
    ).toEqual([]);
  });

  it("rejects extra actions and other buckets", async () => {
    const resources = await views(() => {
      velero();
      new minio.S3Bucket("other", { bucket: "user-acme-data" });
      new minio.IamPolicy("extra", {
        name: "extra",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["s3:DeleteBucket"],
              Resource: ["arn:aws:s3:::velero-cluster"],
            },
            {
              Effect: "Allow",
              Action: ["s3:GetObject"],
              Resource: ["arn:aws:s3:::user-acme-data/*"],
            },
          ],
        }),
      });
      new minio.IamUserPolicyAttachment("extra", {
        userName: "velero-cluster",
        policyName: "extra",
      });
    });
    expect(messages(veleroExactActions.check(resources, {}))).toEqual([
      'VeleroTarget "cluster": user "velero-cluster" can s3:DeleteBucket on bucket ' +
        '"velero-cluster", beyond what Velero needs',
      'VeleroTarget "cluster": user "velero-cluster" can s3:GetObject on bucket ' +
        '"user-acme-data", which is not its own',
    ]);
  });

  it("rejects a Velero user missing what Velero needs", () => {
    const target = res(TYPES.veleroTarget, "cluster", { tenantId: "velero-cluster" });
    const narrow = JSON.parse(policyJson(veleroPolicy("velero-cluster")));
    narrow.Statement[1].Action = ["s3:GetObject", "s3:PutObject"];
    const resources = [
      target,
      res(TYPES.iamUser, "u", { name: "velero-cluster" }, target.urn),
      res(TYPES.s3Bucket, "b", { bucket: "velero-cluster" }, target.urn),
      res(TYPES.iamPolicy, "p", { name: "p", policy: JSON.stringify(narrow) }, target.urn),
      res(
        TYPES.iamUserPolicyAttachment,
        "a",
        { userName: "velero-cluster", policyName: "p" },
        target.urn,
      ),
    ];
    expect(messages(veleroExactActions.check(resources, {}))).toEqual([
      'VeleroTarget "cluster": user "velero-cluster" cannot s3:AbortMultipartUpload, ' +
        's3:DeleteObject, s3:ListMultipartUploadParts on bucket "velero-cluster", which Velero ' +
        "needs for backups and restores",
    ]);
  });
});

describe("velero-versioned-expiry (CASES 11)", () => {
  it("passes unversioned and versioned VeleroTargets (the component adds expiry)", async () => {
    expect(messages(veleroVersionedExpiry.check(await views(() => velero()), {}))).toEqual([]);
    expect(
      messages(veleroVersionedExpiry.check(await views(() => velero({ versioning: true })), {})),
    ).toEqual([]);
  });

  it("rejects a versioned Velero bucket without expiry rules", () => {
    const target = res(TYPES.veleroTarget, "cluster", {});
    const bucket = res(TYPES.s3Bucket, "b", { bucket: "velero-cluster" }, target.urn);
    const versioning = res(TYPES.s3BucketVersioning, "v", {
      bucket: "velero-cluster",
      versioningConfiguration: { status: "Enabled" },
    });
    expect(messages(veleroVersionedExpiry.check([target, bucket, versioning], {}))).toEqual([
      'VeleroTarget "cluster": bucket "velero-cluster" is versioned but no lifecycle rule ' +
        "expires its non-current versions or delete markers, so deleted backups stay forever",
    ]);
    const partial = res(TYPES.ilmPolicy, "l", {
      bucket: "velero-cluster",
      rules: [{ id: "old", status: "Enabled", noncurrentVersionExpirationDays: 7 }],
    });
    expect(
      messages(veleroVersionedExpiry.check([target, bucket, versioning, partial], {})),
    ).toEqual([
      'VeleroTarget "cluster": bucket "velero-cluster" is versioned but no lifecycle rule ' +
        "expires its delete markers, so deleted backups stay forever",
    ]);
  });

  it("finds Velero buckets through a BackupStorageLocation too", () => {
    const location = res("kubernetes:velero.io/v1:BackupStorageLocation", "bsl", {
      kind: "BackupStorageLocation",
      spec: { objectStorage: { bucket: "backups" } },
    });
    const bucket = res(TYPES.s3Bucket, "b", { bucket: "backups", objectLocking: true });
    expect(messages(veleroVersionedExpiry.check([location, bucket], {}))).toEqual([
      'BackupStorageLocation "bsl": bucket "backups" is versioned but no lifecycle rule ' +
        "expires its non-current versions or delete markers, so deleted backups stay forever",
    ]);
  });
});

describe("MinioDeployment hardening", () => {
  const deployment = (
    tls: "off" | "secret" = "off",
    environment = "dev",
    extraLabels: Record<string, string> = {},
  ) =>
    views(() => {
      new MinioDeployment("platform", {
        pools: [{ servers: 4, drivesPerServer: 1, volumeSize: "1Gi" }],
        tls: tls === "off" ? { mode: "off" } : { mode: "secret", secretName: "minio-tls" },
        labels: { "minio-platform/environment": environment, ...extraLabels },
      });
    });
  const statefulSet = (resources: ResourceView[]) =>
    resources.find((r) => r.type === TYPES.statefulSet) as ResourceView;
  /** A copy of the StatefulSet with `edit` applied to its first container and pod spec. */
  const edited = (
    set: ResourceView,
    edit: (container: Record<string, unknown>, pod: Record<string, unknown>) => void,
  ): ResourceView => {
    const props = structuredClone(set.props) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    edit(props.spec.template.spec.containers[0], props.spec.template.spec);
    return { ...set, props };
  };

  it("passes the component's StatefulSet", async () => {
    const set = statefulSet(await deployment());
    expect(statefulSetHardening.check(set, {})).toEqual([]);
  });

  it("rejects missing limits, root, and latest or untagged images", async () => {
    const set = statefulSet(await deployment());
    const bad = edited(set, (c, pod) => {
      c.resources = { requests: { cpu: "1" } };
      delete (c.securityContext as Record<string, unknown>).runAsNonRoot;
      delete (pod.securityContext as Record<string, unknown>).runAsNonRoot;
      c.image = "quay.io/minio/minio:latest";
    });
    expect(statefulSetHardening.check(bad, {})).toEqual([
      'StatefulSet "platform-pool-0" container "minio" has no cpu or memory limit',
      'StatefulSet "platform-pool-0" container "minio" may run as root: set ' +
        "securityContext.runAsNonRoot: true and a non-zero runAsUser",
      'StatefulSet "platform-pool-0" container "minio" uses image ' +
        '"quay.io/minio/minio:latest" tagged "latest"; pin a release tag or digest',
    ]);
    expect(imageTag("localhost:5000/minio")).toBeUndefined();
    expect(imageTag("minio/minio@sha256:abc")).toBe("sha256:abc");
  });

  it("requires TLS in production: by label or by config", async () => {
    const config = { production: false, productionEnvironments: ["prod", "production"] };
    expect(tlsInProduction.check(statefulSet(await deployment("off", "dev")), config)).toEqual([]);
    expect(tlsInProduction.check(statefulSet(await deployment("secret", "prod")), config)).toEqual(
      [],
    );
    expect(tlsInProduction.check(statefulSet(await deployment("off", "prod")), config)).toEqual([
      'StatefulSet "platform-pool-0" container "minio" runs MinIO without TLS in production ' +
        '(environment "prod"); set tls to an existing Secret or cert-manager',
    ]);
    expect(
      tlsInProduction.check(statefulSet(await deployment("off", "dev")), {
        ...config,
        production: true,
      }),
    ).toEqual([
      'StatefulSet "platform-pool-0" container "minio" runs MinIO without TLS in production ' +
        '(environment "dev"); set tls to an existing Secret or cert-manager',
    ]);
    // A stack's `production: true` labels the deployment, whatever the environment is called.
    const labelled = await deployment("off", "eu-1", { "minio-platform/production": "true" });
    expect(tlsInProduction.check(statefulSet(labelled), config)).toEqual([
      'StatefulSet "platform-pool-0" container "minio" runs MinIO without TLS in production ' +
        '(environment "eu-1"); set tls to an existing Secret or cert-manager',
    ]);
  });

  it("requires a PodDisruptionBudget per StatefulSet", async () => {
    const resources = await deployment();
    expect(messages(podDisruptionBudget.check(resources, {}))).toEqual([]);
    const withoutPdb = resources.filter((r) => r.type !== TYPES.podDisruptionBudget);
    expect(messages(podDisruptionBudget.check(withoutPdb, {}))).toEqual([
      'StatefulSet "platform-pool-0" has no PodDisruptionBudget selecting its pods',
    ]);
  });

  it("checks the drive layout with the erasure planner (CASES 13)", async () => {
    const resources = await deployment();
    expect(messages(erasureLayout.check(resources, {}))).toEqual([]);
    const set = statefulSet(resources);
    const threeServers = {
      ...set,
      props: { ...set.props, spec: { ...(set.props.spec as object), replicas: 3 } },
    };
    const others = resources.filter((r) => r !== set);
    expect(messages(erasureLayout.check([...others, threeServers], {}))).toEqual([
      'StatefulSet "platform-pool-0": 3 x 1 drives with EC:2 is not a layout MinIO can run: ' +
        "parity = 2: must be a whole number from 1 to 1 (half the erasure set size 3)",
    ]);
  });
});
