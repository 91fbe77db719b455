import 'reflect-metadata';
import test from 'ava';
import {
  BlockBackend,
  ContainerModule,
  IoEvents,
  Machine,
  MemoryVirtualization,
  NetworkBackend,
  VcpuScheduler,
  createHypervisor,
  definePlugin,
  inject,
  injectable,
  type BlockRequest,
  type BlockStatus,
  type Domain,
  type FrameHandler,
  type Gfn,
  type NetFrame,
  type MemoryVirtualization as MemoryVirtualizationPoint,
  type Plugin,
  type Vcpu,
} from '@visorkit/core';
import { CfsScheduler, NativeBlock, NativeMemory, NativeNetwork, NativeOptions, nativePlugin } from '@visorkit/native';
import { ContractViolationError, contractsFor, type Compose, type SuiteName } from '../../src/index.js';

/** Native with one point replaced by a broken subclass. */
function brokenNative(name: string, point: symbol, Broken: new (...args: never[]) => object): Compose {
  const broken: Plugin = definePlugin({
    name,
    version: '0.0.0',
    provides: [point],
    capabilities: [],
    defaults: {},
    module: () =>
      new ContainerModule((o) => {
        o.bind(Broken as never).toSelf().inSingletonScope();
        o.bind(point).toService(Broken as never);
      }),
  });
  return (machine) => createHypervisor({ machine, plugins: [nativePlugin.without(point), broken] });
}

@injectable()
class LeakyMemory extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override domainDestroyed(): void {
    // forgets to give the frames back
  }
}

@injectable()
class ForgetfulTlb extends NativeMemory {
  constructor(@inject(Machine) machine: Machine) {
    super(machine);
  }
  override invalidatePage(): void {}
  override activate(vcpu: Vcpu, root: Gfn, addressSpace: number): void {
    // switches without flushing: keep the stale entries
    const flush = this.machine.pcpus[0]!.tlb.flushAll;
    this.machine.pcpus[0]!.tlb.flushAll = () => {};
    try {
      super.activate(vcpu, root, addressSpace);
    } finally {
      this.machine.pcpus[0]!.tlb.flushAll = flush;
    }
  }
}

@injectable()
class StarvingScheduler extends CfsScheduler {
  constructor(@inject(NativeOptions) options: NativeOptions) {
    super(options);
  }
  override pick(pcpu?: number, now?: number): Vcpu | undefined {
    const held: Vcpu[] = [];
    let v = super.pick(pcpu, now);
    while (v !== undefined && v.domain.name === 'b') {
      held.push(v);
      v = super.pick(pcpu, now);
    }
    for (const h of held) this.requeue(h);
    return v;
  }
}

@injectable()
class MisdeliveringNetwork extends NativeNetwork {
  readonly #handlers: FrameHandler[] = [];
  constructor(@inject(Machine) machine: Machine, @inject(IoEvents) events: IoEvents) {
    super(machine, events);
  }
  override attachInterface(domain: Domain, address: string, receive: FrameHandler): number {
    this.#handlers.push(receive);
    return super.attachInterface(domain, address, (f: NetFrame) => this.#handlers[0]!(f));
  }
}

@injectable()
class UnboundedBlock extends NativeBlock {
  constructor(@inject(Machine) machine: Machine, @inject(MemoryVirtualization) memory: MemoryVirtualizationPoint, @inject(IoEvents) events: IoEvents) {
    super(machine, memory, events);
  }
  override submit(vcpu: Vcpu, device: number, request: BlockRequest, done: (s: BlockStatus) => void): void {
    // ignores the extent bound: clamps instead of refusing
    super.submit(vcpu, device, { ...request, sector: Math.min(request.sector, 56) }, done);
  }
}

const CASES: [string, SuiteName, string, Compose][] = [
  ['leaks a frame', 'memory', 'memory/destroyed-domains-return-their-frames', brokenNative('leaky', MemoryVirtualization, LeakyMemory)],
  ['skips a TLB flush', 'memory', 'memory/no-stale-tlb-entry-is-used', brokenNative('forgetful', MemoryVirtualization, ForgetfulTlb)],
  ['starves a domain', 'scheduler', 'scheduler/proportional-share', brokenNative('starving', VcpuScheduler, StarvingScheduler)],
  ['delivers to the wrong domain', 'network', 'network/frames-reach-only-their-destination', brokenNative('misdelivering', NetworkBackend, MisdeliveringNetwork)],
  ['ignores an extent bound', 'disk', 'disk/data-reads-back-and-extents-are-enforced', brokenNative('unbounded', BlockBackend, UnboundedBlock)],
];

for (const [what, suite, contract, compose] of CASES) {
  test(`a plugin that ${what} fails the kit with a message naming '${contract}'`, (t) => {
    const c = contractsFor({})[suite].find((x) => x.contract === contract)!;
    const e = t.throws(() => c.check(compose, what), { instanceOf: ContractViolationError });
    t.is(e.contract, contract);
    t.regex(e.message, new RegExp(`Contract '${contract}' violated`));
  });
}
