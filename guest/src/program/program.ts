import type { SyscallArgs, SyscallName } from './system-call-types.js';

export type { SyscallArgs, SyscallName, SyscallResult, SyscallSignatures } from './system-call-types.js';

/**
 * Guest programs are generators: they yield operations for the kernel to perform — compute
 * bursts, memory touches processed in tight loops inside the kernel, and system calls — and
 * receive each operation's result. Programs use {@link Sys} with `yield*`:
 *
 * ```ts
 * function* hello(sys: Sys) {
 *   const fd = yield* sys.open('/etc/passwd');
 *   yield* sys.compute(10_000);
 *   yield* sys.close(fd);
 *   return 0;
 * }
 * ```
 */

/**
 * A guest program: its generator's return value is the exit status.
 *
 * @public
 */
export type Program = (sys: Sys) => Generator<Operation, number | void, unknown>;

/**
 * Memory access patterns for {@link Sys.touch}.
 *
 * @public
 */
export interface TouchOptions {
  readonly write?: boolean;
  /** Bytes between accesses (default 4096: one access per page). */
  readonly stride?: number;
}

/**
 * What a program asks of the kernel.
 *
 * @public
 */
export type Operation =
  | { readonly kind: 'compute'; readonly cycles: number }
  | { readonly kind: 'touch'; readonly address: number; readonly bytes: number; readonly write: boolean; readonly stride: number }
  | { readonly kind: 'syscall'; readonly call: SyscallName; readonly args: readonly unknown[]; readonly restart?: boolean };

/**
 * Linux error numbers returned (negated) by failing system calls.
 *
 * @public
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EIO: 5,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EINVAL: 22,
  EMFILE: 24,
  ENOTTY: 25,
  EPIPE: 32,
  ESPIPE: 29,
  ENOSYS: 38,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENOTCONN: 107,
  ECONNREFUSED: 111,
  ENOTSOCK: 88,
  EISCONN: 106,
  ENETUNREACH: 101,
} as const;

/**
 * mmap flags the model understands.
 *
 * @public
 */
export interface MmapRequest {
  readonly bytes: number;
  /** A file path to map, or undefined for anonymous memory. */
  readonly path?: string;
  readonly writable?: boolean;
  /** Map every page now (MAP_POPULATE) instead of on first touch. */
  readonly populate?: boolean;
}

/**
 * The system-call interface programs use (each method is a generator to `yield*`).
 *
 * @public
 */
export class Sys {
  /** Spends `cycles` of user-mode computation. */
  *compute(cycles: number): Generator<Operation, void, unknown> {
    yield { kind: 'compute', cycles };
  }

  /** Accesses `bytes` of memory from `address`, one access per `stride` bytes. Faults are handled by the kernel. */
  *touch(address: number, bytes: number, options: TouchOptions = {}): Generator<Operation, void, unknown> {
    yield { kind: 'touch', address, bytes, write: options.write ?? false, stride: options.stride ?? 4096 };
  }

  *getppid(): Generator<Operation, number, unknown> {
    return (yield call('getppid')) as number;
  }
  *getpid(): Generator<Operation, number, unknown> {
    return (yield call('getpid')) as number;
  }
  /** Reads up to `bytes` from `fd`; returns bytes read (0 at end of file) or -errno. */
  *read(fd: number, bytes: number): Generator<Operation, number, unknown> {
    return (yield call('read', fd, bytes)) as number;
  }
  /** Writes `bytes` to `fd`; returns bytes written or -errno. */
  *write(fd: number, bytes: number): Generator<Operation, number, unknown> {
    return (yield call('write', fd, bytes)) as number;
  }
  /** Opens `path` (with `create`, an empty file is made if there is none); returns a descriptor or -errno. */
  *open(path: string, flags: { readonly create?: boolean } = {}): Generator<Operation, number, unknown> {
    return (yield call('open', path, flags)) as number;
  }
  /** Moves a file descriptor's offset to `offset` bytes; returns it, or -errno (-ESPIPE on sockets and pipes). */
  *lseek(fd: number, offset: number): Generator<Operation, number, unknown> {
    return (yield call('lseek', fd, offset)) as number;
  }
  *close(fd: number): Generator<Operation, number, unknown> {
    return (yield call('close', fd)) as number;
  }
  /** Returns the file's size in bytes, or -errno. */
  *stat(path: string): Generator<Operation, number, unknown> {
    return (yield call('stat', path)) as number;
  }
  /**
   * Creates a child process whose memory is a copy-on-write copy of this one's, running
   * `child` (a generator cannot be duplicated, so the child's code is given explicitly, as
   * posix_spawn does). Returns the child's pid.
   */
  *fork(child: Program): Generator<Operation, number, unknown> {
    return (yield call('fork', child)) as number;
  }
  /** Replaces this process's image with the program file at `path` (never returns on success). */
  *exec(path: string): Generator<Operation, number, unknown> {
    return (yield call('exec', path)) as number;
  }
  *exit(status: number): Generator<Operation, never, unknown> {
    yield call('exit', status);
    throw new Error('exit returned');
  }
  /** Waits for a child to exit; returns its pid, or -ECHILD. */
  *wait(): Generator<Operation, number, unknown> {
    return (yield call('wait')) as number;
  }
  /** Maps memory; returns its address or -errno. */
  *mmap(request: MmapRequest): Generator<Operation, number, unknown> {
    return (yield call('mmap', request)) as number;
  }
  *munmap(address: number, bytes: number): Generator<Operation, number, unknown> {
    return (yield call('munmap', address, bytes)) as number;
  }
  /** Moves the program break by `bytes`; returns the new break or -errno. */
  *brk(bytes: number): Generator<Operation, number, unknown> {
    return (yield call('brk', bytes)) as number;
  }
  /** Returns [readFd, writeFd] or throws nothing: -errno as [-errno, -errno]. */
  *pipe(): Generator<Operation, [number, number], unknown> {
    return (yield call('pipe')) as [number, number];
  }
  /** Installs `handler` (a program run on delivery) for signal `signal`. */
  *sigaction(signal: number, handler: Program): Generator<Operation, number, unknown> {
    return (yield call('sigaction', signal, handler)) as number;
  }
  *kill(pid: number, signal: number): Generator<Operation, number, unknown> {
    return (yield call('kill', pid, signal)) as number;
  }
  /** Gives up the CPU to other runnable processes. */
  *yieldCpu(): Generator<Operation, number, unknown> {
    return (yield call('yield')) as number;
  }
  /**
   * Reads `pages` pages from the start of the domain's disk into the page cache (what a
   * booting kernel does with its image and initrd); blocks until the data has arrived.
   */
  *readBlocks(pages: number): Generator<Operation, number, unknown> {
    return (yield call('readblocks', pages)) as number;
  }
  /** A new TCP socket; returns its descriptor or -errno. */
  *socket(): Generator<Operation, number, unknown> {
    return (yield call('socket')) as number;
  }
  /**
   * Binds a socket to a local port (0: an ephemeral one) on `address`, one of the kernel's
   * addresses (omitted or `'0.0.0.0'`: any of them). Returns 0, -EADDRINUSE, -EINVAL (bad
   * port, or already bound), or -EADDRNOTAVAIL (not an address of this kernel, or — in a
   * container context with assigned addresses — not one of the context's).
   */
  *bind(fd: number, port: number, address?: string): Generator<Operation, number, unknown> {
    return (yield address === undefined ? call('bind', fd, port) : call('bind', fd, port, address)) as number;
  }
  /** Makes a bound socket accept connections; returns 0 or -errno. */
  *listen(fd: number): Generator<Operation, number, unknown> {
    return (yield call('listen', fd)) as number;
  }
  /** Waits for a connection on a listening socket; returns the new connection's descriptor. */
  *accept(fd: number): Generator<Operation, number, unknown> {
    return (yield call('accept', fd)) as number;
  }
  /**
   * Connects to `address`:`port`; returns 0 once established, or -ECONNREFUSED. An unbound
   * socket is given an ephemeral port and its context's source address.
   */
  *connect(fd: number, address: string, port: number): Generator<Operation, number, unknown> {
    return (yield call('connect', fd, address, port)) as number;
  }
  /**
   * Waits until one of `fds` can be read without blocking (a connection to accept, data, or
   * end of stream) and returns how many can; with `timeoutNs` 0 it only polls.
   */
  *select(fds: readonly number[], timeoutNs?: number): Generator<Operation, number, unknown> {
    return (yield call('select', fds, timeoutNs)) as number;
  }
  /**
   * How many TCP sockets (listeners and connections) the caller can see, as reading
   * /proc/net/tcp shows them: in a container context only its own; the host context sees all.
   */
  *sockets(): Generator<Operation, number, unknown> {
    return (yield call('sockets')) as number;
  }
  /**
   * Opens a new pseudo-terminal (`open('/dev/ptmx')`); returns the master's descriptor or
   * -errno. The slave is `/dev/pts/N`, N from {@link Sys.ptsname}; open it with {@link Sys.open}.
   */
  *openpty(): Generator<Operation, number, unknown> {
    return (yield call('openpty')) as number;
  }
  /** The number N of the pty whose master is `fd` (its slave is `/dev/pts/N`); -EBADF or -ENOTTY otherwise. */
  *ptsname(fd: number): Generator<Operation, number, unknown> {
    return (yield call('ptsname', fd)) as number;
  }
  /** How many ptys the caller can see in /dev/pts: in a container context only its own; the host context sees all. */
  *ptys(): Generator<Operation, number, unknown> {
    return (yield call('ptys')) as number;
  }
  /** Writes the file's dirty pages to disk and waits for them; returns 0 or -errno. */
  *fsync(fd: number): Generator<Operation, number, unknown> {
    return (yield call('fsync', fd)) as number;
  }
  /** Sleeps for `ns` nanoseconds (nanosleep); returns 0. */
  *sleep(ns: number): Generator<Operation, number, unknown> {
    return (yield call('nanosleep', ns)) as number;
  }
  /** Time since boot as the guest sees it, in ns (gettimeofday: no kernel entry needed on Linux). */
  *now(): Generator<Operation, number, unknown> {
    return (yield call('now')) as number;
  }
}

function call<N extends SyscallName>(name: N, ...args: SyscallArgs<N>): Operation {
  return { kind: 'syscall', call: name, args };
}
