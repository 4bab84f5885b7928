/**
 * The one error type every validator in the library throws. It carries the argument's path,
 * the offending value and the rule, so callers (and tests) can check each part, and its
 * message reads the same way everywhere:
 *
 *   MinioDeployment "store": pools[0].servers = 0: must be a whole number from 1 to 32
 */
export class InvalidArgumentError extends Error {
  /**
   * @param argument dotted path of the argument, e.g. `pools[1].drivesPerServer`
   * @param value the value the caller gave; rendered with {@link describeValue}
   * @param rule what the value must satisfy, phrased as a rule
   * @param context who was called, e.g. `MinioDeployment "store"`; prefixed when given
   */
  constructor(
    readonly argument: string,
    readonly value: unknown,
    readonly rule: string,
    readonly context?: string,
  ) {
    const where = context ? `${context}: ` : "";
    super(`${where}${argument} = ${describeValue(value)}: ${rule}`);
    this.name = "InvalidArgumentError";
  }

  /** The same error, attributed to a component or config file. */
  within(context: string): InvalidArgumentError {
    const outer = this.context ? `${context}: ${this.context}` : context;
    return new InvalidArgumentError(this.argument, this.value, this.rule, outer);
  }
}

/** Marks a value that must never be printed, such as a password given in the arguments. */
export const REDACTED = Symbol("redacted");

const MAX_SHOWN = 80;

/** Renders a value for an error message: JSON for data, `[secret]` for redacted ones. */
export function describeValue(value: unknown): string {
  if (value === REDACTED) return "[secret]";
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "[function]";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** Runs a validator and attributes any {@link InvalidArgumentError} it throws to `context`. */
export function validateWithin<T>(context: string, validate: () => T): T {
  try {
    return validate();
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err.within(context);
    throw err;
  }
}
