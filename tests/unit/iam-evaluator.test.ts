import { InvalidArgumentError } from "../../components/errors";
import {
  AccessModel,
  AccessPrincipal,
  NamedPolicy,
  READ_WRITE_ACTIONS,
  allowedActions,
  evaluate,
  publicReadBucketPolicy,
  readOnlyPolicy,
  readWritePolicy,
  sharedTenantPolicy,
  veleroPolicy,
} from "../../components/iam";

const acme: AccessPrincipal = { kind: "user", name: "user-acme" };
const anonymous: AccessPrincipal = { kind: "anonymous" };
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const userPolicy = (name: string, user: string, document: unknown): NamedPolicy => ({
  name,
  document,
  attachedTo: { kind: "user", name: user },
});

describe("evaluate: the basic decision", () => {
  const policies = [userPolicy("acme-rw", "user-acme", readWritePolicy("user-acme-data"))];

  it("allows what a statement grants and names that statement", () => {
    expect(
      evaluate(
        { principal: acme, action: "s3:GetObject", bucket: "user-acme-data", key: "a/b.txt" },
        policies,
      ),
    ).toEqual({
      allowed: true,
      decidedBy: [{ policy: "acme-rw", statementIndex: 1, sid: "ObjectAccess", effect: "Allow" }],
      reason: 'allowed by policy "acme-rw" statement 1 (ObjectAccess)',
    });
  });

  it("denies implicitly what nothing grants", () => {
    expect(
      evaluate(
        { principal: acme, action: "s3:GetObject", bucket: "user-beta-data", key: "x" },
        policies,
      ),
    ).toEqual({
      allowed: false,
      decidedBy: [],
      reason: "no statement allows s3:GetObject on arn:aws:s3:::user-beta-data/x (implicit deny)",
    });
    expect(
      evaluate({ principal: acme, action: "s3:DeleteBucket", bucket: "user-acme-data" }, policies)
        .allowed,
    ).toBe(false);
  });

  it("lets an explicit Deny beat any Allow, in any policy of the user's set", () => {
    const deny = userPolicy(
      "no-delete",
      "user-acme",
      doc({
        Sid: "KeepAudit",
        Effect: "Deny",
        Action: "s3:Delete*",
        Resource: "arn:aws:s3:::user-acme-data/audit/*",
      }),
    );
    const model = new AccessModel([...policies, deny]);
    const request = { principal: acme, action: "s3:DeleteObject", bucket: "user-acme-data" };
    expect(model.evaluate({ ...request, key: "audit/2024.log" })).toEqual({
      allowed: false,
      decidedBy: [{ policy: "no-delete", statementIndex: 0, sid: "KeepAudit", effect: "Deny" }],
      reason: 'explicitly denied by policy "no-delete" statement 0 (KeepAudit)',
    });
    expect(model.evaluate({ ...request, key: "tmp/x" }).allowed).toBe(true);
  });

  it("includes the policies of the user's groups", () => {
    const group: NamedPolicy = {
      name: "readers",
      document: readOnlyPolicy("shared-data"),
      attachedTo: { kind: "group", name: "analysts" },
    };
    const request = { action: "s3:GetObject", bucket: "shared-data", key: "k" };
    expect(
      evaluate({ ...request, principal: { ...acme, groups: ["analysts"] } }, [group]).allowed,
    ).toBe(true);
    expect(evaluate({ ...request, principal: acme }, [group]).allowed).toBe(false);
  });

  it("denies everything to a disabled user", () => {
    expect(
      evaluate(
        {
          principal: { ...acme, disabled: true },
          action: "s3:GetObject",
          bucket: "user-acme-data",
          key: "k",
        },
        policies,
      ),
    ).toEqual({ allowed: false, decidedBy: [], reason: 'user "user-acme" is disabled' });
  });
});

describe("evaluate: resources and wildcards (CASES 3, 4, 5)", () => {
  it("a wildcard in the bucket part reaches other tenants' buckets", () => {
    const wide = [
      userPolicy(
        "wide",
        "user-1",
        doc({
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:ListBucket"],
          Resource: "arn:aws:s3:::user-1*",
        }),
      ),
    ];
    expect(
      evaluate(
        {
          principal: { kind: "user", name: "user-1" },
          action: "s3:GetObject",
          bucket: "user-10-data",
          key: "secret",
        },
        wide,
      ).allowed,
    ).toBe(true);
    expect(
      evaluate(
        {
          principal: { kind: "user", name: "user-1" },
          action: "s3:ListBucket",
          bucket: "user-10-data",
        },
        wide,
      ).allowed,
    ).toBe(true);
  });

  it("object actions match only object ARNs: on a bare bucket ARN they grant nothing", () => {
    const bare = [
      userPolicy(
        "bare",
        "user-acme",
        doc({
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:ListBucket"],
          Resource: "arn:aws:s3:::b",
        }),
      ),
    ];
    expect(
      evaluate({ principal: acme, action: "s3:GetObject", bucket: "b", key: "k" }, bare).allowed,
    ).toBe(false);
    expect(evaluate({ principal: acme, action: "s3:ListBucket", bucket: "b" }, bare).allowed).toBe(
      true,
    );
  });

  it("s3:* on bucket/* also allows deleting the bucket and replacing its lifecycle", () => {
    const star = [
      userPolicy(
        "star",
        "user-acme",
        doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }),
      ),
    ];
    for (const action of ["s3:DeleteBucket", "s3:PutLifecycleConfiguration", "s3:PutObject"]) {
      const key = action === "s3:PutObject" ? "k" : undefined;
      expect(evaluate({ principal: acme, action, bucket: "b", key }, star).allowed).toBe(true);
    }
  });

  it("a read role needs GetBucketLocation and ListBucket on the bucket ARN", () => {
    const getOnly = new AccessModel([
      userPolicy(
        "get",
        "user-acme",
        doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
      ),
    ]);
    expect(
      getOnly.evaluate({ principal: acme, action: "s3:ListBucket", bucket: "b" }).allowed,
    ).toBe(false);
    expect(
      getOnly.evaluate({ principal: acme, action: "s3:GetBucketLocation", bucket: "b" }).allowed,
    ).toBe(false);
    const role = new AccessModel([userPolicy("ro", "user-acme", readOnlyPolicy("b-data"))]);
    for (const action of ["s3:GetBucketLocation", "s3:ListBucket"]) {
      expect(role.evaluate({ principal: acme, action, bucket: "b-data" }).allowed).toBe(true);
    }
  });

  it("matches actions with * and ?", () => {
    const policies = [
      userPolicy(
        "p",
        "user-acme",
        doc({
          Effect: "Allow",
          Action: ["s3:Get?bject", "s3:List*"],
          Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        }),
      ),
    ];
    const ask = (action: string, key?: string) =>
      evaluate({ principal: acme, action, bucket: "b", key }, policies).allowed;
    expect(ask("s3:GetObject", "k")).toBe(true);
    expect(ask("s3:GetObjectVersion", "k")).toBe(false);
    expect(ask("s3:ListBucketVersions")).toBe(true);
    expect(ask("s3:PutObject", "k")).toBe(false);
  });
});

describe("evaluate: conditions", () => {
  const list = userPolicy("ci", "user-ci", readOnlyPolicy("artifacts", ["charts"]));
  const ci: AccessPrincipal = { kind: "user", name: "user-ci" };

  it("s3:prefix limits listing to the granted prefixes", () => {
    const ask = (prefix?: string) =>
      evaluate({ principal: ci, action: "s3:ListBucket", bucket: "artifacts", prefix }, [list])
        .allowed;
    expect(ask("charts/")).toBe(true);
    expect(ask("charts/web/")).toBe(true);
    expect(ask("pipelines/")).toBe(false);
    expect(ask("")).toBe(false);
    expect(ask(undefined)).toBe(false);
  });

  it("a negated condition holds when the key is absent", () => {
    const denyOthers = userPolicy(
      "deny",
      "user-ci",
      doc({
        Effect: "Deny",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::artifacts",
        Condition: { StringNotLike: { "s3:prefix": "charts/*" } },
      }),
    );
    const allowAll = userPolicy(
      "all",
      "user-ci",
      doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::artifacts" }),
    );
    const model = new AccessModel([denyOthers, allowAll]);
    expect(
      model.evaluate({ principal: ci, action: "s3:ListBucket", bucket: "artifacts" }).allowed,
    ).toBe(false);
    expect(
      model.evaluate({
        principal: ci,
        action: "s3:ListBucket",
        bucket: "artifacts",
        prefix: "charts/a",
      }).allowed,
    ).toBe(true);
  });

  it("IpAddress, NotIpAddress and Bool on aws:SecureTransport", () => {
    const model = new AccessModel([
      userPolicy(
        "net",
        "user-ci",
        doc(
          {
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "fd00::/8"] } },
          },
          {
            Effect: "Deny",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { NotIpAddress: { "aws:SourceIp": "10.1.0.0/16" } },
          },
          {
            Effect: "Deny",
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { Bool: { "aws:SecureTransport": false } },
          },
          { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*" },
        ),
      ),
    ]);
    const get = (sourceIp: string) =>
      model.evaluate({ principal: ci, action: "s3:GetObject", bucket: "b", key: "k", sourceIp })
        .allowed;
    expect(get("10.1.2.3")).toBe(true);
    expect(get("10.2.0.1")).toBe(false); // allowed by the first, denied by NotIpAddress
    expect(get("192.168.0.1")).toBe(false);
    const put = (secureTransport?: boolean) =>
      model.evaluate({
        principal: ci,
        action: "s3:PutObject",
        bucket: "b",
        key: "k",
        secureTransport,
      }).allowed;
    expect(put(true)).toBe(true);
    expect(put(false)).toBe(false);
    expect(put(undefined)).toBe(false);
  });

  it("refuses policies with operators it does not model, and policies MinIO refuses (CASES 6)", () => {
    const numeric = userPolicy(
      "n",
      "u",
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::b",
        Condition: { NumericLessThan: { "s3:max-keys": "10" } },
      }),
    );
    expect(() => new AccessModel([numeric])).toThrow(
      'Policy "n": policy.Statement[0].Condition.NumericLessThan = {"s3:max-keys":["10"]}: is not modelled by the evaluator (only String*, IpAddress, NotIpAddress, Bool, Null)',
    );
    const acl = userPolicy(
      "acl",
      "u",
      doc({ Effect: "Allow", Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::b" }),
    );
    expect(() => new AccessModel([acl])).toThrow(InvalidArgumentError);
    expect(() => new AccessModel([acl])).toThrow(
      'Policy "acl": policy.Statement[0].Action = "s3:GetBucketAcl": is not a MinIO action (MinIO has no ACLs; access is granted by policies only)',
    );
  });
});

describe("evaluate: access keys (service accounts)", () => {
  const parent = userPolicy("acme-rw", "user-acme", readWritePolicy("user-acme-data"));
  const key: AccessPrincipal = {
    kind: "serviceAccount",
    accessKey: "acme-app",
    parent: "user-acme",
  };

  it("inherits the parent's policies when it has none of its own", () => {
    expect(
      evaluate({ principal: key, action: "s3:PutObject", bucket: "user-acme-data", key: "k" }, [
        parent,
      ]).allowed,
    ).toBe(true);
  });

  it("with its own policy, gets the intersection with the parent's", () => {
    const own: NamedPolicy = {
      name: "acme-app-own",
      // Wider than the parent on purpose: the other bucket must stay out of reach.
      document: doc({
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: ["arn:aws:s3:::user-acme-data/*", "arn:aws:s3:::user-beta-data/*"],
      }),
      attachedTo: { kind: "serviceAccount", accessKey: "acme-app" },
    };
    const model = new AccessModel([parent, own]);
    const ask = (action: string, bucket: string) =>
      model.evaluate({ principal: key, action, bucket, key: "k" });
    expect(ask("s3:GetObject", "user-acme-data")).toEqual({
      allowed: true,
      decidedBy: [
        { policy: "acme-rw", statementIndex: 1, sid: "ObjectAccess", effect: "Allow" },
        { policy: "acme-app-own", statementIndex: 0, effect: "Allow" },
      ],
      reason: "allowed by both the parent user's policies and the access key's own policy",
    });
    expect(ask("s3:DeleteObject", "user-acme-data")).toEqual({
      allowed: false,
      decidedBy: [],
      reason:
        "no statement allows s3:DeleteObject on arn:aws:s3:::user-acme-data/k (implicit deny) in the access key's own policy (it is intersected with the parent's)",
    });
    expect(ask("s3:GetObject", "user-beta-data").allowed).toBe(false);
  });

  it("a disabled key is denied", () => {
    expect(
      evaluate(
        {
          principal: { ...key, disabled: true },
          action: "s3:GetObject",
          bucket: "user-acme-data",
          key: "k",
        },
        [parent],
      ).reason,
    ).toBe('access key "acme-app" is disabled');
  });
});

describe("evaluate: ${aws:username} (shared-policy mode)", () => {
  const shared: NamedPolicy = {
    name: "tenants",
    document: sharedTenantPolicy(),
    attachedTo: { kind: "group", name: "tenants" },
  };
  const a: AccessPrincipal = { kind: "user", name: "user-a", groups: ["tenants"] };

  it("scopes each user to the bucket named after it", () => {
    expect(
      evaluate({ principal: a, action: "s3:PutObject", bucket: "user-a-data", key: "k" }, [shared])
        .allowed,
    ).toBe(true);
    expect(
      evaluate({ principal: a, action: "s3:ListBucket", bucket: "user-a-data" }, [shared]).allowed,
    ).toBe(true);
    expect(
      evaluate({ principal: a, action: "s3:GetObject", bucket: "user-b-data", key: "k" }, [shared])
        .allowed,
    ).toBe(false);
  });

  it("uses the PARENT's name for an access key", () => {
    const keyOfA: AccessPrincipal = {
      kind: "serviceAccount",
      accessKey: "user-b",
      parent: "user-a",
      parentGroups: ["tenants"],
    };
    expect(
      evaluate({ principal: keyOfA, action: "s3:GetObject", bucket: "user-a-data", key: "k" }, [
        shared,
      ]).allowed,
    ).toBe(true);
    // Even a key that happens to be named like another tenant stays in its parent's bucket.
    expect(
      evaluate({ principal: keyOfA, action: "s3:GetObject", bucket: "user-b-data", key: "k" }, [
        shared,
      ]).allowed,
    ).toBe(false);
  });

  it("matches a * in a name as a wildcard, as MinIO does (tests/minio/policy-variables)", () => {
    const star: AccessPrincipal = { kind: "user", name: "user-*", groups: ["tenants"] };
    expect(
      evaluate({ principal: star, action: "s3:GetObject", bucket: "user-a-data", key: "k" }, [
        shared,
      ]).allowed,
    ).toBe(true);
    const question: AccessPrincipal = { kind: "user", name: "user-?", groups: ["tenants"] };
    const get = (bucket: string) => ({ action: "s3:GetObject", bucket, key: "k" });
    expect(evaluate({ principal: question, ...get("user-a-data") }, [shared]).allowed).toBe(true);
    expect(evaluate({ principal: question, ...get("user-ab-data") }, [shared]).allowed).toBe(false);
  });

  it("never lets a caller-filled variable in a Deny take an Allow away", () => {
    const get = (bucket: string) => ({ principal: a, action: "s3:GetObject", bucket, key: "k" });
    const allow = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::user-b-data/*",
    };
    // The caller sends no Referer, MinIO leaves the text, and the Deny matches no key.
    const byResource = userPolicy(
      "deny-resource",
      "user-a",
      doc(allow, {
        Effect: "Deny",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::user-b-data/${aws:Referer}",
      }),
    );
    expect(evaluate(get("user-b-data"), [byResource]).allowed).toBe(true);
    // The caller picks both sides of the comparison.
    const byCondition = userPolicy(
      "deny-condition",
      "user-a",
      doc(allow, {
        Effect: "Deny",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::user-b-data/*",
        Condition: { StringNotLike: { "aws:Referer": "${aws:UserAgent}" } },
      }),
    );
    expect(evaluate(get("user-b-data"), [byCondition]).allowed).toBe(true);
    const model = new AccessModel([byResource]);
    expect([...model.reachableBuckets(a, ["user-a-data", "user-b-data"]).keys()]).toEqual([
      "user-b-data",
    ]);
  });

  it("lets a caller-filled variable in an Allow's condition hold", () => {
    const home = userPolicy(
      "ua",
      "user-a",
      doc({
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::home/*",
        Condition: { StringLike: { "aws:Referer": "${aws:UserAgent}" } },
      }),
    );
    expect(
      evaluate({ principal: a, action: "s3:GetObject", bucket: "home", key: "k" }, [home]).allowed,
    ).toBe(true);
  });

  it("takes a variable MinIO fills from the request as any value", () => {
    const referer = userPolicy(
      "referer",
      "user-a",
      doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::${aws:Referer}/*" }),
    );
    const get = (bucket: string) => ({ principal: a, action: "s3:GetObject", bucket, key: "k" });
    expect(evaluate(get("user-b-data"), [referer]).allowed).toBe(true);
    expect(evaluate(get("anything"), [referer]).allowed).toBe(true);
    // Only in the part the variable stands in: the rest of the pattern still has to match.
    const keyed = userPolicy(
      "keyed",
      "user-a",
      doc({
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::home/${aws:UserAgent}.txt",
      }),
    );
    expect(evaluate({ ...get("home"), key: "x.txt" }, [keyed]).allowed).toBe(true);
    expect(evaluate({ ...get("home"), key: "x.csv" }, [keyed]).allowed).toBe(false);
    expect(evaluate({ ...get("other"), key: "x.txt" }, [keyed]).allowed).toBe(false);
  });

  it("substitutes condition values too", () => {
    const home = userPolicy(
      "home",
      "user-a",
      doc({
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::home",
        Condition: { StringLike: { "s3:prefix": "${aws:username}/*" } },
      }),
    );
    expect(
      evaluate({ principal: a, action: "s3:ListBucket", bucket: "home", prefix: "user-a/x" }, [
        home,
      ]).allowed,
    ).toBe(true);
    expect(
      evaluate({ principal: a, action: "s3:ListBucket", bucket: "home", prefix: "user-b/x" }, [
        home,
      ]).allowed,
    ).toBe(false);
  });
});

describe("evaluate: bucket policies and the anonymous caller (CASES 1)", () => {
  const bucketPolicy = (name: string, bucket: string, document: unknown): NamedPolicy => ({
    name,
    document,
    attachedTo: { kind: "bucket", bucket },
  });

  it("a Principal naming a user has no effect, for that user or anyone", () => {
    const named = bucketPolicy(
      "bp",
      "user-acme-data",
      doc({
        Effect: "Allow",
        Principal: { AWS: ["user-acme"] },
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::user-acme-data/*",
      }),
    );
    const request = { action: "s3:GetObject", bucket: "user-acme-data", key: "k" };
    expect(evaluate({ ...request, principal: acme }, [named]).allowed).toBe(false);
    expect(evaluate({ ...request, principal: anonymous }, [named])).toEqual({
      allowed: false,
      decidedBy: [],
      reason:
        "no statement allows s3:GetObject on arn:aws:s3:::user-acme-data/k (implicit deny); anonymous requests are governed only by the bucket policy",
    });
  });

  it('"*" makes exactly the named prefix public, and nothing else', () => {
    const pub = new AccessModel([
      bucketPolicy("public", "artifacts", publicReadBucketPolicy("artifacts", ["charts"])),
    ]);
    const ask = (action: string, key?: string) =>
      pub.evaluate({ principal: anonymous, action, bucket: "artifacts", key }).allowed;
    expect(ask("s3:GetObject", "charts/index.yaml")).toBe(true);
    expect(ask("s3:GetObject", "private/secret")).toBe(false);
    expect(ask("s3:PutObject", "charts/x")).toBe(false);
    expect(ask("s3:ListBucket")).toBe(false);
    expect(
      pub.evaluate({
        principal: acme,
        action: "s3:GetObject",
        bucket: "artifacts",
        key: "charts/index.yaml",
      }).allowed,
    ).toBe(false);
  });

  it("in a bucket policy, bucket actions on bucket/* do nothing", () => {
    const odd = bucketPolicy(
      "odd",
      "b",
      doc({
        Effect: "Allow",
        Principal: "*",
        Action: ["s3:GetObject", "s3:ListBucket"],
        Resource: ["arn:aws:s3:::b/*"],
      }),
    );
    expect(() => new AccessModel([odd])).not.toThrow();
    expect(
      evaluate({ principal: anonymous, action: "s3:ListBucket", bucket: "b" }, [odd]).allowed,
    ).toBe(false);
    expect(
      evaluate({ principal: anonymous, action: "s3:GetObject", bucket: "b", key: "k" }, [odd])
        .allowed,
    ).toBe(true);
  });
});

describe("allowedActions and reachableBuckets", () => {
  it("lists exactly the read-write role's actions on the tenant's own bucket", () => {
    const grants = allowedActions(acme, "user-acme-data", [
      userPolicy("rw", "user-acme", readWritePolicy("user-acme-data")),
    ]);
    expect(grants.map((g) => g.action).sort()).toEqual(
      [
        ...READ_WRITE_ACTIONS.bucket,
        ...READ_WRITE_ACTIONS.list,
        ...READ_WRITE_ACTIONS.object,
      ].sort(),
    );
    expect(grants.find((g) => g.action === "s3:GetObject")?.decidedBy[0].sid).toBe("ObjectAccess");
  });

  it("finds prefix-limited grants with a witness request", () => {
    const grants = allowedActions({ kind: "user", name: "velero" }, "backups", [
      userPolicy("v", "velero", veleroPolicy("backups", "cluster-a")),
    ]);
    expect(grants.find((g) => g.action === "s3:ListBucket")?.witness).toEqual({
      prefix: "cluster-a/",
    });
    expect(grants.find((g) => g.action === "s3:PutObject")?.witness.key).toMatch(/^cluster-a\//);
    expect(grants).toHaveLength(6);
  });

  it("does not let a narrower Deny hide what is still allowed", () => {
    const grants = allowedActions(acme, "b", [
      userPolicy(
        "p",
        "user-acme",
        doc(
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
          {
            Effect: "Deny",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { StringEquals: { "aws:SourceIp": "127.0.0.1" } },
          },
        ),
      ),
    ]);
    expect(grants.map((g) => g.action)).toEqual(["s3:GetObject"]);
  });

  it("reports nothing on a bucket a total Deny covers", () => {
    expect(
      allowedActions(acme, "b", [
        userPolicy(
          "p",
          "user-acme",
          doc(
            { Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"] },
            { Effect: "Deny", Action: "s3:*", Resource: "*" },
          ),
        ),
      ]),
    ).toEqual([]);
  });

  it("reaches only the buckets a principal's statements name, wildcards included", () => {
    const buckets = ["user-1-data", "user-10-data", "user-2-data", "artifacts"];
    const model = new AccessModel([
      userPolicy("own", "user-1", readWritePolicy("user-1-data")),
      userPolicy(
        "wide",
        "user-2",
        doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::user-1*" }),
      ),
      {
        name: "public",
        document: publicReadBucketPolicy("artifacts", ["charts"]),
        attachedTo: { kind: "bucket", bucket: "artifacts" },
      },
    ]);
    expect([...model.reachableBuckets({ kind: "user", name: "user-1" }, buckets).keys()]).toEqual([
      "user-1-data",
    ]);
    const wide = model.reachableBuckets({ kind: "user", name: "user-2" }, buckets);
    expect([...wide.keys()]).toEqual(["user-1-data", "user-10-data"]);
    expect(wide.get("user-10-data")?.map((g) => g.action)).toEqual(["s3:GetObject"]);
    const anon = model.reachableBuckets(anonymous, buckets);
    expect([...anon.keys()]).toEqual(["artifacts"]);
    expect(anon.get("artifacts")).toEqual([
      {
        action: "s3:GetObject",
        decidedBy: [{ policy: "public", statementIndex: 0, sid: "PublicRead", effect: "Allow" }],
        witness: { key: "charts/witness~0" },
      },
    ]);
  });
});
