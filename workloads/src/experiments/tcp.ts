import { bootGuest } from '@visorkit/guest';
import { withClientMachine } from '../experiment/client-machine.js';
import type { Experiment, ExperimentContext, PlatformSpec, ResultRow } from '../experiment/experiment.js';
import { bulkReceive, bulkSend, type TransferLog } from '../programs/bulk-transfer.js';

const BYTES = 32 << 20;
const SERVER = '10.0.0.1';
const CLIENT = '10.0.1.1';

/**
 * One bulk transfer between a guest on `platform` and a native peer on another machine:
 * `tx` — the guest sends; `rx` — it receives. Returns Mbit/s of payload and the guest's counts.
 *
 * @public
 */
export function tcpTransfer(ctx: ExperimentContext, platform: PlatformSpec, direction: 'tx' | 'rx', mtu: number): ResultRow {
  const { server, clients, sim } = withClientMachine(ctx, platform, { cores: 1, memoryMiB: 1024 });
  const guest = server.createDomain({ name: 'ttcp', memoryMiB: 256 });
  const peer = clients.createDomain({ name: 'peer', memoryMiB: 256 });
  const log: TransferLog = { bytes: 0, startNs: 0, endNs: 0 };
  const guestProgram = direction === 'tx' ? bulkSend(CLIENT, BYTES, log) : bulkReceive(log);
  const peerProgram = direction === 'tx' ? bulkReceive(log) : bulkSend(SERVER, BYTES, log);
  const g = bootGuest(server, guest, { address: SERVER, mtu, programs: { '/bin/ttcp': { program: guestProgram } }, run: ['/bin/ttcp'] });
  const p = bootGuest(clients, peer, { address: CLIENT, mtu, programs: { '/bin/ttcp': { program: peerProgram } }, run: ['/bin/ttcp'] });
  server.runWhile(() => !(g.idle && p.idle) && sim.now < 120e9);
  const seconds = (log.endNs - log.startNs) / 1e9;
  return {
    platform: platform.name,
    metric: `tcp-${direction}`,
    value: log.bytes === BYTES && seconds > 0 ? (log.bytes * 8) / seconds / 1e6 : 0,
    unit: 'Mbit/s',
    mtu,
    counts: server.counts(guest),
  };
}

/**
 * `tcp-tx` / `tcp-rx`: ttcp-style bulk TCP throughput between a guest and a peer on another
 * machine, at MTU 1500 and 500 (the Xen paper's network table). Small packets expose each
 * platform's per-packet path: the split drivers' rings and page flips, VM exits, copies.
 *
 * @public
 */
export const tcp: Experiment = {
  id: 'tcp',
  sweepAllProfiles: false,
  title: 'Bulk TCP throughput (ttcp), MTU 1500 and 500',
  description: 'tcp-tx and tcp-rx in Mbit/s between a guest and a native peer on another machine.',
  run(ctx: ExperimentContext): ResultRow[] {
    const rows: ResultRow[] = [];
    let done = 0;
    for (const platform of ctx.platforms) {
      for (const mtu of [1500, 500]) for (const direction of ['tx', 'rx'] as const) rows.push(tcpTransfer(ctx, platform, direction, mtu));
      ctx.progress?.(++done, ctx.platforms.length);
    }
    return rows;
  },
};
