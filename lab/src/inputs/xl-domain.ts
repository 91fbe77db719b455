import type { DiskInput, DomainInput, IgnoredElement, InterfaceInput } from '@visorkit/workloads';
import { parseXlConfig, XlSyntaxError, type XlSetting, type XlValue } from './xl-config.js';

/** Keys visorkit reads, and why the common others are not modelled. */
const NOT_MODELLED: Readonly<Record<string, string>> = {
  type: 'the platform given with --platforms decides how the domain is virtualised',
  builder: 'the platform given with --platforms decides how the domain is virtualised',
  kernel: 'visorkit boots its own guest kernel model',
  ramdisk: 'visorkit boots its own guest kernel model',
  extra: 'visorkit boots its own guest kernel model',
  root: 'visorkit boots its own guest kernel model',
  cmdline: 'visorkit boots its own guest kernel model',
  bootloader: 'visorkit boots its own guest kernel model',
  maxvcpus: 'vCPU hot-plug is not modelled',
  cpus: 'vCPU pinning is not modelled',
  on_poweroff: 'lifecycle actions are not modelled',
  on_reboot: 'lifecycle actions are not modelled',
  on_crash: 'lifecycle actions are not modelled',
  vfb: 'no framebuffer is modelled',
  serial: 'no serial console is modelled',
  uuid: 'identity only: no effect on the simulation',
};

/** One domain's settings from an `xl.cfg` file. */
export function xlDomain(text: string, source: string): DomainInput {
  const settings = parseXlConfig(text);
  const last = new Map<string, XlSetting>();
  for (const s of settings) last.set(s.key, s);
  const ignored: IgnoredElement[] = [];
  for (const s of settings)
    if (last.get(s.key) !== s) ignored.push({ path: `${s.key} (line ${s.line})`, reason: `set again on line ${last.get(s.key)!.line}; the last setting wins` });

  const num = (key: string, min: number): number | undefined => {
    const s = last.get(key);
    if (s === undefined) return undefined;
    if (typeof s.value !== 'number') throw new XlSyntaxError(s.line, `expected a number for '${key}'`);
    if (s.value < min) throw new XlSyntaxError(s.line, `expected '${key}' to be at least ${min}, got ${s.value}`);
    return s.value;
  };
  const str = (key: string): string | undefined => {
    const s = last.get(key);
    if (s === undefined) return undefined;
    if (typeof s.value !== 'string') throw new XlSyntaxError(s.line, `expected a quoted string for '${key}'`);
    return s.value;
  };
  const list = (key: string): { items: string[]; line: number } => {
    const s = last.get(key);
    if (s === undefined) return { items: [], line: 0 };
    if (!Array.isArray(s.value) || s.value.some((v: XlValue) => typeof v !== 'string'))
      throw new XlSyntaxError(s.line, `expected a list of quoted strings for '${key}'`);
    return { items: s.value as string[], line: s.line };
  };

  const name = str('name');
  const type = str('type');
  if (type !== undefined && !['pv', 'hvm', 'pvh'].includes(type))
    throw new XlSyntaxError(last.get('type')!.line, `expected type "pv", "hvm" or "pvh", got "${type}"`);
  const memory = num('memory', 1);
  const maxmem = num('maxmem', 1);
  if (memory !== undefined && maxmem !== undefined && maxmem < memory)
    throw new XlSyntaxError(last.get('maxmem')!.line, `expected maxmem (${maxmem}) to be at least memory (${memory})`);
  const vcpus = num('vcpus', 1);
  const weight = num('cpu_weight', 1);
  const cap = num('cap', 0);

  const disks = list('disk').items.map((spec, i) => xlDisk(spec, i, ignored));
  const interfaces = list('vif').items.map((spec, i) => xlVif(spec, i, ignored, last.get('vif')!.line));

  const read = new Set(['name', 'memory', 'maxmem', 'vcpus', 'cpu_weight', 'cap', 'disk', 'vif']);
  for (const [key, s] of last) {
    if (read.has(key)) continue;
    ignored.push({ path: key, reason: NOT_MODELLED[key] ?? `'${key}' is not modelled (line ${s.line})` });
  }

  const top = maxmem ?? memory;
  return {
    source,
    format: 'xl',
    ...(name !== undefined ? { name } : {}),
    ...(vcpus !== undefined ? { vcpus } : {}),
    ...(top !== undefined ? { memoryMiB: top } : {}),
    ...(maxmem !== undefined && memory !== undefined && memory < maxmem ? { currentMemoryMiB: memory } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(cap !== undefined ? { cap } : {}),
    disks,
    interfaces,
    ignored,
  };
}

const DISK_FORMATS = new Set(['raw', 'qcow', 'qcow2', 'vhd', 'qed']);
const ACCESS = new Set(['r', 'ro', 'w', 'rw']);

/**
 * A disk spec string (xl-disk-configuration(5)): `key=value` parameters and flags mixed with
 * positional `target[, format][, vdev][, access]`, e.g. `'phy:/dev/vg/guest,xvda,w'` or
 * `'format=raw, vdev=xvda, access=rw, target=/images/guest.img'`.
 */
function xlDisk(spec: string, index: number, ignored: IgnoredElement[]): DiskInput {
  const kv: Record<string, string> = {};
  const positional: string[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    // `target=` swallows the rest, commas included, as xl does.
    if (eq > 0 && part.slice(0, eq).trim() === 'target') {
      kv['target'] = spec.slice(spec.indexOf(part) + eq + 1).trim();
      break;
    }
    if (eq > 0) kv[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    else positional.push(part);
  }
  let p = 0;
  let target = kv['target'];
  if (target === undefined && positional[p] !== undefined && !ACCESS.has(positional[p]!)) target = positional[p++]!;
  if (positional[p] !== undefined && DISK_FORMATS.has(positional[p]!)) kv['format'] ??= positional[p++]!;
  if (positional[p] !== undefined && !ACCESS.has(positional[p]!)) kv['vdev'] ??= positional[p++]!;
  if (positional[p] !== undefined) kv['access'] ??= positional[p++]!;
  for (const extra of positional.slice(p)) ignored.push({ path: `disk[${index}] '${extra}'`, reason: 'not a disk parameter visorkit models' });
  const source = target?.replace(/^(phy|file|tap:aio|tap:qcow2|tap|aio):/, '');
  for (const key of Object.keys(kv)) {
    if (key === 'target' || key === 'vdev' || key === 'access') continue;
    ignored.push({
      path: `disk[${index}].${key}`,
      reason: key === 'format' ? 'image formats are not modelled: the disk is a simulated device' : 'not modelled',
    });
  }
  if (index > 0) ignored.push({ path: `disk[${index}]`, reason: 'visorkit gives each domain one virtual disk; only disk[0] is attached' });
  return {
    target: kv['vdev'] ?? `xvd${String.fromCharCode(97 + (index % 26))}`,
    ...(source !== undefined && source !== '' ? { source } : {}),
    readOnly: kv['access'] === 'r' || kv['access'] === 'ro' || 'cdrom' in kv || positional.includes('cdrom'),
  };
}

/** A vif spec string (xl-network-configuration(5)): `mac=…, bridge=…, ip=…, mtu=…`. */
function xlVif(spec: string, index: number, ignored: IgnoredElement[], line: number): InterfaceInput {
  const kv: Record<string, string> = {};
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) {
      ignored.push({ path: `vif[${index}] '${part}'`, reason: 'not a key=value vif parameter' });
      continue;
    }
    kv[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const mtu = kv['mtu'];
  if (mtu !== undefined && !/^[1-9][0-9]*$/.test(mtu)) throw new XlSyntaxError(line, `expected a positive integer mtu in vif[${index}], got '${mtu}'`);
  const ip = kv['ip']?.split(/\s+/)[0];
  if (ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
    throw new XlSyntaxError(line, `expected an IPv4 address for ip in vif[${index}], got '${kv['ip']}'`);
  for (const key of Object.keys(kv))
    if (key !== 'mac' && key !== 'ip' && key !== 'mtu')
      ignored.push({ path: `vif[${index}].${key}`, reason: 'host-side network plumbing is not modelled: every interface attaches to the platform NIC' });
  return {
    ...(kv['mac'] !== undefined ? { mac: kv['mac'] } : {}),
    ...(ip !== undefined ? { address: ip } : {}),
    ...(mtu !== undefined ? { mtu: Number(mtu) } : {}),
  };
}
