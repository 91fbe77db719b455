/** Bytes a pipe buffers (Linux: 16 pages). */
export const PIPE_CAPACITY = 65536;

/**
 * A pipe: a byte count in a bounded buffer. Readers block while it is empty, writers while
 * it is full; the kernel wakes them.
 */
export class Pipe {
  buffered = 0;
  readers = 1;
  writers = 1;
  /** Processes blocked reading or writing, by pid. */
  readonly waitingReaders: number[] = [];
  readonly waitingWriters: number[] = [];
}
