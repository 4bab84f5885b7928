/**
 * The policy-document rules, each with a passing and a failing fixture and its exact message;
 * CASES 3, 4, 5 and 6.
 */
import { policyJson, readOnlyPolicy, readWritePolicy, veleroPolicy } from "../../components/iam";
import {
  actionResourceKind,
  bucketPolicyPrincipal,
  minioAcceptsPolicy,
  noBucketWildcard,
  noWildcardActions,
} from "../../policy-pack/rules/iam";
import { TYPES } from "../../policy-pack/rules/resources";
import { mandatory, res, runPack } from "./harness";

const iamPolicy = (policy: unknown, name = "tenant-policy") =>
  res(TYPES.iamPolicy, "p", {
    name,
    policy: typeof policy === "string" ? policy : JSON.stringify(policy),
  });

const statement = (Action: unknown, Resource: unknown, extra: object = {}) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action, Resource, ...extra }],
});

describe("no-wildcard-actions (CASES 4)", () => {
  const check = (view: ReturnType<typeof iamPolicy>, admin: string[] = []) =>
    noWildcardActions.check(view, { adminPolicyNames: admin });

  it("passes a generated role, which lists its actions", () => {
    expect(check(iamPolicy(policyJson(readWritePolicy("user-acme-data"))))).toEqual([]);
  });

  it("rejects s3:* on a tenant bucket", () => {
    expect(check(iamPolicy(statement("s3:*", "arn:aws:s3:::user-acme-data/*")))).toEqual([
      'IamPolicy "p": statement 0 allows "s3:*", which also covers actions such as ' +
        "s3:DeleteBucket and s3:PutLifecycleConfiguration; list the actions the role needs " +
        "(only adminPolicyNames may use wildcards)",
    ]);
  });

  it('rejects "*" and partial wildcards such as s3:Get*', () => {
    expect(check(iamPolicy(statement(["*", "s3:Get*"], "arn:aws:s3:::b/*")))).toEqual([
      'IamPolicy "p": statement 0 allows "*", "s3:Get*", which also covers actions such as ' +
        "s3:DeleteBucket and s3:PutLifecycleConfiguration; list the actions the role needs " +
        "(only adminPolicyNames may use wildcards)",
    ]);
  });

  it("allows wildcards in a policy named in adminPolicyNames", () => {
    const admin = iamPolicy(statement("s3:*", "arn:aws:s3:::*"), "platform-admin");
    expect(check(admin, ["platform-admin"])).toEqual([]);
    expect(check(admin)).toHaveLength(1);
  });

  it("ignores wildcards in a Deny, which only narrows", () => {
    const deny = iamPolicy({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }],
    });
    expect(check(deny)).toEqual([]);
  });

  it("checks access-key and bucket policies too", () => {
    const key = res(TYPES.iamServiceAccount, "sa", {
      targetUser: "user-acme",
      policy: JSON.stringify(statement("s3:*", "arn:aws:s3:::user-acme-data/*")),
    });
    expect(check(key)[0]).toMatch(/^IamServiceAccount "sa": statement 0 allows "s3:\*"/);
  });
});

describe("no-bucket-wildcard-in-arn (CASES 3)", () => {
  const check = (view: ReturnType<typeof iamPolicy>) =>
    noBucketWildcard.check(view, { adminPolicyNames: [] });

  it("passes exact bucket names and ${aws:username} buckets", () => {
    expect(check(iamPolicy(policyJson(readOnlyPolicy("user-acme-data"))))).toEqual([]);
    expect(
      check(iamPolicy(statement("s3:GetObject", "arn:aws:s3:::${aws:username}-data/*"))),
    ).toEqual([]);
  });

  it("rejects user-1* which also matches user-10-data", () => {
    expect(check(iamPolicy(statement("s3:GetObject", "arn:aws:s3:::user-1*")))).toEqual([
      'IamPolicy "p": statement 0 resource "arn:aws:s3:::user-1*" has a wildcard in the ' +
        "bucket name, so it also matches every other bucket that fits the pattern (user-1* " +
        "matches user-10-data); name the bucket exactly",
    ]);
  });

  it("rejects a bucket taken from a variable MinIO fills from the request", () => {
    const referer = statement("s3:GetObject", "arn:aws:s3:::${aws:Referer}/*");
    expect(check(iamPolicy(referer))).toEqual([
      'IamPolicy "p": statement 0 resource "arn:aws:s3:::${aws:Referer}/*" takes its bucket ' +
        "name from ${aws:Referer}, which MinIO fills from the request, so the caller can name " +
        "any bucket (even *); use the bucket's name or ${aws:username}",
    ]);
    // MinIO itself accepts the policy, so the refusal rule has nothing to say about it.
    expect(minioAcceptsPolicy.check(iamPolicy(referer), {})).toEqual([]);
  });

  it('rejects the "*" resource', () => {
    expect(check(iamPolicy(statement("s3:GetObject", "*")))).toEqual([
      'IamPolicy "p": statement 0 resource "*" has a wildcard in the bucket name, so it also ' +
        "matches every other bucket that fits the pattern (user-1* matches user-10-data); " +
        "name the bucket exactly",
    ]);
  });

  it("accepts wildcards after the bucket name", () => {
    expect(check(iamPolicy(statement("s3:GetObject", "arn:aws:s3:::b/logs/*")))).toEqual([]);
  });
});

describe("action-resource-kind (CASES 3 and 5)", () => {
  const check = (view: ReturnType<typeof iamPolicy>) => actionResourceKind.check(view, {});

  it("passes roles that split bucket and object statements", () => {
    for (const doc of [readWritePolicy("b-1"), readOnlyPolicy("b-1"), veleroPolicy("b-1", "p")]) {
      expect(check(iamPolicy(policyJson(doc)))).toEqual([]);
    }
  });

  it("rejects object actions on a bare bucket ARN, which grant nothing", () => {
    expect(check(iamPolicy(statement(["s3:GetObject"], "arn:aws:s3:::user-acme-data")))).toEqual([
      'IamPolicy "p": statement 0 grants object actions s3:GetObject on the bucket ARN ' +
        '"arn:aws:s3:::user-acme-data", which matches no object and grants nothing; use ' +
        '"arn:aws:s3:::user-acme-data/*"',
    ]);
  });

  it("rejects ListBucket on bucket/* (CASES 5)", () => {
    expect(check(iamPolicy(statement(["s3:ListBucket"], "arn:aws:s3:::user-acme-data/*")))).toEqual(
      [
        'IamPolicy "p": statement 0 grants bucket actions s3:ListBucket on the object ARN ' +
          '"arn:aws:s3:::user-acme-data/*"; bucket actions belong on "arn:aws:s3:::user-acme-data"',
      ],
    );
  });
});

describe("minio-accepts-policy (CASES 6)", () => {
  const check = (view: ReturnType<typeof iamPolicy>) => minioAcceptsPolicy.check(view, {});
  const refused = (doc: unknown) => check(iamPolicy(doc));

  it("passes what MinIO loads", () => {
    expect(refused(policyJson(readWritePolicy("user-acme-data")))).toEqual([]);
  });

  it.each([
    [
      "s3:GetBucketAcl",
      statement("s3:GetBucketAcl", "arn:aws:s3:::b"),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Action = "s3:GetBucketAcl": ' +
        "is not a MinIO action (MinIO has no ACLs; access is granted by policies only)",
    ],
    [
      "s3:PutObjectAcl",
      statement("s3:PutObjectAcl", "arn:aws:s3:::b/*"),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Action = "s3:PutObjectAcl": ' +
        "is not a MinIO action (MinIO has no ACLs; access is granted by policies only)",
    ],
    [
      "s3:ListObjects",
      statement("s3:ListObjects", "arn:aws:s3:::b"),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Action = "s3:ListObjects": ' +
        "is not a MinIO action (listing a bucket is s3:ListBucket)",
    ],
    [
      "Version 2008",
      { ...statement("s3:GetObject", "arn:aws:s3:::b/*"), Version: "2008-10-17" },
      'IamPolicy "p" would be refused by MinIO: policy.Version = "2008-10-17": must be ' +
        '"2012-10-17" (MinIO refuses any other version)',
    ],
    [
      "arn:minio:",
      statement("s3:GetObject", "arn:minio:s3:::b/*"),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Resource = ' +
        '"arn:minio:s3:::b/*": arn:minio: resources are refused; use arn:aws:s3:::<bucket>',
    ],
    [
      "the bare arn:aws:s3:::",
      statement("s3:GetObject", "arn:aws:s3:::"),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Resource = "arn:aws:s3:::": ' +
        "the bare arn:aws:s3::: names no resource (MinIO refuses it); use arn:aws:s3:::<bucket>",
    ],
    [
      "Principal in a user policy",
      statement("s3:GetObject", "arn:aws:s3:::b/*", { Principal: "*" }),
      'IamPolicy "p" would be refused by MinIO: policy.Statement[0].Principal = {"AWS":["*"]}: ' +
        "must not appear in a user policy (MinIO refuses it)",
    ],
  ])("rejects %s with MinIO's reason", (_case, doc, message) => {
    expect(refused(doc)).toEqual([message]);
  });

  it("rejects admin: and s3: actions in one statement", () => {
    const [message] = refused(statement(["admin:ServerInfo", "s3:GetObject"], "arn:aws:s3:::b/*"));
    expect(message).toMatch(
      /^IamPolicy "p" would be refused by MinIO: policy\.Statement\[0\]\.Action = .*: must not mix admin: and s3: actions in one statement \(MinIO refuses it\)$/,
    );
  });

  it("checks a bucket policy's resources against its bucket", () => {
    const view = res(TYPES.s3BucketPolicy, "bp", {
      bucket: "artifacts-ci",
      policy: JSON.stringify(
        statement("s3:GetObject", "arn:aws:s3:::user-acme-data/*", { Principal: "*" }),
      ),
    });
    expect(minioAcceptsPolicy.check(view, {})).toEqual([
      'S3BucketPolicy "bp" would be refused by MinIO: policy.Statement[0].Resource = ' +
        '"arn:aws:s3:::user-acme-data/*": must be bucket "artifacts-ci" or inside it',
    ]);
  });
});

describe("bucket-policy-principal (CASES 1)", () => {
  const bucketPolicy = (principal: unknown) =>
    res(TYPES.s3BucketPolicy, "bp", {
      bucket: "user-acme-data",
      policy: JSON.stringify(
        statement("s3:GetObject", "arn:aws:s3:::user-acme-data/*", { Principal: principal }),
      ),
    });

  it('passes the "*" principal', () => {
    expect(bucketPolicyPrincipal.check(bucketPolicy("*"), {})).toEqual([]);
  });

  it("rejects a principal naming a tenant user as ineffective on MinIO", () => {
    expect(bucketPolicyPrincipal.check(bucketPolicy({ AWS: ["user-acme"] }), {})).toEqual([
      'S3BucketPolicy "bp": statement 0 names principal "user-acme", which has no effect on ' +
        "MinIO (bucket policies only govern anonymous requests); grant users access with user " +
        "or group policies",
    ]);
  });
});

describe("resource rules through the policy SDK's shapes", () => {
  it("report each violation under its policy at its enforcement level", async () => {
    const bad = iamPolicy(statement("s3:*", "arn:aws:s3:::user-1*"));
    const violations = mandatory(
      await runPack([bad], {}, [noWildcardActions, noBucketWildcard, actionResourceKind]),
    );
    expect(violations.map((v) => v.policy)).toEqual([
      "no-wildcard-actions",
      "no-bucket-wildcard-in-arn",
    ]);
  });

  it("read the admin role names from the policy's config", async () => {
    const admin = iamPolicy(statement("s3:*", "arn:aws:s3:::*"), "platform-admin");
    const config = { "no-wildcard-actions": { adminPolicyNames: ["platform-admin"] } };
    expect(await runPack([admin], config, [noWildcardActions])).toEqual([]);
    expect(await runPack([admin], {}, [noWildcardActions])).toHaveLength(1);
  });

  it("take an enforcement level of mandatory by default", () => {
    for (const rule of [noWildcardActions, noBucketWildcard, actionResourceKind]) {
      expect(rule.enforcementLevel).toBe("mandatory");
    }
  });
});
