// Files a manifest points at (data_file, result_file, schemas): confined, size-capped, parsed.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { JsonValue } from '../client/models.js';
import { describeValue, displayPath, isInside, makeDiagnostic } from './diagnostics.js';
import type { Diagnostic, SourceLocation } from './model.js';
import { parseYaml, YamlSource, type Locator } from './yaml-source.js';

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
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function parseJson(display: string, text: string): LoadOutcome | JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /at position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : 0;
    const clean = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/^JSON\.parse: /, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    return {
      ok: false,
      diagnostics: [
        makeDiagnostic(
          { file: display, ...offsetPosition(text, offset), path: '' },
          'file.invalid-json',
          `invalid JSON: ${clean}`,
          {
            hint: 'fix the JSON syntax (a `.yaml` file may use YAML instead)',
          },
        ),
      ],
    };
  }
}

function isOutcome(v: unknown): v is LoadOutcome {
  return (
    v !== null &&
    typeof v === 'object' &&
    'ok' in v &&
    (v as { ok: unknown }).ok === false &&
    'diagnostics' in v
  );
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
  const text = await fsp.readFile(real, 'utf8');
  const ext = path.extname(abs).toLowerCase();
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[[{]/.test(text));
  if (looksJson) {
    const parsed = parseJson(display, text);
    if (isOutcome(parsed)) return parsed;
    return {
      ok: true,
      file: { absPath: abs, display, value: parsed, locator: new LazyJsonLocator(display, text) },
    };
  }
  const parsed = parseYaml(display, text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || parsed.value === undefined) {
    return {
      ok: false,
      diagnostics: parsed.diagnostics.map((d) => ({ ...d, code: d.code.replace(/^yaml\./, 'file.yaml-') })),
    };
  }
  if (parsed.value === null && text.trim() === '') {
    return fail(
      'file.empty',
      `${what} \`${ref}\` is empty`,
      'put the JSON or YAML data in it',
      describeValue(''),
    );
  }
  return {
    ok: true,
    file: { absPath: abs, display, value: parsed.value as JsonValue, locator: parsed.source },
  };
}

/** Run `fn` over `items` with at most `limit` in flight (thousands of data files must not exhaust fds). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
