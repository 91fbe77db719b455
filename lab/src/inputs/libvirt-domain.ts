import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DiskInput, DomainInput, IgnoredElement, InterfaceInput } from '@visorkit/workloads';

/** A libvirt domain XML file that is not well-formed or says something visorkit cannot read. */
export class LibvirtSyntaxError extends Error {
  constructor(
    readonly line: number | undefined,
    readonly expected: string,
  ) {
    super(`${line !== undefined ? `line ${line}: ` : ''}${expected}`);
    this.name = 'LibvirtSyntaxError';
  }
}

/** An element as the parser returns it: text, attributes and child elements by name. */
interface XmlElement {
  readonly '#text'?: string;
  readonly '@'?: Readonly<Record<string, string>>;
  readonly [child: string]: unknown;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Every element as an array, so repeated and single elements read alike.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** Bytes per unit, as libvirt's `unit` attribute names them (formatdomain: "Memory Allocation"). */
const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  bytes: 1,
  KB: 1e3,
  k: 1024,
  KiB: 1024,
  MB: 1e6,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1e9,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1e12,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
};

function asElement(node: unknown): XmlElement {
  return typeof node === 'object' && node !== null
    ? (node as XmlElement)
    : { '#text': typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? String(node) : '' };
}

function children(el: XmlElement, name: string): XmlElement[] {
  const v = el[name];
  return Array.isArray(v) ? v.map(asElement) : [];
}

function childNames(el: XmlElement): string[] {
  return Object.keys(el).filter((k) => k !== '#text' && k !== '@');
}

/**
 * One domain from a libvirt domain XML document (formatdomain): `name`, `memory` /
 * `currentMemory` with units, `vcpu` (and its `current`), `cputune` `shares`, `period` and
 * `quota`, `devices` `disk` and `interface`, `memoryBacking/hugepages`. Everything else is
 * listed in `ignored` with its path.
 *
 * Mappings: `shares` becomes the proportional-share weight unchanged (libvirt's libxl driver
 * passes it to Xen's credit scheduler as the weight); `quota`/`period` is per vCPU, so the cap
 * (percent of one pCPU for the whole domain) is 100 × quota / period × vCPUs.
 */
export function libvirtDomain(text: string, source: string): DomainInput {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new LibvirtSyntaxError(valid.err.line, `expected well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(doc).filter((k) => k !== '?xml');
  if (roots.length !== 1 || roots[0] !== 'domain')
    throw new LibvirtSyntaxError(1, `expected a <domain> root element, got ${roots.map((r) => `<${r}>`).join(', ') || 'none'}`);
  const domain = children(doc as XmlElement, 'domain')[0]!;
  const ignored: IgnoredElement[] = [];
  const lineOf = (tag: string, nth = 0): number | undefined => {
    let at = -1;
    for (let i = 0; i <= nth; i++) {
      at = text.indexOf(`<${tag}`, at + 1);
      if (at < 0) return undefined;
    }
    return text.slice(0, at).split('\n').length;
  };
  const ignoreRest = (el: XmlElement, path: string, read: readonly string[], reason: string, attrsRead: readonly string[] = []): void => {
    for (const a of Object.keys(el['@'] ?? {})) if (!attrsRead.includes(a)) ignored.push({ path: `${path}/@${a}`, reason });
    for (const name of childNames(el)) {
      if (read.includes(name)) continue;
      children(el, name).forEach((_, i) => ignored.push({ path: `${path}/${name}[${i}]`, reason }));
    }
  };
  const int = (el: XmlElement, tag: string, what: string, min: number): number => {
    const raw = (el['#text'] ?? '').trim();
    if (!/^\d+$/.test(raw) || Number(raw) < min)
      throw new LibvirtSyntaxError(lineOf(tag), `expected ${what} as an integer of at least ${min} in <${tag}>, got '${raw}'`);
    return Number(raw);
  };
  const mib = (tag: string): number | undefined => {
    const el = children(domain, tag)[0];
    if (el === undefined) return undefined;
    const unit = el['@']?.['unit'] ?? 'KiB';
    const bytes = UNIT_BYTES[unit];
    if (bytes === undefined) throw new LibvirtSyntaxError(lineOf(tag), `expected a unit of ${Object.keys(UNIT_BYTES).join(', ')} on <${tag}>, got '${unit}'`);
    return (int(el, tag, 'a size', 1) * bytes) / 1024 ** 2;
  };

  const nameEl = children(domain, 'name')[0];
  const name = nameEl?.['#text']?.trim();
  const memory = mib('memory');
  const current = mib('currentMemory');
  if (memory !== undefined && current !== undefined && current > memory)
    throw new LibvirtSyntaxError(lineOf('currentMemory'), `expected <currentMemory> (${current} MiB) not above <memory> (${memory} MiB)`);
  for (const tag of ['memory', 'currentMemory']) for (const el of children(domain, tag)) ignoreRest(el, `/domain/${tag}[0]`, [], 'not modelled', ['unit']);

  let vcpus: number | undefined;
  const vcpuEl = children(domain, 'vcpu')[0];
  if (vcpuEl !== undefined) {
    vcpus = int(vcpuEl, 'vcpu', 'a vCPU count', 1);
    const cur = vcpuEl['@']?.['current'];
    if (cur !== undefined) {
      if (!/^[1-9]\d*$/.test(cur) || Number(cur) > vcpus)
        throw new LibvirtSyntaxError(lineOf('vcpu'), `expected vcpu/@current from 1 to ${vcpus}, got '${cur}'`);
      vcpus = Number(cur);
      ignored.push({ path: '/domain/vcpu[0]', reason: `vCPU hot-plug is not modelled: the domain gets its ${vcpus} current vCPUs` });
    }
    ignoreRest(vcpuEl, '/domain/vcpu[0]', [], 'vCPU placement and pinning are not modelled', ['current']);
  }

  let weight: number | undefined;
  let cap: number | undefined;
  const tune = children(domain, 'cputune')[0];
  if (tune !== undefined) {
    const shares = children(tune, 'shares')[0];
    if (shares !== undefined) weight = int(shares, 'shares', 'a share weight', 1);
    const periodEl = children(tune, 'period')[0];
    const quotaEl = children(tune, 'quota')[0];
    const period = periodEl !== undefined ? int(periodEl, 'period', 'a period in µs', 1000) : 100_000;
    if (quotaEl !== undefined) {
      const raw = (quotaEl['#text'] ?? '').trim();
      if (!/^-?\d+$/.test(raw)) throw new LibvirtSyntaxError(lineOf('quota'), `expected a quota in µs (or -1 for none) in <quota>, got '${raw}'`);
      const quota = Number(raw);
      // A negative quota means no limit, as libvirt documents.
      cap = quota < 0 ? 0 : Math.round((100 * quota * (vcpus ?? 1)) / period);
    } else if (periodEl !== undefined) ignored.push({ path: '/domain/cputune[0]/period[0]', reason: 'a period without a quota sets no cap' });
    ignoreRest(tune, '/domain/cputune[0]', ['shares', 'period', 'quota'], 'not modelled (pinning, emulator and I/O thread tuning)');
  }

  let hugePageKiB: number | undefined;
  const backing = children(domain, 'memoryBacking')[0];
  if (backing !== undefined) {
    const huge = children(backing, 'hugepages')[0];
    if (huge !== undefined) {
      const page = children(huge, 'page')[0];
      if (page !== undefined) {
        const size = page['@']?.['size'];
        const unit = page['@']?.['unit'] ?? 'KiB';
        if (size === undefined || !/^\d+$/.test(size) || UNIT_BYTES[unit] === undefined)
          throw new LibvirtSyntaxError(lineOf('page'), `expected <page size='N' unit='KiB|M|G…'> in <hugepages>`);
        hugePageKiB = (Number(size) * UNIT_BYTES[unit]!) / 1024;
      } else hugePageKiB = 2048;
      ignored.push({
        path: '/domain/memoryBacking[0]/hugepages[0]',
        reason: `host page size is the platform's, not the domain's: ${hugePageKiB} KiB pages are what --platforms hvm-ept-2m models`,
      });
    }
    ignoreRest(backing, '/domain/memoryBacking[0]', ['hugepages'], 'not modelled');
  }

  const disks: DiskInput[] = [];
  const interfaces: InterfaceInput[] = [];
  const devices = children(domain, 'devices')[0];
  if (devices !== undefined) {
    children(devices, 'disk').forEach((d, i) => {
      const path = `/domain/devices[0]/disk[${i}]`;
      const target = children(d, 'target')[0]?.['@']?.['dev'];
      if (target === undefined) throw new LibvirtSyntaxError(lineOf('disk', i), `expected <target dev='…'/> in disk ${i}`);
      const src = children(d, 'source')[0]?.['@'];
      const from = src?.['file'] ?? src?.['dev'] ?? src?.['name'];
      const readOnly = children(d, 'readonly').length > 0 || d['@']?.['device'] === 'cdrom';
      disks.push({ target, ...(from !== undefined ? { source: from } : {}), readOnly });
      if (i > 0) ignored.push({ path, reason: 'visorkit gives each domain one virtual disk; only disk[0] is attached' });
      ignoreRest(d, path, ['target', 'source', 'readonly'], 'disk drivers, caches and bus addresses are not modelled', ['device']);
    });
    children(devices, 'interface').forEach((n, i) => {
      const path = `/domain/devices[0]/interface[${i}]`;
      const mac = children(n, 'mac')[0]?.['@']?.['address'];
      const ip = children(n, 'ip')[0]?.['@']?.['address'];
      if (ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
        throw new LibvirtSyntaxError(lineOf('ip'), `expected an IPv4 address in <ip address>, got '${ip}'`);
      const mtuRaw = children(n, 'mtu')[0]?.['@']?.['size'];
      if (mtuRaw !== undefined && !/^[1-9]\d*$/.test(mtuRaw))
        throw new LibvirtSyntaxError(lineOf('mtu'), `expected a positive integer in <mtu size>, got '${mtuRaw}'`);
      interfaces.push({
        ...(mac !== undefined ? { mac } : {}),
        ...(ip !== undefined ? { address: ip } : {}),
        ...(mtuRaw !== undefined ? { mtu: Number(mtuRaw) } : {}),
      });
      ignoreRest(
        n,
        path,
        ['mac', 'ip', 'mtu'],
        'host-side network plumbing (source, model, bridge) is not modelled: every interface attaches to the platform NIC',
      );
    });
    ignoreRest(devices, '/domain/devices[0]', ['disk', 'interface'], 'device not modelled');
  }

  const why: Readonly<Record<string, string>> = {
    uuid: 'identity only: no effect on the simulation',
    title: 'identity only: no effect on the simulation',
    description: 'identity only: no effect on the simulation',
    metadata: 'identity only: no effect on the simulation',
    os: 'visorkit boots its own guest kernel model',
    features: "the platform given with --platforms decides the guest's features",
    cpu: 'the machine profile decides the CPU model',
    clock: "time keeping is the platform's",
  };
  for (const n of childNames(domain)) {
    if (['name', 'memory', 'currentMemory', 'vcpu', 'cputune', 'memoryBacking', 'devices'].includes(n)) continue;
    children(domain, n).forEach((_, i) => ignored.push({ path: `/domain/${n}[${i}]`, reason: why[n] ?? 'not modelled' }));
  }
  for (const a of Object.keys(domain['@'] ?? {})) ignored.push({ path: `/domain/@${a}`, reason: 'the platform given with --platforms decides the hypervisor' });

  return {
    source,
    format: 'libvirt',
    ...(name !== undefined && name !== '' ? { name } : {}),
    ...(vcpus !== undefined ? { vcpus } : {}),
    ...(memory !== undefined ? { memoryMiB: memory } : {}),
    ...(current !== undefined && memory !== undefined && current < memory ? { currentMemoryMiB: current } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(cap !== undefined ? { cap } : {}),
    disks,
    interfaces,
    ...(hugePageKiB !== undefined ? { hugePageKiB } : {}),
    ignored,
  };
}
