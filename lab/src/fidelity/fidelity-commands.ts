import type { Command } from 'commander';
import { progressBar } from '../cli/progress.js';
import { calibrationReport } from './calibration-command.js';
import { fitAll, fitReport, validate, validationReport, writeFit } from './fit-command.js';

/** Adds the model-fidelity verbs (`calibration`, `fit`, `validate`) to the CLI. */
export function registerFidelityCommands(program: Command): void {
  program
    .command('calibration')
    .description('print the calibration ledger: every primitive, path length and fitted parameter with its source')
    .option('--json', 'print one JSON document on stdout')
    .action((o: { json?: boolean }) => {
      process.stdout.write(calibrationReport(o.json === true) + '\n');
    });

  program
    .command('fit')
    .description("fit the fitted parameters to the seed's micro table (non-negative least squares) and write each package's calibration.ts")
    .option('--dry-run', 'print the fit without writing the files')
    .action(async (o: { dryRun?: boolean }) => {
      const bar = progressBar('fit');
      const outcome = fitAll(1, bar.update);
      bar.stop();
      const written = o.dryRun === true ? [] : await writeFit(outcome);
      process.stdout.write(fitReport(outcome, written) + '\n');
    });

  program
    .command('validate')
    .description("the model's own validation: leave-one-out over the fit set")
    .option('--json', 'print one JSON document on stdout')
    .action((o: { json?: boolean }) => {
      const bar = progressBar('validate');
      const doc = validate(1, bar.update);
      bar.stop();
      process.stdout.write((o.json === true ? JSON.stringify(doc, null, 2) : validationReport(doc)) + '\n');
    });
}
