// A fast reader for the plain subset of YAML that manifests are made of (block maps and lists,
// one-line scalars, one-line flow/JSON collections, comments). The `yaml` package reads ~1 MB/s
// on CI-sized machines, too slow for 10,000-experiment manifests; this reads the common case
// ~50× faster. It never reports errors: on anything outside the subset (anchors, tags, block
// scalars, multi-line values, duplicate keys, tabs, odd keys, ...) it returns undefined and the
// caller uses the `yaml` package, which then gives the proper diagnostics.
// test/manifest/fast-yaml.test.ts checks it against `yaml` value by value and location by location.
import { formatJsonPath, type PathSegment } from './diagnostics.js';
import { interpolate } from './interpolate.js';
import type { SourceLocation } from './model.js';
import type { LocateTarget, ManifestSource } from './yaml-source.js';

/** Where one value was written: [start, end) offsets, the key's offset in a mapping, children. */
export interface PosNode {
  start: number;
  end: number;
  keyStart: number;
  keys?: string[];
  children?: PosNode[];
}

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

// Core-schema scalar resolution, as in yaml/dist/schema/core.
const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_DEC = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Fast exit: most values start with a letter that cannot begin a null/bool/number.
  if (s.length > 0 && !(c <= 57 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) {
    return s;
  }
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT_DEC.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_SPECIAL.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/;

interface Line {
  indent: number;
  /** Offset of the first content character. */
  at: number;
  /** Offset just past the last character (before the newline). */
  end: number;
}

export interface FastParsed {
  value: unknown;
  root: PosNode;
}

class FastParser {
  private lines: Line[] = [];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly env: NodeJS.ProcessEnv | undefined,
  ) {}

  parse(): FastParsed {
    const t = this.text;
    if (t.charCodeAt(0) === 0xfeff || t.includes('\r') || t.includes('\t')) bail();
    let pos = 0;
    while (pos <= t.length) {
      let nl = t.indexOf('\n', pos);
      if (nl < 0) nl = t.length;
      let p = pos;
      while (p < nl && t.charCodeAt(p) === 32) p++;
      const c = t.charCodeAt(p);
      if (p < nl && c !== 35 /* # */) {
        if (c === 37 /* % */ || ((t.startsWith('---', p) || t.startsWith('...', p)) && p === pos)) bail();
        let end = nl;
        while (end > p && t.charCodeAt(end - 1) === 32) end--;
        this.lines.push({ indent: p - pos, at: p, end });
      }
      pos = nl + 1;
    }
    if (this.lines.length === 0) bail();
    const first = this.lines[0];
    const out = this.block(first.indent);
    if (this.i < this.lines.length) bail();
    if (!out.pos.children) bail(); // a bare scalar document: leave to `yaml`
    return { value: out.value, root: out.pos };
  }

  private isSeqLine(l: Line): boolean {
    return this.text.charCodeAt(l.at) === 45 && (l.at + 1 === l.end || this.text.charCodeAt(l.at + 1) === 32);
  }

  private block(indent: number): { value: unknown; pos: PosNode } {
    const l = this.lines[this.i];
    return this.isSeqLine(l) ? this.seq(indent) : this.map(indent);
  }

  /** Where a `key:` ends on this line (offset of the colon), or -1 when the line is not a map entry. */
  private keyEnd(at: number, end: number): { key: string; colon: number } | undefined {
    const t = this.text;
    const q = t.charCodeAt(at);
    if (q === 34 || q === 39) {
      const s = this.quoted(at, end);
      if (t.charCodeAt(s.end) !== 58) return undefined;
      if (s.end + 1 < end && t.charCodeAt(s.end + 1) !== 32) return undefined;
      return { key: s.value, colon: s.end };
    }
    const colon = t.indexOf(':', at);
    if (colon < 0 || colon >= end) return undefined;
    if (colon + 1 < end && t.charCodeAt(colon + 1) !== 32) return undefined;
    const key = t.slice(at, colon);
    if (!PLAIN_KEY.test(key) || typeof resolvePlain(key) !== 'string') return undefined;
    return { key, colon };
  }

  private map(indent: number): { value: unknown; pos: PosNode } {
    const t = this.text;
    const obj: Record<string, unknown> = {};
    const keys: string[] = [];
    const children: PosNode[] = [];
    const start = this.lines[this.i].at;
    let end = start;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i];
      if (l.indent < indent) break;
      if (l.indent > indent || this.isSeqLine(l)) bail();
      const k = this.keyEnd(l.at, l.end) ?? bail();
      if (k.key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, k.key)) bail();
      let p = k.colon + 1;
      while (p < l.end && t.charCodeAt(p) === 32) p++;
      let child: { value: unknown; pos: PosNode };
      if (p >= l.end || t.charCodeAt(p) === 35) {
        this.i++;
        const next = this.lines[this.i];
        if (next && next.indent > indent) child = this.block(next.indent);
        else if (next && next.indent === indent && this.isSeqLine(next)) child = this.seq(indent);
        else child = { value: null, pos: { start: p, end: p, keyStart: -1 } };
      } else {
        child = this.inline(p, l.end);
        this.i++;
      }
      child.pos.keyStart = l.at;
      obj[k.key] = child.value;
      keys.push(k.key);
      children.push(child.pos);
      end = child.pos.end;
    }
    return { value: obj, pos: { start, end, keyStart: -1, keys, children } };
  }

  private seq(indent: number): { value: unknown; pos: PosNode } {
    const t = this.text;
    const arr: unknown[] = [];
    const children: PosNode[] = [];
    const start = this.lines[this.i].at;
    let end = start;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i];
      if (l.indent < indent) break;
      if (l.indent > indent) bail();
      // A sibling key after a list written at its parent key's indentation ends the list.
      if (!this.isSeqLine(l)) break;
      let p = l.at + 1;
      while (p < l.end && t.charCodeAt(p) === 32) p++;
      let child: { value: unknown; pos: PosNode };
      if (p >= l.end || t.charCodeAt(p) === 35) {
        this.i++;
        const next = this.lines[this.i];
        if (next && next.indent > indent) child = this.block(next.indent);
        else child = { value: null, pos: { start: p, end: p, keyStart: -1 } };
      } else if (t.charCodeAt(p) === 45 && (p + 1 === l.end || t.charCodeAt(p + 1) === 32)) {
        return bail(); // `- - x`
      } else if (this.keyEnd(p, l.end)) {
        // `- key: value`: a mapping that starts on this line at this column.
        l.indent = p - (l.at - l.indent);
        l.at = p;
        child = this.map(l.indent);
      } else {
        child = this.inline(p, l.end);
        this.i++;
      }
      arr.push(child.value);
      children.push(child.pos);
      end = child.pos.end;
    }
    return { value: arr, pos: { start, end, keyStart: -1, children } };
  }

  /** A one-line value in block context: quoted, flow collection or plain scalar; then only a comment. */
  private inline(p: number, end: number): { value: unknown; pos: PosNode } {
    const t = this.text;
    const c = t.charCodeAt(p);
    let out: { value: unknown; pos: PosNode };
    let after: number;
    if (c === 34 || c === 39) {
      const q = this.quoted(p, end);
      out = { value: this.interp(q.value), pos: { start: p, end: q.end, keyStart: -1 } };
      after = q.end;
    } else if (c === 123 || c === 91) {
      const f = this.flow(p, end);
      out = f;
      after = f.pos.end;
    } else {
      // Indicators that start anchors, tags, aliases, block scalars and reserved characters.
      if ('&*!|>%@`]},?:-#'.includes(t[p]) && ('&*!|>%@`]},#'.includes(t[p]) || t.charCodeAt(p + 1) === 32 || p + 1 === end)) bail();
      let stop = t.indexOf(' #', p);
      if (stop < 0 || stop > end) stop = end;
      let e = stop;
      while (e > p && t.charCodeAt(e - 1) === 32) e--;
      const raw = t.slice(p, e);
      if (raw.includes(': ') || raw.endsWith(':')) bail();
      const v = resolvePlain(raw);
      return { value: typeof v === 'string' ? this.interp(v) : v, pos: { start: p, end: e, keyStart: -1 } };
    }
    while (after < end && t.charCodeAt(after) === 32) after++;
    if (after < end && (t.charCodeAt(after) !== 35 || t.charCodeAt(after - 1) !== 32)) bail();
    return out;
  }

  private interp(s: string): string {
    if (!this.env || !s.includes('${')) return s;
    const r = interpolate(s, this.env);
    return r.ok ? r.value : bail();
  }

  /** A one-line quoted scalar starting at p; end is the offset after the closing quote. */
  private quoted(p: number, end: number): { value: string; end: number } {
    const t = this.text;
    if (t.charCodeAt(p) === 39) {
      let q = p + 1;
      for (;;) {
        q = t.indexOf("'", q);
        if (q < 0 || q >= end) bail();
        if (t.charCodeAt(q + 1) === 39) q += 2;
        else break;
      }
      return { value: t.slice(p + 1, q).replace(/''/g, "'"), end: q + 1 };
    }
    let q = p + 1;
    let escaped = false;
    while (q < end) {
      const c = t.charCodeAt(q);
      if (c === 92) {
        escaped = true;
        q += 2;
        continue;
      }
      if (c === 34) break;
      q++;
    }
    if (q >= end) bail();
    const raw = t.slice(p, q + 1);
    if (!escaped) return { value: raw.slice(1, -1), end: q + 1 };
    // YAML's double-quoted escapes are a superset of JSON's, with the same meaning where both exist.
    try {
      return { value: JSON.parse(raw) as string, end: q + 1 };
    } catch {
      return bail();
    }
  }

  private skipSpaces(p: number, end: number): number {
    while (p < end && this.text.charCodeAt(p) === 32) p++;
    return p;
  }

  /** A flow collection (JSON, or YAML flow with plain scalars) that closes on this line. */
  private flow(p: number, end: number): { value: unknown; pos: PosNode } {
    const t = this.text;
    const open = t.charCodeAt(p);
    const start = p;
    const children: PosNode[] = [];
    p = this.skipSpaces(p + 1, end);
    if (open === 91) {
      const arr: unknown[] = [];
      while (t.charCodeAt(p) !== 93) {
        const v = this.flowValue(p, end);
        arr.push(v.value);
        children.push(v.pos);
        p = this.skipSpaces(v.pos.end, end);
        if (t.charCodeAt(p) === 44) p = this.skipSpaces(p + 1, end);
        else if (t.charCodeAt(p) !== 93) bail();
      }
      return { value: arr, pos: { start, end: p + 1, keyStart: -1, children } };
    }
    const obj: Record<string, unknown> = {};
    const keys: string[] = [];
    while (t.charCodeAt(p) !== 125) {
      if (p >= end) bail();
      const keyStart = p;
      let key: string;
      const c = t.charCodeAt(p);
      if (c === 34 || c === 39) {
        const q = this.quoted(p, end);
        key = q.value;
        p = this.skipSpaces(q.end, end);
        if (t.charCodeAt(p) !== 58) bail();
        p++;
      } else {
        const colon = t.indexOf(':', p);
        if (colon < 0 || colon >= end || t.charCodeAt(colon + 1) !== 32) bail();
        key = t.slice(p, colon).trimEnd();
        if (!PLAIN_KEY.test(key) || typeof resolvePlain(key) !== 'string') bail();
        p = colon + 1;
      }
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key)) bail();
      p = this.skipSpaces(p, end);
      const v = this.flowValue(p, end);
      v.pos.keyStart = keyStart;
      obj[key] = v.value;
      keys.push(key);
      children.push(v.pos);
      p = this.skipSpaces(v.pos.end, end);
      if (t.charCodeAt(p) === 44) p = this.skipSpaces(p + 1, end);
      else if (t.charCodeAt(p) !== 125) bail();
    }
    return { value: obj, pos: { start, end: p + 1, keyStart: -1, keys, children } };
  }

  private flowValue(p: number, end: number): { value: unknown; pos: PosNode } {
    const t = this.text;
    if (p >= end) bail();
    const c = t.charCodeAt(p);
    if (c === 123 || c === 91) return this.flow(p, end);
    if (c === 34 || c === 39) {
      const q = this.quoted(p, end);
      const after = this.skipSpaces(q.end, end);
      if (t.charCodeAt(after) === 58) bail(); // a `"k": v` pair inside a list
      return { value: this.interp(q.value), pos: { start: p, end: q.end, keyStart: -1 } };
    }
    if ('&*!|>%@`#,]}:?-'.includes(t[p]) && ('&*!|>%@`#,]}'.includes(t[p]) || t.charCodeAt(p + 1) === 32)) bail();
    let e = p;
    while (e < end) {
      const ch = t.charCodeAt(e);
      if (ch === 44 || ch === 93 || ch === 125 || ch === 91 || ch === 123) break;
      if (ch === 58 && (e + 1 >= end || t.charCodeAt(e + 1) === 32)) bail();
      if (ch === 35 && t.charCodeAt(e - 1) === 32) bail();
      e++;
    }
    let last = e;
    while (last > p && t.charCodeAt(last - 1) === 32) last--;
    const raw = t.slice(p, last);
    const v = resolvePlain(raw);
    return { value: typeof v === 'string' ? this.interp(v) : v, pos: { start: p, end: last, keyStart: -1 } };
  }
}

/** The parsed value and its positions, or undefined when the text needs the full YAML parser. */
export function fastParseYaml(text: string, env?: NodeJS.ProcessEnv): FastParsed | undefined {
  try {
    return new FastParser(text, env).parse();
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

/** Locates paths with the positions the fast reader kept; same answers as YamlSource. */
export class FastSource implements ManifestSource {
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    private readonly root: PosNode,
  ) {}

  private position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] + 1 };
  }

  private find(segments: readonly PathSegment[]): PosNode {
    let node = this.root;
    for (const seg of segments) {
      const children = node.children;
      if (!children) break;
      let next: PosNode | undefined;
      if (node.keys) {
        const idx = node.keys.indexOf(String(seg));
        next = idx >= 0 ? children[idx] : undefined;
      } else {
        next = children[Number(seg)];
      }
      if (!next) break;
      node = next;
    }
    return node;
  }

  locate(segments: readonly PathSegment[], target: LocateTarget = 'value'): SourceLocation {
    const node = this.find(segments);
    const keyOffset = node.keyStart >= 0 ? node.keyStart : undefined;
    let offset: number;
    if (target === 'key' && keyOffset !== undefined) offset = keyOffset;
    else if (node.end > node.start || keyOffset === undefined) offset = node.start;
    else offset = keyOffset;
    return { file: this.file, ...this.position(offset), path: formatJsonPath(segments) };
  }

  sourceText(segments: readonly PathSegment[]): string | undefined {
    const node = this.find(segments);
    return node.children ? undefined : this.text.slice(node.start, node.end);
  }
}
