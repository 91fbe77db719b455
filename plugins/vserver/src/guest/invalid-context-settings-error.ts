import { VisorkitError } from '@visorkit/core';

/**
 * A context defined with settings the shared kernel cannot enforce: an id that is not a
 * positive integer (0 is the host context, which no limit binds), a root that is not an
 * absolute, normalised path (a root with `.`, `..`, empty components or a trailing slash
 * would make the chroot barrier compare the wrong prefix), a limit that is not a
 * non-negative integer (processes) or a positive number (MiB), or an empty address.
 *
 * @public
 */
export class InvalidContextSettingsError extends VisorkitError {
  /** @param context the context id as given; @param detail what was wrong */
  constructor(
    readonly context: number,
    detail: string,
  ) {
    super('INVALID_CONTEXT_SETTINGS', `Invalid settings for vserver context ${context}: ${detail}`);
  }
}
