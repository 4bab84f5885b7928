import { validateEndpoint, validateHostPort } from "../../components/endpoints";

const USERINFO =
  "must not contain a user name or password (it would be copied into Secrets, environments and logs)";
const HOST_PORT = "must be host:port with no scheme, e.g. 127.0.0.1:9000";

describe("validateHostPort", () => {
  it.each([
    ["minio.minio.svc:9000", "minio.minio.svc"],
    ["127.0.0.1:9000", "127.0.0.1"],
    ["[::1]:9000", "::1"],
    ["[::ffff:10.0.0.1]:443", "::ffff:10.0.0.1"],
    ["[fe80::1%eth0]:9000", "fe80::1%eth0"],
  ])("takes %s, host %s", (value, host) => {
    expect(validateHostPort(value, "ep")).toBe(host);
  });

  it.each([
    ["http://minio:9000", HOST_PORT],
    ["minio", HOST_PORT],
    ["minio:0", HOST_PORT],
    ["a:b:9000", HOST_PORT],
    ["[:]:9000", HOST_PORT],
    ["[nope]:9000", HOST_PORT],
  ])("refuses %s", (value, rule) => {
    expect(() => validateHostPort(value, "ep")).toThrow(`ep = "${value}": ${rule}`);
  });

  it.each(["admin:S3cret@minio:9000", "admin:pa/ss@minio:9000", "admin:pa#ss@[::1]:9000"])(
    "refuses a password in %s without showing it",
    (value) => {
      const host = value.slice(value.lastIndexOf("@"));
      expect(() => validateHostPort(value, "ep")).toThrow(`ep = "[secret]${host}": ${USERINFO}`);
    },
  );
});

describe("validateEndpoint", () => {
  it.each([
    "http://admin:pa#ss@minio:9000",
    "http://admin:pa/ss@minio:9000",
    "https://admin:pa?ss@minio:9000/",
    "https://minio:9000/a@b",
  ])("refuses %s without showing what comes before its last @", (value) => {
    expect(() => validateEndpoint(value, "s3Url")).toThrow(USERINFO);
    expect(() => validateEndpoint(value, "s3Url")).toThrow(/= "https?:\/\/\[secret\]@/);
  });
});
