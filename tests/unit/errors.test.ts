import {
  InvalidArgumentError,
  REDACTED,
  describeValue,
  validateWithin,
} from "../../components/errors";

describe("InvalidArgumentError", () => {
  it("names the argument, the value and the rule", () => {
    const err = new InvalidArgumentError("pools[0].servers", 0, "must be at least 1");
    expect(err.message).toBe("pools[0].servers = 0: must be at least 1");
    expect(err.argument).toBe("pools[0].servers");
    expect(err.value).toBe(0);
  });

  it("is attributed to the component that validated it", () => {
    const thrown = () =>
      validateWithin('MinioDeployment "store"', () => {
        throw new InvalidArgumentError("namespace", "Bad_NS", "must be a DNS-1123 label");
      });
    expect(thrown).toThrow(
      'MinioDeployment "store": namespace = "Bad_NS": must be a DNS-1123 label',
    );
  });

  it("never prints a redacted value", () => {
    const err = new InvalidArgumentError("rootPassword", REDACTED, "must be 8 or more characters");
    expect(err.message).toBe("rootPassword = [secret]: must be 8 or more characters");
    expect(describeValue("x".repeat(200))).toHaveLength(80);
  });
});
