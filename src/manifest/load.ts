// loadManifests: inputs → files → parsed, validated, resolved manifest (or every error at once).
import { promises as fsp, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { mapLimit } from '../concurrency.js';
import { displayPath, isInside, makeDiagnostic, sortAndDedupe } from './diagnostics.js';
import { secondsFromEnv } from '../env.js';
import { validateDesigns } from './design-schemas.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  formatBytes,
  loadReferencedFile,
  type FileContext,
  type WorkspaceRoot,
} from './files.js';
import type { InterpolationPolicy } from './interpolate.js';
import type { Diagnostic, LoadResult } from './model.js';
import { resolveManifests, type ParsedManifestFile } from './resolve.js';
import { schemaErrorsToDiagnostics } from './schema-errors.js';
import { getManifestValidator } from './schema.js';
import { MAX_MANIFEST_DEPTH, parseYaml } from './yaml-source.js';
import { findWorkspaceRoot } from './workspace.js';

/** Manifests are hand-written; anything this big is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const FILE_CONCURRENCY = 32;

export interface LoadOptions {
  /** Base for relative inputs and for displayed paths; default process.cwd(). */
  cwd?: string;
  /**
   * data_file / result_file / schemas must stay inside it. Default: the git work tree holding each
   * manifest (found by its `.git`), else the manifest's own folder.
   */
  workspaceRoot?: string;
  /** Environment for `${VAR}` interpolation; default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Variable names or globs (`LAB_*`) `${VAR}` may read besides MINT_VAR_* and GitHub's run context.
   * Credentials (MINT_TOKEN, MINT_PASSWORD, GITHUB_TOKEN, ACTIONS_*) stay refused whatever this says.
   */
  allowEnv?: readonly string[];
  /** Secret values (e.g. those the Action masked): a variable holding one is never interpolated. */
  deniedValues?: readonly string[];
  /** Size cap for data, result and schema files; default 10 MiB. */
  maxFileBytes?: number;
  /**
   * How long checking all design data against the `schemas:` may take before it is stopped and
   * reported (a pattern can backtrack for hours). Default: MINT_DESIGN_CHECK_TIMEOUT seconds, else 30 s.
   */
  designCheckMs?: number;
  /** Still an error (one run plans one stack), but the hint says to run each stack on its own. */
  allowMixedStacks?: boolean;
}

const inputAt = (file: string) => ({ file, line: 1, column: 1, path: '' });

/** Files, folders (their *.yaml / *.yml, not recursive) and globs → absolute manifest paths, in input order. */
async function expandInputs(inputs: readonly string[], cwd: string, out: Diagnostic[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (abs: string) => {
    if (!seen.has(abs)) {
      seen.add(abs);
      files.push(abs);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const stat = await fsp.stat(abs).catch(() => undefined);
    if (stat?.isFile()) add(abs);
    else if (stat?.isDirectory()) {
      const names = (await fsp.readdir(abs, { withFileTypes: true }))
        .filter((d) => !d.isDirectory() && /\.ya?ml$/i.test(d.name))
        .map((d) => d.name)
        .sort();
      if (names.length === 0) {
        out.push(
          makeDiagnostic(
            inputAt(input),
            'input.empty-folder',
            `folder \`${input}\` holds no .yaml or .yml files`,
            {
              hint: 'folders are not searched recursively; use a glob such as `manifests/**/*.yaml`',
            },
          ),
        );
      }
      for (const n of names) add(path.join(abs, n));
    } else if (isDynamicPattern(input)) {
      const matches = await glob(input, { cwd, absolute: true, onlyFiles: true, expandDirectories: false });
      if (matches.length === 0) {
        out.push(
          makeDiagnostic(inputAt(input), 'input.no-match', `no files match \`${input}\``, {
            hint: 'check the pattern',
          }),
        );
      }
      for (const m of matches.map((p) => path.resolve(p)).sort()) add(m);
    } else {
      out.push(
        makeDiagnostic(inputAt(input), 'input.not-found', `manifest \`${input}\` not found`, {
          hint: `paths are relative to ${cwd}`,
        }),
      );
    }
  }
  return files;
}

/**
 * A manifest inside the workspace that is a symlink (or in a linked folder) leading out of it: a pull
 * request could point it at /proc/self/environ or a credentials file, and errors would quote it.
 */
function escapesWorkspace(abs: string, root: WorkspaceRoot): boolean {
  return isInside(root.root, abs) && !isInside(root.real, realpathOr(abs));
}

async function readManifest(
  abs: string,
  ctx: FileContext,
  interpolation: InterpolationPolicy,
  out: Diagnostic[],
): Promise<ParsedManifestFile | undefined> {
  const { cwd } = ctx;
  const display = displayPath(abs, cwd);
  const root = ctx.workspaceRoot(path.dirname(abs));
  if (escapesWorkspace(abs, root)) {
    out.push(
      makeDiagnostic(
        inputAt(display),
        'input.symlink-escape',
        `manifest is a symlink leading outside the workspace root ${root.root}; it was not read`,
        { hint: 'copy the manifest into the workspace instead of linking to it' },
      ),
    );
    return undefined;
  }
  let stat;
  let text: string;
  try {
    stat = await fsp.stat(abs);
    text = stat.size > MAX_MANIFEST_BYTES ? '' : await fsp.readFile(abs, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    out.push(
      makeDiagnostic(inputAt(display), 'input.unreadable', `manifest cannot be read (${reason})`, {
        hint: 'check that it is a readable file',
      }),
    );
    return undefined;
  }
  if (stat.size > MAX_MANIFEST_BYTES) {
    out.push(
      makeDiagnostic(
        inputAt(display),
        'manifest.too-large',
        `manifest is ${formatBytes(stat.size)}, over the ${formatBytes(MAX_MANIFEST_BYTES)} limit`,
        {
          hint: 'split it into several files, or move large design data into data_file files',
        },
      ),
    );
    return undefined;
  }
  const parsed = parseYaml(display, text, { interpolation, maxDepth: MAX_MANIFEST_DEPTH });
  out.push(...parsed.diagnostics);
  if (parsed.value === undefined) return undefined;
  if (parsed.value === null) {
    out.push(
      makeDiagnostic(inputAt(display), 'manifest.empty', 'manifest is empty', {
        hint: 'start it with `version: 1` and `stack: <name>`',
      }),
    );
    return undefined;
  }
  const validate = getManifestValidator();
  if (!validate(parsed.value)) {
    // A NaN already reported as such is not also "the wrong type".
    const numberAt = new Set(
      parsed.diagnostics.filter((d) => d.code === 'yaml.number').map((d) => `${d.line}:${d.column}`),
    );
    out.push(
      ...schemaErrorsToDiagnostics(validate.errors ?? [], {
        root: parsed.value,
        locator: parsed.source,
        rootName: 'the manifest',
      }).filter((d) => !numberAt.has(`${d.line}:${d.column}`)),
    );
  }
  return { absPath: abs, display, dir: path.dirname(abs), source: parsed.source, value: parsed.value };
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The given root for every manifest, or each manifest's own (git work tree, else its folder). */
function workspaceRoots(cwd: string, given: string | undefined): (manifestDir: string) => WorkspaceRoot {
  const cache = new Map<string, WorkspaceRoot>();
  const make = (root: string): WorkspaceRoot => ({ root, real: realpathOr(root) });
  const fixed = given !== undefined ? make(path.resolve(cwd, given)) : undefined;
  return (manifestDir) => {
    if (fixed) return fixed;
    let found = cache.get(manifestDir);
    if (!found) {
      found = make(findWorkspaceRoot(manifestDir));
      cache.set(manifestDir, found);
    }
    return found;
  };
}

const isInterpolationError = (d: Diagnostic) => d.code.startsWith('interp.');

/**
 * A value whose `${…}` failed still holds the raw text; checks of that text (a date format, an enum)
 * would only repeat the problem. Drop them: the interpolation error is the one to fix.
 */
function dropFollowOnErrors(diagnostics: Diagnostic[]): Diagnostic[] {
  const failed = new Set(diagnostics.filter(isInterpolationError).map((d) => `${d.file}\0${d.path}`));
  if (failed.size === 0) return diagnostics;
  return diagnostics.filter((d) => isInterpolationError(d) || !failed.has(`${d.file}\0${d.path}`));
}

/**
 * Load, validate and resolve manifests. Never throws for a user's mistake: every problem found in
 * every file comes back as a located diagnostic.
 */
export async function loadManifests(inputs: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const interpolation: InterpolationPolicy = {
    env: opts.env ?? process.env,
    allow: opts.allowEnv ?? [],
    deniedValues: opts.deniedValues ?? [],
  };
  const ctx: FileContext = {
    cwd,
    workspaceRoot: workspaceRoots(cwd, opts.workspaceRoot),
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    designCheckMs: opts.designCheckMs ?? secondsFromEnv(process.env, 'MINT_DESIGN_CHECK_TIMEOUT', 30_000),
  };
  const diagnostics: Diagnostic[] = [];
  if (inputs.length === 0) {
    diagnostics.push(
      makeDiagnostic(inputAt('.'), 'input.none', 'no manifest given', {
        hint: 'pass a file, folder or glob, e.g. mint.yaml',
      }),
    );
  }
  const paths = await expandInputs(inputs, cwd, diagnostics);
  const perFile: Diagnostic[][] = paths.map(() => []);
  const parsed = await mapLimit(
    paths.map((p, i) => ({ p, i })),
    FILE_CONCURRENCY,
    ({ p, i }) => readManifest(p, ctx, interpolation, perFile[i]),
  );
  for (const list of perFile) diagnostics.push(...list);
  const files = parsed.filter((f): f is ParsedManifestFile => f !== undefined);

  const run = resolveManifests(files, diagnostics);
  if (opts.allowMixedStacks) {
    for (const d of diagnostics) {
      if (d.code === 'stack.mixed') d.hint = 'each stack must be planned separately: run once per stack';
    }
  }

  const loaded = await mapLimit(run.pending, FILE_CONCURRENCY, (p) =>
    loadReferencedFile(p.ref, p.baseDir, p.at, ctx, p.what),
  );
  loaded.forEach((outcome, i) => {
    const p = run.pending[i];
    if (outcome.ok && outcome.file.value === null && p.ifNull) {
      // A file never deletes: only `null` written in the manifest itself does.
      diagnostics.push(
        makeDiagnostic(
          p.ifNull.at,
          'file.null-content',
          `${p.what} \`${p.ref}\` holds no data (its content is null or empty)`,
          { hint: p.ifNull.hint },
        ),
      );
      return;
    }
    if (outcome.ok) {
      p.assign(outcome.file.value, outcome.file.locator);
      return;
    }
    for (const d of outcome.diagnostics) {
      // A problem inside the data file: also say which manifest line pulled it in.
      if (d.file !== p.at.file) {
        const via = `named by ${p.at.path} at ${p.at.file}:${p.at.line}:${p.at.column}`;
        d.hint = d.hint ? `${d.hint}; ${via}` : via;
      }
      diagnostics.push(d);
    }
  });
  await validateDesigns(run, ctx, diagnostics);

  const sorted = sortAndDedupe(dropFollowOnErrors(diagnostics));
  const errors = sorted.filter((d) => d.severity === 'error');
  const warnings = sorted.filter((d) => d.severity === 'warning');
  if (errors.length > 0 || run.stack === undefined) {
    return { ok: false, errors, warnings };
  }
  return {
    ok: true,
    warnings,
    manifest: {
      version: 1,
      stack: run.stack,
      files: files.map((f) => f.display),
      projects: run.projects,
      experiments: run.experiments,
    },
  };
}
