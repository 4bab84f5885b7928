/**
 * Endpoint checks shared by the components and the stack config. Credentials never belong in
 * an endpoint: they would be copied into Secrets, job environments, logs and state, so every
 * check refuses them first and shows the value with that part replaced by `[secret]`.
 */
import { isIPv6 } from "net";
import { InvalidArgumentError, REDACTED } from "./errors";

const USERINFO_RULE =
  "must not contain a user name or password " +
  "(it would be copied into Secrets, environments and logs)";

/**
 * Checks an S3 endpoint URL as clients and Velero read it: an `http://` or `https://` scheme,
 * a host, and no commas or whitespace (either one yields a bogus host name). A user name or
 * password in the URL is refused first, and every message shows the URL with that part
 * replaced by `[secret]`.
 *
 * @param value the value to check
 * @param argument the argument path named in the error
 * @returns the URL, unchanged
 */
export function validateEndpoint(value: unknown, argument: string): string {
  if (typeof value !== "string") {
    throw new InvalidArgumentError(argument, value, "must be a string");
  }
  // Userinfo would be copied into Secrets, job environments, logs and this very message.
  const shown = withoutUserinfo(value);
  const fail = (rule: string): never => {
    throw new InvalidArgumentError(argument, shown, rule);
  };
  if (shown !== value) return fail(USERINFO_RULE);
  if (!/^https?:\/\//.test(value)) return fail('must start with "http://" or "https://"');
  if (value.includes(",")) return fail("must not contain commas");
  if (/\s/.test(value)) return fail("must not contain whitespace");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("must be a valid URL");
  }
  if (url.username !== "" || url.password !== "") {
    throw new InvalidArgumentError(argument, REDACTED, USERINFO_RULE);
  }
  if (url.hostname === "") return fail("must name a host");
  if (url.search !== "" || url.hash !== "") return fail("must not have a query or fragment");
  return value;
}

/**
 * Checks a `host:port` endpoint with no scheme, as the MinIO provider takes its server, and
 * returns the host (an IPv6 address without its brackets).
 *
 * @param value the value to check
 * @param argument the argument path named in the error
 */
export function validateHostPort(value: unknown, argument: string): string {
  const shown = typeof value === "string" ? withoutUserinfo(value) : value;
  if (shown !== value) throw new InvalidArgumentError(argument, shown, USERINFO_RULE);
  const match = typeof value === "string" ? /^(\[[^\]\s]+\]|[^:/\s[\]]+):(\d+)$/.exec(value) : null;
  const port = match ? Number(match[2]) : 0;
  const bracketed = match !== null && match[1].startsWith("[");
  if (!match || port < 1 || port > 65535 || (bracketed && !isIPv6(match[1].slice(1, -1)))) {
    throw new InvalidArgumentError(
      argument,
      value,
      "must be host:port with no scheme, e.g. 127.0.0.1:9000",
    );
  }
  return match[1].replace(/^\[|\]$/g, "");
}

/**
 * The endpoint with everything between its scheme and its last `@` replaced by `[secret]`.
 * Parsers disagree on where an authority ends (a `/`, `#` or `?` inside a password confuses
 * them), so any `@` counts: an endpoint has no other use for one, and a message must never
 * show what may be a password.
 */
function withoutUserinfo(url: string): string {
  const start = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0].length ?? 0;
  const at = url.lastIndexOf("@");
  if (at < start) return url;
  return `${url.slice(0, start)}[secret]${url.slice(at)}`;
}
