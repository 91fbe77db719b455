/**
 * Typed errors of the split-driver I/O ring (`io-ring.ts`) and the event channels
 * (`event-channel.ts`).
 */
import type { DomainId } from '../units/units.js';
import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * Which queue of a ring an error is about.
 *
 * @public
 */
export type RingSide = 'request' | 'response';

/**
 * A push found no free slot. This is back-pressure, not data loss: nothing was written and
 * nothing already on the ring was overwritten. Retry after the peer has made room
 * (the front end after taking responses, the back end after taking requests).
 *
 * @public
 */
export class RingFullError extends VisorkitError {
  /**
   * @param side which queue was full
   * @param size the ring's slot count
   */
  constructor(
    readonly side: RingSide,
    readonly size: number,
  ) {
    super(
      'RING_FULL',
      side === 'request'
        ? `I/O ring is full: all ${size} slots hold outstanding requests. Take responses (takeResponse) before pushing more requests.`
        : `No consumed request is awaiting a response, so a response has no slot on this ${size}-slot ring. Take a request (takeRequest) and respond to it first.`,
    );
  }
}

/**
 * The shared index (or slot) a {@link RingProtocolError} is about.
 *
 * @public
 */
export type RingIndexName = 'reqProd' | 'rspProd' | 'slot';

/**
 * The peer broke the ring protocol: a shared index it wrote claims more outstanding entries
 * than the ring can hold, or runs backwards, or a slot holds no record. The ring treats the peer
 * as hostile (Xen's `RING_REQUEST_PROD_OVERFLOW` / `RING_RESPONSE_PROD_OVERFLOW`): it reads no
 * slot and moves no index, so the caller can disconnect the peer.
 *
 * @public
 */
export class RingProtocolError extends VisorkitError {
  /**
   * @param index the shared index (or `slot`) that was bad
   * @param value the value the peer wrote there (or the slot's ring index)
   * @param detail what the value claimed and what was allowed
   */
  constructor(
    readonly index: RingIndexName,
    readonly value: number,
    detail: string,
  ) {
    super('RING_PROTOCOL', `I/O ring protocol error: ${index} = ${value} ${detail}. The peer is misbehaving; disconnect it.`);
  }
}

/**
 * A scatter-gather segment does not fit in its guest frame (offset or length outside
 * `[0, PAGE_SIZE]`, or not an integer).
 *
 * @public
 */
export class RingDescriptorError extends VisorkitError {
  /**
   * @param segment position of the bad segment in the request's `segments`
   * @param detail what was wrong with it
   */
  constructor(
    readonly segment: number,
    detail: string,
  ) {
    super('RING_DESCRIPTOR', `Bad ring segment ${segment}: ${detail}. A segment must lie within one guest frame.`);
  }
}

/**
 * Why an {@link EventChannelError} was raised.
 *
 * @public
 */
export type EventChannelFailure =
  /** The port was never bound in that domain's table. */
  | 'UNKNOWN_PORT'
  /** The port was bound once and has been closed. */
  | 'CLOSED_PORT'
  /** The caller tried to notify a port that is not bound in its own table. */
  | 'NOT_OWNER'
  /** The port is of the wrong kind for the operation (e.g. notifying a VIRQ port). */
  | 'WRONG_KIND'
  /** The domain's port table has no free port left. */
  | 'NO_FREE_PORT'
  /** The VIRQ is already bound to a port of that domain. */
  | 'VIRQ_IN_USE';

/**
 * An event-channel operation named a port that cannot be used for it.
 *
 * @public
 */
export class EventChannelError extends VisorkitError {
  /**
   * @param reason machine-readable cause
   * @param domain the domain whose table was consulted
   * @param port the port asked for (`-1` when none applies)
   * @param detail a sentence saying what was wrong and what to do instead
   */
  constructor(
    readonly reason: EventChannelFailure,
    readonly domain: DomainId,
    readonly port: number,
    detail: string,
  ) {
    super('EVENT_CHANNEL', `Event channel error (${reason}) for domain ${domain}, port ${port}: ${detail}`);
  }
}
