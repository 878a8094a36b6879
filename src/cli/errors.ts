// The CLI's one typed exit: thrown anywhere in a command, caught by the single boundary in main.ts.

export class CliExitError extends Error {
  readonly exitCode: number;
  /** Already reported (e.g. diagnostics printed): the boundary prints nothing more. */
  readonly silent: boolean;
  constructor(exitCode: number, message = '', opts: { silent?: boolean } = {}) {
    super(message);
    this.name = 'CliExitError';
    this.exitCode = exitCode;
    this.silent = opts.silent ?? message === '';
  }
}

/** A wrong flag or argument: exit 1 with one line saying what to write instead. */
export function usageError(message: string): CliExitError {
  return new CliExitError(1, message);
}
