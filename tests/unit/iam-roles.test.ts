import {
  ciReaderPolicy,
  ciWriterPolicy,
  policyJson,
  publicReadBucketPolicy,
  readOnlyPolicy,
  readWritePolicy,
  sharedTenantPolicy,
  validateBucketPolicy,
  validateUserPolicy,
  veleroPolicy,
} from "../../components/iam";

describe("role builders", () => {
  it("read-write lists its actions, bucket actions on the bucket ARN (CASES 4, 5)", () => {
    expect(readWritePolicy("user-acme-data")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "BucketAccess",
          Effect: "Allow",
          Action: [
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:ListBucketVersions",
          ],
          Resource: ["arn:aws:s3:::user-acme-data"],
        },
        {
          Sid: "ObjectAccess",
          Effect: "Allow",
          Action: [
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:DeleteObjectTagging",
            "s3:GetObject",
            "s3:GetObjectTagging",
            "s3:GetObjectVersion",
            "s3:ListMultipartUploadParts",
            "s3:PutObject",
            "s3:PutObjectTagging",
          ],
          Resource: ["arn:aws:s3:::user-acme-data/*"],
        },
      ],
    });
  });

  it("read-only can locate, list and read but not write", () => {
    const doc = readOnlyPolicy("user-acme-data");
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual([
      "s3:GetBucketLocation",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:GetObject",
      "s3:GetObjectTagging",
      "s3:GetObjectVersion",
    ]);
  });

  it("Velero gets exactly DESIGN.md's actions", () => {
    expect(policyJson(veleroPolicy("velero-backups"))).toBe(
      '{"Version":"2012-10-17","Statement":[' +
        '{"Sid":"BucketAccess","Effect":"Allow","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::velero-backups"]},' +
        '{"Sid":"ObjectAccess","Effect":"Allow","Action":["s3:AbortMultipartUpload","s3:DeleteObject","s3:GetObject",' +
        '"s3:ListMultipartUploadParts","s3:PutObject"],"Resource":["arn:aws:s3:::velero-backups/*"]}]}',
    );
  });

  it("Velero with a prefix is limited to it, listing included", () => {
    const doc = veleroPolicy("velero-backups", "cluster-a");
    expect(doc.Statement).toEqual([
      {
        Sid: "ListPrefixes",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::velero-backups"],
        Condition: { StringLike: { "s3:prefix": ["cluster-a/", "cluster-a/*"] } },
      },
      {
        Sid: "ObjectAccess",
        Effect: "Allow",
        Action: [
          "s3:AbortMultipartUpload",
          "s3:DeleteObject",
          "s3:GetObject",
          "s3:ListMultipartUploadParts",
          "s3:PutObject",
        ],
        Resource: ["arn:aws:s3:::velero-backups/cluster-a/*"],
      },
    ]);
  });

  it("CI writer with pipelines: listing narrowed by s3:prefix, objects only under them", () => {
    const doc = ciWriterPolicy("artifacts", ["pipelines/web", "charts"]);
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      "BucketAccess",
      "ListPrefixes",
      "ObjectAccess",
    ]);
    expect(doc.Statement[0]).toEqual({
      Sid: "BucketAccess",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation"],
      Resource: ["arn:aws:s3:::artifacts"],
    });
    expect(doc.Statement[1].Condition).toEqual({
      StringLike: { "s3:prefix": ["charts/", "charts/*", "pipelines/web/", "pipelines/web/*"] },
    });
    expect(doc.Statement[2].Resource).toEqual([
      "arn:aws:s3:::artifacts/charts/*",
      "arn:aws:s3:::artifacts/pipelines/web/*",
    ]);
    expect(doc.Statement[2].Action).toContain("s3:DeleteObject");
  });

  it("prefix variants leave out ListBucketMultipartUploads, which s3:prefix cannot narrow", () => {
    const actions = readWritePolicy("b-data", ["x"]).Statement.flatMap((s) => s.Action);
    expect(actions).not.toContain("s3:ListBucketMultipartUploads");
    expect(actions).toContain("s3:ListBucketVersions");
  });

  it("CI reader only reads", () => {
    expect(ciReaderPolicy("artifacts").Statement.flatMap((s) => s.Action)).toEqual([
      "s3:GetBucketLocation",
      "s3:ListBucket",
      "s3:GetObject",
    ]);
  });

  it("public read is a bucket policy for named prefixes only", () => {
    expect(policyJson(publicReadBucketPolicy("artifacts", ["charts", "public/docs"]))).toBe(
      '{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":{"AWS":["*"]},' +
        '"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::artifacts/charts/*","arn:aws:s3:::artifacts/public/docs/*"]}]}',
    );
    expect(() => publicReadBucketPolicy("artifacts", [])).toThrow(
      "prefixes = []: must name at least one prefix (a whole bucket is never made public)",
    );
  });

  it("the shared tenant policy scopes to ${aws:username}-data", () => {
    const doc = sharedTenantPolicy();
    expect(doc.Statement.flatMap((s) => s.Resource)).toEqual([
      "arn:aws:s3:::${aws:username}-data",
      "arn:aws:s3:::${aws:username}-data/*",
    ]);
    expect(sharedTenantPolicy("-logs").Statement[0].Resource).toEqual([
      "arn:aws:s3:::${aws:username}-logs",
    ]);
    expect(() => sharedTenantPolicy("-*")).toThrow(
      'bucketSuffix = "-*": may contain only lowercase letters, digits, hyphens and dots (at most 40)',
    );
  });

  it("no builder ever grants s3:* or *", () => {
    const docs = [
      readWritePolicy("b-data"),
      readOnlyPolicy("b-data", ["p"]),
      veleroPolicy("b-data"),
      ciWriterPolicy("b-data"),
      ciReaderPolicy("b-data", ["p/q"]),
      publicReadBucketPolicy("b-data", ["p"]),
      sharedTenantPolicy(),
    ];
    for (const doc of docs) {
      for (const action of doc.Statement.flatMap((s) => s.Action)) {
        expect(action).toMatch(/^s3:[A-Za-z]+$/);
      }
    }
  });

  it("every built policy passes the MinIO validators and is already canonical", () => {
    for (const doc of [
      readWritePolicy("b-data", ["x", "y/z"]),
      readOnlyPolicy("b-data"),
      veleroPolicy("b-data", "v"),
      ciWriterPolicy("b-data", ["p"]),
      ciReaderPolicy("b-data"),
      sharedTenantPolicy(),
    ]) {
      expect(policyJson(validateUserPolicy(doc))).toBe(JSON.stringify(doc));
    }
    const pub = publicReadBucketPolicy("b-data", ["p"]);
    expect(policyJson(validateBucketPolicy(pub, "policy", "b-data"))).toBe(JSON.stringify(pub));
  });

  it.each([
    [
      () => readWritePolicy("user-1*"),
      'bucket = "user-1*": may contain only lowercase letters, digits, hyphens and dots ("*" is not allowed)',
    ],
    [
      () => readOnlyPolicy("b-data", ["a/*"]),
      'prefixes[0] = "a/*": must not contain "*" (wildcards and policy variables widen policies)',
    ],
    [
      () => ciWriterPolicy("b-data", ["ok", "${aws:username}"]),
      'prefixes[1] = "${aws:username}": must not contain "$" (wildcards and policy variables widen policies)',
    ],
    [() => veleroPolicy("b-data", "/x"), 'prefix = "/x": must not start or end with a slash'],
    [
      () => ciReaderPolicy("b-data", []),
      "prefixes = []: must be a non-empty list of prefixes, or be left out for the whole bucket",
    ],
  ])("refuses input that could widen the policy %#", (build, message) => {
    expect(build).toThrow(message);
  });
});
