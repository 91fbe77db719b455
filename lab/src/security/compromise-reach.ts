import { PTE_PRESENT, PTE_USER, PTE_WRITABLE, PageTableBuilder, VisorkitError, gfn, makePte, pteFrame, type Domain, type Hypervisor } from '@visorkit/core';
import { bootGuest, type GuestKernel, type Program } from '@visorkit/guest';

/** Tenants placed side by side; the first one's kernel is compromised. */
export const TENANTS = 4;
/** Pages each tenant's process writes (its secrets). */
const TENANT_PAGES = 16;

/** One tenant: the kernel it runs on and its process. */
export interface Tenant {
  readonly kernel: GuestKernel;
  readonly pid: number;
}

/** A tenant's program: write its pages, then sleep (its memory stays resident). */
const tenantProgram: Program = function* (sys) {
  const at = yield* sys.mmap({ bytes: TENANT_PAGES * 4096 });
  yield* sys.touch(at, TENANT_PAGES * 4096, { write: true });
  for (;;) yield* sys.sleep(1e9);
};

/**
 * Places {@link TENANTS} tenants on `hv` as its platform isolates them — processes of one
 * kernel (contexts on a container platform), or a domain and kernel each — and lets each
 * write its pages.
 */
export function placeTenants(hv: Hypervisor, isolation: 'domains' | 'processes' | 'contexts'): Tenant[] {
  const programs = { '/bin/tenant': { program: tenantProgram } };
  const tenants: Tenant[] = [];
  if (isolation === 'domains') {
    for (let i = 0; i < TENANTS; i++) {
      const kernel = bootGuest(hv, hv.createDomain({ name: `tenant${i}`, memoryMiB: 64 }), { programs });
      tenants.push({ kernel, pid: kernel.spawn('/bin/tenant') });
    }
  } else {
    const kernel = bootGuest(hv, hv.createDomain({ name: 'host', vcpus: Math.min(TENANTS, hv.machine.pcpus.length), memoryMiB: 64 * TENANTS }), { programs });
    for (let i = 0; i < TENANTS; i++) tenants.push({ kernel, pid: kernel.spawn('/bin/tenant', isolation === 'contexts' ? i + 1 : 0) });
  }
  hv.runUntil(hv.now + 2e8);
  return tenants;
}

/** Machine frames holding a tenant's written pages. */
function framesOf(hv: Hypervisor, t: Tenant): { domain: Domain; gfns: number[]; mfns: Set<number> } {
  const p = t.kernel.processes.get(t.pid);
  // The kernel's index of present leaf entries (vpn → entry, guest format).
  const gfns = p === undefined ? [] : [...p.space.present.values()].map((entry) => pteFrame(entry));
  const domain = t.kernel.domain;
  return { domain, gfns, mfns: new Set(gfns.map((g) => hv.memory.machineFrame(domain, gfn(g), 'read')).filter((m) => m >= 0)) };
}

/**
 * What a kernel compromise reaches: the first tenant's kernel is taken over, and with its
 * privileges (its vCPU, through the platform's memory virtualisation) it tries to map every
 * other tenant's pages, naming them every way it can — as the frame numbers it manages, and
 * as the machine frames behind them. A tenant is reached when a mapping the attacker then
 * translates lands on one of that tenant's machine frames. On a shared kernel the other
 * tenants' pages are the compromised kernel's own frames; with a kernel per domain they are
 * another domain's, and the platform refuses or confines the mapping.
 */
export function compromiseReach(hv: Hypervisor, tenants: readonly Tenant[]): { reached: number; attempts: number; refused: number } {
  const attacker = tenants[0]!.kernel;
  const vcpu = attacker.domain.vcpus[0]!;
  // The compromised kernel builds an address space of its own in frames at the top of its memory.
  const frames = hv.memory.frames(attacker.domain);
  const builder = new PageTableBuilder(hv, vcpu, frames - 64);
  let reached = 0;
  let attempts = 0;
  let refused = 0;
  let vpn = 0;
  for (const victim of tenants.slice(1)) {
    const target = framesOf(hv, victim);
    let hit = false;
    for (const name of [...target.gfns, ...target.mfns]) {
      attempts++;
      const page = vpn++;
      try {
        builder.set(page, makePte(name, PTE_PRESENT | PTE_WRITABLE | PTE_USER));
        hv.cpu.switchAddressSpace(vcpu, builder.root, 4000);
        const reached = hv.memory.translate(vcpu, page, true);
        if (reached >= 0 && target.mfns.has(hv.memory.machineFrame(attacker.domain, gfn(reached), 'read'))) hit = true;
      } catch (e) {
        if (!VisorkitError.is(e)) throw e;
        refused++;
      }
    }
    if (hit) reached++;
  }
  return { reached, attempts, refused };
}
