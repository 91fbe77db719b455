import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/usage-error.js';

/** A JSON file's contents, unchecked: read fields with {@link jsonAt}. */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file} is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The value at `path` inside parsed JSON, or undefined where any step is missing. */
export function jsonAt(value: unknown, ...path: string[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = Reflect.get(at, key);
  }
  return at;
}

/** The string at `path`, or a UsageError naming the file and the field. */
export function jsonString(file: string, value: unknown, ...path: string[]): string {
  const s = jsonAt(value, ...path);
  if (typeof s !== 'string') throw new UsageError(`${file}: expected a string at ${path.join('.')}`);
  return s;
}
