/**
 * The split-driver shared ring, modelled on Xen's `xen/include/public/io/ring.h`
 * (Deegan & Warfield, 2004). A front end (the guest driver) queues requests; a back end (the
 * driver domain) takes them and queues responses in the same slots.
 *
 * ## Layout
 * {@link SharedRing} is the shared page: four free-running indices and `size` slots. Each side
 * keeps two private indices in its view, {@link FrontRing} or {@link BackRing}. One slot array
 * serves both directions, as ring.h's `union sring_entry` does: response `j` is written into the
 * slot of request `j`, which the back end has already copied out.
 *
 * ## Who writes which index
 * | index         | written by | meaning                                                    |
 * |---------------|------------|------------------------------------------------------------|
 * | `reqProd`     | front      | requests published so far                                  |
 * | `rspEvent`    | front      | "notify me when `rspProd` passes this"                     |
 * | `rspProd`     | back       | responses published so far                                 |
 * | `reqEvent`    | back       | "notify me when `reqProd` passes this"                     |
 * | `reqProdPvt`  | front only | requests written, published in a batch by `pushRequests*`  |
 * | `rspCons`     | front only | responses taken                                            |
 * | `reqCons`     | back only  | requests taken                                             |
 * | `rspProdPvt`  | back only  | responses written, published in a batch by `pushResponses*`|
 *
 * Front writes slot `i & (size-1)` only for request `i`. Back writes slot `j & (size-1)` only for
 * response `j`, and only once `j < reqCons` (request `j` was copied out).
 *
 * ## Invariants (all arithmetic modulo 2^32)
 * - Indices run freely and wrap at 2^32 (`>>> 0`); they are masked by `size - 1` only when a slot
 *   is addressed, so full and empty need no flag. `size` is a power of two.
 * - Order on a well-behaved ring: `rspCons ≤ rspProd ≤ rspProdPvt ≤ reqCons ≤ reqProd ≤ reqProdPvt`,
 *   and `reqProdPvt − rspCons ≤ size`.
 * - No flow control beyond that. ring.h's comment says the front end "never has more than
 *   RING_SIZE()-1 outstanding requests", but its arithmetic (`RING_FREE_REQUESTS = size −
 *   (req_prod_pvt − rsp_cons)`) lets it have exactly `size`. We follow the arithmetic: up to
 *   `size` requests may be outstanding, and {@link FrontRing.pushRequest} refuses one more with
 *   {@link RingFullError} instead of overwriting anything.
 * - Notification hold-off: a consumer about to sleep sets its event index to `cons + 1`
 *   (`finalCheckFor*`), then re-checks. A producer publishing `(old, new]` owes a notification
 *   iff that window passed the event index: `(new − event) < (new − old)`, the exact test of
 *   `RING_PUSH_{REQUESTS,RESPONSES}_AND_CHECK_NOTIFY`. Batching falls out: while the consumer is
 *   awake no notifications are sent.
 * - The peer is hostile. The back end refuses a `reqProd` that claims more than `size`
 *   outstanding requests (`RING_REQUEST_PROD_OVERFLOW`) or that runs behind `reqCons`; the front
 *   end refuses a `rspProd` that claims more responses than it has outstanding requests. Both
 *   throw {@link RingProtocolError} before reading any slot.
 * - No double fetch: each slot is read once and copied out before the caller validates it, so
 *   later writes by the peer cannot change what was taken (ring.h's `RING_COPY_REQUEST`).
 *
 * The simulation is single-threaded, so ring.h's memory barriers have no counterpart here; the
 * order of reads and writes is kept as if they did.
 *
 * Steady state allocates nothing in the ring itself: slots are preallocated and no closure is
 * made per operation. The copy made by `takeRequest`/`takeResponse` is the caller's
 * {@link RingCopy}; supply one that fills a pooled object to avoid that allocation too.
 */
import type { Gfn } from '../units/units.js';
import { PAGE_SIZE } from '../units/units.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { RingDescriptorError, RingFullError, RingProtocolError } from './ring-errors.js';

const INDEX_LIMIT = 2 ** 32;
const MAX_RING_SIZE = 2 ** 31;
const MAX_COPY_DEPTH = 16;

/**
 * One scatter-gather segment of a zero-copy request: a byte range inside one guest frame.
 * Requests carry segments pointing at guest memory instead of the data (Xen's blkif
 * `{gref, first_sect, last_sect}`), which the back end maps or copies by grant.
 *
 * @public
 */
export interface RingSegment {
  /** Guest frame holding the data. */
  readonly gfn: Gfn;
  /** First byte within the frame, `0 ≤ offset < PAGE_SIZE`. */
  readonly offset: number;
  /** Bytes in the segment, `1 ≤ length` and `offset + length ≤ PAGE_SIZE`. */
  readonly length: number;
}

/**
 * What every request record has: an `id` the response echoes, and optional segments.
 *
 * @public
 */
export interface RingRequest {
  /** Chosen by the front end; echoed in the response so responses may come in any order. */
  readonly id: number;
  /** Zero-copy data descriptors, checked by {@link checkSegments} when pushed. */
  readonly segments?: readonly RingSegment[];
}

/**
 * What every response record has: the `id` of the request it answers.
 *
 * @public
 */
export interface RingResponse {
  /** The answered request's `id`. */
  readonly id: number;
}

/**
 * Copies a record out of a shared slot. It must read the slot's fields once and return a value
 * that no later write to the slot can change.
 *
 * @public
 */
export type RingCopy<T> = (shared: Readonly<T>) => T;

/**
 * Checks that every segment lies within one guest frame. The front end calls it on push; a back
 * end should call it again on its copy of the request, since the front end may be hostile.
 * @throws RingDescriptorError naming the first bad segment
 *
 * @internal
 */
export function checkSegments(segments: readonly RingSegment[]): void {
  if (!Array.isArray(segments)) throw new RingDescriptorError(-1, 'segments is not an array');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === undefined || typeof segment !== 'object') throw new RingDescriptorError(i, 'it is not a segment record');
    const { gfn, offset, length } = segment;
    if (!Number.isSafeInteger(gfn) || gfn < 0) throw new RingDescriptorError(i, `gfn ${gfn} is not a guest frame number`);
    if (!Number.isInteger(offset) || offset < 0 || offset >= PAGE_SIZE) {
      throw new RingDescriptorError(i, `offset ${offset} is outside [0, ${PAGE_SIZE})`);
    }
    if (!Number.isInteger(length) || length < 1 || offset + length > PAGE_SIZE) {
      throw new RingDescriptorError(i, `length ${length} at offset ${offset} runs outside [1, ${PAGE_SIZE - offset}]`);
    }
  }
}

/**
 * Default {@link RingCopy}: a deep copy of plain data (records, arrays, typed arrays,
 * primitives), reading each field once. Records are rebuilt as plain objects.
 * @throws RingProtocolError if the record nests deeper than 16 levels (or is cyclic)
 *
 * @internal
 */
export function copyPlainRecord<T>(shared: Readonly<T>): T {
  return copyValue(shared, 0) as T;
}

function copyValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_COPY_DEPTH) throw new RingProtocolError('slot', depth, `nests deeper than ${MAX_COPY_DEPTH} levels`);
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    return (value as Uint8Array).slice();
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyValue((value as Record<string, unknown>)[key], depth + 1);
  return out;
}

function checkIndex(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n >= INDEX_LIMIT) throw new InvalidArgumentError(what, `expected a 32-bit unsigned ring index, got ${n}`);
  return n;
}

/**
 * Options of {@link SharedRing}.
 *
 * @public
 */
export interface SharedRingOptions {
  /** Index all four producer/consumer indices start at (`FRONT_RING_ATTACH`'s `i`); default 0. */
  readonly startIndex?: number;
}

/**
 * The shared page of a ring: what both ends (and a hostile peer) can read and write.
 * Constructed empty, as `SHARED_RING_INIT` does: producers at the start index, event indices one
 * past it, so the first message of each direction is notified.
 *
 * @public
 */
export class SharedRing<Req extends RingRequest, Rsp extends RingResponse> {
  /** Number of slots; a power of two. */
  readonly size: number;
  /** Requests published by the front end (written by the front end only). */
  reqProd: number;
  /** The back end wants a notification when `reqProd` passes this (written by the back end only). */
  reqEvent: number;
  /** Responses published by the back end (written by the back end only). */
  rspProd: number;
  /** The front end wants a notification when `rspProd` passes this (written by the front end only). */
  rspEvent: number;
  /** The slots, indexed by `index & (size − 1)`; a slot holds a request or, later, its response. */
  readonly slots: Array<Req | Rsp | undefined>;

  /**
   * @param size slot count, a power of two in `[1, 2^31]`
   * @throws InvalidArgumentError if `size` or `options.startIndex` is out of range
   */
  constructor(size: number, options: SharedRingOptions = {}) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_RING_SIZE || (size & (size - 1)) !== 0) {
      throw new InvalidArgumentError('ring size', `expected a power of two between 1 and 2^31, got ${size}`);
    }
    const start = checkIndex('ring start index', options.startIndex ?? 0);
    this.size = size;
    this.reqProd = start;
    this.rspProd = start;
    this.reqEvent = (start + 1) >>> 0;
    this.rspEvent = (start + 1) >>> 0;
    this.slots = new Array<Req | Rsp | undefined>(size).fill(undefined);
  }
}

/**
 * Options of {@link FrontRing}.
 *
 * @public
 */
export interface FrontRingOptions<Rsp> {
  /** Copies a response out of its slot; default {@link copyPlainRecord}. */
  readonly copyResponse?: RingCopy<Rsp>;
}

/**
 * The front end's private view (ring.h `front_ring`): pushes requests, takes responses.
 * Attaches at the shared ring's current indices.
 *
 * @public
 */
export class FrontRing<Req extends RingRequest, Rsp extends RingResponse> {
  /** Requests written but not necessarily published (private to the front end). */
  reqProdPvt: number;
  /** Responses taken (private to the front end). */
  rspCons: number;
  /** Requests accepted by {@link pushRequest}. */
  requestsPushed = 0;
  /** Responses returned by {@link takeResponse}. */
  responsesTaken = 0;
  /** Publications after which the back end was owed a notification. */
  notificationsSent = 0;
  /** Publications of at least one request that owed no notification (the back end was awake). */
  notificationsSuppressed = 0;

  readonly #shared: SharedRing<Req, Rsp>;
  readonly #mask: number;
  readonly #copy: RingCopy<Rsp>;

  /** @param shared the shared page this view drives */
  constructor(shared: SharedRing<Req, Rsp>, options: FrontRingOptions<Rsp> = {}) {
    this.#shared = shared;
    this.#mask = shared.size - 1;
    this.#copy = options.copyResponse ?? copyPlainRecord;
    this.reqProdPvt = shared.reqProd;
    this.rspCons = shared.rspProd;
  }

  /** Slot count of the ring. */
  get size(): number {
    return this.#shared.size;
  }

  /** Requests that can still be pushed: `size − (reqProdPvt − rspCons)` (ring.h `RING_FREE_REQUESTS`). */
  freeRequests(): number {
    return this.#shared.size - ((this.reqProdPvt - this.rspCons) >>> 0);
  }

  /** True when `size` requests are outstanding and {@link pushRequest} would refuse (`RING_FULL`). */
  full(): boolean {
    return this.freeRequests() === 0;
  }

  /**
   * Writes `req` into the next slot, privately; the back end sees it after
   * {@link pushRequests} or {@link pushRequestsAndCheckNotify}. The slot holds `req` itself:
   * later changes to the object are changes to shared memory.
   * @throws RingFullError when full (nothing written, nothing overwritten)
   * @throws RingDescriptorError if a segment does not fit in its frame
   */
  pushRequest(req: Req): void {
    if (this.full()) throw new RingFullError('request', this.#shared.size);
    if (req.segments !== undefined) checkSegments(req.segments);
    this.#shared.slots[this.reqProdPvt & this.#mask] = req;
    this.reqProdPvt = (this.reqProdPvt + 1) >>> 0;
    this.requestsPushed++;
  }

  /** Publishes the privately pushed requests without checking for a notification (`RING_PUSH_REQUESTS`). */
  pushRequests(): void {
    this.#shared.reqProd = this.reqProdPvt;
  }

  /**
   * Publishes the privately pushed requests and says whether the back end must be notified:
   * `(new − reqEvent) < (new − old)` in 32-bit arithmetic (`RING_PUSH_REQUESTS_AND_CHECK_NOTIFY`).
   * @returns true when the caller owes the back end an event-channel notification
   */
  pushRequestsAndCheckNotify(): boolean {
    const shared = this.#shared;
    const oldProd = shared.reqProd;
    const newProd = this.reqProdPvt;
    shared.reqProd = newProd;
    const notify = (newProd - shared.reqEvent) >>> 0 < (newProd - oldProd) >>> 0;
    if (notify) this.notificationsSent++;
    else if (newProd !== oldProd) this.notificationsSuppressed++;
    return notify;
  }

  /**
   * Responses published and not yet taken (`RING_HAS_UNCONSUMED_RESPONSES`).
   * @throws RingProtocolError if `rspProd` claims more responses than there are outstanding requests
   */
  unconsumedResponses(): number {
    const rspProd = this.#shared.rspProd;
    const claimed = (rspProd - this.rspCons) >>> 0;
    const outstanding = (this.reqProdPvt - this.rspCons) >>> 0;
    if (claimed > outstanding) {
      throw new RingProtocolError(
        'rspProd',
        rspProd,
        `claims ${claimed} responses but only ${outstanding} requests are outstanding (rspCons = ${this.rspCons})`,
      );
    }
    return claimed;
  }

  /** True when a response is waiting. @throws RingProtocolError as {@link unconsumedResponses} */
  hasUnconsumedResponses(): boolean {
    return this.unconsumedResponses() > 0;
  }

  /**
   * Copies the next response out of its slot and frees the slot for a new request.
   * @returns the copy, or `undefined` when no response is waiting
   * @throws RingProtocolError if `rspProd` is bad or the slot holds no record
   */
  takeResponse(): Rsp | undefined {
    if (this.unconsumedResponses() === 0) return undefined;
    const slot = this.#shared.slots[this.rspCons & this.#mask];
    if (typeof slot !== 'object' || slot === null) throw new RingProtocolError('slot', this.rspCons, 'holds no response record');
    const rsp = this.#copy(slot as Rsp);
    this.rspCons = (this.rspCons + 1) >>> 0;
    this.responsesTaken++;
    return rsp;
  }

  /**
   * Call before going to sleep (`RING_FINAL_CHECK_FOR_RESPONSES`): if no response is waiting,
   * asks to be notified on the next one (`rspEvent = rspCons + 1`) and checks once more, closing
   * the race with a back end that published in between.
   * @returns true when responses are waiting and the caller should not sleep
   */
  finalCheckForResponses(): boolean {
    if (this.hasUnconsumedResponses()) return true;
    this.#shared.rspEvent = (this.rspCons + 1) >>> 0;
    return this.hasUnconsumedResponses();
  }
}

/**
 * Options of {@link BackRing}.
 *
 * @public
 */
export interface BackRingOptions<Req> {
  /** Copies a request out of its slot before the caller validates it; default {@link copyPlainRecord}. */
  readonly copyRequest?: RingCopy<Req>;
}

/**
 * The back end's private view (ring.h `back_ring`): takes requests, pushes responses.
 * Attaches with `reqCons = rspProdPvt = rspProd`, so requests published before it attached are
 * still seen.
 *
 * @public
 */
export class BackRing<Req extends RingRequest, Rsp extends RingResponse> {
  /** Requests taken (private to the back end). */
  reqCons: number;
  /** Responses written but not necessarily published (private to the back end). */
  rspProdPvt: number;
  /** Requests returned by {@link takeRequest}. */
  requestsTaken = 0;
  /** Responses accepted by {@link pushResponse}. */
  responsesPushed = 0;
  /** Publications after which the front end was owed a notification. */
  notificationsSent = 0;
  /** Publications of at least one response that owed no notification (the front end was awake). */
  notificationsSuppressed = 0;

  readonly #shared: SharedRing<Req, Rsp>;
  readonly #mask: number;
  readonly #copy: RingCopy<Req>;

  /** @param shared the shared page this view drives */
  constructor(shared: SharedRing<Req, Rsp>, options: BackRingOptions<Req> = {}) {
    this.#shared = shared;
    this.#mask = shared.size - 1;
    this.#copy = options.copyRequest ?? copyPlainRecord;
    this.reqCons = shared.rspProd;
    this.rspProdPvt = shared.rspProd;
  }

  /** Slot count of the ring. */
  get size(): number {
    return this.#shared.size;
  }

  /**
   * Requests published and not yet taken (`RING_HAS_UNCONSUMED_REQUESTS`), after checking the
   * front end's `reqProd` as hostile input. Reads `reqProd` once.
   * @throws RingProtocolError if `reqProd − rspProdPvt > size` (`RING_REQUEST_PROD_OVERFLOW`)
   *   or `reqProd` runs behind `reqCons`; no slot is read
   */
  unconsumedRequests(): number {
    const size = this.#shared.size;
    const reqProd = this.#shared.reqProd;
    const claimed = (reqProd - this.rspProdPvt) >>> 0;
    if (claimed > size) {
      throw new RingProtocolError('reqProd', reqProd, `claims ${claimed} outstanding requests on a ${size}-slot ring (rspProdPvt = ${this.rspProdPvt})`);
    }
    const inService = (this.reqCons - this.rspProdPvt) >>> 0;
    if (claimed < inService) {
      throw new RingProtocolError('reqProd', reqProd, `runs behind reqCons = ${this.reqCons}`);
    }
    const requests = (reqProd - this.reqCons) >>> 0;
    const room = size - inService;
    return requests < room ? requests : room;
  }

  /** True when a request is waiting. @throws RingProtocolError as {@link unconsumedRequests} */
  hasUnconsumedRequests(): boolean {
    return this.unconsumedRequests() > 0;
  }

  /**
   * Copies the next request out of its slot (read once) and returns the copy for the caller to
   * validate; later writes by the front end to the slot cannot change it. Validate segments with
   * {@link checkSegments} on the copy.
   * @returns the copy, or `undefined` when no request is waiting
   * @throws RingProtocolError if `reqProd` is bad or the slot holds no record
   */
  takeRequest(): Req | undefined {
    if (this.unconsumedRequests() === 0) return undefined;
    const slot = this.#shared.slots[this.reqCons & this.#mask];
    if (typeof slot !== 'object' || slot === null) throw new RingProtocolError('slot', this.reqCons, 'holds no request record');
    const req = this.#copy(slot as Req);
    this.reqCons = (this.reqCons + 1) >>> 0;
    this.requestsTaken++;
    return req;
  }

  /**
   * Writes `rsp` into the next response slot (one whose request was already taken), privately;
   * the front end sees it after {@link pushResponses} or {@link pushResponsesAndCheckNotify}. Responses may
   * answer requests in any order: the front end matches them by `id`.
   * @throws RingFullError when every taken request has been answered (nothing is written)
   */
  pushResponse(rsp: Rsp): void {
    if (this.reqCons === this.rspProdPvt) throw new RingFullError('response', this.#shared.size);
    this.#shared.slots[this.rspProdPvt & this.#mask] = rsp;
    this.rspProdPvt = (this.rspProdPvt + 1) >>> 0;
    this.responsesPushed++;
  }

  /** Publishes the privately pushed responses without checking for a notification (`RING_PUSH_RESPONSES`). */
  pushResponses(): void {
    this.#shared.rspProd = this.rspProdPvt;
  }

  /**
   * Publishes the privately pushed responses and says whether the front end must be notified:
   * `(new − rspEvent) < (new − old)` in 32-bit arithmetic (`RING_PUSH_RESPONSES_AND_CHECK_NOTIFY`).
   * @returns true when the caller owes the front end an event-channel notification
   */
  pushResponsesAndCheckNotify(): boolean {
    const shared = this.#shared;
    const oldProd = shared.rspProd;
    const newProd = this.rspProdPvt;
    shared.rspProd = newProd;
    const notify = (newProd - shared.rspEvent) >>> 0 < (newProd - oldProd) >>> 0;
    if (notify) this.notificationsSent++;
    else if (newProd !== oldProd) this.notificationsSuppressed++;
    return notify;
  }

  /**
   * Call before going to sleep (`RING_FINAL_CHECK_FOR_REQUESTS`): if no request is waiting, asks
   * to be notified on the next one (`reqEvent = reqCons + 1`) and checks once more, closing the
   * race with a front end that published in between.
   * @returns true when requests are waiting and the caller should not sleep
   * @throws RingProtocolError as {@link unconsumedRequests}
   */
  finalCheckForRequests(): boolean {
    if (this.hasUnconsumedRequests()) return true;
    this.#shared.reqEvent = (this.reqCons + 1) >>> 0;
    return this.hasUnconsumedRequests();
  }
}

/**
 * A shared ring with both views attached, as made by {@link createIoRing}.
 *
 * @public
 */
export interface IoRing<Req extends RingRequest, Rsp extends RingResponse> {
  /** The shared page. */
  readonly shared: SharedRing<Req, Rsp>;
  /** The front end's view. */
  readonly front: FrontRing<Req, Rsp>;
  /** The back end's view. */
  readonly back: BackRing<Req, Rsp>;
}

/**
 * Options of {@link createIoRing}: those of the shared ring and of both views.
 *
 * @public
 */
export type IoRingOptions<Req, Rsp> = SharedRingOptions & FrontRingOptions<Rsp> & BackRingOptions<Req>;

/**
 * Creates an empty shared ring of `size` slots and attaches a front and a back view to it.
 * @throws InvalidArgumentError if `size` is not a power of two
 *
 * @public
 */
export function createIoRing<Req extends RingRequest, Rsp extends RingResponse>(size: number, options: IoRingOptions<Req, Rsp> = {}): IoRing<Req, Rsp> {
  const shared = new SharedRing<Req, Rsp>(size, options);
  return { shared, front: new FrontRing(shared, options), back: new BackRing(shared, options) };
}
