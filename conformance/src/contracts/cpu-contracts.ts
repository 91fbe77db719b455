import fc from 'fast-check';
import { COST_CATEGORY_COUNT, PrivilegeViolationError, VisorkitError, type PrivilegedOperation, type Vcpu } from '@visorkit/core';
import type { Contract } from '../contract.js';
import { checkProperty } from '../kit/check-property.js';
import type { KitSettings } from '../kit/kit-settings.js';
import { ScriptProgram, domainNames, machineUnderTest } from '../kit/machine-under-test.js';
import { machinesFor, resized } from '../kit/profiles.js';

const OPERATIONS: PrivilegedOperation[] = ['load-page-table-base', 'flush-tlb', 'set-trap-table', 'halt', 'set-timer', 'io-access', 'switch-kernel-stack'];

type CpuCall =
  | { readonly k: 'privileged-user'; readonly op: PrivilegedOperation }
  | { readonly k: 'syscall' }
  | { readonly k: 'fault'; readonly page: number; readonly write: boolean }
  | { readonly k: 'interrupt' };

const call: fc.Arbitrary<CpuCall> = fc.oneof(
  fc.record({ k: fc.constant('privileged-user' as const), op: fc.constantFrom(...OPERATIONS) }),
  fc.record({ k: fc.constant('syscall' as const) }),
  fc.record({ k: fc.constant('fault' as const), page: fc.integer({ min: 0, max: 1000 }), write: fc.boolean() }),
  fc.record({ k: fc.constant('interrupt' as const) }),
);

function total(v: Vcpu): number {
  let n = 0;
  for (let c = 0; c < COST_CATEGORY_COUNT; c++) n += v.cycles[c]!;
  return n;
}

/**
 * CPU contracts: generated calls from several domains' vCPUs inside real bursts.
 *
 * @public
 */
export function cpuContracts(settings: KitSettings): readonly Contract[] {
  const scenario = (machines: number) =>
    fc.record({
      machine: fc.integer({ min: 0, max: machines - 1 }),
      cores: fc.integer({ min: 1, max: 2 }),
      domains: fc.array(fc.array(fc.array(call, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
    });
  return [
    {
      contract: 'cpu/privileged-operations-from-user-mode-never-succeed',
      sentence: 'privileged operations attempted from user mode never succeed, from any domain or vCPU, in any order with other kernel entries',
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length), 10, (s) => {
          const { hv } = machineUnderTest(compose, resized(machinesFor(compose)[s.machine]!, s.cores), settings);
          const violations: string[] = [];
          const programs: ScriptProgram[] = [];
          domainNames(s.domains.length).forEach((n, i) => {
            const d = hv.createDomain({ name: n, vcpus: s.domains[i]!.length, memoryMiB: 8 });
            hv.start(d, (v) => {
              const steps = s.domains[i]![v.index]!.map((c) => (vcpu: Vcpu) => {
                if (c.k !== 'privileged-user') return undefined;
                try {
                  hv.cpu.privileged(vcpu, c.op, true);
                } catch (e) {
                  if (e instanceof PrivilegeViolationError || (VisorkitError.is(e) && e.code === 'PRIVILEGE_VIOLATION')) return undefined;
                  return `'${c.op}' from user mode on ${vcpu.label} failed with ${String(e)}, not PrivilegeViolationError`;
                }
                return `'${c.op}' from user mode on ${vcpu.label} succeeded`;
              });
              const p = new ScriptProgram(steps, violations, 'compute', 50_000);
              programs.push(p);
              return p;
            });
          });
          for (let t = 0; t < 200 && violations.length === 0 && !programs.every((p) => p.done); t++) hv.runFor(1e6);
          return violations[0];
        });
      },
    },
    {
      contract: 'cpu/each-entry-is-charged-to-the-caller',
      sentence: 'system calls, page faults, interrupts and world switches cost the vCPU they happen on, never another domain',
      check(compose, name) {
        checkProperty(this.contract, name, settings, scenario(machinesFor(compose).length), 10, (s) => {
          const { hv } = machineUnderTest(compose, resized(machinesFor(compose)[s.machine]!, s.cores), settings);
          const ds = domainNames(s.domains.length).map((n, i) => hv.createDomain({ name: n, vcpus: s.domains[i]!.length, memoryMiB: 8 }));
          const everyone = ds.flatMap((d) => d.vcpus);
          for (const [i, d] of ds.entries()) {
            for (const v of d.vcpus) {
              for (const c of s.domains[i]![v.index]!) {
                if (c.k === 'privileged-user') continue;
                const before = everyone.map(total);
                const what = c.k === 'syscall' ? 'a system call' : c.k === 'fault' ? `a page fault at page ${c.page}` : 'an interrupt';
                try {
                  if (c.k === 'syscall') hv.cpu.systemCall(v);
                  else if (c.k === 'fault') hv.cpu.pageFault(v, c.page, c.write);
                  else hv.cpu.deliverInterrupt(v);
                } catch (e) {
                  if (!VisorkitError.is(e)) return `${what} on ${v.label} threw ${String(e)}`;
                  continue;
                }
                const after = everyone.map(total);
                if (!(after[everyone.indexOf(v)]! > before[everyone.indexOf(v)]!)) return `${what} on ${v.label} cost it nothing`;
                const other = everyone.findIndex((o, k) => o !== v && after[k] !== before[k]);
                if (other >= 0) return `${what} on ${v.label} was charged to ${everyone[other]!.label}`;
              }
            }
          }
          // World switches through the runner: charged to the incoming vCPU's domain only.
          const one = hv.domains.all()[0]!;
          const two = hv.domains.all()[hv.domains.all().length - 1]!;
          if (one !== two) {
            const before = everyone.map(total);
            hv.cpu.worldSwitch(0, one.vcpus[0]!, two.vcpus[0]!);
            const after = everyone.map(total);
            const wrong = everyone.findIndex((o, k) => o.domain !== two && after[k] !== before[k]);
            if (wrong >= 0) return `a world switch to ${two.vcpus[0]!.label} was charged to ${everyone[wrong]!.label}`;
          }
          return undefined;
        });
      },
    },
  ];
}
