import {
  ALL_CAPABILITIES,
  ProportionalShareScheduler,
  checkpointDomain,
  restoreDomain,
  type Hypervisor,
  type Vcpu,
  CostCategory,
  IllegalTransitionError,
  PrivilegeViolationError,
  UnsupportedCapabilityError,
  VisorkitError,
  type BlockStatus,
  type Capability,
  type NetFrame,
  type PrivilegedOperation,
  type VcpuProgram,
} from '@visorkit/core';
import { composeSomewhere, expect, profileFor, type Contract } from '../contract.js';

const compute: VcpuProgram = { run: (v, b) => (v.charge(CostCategory.GuestUser, b), 'budget') };
const OPERATIONS: PrivilegedOperation[] = ['load-page-table-base', 'flush-tlb', 'set-trap-table', 'halt', 'set-timer', 'io-access', 'switch-kernel-stack'];

/** CPU contracts. */
export const cpuContracts: readonly Contract[] = [
  {
    contract: 'cpu/privileged-operations-from-user-mode-never-succeed',
    sentence: 'privileged operations attempted from user mode never succeed',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const v = hv.createDomain({ name: 'cpu' }).vcpus[0]!;
      for (const op of OPERATIONS) {
        let refused = false;
        try {
          hv.cpu.privileged(v, op, true);
        } catch (e) {
          refused = e instanceof PrivilegeViolationError || (VisorkitError.is(e) && e.code === 'PRIVILEGE_VIOLATION');
        }
        expect(refused, this.contract, name, `'${op}' from user mode was not refused with PrivilegeViolationError`);
      }
    },
  },
  {
    contract: 'cpu/control-hypercalls-reach-only-the-control-domain',
    sentence: 'hypercalls reach their handler with the right privilege: control-domain calls are refused to guests',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const dom0 = hv.createDomain({ name: 'dom0' }, 'control');
      const guest = hv.createDomain({ name: 'guest' });
      let calls = 0;
      hv.hypercalls.register(1000, 'conformance_probe', () => ++calls, 'control-domain');
      hv.hypercalls.invoke(dom0.vcpus[0]!, 1000);
      let refused = false;
      try {
        hv.hypercalls.invoke(guest.vcpus[0]!, 1000);
      } catch (e) {
        refused = e instanceof PrivilegeViolationError;
      }
      expect(calls === 1 && refused, this.contract, name, `handler ran ${calls} time(s); guest refused: ${refused}`);
    },
  },
];

/** Scheduler contracts. */
export function schedulerContracts(isolation: boolean): readonly Contract[] {
  const list: Contract[] = [
    {
      contract: 'scheduler/proportional-share',
      sentence: 'runnable domains get CPU in proportion to their weights (within 5%)',
      check(compose, name) {
        const profile = profileFor(compose);
        const hv = compose({ ...profile, cpu: { ...profile.cpu, cores: 1 } });
        const a = hv.createDomain({ name: 'a', weight: 512 });
        const b = hv.createDomain({ name: 'b', weight: 256 });
        hv.start(a, () => compute);
        hv.start(b, () => compute);
        hv.runUntil(2e9);
        const ratio = a.vcpus[0]!.runtimeNs / Math.max(1, b.vcpus[0]!.runtimeNs);
        expect(Math.abs(ratio - 2) / 2 < 0.05, this.contract, name, `weights 2:1 got CPU ${ratio.toFixed(3)}:1`);
      },
    },
    {
      contract: 'scheduler/work-conserving-and-starvation-free',
      sentence: 'no pCPU idles while a vCPU is runnable, and every runnable vCPU runs',
      check(compose, name) {
        const hv = composeSomewhere(compose);
        const ds = Array.from({ length: 16 }, (_, i) => hv.createDomain({ name: `d${i}`, memoryMiB: 4 }));
        for (const d of ds) hv.start(d, () => compute);
        hv.runUntil(1e9);
        const starved = ds.filter((d) => d.vcpus[0]!.runtimeNs === 0).map((d) => d.name);
        expect(starved.length === 0, this.contract, name, `never ran: ${starved.join(', ')}`);
        for (const p of hv.machine.pcpus) {
          const idle = p.account.cycles[CostCategory.Idle]! / p.account.total;
          expect(idle < 0.01, this.contract, name, `pCPU ${p.index} idled ${(idle * 100).toFixed(1)}% with 16 busy domains`);
        }
      },
    },
  ];
  if (isolation) {
    list.push({
      contract: 'scheduler/many-vcpus-get-no-more-than-their-share',
      sentence: 'a domain with many busy vCPUs gets no more than its weight share',
      check(compose, name) {
        const profile = profileFor(compose);
        const hv = compose({ ...profile, cpu: { ...profile.cpu, cores: 1 } });
        const bomb = hv.createDomain({ name: 'bomb', vcpus: 16 });
        const web = hv.createDomain({ name: 'web' });
        hv.start(bomb, () => compute);
        hv.start(web, () => compute);
        hv.runUntil(2e9);
        const share = web.vcpus[0]!.runtimeNs / 2e9;
        expect(share > 0.45, this.contract, name, `the 1-vCPU domain got ${(share * 100).toFixed(1)}% against a 16-vCPU one of equal weight`);
      },
    });
  }
  return list;
}

/** Time contracts. */
export const timeContracts: readonly Contract[] = [
  {
    contract: 'time/virtual-time-advances-only-while-running',
    sentence: 'real time is monotonic and virtual time advances only while a domain runs',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const d = hv.createDomain({ name: 't' });
      hv.start(d, () => compute);
      let last = -1;
      for (let t = 1; t <= 5; t++) {
        hv.runUntil(t * 1e8);
        const real = hv.time.realTime(d);
        expect(real > last, this.contract, name, `real time went from ${last} to ${real}`);
        last = real;
      }
      hv.pause(d);
      hv.runUntil(6e8);
      const v1 = hv.time.virtualTime(d);
      hv.runUntil(9e8);
      expect(hv.time.virtualTime(d) === v1, this.contract, name, 'virtual time moved while the domain was paused');
    },
  },
  {
    contract: 'time/alarms-fire-in-order-at-or-after-their-deadline',
    sentence: 'alarms fire at or after their deadline, in deadline order',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const fired: [number, number][] = [];
      for (const [i, deadline] of [7e6, 3e6, 5e6, 3e6, 9e6].entries()) {
        const d = hv.createDomain({ name: `a${i}`, memoryMiB: 4 });
        hv.time.setAlarm(d, 'real', deadline, () => fired.push([deadline, hv.now]));
      }
      hv.runUntil(2e7);
      expect(fired.length === 5, this.contract, name, `${fired.length} of 5 alarms fired`);
      for (let i = 0; i < fired.length; i++) {
        expect(fired[i]![1] >= fired[i]![0], this.contract, name, `alarm for ${fired[i]![0]} fired early at ${fired[i]![1]}`);
        if (i > 0) expect(fired[i]![0] >= fired[i - 1]![0], this.contract, name, 'alarms fired out of deadline order');
      }
    },
  },
];

/** A frame sent from an address that is not the interface's own must not arrive. */
export const antiSpoofingContract: Contract = {
  contract: 'network/spoofed-sources-are-dropped',
  sentence: "frames whose source is not the sender's own address are dropped and counted",
  check(compose, name) {
    const hv = composeSomewhere(compose);
    const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
    const b = hv.createDomain({ name: 'b', memoryMiB: 16 });
    const got: NetFrame[] = [];
    const ia = hv.network.attachInterface(a, '10.0.0.1', () => {});
    hv.network.attachInterface(b, '10.0.0.2', (f) => got.push(f));
    hv.network.transmit(a.vcpus[0]!, ia, { source: '10.0.0.9', destination: '10.0.0.2', bytes: 100 });
    hv.runFor(1e8);
    expect(got.length === 0 && hv.network.dropped === 1, this.contract, name, `${got.length} spoofed frame(s) delivered, ${hv.network.dropped} dropped`);
  },
};

/** Network contracts. */
export const networkContracts: readonly Contract[] = [
  {
    contract: 'network/frames-reach-only-their-destination',
    sentence: 'no frame is delivered to the wrong domain; every frame is delivered or counted as dropped',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const got = new Map<string, NetFrame[]>();
      const ifs: number[] = [];
      const domains = ['a', 'b', 'c'].map((n, i) => {
        const d = hv.createDomain({ name: n, memoryMiB: 16 });
        got.set(`10.0.0.${i + 1}`, []);
        ifs.push(hv.network.attachInterface(d, `10.0.0.${i + 1}`, (f) => got.get(`10.0.0.${i + 1}`)!.push(f)));
        return d;
      });
      let sent = 0;
      for (let i = 0; i < 30; i++) {
        const from = i % 3;
        const to = (i * 7) % 4; // 3 is an unknown address
        hv.network.transmit(domains[from]!.vcpus[0]!, ifs[from]!, { source: `10.0.0.${from + 1}`, destination: `10.0.0.${to + 1}`, bytes: 200, data: `10.0.0.${to + 1}` });
        sent++;
        hv.runFor(1e5);
      }
      hv.runFor(1e8);
      let delivered = 0;
      for (const [address, frames] of got) {
        for (const f of frames) expect(f.destination === address && f.data === address, this.contract, name, `a frame for ${f.destination} reached ${address}`);
        delivered += frames.length;
      }
      expect(delivered + hv.network.dropped === sent, this.contract, name, `${sent} sent, ${delivered} delivered, ${hv.network.dropped} counted as dropped`);
    },
  },
];

/** Disk contracts. */
export const blockContracts: readonly Contract[] = [
  {
    contract: 'disk/data-reads-back-and-extents-are-enforced',
    sentence: "data written reads back byte-identical, and no request reaches outside a domain's disk",
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const a = hv.createDomain({ name: 'a', memoryMiB: 16 });
      const b = hv.createDomain({ name: 'b', memoryMiB: 16 });
      const da = hv.block.attachDisk(a, 64);
      const db = hv.block.attachDisk(b, 64);
      const va = a.vcpus[0]!;
      const vb = b.vcpus[0]!;
      hv.memory.zeroFrame(va, 1 as never);
      hv.memory.zeroFrame(vb, 1 as never);
      const pattern = Uint8Array.from({ length: 4096 }, (_, i) => (i * 13 + 5) & 0xff);
      hv.machine.memory.writeBytes(hv.memory.machineFrame(a, 1 as never), 0, pattern);
      const statuses: BlockStatus[] = [];
      hv.block.submit(va, da, { operation: 'write', sector: 8, frames: [1 as never] }, (s) => statuses.push(s));
      hv.block.submit(va, da, { operation: 'write', sector: 64, frames: [1 as never] }, (s) => statuses.push(s));
      hv.runFor(2e8);
      hv.block.submit(va, da, { operation: 'read', sector: 8, frames: [2 as never] }, (s) => statuses.push(s));
      hv.block.submit(vb, db, { operation: 'read', sector: 0, frames: [2 as never] }, (s) => statuses.push(s));
      hv.runFor(2e8);
      expect(statuses.filter((s) => s === 'out-of-range').length === 1, this.contract, name, `statuses ${statuses.join(', ')}: the write past the disk's end was not refused`);
      const back = new Uint8Array(4096);
      hv.machine.memory.readBytes(hv.memory.machineFrame(a, 2 as never), 0, back);
      expect(back.every((x, i) => x === pattern[i]), this.contract, name, 'data read back differs from what was written');
      const neighbour = new Uint8Array(4096);
      hv.machine.memory.readBytes(hv.memory.machineFrame(b, 2 as never), 0, neighbour);
      expect(neighbour.every((x) => x === 0), this.contract, name, "the neighbour's disk holds data it never wrote");
      // DMA into a frame outside the domain is refused, and no other domain's memory changes.
      const freeBefore = hv.machine.memory.freeFrames;
      let dma: BlockStatus | 'refused' | undefined;
      try {
        hv.block.submit(va, da, { operation: 'read', sector: 8, frames: [(hv.memory.frames(a) + 50) as never] }, (s) => (dma = s));
      } catch (e) {
        if (VisorkitError.is(e)) dma = 'refused';
        else throw e;
      }
      hv.runFor(2e8);
      expect(dma !== undefined && dma !== 'ok', this.contract, name, `DMA into a frame outside the domain completed '${String(dma)}'`);
      hv.machine.memory.readBytes(hv.memory.machineFrame(b, 2 as never), 0, neighbour);
      expect(neighbour.every((x) => x === 0) && hv.machine.memory.freeFrames <= freeBefore, this.contract, name, 'a refused DMA changed memory');
    },
  },
];

/** Lifecycle contracts. */
export const lifecycleContracts: readonly Contract[] = [
  {
    contract: 'lifecycle/illegal-transitions-are-refused',
    sentence: 'illegal lifecycle transitions are refused with IllegalTransitionError',
    check(compose, name) {
      const hv = composeSomewhere(compose);
      const attempts: [string, (d: ReturnType<typeof hv.createDomain>) => void, (d: ReturnType<typeof hv.createDomain>) => void][] = [
        ['pause a created domain', () => {}, (d) => hv.pause(d)],
        ['unpause a created domain', () => {}, (d) => hv.unpause(d)],
        ['start a running domain', (d) => hv.start(d), (d) => hv.start(d)],
        ['destroy a running domain', (d) => hv.start(d), (d) => hv.destroy(d)],
        ['start a shut-down domain', (d) => (hv.start(d), hv.shutdown(d)), (d) => hv.start(d)],
      ];
      for (const [i, [what, prepare, attempt]] of attempts.entries()) {
        const d = hv.createDomain({ name: `life${i}`, memoryMiB: 4 });
        prepare(d);
        const before = d.state;
        let refused = false;
        try {
          attempt(d);
        } catch (e) {
          refused = e instanceof IllegalTransitionError;
        }
        expect(refused && d.state === before, this.contract, name, `'${what}' was not refused (state ${before} → ${d.state})`);
      }
    },
  },
];

/** A tiny guest that computes; it can be checkpointed. */
const idle = { kind: 'conformance-idle', run: (v: Vcpu, b: number) => (v.charge(CostCategory.GuestUser, b), 'budget' as const), saveState: () => ({}) };

/** How to try each capability on one hypervisor (live migration needs two: see the features experiment). */
const ATTEMPTS: Partial<Record<Capability, (hv: Hypervisor) => void>> = {
  'multiple-kernels': (hv) => {
    hv.createDomain({ name: 'k1', kernel: 'linux', memoryMiB: 4 });
    hv.createDomain({ name: 'k2', kernel: 'netbsd', memoryMiB: 4 });
  },
  'kernel-modules': (hv) => hv.loadKernelModule(hv.createDomain({ name: 'km', memoryMiB: 4 }), 'e1000'),
  'live-update': (hv) => {
    hv.start(hv.createDomain({ name: 'lu', memoryMiB: 4 }), () => idle);
    hv.runFor(1e7);
    hv.replaceScheduler(new ProportionalShareScheduler(12, 1));
    hv.runFor(1e7);
  },
  'checkpoint-resume': (hv) => {
    const d = hv.createDomain({ name: 'cr', memoryMiB: 4 });
    hv.memory.zeroFrame(d.vcpus[0]!, 0 as never);
    hv.start(d, () => idle);
    hv.runFor(1e7);
    hv.pause(d);
    hv.runFor(1e7);
    const file = checkpointDomain(hv, d);
    hv.shutdown(d);
    hv.destroy(d);
    hv.start(restoreDomain(hv, file, { 'conformance-idle': () => idle }));
    hv.runFor(1e7);
  },
};

/** Capability contracts: what is declared is reported; what is not fails with the typed error. */
export function capabilityContracts(declared: readonly Capability[] | undefined): readonly Contract[] {
  return [
    {
      contract: 'capabilities/undeclared-capabilities-are-refused',
      sentence: 'declared capabilities are reported, and asking for an undeclared one fails with UnsupportedCapabilityError',
      check(compose, name) {
        const hv = composeSomewhere(compose);
        const expected = new Set(declared ?? hv.capabilities);
        for (const c of ALL_CAPABILITIES) {
          if (expected.has(c)) {
            expect(hv.has(c), this.contract, name, `'${c}' is declared but not reported`);
            const attempt = ATTEMPTS[c];
            if (attempt !== undefined) {
              try {
                attempt(composeSomewhere(compose));
              } catch (e) {
                expect(false, this.contract, name, `'${c}' is declared but trying it failed: ${(e as Error).message}`);
              }
            }
            continue;
          }
          let refused = false;
          try {
            hv.require(c);
          } catch (e) {
            refused = e instanceof UnsupportedCapabilityError;
          }
          expect(refused, this.contract, name, `'${c}' is not declared but was not refused`);
        }
      },
    },
  ];
}
