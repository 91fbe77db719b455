import type { DomainInput } from '@visorkit/workloads';
import { ignoredLines, readDomainFiles } from './read-domain-file.js';

/** Commander accumulator for a repeatable `--domain FILE`. */
export function collectDomainFile(file: string, previous: string[] = []): string[] {
  return [...previous, file];
}

/** What a run takes from its `--domain` files. */
export interface DomainRunOptions {
  readonly domains?: readonly DomainInput[];
  readonly unused?: (input: DomainInput) => void;
}

/**
 * Reads the `--domain` files and says on stderr (never stdout, which `--json` owns) what of
 * each is not modelled, and later which files the experiment had no domain for.
 */
export async function domainRunOptions(
  files: readonly string[] | undefined,
  write: (line: string) => void = (l) => process.stderr.write(`visorkit: ${l}\n`),
): Promise<DomainRunOptions> {
  if (files === undefined || files.length === 0) return {};
  const domains = await readDomainFiles(files);
  for (const line of ignoredLines(domains)) write(line);
  return { domains, unused: (d) => write(`${d.source}: not used: the experiment created fewer domains than there are --domain files`) };
}
