import type { Command } from 'commander';
import { newPackage } from '../scaffold/new-package.js';
import { UsageError } from './usage-error.js';

/** `visorkit new plugin|example <name>`: writes a package that builds and passes its kit test at once. */
export function registerNewCommand(program: Command): void {
  program
    .command('new')
    .description('write a new plugin or example package: `new plugin <name>` or `new example <name>`')
    .argument('<kind>', 'plugin or example')
    .argument('<name>', 'package name (lower case, dashes)')
    .option('--dir <dir>', 'write it here (default: plugins/<name> or examples/<name> in the repository, ./<name> elsewhere)')
    .option('--packages <dir>', 'take @visorkit/* from the packed tarballs in DIR (default: any in the current folder, else the registry)')
    .option('--standalone', 'write a project of its own even inside the visorkit repository')
    .action(async (kind: string, name: string, o: { dir?: string; packages?: string; standalone?: boolean }) => {
      if (kind !== 'plugin' && kind !== 'example') throw new UsageError(`cannot make a new '${kind}': expected 'plugin' or 'example'`);
      const result = await newPackage({
        kind,
        name,
        cwd: process.cwd(),
        ...(o.dir !== undefined ? { dir: o.dir } : {}),
        ...(o.packages !== undefined ? { packages: o.packages } : {}),
        ...(o.standalone === true ? { standalone: true } : {}),
      });
      const lines = [
        `Wrote ${result.packageName} (${result.mode}) in ${result.dir}:`,
        ...result.files.map((f) => `  ${f}`),
        'Build it and run its conformance test:',
        ...result.next.map((c) => `  ${c}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
