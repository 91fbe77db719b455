import { Pipe } from './pipe.js';

/**
 * Bytes each direction of a pty buffers: the line discipline's buffer (Linux's
 * `N_TTY_BUF_SIZE`, 4 KiB); a writer blocks while the other side has not read it.
 *
 * @public
 */
export const PTY_CAPACITY = 4096;

/**
 * A pseudo-terminal pair (Unix 98 ptys, `/dev/ptmx` and `/dev/pts/N`): the master is the
 * terminal emulator's end (sshd, screen), the slave the terminal a shell reads and writes.
 * Each direction is a byte stream with the pipe's blocking and wake-ups: `input` carries
 * what is typed at the master to the slave, `output` what programs print back. The master
 * exists from creation; the slave may be opened (and reopened) while the master is open.
 * Closing the master hangs the terminal up: its name goes away, the slave reads end of
 * file once drained and its writes fail.
 *
 * A pty belongs to the container context that created it: `/dev/pts` is a per-context
 * name space (VServer hides other contexts' ptys, as later Linux does with devpts
 * instances).
 *
 * @public
 */
export class Pty {
  /** Master → slave: what is typed at the terminal. */
  readonly input = new Pipe(PTY_CAPACITY);
  /** Slave → master: what programs on the terminal print. */
  readonly output = new Pipe(PTY_CAPACITY);

  /**
   * @param index its number: the slave is `/dev/pts/<index>`
   * @param context the container context of the process that created it
   */
  constructor(
    readonly index: number,
    readonly context: number,
  ) {
    // The master is open (one descriptor); the slave not yet.
    this.input.readers = 0;
    this.output.writers = 0;
    this.input.pendingPeer = true;
    this.output.pendingPeer = true;
  }

  /** The slave's path. */
  get name(): string {
    return `/dev/pts/${this.index}`;
  }

  /** True while some descriptor holds the master. */
  get masterOpen(): boolean {
    return this.input.writers > 0;
  }

  /** One more descriptor holds the master (dup on fork). */
  holdMaster(): void {
    this.input.writers++;
    this.output.readers++;
  }

  /** One more descriptor holds the slave (an open, or dup on fork). */
  holdSlave(): void {
    this.input.readers++;
    this.output.writers++;
    this.input.pendingPeer = false;
    this.output.pendingPeer = false;
  }

  /** A master descriptor went away; the last one hangs the terminal up. */
  dropMaster(): void {
    this.input.writers--;
    this.output.readers--;
    if (this.input.writers === 0) {
      // Nobody will open the slave now: its absence means gone, not "not yet".
      this.input.pendingPeer = false;
      this.output.pendingPeer = false;
    }
  }

  /** A slave descriptor went away. */
  dropSlave(): void {
    this.input.readers--;
    this.output.writers--;
  }
}
