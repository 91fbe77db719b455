import { readFile } from 'node:fs/promises';
import type { DomainInput } from '@visorkit/workloads';
import { InputFileError } from './input-file-error.js';
import { LibvirtSyntaxError, libvirtDomain } from './libvirt-domain.js';
import { xlDomain } from './xl-domain.js';
import { XlSyntaxError } from './xl-config.js';

/** Which syntax a domain file is in: libvirt XML when it starts with `<`, else xl.cfg. */
export function domainFileFormat(text: string): 'libvirt' | 'xl' {
  return /^\uFEFF?\s*</.test(text) ? 'libvirt' : 'xl';
}

/** Reads one domain from `text` (the contents of `file`), or throws {@link InputFileError}. */
export function parseDomainFile(file: string, text: string): DomainInput {
  try {
    return domainFileFormat(text) === 'libvirt' ? libvirtDomain(text, file) : xlDomain(text, file);
  } catch (e) {
    if (e instanceof XlSyntaxError) throw new InputFileError(file, e.line, `${e.expected} (xl.cfg)`);
    if (e instanceof LibvirtSyntaxError) throw new InputFileError(file, e.line, `${e.expected} (libvirt domain XML)`);
    throw e;
  }
}

/** Reads each `--domain` file in order. */
export async function readDomainFiles(files: readonly string[]): Promise<DomainInput[]> {
  const out: DomainInput[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new InputFileError(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    out.push(parseDomainFile(file, text));
  }
  return out;
}

/** One line per element a domain file asked for that visorkit does not model. */
export function ignoredLines(inputs: readonly DomainInput[]): string[] {
  return inputs.flatMap((d) => d.ignored.map((x) => `${d.source}: ignored ${x.path}: ${x.reason}`));
}
