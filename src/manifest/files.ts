// Files a manifest points at (data_file, result_file, schemas): confined, size-capped, parsed.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { JsonValue } from '../client/models.js';
import { displayPath, isInside, makeDiagnostic } from './diagnostics.js';
import type { Diagnostic, SourceLocation } from './model.js';
import { scanJson } from './json-scan.js';
import { MAX_DATA_DEPTH } from './yaml-guard.js';
import { parseYaml, stripBom, YamlSource, type Locator } from './yaml-source.js';

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface WorkspaceRoot {
  /** Absolute workspace root, as given. */
  root: string;
  /** The same after resolving symlinks (for the symlink-escape check). */
  real: string;
}

export interface FileContext {
  cwd: string;
  /** The workspace root for files named by a manifest in `manifestDir`. */
  workspaceRoot(manifestDir: string): WorkspaceRoot;
  maxFileBytes: number;
  /** How long checking all design data against the design schemas may take (design-schemas.ts). */
  designCheckMs: number;
}

export interface LoadedFile {
  absPath: string;
  display: string;
  value: JsonValue;
  /** Locates paths inside the file (built lazily for JSON, which is parsed without positions). */
  locator: Locator;
}

export type LoadOutcome = { ok: true; file: LoadedFile } | { ok: false; diagnostics: Diagnostic[] };

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} bytes`;
}

class LazyJsonLocator implements Locator {
  private source: YamlSource | undefined;
  constructor(
    readonly file: string,
    private readonly text: string,
  ) {}
  locate(segments: Parameters<Locator['locate']>[0], target?: Parameters<Locator['locate']>[1]) {
    this.source ??= new YamlSource(this.file, this.text);
    return this.source.locate(segments, target);
  }
}

/** 1-based line/column of a character offset. */
function offsetPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Read `ref` (as written in the manifest at `at`), relative to `baseDir`. Errors about finding or
 * reaching the file are located at `at`; syntax errors inside it are located in the file itself.
 */
export async function loadReferencedFile(
  ref: string,
  baseDir: string,
  at: SourceLocation,
  ctx: FileContext,
  what = 'file',
): Promise<LoadOutcome> {
  const fail = (code: string, message: string, hint: string, found?: string): LoadOutcome => ({
    ok: false,
    diagnostics: [makeDiagnostic(at, code, message, { hint, ...(found !== undefined ? { found } : {}) })],
  });
  const abs = path.resolve(baseDir, ref);
  const workspace = ctx.workspaceRoot(baseDir);
  const rootShown = workspace.root;
  if (!isInside(workspace.root, abs)) {
    return path.isAbsolute(ref)
      ? fail(
          'file.outside-workspace',
          `${what} \`${ref}\` is an absolute path outside the workspace root ${rootShown}`,
          'use a path relative to the manifest, inside the workspace',
        )
      : fail(
          'file.outside-workspace',
          `${what} \`${ref}\` leaves the workspace root ${rootShown}`,
          'keep data files inside the workspace; `..` may not climb out of it',
        );
  }
  const display = displayPath(abs, ctx.cwd);
  let real: string;
  try {
    real = await fsp.realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return fail(
        'file.not-found',
        `${what} \`${ref}\` not found (looked for ${display})`,
        `paths are relative to the manifest's folder ${displayPath(baseDir, ctx.cwd)}/`,
      );
    }
    return fail(
      'file.unreadable',
      `${what} \`${ref}\` cannot be read: ${code ?? String(err)}`,
      'check its permissions',
    );
  }
  if (!isInside(workspace.real, real)) {
    return fail(
      'file.symlink-escape',
      `${what} \`${ref}\` is a symlink leading outside the workspace root ${rootShown}`,
      'copy the file into the workspace instead of linking to it',
    );
  }
  const stat = await fsp.stat(real);
  if (!stat.isFile()) {
    return fail(
      'file.not-a-file',
      `${what} \`${ref}\` is not a regular file`,
      'point at a JSON or YAML file',
    );
  }
  if (stat.size > ctx.maxFileBytes) {
    return fail(
      'file.too-large',
      `${what} \`${ref}\` is ${formatBytes(stat.size)}, over the ${formatBytes(ctx.maxFileBytes)} limit`,
      'keep data files under the limit, or raise it (maxFileBytes)',
    );
  }
  const parsed = parseDataText(display, await fsp.readFile(real, 'utf8'), path.extname(abs));
  if (!parsed.ok) return parsed;
  return { ok: true, file: { absPath: abs, display, value: parsed.value, locator: parsed.locator } };
}

export type DataParse =
  { ok: true; value: JsonValue; locator: Locator } | { ok: false; diagnostics: Diagnostic[] };

/**
 * A data file's text → its value, for every reader of data files (manifests' `data_file` and
 * `result_file`, `upload`): JSON (`.json`, or text starting with `{`/`[` in a file that is not
 * `.yaml`/`.yml`) or YAML; a byte-order mark dropped; an empty document is null (the caller says
 * what null means there); nesting over MAX_DATA_DEPTH and numbers JSON cannot carry refused.
 * Errors are located in the file as `display:line:column` and never quote its content.
 */
export function parseDataText(display: string, rawText: string, ext: string): DataParse {
  const text = stripBom(rawText);
  if (text.trim() === '') return { ok: true, value: null, locator: new LazyJsonLocator(display, text) };
  const lower = ext.toLowerCase();
  const looksJson = lower === '.json' || (lower !== '.yaml' && lower !== '.yml' && /^\s*[[{]/.test(text));
  if (looksJson) {
    const problem = scanJson(text, MAX_DATA_DEPTH);
    if (problem === undefined) {
      return { ok: true, value: JSON.parse(text) as JsonValue, locator: new LazyJsonLocator(display, text) };
    }
    const code = problem.code === 'invalid-json' ? 'file.invalid-json' : `file.${problem.code}`;
    const at = { file: display, ...offsetPosition(text, problem.offset), path: '' };
    return { ok: false, diagnostics: [makeDiagnostic(at, code, problem.message, { hint: problem.hint })] };
  }
  const parsed = parseYaml(display, text, { maxDepth: MAX_DATA_DEPTH });
  if (parsed.value === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) {
    return {
      ok: false,
      diagnostics: parsed.diagnostics.map((d) => ({ ...d, code: d.code.replace(/^yaml\./, 'file.yaml-') })),
    };
  }
  return { ok: true, value: parsed.value as JsonValue, locator: parsed.source };
}
