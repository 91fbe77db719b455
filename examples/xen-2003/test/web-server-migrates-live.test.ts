import 'reflect-metadata';
import test from 'ava';
import { LiveMigration, NetworkSwitch, Simulator, createHypervisor, server2007 } from '@visorkit/core';
import { bootGuest } from '@visorkit/guest';
import { nativePlugin } from '@visorkit/native';
import { webClients, webFiles, webServer } from '@visorkit/workloads';
import { xenPvPlugin } from '@visorkit/xen-pv';

/** Two Xen hosts and a client machine on one switch; a web server on the source under a steady load, run for 1 s. */
function webServerUnderLoad() {
  const sim = new Simulator();
  const source = createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { simulator: sim, seed: 1 } });
  const target = createHypervisor({ machine: server2007, plugins: [xenPvPlugin], options: { simulator: sim, seed: 2 } });
  const clients = createHypervisor({ machine: server2007, plugins: [nativePlugin], options: { simulator: sim, seed: 3 } });
  const wire = new NetworkSwitch();
  for (const hv of [source, target, clients]) wire.connect(hv);
  const served = { requests: 0 };
  const web = source.createDomain({ name: 'web', memoryMiB: 256 });
  const kernel = bootGuest(source, web, {
    address: '10.0.0.1',
    programs: { '/usr/sbin/httpd': { program: webServer(served) } },
    files: webFiles(),
    run: ['/usr/sbin/httpd'],
  });
  bootGuest(clients, clients.createDomain({ name: 'clients', vcpus: 2, memoryMiB: 512 }), {
    address: '10.0.1.1',
    programs: { '/bin/load': { program: webClients('10.0.0.1', 16, { thinkNs: 20e6 }) } },
    run: ['/bin/load'],
  });
  source.runUntil(1e9);
  return { sim, source, target, wire, served, web, kernel };
}

test('a web-server domain migrates live between two Xen hosts and keeps serving its clients, with downtime under 1 s', (t) => {
  const { sim, source, target, wire, served, web, kernel } = webServerUnderLoad();
  const rateBefore = served.requests;
  const migration = new LiveMigration(source, web, target, { mode: 'live', linkMbps: 1000, latencyUs: 25 });
  migration.start();
  source.runWhile(() => migration.report === undefined);
  const atEnd = served.requests;
  source.runUntil(sim.now + 1e9);
  const report = migration.report!;
  t.true(report.downtimeMs < 1000, `downtime ${report.downtimeMs} ms`);
  t.true(report.pagesSent > 0);
  t.is(kernel.hv, target, 'the guest kernel runs on the target machine');
  t.is(source.domains.byName('web'), undefined, "the source's copy is gone");
  // The clients never changed address: the switch found the server on its new machine.
  t.true(served.requests - atEnd > 0.8 * rateBefore, `after: ${served.requests - atEnd} req/s vs ${rateBefore} before`);
  t.is(wire.dropped, 0);
});

test('after a post-copy switch-over the clients reach the server on the target at once, while its pages are still being pushed', (t) => {
  const { sim, source, target, wire, served, web } = webServerUnderLoad();
  const ratePerSecond = served.requests;
  // A slow link: pushing the pages takes a while after the switch-over.
  const migration = new LiveMigration(source, web, target, { mode: 'post-copy', linkMbps: 10, latencyUs: 25 });
  migration.start();
  source.runWhile(() => target.domains.byName('web')?.state !== 'running');
  const atSwitch = served.requests;
  const switchedAt = sim.now;
  source.runWhile(() => migration.report === undefined);
  const pushMs = (sim.now - switchedAt) / 1e6;
  t.true(pushMs > 500, `the push took ${pushMs} ms`);
  const during = served.requests - atSwitch;
  t.true(during > 0.5 * ratePerSecond * (pushMs / 1000), `${during} requests served during the ${pushMs} ms push, against ${ratePerSecond} per second before`);
  t.is(wire.dropped, 0);
});
