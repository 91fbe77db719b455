import 'reflect-metadata';
import test from 'ava';
import fc from 'fast-check';
import { Simulator, connectMachines, createHypervisor, server2007, type Hypervisor } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { Errno, bootGuest, type GuestKernel, type Program, type Sys } from '../src/index.js';

/** Two machines on one wire, each with one guest at its own address. */
function twoMachines(serverMain: Program, clientMain: Program, mtu = 1500): { a: Hypervisor; b: Hypervisor; server: GuestKernel; client: GuestKernel } {
  const sim = new Simulator();
  const a = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  const b = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  connectMachines(a, b);
  const server = bootGuest(a, a.createDomain({ name: 'server', memoryMiB: 128 }), {
    address: '10.0.0.1',
    mtu,
    programs: { '/bin/main': { program: serverMain } },
    run: ['/bin/main'],
  });
  const client = bootGuest(b, b.createDomain({ name: 'client', memoryMiB: 128 }), {
    address: '10.0.0.2',
    mtu,
    programs: { '/bin/main': { program: clientMain } },
    run: ['/bin/main'],
  });
  a.runWhile(() => !(server.idle && client.idle) && sim.now < 60e9);
  return { a, b, server, client };
}

test('a TCP stream carries exactly the bytes written, in order of arrival, across machines', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(1500, 500), (writes, mtu) => {
      const total = writes.reduce((s, w) => s + w, 0);
      let received = 0;
      let eof = false;
      twoMachines(
        function* (sys: Sys) {
          const l = yield* sys.socket();
          yield* sys.bind(l, 80);
          yield* sys.listen(l);
          const c = yield* sys.accept(l);
          for (;;) {
            const n = yield* sys.read(c, 32768);
            if (n === 0) break;
            received += n;
          }
          eof = true;
          return 0;
        },
        function* (sys: Sys) {
          const s = yield* sys.socket();
          if ((yield* sys.connect(s, '10.0.0.1', 80)) !== 0) return 1;
          for (const w of writes) {
            let left = w;
            while (left > 0) left -= yield* sys.write(s, left);
          }
          yield* sys.close(s);
          return 0;
        },
        mtu,
      );
      return received === total && eof;
    }),
    { numRuns: 12 },
  );
  t.pass();
});

test('connecting to a port nobody listens on is refused; socket calls on other descriptors fail with ENOTSOCK', (t) => {
  const results: number[] = [];
  twoMachines(
    function* () {
      return 0;
    },
    function* (sys: Sys) {
      const s = yield* sys.socket();
      results.push(yield* sys.connect(s, '10.0.0.1', 9));
      results.push(yield* sys.listen(0));
      results.push(yield* sys.accept(99));
      return 0;
    },
  );
  t.deepEqual(results, [-Errno.ECONNREFUSED, -Errno.ENOTSOCK, -Errno.EBADF]);
});

test('select reports exactly the sockets with data waiting, and sleeps until one has some', (t) => {
  let readyBefore = -1;
  let readyAfter = -1;
  twoMachines(
    function* (sys: Sys) {
      const l = yield* sys.socket();
      yield* sys.bind(l, 80);
      yield* sys.listen(l);
      const conns: number[] = [];
      for (let i = 0; i < 4; i++) conns.push(yield* sys.accept(l));
      readyBefore = yield* sys.select(conns, 0);
      // Block until some data arrives, then count.
      yield* sys.select(conns);
      readyAfter = yield* sys.select(conns, 0);
      return 0;
    },
    function* (sys: Sys) {
      const socks: number[] = [];
      for (let i = 0; i < 4; i++) {
        const s = yield* sys.socket();
        yield* sys.connect(s, '10.0.0.1', 80);
        socks.push(s);
      }
      yield* sys.compute(3_000_000);
      yield* sys.write(socks[1]!, 100);
      yield* sys.write(socks[3]!, 100);
      return 0;
    },
  );
  t.is(readyBefore, 0);
  t.true(readyAfter >= 1 && readyAfter <= 2, `${readyAfter} ready`);
});

test('a cold file read waits for the disk, a warm one is served from the page cache; fsync writes dirty pages back', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const domain = hv.createDomain({ name: 'db', memoryMiB: 128 });
  const steps: number[] = [];
  const kernel = bootGuest(hv, domain, {
    files: { '/data/table': 4 << 20 },
    programs: {
      '/bin/main': {
        program: function* (sys: Sys) {
          const fd = yield* sys.open('/data/table');
          const t0 = yield* sys.now();
          steps.push(yield* sys.read(fd, 1 << 20)); // cold: from disk
          const t1 = yield* sys.now();
          steps.push(yield* sys.read(fd, 1 << 20)); // read ahead or from disk
          yield* sys.close(fd);
          const again = yield* sys.open('/data/table');
          const t2 = yield* sys.now();
          steps.push(yield* sys.read(again, 1 << 20)); // warm: page cache
          const t3 = yield* sys.now();
          steps.push(t1 - t0 > 20 * (t3 - t2) ? 1 : 0);
          steps.push(yield* sys.write(again, 8192));
          steps.push(yield* sys.fsync(again));
          steps.push(yield* sys.fsync(42));
          return 0;
        },
      },
    },
    run: ['/bin/main'],
  });
  hv.runWhile(() => !kernel.idle && domain.state === 'running');
  t.deepEqual(steps, [1 << 20, 1 << 20, 1 << 20, 1, 8192, 0, -Errno.EBADF]);
  t.true(hv.counts(domain)['disk-request']! > 0);
});

test('a writer faster than the disk is throttled to it (dirty pages stay bounded)', (t) => {
  const hv = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { cores: 1 } });
  const domain = hv.createDomain({ name: 'dd', memoryMiB: 64 });
  let elapsedNs = 0;
  const bytes = 64 << 20;
  const kernel = bootGuest(hv, domain, {
    files: { '/data/out': 0 },
    programs: {
      '/bin/dd': {
        program: function* (sys: Sys) {
          const fd = yield* sys.open('/data/out');
          const t0 = yield* sys.now();
          for (let done = 0; done < bytes; done += 65536) yield* sys.write(fd, 65536);
          elapsedNs = (yield* sys.now()) - t0;
          return 0;
        },
      },
    },
    run: ['/bin/dd'],
  });
  hv.runWhile(() => !kernel.idle && domain.state === 'running');
  const mbps = bytes / 1048576 / (elapsedNs / 1e9);
  // 64 MiB through 64 MiB of memory: most of it has to reach a ~60 MB/s disk first.
  t.true(mbps < 2 * server2007.disk.transferMBps, `${mbps.toFixed(0)} MB/s`);
});
