import 'reflect-metadata';
import test from 'ava';
import { LiveMigration, XEN_2005_PRECOPY, XEN_2005_STUN_WRITE_FAULTS, XEN_PRECOPY, xeon2003, type PrecopyLimits } from '@visorkit/core';
import {
  buildTestbed,
  clark2005,
  clarkMigrationExperiment,
  clarkWwsExperiment,
  migrateUnderLoad,
  migrationWorkload,
  poweredge2650,
  saveToolSender,
} from '@visorkit/example-clark-2005';

// Small sizes: the mechanisms are the paper's, the VMs a tenth of its size or less.
const platform = clark2005.platforms[0]!;
const small = { vmMiB: 16, clients: 6 };
const run = (name: string, precopy: PrecopyLimits = XEN_2005_PRECOPY, scale = small, seed = 1) =>
  migrateUnderLoad(platform, poweredge2650, migrationWorkload(name), scale, seed, { precopy });

test('the testbed is the Xen paper server class at 2 GHz with one CPU: bandwidth-bound costs take fewer cycles, core costs the same', (t) => {
  t.is(poweredge2650.cpu.clockGhz, 2.0);
  t.is(poweredge2650.cpu.cores, 1);
  t.is(poweredge2650.costs.trapRoundTrip, xeon2003.costs.trapRoundTrip);
  // The same 4 KiB at the same bandwidth: the time is equal, so the cycles scale with the clock.
  t.true(Math.abs(poweredge2650.costs.pageZero / 2.0 - xeon2003.costs.pageZero / 2.4) < 1, 'the same nanoseconds per page zeroed');
});

test('a quiet game server converges: round 1 sends all memory at 100 Mbit/s, each later round runs at its predecessor dirtying rate + 50 Mbit/s, and it stops below 50 pages', (t) => {
  const { report } = run('quake3');
  const [first, ...later] = report.rounds;
  t.is(first!.mbps, 100);
  t.true(Math.abs(first!.pages + first!.skipped - small.vmMiB * 256) <= 1, 'the first round covers every page of the VM');
  t.true(later.length >= 1);
  let previous = first!;
  for (const r of later) {
    const dirtyMbps = (previous.dirtied * 4096 * 8 * 1000) / (previous.durationMs * 1e6);
    t.true(Math.abs(r.mbps - Math.min(500, dirtyMbps + 50)) < 1e-6, `round ${r.round}: ${r.mbps} Mbit/s`);
    previous = r;
  }
  t.is(report.stopReason, 'few-dirty');
  t.true(report.rounds.at(-1)!.dirtied < 50);
  t.true(report.downtimeMs < 50, `downtime ${report.downtimeMs} ms`);
});

test('a VM rewriting half its memory never converges: pages it re-dirties are skipped, and the rate it would need exceeds the 500 Mbit/s cap', (t) => {
  const { report } = run('mmuncher');
  t.is(report.stopReason, 'rate-cap');
  t.true(report.rounds[0]!.skipped > 0, 'round 1 skipped pages written again meanwhile');
  // The final copy carries the written half at the link rate: downtime is that transfer.
  const lastDirty = report.rounds.at(-1)!.dirtied;
  const transferMs = ((lastDirty * 4096 * 8) / 1e9) * 1000;
  t.true(report.downtimeMs >= transferMs * 0.9, `downtime ${report.downtimeMs} ms for ${lastDirty} pages`);
});

test('skipping re-dirtied pages is what keeps the first round from sending the hot half twice', (t) => {
  const skip = run('mmuncher').report;
  const noSkip = run('mmuncher', { ...XEN_2005_PRECOPY, skipRedirtied: false }).report;
  t.true(noSkip.pagesSent > skip.pagesSent * 1.2, `${noSkip.pagesSent} pages without skipping, ${skip.pagesSent} with`);
});

test('every stop rule can end the iteration: rounds, data sent, and today\u2019s rule stays selectable', (t) => {
  const twoRounds = run('mmuncher', { ...XEN_2005_PRECOPY, maxRounds: 1, stopWhenRateExceedsMax: false }).report;
  t.is(twoRounds.stopReason, 'max-rounds');
  t.is(twoRounds.rounds.length, 1);
  const sent = run('mmuncher', { ...XEN_2005_PRECOPY, maxSentFactor: 0.6, stopWhenRateExceedsMax: false }).report;
  t.is(sent.stopReason, 'sent-factor');
  const today = run('mmuncher', XEN_PRECOPY).report;
  t.true(today.rounds.length <= 5);
  t.not(today.stopReason, 'rate-cap');
});

test('dirty logging costs the guest: each first write of a round faults into Xen, and the faults are counted', (t) => {
  const { counts } = run('mmuncher');
  t.true((counts['during-log-dirty-fault'] ?? 0) >= small.vmMiB * 128 * 0.9, `${counts['during-log-dirty-fault']} log-dirty faults`);
});

test('the migration stream shares the source NIC with the web traffic: throughput dips while rounds run, and not when the stream has a link of its own', (t) => {
  const scale = { vmMiB: 24, clients: 8 };
  const shared = migrateUnderLoad(platform, poweredge2650, migrationWorkload('apache-static'), scale, 1);
  const before = mean(shared.series.filter((s) => s.tMs <= 0 && s.tMs > -1500).map((s) => s.value));
  const during = mean(shared.series.filter((s) => s.tMs > 0 && s.tMs < shared.report.pausedAtMs).map((s) => s.value));
  t.true(before > 500, `${before} Mbit/s before`);
  t.true(during < before - 50, `${during} Mbit/s during against ${before} before`);
  const ownLink = migrateUnderLoad(platform, poweredge2650, migrationWorkload('apache-static'), scale, 1, { throughSourceNic: false });
  const duringOwn = mean(ownLink.series.filter((s) => s.tMs > 0 && s.tMs < ownLink.report.pausedAtMs).map((s) => s.value));
  t.true(duringOwn > during + 50, `${duringOwn} Mbit/s with a link of its own`);
});

test('clark-2005:migration gives the paper rows per workload and a service series marked with rounds and stop; the same seed gives the same rows', (t) => {
  const experiment = clarkMigrationExperiment({ workloads: [migrationWorkload('quake3')], scale: () => small });
  const ctx = { profile: poweredge2650, platforms: clark2005.platforms, seed: 3 };
  const rows = experiment.run(ctx);
  for (const metric of ['downtime-ms', 'total-ms', 'mb-sent', 'rounds'])
    t.truthy(
      rows.find((r) => r.metric === metric && r.workload === 'quake3'),
      metric,
    );
  const series = rows.filter((r) => r.metric === 'added-latency');
  t.true(series.length > 10);
  t.true(series.every((r) => typeof r['t-ms'] === 'number' && r.value >= 0));
  const total = rows.find((r) => r.metric === 'total-ms')!;
  const detail = total.detail as { rounds: unknown[]; pausedAtMs: number; stopReason: string };
  t.true(detail.rounds.length >= 1 && detail.pausedAtMs > 0 && detail.stopReason.length > 0);
  t.deepEqual(experiment.run(ctx), rows);
});

test('clark-2005:wws: the memory hammer dirties far more per 50 ms than the game server, and a window never exceeds what it can write', (t) => {
  const experiment = clarkWwsExperiment({ workloads: [migrationWorkload('quake3'), migrationWorkload('mmuncher')], scale: () => small, windowNs: 1e9 });
  const rows = experiment.run({ profile: poweredge2650, platforms: clark2005.platforms, seed: 1 });
  const meanOf = (w: string) => rows.find((r) => r.workload === w && r.metric === 'mean-pages-dirtied')!.value;
  t.true(meanOf('mmuncher') > 20 * meanOf('quake3'), `${meanOf('mmuncher')} vs ${meanOf('quake3')} pages per 50 ms`);
  const perWindow = rows.filter((r) => r.workload === 'mmuncher' && r.metric === 'pages-dirtied');
  t.is(perWindow.length, 20);
  t.true(perWindow.every((r) => r.value <= small.vmMiB * 256));
  t.is(rows.find((r) => r.workload === 'mmuncher' && r.metric === 'distinct-pages')!.value <= small.vmMiB * 256, true);
});

test('the save tool runs in Dom0 on the one CPU the guest uses: Dom0 is charged its page work, and the guest writes less meanwhile than when that work costs no CPU', (t) => {
  const written = (inDom0: boolean) => {
    const tb = buildTestbed(platform, poweredge2650, migrationWorkload('mmuncher'), small, 1);
    tb.source.runUntil(5e8);
    const sender = saveToolSender(poweredge2650, tb.dom0);
    const m = new LiveMigration(tb.source, tb.domain, tb.target, {
      mode: 'live',
      linkMbps: 1000,
      latencyUs: 30,
      precopy: XEN_2005_PRECOPY,
      ...(inDom0 ? { sender } : {}),
    });
    tb.probe.sample(1);
    m.start();
    tb.source.runUntil(tb.sim.now + 4e8);
    const mb = tb.probe.sample(1e9);
    const dom0Cycles = tb.dom0.vcpus[0]!.cycles.reduce((a, c) => a + c, 0);
    return { mb, dom0Cycles, pages: m.report === undefined ? undefined : m.report.pagesSent, sender };
  };
  const withSender = written(true);
  const without = written(false);
  t.true(withSender.dom0Cycles > 0 && without.dom0Cycles === 0);
  t.true(withSender.dom0Cycles >= 1000 * withSender.sender.cyclesPerPage, `${withSender.dom0Cycles} cycles in Dom0`);
  t.true(withSender.mb < without.mb, `${withSender.mb} MB written with the save tool in Dom0, ${without.mb} without`);
});

test('stunning is off by default; on, a process past 40 write faults in a round waits for the next, so a VM rewriting its memory converges', (t) => {
  t.is(XEN_2005_PRECOPY.stunWriteFaults, undefined);
  const off = run('mmuncher');
  t.is(off.counts['during-process-stunned'], undefined);
  const on = run('mmuncher', { ...XEN_2005_PRECOPY, stunWriteFaults: XEN_2005_STUN_WRITE_FAULTS });
  t.true((on.counts['during-process-stunned'] ?? 0) >= 1, 'the memory hammer was stunned');
  // Stunned at the 41st write fault of a round: each round's dirtying stays near the limit.
  for (const r of on.report.rounds) t.true(r.dirtied <= 2 * XEN_2005_STUN_WRITE_FAULTS, `round ${r.round} dirtied ${r.dirtied}`);
  t.is(on.report.stopReason, 'few-dirty');
  t.is(off.report.stopReason, 'rate-cap');
  t.true(on.report.downtimeMs < off.report.downtimeMs / 4, `downtime ${on.report.downtimeMs} ms stunned, ${off.report.downtimeMs} ms not`);
  // A lower limit stuns sooner: fewer pages dirtied in the first round.
  const tight = run('mmuncher', { ...XEN_2005_PRECOPY, stunWriteFaults: 5 });
  t.true(tight.report.rounds[0]!.dirtied < on.report.rounds[0]!.dirtied, `${tight.report.rounds[0]!.dirtied} < ${on.report.rounds[0]!.dirtied}`);
});

test('a stunning limit must be positive', (t) => {
  t.throws(() => run('quake3', { ...XEN_2005_PRECOPY, stunWriteFaults: 0 }), { message: /stunWriteFaults/ });
});

test('a static web server dirties pages in every round: its socket buffers and I/O buffers are guest frames the kernel writes', (t) => {
  const experiment = clarkWwsExperiment({ workloads: [migrationWorkload('apache-static')], scale: () => ({ vmMiB: 24, clients: 8 }), windowNs: 5e8 });
  const rows = experiment.run({ profile: poweredge2650, platforms: clark2005.platforms, seed: 1 });
  const perWindow = rows.filter((r) => r.metric === 'pages-dirtied');
  t.true(perWindow.length >= 5);
  t.true(
    perWindow.every((r) => r.value > 0),
    `pages dirtied per window: ${perWindow.map((r) => r.value).join(', ')}`,
  );
});

function mean(xs: readonly number[]): number {
  return xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
}
