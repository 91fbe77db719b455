import test from 'ava';
import fc from 'fast-check';
import { EventChannels } from '../../src/io-ring/event-channel.js';
import { EventChannelError } from '../../src/io-ring/ring-errors.js';
import { domainId } from '../../src/units/units.js';
import type { DomainId } from '../../src/units/units.js';

const dom0 = domainId(0);
const domU = domainId(1);

function recorder(): { upcalls: Array<[DomainId, number]>; channels: EventChannels } {
  const upcalls: Array<[DomainId, number]> = [];
  return { upcalls, channels: new EventChannels((domain, port) => upcalls.push([domain, port])) };
}

test('notify sets pending on the remote end and delivers one upcall there', (t) => {
  const { upcalls, channels } = recorder();
  const { localPort, remotePort } = channels.bindInterdomain(domU, dom0);
  t.true(channels.notify(domU, localPort));
  t.deepEqual(upcalls, [[dom0, remotePort]]);
  t.true(channels.isPending(dom0, remotePort));
  t.false(channels.isPending(domU, localPort));
});

test('a masked port defers delivery until it is unmasked', (t) => {
  const { upcalls, channels } = recorder();
  const { localPort, remotePort } = channels.bindInterdomain(domU, dom0);
  channels.mask(dom0, remotePort);
  t.false(channels.notify(domU, localPort));
  t.deepEqual(upcalls, []);
  t.true(channels.isPending(dom0, remotePort));
  t.true(channels.unmask(dom0, remotePort));
  t.deepEqual(upcalls, [[dom0, remotePort]]);
  t.false(channels.unmask(dom0, remotePort), 'unmasking an unmasked port delivers nothing more');
  t.deepEqual([channels.notifications, channels.deliveries, channels.suppressed], [1, 1, 1]);
});

test('unmasking a port with nothing pending delivers nothing', (t) => {
  const { upcalls, channels } = recorder();
  const { remotePort } = channels.bindInterdomain(domU, dom0);
  channels.mask(dom0, remotePort);
  t.false(channels.unmask(dom0, remotePort));
  t.deepEqual(upcalls, []);
});

test('notifications coalesce while the port is pending, and clearPending re-arms it', (t) => {
  const { upcalls, channels } = recorder();
  const { localPort, remotePort } = channels.bindInterdomain(domU, dom0);
  t.true(channels.notify(domU, localPort));
  t.false(channels.notify(domU, localPort));
  t.false(channels.notify(domU, localPort));
  t.is(upcalls.length, 1);
  t.true(channels.clearPending(dom0, remotePort));
  t.false(channels.clearPending(dom0, remotePort));
  t.true(channels.notify(domU, localPort));
  t.is(upcalls.length, 2);
  t.deepEqual([channels.notifications, channels.deliveries, channels.suppressed], [4, 2, 2]);
});

test('a notify delivers only when it raises the pending bit of an unmasked port, and unmask delivers what masking held back', (t) => {
  const step = fc.constantFrom('notify', 'mask', 'unmask', 'clear');
  fc.assert(
    fc.property(fc.array(step, { maxLength: 100 }), (steps) => {
      const { upcalls, channels } = recorder();
      const { localPort, remotePort } = channels.bindInterdomain(domU, dom0);
      let pending = false;
      let masked = false;
      for (const s of steps) {
        const before = upcalls.length;
        let owed = 0;
        if (s === 'notify') {
          owed = !pending && !masked ? 1 : 0;
          channels.notify(domU, localPort);
          pending = true;
        } else if (s === 'mask') {
          channels.mask(dom0, remotePort);
          masked = true;
        } else if (s === 'unmask') {
          owed = masked && pending ? 1 : 0;
          channels.unmask(dom0, remotePort);
          masked = false;
        } else {
          channels.clearPending(dom0, remotePort);
          pending = false;
        }
        if (upcalls.length - before !== owed) return false;
        if (channels.isPending(dom0, remotePort) !== pending || channels.isMasked(dom0, remotePort) !== masked) return false;
      }
      const notifies = steps.filter((s) => s === 'notify').length;
      return channels.deliveries === upcalls.length && channels.notifications === notifies && channels.suppressed <= notifies;
    }),
  );
  t.pass();
});

test('a VIRQ is raised by the hypervisor, not by the guest', (t) => {
  const { upcalls, channels } = recorder();
  const port = channels.bindVirq(domU, 0);
  t.true(channels.raiseVirq(domU, 0));
  t.deepEqual(upcalls, [[domU, port]]);
  t.false(channels.raiseVirq(domU, 1), 'an unbound VIRQ is dropped');
  t.is(t.throws(() => channels.notify(domU, port), { instanceOf: EventChannelError })?.reason, 'WRONG_KIND');
  t.is(t.throws(() => channels.bindVirq(domU, 0), { instanceOf: EventChannelError })?.reason, 'VIRQ_IN_USE');
});

test('closing one end leaves the peer unbound and its notifications dropped', (t) => {
  const { upcalls, channels } = recorder();
  const { localPort, remotePort } = channels.bindInterdomain(domU, dom0);
  channels.close(dom0, remotePort);
  t.is(channels.kindOf(domU, localPort), 'unbound');
  t.false(channels.notify(domU, localPort));
  t.deepEqual(upcalls, []);
  t.is(channels.suppressed, 1);
});
