import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { Simulator, connectMachines, createHypervisor, server2007, type Domain, type Hypervisor } from '@visorkit/core';
import { Errno, bootGuest, type GuestKernel, type Operation, type Program, type Sys } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { VserverContexts, vserverOn } from '../src/index.js';

const HOST = '10.0.0.1';
const WEB_A = '10.0.0.11';
const WEB_B = '10.0.0.12';
const CLIENT = '10.0.1.1';

interface Shared {
  readonly hv: Hypervisor;
  readonly d: Domain;
  readonly kernel: GuestKernel;
  /** Runs until every process on both machines exited (or 20 simulated seconds). */
  run(): void;
}

/**
 * One shared kernel owning the host's address and one per context — context 1 (root
 * /vservers/a, address WEB_A) and context 2 (root /vservers/b, address WEB_B) — beside the
 * host context 0; and, when `client` is given, a client machine at CLIENT on a wire.
 */
function sharedKernel(programs: Record<string, Program>, client?: Program): Shared {
  const sim = new Simulator();
  const hv = createHypervisor({
    machine: server2007,
    plugins: vserverOn(nativePlugin),
    options: { simulator: sim, cores: 1 },
  });
  const d = hv.createDomain({ name: 'host', memoryMiB: 256 });
  const contexts = new VserverContexts(server2007);
  contexts.define(1, { root: '/vservers/a', addresses: [WEB_A] });
  contexts.define(2, { root: '/vservers/b', addresses: [WEB_B] });
  const kernel = bootGuest(hv, d, {
    policy: contexts,
    address: HOST,
    addresses: [WEB_A, WEB_B],
    programs: Object.fromEntries(Object.entries(programs).map(([k, v]) => [k, { program: v }])),
  });
  let peer: GuestKernel | undefined;
  if (client !== undefined) {
    const clients = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
    connectMachines(hv, clients);
    peer = bootGuest(clients, clients.createDomain({ name: 'client', memoryMiB: 128 }), {
      address: CLIENT,
      programs: { '/bin/client': { program: client } },
      run: ['/bin/client'],
    });
  }
  return { hv, d, kernel, run: () => hv.runWhile(() => !(kernel.idle && (peer?.idle ?? true)) && sim.now < 20e9) };
}

/** A web server: listens on port 80 (any address: its context's), answers `n` connections with `reply` bytes each. */
function webServer(n: number, reply: number, requests: number[]): Program {
  return function* (sys: Sys) {
    const l = yield* sys.socket();
    if ((yield* sys.bind(l, 80)) !== 0 || (yield* sys.listen(l)) !== 0) return 1;
    for (let i = 0; i < n; i++) {
      const c = yield* sys.accept(l);
      requests.push(yield* sys.read(c, 1000));
      yield* sys.write(c, reply);
      yield* sys.close(c);
    }
    return 0;
  };
}

/** Connects to `address`:80, sends `bytes`, returns the reply's size (or -errno). */
function* fetch(sys: Sys, address: string, bytes: number): Generator<Operation, number, unknown> {
  const s = yield* sys.socket();
  const r = yield* sys.connect(s, address, 80);
  if (r < 0) return r;
  yield* sys.write(s, bytes);
  const n = yield* sys.read(s, 1000);
  yield* sys.close(s);
  return n;
}

test('two contexts each listen on port 80 at their own address, and a client on another machine reaches each by address', (t) => {
  const a: number[] = [];
  const b: number[] = [];
  const replies: number[] = [];
  const { kernel, run } = sharedKernel({ '/bin/web-a': webServer(1, 101, a), '/bin/web-b': webServer(1, 202, b) }, function* (sys: Sys) {
    yield* sys.sleep(1e6);
    replies.push(yield* fetch(sys, WEB_A, 1));
    replies.push(yield* fetch(sys, WEB_B, 2));
    replies.push(yield* fetch(sys, HOST, 3));
    return 0;
  });
  kernel.spawn('/bin/web-a', 1);
  kernel.spawn('/bin/web-b', 2);
  run();
  t.deepEqual(a, [1], "context 1's server got only the request to its address");
  t.deepEqual(b, [2]);
  t.deepEqual(replies, [101, 202, -Errno.ECONNREFUSED], "each address answered with its own context's server; the host's address has no port 80");
});

test("binding another context's (or the host's) address is refused and counted, changes nothing, and the victim keeps serving", (t) => {
  const got: Record<string, number> = {};
  const victim: number[] = [];
  const replies: number[] = [];
  const { hv, d, kernel, run } = sharedKernel(
    {
      '/bin/web-b': webServer(1, 202, victim),
      '/bin/attacker': function* (sys: Sys) {
        yield* sys.sleep(1e6);
        const s = yield* sys.socket();
        got.violationsBefore = hv.counts(d)['privilege-violation'] ?? 0;
        got.stealPort = yield* sys.bind(s, 80, WEB_B);
        got.stealHost = yield* sys.bind(s, 8080, HOST);
        got.violationsAfter = hv.counts(d)['privilege-violation'] ?? 0;
        // The refusals left the socket unbound: it still binds its own address.
        got.own = yield* sys.bind(s, 80, WEB_A);
        got.listen = yield* sys.listen(s);
        return 0;
      },
    },
    function* (sys: Sys) {
      yield* sys.sleep(5e6);
      replies.push(yield* fetch(sys, WEB_B, 7));
      return 0;
    },
  );
  kernel.spawn('/bin/web-b', 2);
  kernel.spawn('/bin/attacker', 1);
  run();
  t.is(got.stealPort, -Errno.EADDRNOTAVAIL);
  t.is(got.stealHost, -Errno.EADDRNOTAVAIL);
  t.is(got.violationsAfter! - got.violationsBefore!, 2, 'each attempt is a counted privilege violation');
  t.is(got.own, 0);
  t.is(got.listen, 0);
  t.deepEqual(victim, [7], "context 2's server still got its client");
  t.deepEqual(replies, [202]);
});

test("loopback from a context reaches its own listener, never another context's on the same port", (t) => {
  const a: number[] = [];
  const b: number[] = [];
  const replies: Record<string, number> = {};
  const { kernel, run } = sharedKernel({
    '/bin/web-a': webServer(1, 101, a),
    '/bin/web-b': webServer(1, 202, b),
    '/bin/client-a': function* (sys: Sys) {
      yield* sys.sleep(1e6);
      replies.a = yield* fetch(sys, '127.0.0.1', 1);
      return 0;
    },
    '/bin/client-b': function* (sys: Sys) {
      yield* sys.sleep(2e6);
      replies.b = yield* fetch(sys, '127.0.0.1', 2);
      return 0;
    },
  });
  kernel.spawn('/bin/web-a', 1);
  kernel.spawn('/bin/web-b', 2);
  kernel.spawn('/bin/client-a', 1);
  kernel.spawn('/bin/client-b', 2);
  run();
  t.deepEqual(replies, { a: 101, b: 202 });
  t.deepEqual(a, [1]);
  t.deepEqual(b, [2]);
});

test('a context lists only its own sockets; the host context lists every one', (t) => {
  const seen: Record<string, number> = {};
  const { kernel, run } = sharedKernel({
    '/bin/web-a': function* (sys: Sys) {
      const l = yield* sys.socket();
      yield* sys.bind(l, 80);
      yield* sys.listen(l);
      yield* sys.sleep(10e6);
      seen.a = yield* sys.sockets();
      return 0;
    },
    '/bin/web-b': function* (sys: Sys) {
      const l = yield* sys.socket();
      yield* sys.bind(l, 80);
      yield* sys.listen(l);
      // A loopback connection inside the context: two more sockets, both its own.
      const c = yield* sys.socket();
      yield* sys.connect(c, '127.0.0.1', 80);
      yield* sys.accept(l);
      yield* sys.sleep(10e6);
      seen.b = yield* sys.sockets();
      return 0;
    },
    '/bin/admin': function* (sys: Sys) {
      yield* sys.sleep(5e6);
      seen.host = yield* sys.sockets();
      return 0;
    },
  });
  kernel.spawn('/bin/web-a', 1);
  kernel.spawn('/bin/web-b', 2);
  kernel.spawn('/bin/admin', 0);
  run();
  t.deepEqual(seen, { a: 1, b: 3, host: 4 });
});

test("a context cannot open or stat another context's pty, while its owner's terminal keeps working and the host context reaches it", (t) => {
  const got: Record<string, number | number[]> = {};
  let shared = -1;
  const { hv, d, kernel, run } = sharedKernel({
    '/bin/sshd-b': function* (sys: Sys) {
      const master = yield* sys.openpty();
      shared = yield* sys.ptsname(master);
      const tty = yield* sys.open(`/dev/pts/${shared}`);
      got.ownOpen = tty >= 0 ? 0 : tty;
      yield* sys.sleep(10e6); // the attacker tries meanwhile
      yield* sys.write(master, 5);
      got.slaveRead = yield* sys.read(tty, 100);
      yield* sys.write(tty, 9);
      got.masterRead = yield* sys.read(master, 100);
      got.ownList = yield* sys.ptys();
      yield* sys.sleep(10e6); // the host context looks
      return 0;
    },
    '/bin/attacker': function* (sys: Sys) {
      yield* sys.sleep(2e6);
      const before = hv.counts(d)['privilege-violation'] ?? 0;
      const opens: number[] = [];
      for (let n = 0; n < 3; n++) opens.push(yield* sys.open(`/dev/pts/${n}`));
      got.opens = opens;
      got.stat = yield* sys.stat(`/dev/pts/${shared}`);
      got.list = yield* sys.ptys();
      got.violations = (hv.counts(d)['privilege-violation'] ?? 0) - before;
      // Its own pty is fine, and numbered apart from the other context's.
      const mine = yield* sys.openpty();
      got.mine = yield* sys.ptsname(mine);
      got.listMine = yield* sys.ptys();
      yield* sys.sleep(20e6);
      return 0;
    },
    '/bin/admin': function* (sys: Sys) {
      yield* sys.sleep(15e6);
      got.hostStat = yield* sys.stat(`/dev/pts/${shared}`);
      const fd = yield* sys.open(`/dev/pts/${shared}`);
      got.hostOpen = fd >= 0 ? 0 : fd;
      got.hostList = yield* sys.ptys();
      return 0;
    },
  });
  kernel.spawn('/bin/sshd-b', 2);
  kernel.spawn('/bin/attacker', 1);
  kernel.spawn('/bin/admin', 0);
  run();
  t.is(got.ownOpen, 0, 'the owner opens its slave (through its chroot: /dev/pts is not remapped)');
  t.deepEqual(got.opens, [-Errno.ENOENT, -Errno.ENOENT, -Errno.ENOENT], "another context's pty does not exist for the attacker");
  t.is(got.stat, -Errno.ENOENT);
  t.is(got.list, 0);
  t.is(got.violations, 2, 'opening and stating an existing foreign pty are counted; absent numbers are just absent');
  t.is(got.mine, 1);
  t.is(got.listMine, 1);
  t.is(got.slaveRead, 5, 'master to slave');
  t.is(got.masterRead, 9, 'slave to master');
  t.is(got.ownList, 1);
  t.is(got.hostStat, 0);
  t.is(got.hostOpen, 0, 'the host context sees every context');
  t.is(got.hostList, 2);
});

test('for any assignment of addresses, no context binds an address not assigned to it, and each refusal is counted', (t) => {
  const pool = ['10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14'];
  fc.assert(
    fc.property(fc.array(fc.subarray(pool, { minLength: 1 }), { minLength: 1, maxLength: 3 }), (assignment) => {
      const hv = createHypervisor({
        machine: server2007,
        plugins: vserverOn(nativePlugin),
        options: { cores: 1 },
      });
      const d = hv.createDomain({ name: 'host', memoryMiB: 128 });
      const contexts = new VserverContexts(server2007);
      assignment.forEach((addresses, i) => contexts.define(i + 1, { addresses }));
      const results = new Map<number, number[]>();
      const prober: Program = function* (sys: Sys) {
        const mine: number[] = [];
        for (const address of [...pool, '10.0.0.1', '10.0.0.99', undefined]) {
          const s = yield* sys.socket();
          mine.push(yield* sys.bind(s, 0, address));
          yield* sys.close(s);
        }
        results.set(yield* sys.getpid(), mine);
        return 0;
      };
      const kernel = bootGuest(hv, d, { policy: contexts, address: '10.0.0.1', addresses: pool, programs: { '/bin/probe': { program: prober } } });
      const pids = assignment.map((_, i) => kernel.spawn('/bin/probe', i + 1));
      hv.runWhile(() => !kernel.idle);
      let refusals = 0;
      const ok = assignment.every((own, i) => {
        const r = results.get(pids[i]!)!;
        return (
          [...pool, '10.0.0.1', '10.0.0.99'].every((address, j) => {
            if (own.includes(address)) return r[j] === 0;
            refusals++;
            return r[j] === -Errno.EADDRNOTAVAIL;
          }) && r[r.length - 1] === 0
        ); // the wildcard: the context's own first address
      });
      return ok && hv.counts(d)['privilege-violation'] === refusals;
    }),
    { numRuns: 25 },
  );
  t.pass();
});
