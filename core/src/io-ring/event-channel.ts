/**
 * Xen-style event channels: the doorbell that goes with an I/O ring.
 *
 * Each domain has a table of ports; each bound port has a `pending` and a `masked` bit. An
 * interdomain channel joins a port in one domain to a port in another; notifying one end sets
 * `pending` on the other end and delivers an upcall only if that end was neither pending (events
 * coalesce) nor masked (delivery waits for {@link EventChannels.unmask}). A VIRQ port is raised by
 * the hypervisor itself (timer, console). Port 0 is reserved, as in Xen.
 *
 * The table knows domains only by {@link DomainId}; what an upcall does (mark a vCPU's
 * `evtchn_upcall_pending`, wake a process) is the caller's business.
 */
import type { DomainId } from '../units/units.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { EventChannelError } from './ring-errors.js';

/**
 * Called once per delivered event with the receiving domain and its port.
 *
 * @public
 */
export type EventUpcall = (domain: DomainId, port: number) => void;

/**
 * Options of {@link EventChannels}.
 *
 * @public
 */
export interface EventChannelOptions {
  /** Ports per domain, port 0 included (reserved); default 4096 (Xen's 2-level ABI on 64-bit). */
  readonly maxPortsPerDomain?: number;
}

/**
 * Both ends of a channel made by {@link EventChannels.bindInterdomain}.
 *
 * @public
 */
export interface InterdomainBinding {
  /** The port in the first domain's table. */
  readonly localPort: number;
  /** The port in the second domain's table. */
  readonly remotePort: number;
}

/**
 * What a port is bound to: `unbound` means its interdomain peer was closed.
 *
 * @public
 */
export type EventChannelKind = 'interdomain' | 'unbound' | 'virq' | 'closed';

interface Port {
  kind: EventChannelKind;
  pending: boolean;
  masked: boolean;
  remoteDomain: DomainId;
  remotePort: number;
  virq: number;
}

interface PortTable {
  /** Index = port number; index 0 is a reserved placeholder. */
  readonly ports: Port[];
  readonly virqs: Map<number, number>;
}

const DEFAULT_MAX_PORTS = 4096;

/**
 * Per-domain event-channel tables with Xen's `pending`/`masked` semantics
 * (`xen/common/event_channel.c`: `evtchn_send`, `evtchn_set_pending`, `evtchn_unmask`).
 * Notifying allocates nothing.
 *
 * @public
 */
export class EventChannels {
  /** Calls to {@link notify} and {@link raiseVirq}. */
  notifications = 0;
  /** Upcalls made (from a notification or from {@link unmask}). */
  deliveries = 0;
  /** Notifications that made no upcall: already pending (coalesced), masked (deferred), or peer closed. */
  suppressed = 0;

  readonly #upcall: EventUpcall;
  readonly #maxPorts: number;
  readonly #tables = new Map<DomainId, PortTable>();

  /**
   * @param upcall delivers an event to a domain
   * @throws InvalidArgumentError if `options.maxPortsPerDomain` is not an integer ≥ 2
   */
  constructor(upcall: EventUpcall, options: EventChannelOptions = {}) {
    const max = options.maxPortsPerDomain ?? DEFAULT_MAX_PORTS;
    if (!Number.isInteger(max) || max < 2) throw new InvalidArgumentError('maxPortsPerDomain', `expected an integer ≥ 2, got ${max}`);
    this.#upcall = upcall;
    this.#maxPorts = max;
  }

  /**
   * Binds a fresh port in `local` to a fresh port in `remote` (Xen's `alloc_unbound` followed by
   * `bind_interdomain`, in one step). Both start unmasked and not pending. `local` may equal `remote`.
   * @throws EventChannelError `NO_FREE_PORT` if either table is full (nothing is bound)
   */
  bindInterdomain(local: DomainId, remote: DomainId): InterdomainBinding {
    const localPort = this.#allocate(local);
    this.#table(local).ports[localPort] = newPort('interdomain', remote, 0, 0);
    let remotePort: number;
    try {
      remotePort = this.#allocate(remote);
    } catch (error) {
      this.#release(local, localPort);
      throw error;
    }
    this.#table(remote).ports[remotePort] = newPort('interdomain', local, localPort, 0);
    (this.#table(local).ports[localPort] as Port).remotePort = remotePort;
    return { localPort, remotePort };
  }

  /**
   * Binds VIRQ `virq` of `domain` to a fresh port, raised with {@link raiseVirq}.
   * @throws EventChannelError `VIRQ_IN_USE` if already bound, `NO_FREE_PORT` if the table is full
   */
  bindVirq(domain: DomainId, virq: number): number {
    if (!Number.isInteger(virq) || virq < 0) throw new InvalidArgumentError('virq', `expected a non-negative integer, got ${virq}`);
    const table = this.#table(domain);
    const bound = table.virqs.get(virq);
    if (bound !== undefined) throw new EventChannelError('VIRQ_IN_USE', domain, bound, `VIRQ ${virq} is already bound to this port; close it first.`);
    const port = this.#allocate(domain);
    table.ports[port] = newPort('virq', domain, 0, virq);
    table.virqs.set(virq, port);
    return port;
  }

  /**
   * `caller` signals the far end of its own interdomain port `port` (Xen's `EVTCHNOP_send`):
   * sets `pending` there and makes an upcall unless that port was already pending or is masked.
   * A port whose peer was closed drops the event, as Xen does.
   * @returns true when an upcall was made
   * @throws EventChannelError `NOT_OWNER` if `port` is not bound in the caller's table,
   *   `CLOSED_PORT` if the caller closed it, `WRONG_KIND` for a VIRQ port
   */
  notify(caller: DomainId, port: number): boolean {
    const local = this.#lookup(caller, port, 'NOT_OWNER');
    if (local.kind === 'virq') {
      throw new EventChannelError('WRONG_KIND', caller, port, 'it is bound to a VIRQ, which only the hypervisor raises (raiseVirq).');
    }
    this.notifications++;
    if (local.kind === 'unbound') {
      this.suppressed++;
      return false;
    }
    const remote = this.#tables.get(local.remoteDomain)?.ports[local.remotePort] as Port;
    return this.#setPending(local.remoteDomain, local.remotePort, remote);
  }

  /**
   * The hypervisor raises VIRQ `virq` of `domain`, with the same pending/masked rules as
   * {@link notify}. An unbound VIRQ is dropped, as in Xen.
   * @returns true when an upcall was made
   */
  raiseVirq(domain: DomainId, virq: number): boolean {
    this.notifications++;
    const table = this.#tables.get(domain);
    const port = table?.virqs.get(virq);
    if (table === undefined || port === undefined) {
      this.suppressed++;
      return false;
    }
    return this.#setPending(domain, port, table.ports[port] as Port);
  }

  /**
   * Sets the mask bit: later events stay pending without an upcall.
   * @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT`
   */
  mask(domain: DomainId, port: number): void {
    this.#lookup(domain, port, 'UNKNOWN_PORT').masked = true;
  }

  /**
   * Clears the mask bit; if the port was masked and an event is pending, delivers it now
   * (Xen's `evtchn_unmask`). Unmasking an unmasked port delivers nothing: its pending event was
   * delivered when it was raised.
   * @returns true when an upcall was made
   * @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT`
   */
  unmask(domain: DomainId, port: number): boolean {
    const entry = this.#lookup(domain, port, 'UNKNOWN_PORT');
    const wasMasked = entry.masked;
    entry.masked = false;
    if (!wasMasked || !entry.pending) return false;
    this.deliveries++;
    this.#upcall(domain, port);
    return true;
  }

  /**
   * Clears the pending bit, as the guest's event handler does before servicing the port, so
   * the next event makes a new upcall.
   * @returns whether the port was pending
   * @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT`
   */
  clearPending(domain: DomainId, port: number): boolean {
    const entry = this.#lookup(domain, port, 'UNKNOWN_PORT');
    const was = entry.pending;
    entry.pending = false;
    return was;
  }

  /** Whether `port` of `domain` is pending. @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT` */
  isPending(domain: DomainId, port: number): boolean {
    return this.#lookup(domain, port, 'UNKNOWN_PORT').pending;
  }

  /** Whether `port` of `domain` is masked. @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT` */
  isMasked(domain: DomainId, port: number): boolean {
    return this.#lookup(domain, port, 'UNKNOWN_PORT').masked;
  }

  /** What `port` of `domain` is bound to. @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT` */
  kindOf(domain: DomainId, port: number): EventChannelKind {
    return this.#lookup(domain, port, 'UNKNOWN_PORT').kind;
  }

  /**
   * Closes `port` of `domain` (Xen's `EVTCHNOP_close`). An interdomain peer becomes `unbound`:
   * its notifications are dropped until it is closed too. The port number may be reused by a
   * later bind.
   * @throws EventChannelError `UNKNOWN_PORT` or `CLOSED_PORT`
   */
  close(domain: DomainId, port: number): void {
    const entry = this.#lookup(domain, port, 'UNKNOWN_PORT');
    if (entry.kind === 'interdomain') {
      const peer = this.#tables.get(entry.remoteDomain)?.ports[entry.remotePort];
      if (peer !== undefined && peer.kind === 'interdomain' && peer.remoteDomain === domain && peer.remotePort === port) peer.kind = 'unbound';
    } else if (entry.kind === 'virq') {
      this.#table(domain).virqs.delete(entry.virq);
    }
    this.#release(domain, port);
  }

  #setPending(domain: DomainId, port: number, entry: Port): boolean {
    if (entry.pending || entry.masked) {
      entry.pending = true;
      this.suppressed++;
      return false;
    }
    entry.pending = true;
    this.deliveries++;
    this.#upcall(domain, port);
    return true;
  }

  #lookup(domain: DomainId, port: number, missing: 'NOT_OWNER' | 'UNKNOWN_PORT'): Port {
    const entry = port > 0 && Number.isInteger(port) ? this.#tables.get(domain)?.ports[port] : undefined;
    if (entry === undefined) {
      throw new EventChannelError(
        missing,
        domain,
        port,
        missing === 'NOT_OWNER'
          ? "the port is not bound in this domain's table; a domain may only notify its own bound ports (use the port bindInterdomain returned for this domain)."
          : "no such port was ever bound in this domain's table.",
      );
    }
    if (entry.kind === 'closed') throw new EventChannelError('CLOSED_PORT', domain, port, 'the port was closed; bind a new channel.');
    return entry;
  }

  #table(domain: DomainId): PortTable {
    let table = this.#tables.get(domain);
    if (table === undefined) {
      table = { ports: [newPort('closed', domain, 0, 0)], virqs: new Map() };
      this.#tables.set(domain, table);
    }
    return table;
  }

  /** Lowest closed port, else the next new one. */
  #allocate(domain: DomainId): number {
    const ports = this.#table(domain).ports;
    for (let port = 1; port < ports.length; port++) if ((ports[port] as Port).kind === 'closed') return port;
    if (ports.length >= this.#maxPorts) {
      throw new EventChannelError('NO_FREE_PORT', domain, -1, `all ${this.#maxPorts - 1} ports are bound; close some or raise maxPortsPerDomain.`);
    }
    ports.push(newPort('closed', domain, 0, 0));
    return ports.length - 1;
  }

  #release(domain: DomainId, port: number): void {
    const entry = this.#table(domain).ports[port] as Port;
    entry.kind = 'closed';
    entry.pending = false;
    entry.masked = false;
  }
}

function newPort(kind: EventChannelKind, remoteDomain: DomainId, remotePort: number, virq: number): Port {
  return { kind, pending: false, masked: false, remoteDomain, remotePort, virq };
}
