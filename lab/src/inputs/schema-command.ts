import type { Command } from 'commander';
import { UsageError } from '../cli/usage-error.js';
import { machineProfileJsonSchema } from './profile-schema.js';

/** The schemas `visorkit schema <name>` prints. */
const SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = { profile: machineProfileJsonSchema };

/** The JSON text of a schema, as committed under lab/schema/. */
export function schemaText(name: string): string {
  const make = SCHEMAS[name];
  if (make === undefined) throw new UsageError(`unknown schema '${name}' (known: ${Object.keys(SCHEMAS).join(', ')})`);
  return JSON.stringify(make(), null, 2) + '\n';
}

/** Adds `visorkit schema profile`: prints the JSON Schema of machine-profile files for editors. */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of an input file for editors: `schema profile` (machine profiles for --profile FILE)')
    .argument('<name>', 'profile')
    .action((name: string) => {
      process.stdout.write(schemaText(name));
    });
}
