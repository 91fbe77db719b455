import 'reflect-metadata';
import test from 'ava';
import { Simulator, connectMachines, createHypervisor, server2007, type Domain, type FrameAccess, type Gfn, type Hypervisor, type Vcpu } from '@visorkit/core';
import { nativePlugin } from '@visorkit/native';
import { bootGuest, type Sys } from '../src/index.js';
import { runGuest } from './helpers.js';

/** Counts the frames a hypervisor's guests write through the paging point, by kernel stores and by devices. */
function spy(hv: Hypervisor): { kernel: Set<number>; device: Set<number>; stores: { n: number } } {
  const kernel = new Set<number>();
  const device = new Set<number>();
  const stores = { n: 0 };
  const memory = hv.memory;
  const writeFrame = memory.writeFrame.bind(memory);
  const machineFrame = memory.machineFrame.bind(memory);
  memory.writeFrame = (v: Vcpu, f: Gfn) => {
    kernel.add(f);
    stores.n++;
    writeFrame(v, f);
  };
  // A device's write (DMA on the guest's behalf) is the machine frame taken with write intent.
  memory.machineFrame = (d: Domain, f: Gfn, access: FrameAccess) => {
    if (access === 'write') device.add(f);
    return machineFrame(d, f, access);
  };
  return { kernel, device, stores };
}

test("a socket's bytes pass through guest frames: the sender's kernel writes its send queue's pages, the receiver's device its receive queue's, and freed pages are reused", (t) => {
  const sim = new Simulator();
  const a = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  const b = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, cores: 1 } });
  connectMachines(a, b);
  const onServer = spy(a);
  const onClient = spy(b);
  const BYTES = 1 << 20;
  let received = 0;
  const server = bootGuest(a, a.createDomain({ name: 'server', memoryMiB: 128 }), {
    address: '10.0.0.1',
    programs: {
      '/bin/main': {
        program: function* (sys: Sys) {
          const l = yield* sys.socket();
          yield* sys.bind(l, 80);
          yield* sys.listen(l);
          const c = yield* sys.accept(l);
          for (;;) {
            const n = yield* sys.read(c, 65536);
            if (n <= 0) break;
            received += n;
          }
          return 0;
        },
      },
    },
    run: ['/bin/main'],
  });
  const client = bootGuest(b, b.createDomain({ name: 'client', memoryMiB: 128 }), {
    address: '10.0.0.2',
    programs: {
      '/bin/main': {
        program: function* (sys: Sys) {
          const s = yield* sys.socket();
          if ((yield* sys.connect(s, '10.0.0.1', 80)) !== 0) return 1;
          let left = BYTES;
          while (left > 0) left -= yield* sys.write(s, left);
          yield* sys.close(s);
          return 0;
        },
      },
    },
    run: ['/bin/main'],
  });
  a.runWhile(() => !(server.idle && client.idle) && sim.now < 60e9);
  t.is(received, BYTES);
  // Every 4 KiB of the stream was stored into a send-queue page: at least one store per page.
  t.true(onClient.stores.n >= BYTES / 4096, `${onClient.stores.n} stores`);
  // ...but the queue holds at most 64 KiB, so acknowledged pages come back and are written again.
  t.true(onClient.kernel.size <= 64, `${onClient.kernel.size} distinct send-queue frames`);
  t.true(onServer.device.size >= 1 && onServer.device.size <= 64, `${onServer.device.size} distinct receive-queue frames`);
  t.is(onServer.kernel.size, 0, 'receiving stores nothing by the kernel: the reader copies out to its own buffer');
});

test("read() writes the caller's I/O buffer through its page tables, one page per 4 KiB it returns; write() to a file stores into the page-cache pages", (t) => {
  const seen: { ioPages: number; cacheStores: number }[] = [];
  runGuest(
    (env) =>
      function* (sys: Sys) {
        const stores = spy(env.hv);
        const fd = yield* sys.open('/data/file');
        const n = yield* sys.read(fd, 40_000);
        const out = yield* sys.open('/tmp/out', { create: true });
        yield* sys.write(out, 10_000);
        const me = env.kernel.processes.get(yield* sys.getpid())!;
        const buffer = me.space.vmas.find((v) => v.name === 'io-buffer')!;
        let ioPages = 0;
        for (const vpn of me.space.present.keys()) if (vpn >= buffer.start && vpn < buffer.start + buffer.pages) ioPages++;
        seen.push({ ioPages: n === 40_000 ? ioPages : -1, cacheStores: stores.kernel.size });
        return 0;
      },
  );
  t.deepEqual(seen, [{ ioPages: Math.ceil(40_000 / 4096), cacheStores: Math.ceil(10_000 / 4096) }]);
});
