import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * A required extension point (or a decorated or required token) is provided by no plugin.
 *
 * @public
 */
export class MissingExtensionPointError extends VisorkitError {
  /**
   * @param point the point's name
   * @param loaded the names of the loaded plugins
   * @param remedy what to change (a sentence)
   */
  constructor(
    readonly point: string,
    loaded: readonly string[],
    remedy = `Add a plugin whose provides lists ${point}.`,
  ) {
    super('MISSING_EXTENSION_POINT', `Extension point ${point} is provided by none of the loaded plugins (${loaded.join(', ') || 'none'}). ${remedy}`);
  }
}

/**
 * Two plugins provide the same single extension point (or the same service).
 *
 * @public
 */
export class DuplicateExtensionPointError extends VisorkitError {
  /** @param point the point's name; @param plugins the providers' names */
  constructor(
    readonly point: string,
    readonly plugins: readonly string[],
  ) {
    const [a = '?', b = '?'] = plugins;
    super(
      'DUPLICATE_EXTENSION_POINT',
      `Extension point ${point} is provided by both ${plugins.map((p) => `'${p}'`).join(' and ')}. ` +
        `Take it from one of them: compose ${a}.without(${point}) to keep ${b}'s, or ${b}.without(${point}) to keep ${a}'s.`,
    );
  }
}

/**
 * A plugin requires a token that no other loaded plugin provides.
 *
 * @public
 */
export class MissingRequirementError extends VisorkitError {
  /** @param plugin the requiring plugin; @param point the token's name; @param remedy what to change */
  constructor(
    readonly plugin: string,
    readonly point: string,
    remedy: string,
  ) {
    super('MISSING_REQUIREMENT', `Plugin '${plugin}' requires ${point}, which no other loaded plugin provides. ${remedy}`);
  }
}

/**
 * A plugin decorates a point that no other plugin provides, or two plugins decorate one point.
 *
 * @public
 */
export class DecorationError extends VisorkitError {
  /** @param plugins the decorators involved; @param point the point's name; @param detail what is wrong and the fix */
  constructor(
    readonly plugins: readonly string[],
    readonly point: string,
    detail: string,
  ) {
    super('DECORATION', `${plugins.map((p) => `'${p}'`).join(' and ')} cannot decorate ${point}: ${detail}`);
  }
}

/**
 * A plugin's module binds a point it did not declare, so the composition cannot choose it.
 *
 * @public
 */
export class UndeclaredBindingError extends VisorkitError {
  /** @param plugin the plugin; @param point the point's name */
  constructor(
    readonly plugin: string,
    readonly point: string,
  ) {
    super(
      'UNDECLARED_BINDING',
      `Plugin '${plugin}' binds ${point} without declaring it. Add ${point} to its provides (or decorates), so the composition can check it.`,
    );
  }
}

/**
 * A plugin was configured with an option it does not have.
 *
 * @public
 */
export class UnknownOptionError extends VisorkitError {
  /** @param plugin the plugin; @param option the unknown key; @param known the keys it has */
  constructor(
    readonly plugin: string,
    readonly option: string,
    known: readonly string[],
  ) {
    super('UNKNOWN_OPTION', `Plugin '${plugin}' has no option '${option}'. Its options are: ${known.join(', ') || '(none)'}.`);
  }
}

/**
 * Two plugins cannot be composed together.
 *
 * @public
 */
export class UnsoundCompositionError extends VisorkitError {
  /** @param plugins the plugins; @param reason why, shown to the user */
  constructor(
    readonly plugins: readonly string[],
    reason: string,
  ) {
    super('UNSOUND_COMPOSITION', `Plugins ${plugins.map((p) => `'${p}'`).join(' and ')} cannot be composed: ${reason}.`);
  }
}
