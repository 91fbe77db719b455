import fc from 'fast-check';
import type { Domain, NetFrame } from '@visorkit/core';
import { gfn } from '@visorkit/core';
import type { Compose, Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { computeForever, domainNames, machineFaults, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor } from '../kit/profiles.js';

/** Where a generated send goes. */
type Target = 'local' | 'own' | 'unknown' | 'remote';

interface Send {
  readonly from: number;
  readonly iface: number;
  readonly to: Target;
  readonly pick: number;
  /** Frames sent back to back (a burst). */
  readonly burst: number;
  readonly bytes: number;
  /** Spoofed source address. */
  readonly spoof: boolean;
}

interface Arrival {
  /** Frames arriving from the wire in one go, for a local or an unknown address. */
  readonly burst: number;
  readonly pick: number;
  readonly known: boolean;
}

interface NetScenario {
  readonly machine: number;
  readonly domains: readonly number[];
  readonly sends: readonly Send[];
  readonly arrivals: readonly Arrival[];
  readonly uplink: boolean;
  readonly running: boolean;
}

interface NetOutcome {
  readonly sent: number;
  readonly delivered: { frame: NetFrame; at: string }[];
  readonly uplinked: NetFrame[];
  readonly dropped: number;
  readonly spoofed: number;
  readonly problem?: string;
}

function scenario(machines: number, spoofing: boolean): fc.Arbitrary<NetScenario> {
  const send: fc.Arbitrary<Send> = fc.record({
    from: fc.nat(),
    iface: fc.nat(),
    to: fc.constantFrom<Target>('local', 'local', 'local', 'own', 'unknown', 'remote'),
    pick: fc.nat(),
    burst: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 400 }) }),
    bytes: fc.integer({ min: 60, max: 9000 }),
    spoof: spoofing ? fc.boolean() : fc.constant(false),
  });
  return fc.record({
    machine: fc.integer({ min: 0, max: machines - 1 }),
    domains: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 8 }),
    sends: fc.array(send, { minLength: 1, maxLength: 10 }),
    arrivals: fc.array(fc.record({ burst: fc.integer({ min: 1, max: 300 }), pick: fc.nat(), known: fc.boolean() }), { maxLength: 3 }),
    uplink: fc.boolean(),
    running: fc.boolean(),
  });
}

/** Sends the scenario's frames (and frames off the wire), drains, and returns what the kit's handlers and uplink saw. */
function exchange(compose: Compose, settings: KitSettings, s: NetScenario): NetOutcome {
  const { hv, rec } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
  const delivered: { frame: NetFrame; at: string }[] = [];
  const uplinked: NetFrame[] = [];
  const ifaces: { d: Domain; index: number; address: string }[][] = [];
  const ds = domainNames(s.domains.length).map((n, i) => {
    const d = hv.createDomain({ name: n, memoryMiB: 16 });
    ifaces.push(
      Array.from({ length: s.domains[i]! }, (_, k) => {
        const address = `10.${i + 1}.${k}.1`;
        return { d, address, index: hv.network.attachInterface(d, address, (frame) => delivered.push({ frame, at: address })) };
      }),
    );
    if (s.running) hv.start(d, () => computeForever);
    return d;
  });
  const canUplink = s.uplink && hv.network.connectUplink !== undefined;
  if (canUplink) hv.network.connectUplink!((frame) => uplinked.push(frame));
  const droppedBefore = hv.network.dropped;
  let sent = 0;
  let spoofed = 0;
  let serial = 0;
  for (const x of s.sends) {
    const d = ds[x.from % ds.length]!;
    const mine = ifaces[x.from % ds.length]!;
    const iface = mine[x.iface % mine.length]!;
    const all = ifaces.flat();
    const destination =
      x.to === 'local'
        ? all[x.pick % all.length]!.address
        : x.to === 'own'
          ? iface.address
          : x.to === 'unknown'
            ? `10.200.${x.pick % 250}.9`
            : `192.168.${x.pick % 250}.7`;
    const source = x.spoof ? `10.${(x.from % ds.length) + 1}.99.${(x.pick % 200) + 2}` : iface.address;
    for (let b = 0; b < x.burst; b++) {
      const frame: NetFrame = { source, destination, bytes: x.bytes, data: { serial: serial++, destination } };
      sent++;
      if (x.spoof) spoofed++;
      rec.as(d.id, () => hv.network.transmit(d.vcpus[0]!, iface.index, frame));
    }
    hv.runFor(2e5);
  }
  for (const a of s.arrivals) {
    if (hv.network.receiveFromWire === undefined) break;
    const all = ifaces.flat();
    const destination = a.known ? all[a.pick % all.length]!.address : `10.201.${a.pick % 250}.3`;
    for (let b = 0; b < a.burst; b++) {
      sent++;
      hv.network.receiveFromWire({ source: `192.168.7.${(a.pick % 200) + 1}`, destination, bytes: 1500, data: { serial: serial++, destination } });
    }
    hv.runFor(2e5);
  }
  hv.runFor(3e8);
  const fault = machineFaults(hv, rec);
  return { sent, delivered, uplinked, dropped: hv.network.dropped - droppedBefore, spoofed, ...(fault === undefined ? {} : { problem: fault }) };
}

/**
 * Network contracts: generated traffic between 1–8 domains, bursts, loopback, the uplink and the wire; judged by what the kit's handlers and the wire received.
 *
 * @public
 */
export function networkContracts(settings: KitSettings): readonly Contract[] {
  return [
    {
      contract: 'network/frames-reach-only-their-destination',
      sentence: 'no frame is delivered to the wrong domain or twice, on any path (local, loopback, bursts, from the wire)',
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length, false), 10, (s) => {
          const o = exchange(compose, settings, s);
          const seen = new Set<unknown>();
          for (const { frame, at } of o.delivered) {
            if (frame.destination !== at) return `a frame for ${frame.destination} was delivered to ${at}`;
            if (seen.has(frame.data)) return `a frame for ${frame.destination} was delivered twice`;
            seen.add(frame.data);
          }
          for (const f of o.uplinked)
            if (f.destination.startsWith('10.') && !f.destination.startsWith('10.200.') && !f.destination.startsWith('10.201.'))
              return `a frame for local address ${f.destination} left through the uplink`;
          return o.problem;
        });
      },
    },
    {
      contract: 'network/every-frame-is-delivered-or-counted-as-dropped',
      sentence: 'every frame is delivered, leaves through the uplink, or is counted as dropped — in bursts that overflow rings too',
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length, false), 10, (s) => {
          const o = exchange(compose, settings, s);
          const accounted = o.delivered.length + o.uplinked.length + o.dropped;
          if (accounted !== o.sent)
            return `${o.sent} frame(s) sent, ${o.delivered.length} delivered, ${o.uplinked.length} out through the uplink, ${o.dropped} counted as dropped: ${o.sent - accounted} unaccounted for`;
          return undefined;
        });
      },
    },
  ];
}

/**
 * With network filters: a frame whose source is not its interface's address never gets anywhere.
 *
 * @public
 */
export function antiSpoofingContract(settings: KitSettings): Contract {
  return {
    contract: 'network/spoofed-sources-are-dropped',
    sentence: "frames whose source is not the sender's own address are dropped and counted, on every path (local, uplink, bursts)",
    check(compose, name) {
      checkProperty(
        this.contract,
        name,
        settings,
        scenario(machinesFor(compose).length, true).filter((s) => s.sends.some((x) => x.spoof)),
        10,
        (s) => {
          const o = exchange(compose, settings, s);
          const leaked = [...o.delivered.map((x) => x.frame), ...o.uplinked].find((f) => f.source.includes('.99.'));
          if (leaked !== undefined)
            return `a frame with spoofed source ${leaked.source} reached ${leaked.destination}${o.uplinked.includes(leaked) ? ' through the uplink' : ''}`;
          if (o.dropped < o.spoofed) return `${o.spoofed} spoofed frame(s) sent, only ${o.dropped} counted as dropped`;
          return undefined;
        },
      );
    },
  };
}

/**
 * With isolation: frames carry scatter-gather buffers (guest frames the device DMAs from); a
 * frame naming a buffer outside the sender's memory, in any position of a multi-page frame,
 * is never sent and is counted as dropped.
 *
 * @public
 */
export function dmaBuffersContract(settings: KitSettings): Contract {
  return {
    contract: 'network/dma-buffers-stay-inside-the-sender',
    sentence: 'a frame whose DMA buffers name memory outside the sender (any page of a multi-page frame) is never sent, and is counted as dropped',
    check(compose, name) {
      const send = fc.record({
        from: fc.nat(),
        to: fc.nat(),
        pages: fc.integer({ min: 1, max: 4 }),
        bad: fc.option(fc.record({ position: fc.nat(), beyond: fc.integer({ min: 0, max: 5000 }) }), { nil: undefined }),
        burst: fc.integer({ min: 1, max: 3 }),
      });
      const scenario = fc.record({
        machine: fc.integer({ min: 0, max: machinesFor(compose).length - 1 }),
        domains: fc.integer({ min: 2, max: 6 }),
        sends: fc.array(send, { minLength: 1, maxLength: 10 }),
      });
      checkProperty(this.contract, name, settings, scenario, 8, (s) => {
        const { hv, rec } = machineUnderTest(compose, machinesFor(compose)[s.machine]!, settings);
        const got: NetFrame[] = [];
        const ds = domainNames(s.domains).map((n, i) => {
          const d = hv.createDomain({ name: n, memoryMiB: 16 });
          for (let g = 10; g < 14; g++) rec.as(d.id, () => hv.memory.zeroFrame(d.vcpus[0]!, gfn(g)));
          return { d, index: hv.network.attachInterface(d, `10.5.${i}.1`, (f) => got.push(f)), address: `10.5.${i}.1` };
        });
        const dropped = hv.network.dropped;
        let bad = 0;
        let good = 0;
        for (const x of s.sends) {
          const from = ds[x.from % ds.length]!;
          const to = ds[x.to % ds.length]!;
          const buffers = Array.from({ length: x.pages }, (_, k) => 10 + k);
          if (x.bad !== undefined) buffers[x.bad.position % x.pages] = hv.memory.frames(from.d) + x.bad.beyond;
          for (let b = 0; b < x.burst; b++) {
            if (x.bad !== undefined) bad++;
            else good++;
            rec.as(from.d.id, () =>
              hv.network.transmit(from.d.vcpus[0]!, from.index, {
                source: from.address,
                destination: to.address,
                bytes: 4096 * x.pages - 100,
                buffers,
                data: x.bad === undefined ? 'good' : `bad:${buffers.join(',')}`,
              }),
            );
          }
          hv.runFor(2e5);
        }
        hv.runFor(2e8);
        const leaked = got.find((f) => f.data !== 'good');
        if (leaked !== undefined)
          return `a ${leaked.bytes}-byte frame with buffers [${String(leaked.data).slice(4)}] (one outside its sender's ${hv.memory.frames(ds[0]!.d)} frames) was delivered to ${leaked.destination}`;
        if (hv.network.dropped - dropped < bad)
          return `${bad} frame(s) with buffers outside the sender were sent, only ${hv.network.dropped - dropped} counted as dropped`;
        if (got.length !== good) return `${good} frame(s) with valid buffers were sent, ${got.length} delivered`;
        return machineFaults(hv, rec);
      });
    },
  };
}
