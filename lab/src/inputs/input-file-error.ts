import { VisorkitError } from '@visorkit/core';

/**
 * A file given on the command line (`--domain`, `--profile`) is malformed: names the file,
 * the line (1-based, when known) and what was expected there. The CLI prints it as one line
 * and exits with status 2.
 */
export class InputFileError extends VisorkitError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly expected: string,
  ) {
    super('INPUT_FILE', `${file}${line !== undefined ? `:${line}` : ''}: ${expected}`);
  }
}
