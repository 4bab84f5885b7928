import { InvalidArgumentError } from "../../components/errors";
import { canonicalPolicy, policyJson } from "../../components/iam";

describe("canonicalPolicy (CASES 7)", () => {
  it("turns the loose forms into MinIO's normalised form", () => {
    const loose = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::artifacts/charts/*",
      },
    };
    expect(canonicalPolicy(loose)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::artifacts/charts/*"],
        },
      ],
    });
  });

  it("sorts and de-duplicates sets and drops statements equal but for their Sid", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "B",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:GetObject"],
          Resource: "arn:aws:s3:::b/*",
        },
        {
          Sid: "A",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:PutObject"],
          Resource: ["arn:aws:s3:::b/*"],
        },
      ],
    };
    expect(canonicalPolicy(doc).Statement).toEqual([
      {
        Sid: "A",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: ["arn:aws:s3:::b/*"],
      },
    ]);
  });

  it("writes keys in MinIO's order and condition values as sorted string arrays", () => {
    const json = policyJson({
      Statement: [
        {
          Condition: {
            Bool: { "aws:SecureTransport": true },
            StringLike: { "s3:prefix": ["b/*", "a/"] },
          },
          Resource: "arn:aws:s3:::b",
          Action: "s3:ListBucket",
          Effect: "Allow",
          Sid: "List",
        },
      ],
      Version: "2012-10-17",
    });
    expect(json).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"List","Effect":"Allow","Action":["s3:ListBucket"],' +
        '"Resource":["arn:aws:s3:::b"],"Condition":{"Bool":{"aws:SecureTransport":["true"]},' +
        '"StringLike":{"s3:prefix":["a/","b/*"]}}}]}',
    );
  });

  it("is byte-identical whatever order the caller wrote things in", () => {
    const a = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketLocation"],
          Resource: ["arn:aws:s3:::x"],
        },
        {
          Effect: "Deny",
          Action: "s3:DeleteObject",
          Resource: ["arn:aws:s3:::x/b/*", "arn:aws:s3:::x/a/*"],
        },
        { Sid: "Z", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" },
      ],
    };
    const b = {
      Statement: [
        { Resource: "arn:aws:s3:::x/*", Action: ["s3:GetObject"], Effect: "Allow", Sid: "Z" },
        {
          Effect: "Deny",
          Resource: ["arn:aws:s3:::x/a/*", "arn:aws:s3:::x/b/*", "arn:aws:s3:::x/a/*"],
          Action: ["s3:DeleteObject"],
        },
        {
          Effect: "Allow",
          Action: ["s3:GetBucketLocation", "s3:ListBucket"],
          Resource: "arn:aws:s3:::x",
        },
      ],
      Version: "2012-10-17",
    };
    expect(policyJson(a)).toBe(policyJson(b));
    expect(policyJson(JSON.stringify(a))).toBe(policyJson(a));
    // Statements without a Sid sort first, then by their canonical text (Allow before Deny).
    expect(canonicalPolicy(a).Statement.map((s) => `${s.Sid ?? ""}:${s.Effect}`)).toEqual([
      ":Allow",
      ":Deny",
      "Z:Allow",
    ]);
  });

  it("is idempotent: the canonical form of the canonical form is itself", () => {
    const once = policyJson({ Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }] });
    expect(policyJson(once)).toBe(once);
    expect(once).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:*"],"Resource":["*"]}]}',
    );
  });

  it.each([
    [null, "policy", "must be a policy document object"],
    ["{not json", "policy", "must be valid JSON"],
    [
      { Version: "2008-10-17", Statement: [] },
      "policy.Version",
      'must be "2012-10-17" (MinIO refuses any other version)',
    ],
    [{ Version: "2012-10-17" }, "policy.Statement", "is required"],
    [
      { Statement: [{ Effect: "allow", Action: "s3:GetObject", Resource: "*" }] },
      "policy.Statement[0].Effect",
      'must be "Allow" or "Deny"',
    ],
    [
      { Statement: [{ Effect: "Allow", Action: [3], Resource: "*" }] },
      "policy.Statement[0].Action[0]",
      "must be a non-empty string",
    ],
    [
      { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", NotAction: "x" }] },
      "policy.Statement[0].NotAction",
      "NotAction is not supported by this library: list what is allowed instead",
    ],
    [
      {
        Statement: [
          { Effect: "Allow", Principal: { Service: "x" }, Action: "s3:GetObject", Resource: "*" },
        ],
      },
      "policy.Statement[0].Principal.Service",
      "is not a principal kind MinIO knows (only AWS)",
    ],
    [
      {
        Statement: [
          {
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: "*",
            Condition: { StringLike: { "s3:prefix": [] } },
          },
        ],
      },
      "policy.Statement[0].Condition.StringLike.s3:prefix",
      "must list at least one value",
    ],
    [
      { Statement: [], Id: "x" },
      "policy.Id",
      "is not a field this library writes (only Version and Statement)",
    ],
  ])("rejects garbage %#", (doc, argument, rule) => {
    let caught: unknown;
    try {
      canonicalPolicy(doc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).argument).toBe(argument);
    expect((caught as InvalidArgumentError).rule).toBe(rule);
  });
});
