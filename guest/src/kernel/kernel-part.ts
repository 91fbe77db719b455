import type { Program } from '../program/program.js';
import type { ReplayRecorder } from './replay-recorder.js';

/** What a subsystem saving its state may use: the replay log of the programs. */
export interface PartWriter {
  readonly replay: ReplayRecorder;
}

/** What a subsystem loading its state may use (parts load in dependency order: memory, files, processes, the rest). */
export interface PartReader {
  readonly replay: ReplayRecorder;
  /** An installed executable's program, by path. */
  readonly programOf: (path: string) => Program | undefined;
}

/**
 * A subsystem of the guest kernel as a checkpoint sees it: it saves and loads its own state,
 * so the kernel's checkpoint is the sum of its parts and holds nothing listed by hand.
 */
export interface KernelPart<Saved> {
  /**
   * Its state as plain JSON data. Throws `CheckpointRefusedError` when it holds what a file
   * cannot (I/O in flight, sockets…), before anything is written.
   */
  save(w: PartWriter): Saved;
  /** Takes on saved state, on a freshly booted kernel. */
  load(saved: Saved, r: PartReader): void;
}
