import { bundledProfiles, type Domain, type Hypervisor } from '@visorkit/core';
import { Errno, bootGuest, type GuestKernel, type Operation, type Program, type Sys } from '@visorkit/guest';
import { type ContextSettings, vserverContextsOf } from '@visorkit/vserver';
import { type AddressRef, type ContainerOperation, type PidRef, VICTIM_FILES, isContainerVictimOperation } from './container-operation.js';
import { Breach, type FuzzTarget } from './fuzz-machine.js';
import { ObservingPolicy } from './observing-policy.js';

/** The attacking context, the well-behaved one, and the host context (0), which sees all. */
const ATTACKER = 1;
const VICTIM = 2;
const ROOT = { [ATTACKER]: '/vservers/a', [VICTIM]: '/vservers/b' } as const;
const ADDRESS = { host: '10.9.1.1', attacker: '10.9.1.2', victim: '10.9.1.3', other: '10.9.1.200' } as const;
/** The attacker's limits: small, so its operations reach them. */
const ATTACKER_PROCESSES = 6;
const ATTACKER_MIB = 2;
/** Sizes only files outside the attacker's root have: a stat returning one of them is an escape. */
const SHADOW_BYTES = 7777;
const SECRET_BYTES = 8888;
const UNIFIED_BYTES = 5555;
/** How long a command may take in simulated time before its process is deemed stuck (ns). */
const COMMAND_NS = 1e9;
/** How often an idle worker looks for its next command (ns). */
const IDLE_NS = 1_000_000;
/** A sweep (the victim's whole view, compared with the reference) every this many operations. */
export const CONTAINER_SWEEP_EVERY = 64;

type Command = (sys: Sys) => Generator<Operation, number, unknown>;

/** A process driven from outside: it runs the command it is handed, then waits for the next. */
class Worker {
  command: Command | undefined = undefined;
  result = 0;
  done = true;
  pid = -1;
  readonly program: Program = workerProgram(this);
}

/** The program of a {@link Worker}: polls for a command, runs it, reports its result. */
function workerProgram(w: Worker): Program {
  return function* (sys: Sys) {
    w.pid = yield* sys.getpid();
    for (;;) {
      const c = w.command;
      if (c === undefined) {
        yield* sys.sleep(IDLE_NS);
        continue;
      }
      w.command = undefined;
      w.result = yield* c(sys);
      w.done = true;
    }
  };
}

/** A child that only sleeps (and first resolves a path, so the fuzzer's observing policy learns it). */
function* sleeper(sys: Sys): Generator<Operation, number, unknown> {
  yield* sys.stat('/etc');
  for (;;) yield* sys.sleep(1e12);
}

/** One shared kernel with the three contexts, its worker processes and its policy, on one machine. */
class SharedKernel {
  readonly hv: Hypervisor;
  readonly domain: Domain;
  readonly kernel: GuestKernel;
  readonly policy: ObservingPolicy;
  readonly attacker = new Worker();
  readonly victim = new Worker();
  /** The host context's administrator (vkill and friends): it clears out a context that cannot start a process. */
  readonly admin = new Worker();
  readonly hostPids: number[] = [];
  /** The victim's live children (pids), oldest first. */
  readonly victimChildren: number[] = [];

  constructor(target: FuzzTarget, seed: number) {
    const profile = bundledProfiles.find((p) => p.name === 'modern')!;
    this.hv = target.platform.compose(profile, { seed, memoryMiB: 96, cores: 2 });
    this.domain = this.hv.createDomain({ name: 'shared-kernel', memoryMiB: 64 });
    const settings = new Map<number, ContextSettings>([
      [ATTACKER, { root: ROOT[ATTACKER], maxProcesses: ATTACKER_PROCESSES, maxResidentMiB: ATTACKER_MIB, addresses: [ADDRESS.attacker] }],
      [VICTIM, { root: ROOT[VICTIM], addresses: [ADDRESS.victim] }],
    ]);
    const contexts = vserverContextsOf(this.hv);
    for (const [id, s] of settings) contexts.define(id, s);
    this.policy = new ObservingPolicy(contexts, settings);
    const files: Record<string, number> = {
      '/etc/shadow': SHADOW_BYTES,
      '/vservers/b/etc/secret': SECRET_BYTES,
      '/vservers/a/etc/motd': 100,
      '/lib/shared.so': UNIFIED_BYTES,
    };
    for (let i = 0; i < VICTIM_FILES; i++) files[`${ROOT[VICTIM]}/data/${i}`] = 1000 * (i + 1);
    this.kernel = bootGuest(this.hv, this.domain, {
      policy: this.policy,
      address: ADDRESS.host,
      addresses: [ADDRESS.attacker, ADDRESS.victim],
      programs: {
        '/bin/attacker': { program: this.attacker.program },
        '/bin/victim': { program: this.victim.program },
        '/bin/daemon': { program: sleeper },
        '/bin/admin': { program: this.admin.program },
      },
      files,
    });
    // Unified files (VServer's vhashify): one inode, hard-linked into each root, immutable.
    for (const root of [ROOT[ATTACKER], ROOT[VICTIM]]) this.kernel.fs.link(`${root}/lib/shared.so`, '/lib/shared.so');
    this.hostPids.push(this.kernel.spawn('/bin/daemon', 0), this.kernel.spawn('/bin/daemon', 0));
    this.kernel.spawn('/bin/victim', VICTIM);
    this.kernel.spawn('/bin/admin', 0);
    this.kernel.spawn('/bin/attacker', ATTACKER);
    this.hv.runWhile(() => this.attacker.pid < 0 || this.victim.pid < 0 || this.admin.pid < 0);
  }

  /** Runs `command` on `worker` to completion; undefined when it did not complete (its process died or is stuck). */
  run(worker: Worker, command: Command): number | undefined {
    worker.command = command;
    worker.done = false;
    const until = this.hv.now + COMMAND_NS;
    const me = this.policy.processes.get(worker.pid);
    // Until it answers, its process dies (an OOM kill, a signal to itself), or time is up.
    this.hv.runWhile(() => !worker.done && this.hv.now < until && me?.state !== 'zombie');
    if (worker.done) return worker.result;
    worker.command = undefined;
    return undefined;
  }

  /** The victim's commands: the same on the machine under attack and on the reference. */
  victimCommand(op: ContainerOperation): Command {
    const children = this.victimChildren;
    switch (op.k) {
      case 'cv-stat':
        return (sys) => sys.stat(`/data/${op.file}`);
      case 'cv-append':
        return function* (sys) {
          const fd = yield* sys.open(`/data/${op.file}`);
          if (fd < 0) return fd;
          const size = yield* sys.stat(`/data/${op.file}`);
          yield* sys.lseek(fd, Math.max(0, size));
          const n = yield* sys.write(fd, op.bytes);
          yield* sys.close(fd);
          return n;
        };
      case 'cv-listen':
        return function* (sys) {
          const fd = yield* sys.socket();
          if (fd < 0) return fd;
          const bound = yield* sys.bind(fd, op.port, ADDRESS.victim);
          const listening = bound === 0 ? yield* sys.listen(fd) : bound;
          yield* sys.close(fd);
          return bound * 1000 + listening;
        };
      case 'cv-sockets':
        return (sys) => sys.sockets();
      case 'cv-ptys':
        return (sys) => sys.ptys();
      case 'cv-openpty':
        return function* (sys) {
          const fd = yield* sys.openpty();
          if (fd < 0) return fd;
          // pty numbers are the shared kernel's (one devpts, filtered by context, as in VServer): only success is the victim's.
          const n = yield* sys.ptsname(fd);
          return n < 0 ? n : 0;
        };
      case 'cv-fork':
        return function* (sys) {
          const pid = yield* sys.fork(sleeper);
          if (pid > 0) children.push(pid);
          return Math.sign(pid); // pids differ with the attacker's forks; success does not
        };
      case 'cv-kill-child':
        return function* (sys) {
          const pid = children.pop();
          if (pid === undefined) return -Errno.ECHILD;
          const r = yield* sys.kill(pid, 9);
          for (let w = yield* sys.wait(); w > 0 && w !== pid; w = yield* sys.wait());
          return r;
        };
      case 'cv-touch':
        return function* (sys) {
          let finished = 0;
          const pid = yield* sys.fork(function* (s) {
            const at = yield* s.mmap({ bytes: op.pages * 4096 });
            yield* s.touch(at, op.pages * 4096, { write: true });
            finished = 1;
            return 0;
          });
          if (pid < 0) return pid;
          for (let w = yield* sys.wait(); w > 0 && w !== pid; w = yield* sys.wait());
          return finished;
        };
      default:
        throw new Error(`not a victim operation: ${op.k}`);
    }
  }

  /** The victim's whole view: its files, the unified file, its sockets and ptys. */
  victimView(): number[] {
    const out: number[] = [];
    const view = function* (sys: Sys): Generator<Operation, number, unknown> {
      for (let i = 0; i < VICTIM_FILES; i++) out.push(yield* sys.stat(`/data/${i}`));
      out.push(yield* sys.stat('/lib/shared.so'), yield* sys.stat('/etc/secret'), yield* sys.sockets(), yield* sys.ptys());
      return 0;
    };
    const r = this.run(this.victim, view);
    out.push(r ?? Number.NaN);
    return out;
  }
}

/**
 * One shared kernel under attack from inside a container context: an attacking context (a
 * process limit, a memory limit, an address of its own, a root) issues hostile operations;
 * a well-behaved context beside it works on its files, listeners, ptys and children, and the
 * same work runs on a reference kernel without the attacker; the host context keeps daemons.
 * After every operation: the plugin's decisions (seen through {@link ObservingPolicy}) never
 * let a context reach outside its own, the other contexts' processes live, no stat reveals a
 * file outside the attacker's root, the attacker sees only its own sockets and ptys, its
 * limits hold, the accounts add up, and the victim's results equal the reference's.
 */
export class ContainerFuzzMachine {
  readonly main: SharedKernel;
  readonly reference: SharedKernel;
  invariantsChecked = 0;
  /** Operations the kernel refused (a negative errno): the expected answer to most hostile ones. */
  refused = 0;
  #ops = 0;
  /** The attacker's children believed alive (pids). */
  readonly #children = new Set<number>();
  #socketsMade = 0;
  #ptysMade = 0;
  #violationsBefore = 0;
  #residentBefore = 0;
  /** The last child the attacker forked (-1: none yet). */
  #lastChild = -1;

  constructor(
    readonly target: FuzzTarget,
    seed: number,
  ) {
    this.main = new SharedKernel(target, seed);
    this.reference = new SharedKernel(target, seed);
    this.#violationsBefore = this.main.hv.counts(this.main.domain)['privilege-violation'] ?? 0;
  }

  /** Operations applied so far. */
  get operations(): number {
    return this.#ops;
  }

  /** Applies one operation and checks the invariants; throws {@link Breach} on a broken one. */
  apply(op: ContainerOperation): void {
    this.#ops++;
    if (isContainerVictimOperation(op)) {
      const got = this.main.run(this.main.victim, this.main.victimCommand(op));
      const want = this.reference.run(this.reference.victim, this.reference.victimCommand(op));
      this.#check(
        'containers/victim-results-equal-a-run-without-the-attacker',
        got !== undefined && Object.is(got, want),
        `the victim's ${op.k} got ${got}, without the attacker ${want}`,
      );
    } else {
      let result: number | undefined;
      try {
        result = this.#attack(op);
      } catch (e) {
        if (e instanceof Breach) throw e;
        // Whatever a process asks, the shared kernel answers with an errno: an exception is a kernel crash.
        throw new Breach('kernel/guest-input-never-crashes-it', `${op.k} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      if (result !== undefined && result < 0) this.refused++;
      this.#afterAttack(op, result);
    }
    if (this.#ops % CONTAINER_SWEEP_EVERY === 0) this.sweep();
  }

  #attack(op: ContainerOperation): number | undefined {
    const m = this.main;
    const children = this.#children;
    switch (op.k) {
      case 'c-kill': {
        const pid = this.#pid(op.target);
        const r = m.run(m.attacker, (sys) => sys.kill(pid, op.signal));
        if (r === 0) {
          this.#check(
            'signals/a-context-signals-only-its-own',
            pid === m.attacker.pid || children.has(pid),
            `the attacker's kill(${pid}, ${op.signal}) succeeded on a process not its own`,
          );
          children.delete(pid);
        }
        if (r === undefined || pid === m.attacker.pid) this.#respawnIfGone();
        return r;
      }
      case 'c-bind': {
        const address = this.#address(op.address);
        const r = m.run(m.attacker, function* (sys) {
          const fd = yield* sys.socket();
          if (fd < 0) return fd;
          const bound = yield* sys.bind(fd, op.port, address);
          return bound === 0 && op.listen ? yield* sys.listen(fd) : bound;
        });
        this.#socketsMade++;
        if (r === 0)
          this.#check(
            'network/a-context-binds-only-its-own-addresses',
            address === undefined || address === ADDRESS.attacker || address === '0.0.0.0',
            `the attacker bound ${address}:${op.port}`,
          );
        return r;
      }
      case 'c-close':
        return m.run(m.attacker, (sys) => sys.close(op.fd));
      case 'c-sockets': {
        const r = m.run(m.attacker, (sys) => sys.sockets());
        this.#check(
          'network/a-context-sees-only-its-own-sockets',
          r === undefined || r <= this.#socketsMade,
          `the attacker sees ${r} sockets, having made ${this.#socketsMade}`,
        );
        return r;
      }
      case 'c-ptys': {
        const r = m.run(m.attacker, (sys) => sys.ptys());
        this.#check('ptys/a-context-sees-only-its-own', r === undefined || r <= this.#ptysMade, `the attacker sees ${r} ptys, having opened ${this.#ptysMade}`);
        return r;
      }
      case 'c-openpty': {
        const r = m.run(m.attacker, (sys) => sys.openpty());
        if (r !== undefined && r >= 0) this.#ptysMade++;
        return r;
      }
      case 'c-stat': {
        const r = m.run(m.attacker, (sys) => sys.stat(op.path));
        this.#checkNotForeign(op.path, r);
        return r;
      }
      case 'c-open': {
        const r = m.run(m.attacker, function* (sys) {
          const fd = yield* sys.open(op.path, { create: op.create });
          if (fd < 0 || op.bytes === 0) return fd;
          const n = yield* sys.write(fd, op.bytes);
          return n < 0 ? n : fd;
        });
        // Opening the pty multiplexer makes a pty of its own, as openpty does.
        if (r !== undefined && r >= 0 && op.path.endsWith('ptmx')) this.#ptysMade++;
        // What it opened, it may stat through the same path: never a size of a file outside its root.
        if (r !== undefined && r >= 0)
          this.#checkNotForeign(
            op.path,
            m.run(m.attacker, (sys) => sys.stat(op.path)),
          );
        return r;
      }
      case 'c-fork': {
        let last = this.#lastChild;
        const r = m.run(m.attacker, function* (sys) {
          let made = 0;
          for (let i = 0; i < op.children; i++) {
            const pid = yield* sys.fork(sleeper);
            if (pid > 0) {
              children.add(pid);
              last = pid;
              made++;
            }
          }
          return made;
        });
        this.#lastChild = last;
        this.#check(
          'limits/a-context-has-at-most-its-processes',
          1 + children.size <= ATTACKER_PROCESSES,
          `the attacker has ${1 + children.size} processes, its limit ${ATTACKER_PROCESSES}`,
        );
        return r;
      }
      case 'c-hog': {
        let finished = false;
        const before = m.kernel.residentPages(ATTACKER);
        const r = m.run(m.attacker, function* (sys) {
          const pid = yield* sys.fork(function* (s) {
            const at = yield* s.mmap({ bytes: op.mib << 20 });
            yield* s.touch(at, op.mib << 20, { write: true });
            finished = true;
            return 0;
          });
          if (pid < 0) return pid;
          for (let w = yield* sys.wait(); w > 0 && w !== pid; w = yield* sys.wait()) children.delete(w);
          return 0;
        });
        this.#check(
          'limits/a-context-has-at-most-its-memory',
          !finished || before + op.mib * 256 <= ATTACKER_MIB * 256,
          `the attacker's ${op.mib} MiB hog finished with ${before} pages already resident (limit ${ATTACKER_MIB} MiB)`,
        );
        return r;
      }
      default:
        throw new Error(`not an attacker operation: ${op.k}`);
    }
  }

  #afterAttack(op: ContainerOperation, result: number | undefined): void {
    const m = this.main;
    const violations = m.policy.take();
    this.#check('containers/the-policy-keeps-contexts-apart', violations.length === 0, `on the attacker's ${op.k}: ${violations.join('; ')}`);
    // The other contexts' processes are alive, whatever the attacker signalled.
    for (const pid of [m.victim.pid, ...m.victimChildren, ...m.hostPids]) {
      const p = m.policy.processes.get(pid);
      this.#check(
        'signals/other-contexts-processes-live',
        p === undefined || p.state !== 'zombie',
        `pid ${pid} of context ${p?.context} died on the attacker's ${op.k}`,
      );
    }
    // The limit binds page faults (VServer's RSS limit, as the plugin models it): a fork's
    // copy-on-write pages count towards it without being faulted in, so only a fork may
    // leave the context above its limit, and nothing else may grow it further.
    const resident = m.kernel.residentPages(ATTACKER);
    this.#check(
      'limits/a-context-has-at-most-its-memory',
      resident <= ATTACKER_MIB * 256 || resident <= this.#residentBefore || op.k === 'c-fork',
      `the attacker's context has ${resident} pages resident after its ${op.k} (${this.#residentBefore} before), its limit ${ATTACKER_MIB * 256}`,
    );
    this.#residentBefore = resident;
    this.#checkAccounts(op);
    if (result === undefined && op.k !== 'c-kill') this.#respawnIfGone();
  }

  /** Counts and resident pages are finite, non-negative integers; refusals are counted, never un-counted. */
  #checkAccounts(op: ContainerOperation): void {
    const m = this.main;
    let total = 0;
    for (const c of [0, ATTACKER, VICTIM]) {
      const r = m.kernel.residentPages(c);
      this.#check('accounting/resident-pages-add-up', Number.isInteger(r) && r >= 0, `context ${c} has ${r} resident pages after ${op.k}`);
      total += r;
    }
    this.#check(
      'accounting/resident-pages-add-up',
      total <= m.hv.memory.frames(m.domain),
      `${total} resident pages in a ${m.hv.memory.frames(m.domain)}-frame domain`,
    );
    const counts = m.domain.counts;
    for (let i = 0; i < counts.length; i++)
      if (!(counts[i]! >= 0 && counts[i]! < Infinity)) this.#check('accounting/adds-up', false, `mechanism ${i} counts ${counts[i]} after ${op.k}`);
    const violations = m.hv.counts(m.domain)['privilege-violation'] ?? 0;
    this.#check('accounting/adds-up', violations >= this.#violationsBefore, `privilege violations went from ${this.#violationsBefore} down to ${violations}`);
    this.#violationsBefore = violations;
  }

  /** No path the attacker names reaches a file outside its root: their sizes are unique to them. */
  #checkNotForeign(path: string, r: number | undefined): void {
    this.#check(
      'chroot/a-path-never-resolves-outside-the-root',
      r !== SHADOW_BYTES && r !== SECRET_BYTES,
      `the attacker's '${path}' reached a file outside its root (${r === SHADOW_BYTES ? "the host's /etc/shadow" : "the victim's /etc/secret"})`,
    );
  }

  /** The victim's whole view equals the reference's. */
  sweep(): void {
    const got = this.main.victimView();
    const want = this.reference.victimView();
    this.#check(
      'containers/victim-results-equal-a-run-without-the-attacker',
      got.length === want.length && got.every((g, i) => Object.is(g, want[i])),
      `the victim's files, sockets and ptys read ${got.join(',')}, without the attacker ${want.join(',')}`,
    );
  }

  /**
   * The attacker's worker killed itself (or was OOM-killed, or is stuck): the host's
   * administrator stops the rest of the context (its children may hold all its memory, and
   * a new process would be killed at its first fault), as `vserver … restart` would, and a
   * new worker starts in it.
   */
  #respawnIfGone(): void {
    const m = this.main;
    const p = m.policy.processes.get(m.attacker.pid);
    if (m.attacker.done && p !== undefined && p.state !== 'zombie') return;
    const doomed = [...this.#children];
    this.#children.clear();
    if (doomed.length > 0)
      m.run(m.admin, function* (sys) {
        for (const pid of doomed) yield* sys.kill(pid, 9);
        return 0;
      });
    m.attacker.pid = -1;
    m.attacker.done = true;
    m.attacker.command = undefined;
    const pid = m.kernel.spawn('/bin/attacker', ATTACKER);
    const until = m.hv.now + COMMAND_NS;
    m.hv.runWhile(() => m.attacker.pid < 0 && m.hv.now < until && m.policy.processes.get(pid)?.state !== 'zombie');
    this.#check(
      'containers/a-context-can-always-be-restarted',
      m.attacker.pid === pid,
      "the attacker's context could not start a process once the host stopped its others",
    );
    this.#residentBefore = m.kernel.residentPages(ATTACKER);
  }

  #pid(ref: PidRef): number {
    const m = this.main;
    if ('raw' in ref) return ref.raw;
    if ('victim' in ref) {
      const list = [m.victim.pid, ...m.victimChildren];
      return list[ref.victim % list.length]!;
    }
    if ('host' in ref) return m.hostPids[ref.host % m.hostPids.length]!;
    // Its own: itself (index 0), else one of its children, else the last one it had (gone: ESRCH).
    const children = [...this.#children];
    if (ref.own === 0 || (children.length === 0 && this.#lastChild < 0)) return m.attacker.pid;
    return children.length > 0 ? children[(ref.own - 1) % children.length]! : this.#lastChild;
  }

  #address(ref: AddressRef): string | undefined {
    if (typeof ref === 'object') return ref.raw;
    switch (ref) {
      case 'own':
        return ADDRESS.attacker;
      case 'victim':
        return ADDRESS.victim;
      case 'host':
        return ADDRESS.host;
      case 'other':
        return ADDRESS.other;
      case 'any':
        return undefined;
      case 'loopback':
        return '127.0.0.1';
    }
  }

  #check(invariant: string, ok: boolean, detail: string): void {
    this.invariantsChecked++;
    if (!ok) throw new Breach(invariant, detail);
  }
}
