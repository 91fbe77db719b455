import { VisorkitError } from '../errors/visorkit-error.js';

/**
 * A checkpoint file is truncated, corrupted or not a checkpoint at all.
 *
 * @public
 */
export class CheckpointCorruptError extends VisorkitError {
  constructor(detail: string) {
    super('CHECKPOINT_CORRUPT', `Checkpoint refused: ${detail}. Nothing was restored.`);
  }
}

/**
 * A checkpoint file of a format version this visorkit cannot read.
 *
 * @public
 */
export class CheckpointVersionError extends VisorkitError {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super('CHECKPOINT_VERSION', `Checkpoint refused: format version ${found}, this visorkit reads version ${supported}. Nothing was restored.`);
  }
}

/**
 * A domain cannot be checkpointed in the state it is in now (for example, disk requests in
 * flight that its kernel would have to re-issue): nothing was written; try again later.
 *
 * @public
 */
export class CheckpointRefusedError extends VisorkitError {
  /**
   * @param domain the domain's name; @param reason what it holds that a file cannot;
   * @param transient true when running on a little clears it (I/O in flight, completions not
   * yet handled), so {@link checkpointWhenQuiescent} may wait for it
   */
  constructor(
    readonly domain: string,
    readonly reason: string,
    readonly transient = false,
  ) {
    super('CHECKPOINT_REFUSED', `Checkpoint of '${domain}' refused: ${reason}. Nothing was written.`);
  }
}
