import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * A guest asked for a hypercall number nobody registered.
 *
 * @public
 */
export class UnknownHypercallError extends VisorkitError {
  constructor(
    readonly domain: string,
    readonly hypercall: number,
  ) {
    super('UNKNOWN_HYPERCALL', `Domain '${domain}' made hypercall ${hypercall}, which no plugin handles.`);
  }
}

/**
 * Code without the needed privilege tried a privileged operation or a control hypercall.
 *
 * @public
 */
export class PrivilegeViolationError extends VisorkitError {
  constructor(
    readonly domain: string,
    readonly operation: string,
    readonly needed: string,
  ) {
    super('PRIVILEGE_VIOLATION', `Domain '${domain}' may not perform '${operation}': it needs ${needed}.`);
  }
}

/**
 * A guest's request named a frame, port or address it does not own, or was malformed.
 *
 * @public
 */
export class GuestRequestError extends VisorkitError {
  constructor(
    readonly domain: string,
    readonly operation: string,
    detail: string,
  ) {
    super('GUEST_REQUEST_REFUSED', `Domain '${domain}': ${operation} refused: ${detail}.`);
  }
}
