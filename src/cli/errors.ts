// The CLI's one typed exit: thrown anywhere in a command, caught by the single boundary in main.ts.
import type { Diagnostic } from '../manifest/model.js';

export interface CliExitOptions {
  silent?: boolean;
  /** Stable machine code for `--format json` (docs/cli-json.md), e.g. `usage`, `manifest.invalid`. */
  code?: string;
  /** The located problems behind the error (manifest diagnostics), for `--format json`. */
  diagnostics?: Diagnostic[];
  /** Top-level keys printed beside `error` in the `--format json` object (e.g. validate's `valid`). */
  json?: Record<string, unknown>;
}

export class CliExitError extends Error {
  readonly exitCode: number;
  /** Already reported (e.g. diagnostics printed): the boundary prints nothing more. */
  readonly silent: boolean;
  readonly code?: string;
  readonly diagnostics?: Diagnostic[];
  readonly json?: Record<string, unknown>;
  constructor(exitCode: number, message = '', opts: CliExitOptions = {}) {
    super(message);
    this.name = 'CliExitError';
    this.exitCode = exitCode;
    this.silent = opts.silent ?? message === '';
    this.code = opts.code;
    this.diagnostics = opts.diagnostics;
    this.json = opts.json;
  }
}

/** A wrong flag or argument: exit 1 with one line saying what to write instead. */
export function usageError(message: string): CliExitError {
  return new CliExitError(1, message, { code: 'usage' });
}
