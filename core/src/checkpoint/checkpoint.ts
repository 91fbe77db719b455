import { Capability } from '../capabilities/capability.js';
import type { Hypervisor } from '../composition/hypervisor.js';
import type { Domain } from '../domain/domain.js';
import type { VcpuProgram } from '../domain/vcpu.js';
import { InvalidArgumentError } from '../errors/visorkit-error.js';
import { PAGE_SIZE, gfn } from '../units/units.js';
import { CheckpointCorruptError, CheckpointRefusedError, CheckpointVersionError } from './checkpoint-errors.js';
import { crc32 } from './crc32.js';

/**
 * Current checkpoint format version.
 *
 * @public
 */
export const CHECKPOINT_VERSION = 1;
const MAGIC = [0x56, 0x4b, 0x43, 0x50]; // "VKCP"
const HEADER_BYTES = 12; // magic, version u16, reserved u16, header length u32

/**
 * A vCPU program whose state can be saved and rebuilt.
 *
 * @public
 */
export interface CheckpointableProgram extends VcpuProgram {
  /** Registry key of the program's kind. */
  readonly kind: string;
  /** Its state as plain JSON data. */
  saveState(): unknown;
}

/**
 * Rebuilds programs of each kind from saved state.
 *
 * @public
 */
export type ProgramRegistry = Readonly<Record<string, (state: unknown, hv: Hypervisor, domain: Domain) => VcpuProgram>>;

interface SavedDomain {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly weight: number;
  readonly cap: number;
  /** Plugins' per-domain parameters (absent in files written before they existed). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly kernel: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  readonly savedAt: number;
  readonly vcpu: readonly { runtimeNs: number; cycles: number[]; program: { kind: string; state: unknown } }[];
  readonly counts: readonly number[];
  readonly frames: number;
}

/**
 * Saves a domain's whole state — frames, vCPU accounting, program state — to a versioned
 * file: `VKCP`, version, a JSON header, then (gfn, 4 KiB) records, then a CRC-32 of all of
 * it. Needs the checkpoint-resume capability; the domain must be paused (a consistent image).
 *
 * @public
 */
export function checkpointDomain(hv: Hypervisor, domain: Domain): Uint8Array {
  hv.require(Capability.CheckpointResume);
  if (domain.state !== 'paused') throw new InvalidArgumentError('domain', `'${domain.name}' must be paused to checkpoint (it is ${domain.state})`);
  // The dirty-log point knows which frames are populated; a checkpoint needs no more of it.
  const frames = hv.dirtyLog?.populatedFrames(domain);
  if (frames === undefined)
    throw new InvalidArgumentError('memory', `'${hv.name}' cannot list a domain's frames (no loaded plugin binds the DirtyLogging point)`);
  const saved: SavedDomain = {
    name: domain.name,
    vcpus: domain.vcpus.length,
    memoryMiB: (domain.reservationFrames * PAGE_SIZE) / 1048576,
    weight: domain.weight,
    cap: domain.cap,
    extensions: domain.extensions,
    kernel: domain.kernel,
    labels: domain.labels,
    state: domain.state,
    savedAt: hv.now,
    vcpu: domain.vcpus.map((v) => {
      const p = v.program as Partial<CheckpointableProgram> | undefined;
      if (p?.saveState === undefined || p.kind === undefined)
        throw new InvalidArgumentError('domain', `'${domain.name}' vCPU ${v.index} runs a program that cannot be checkpointed`);
      return { runtimeNs: v.runtimeNs, cycles: [...v.cycles], program: { kind: p.kind, state: p.saveState() } };
    }),
    counts: [...domain.counts],
    frames: frames.length,
  };
  const header = asciiBytes(JSON.stringify(saved));
  const size = HEADER_BYTES + header.length + frames.length * (4 + PAGE_SIZE) + 4;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, HEADER_BYTES);
  let at = HEADER_BYTES + header.length;
  const page = new Uint8Array(PAGE_SIZE);
  for (const frame of frames) {
    view.setUint32(at, frame, true);
    hv.machine.memory.readBytes(hv.memory.machineFrame(domain, gfn(frame), 'read'), 0, page);
    out.set(page, at + 4);
    at += 4 + PAGE_SIZE;
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/**
 * How {@link checkpointWhenQuiescent} waits for a domain to quiesce.
 *
 * @public
 */
export interface QuiescentCheckpointOptions {
  /** Simulated time the domain runs between attempts (default 1 ms). */
  readonly stepNs?: number;
  /** Simulated time after which it gives up and throws the last refusal (default 1 s). */
  readonly maxWaitNs?: number;
}

/**
 * Checkpoints `domain` at its next quiescent point, as Xen's suspend lets a guest quiesce its
 * devices before it is saved: pauses it and tries; while the refusal is transient (block
 * requests in flight, completions not yet handled by the guest), lets it run `stepNs` more
 * and tries again. A permanent refusal is thrown at once. Leaves the domain paused: unpause it
 * to carry on, or destroy it once its copy runs elsewhere.
 *
 * @public
 */
export function checkpointWhenQuiescent(hv: Hypervisor, domain: Domain, options: QuiescentCheckpointOptions = {}): Uint8Array {
  const stepNs = options.stepNs ?? 1e6;
  if (!(stepNs > 0)) throw new InvalidArgumentError('stepNs', `expected a positive time, got ${stepNs}`);
  const deadline = hv.now + (options.maxWaitNs ?? 1e9);
  for (;;) {
    if (domain.state !== 'paused') hv.pause(domain);
    try {
      return checkpointDomain(hv, domain);
    } catch (e) {
      if (!(e instanceof CheckpointRefusedError) || !e.transient || hv.now + stepNs > deadline) throw e;
    }
    hv.unpause(domain);
    hv.runFor(stepNs);
  }
}

/**
 * Restores a checkpoint as a new (paused) domain on `hv` — the same machine or another.
 * Everything is validated first (magic, version, length, CRC, header, program kinds), so a
 * bad file is refused with a typed error and nothing is half-restored.
 *
 * @public
 */
export function restoreDomain(hv: Hypervisor, file: Uint8Array, programs: ProgramRegistry): Domain {
  hv.require(Capability.CheckpointResume);
  const saved = parseCheckpoint(file);
  for (const v of saved.vcpu) {
    if (programs[v.program.kind] === undefined) throw new CheckpointCorruptError(`it needs program kind '${v.program.kind}', which is not registered`);
  }
  const domain = hv.createDomain({
    name: saved.name,
    vcpus: saved.vcpus,
    memoryMiB: saved.memoryMiB,
    weight: saved.weight,
    cap: saved.cap,
    extensions: saved.extensions ?? {},
    kernel: saved.kernel,
    labels: saved.labels,
  });
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = HEADER_BYTES + view.getUint32(8, true);
  const vcpu0 = domain.vcpus[0]!;
  for (let i = 0; i < saved.frames; i++) {
    const frame = gfn(view.getUint32(at, true));
    hv.memory.zeroFrame(vcpu0, frame);
    hv.machine.memory.writeBytes(hv.memory.machineFrame(domain, frame, 'write'), 0, file.subarray(at + 4, at + 4 + PAGE_SIZE));
    at += 4 + PAGE_SIZE;
  }
  // Accounting as it was at the checkpoint (the restore's own page work is not the guest's).
  try {
    domain.vcpus.forEach((v, i) => {
      const s = saved.vcpu[i]!;
      v.runtimeNs = s.runtimeNs;
      v.cycles.set(s.cycles);
      v.program = programs[s.program.kind]!(s.program.state, hv, domain);
    });
  } catch (e) {
    // A program that cannot be rebuilt (a corrupt or foreign state): nothing is half-restored.
    hv.destroy(domain);
    throw e;
  }
  domain.counts.set(saved.counts);
  return domain;
}

function parseCheckpoint(file: Uint8Array): SavedDomain {
  if (file.length < HEADER_BYTES + 4) throw new CheckpointCorruptError(`the file is ${file.length} bytes, too short to be a checkpoint`);
  for (let i = 0; i < 4; i++) if (file[i] !== MAGIC[i]) throw new CheckpointCorruptError('it does not start with the VKCP signature');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = view.getUint16(4, true);
  if (version !== CHECKPOINT_VERSION) throw new CheckpointVersionError(version, CHECKPOINT_VERSION);
  const headerLength = view.getUint32(8, true);
  if (HEADER_BYTES + headerLength + 4 > file.length) throw new CheckpointCorruptError('it is truncated (the header runs past the end)');
  const stored = view.getUint32(file.length - 4, true);
  if (crc32(file.subarray(0, file.length - 4)) !== stored) throw new CheckpointCorruptError('its CRC-32 does not match its contents (truncated or corrupted)');
  let saved: SavedDomain;
  try {
    saved = JSON.parse(asciiString(file.subarray(HEADER_BYTES, HEADER_BYTES + headerLength))) as SavedDomain;
  } catch {
    throw new CheckpointCorruptError('its header is not valid JSON');
  }
  const expected = HEADER_BYTES + headerLength + saved.frames * (4 + PAGE_SIZE) + 4;
  if (expected !== file.length) throw new CheckpointCorruptError(`its length ${file.length} does not match the ${saved.frames} frames it declares`);
  if (!Array.isArray(saved.vcpu) || saved.vcpu.length !== saved.vcpus) throw new CheckpointCorruptError('its vCPU records do not match its vCPU count');
  return saved;
}

/** JSON text as ASCII bytes: anything beyond ASCII is written as a \\uXXXX escape. */
function asciiBytes(json: string): Uint8Array {
  const ascii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const out = new Uint8Array(ascii.length);
  for (let i = 0; i < ascii.length; i++) out[i] = ascii.charCodeAt(i);
  return out;
}

/** ASCII bytes back to text; a byte beyond ASCII means the file is not ours. */
function asciiString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    if (chunk.some((b) => b > 0x7f)) throw new CheckpointCorruptError('its header holds non-ASCII bytes');
    s += String.fromCharCode(...chunk);
  }
  return s;
}
