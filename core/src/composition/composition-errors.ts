import { VisorkitError } from '../errors/visorkit-error.js';

/** A required extension point is bound by no plugin. */
export class MissingExtensionPointError extends VisorkitError {
  constructor(readonly point: string, loaded: readonly string[]) {
    super(
      'MISSING_EXTENSION_POINT',
      `Extension point ${point} is provided by none of the loaded plugins (${loaded.join(', ') || 'none'}). ` +
        `Load a plugin that provides it (native, xen-pv, vserver and hw-assist provide all six).`,
    );
  }
}

/** Two plugins bind the same single extension point. */
export class DuplicateExtensionPointError extends VisorkitError {
  constructor(readonly point: string, readonly plugins: readonly string[]) {
    super(
      'DUPLICATE_EXTENSION_POINT',
      `Extension point ${point} is provided by both ${plugins.map((p) => `'${p}'`).join(' and ')}. ` +
        `Load one of them, or configure one not to provide it (e.g. plugin.configure({ provide: { ... } })).`,
    );
  }
}

/** A plugin was configured with an option it does not have. */
export class UnknownOptionError extends VisorkitError {
  constructor(readonly plugin: string, readonly option: string, known: readonly string[]) {
    super('UNKNOWN_OPTION', `Plugin '${plugin}' has no option '${option}'. Its options are: ${known.join(', ') || '(none)'}.`);
  }
}

/** Two plugins cannot be composed together. */
export class UnsoundCompositionError extends VisorkitError {
  constructor(readonly plugins: readonly string[], reason: string) {
    super('UNSOUND_COMPOSITION', `Plugins ${plugins.map((p) => `'${p}'`).join(' and ')} cannot be composed: ${reason}.`);
  }
}
