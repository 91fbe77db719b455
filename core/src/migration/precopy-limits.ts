import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * The knobs of an iterative pre-copy save, as Xen's save tool (`xc_linux_save`) has them.
 * One engine ({@link LiveMigration}) runs every pre-copy; presets differ only in these
 * values, so the 2005 tool and today's stop rule are the same code with other constants.
 *
 * A round sends its pages in batches of {@link batchPages}, paced to the round's rate. The
 * first round sends every populated page at {@link minMbps}; each later round sends what the
 * previous round left dirty, at that round's dirtying rate + {@link rateIncrementMbps}, at most
 * {@link maxMbps}. Iteration stops (and the guest is paused for the final copy at the full
 * link rate) after {@link maxRounds} rounds, when fewer than {@link stopBelowPages} pages are
 * dirty, when more than {@link maxSentFactor} × the guest's memory has been sent, or — with
 * {@link stopWhenRateExceedsMax} — when the next round would need more than the cap.
 *
 * @public
 */
export interface PrecopyLimits {
  /** Pages mapped and sent together (one batch of the save loop). */
  readonly batchPages: number;
  /** First-round rate, Mbit/s; undefined: a tenth of the link. */
  readonly minMbps?: number;
  /** Rate cap of the iterative rounds, Mbit/s; undefined: the link's rate. */
  readonly maxMbps?: number;
  /** Added to the observed dirtying rate to set the next round's rate, Mbit/s. */
  readonly rateIncrementMbps: number;
  /** Rounds before the final stop-and-copy at the latest. */
  readonly maxRounds: number;
  /** Stop iterating once a round leaves fewer dirty pages than this. */
  readonly stopBelowPages: number;
  /** Stop once this many times the guest's memory has been sent (Infinity: never). */
  readonly maxSentFactor: number;
  /**
   * Skip a page that the guest has written again since the current round began: it is dirty
   * once more and will go in the next round anyway (the save tool's `to_skip` bitmap, read
   * with a peek of the log-dirty bitmap before each batch).
   */
  readonly skipRedirtied: boolean;
  /** Stop iterating when the rate the next round would need exceeds {@link maxMbps}. */
  readonly stopWhenRateExceedsMax: boolean;
  /**
   * "Stunning" (Clark et al. §5.4, paravirtual optimisations): a guest that cooperates with
   * pre-copy is told when each round begins, and moves a process that takes more than this
   * many write faults in one round to a wait queue until the next round begins, so that a
   * process dirtying memory fast cannot keep the rounds from converging. Undefined: off, as
   * in the save tool's default. Guests that do not cooperate (programs without
   * `MigratableProgram.precopyRound`) ignore it.
   */
  readonly stunWriteFaults?: number;
}

/**
 * The save tool of Xen 2.0 / 3.0 as Clark et al. describe it ("Live Migration of Virtual
 * Machines", NSDI 2005, §5.1 "dynamic rate-limiting") and its source defines it
 * (`tools/libxc/xc_linux_save.c`: `MAX_BATCH_SIZE` 1024, `DEF_MAX_ITERS` 29, `DEF_MAX_FACTOR`
 * 3, 100 Mbit/s first round, 500 Mbit/s cap, +50 Mbit/s over the dirtying rate, < 50 pages).
 *
 * @public
 */
export const XEN_2005_PRECOPY: PrecopyLimits = {
  batchPages: 1024,
  minMbps: 100,
  maxMbps: 500,
  rateIncrementMbps: 50,
  maxRounds: 29,
  stopBelowPages: 50,
  maxSentFactor: 3,
  skipRedirtied: true,
  stopWhenRateExceedsMax: true,
};

/**
 * The write faults per round beyond which Clark et al.'s stunning moves a process to a wait
 * queue (§5.4): set {@link PrecopyLimits.stunWriteFaults} to it to turn stunning on.
 *
 * @public
 */
export const XEN_2005_STUN_WRITE_FAULTS = 40;

/**
 * Today's Xen stop rule (at most 5 rounds, or fewer than 50 dirty pages), starting at a tenth
 * of the link and adapting within it, in batches of 64 pages: the generic `migration`
 * experiment's default.
 *
 * @public
 */
export const XEN_PRECOPY: PrecopyLimits = {
  batchPages: 64,
  rateIncrementMbps: 50,
  maxRounds: 5,
  stopBelowPages: 50,
  maxSentFactor: Infinity,
  skipRedirtied: false,
  stopWhenRateExceedsMax: false,
};

/**
 * Checks a limits object (a user may build one); throws InvalidArgumentError naming the field.
 *
 * @public
 */
export function checkPrecopyLimits(limits: PrecopyLimits): void {
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && !(v > 0)) throw new InvalidArgumentError(`precopy.${name}`, `must be positive, got ${v}`);
  };
  positive('batchPages', limits.batchPages);
  positive('minMbps', limits.minMbps);
  positive('maxMbps', limits.maxMbps);
  positive('maxRounds', limits.maxRounds);
  positive('maxSentFactor', limits.maxSentFactor);
  positive('stunWriteFaults', limits.stunWriteFaults);
  if (!Number.isInteger(limits.batchPages) || !Number.isInteger(limits.maxRounds))
    throw new InvalidArgumentError('precopy', 'batchPages and maxRounds must be whole numbers');
  if (limits.rateIncrementMbps < 0 || limits.stopBelowPages < 0)
    throw new InvalidArgumentError('precopy', 'rateIncrementMbps and stopBelowPages may not be negative');
}
