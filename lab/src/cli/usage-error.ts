/**
 * A command-line mistake: printed without a stack trace, exit code 2.
 *
 * @public
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
