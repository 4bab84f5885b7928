import { InvalidArgumentError } from "../../components/errors";
import {
  MINIO_REFUSALS_ONLY,
  requestVariables,
  validateBucketPolicy,
  validateUserPolicy,
} from "../../components/iam";

function refusal(fn: () => unknown): { argument: string; value: unknown; rule: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) {
      return { argument: err.argument, value: err.value, rule: err.rule };
    }
    throw err;
  }
  throw new Error("expected an InvalidArgumentError");
}

const user = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const objects = (action: string | string[], resource: string | string[] = "arn:aws:s3:::b/*") => ({
  Effect: "Allow",
  Action: action,
  Resource: resource,
});

describe("validateUserPolicy: what MinIO refuses (CASES 6)", () => {
  it.each([
    [
      "s3:GetBucketAcl",
      user(objects("s3:GetBucketAcl", "arn:aws:s3:::b")),
      "policy.Statement[0].Action",
      "is not a MinIO action (MinIO has no ACLs; access is granted by policies only)",
    ],
    [
      "s3:PutObjectAcl",
      user(objects(["s3:GetObject", "s3:PutObjectAcl"])),
      "policy.Statement[0].Action",
      "is not a MinIO action (MinIO has no ACLs; access is granted by policies only)",
    ],
    [
      "s3:ListObjects",
      user(objects("s3:ListObjects", "arn:aws:s3:::b")),
      "policy.Statement[0].Action",
      "is not a MinIO action (listing a bucket is s3:ListBucket)",
    ],
    [
      "Version 2008-10-17",
      { Version: "2008-10-17", Statement: [objects("s3:GetObject")] },
      "policy.Version",
      'must be "2012-10-17" (MinIO refuses any other version)',
    ],
    [
      "arn:minio: resources",
      user(objects("s3:GetObject", "arn:minio:s3:::b/*")),
      "policy.Statement[0].Resource",
      "arn:minio: resources are refused; use arn:aws:s3:::<bucket>",
    ],
    [
      "admin: with s3: in one statement",
      user(objects(["admin:ServerInfo", "s3:GetObject"])),
      "policy.Statement[0].Action",
      "must not mix admin: and s3: actions in one statement (MinIO refuses it)",
    ],
    [
      "Principal in a user policy",
      user({ ...objects("s3:GetObject"), Principal: { AWS: ["user-acme"] } }),
      "policy.Statement[0].Principal",
      "must not appear in a user policy (MinIO refuses it)",
    ],
    [
      "the bare arn:aws:s3:::",
      user(objects("s3:ListBucket", "arn:aws:s3:::")),
      "policy.Statement[0].Resource",
      "the bare arn:aws:s3::: names no resource (MinIO refuses it); use arn:aws:s3:::<bucket>",
    ],
    [
      "an unknown action",
      user(objects("s3:GetObjectz")),
      "policy.Statement[0].Action",
      "is not an S3 action MinIO knows",
    ],
    [
      "a wildcard that matches no action",
      user(objects("s3:Frobnicate*")),
      "policy.Statement[0].Action",
      "is not an S3 action MinIO knows",
    ],
    [
      "a foreign service",
      user(objects("ec2:RunInstances")),
      "policy.Statement[0].Action",
      "is not an action this library accepts (only s3: and admin:)",
    ],
    [
      "an empty Action",
      user(objects([])),
      "policy.Statement[0].Action",
      "must list at least one action",
    ],
    [
      "an empty Resource",
      user(objects("s3:GetObject", [])),
      "policy.Statement[0].Resource",
      "must list at least one resource",
    ],
    [
      "an Effect other than Allow or Deny",
      user({ ...objects("s3:GetObject"), Effect: "Permit" }),
      "policy.Statement[0].Effect",
      'must be "Allow" or "Deny"',
    ],
    ["no statements", user(), "policy.Statement", "must contain at least one statement"],
    [
      "s3:prefix on a non-list action",
      user({ ...objects("s3:GetObject"), Condition: { StringLike: { "s3:prefix": "a/*" } } }),
      "policy.Statement[0].Condition.StringLike.s3:prefix",
      "applies only to s3:ListBucket and s3:ListBucketVersions, not to s3:GetObject (MinIO refuses it)",
    ],
    [
      "an unknown condition operator",
      user({ ...objects("s3:GetObject"), Condition: { StringSorta: { "aws:username": "x" } } }),
      "policy.Statement[0].Condition.StringSorta",
      "is not a condition operator MinIO knows",
    ],
    [
      "a resource that is not an S3 ARN",
      user(objects("s3:GetObject", "arn:aws:ec2:::b")),
      "policy.Statement[0].Resource",
      "must be an S3 ARN: arn:aws:s3:::<bucket> or <bucket>/<key>",
    ],
  ])("refuses %s", (_name, doc, argument, rule) => {
    const found = refusal(() => validateUserPolicy(doc));
    expect(found.argument).toBe(argument);
    expect(found.rule).toBe(rule);
  });

  it("points at the statement as the caller wrote it, not the canonical order", () => {
    const doc = user(objects("s3:GetObject"), {
      Sid: "A",
      ...objects("s3:ListObjects", "arn:aws:s3:::b"),
    });
    expect(refusal(() => validateUserPolicy(doc, "tenants[2].policy")).argument).toBe(
      "tenants[2].policy.Statement[1].Action",
    );
  });

  it("refuses object actions on a bare bucket ARN and bucket actions on bucket/* (CASES 3, 5)", () => {
    expect(
      refusal(() => validateUserPolicy(user(objects("s3:GetObject", "arn:aws:s3:::b")))).rule,
    ).toBe(
      "object actions such as s3:GetObject need an object resource such as arn:aws:s3:::<bucket>/*",
    );
    expect(
      refusal(() => validateUserPolicy(user(objects("s3:ListBucket", "arn:aws:s3:::b/*")))).rule,
    ).toBe("bucket actions such as s3:ListBucket need the bucket resource arn:aws:s3:::<bucket>");
  });

  it("accepts what MinIO accepts and returns the canonical form", () => {
    const doc = user(
      {
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::b",
        Condition: { StringLike: { "s3:prefix": ["a/", "a/*"] } },
      },
      {
        Effect: "Deny",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::b/secret/*", "arn:aws:s3:::b"],
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
      { Effect: "Allow", Action: ["admin:ServerInfo"] },
      objects(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::${aws:username}-data/*"),
    );
    expect(validateUserPolicy(doc).Statement).toHaveLength(4);
    expect(validateUserPolicy(JSON.stringify(doc)).Statement[0]).toEqual({
      Effect: "Allow",
      Action: ["admin:ServerInfo"],
      Resource: [],
    });
  });
});

describe("policy variables in resources", () => {
  const policy = (Resource: string) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [Resource] }],
  });

  it("accepts the user's own name, which the caller cannot choose", () => {
    expect(() => validateUserPolicy(policy("arn:aws:s3:::${aws:username}-data/*"))).not.toThrow();
    expect(() => validateUserPolicy(policy("arn:aws:s3:::home/${aws:userid}/*"))).not.toThrow();
  });

  it("refuses a variable MinIO fills from the request, in the bucket or the key", () => {
    expect(() => validateUserPolicy(policy("arn:aws:s3:::${aws:UserAgent}/*"), "doc")).toThrow(
      'doc.Statement[0].Resource = "arn:aws:s3:::${aws:UserAgent}/*": uses ${aws:UserAgent}, ' +
        "which MinIO fills from the request, so the caller would choose what it matches " +
        "(even *); resources may use only ${aws:username} and ${aws:userid}",
    );
    expect(() => validateUserPolicy(policy("arn:aws:s3:::home/${aws:SourceIp}/*"))).toThrow(
      /uses \$\{aws:SourceIp\}, which MinIO fills from the request/,
    );
    expect(requestVariables("arn:aws:s3:::${aws:username}/${aws:Referer}/${jwt:sub}")).toEqual([
      "${aws:Referer}",
      "${jwt:sub}",
    ]);
  });

  it("lets the evaluator load it, as MinIO does", () => {
    expect(() =>
      validateUserPolicy(policy("arn:aws:s3:::${aws:Referer}/*"), "p", MINIO_REFUSALS_ONLY),
    ).not.toThrow();
  });
});

describe("validateBucketPolicy", () => {
  const pub = {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/pub/*" },
    ],
  };

  it("accepts a public prefix and returns the canonical form", () => {
    expect(validateBucketPolicy(pub, "policy", "b").Statement[0].Principal).toEqual({ AWS: ["*"] });
  });

  it("needs a Principal, s3: actions only and resources of its own bucket", () => {
    expect(refusal(() => validateBucketPolicy(user(objects("s3:GetObject"))))).toEqual({
      argument: "policy.Statement[0].Principal",
      value: undefined,
      rule: "is required in a bucket policy",
    });
    const admin = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: "admin:ServerInfo" }],
    };
    expect(refusal(() => validateBucketPolicy(admin)).rule).toBe(
      "bucket policies may grant only s3: actions",
    );
    expect(refusal(() => validateBucketPolicy(pub, "policy", "other"))).toEqual({
      argument: "policy.Statement[0].Resource",
      value: "arn:aws:s3:::b/pub/*",
      rule: 'must be bucket "other" or inside it',
    });
  });
});
