import 'reflect-metadata';
import test from 'ava';
import { Simulator, connectMachines, createHypervisor, server2007 } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { Errno, bootGuest, type Operation, type Program, type Sys } from '../src/index.js';

/** A server kernel owning 10.0.0.1 and an alias 10.0.0.2, and a client machine at 10.0.1.1. */
function aliasedServer(serverMain: Program, clientMain: Program) {
  const sim = new Simulator();
  const a = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  const b = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  connectMachines(a, b);
  const server = bootGuest(a, a.createDomain({ name: 'server', memoryMiB: 128 }), {
    address: '10.0.0.1',
    addresses: ['10.0.0.2'],
    programs: { '/bin/main': { program: serverMain } },
    run: ['/bin/main'],
  });
  const client = bootGuest(b, b.createDomain({ name: 'client', memoryMiB: 128 }), {
    address: '10.0.1.1',
    programs: { '/bin/main': { program: clientMain } },
    run: ['/bin/main'],
  });
  a.runWhile(() => !(server.idle && client.idle) && sim.now < 10e9);
  return { server, client };
}

/** Accepts `n` connections on `l`, reading each one's first byte count into `into`. */
function* serve(sys: Sys, l: number, n: number, into: number[]): Generator<Operation, void, unknown> {
  for (let i = 0; i < n; i++) {
    const c = yield* sys.accept(l);
    into.push(yield* sys.read(c, 1000));
    yield* sys.close(c);
  }
}

test('listeners on one port at two addresses are each reached at their own; a wildcard bind overlapping one is refused', (t) => {
  const onAlias: number[] = [];
  const onAny: number[] = [];
  const client: number[] = [];
  aliasedServer(
    function* (sys: Sys) {
      const alias = yield* sys.socket();
      const any = yield* sys.socket();
      if ((yield* sys.bind(alias, 80, '10.0.0.2')) !== 0 || (yield* sys.listen(alias)) !== 0) return 1;
      // Linux: a wildcard bind overlaps the alias's port (no SO_REUSEADDR here).
      client.push(yield* sys.bind(any, 80));
      yield* sys.close(any);
      const other = yield* sys.socket();
      if ((yield* sys.bind(other, 80, '10.0.0.1')) !== 0 || (yield* sys.listen(other)) !== 0) return 2;
      yield* serve(sys, alias, 1, onAlias);
      yield* serve(sys, other, 1, onAny);
      return 0;
    },
    function* (sys: Sys) {
      yield* sys.sleep(1e6);
      for (const [to, bytes] of [
        ['10.0.0.2', 22],
        ['10.0.0.1', 11],
      ] as const) {
        const s = yield* sys.socket();
        client.push(yield* sys.connect(s, to, 80));
        yield* sys.write(s, bytes);
        yield* sys.close(s);
      }
      return 0;
    },
  );
  t.deepEqual(client, [-Errno.EADDRINUSE, 0, 0]);
  t.deepEqual(onAlias, [22], 'the connection to the alias reached the alias listener');
  t.deepEqual(onAny, [11]);
});

test('binding an address the kernel does not own is refused; loopback and the sockets listing work without contexts', (t) => {
  const got: Record<string, number> = {};
  aliasedServer(
    function* (sys: Sys) {
      const s = yield* sys.socket();
      got.foreign = yield* sys.bind(s, 80, '10.0.0.9');
      got.badAddress = yield* sys.bind(s, 80, 42 as unknown as string);
      got.wildcard = yield* sys.bind(s, 8080, '0.0.0.0');
      got.again = yield* sys.bind(s, 8081);
      yield* sys.listen(s);
      const c = yield* sys.socket();
      got.loopback = yield* sys.connect(c, '127.0.0.1', 8080);
      const a = yield* sys.accept(s);
      yield* sys.write(c, 64);
      got.read = yield* sys.read(a, 1000);
      // The listener, and both ends of the loopback connection.
      got.sockets = yield* sys.sockets();
      return 0;
    },
    function* () {
      return 0;
    },
  );
  t.deepEqual(got, { foreign: -Errno.EADDRNOTAVAIL, badAddress: -Errno.EINVAL, wildcard: 0, again: -Errno.EINVAL, loopback: 0, read: 64, sockets: 3 });
});

test('a kernel address must be a unicast address', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  t.throws(() => bootGuest(hv, hv.createDomain({ name: 'g', memoryMiB: 64 }), { address: '10.0.0.1', addresses: ['127.0.0.1'] }), { message: /unicast/ });
});
