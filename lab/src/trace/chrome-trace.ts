import type { Hypervisor } from '@visorkit/core';
import type { Subscription } from 'rxjs';

/** A Chrome trace-event (the JSON Perfetto and chrome://tracing open). */
interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/**
 * Collects a run's events as Chrome trace-event JSON: vCPU bursts as complete events (one
 * process per domain, one thread per vCPU, on the pCPU they ran), hypercalls, traps, VM
 * exits and I/O as instant events. A subscriber: the simulator does not know it exists.
 *
 * @public
 */
export class ChromeTrace {
  readonly #events: TraceEvent[] = [];
  readonly #subscriptions: Subscription[] = [];
  readonly #named = new Set<string>();

  /** Subscribes to `hv`'s streams; `prefix` keeps several hypervisors apart in one trace. */
  attach(hv: Hypervisor, prefix: string, pidBase: number): void {
    const us = (ns: number): number => ns / 1000;
    const name = (pid: number, label: string): void => {
      const key = `${pid}`;
      if (this.#named.has(key)) return;
      this.#named.add(key);
      this.#events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: label } });
    };
    const domainName = (id: number): string => hv.domains.get(id)?.name ?? `dom${id}`;
    this.#subscriptions.push(
      hv.events.cpu.schedules$.subscribe((e) => {
        const pid = pidBase + e.domainId;
        name(pid, `${prefix} ${domainName(e.domainId)}`);
        this.#events.push({ name: `pcpu${e.pcpu}`, ph: 'X', ts: us(e.time), dur: us(e.durationNs), pid, tid: e.vcpu });
      }),
      hv.events.cpu.hypercalls$.subscribe((e) =>
        this.#events.push({ name: `hypercall ${e.reason}`, ph: 'i', s: 't', ts: us(e.time), pid: pidBase + e.domainId, tid: e.vcpu }),
      ),
      hv.events.cpu.traps$.subscribe((e) =>
        this.#events.push({ name: `trap ${e.reason}`, ph: 'i', s: 't', ts: us(e.time), pid: pidBase + e.domainId, tid: e.vcpu }),
      ),
      hv.events.cpu.vmExits$.subscribe((e) =>
        this.#events.push({ name: `vm-exit ${e.reason}`, ph: 'i', s: 't', ts: us(e.time), pid: pidBase + e.domainId, tid: e.vcpu }),
      ),
      hv.events.io.io$.subscribe((e) =>
        this.#events.push({ name: e.kind, ph: 'i', s: 'p', ts: us(e.time), pid: pidBase + e.domainId, tid: 0, args: { bytes: e.bytes, detail: e.detail } }),
      ),
    );
  }

  /** Number of events collected. */
  get size(): number {
    return this.#events.length;
  }

  /** Stops listening and returns the trace document. */
  finish(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
    for (const s of this.#subscriptions) s.unsubscribe();
    return { traceEvents: this.#events, displayTimeUnit: 'ns' };
  }
}
