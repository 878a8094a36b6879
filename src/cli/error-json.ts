// `--format json`: a failed command prints one JSON error object on stdout (docs/cli-json.md).
import { CommanderError } from 'commander';
import {
  FingerprintMismatchError,
  ManifestInvalidError,
  MaxDeletesError,
  OperationError,
  PlanConflictError,
  PlanStaleError,
} from '../actions/errors.js';
import {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  MintApiError,
  MintConfigError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  UnexpectedResponseError,
  ValidationError,
} from '../client/index.js';
import type { Diagnostic } from '../manifest/model.js';
import { CliExitError } from './errors.js';

export interface CliErrorJson {
  /** Stable machine code: see docs/cli-json.md. */
  code: string;
  /** The same one line the CLI prints after `error:` on stderr. */
  message: string;
  exitCode: number;
  /** Located manifest problems (`file`, `line`, `column`, `code`, `message`, `hint`…); may be empty. */
  diagnostics: Diagnostic[];
  /** For errors MINT answered with: what it said, for which request. */
  mint?: { status: number; code: string; method: string; path: string; requestId?: string };
}

const API_CODES: [new (...args: never[]) => MintApiError, string][] = [
  [AuthenticationError, 'mint.authentication'],
  [PermissionError, 'mint.permission'],
  [NotFoundError, 'mint.not-found'],
  [ConflictError, 'mint.conflict'],
  [ValidationError, 'mint.validation'],
  [RateLimitError, 'mint.rate-limit'],
  [ConnectionError, 'mint.connection'],
  [ServerError, 'mint.server'],
];

const OPERATION_CODES: [new (...args: never[]) => OperationError, string][] = [
  [ManifestInvalidError, 'manifest.invalid'],
  [PlanStaleError, 'plan.stale'],
  [FingerprintMismatchError, 'plan.fingerprint-mismatch'],
  [PlanConflictError, 'plan.conflict'],
  [MaxDeletesError, 'apply.max-deletes'],
];

export function errorCode(err: unknown): string {
  if (err instanceof CliExitError) return err.code ?? 'failed';
  if (err instanceof CommanderError) return 'usage';
  if (err instanceof MintApiError) return API_CODES.find(([cls]) => err instanceof cls)?.[1] ?? 'mint.error';
  if (err instanceof UnexpectedResponseError) return 'mint.unexpected-response';
  if (err instanceof MintConfigError) return 'config';
  if (err instanceof OperationError)
    return OPERATION_CODES.find(([cls]) => err instanceof cls)?.[1] ?? 'operation';
  return 'internal';
}

function diagnosticsOf(err: unknown): Diagnostic[] {
  if (err instanceof CliExitError) return err.diagnostics ?? [];
  if (err instanceof ManifestInvalidError) return err.diagnostics;
  return [];
}

/** The message when the boundary printed none (commander's own errors, silent exits). */
function fallbackMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^error:\s*/, '').trim() || 'the command failed';
}

export function errorJson(err: unknown, printed: string | undefined, exitCode: number): CliErrorJson {
  const body: CliErrorJson = {
    code: errorCode(err),
    message: printed ?? fallbackMessage(err),
    exitCode,
    diagnostics: diagnosticsOf(err),
  };
  if (err instanceof MintApiError) {
    body.mint = {
      status: err.status,
      code: err.code,
      method: err.method,
      path: err.path,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  return body;
}

/** The whole object printed on stdout: `{ ...extra keys of the command, error }`. */
export function errorDocument(err: unknown, printed: string | undefined, exitCode: number): string {
  const extra = err instanceof CliExitError ? (err.json ?? {}) : {};
  return JSON.stringify({ ...extra, error: errorJson(err, printed, exitCode) }, null, 2);
}

/** Whether the command asked for JSON: its parsed --format, else (a parse error) the raw argv. */
export function wantsJson(format: unknown, argv: string[]): boolean {
  if (format !== undefined) return format === 'json';
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}
