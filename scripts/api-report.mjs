#!/usr/bin/env node
// API reports: runs API Extractor on the .d.ts files `tsc -b` emitted for every publishable
// workspace (the root package.json's globs, less `private` ones) and compares each package's
// public API with its checked-in report, <workspace>/etc/<name>.api.md.
//
//   node scripts/api-report.mjs           check: fails (exit 1) on any unrecorded API change,
//                                          any export without @public/@beta/@internal, or any
//                                          other API Extractor error
//   node scripts/api-report.mjs --update  rewrite the reports (review the diff, commit it)
//
// Both also write the doc model (temp/api/*.api.json) that api-documenter turns into
// docs/api/ (`npm run api:docs`). Run `tsc -b` first: this reads dist/, not src/.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');

/** Publishable workspaces, from the root package.json's globs. */
function publishable() {
  const globs = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
  const dirs = globs.flatMap((g) =>
    g.endsWith('/*')
      ? readdirSync(join(root, g.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${g.slice(0, -2)}/${d.name}`)
          .sort()
      : [g],
  );
  return dirs.filter((d) => existsSync(join(root, d, 'package.json')) && JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')).private !== true);
}

let failed = 0;
for (const dir of publishable()) {
  const projectFolder = join(root, dir);
  const entry = join(projectFolder, 'dist/src/index.d.ts');
  if (!existsSync(entry)) {
    console.error(`api: ${dir} has no ${'dist/src/index.d.ts'} — run \`npx tsc -b\` first`);
    failed++;
    continue;
  }
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder,
      mainEntryPointFilePath: '<projectFolder>/dist/src/index.d.ts',
      // The .d.ts files are already checked by tsc; API Extractor only needs to read them.
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            lib: ['ES2022'],
            types: ['node'],
            strict: true,
            skipLibCheck: true,
          },
          files: [entry],
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: '<projectFolder>/etc/',
        reportTempFolder: join(root, 'temp/api/reports', dir),
        reportFileName: '<unscopedPackageName>',
      },
      docModel: { enabled: true, apiJsonFilePath: join(root, 'temp/api/<unscopedPackageName>.api.json') },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          // Every export says who may rely on it.
          'ae-missing-release-tag': { logLevel: 'error', addToApiReportFile: false },
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          // Doc-comment links and naming conventions are not API: keep them out of the diff.
          'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
          'ae-internal-missing-underscore': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: join(projectFolder, 'api-extractor.json'),
    packageJsonFullPath: join(projectFolder, 'package.json'),
  });
  if (update) mkdirSync(join(projectFolder, 'etc'), { recursive: true });
  const result = Extractor.invoke(config, {
    localBuild: update,
    messageCallback: (m) => {
      // Warnings recorded in the report are visible in its diff; print errors only.
      if (m.logLevel !== ExtractorLogLevel.Error) m.handled = true;
    },
  });
  if (!result.succeeded) {
    failed++;
    if (result.apiReportChanged && !update)
      console.error(`api: ${dir}'s public API changed — run \`npm run api:update\` and commit ${dir}/etc/ with the change`);
    else console.error(`api: ${dir}: ${result.errorCount} error(s)`);
  } else if (result.apiReportChanged) {
    console.log(`api: ${dir}/etc/ updated`);
  }
}
if (failed > 0) {
  console.error(`api: ${failed} package(s) failed`);
  process.exit(1);
}
console.log(update ? 'api: reports up to date' : 'api: every package matches its report');
