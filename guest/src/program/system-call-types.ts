import type { MmapRequest, Program } from './program.js';

/**
 * Every system call the model implements: its arguments (as a tuple) and the result the
 * program gets back. {@link SyscallName} is derived from it, and the kernel's system-call
 * table must have exactly one handler per entry (the compiler checks), so a call added here
 * without a handler — or a handler without an entry — does not build.
 *
 * @public
 */
export interface SyscallSignatures {
  getppid: { args: []; result: number };
  getpid: { args: []; result: number };
  /** Bytes read (0 at end of file) or -errno. */
  read: { args: [fd: number, bytes: number]; result: number };
  /** Bytes written or -errno. */
  write: { args: [fd: number, bytes: number]; result: number };
  /** A descriptor or -errno. */
  open: { args: [path: string, flags?: { readonly create?: boolean } | undefined]; result: number };
  close: { args: [fd: number]; result: number };
  /** The file's size, or -errno. */
  stat: { args: [path: string]; result: number };
  /** The child's pid, or -errno. */
  fork: { args: [child: Program]; result: number };
  /** -errno (it does not return on success). */
  exec: { args: [path: string]; result: number };
  /** Never returns. */
  exit: { args: [status: number]; result: never };
  /** The reaped child's pid, or -ECHILD. */
  wait: { args: []; result: number };
  /** The mapping's address, or -errno. */
  mmap: { args: [request: MmapRequest]; result: number };
  munmap: { args: [address: number, bytes: number]; result: number };
  /** The new program break, or -errno. */
  brk: { args: [bytes: number]; result: number };
  /** [read end, write end], or [-errno, -errno]. */
  pipe: { args: []; result: [number, number] };
  sigaction: { args: [signal: number, handler: Program]; result: number };
  kill: { args: [pid: number, signal: number]; result: number };
  sigreturn: { args: []; result: number };
  yield: { args: []; result: number };
  /** Nanoseconds since boot. */
  now: { args: []; result: number };
  /** Pages read. */
  readblocks: { args: [pages: number]; result: number };
  socket: { args: []; result: number };
  bind: { args: [fd: number, port: number, address?: string | undefined]; result: number };
  listen: { args: [fd: number]; result: number };
  accept: { args: [fd: number]; result: number };
  connect: { args: [fd: number, address: string, port: number]; result: number };
  /** How many of `fds` are readable. */
  select: { args: [fds: readonly number[], timeoutNs?: number | undefined]; result: number };
  fsync: { args: [fd: number]; result: number };
  lseek: { args: [fd: number, offset: number]; result: number };
  nanosleep: { args: [ns: number]; result: number };
  sockets: { args: []; result: number };
  openpty: { args: []; result: number };
  ptsname: { args: [fd: number]; result: number };
  ptys: { args: []; result: number };
}

/**
 * The system calls the model implements.
 *
 * @public
 */
export type SyscallName = keyof SyscallSignatures;

/**
 * The arguments of system call `N`, as a tuple.
 *
 * @public
 */
export type SyscallArgs<N extends SyscallName> = SyscallSignatures[N]['args'];

/**
 * What system call `N` hands back to the program.
 *
 * @public
 */
export type SyscallResult<N extends SyscallName> = SyscallSignatures[N]['result'];
