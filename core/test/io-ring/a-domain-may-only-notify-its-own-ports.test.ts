import test from 'ava';
import { EventChannels } from '../../src/io-ring/event-channel.js';
import { EventChannelError } from '../../src/io-ring/ring-errors.js';
import { VisorkitError } from '../../src/errors/visorkit-error.js';
import { domainId } from '../../src/units/units.js';

const dom0 = domainId(0);
const domU = domainId(1);
const intruder = domainId(7);

test("a domain cannot notify a port bound only in another domain's table", (t) => {
  const upcalls: number[] = [];
  const channels = new EventChannels((_domain, port) => upcalls.push(port));
  channels.bindInterdomain(domU, dom0); // domU port 1 <-> dom0 port 1
  const second = channels.bindInterdomain(dom0, dom0); // dom0 ports 2 and 3, looped back
  const error = t.throws(() => channels.notify(domU, second.remotePort), { instanceOf: EventChannelError });
  t.is(error?.reason, 'NOT_OWNER');
  t.is(error?.code, 'EVENT_CHANNEL');
  t.true(VisorkitError.is(error));
  t.is(t.throws(() => channels.notify(intruder, 1), { instanceOf: EventChannelError })?.reason, 'NOT_OWNER');
  t.deepEqual(upcalls, []);
  t.is(channels.notifications, 0);
});

test('operations on a port never bound are UNKNOWN_PORT, and on a closed port CLOSED_PORT', (t) => {
  const channels = new EventChannels(() => undefined);
  const { localPort } = channels.bindInterdomain(domU, dom0);
  for (const port of [0, 42, -1, 1.5]) {
    t.is(t.throws(() => channels.unmask(domU, port), { instanceOf: EventChannelError })?.reason, 'UNKNOWN_PORT', `port ${port}`);
  }
  channels.close(domU, localPort);
  t.is(t.throws(() => channels.notify(domU, localPort), { instanceOf: EventChannelError })?.reason, 'CLOSED_PORT');
  t.is(t.throws(() => channels.close(domU, localPort), { instanceOf: EventChannelError })?.reason, 'CLOSED_PORT');
  t.is(channels.bindInterdomain(domU, dom0).localPort, localPort, 'a closed port number is reused by the next bind');
});

test('a full port table is NO_FREE_PORT and leaves the other side unbound', (t) => {
  const channels = new EventChannels(() => undefined, { maxPortsPerDomain: 3 });
  channels.bindInterdomain(domU, dom0);
  channels.bindInterdomain(domU, dom0);
  const other = domainId(5);
  const error = t.throws(() => channels.bindInterdomain(other, domU), { instanceOf: EventChannelError });
  t.is(error?.reason, 'NO_FREE_PORT');
  t.is(error?.domain, domU);
  t.is(t.throws(() => channels.isPending(other, 1), { instanceOf: EventChannelError })?.reason, 'CLOSED_PORT', 'the half-made local port was released');
  t.is(channels.bindVirq(other, 0), 1, 'and is reused by the next bind');
});
