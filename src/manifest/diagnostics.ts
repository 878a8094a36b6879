// Building, formatting and ordering diagnostics; small helpers shared by the manifest modules.
import * as path from 'node:path';
import { escapeControlChars, redactTokenShapes } from '../redact.js';
import type { Diagnostic, Severity, SourceLocation } from './model.js';

export type PathSegment = string | number;

/** `file:line:col: error: path: message (expected …, found …) — hint` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const subject = d.path ? `${d.path}: ` : '';
  const detail: string[] = [];
  if (d.expected !== undefined) detail.push(`expected ${d.expected}`);
  if (d.found !== undefined) detail.push(`found ${d.found}`);
  const paren = detail.length > 0 ? ` (${detail.join(', ')})` : '';
  const hint = d.hint ? ` — ${d.hint}` : '';
  // keys and values quoted from a manifest stay on this one line, inert
  return escapeControlChars(`${where}: ${d.severity}: ${subject}${d.message}${paren}${hint}`);
}

// Values can come from `${VAR}`, and a variable may hold a token: never echo one back.
export function redactTokens(text: string): string {
  return redactTokenShapes(text, '<redacted>');
}

export function makeDiagnostic(
  at: SourceLocation,
  code: string,
  message: string,
  extra: { severity?: Severity; expected?: string; found?: string; hint?: string } = {},
): Diagnostic {
  const d: Diagnostic = {
    file: at.file,
    line: at.line,
    column: at.column,
    path: at.path,
    severity: extra.severity ?? 'error',
    code,
    message: redactTokens(message),
  };
  if (extra.expected !== undefined) d.expected = redactTokens(extra.expected);
  if (extra.found !== undefined) d.found = redactTokens(extra.found);
  if (extra.hint !== undefined) d.hint = redactTokens(extra.hint);
  return d;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** Sorted by file, line, column; exact repeats (e.g. one data file shared by two experiments) dropped. */
export function sortAndDedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort(compareDiagnostics)) {
    const id = `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.path}\0${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `experiments[2].design.data_file`; odd keys as `tags["mint-manifest.stack"]`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENT.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return ownString(out);
}

/**
 * A flat copy of `s` that holds no other string alive. V8 keeps a slice of 13+ characters as a view of
 * its whole parent (js-yaml slices values out of the file text), and `a += b` as a tree of pieces;
 * both cost several times the characters when 10,000 experiments keep them for a whole apply.
 */
export function ownString(s: string): string {
  // A JSON round trip gives one flat string of its own (`(' ' + s).slice(1)` was itself a slice of
  // a private copy: a second header per string), and keeps lone surrogates exactly.
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

export function joinPath(base: string, more: string): string {
  if (!base) return more;
  if (!more) return base;
  return more.startsWith('[') ? base + more : `${base}.${more}`;
}

/** A path as shown to users: relative to cwd when inside it, else absolute. */
export function displayPath(absPath: string, cwd: string): string {
  const rel = path.relative(cwd, absPath);
  if (rel === '') return '.';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return absPath;
  return rel.split(path.sep).join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** How a value looks to a person, for `found …`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string': {
      const s = v.length > 40 ? `${v.slice(0, 37)}...` : v;
      return JSON.stringify(s);
    }
    case 'number':
    case 'boolean':
      return String(v);
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

/** Optimal-string-alignment distance: a swapped pair of letters counts as one typo, not two. */
export function levenshtein(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cur[j] = Math.min(cur[j], before[j - 2] + 1);
      }
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    before = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest candidate within `maxDistance` edits (case-insensitive), else one that the word is a
 * clear prefix of, or the reverse (`volume` → `volume_ul`), if any.
 */
export function nearest(word: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestD = maxDistance + 1;
  let prefixMatch: string | undefined;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = levenshtein(w, lc, maxDistance);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
    if (Math.min(w.length, lc.length) >= 4 && (lc.startsWith(w) || w.startsWith(lc))) {
      if (prefixMatch === undefined || c.length < prefixMatch.length) prefixMatch = c;
    }
  }
  return best ?? prefixMatch;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const n = nearest(word, candidates);
  return n !== undefined ? `did you mean \`${n}\`?` : undefined;
}

export function quoteList(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `\`${v}\`` : JSON.stringify(v))).join(', ');
}
