const BRAND = Symbol.for('visorkit.VisorkitError');

/**
 * Base class of every error visorkit raises on purpose.
 *
 * Each failure has its own subclass with a stable `code`, so callers can branch on it and
 * users get a message that names what was wrong and how to fix it. The brand is a
 * `Symbol.for` key so that {@link VisorkitError.is} recognises errors thrown by a plugin
 * compiled against another copy of `@visorkit/core`.
 *
 * @public
 */
export class VisorkitError extends Error {
  /** Stable machine-readable code, e.g. `ILLEGAL_TRANSITION`. */
  readonly code: string;

  /**
   * @param code stable machine-readable code
   * @param message a sentence that names what was wrong and, where possible, the fix
   */
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True when `value` is a visorkit error, from this copy of core or any other. */
  static is(value: unknown): value is VisorkitError {
    return typeof value === 'object' && value !== null && Reflect.get(value, BRAND) === true;
  }
}

/**
 * A value given to visorkit (a config, an option, a flag) is malformed or out of range.
 *
 * @public
 */
export class InvalidArgumentError extends VisorkitError {
  /** @param what the argument's name; @param detail what was wrong with it */
  constructor(
    readonly what: string,
    detail: string,
  ) {
    super('INVALID_ARGUMENT', `Invalid ${what}: ${detail}`);
  }
}

/**
 * A platform was asked for a capability it does not declare (e.g. live migration of a container).
 *
 * @public
 */
export class UnsupportedCapabilityError extends VisorkitError {
  /** @param platform the plugin or platform name; @param capability the capability asked for */
  constructor(
    readonly platform: string,
    readonly capability: string,
    reason?: string,
  ) {
    super('UNSUPPORTED_CAPABILITY', `'${platform}' does not support ${capability}${reason ? `: ${reason}` : '.'}`);
  }
}
