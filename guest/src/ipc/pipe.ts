/**
 * Bytes a pipe buffers (Linux: 16 pages).
 *
 * @public
 */
export const PIPE_CAPACITY = 65536;

/**
 * A pipe: a byte count in a bounded buffer. Readers block while it is empty, writers while
 * it is full; the kernel wakes them. Once the last writer is gone a read returns 0 (end of
 * file); once the last reader is gone a write fails.
 *
 * @public
 */
export class Pipe {
  buffered = 0;
  readers = 1;
  writers = 1;
  /**
   * The far end has not been opened yet (a pty before its slave is first opened): no
   * readers or writers then means "not yet", not "gone" — reads wait, writes are buffered.
   */
  pendingPeer = false;
  /** Processes blocked reading or writing, by pid. */
  readonly waitingReaders: number[] = [];
  readonly waitingWriters: number[] = [];

  /** @param capacity bytes the buffer holds (default {@link PIPE_CAPACITY}) */
  constructor(readonly capacity: number = PIPE_CAPACITY) {}

  /** A read would return end of file once the buffer is drained: every writer is gone. */
  get writersGone(): boolean {
    return this.writers === 0 && !this.pendingPeer;
  }

  /** A write would fail: every reader is gone. */
  get readersGone(): boolean {
    return this.readers === 0 && !this.pendingPeer;
  }

  /** Ready for a read without blocking: data, or end of file. */
  get readReady(): boolean {
    return this.buffered > 0 || this.writersGone;
  }
}
