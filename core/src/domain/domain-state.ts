import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * The lifecycle states of a domain (as `xl list` shows them).
 *
 * @public
 */
export type DomainState = 'created' | 'running' | 'paused' | 'shutdown' | 'crashed' | 'destroyed';

/**
 * Which transitions are legal: from → allowed targets.
 *
 * @internal
 */
export const DOMAIN_TRANSITIONS: Readonly<Record<DomainState, readonly DomainState[]>> = {
  created: ['running', 'crashed', 'destroyed'],
  running: ['paused', 'shutdown', 'crashed'],
  paused: ['running', 'shutdown', 'crashed'],
  shutdown: ['destroyed'],
  crashed: ['destroyed'],
  destroyed: [],
};

/**
 * A lifecycle operation asked for a transition the state machine does not allow.
 *
 * @public
 */
export class IllegalTransitionError extends VisorkitError {
  constructor(
    readonly domain: string,
    readonly from: DomainState,
    readonly to: DomainState,
  ) {
    const allowed = DOMAIN_TRANSITIONS[from];
    super(
      'ILLEGAL_TRANSITION',
      `Domain '${domain}' cannot go from ${from} to ${to}` + (allowed.length ? ` (from ${from} it may go to: ${allowed.join(', ')}).` : ` (${from} is final).`),
    );
  }
}

/**
 * Throws {@link IllegalTransitionError} unless `from → to` is legal.
 *
 * @internal
 */
export function checkTransition(domain: string, from: DomainState, to: DomainState): void {
  if (!DOMAIN_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(domain, from, to);
}
