import { InvalidArgumentError } from '../errors/visorkit-error.js';

/**
 * What a page holds, as far as identity goes: two frames with the same content key hold the
 * same bytes, whoever owns them. The simulation stores a frame's bytes only where someone
 * wrote real bytes; a guest's ordinary memory traffic is modelled, not materialised, so the
 * key says what the guest kernel put there:
 *
 * - `zero` — the page reads as zeros (freshly allocated, or zeroed by the guest);
 * - `file` — page `page` of a file's contents, read in from disk (identified across domains
 *   by {@link fileIdentity}: domains booted from one image hold the same files);
 * - `private` — anything written that is no file's and not zeros (anonymous memory a
 *   process wrote, page tables, device data): unique to the frame.
 *
 * Content-based page sharing (VMware ESX, KSM) hashes exactly this.
 *
 * @public
 */
export type PageContent = { readonly kind: 'zero' } | { readonly kind: 'private' } | { readonly kind: 'file'; readonly file: number; readonly page: number };

/**
 * A content key: a number per frame (kept in `PhysicalMemory`). 0 is `zero`, -1 `private`,
 * positive keys are file pages ({@link fileContent}).
 *
 * @public
 */
export type ContentKey = number;

/**
 * The key of a frame that reads as zeros.
 *
 * @public
 */
export const ZERO_CONTENT: ContentKey = 0;

/**
 * The key of a frame holding private data (never identical to another frame's by identity).
 *
 * @public
 */
export const PRIVATE_CONTENT: ContentKey = -1;

/** Page offsets a file key can hold: 2^21 pages (8 GiB files). */
const PAGES_PER_FILE = 2 ** 21;
/** File identities are 31-bit, so a key stays an exact integer below 2^53. */
const FILE_IDENTITIES = 2 ** 31;

/**
 * The content key of page `page` of the file with identity `file` ({@link fileIdentity}).
 *
 * @public
 */
export function fileContent(file: number, page: number): ContentKey {
  if (!Number.isInteger(file) || file < 0 || file >= FILE_IDENTITIES)
    throw new InvalidArgumentError('file identity', `expected an integer in [0, 2^31), got ${file}`);
  if (!Number.isInteger(page) || page < 0 || page >= PAGES_PER_FILE)
    throw new InvalidArgumentError('file page', `expected an integer in [0, 2^21), got ${page}`);
  return file * PAGES_PER_FILE + page + 1;
}

/**
 * A file's content identity from what defines its contents in an image: its path and size
 * (FNV-1a, 31 bits). Two domains booted from the same image get equal identities for the
 * same file; a file written since holds private pages instead.
 *
 * @public
 */
export function fileIdentity(path: string, bytes: number): number {
  let h = 0x811c9dc5;
  const text = `${path}\u0000${bytes}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % FILE_IDENTITIES;
}

/**
 * What a content key stands for.
 *
 * @public
 */
export function describeContent(key: ContentKey): PageContent {
  if (key === ZERO_CONTENT) return { kind: 'zero' };
  if (key < 0) return { kind: 'private' };
  const n = key - 1;
  return { kind: 'file', file: Math.floor(n / PAGES_PER_FILE), page: n % PAGES_PER_FILE };
}
