import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { MachineProfile } from '@visorkit/core';
import { InputFileError } from './input-file-error.js';
import { machineProfileSchema } from './profile-schema.js';

/** True when a `--profile` value names a file rather than a bundled profile. */
export function isProfileFile(value: string): boolean {
  return /\.(json|ya?ml)$/i.test(value) || value.includes('/') || value.includes('\\') || (existsSync(value) && !/^[a-z0-9-]+$/.test(value));
}

/**
 * Reads a machine profile from JSON or YAML text (JSON is read as YAML 1.2, of which it is a
 * subset, so both give line numbers) and validates it against {@link machineProfileSchema}.
 * Throws {@link InputFileError} naming the file, the line and each wrong field's path.
 */
export function parseProfileFile(file: string, text: string): MachineProfile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const bad = doc.errors[0];
  if (bad !== undefined)
    throw new InputFileError(
      file,
      bad.linePos?.[0].line,
      `expected ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${bad.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '')}`,
    );
  const parsed = machineProfileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const lineOf = (path: readonly PropertyKey[]): number | undefined => {
      // The deepest node that exists on the path (a missing field is reported at its parent).
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
        if (isNode(node) && node.range !== undefined && node.range !== null) return lines.linePos(node.range[0]).line;
      }
      return undefined;
    };
    const where = (path: readonly PropertyKey[]): string => (path.length === 0 ? 'the profile' : `field '${path.map(String).join('.')}'`);
    const describe = (i: (typeof issues)[number]): string =>
      `${where(i.path)}: ${i.code === 'unrecognized_keys' ? `unknown ${i.keys.length > 1 ? 'fields' : 'field'} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message}`;
    throw new InputFileError(file, lineOf(issues[0]!.path), issues.map(describe).join('; '));
  }
  const { $schema: _ignored, ...profile } = parsed.data;
  return profile;
}

/** Reads and validates the profile file `file`. */
export function readProfileFile(file: string): MachineProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputFileError(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseProfileFile(file, text);
}
