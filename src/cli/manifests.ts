// Manifest inputs for validate/plan/apply: defaults, loading, and reporting diagnostics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALLOW_ENV_VARIABLE, formatDiagnostic, loadManifests, parseAllowEnv } from '../manifest/index.js';
import type { Diagnostic, LoadResult, ResolvedManifest } from '../manifest/model.js';
import type { CliContext } from './context.js';
import { CliExitError, usageError } from './errors.js';

const DEFAULT_FILES = ['mint.yaml', 'mint.yml'];

/** The paths given, or ./mint.yaml when none were. */
export function manifestInputs(paths: string[], cwd: string, fallback: string[] = []): string[] {
  if (paths.length > 0) return paths;
  if (fallback.length > 0) return fallback;
  const found = DEFAULT_FILES.find((f) => fs.existsSync(path.join(cwd, f)));
  if (!found) {
    throw usageError(
      'no manifest given and no mint.yaml in this folder: pass manifest files, folders or globs (e.g. `mint-manifest plan mint.yaml`)',
    );
  }
  return [found];
}

/** `--allow-env` (repeatable) and MINT_MANIFEST_ALLOW_ENV, as one list of names and globs. */
export function allowedEnv(ctx: CliContext): string[] {
  try {
    return [
      ...(ctx.opts.allowEnv ?? []).flatMap((v) => parseAllowEnv(v, '--allow-env')),
      ...parseAllowEnv(ctx.env[ALLOW_ENV_VARIABLE] ?? '', ALLOW_ENV_VARIABLE),
    ];
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

export async function loadInputs(ctx: CliContext, inputs: string[]): Promise<LoadResult> {
  if (
    ctx.opts.root !== undefined &&
    !fs.statSync(path.resolve(ctx.cwd, ctx.opts.root), { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw usageError(
      `--root ${ctx.opts.root} is not a folder: give the workspace folder data files must stay in`,
    );
  }
  return loadManifests(inputs, {
    cwd: ctx.cwd,
    env: ctx.env,
    allowEnv: allowedEnv(ctx),
    // What this run treats as secret (MINT_TOKEN, MINT_PASSWORD, --token) is never interpolated.
    deniedValues: ctx.out.redactor.values(),
    workspaceRoot: ctx.opts.root,
  });
}

export function countLabel(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function printWarnings(ctx: CliContext, warnings: Diagnostic[]): void {
  if (ctx.out.quiet) return;
  for (const w of warnings) ctx.out.err(formatDiagnostic(w));
}

/**
 * Loads and validates; on errors prints every diagnostic to stderr and exits 1 before anything
 * is sent to MINT.
 */
export async function loadManifestOrExit(ctx: CliContext, inputs: string[]): Promise<ResolvedManifest> {
  const result = await loadInputs(ctx, inputs);
  printWarnings(ctx, result.warnings);
  if (result.ok) return result.manifest;
  for (const d of result.errors) ctx.out.err(formatDiagnostic(d));
  throw new CliExitError(
    1,
    `the manifest is invalid (${countLabel(result.errors.length, 'error')} above); nothing was sent to MINT`,
    { code: 'manifest.invalid', diagnostics: result.errors },
  );
}
