import { InvalidArgumentError } from "../../components/errors";
import {
  MAX_TENANT_ID_LENGTH,
  tenantBucketName,
  tenantUserName,
  validateBucketName,
  validateDnsLabel,
  validatePrefix,
  validateTenantId,
} from "../../components/naming";

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.rule;
    throw err;
  }
  throw new Error("expected an InvalidArgumentError");
}

describe("validateTenantId", () => {
  it("accepts DNS-label words up to 53 characters", () => {
    expect(validateTenantId("acme")).toBe("acme");
    expect(validateTenantId("team-42")).toBe("team-42");
    expect(validateTenantId("7")).toBe("7");
    expect(validateTenantId("a".repeat(MAX_TENANT_ID_LENGTH))).toHaveLength(53);
  });

  it.each([
    ["*", 'may contain only lowercase letters, digits and hyphens ("*" is not allowed)'],
    ["user-1*", 'may contain only lowercase letters, digits and hyphens ("*" is not allowed)'],
    ["a?", 'may contain only lowercase letters, digits and hyphens ("?" is not allowed)'],
    [
      "${aws:username}",
      'may contain only lowercase letters, digits and hyphens ("$" is not allowed)',
    ],
    ["{x}", 'may contain only lowercase letters, digits and hyphens ("{" is not allowed)'],
    ["a/b", 'may contain only lowercase letters, digits and hyphens ("/" is not allowed)'],
    ["a.b", 'may contain only lowercase letters, digits and hyphens ("." is not allowed)'],
    ["a b", 'may contain only lowercase letters, digits and hyphens (" " is not allowed)'],
    ["Acme", 'may contain only lowercase letters, digits and hyphens ("A" is not allowed)'],
    ["café", 'may contain only lowercase letters, digits and hyphens ("é" is not allowed)'],
    ["db_wal", 'may contain only lowercase letters, digits and hyphens ("_" is not allowed)'],
    ["-acme", "must start with a lowercase letter or digit"],
    ["acme-", "must end with a lowercase letter or digit"],
    ["xn--acme", "must not contain two hyphens in a row"],
    ["", "must not be empty"],
    ["a".repeat(54), "must be at most 53 characters long"],
  ])("refuses %j", (id, rule) => {
    expect(ruleOf(() => validateTenantId(id))).toBe(rule);
  });

  it("refuses non-strings and names the argument given", () => {
    expect(() => validateTenantId(42, "tenants[3].id")).toThrow(
      "tenants[3].id = 42: must be a string",
    );
    expect(ruleOf(() => validateTenantId(undefined))).toBe("must be a string");
    expect(ruleOf(() => validateTenantId(["a"]))).toBe("must be a string");
  });
});

describe("tenant names", () => {
  it("derives user-<id> and user-<id>-data", () => {
    expect(tenantUserName("acme")).toBe("user-acme");
    expect(tenantBucketName("acme")).toBe("user-acme-data");
    expect(tenantBucketName("a".repeat(53))).toHaveLength(63);
  });

  it("refuses an id that would widen a policy before building any name", () => {
    expect(() => tenantBucketName("1*")).toThrow(
      'tenantId = "1*": may contain only lowercase letters, digits and hyphens ("*" is not allowed)',
    );
  });
});

describe("validateBucketName (CASES 12)", () => {
  it.each(["user-acme-data", "abc", "a.b.c", "velero-backups", "1-2", "a".repeat(63)])(
    "accepts %j",
    (name) => {
      expect(validateBucketName(name)).toBe(name);
    },
  );

  it.each([
    ["db_wal", "must not contain underscores"],
    ["Backups", "must not contain uppercase letters"],
    [".backups", "must start with a lowercase letter or digit"],
    ["backups.", "must end with a lowercase letter or digit"],
    ["-backups", "must start with a lowercase letter or digit"],
    ["my..bucket", "must not contain two dots in a row"],
    ["my.-bucket", "must not have a dot next to a hyphen"],
    ["ab", "must be 3 to 63 characters long"],
    ["a".repeat(64), "must be 3 to 63 characters long"],
    ["192.168.5.4", "must not look like an IP address"],
    ["xn--bucket", 'must not start with the reserved prefix "xn--"'],
    ["sthree-bucket", 'must not start with the reserved prefix "sthree-"'],
    ["amzn-s3-demo-bucket", 'must not start with the reserved prefix "amzn-s3-demo-"'],
    ["bucket-s3alias", 'must not end with the reserved suffix "-s3alias"'],
    ["bucket--ol-s3", 'must not end with the reserved suffix "--ol-s3"'],
    ["bucket.mrap", 'must not end with the reserved suffix ".mrap"'],
    ["bucket--x-s3", 'must not end with the reserved suffix "--x-s3"'],
    [
      "user-1*",
      'may contain only lowercase letters, digits, hyphens and dots ("*" is not allowed)',
    ],
    ["a/b/c", 'may contain only lowercase letters, digits, hyphens and dots ("/" is not allowed)'],
  ])("refuses %j: %s", (name, rule) => {
    expect(ruleOf(() => validateBucketName(name))).toBe(rule);
  });

  it("names the argument and the value", () => {
    expect(() => validateBucketName("db_wal", "buckets[0].name")).toThrow(
      'buckets[0].name = "db_wal": must not contain underscores',
    );
  });
});

describe("validatePrefix", () => {
  it.each(["charts", "pipelines/web", "a.b/c_d/e-f", "x".repeat(200)])("accepts %j", (p) => {
    expect(validatePrefix(p)).toBe(p);
  });

  it.each([
    ["a/*", 'must not contain "*" (wildcards and policy variables widen policies)'],
    ["a?", 'must not contain "?" (wildcards and policy variables widen policies)'],
    ["${aws:username}", 'must not contain "$" (wildcards and policy variables widen policies)'],
    ["/charts", "must not start or end with a slash"],
    ["charts/", "must not start or end with a slash"],
    ["a//b", "must not contain two slashes in a row"],
    ["a/../b", "must not contain two dots in a row"],
    ["a/./b", 'must not have a "." segment'],
    [
      "Charts",
      'may contain only lowercase letters, digits, ".", "_", "-" and "/" ("C" is not allowed)',
    ],
    ["", "must not be empty"],
    ["x".repeat(201), "must be at most 200 characters long"],
  ])("refuses %j", (p, rule) => {
    expect(ruleOf(() => validatePrefix(p))).toBe(rule);
  });
});

describe("validateDnsLabel", () => {
  it("accepts RFC 1123 labels and refuses the rest", () => {
    expect(validateDnsLabel("velero", "namespace")).toBe("velero");
    expect(() => validateDnsLabel("Velero_NS", "namespace")).toThrow(
      'namespace = "Velero_NS": must be a DNS-1123 label: lowercase letters, digits and hyphens ("V" is not allowed)',
    );
    expect(ruleOf(() => validateDnsLabel("a".repeat(64), "name"))).toBe(
      "must be 1 to 63 characters long",
    );
    expect(ruleOf(() => validateDnsLabel("web-", "name"))).toBe(
      "must be a DNS-1123 label: start and end with a lowercase letter or digit",
    );
  });
});
