// Errors the operations throw. Every message is one readable line: what, where, what to do.
import type { Diagnostic } from '../manifest/model.js';

export class OperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A saved plan no longer matches the live state it was computed against. */
export class PlanStaleError extends OperationError {
  readonly changes: string[];
  constructor(changes: string[]) {
    const shown = changes.slice(0, 5).join(', ');
    const more = changes.length > 5 ? ` and ${changes.length - 5} more` : '';
    super(
      `the saved plan is stale: MINT changed since it was made (${shown}${more}); run plan again and review the new plan`,
    );
    this.changes = changes;
  }
}

export class FingerprintMismatchError extends OperationError {
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super(
      `the plan changed since it was reviewed: expected fingerprint ${short(expected)}, got ${short(actual)}; review the new plan and apply again`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

export class MaxDeletesError extends OperationError {
  readonly count: number;
  readonly max: number;
  /** What the deletions are, e.g. "2 experiments, 1 design data, 3 analysis results". */
  readonly breakdown: string;
  constructor(count: number, max: number, breakdown = `${count} experiments`) {
    super(
      `refusing to make ${count} deletion${count === 1 ? '' : 's'} (${breakdown}): more than max-deletes (${max}); nothing was changed. Check the deletions in the plan, then raise max-deletes if this is intended`,
    );
    this.count = count;
    this.max = max;
    this.breakdown = breakdown;
  }
}

export class ManifestInvalidError extends OperationError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0] ?? diagnostics[0];
    const where = first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : 'no details';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : '';
    super(`the manifest is invalid: ${where}${more}; run validate to see every error`);
    this.diagnostics = diagnostics;
  }
}

/**
 * The manifest cannot be planned against this MINT: e.g. a `code` already owned by another stack,
 * a referenced project id that does not exist, a status move MINT cannot make. Every problem is one
 * line, with the `file:line` of the experiment or project when known.
 */
export class PlanConflictError extends OperationError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `cannot plan: ${problems[0]}`
        : `cannot plan (${problems.length} problems):\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

function short(fp: string): string {
  return fp.length > 12 ? fp.slice(0, 12) : fp || '(none)';
}
