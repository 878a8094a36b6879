// The fast path for reading manifests: js-yaml (about 12× faster than the `yaml` package here) with a
// listener that records where every node was written. It never reports errors: on anything it is not
// sure to read exactly as `yaml` does (anchors, aliases, tags, tabs, CRLF, a plain scalar resolved
// differently, a failed interpolation, any js-yaml error) it returns undefined, and the caller reads
// the file with `yaml`, which gives the located diagnostics.
// test/manifest/fast-yaml.test.ts checks it against `yaml` value by value and location by location.
import { CORE_SCHEMA, load, type State } from 'js-yaml';
import { ownString } from './diagnostics.js';
import { interpolate, type InterpolationPolicy } from './interpolate.js';
import { MAX_DATA_DEPTH } from './yaml-guard.js';

export interface FastParsed {
  value: unknown;
  root: PosTree;
}

const LEAF = 0;
const MAPPING = 1;
const SEQUENCE = 2;

/**
 * Where every node was written, in typed arrays: at 10,000 experiments a manifest has about a
 * million nodes, and an object per node (plus the lists that held them while parsing) was the
 * largest single cost of loading it. Node n spans [start[n], end[n]); keyStart[n] is where its key
 * was written in a mapping (-1 elsewhere). Children are a linked list: first[n], then next[...]; a
 * mapping's children alternate key, value.
 */
export class PosTree {
  start: Int32Array;
  end: Int32Array;
  keyStart: Int32Array;
  first: Int32Array;
  next: Int32Array;
  kind: Uint8Array;
  count = 0;
  root = -1;

  constructor(capacity: number) {
    // One buffer for all six lists: a single large allocation the C library maps and gives back to
    // the system when it is freed (six 4 MB ones came from its heap and stayed in the RSS).
    const buf = new ArrayBuffer(capacity * 21);
    this.start = new Int32Array(buf, 0, capacity);
    this.end = new Int32Array(buf, capacity * 4, capacity);
    this.keyStart = new Int32Array(buf, capacity * 8, capacity);
    this.first = new Int32Array(buf, capacity * 12, capacity);
    this.next = new Int32Array(buf, capacity * 16, capacity);
    this.kind = new Uint8Array(buf, capacity * 20, capacity);
  }

  add(kind: number, start: number, end: number, first: number): number {
    if (this.count === this.start.length) this.grow();
    const n = this.count++;
    this.kind[n] = kind;
    this.start[n] = start;
    this.end[n] = end;
    this.keyStart[n] = -1;
    this.first[n] = first;
    this.next[n] = -1;
    return n;
  }

  isMapping(n: number): boolean {
    return this.kind[n] === MAPPING;
  }

  isCollection(n: number): boolean {
    return this.kind[n] !== LEAF;
  }

  private grow(): void {
    const bigger = new PosTree(Math.ceil(this.start.length * 1.5));
    bigger.start.set(this.start);
    bigger.end.set(this.end);
    bigger.keyStart.set(this.keyStart);
    bigger.first.set(this.first);
    bigger.next.set(this.next);
    bigger.kind.set(this.kind);
    this.start = bigger.start;
    this.end = bigger.end;
    this.keyStart = bigger.keyStart;
    this.first = bigger.first;
    this.next = bigger.next;
    this.kind = bigger.kind;
  }
}

// Core-schema scalar resolution, as in yaml/dist/schema/core: every plain scalar js-yaml reads is
// checked against it, so the fast path can only ever agree with `yaml`.
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
  // Most values start with a letter that cannot begin a null/bool/number.
  if (s.length > 0 && plainSelf(c)) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT_DEC.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_SPECIAL.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

/**
 * Anchors, aliases and tags (node properties), and `<<` merge keys: left to `yaml`, which merges,
 * bounds alias expansion and refuses custom tags.
 */
const NODE_PROPERTY = /(?:^|[\s[{,])[&*!]|<</;

class Bail extends Error {}

/** First offset at or after `from` that is not blank, a line break or a comment. */
function skipGap(t: string, from: number): number {
  let p = from;
  for (;;) {
    const c = t.charCodeAt(p);
    if (c === 32 || c === 10) p++;
    else if (c === 35) {
      const nl = t.indexOf('\n', p);
      if (nl < 0) return t.length;
      p = nl + 1;
    } else return p;
  }
}

/** Last offset (exclusive) before `to` that ends content: trailing blanks and line breaks dropped. */
function trimBack(t: string, to: number, floor: number): number {
  let p = to;
  while (p > floor && (t.charCodeAt(p - 1) === 32 || t.charCodeAt(p - 1) === 10)) p--;
  return p;
}

/** Turns js-yaml's open/close events into a PosTree; frames live in fixed stacks, not objects. */
function positionRecorder(text: string, maxDepth: number) {
  // a manifest node takes about 7 characters (the 10,000 bench manifest: 5.8 MB, 780,000 nodes)
  const tree = new PosTree(Math.max(1024, Math.ceil(text.length / 6)));
  const size = maxDepth + 2;
  // frame f: where it opened, its child count, first and last child, the first child's value (a
  // frame whose only child carries its value is that child), and whether a would-be key is not a leaf
  const open = new Int32Array(size);
  const count = new Int32Array(size);
  const first = new Int32Array(size);
  const last = new Int32Array(size);
  const keyNotLeaf = new Uint8Array(size);
  const firstResult: unknown[] = new Array(size);
  let top = 0;
  first[0] = -1;
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      // Deep nesting is an error `yaml` locates (js-yaml may open more frames than levels: bail early).
      if (top + 1 > maxDepth) throw new Bail();
      top++;
      open[top] = state.position;
      count[top] = 0;
      first[top] = -1;
      last[top] = -1;
      keyNotLeaf[top] = 0;
      firstResult[top] = undefined;
      return;
    }
    const f = top--;
    if (top < 0) throw new Bail();
    const result = state.result;
    const kind = state.kind;
    const n = count[f];
    let node: number;
    if (n === 1 && firstResult[f] === result) {
      // js-yaml composed this node through a nested call (a would-be implicit key, or a flow
      // collection as a list item) and kept that node's value as its own.
      node = first[f];
    } else if (kind === 'mapping') {
      // Implicit flow pairs (`[a: 1]`) and the like produce no events of their own: counts then disagree.
      if (n % 2 !== 0 || keyNotLeaf[f]) throw new Bail();
      if (n / 2 !== Object.keys(result as object).length) throw new Bail();
      const start = skipGap(text, open[f]);
      node = tree.add(MAPPING, start, trimBack(text, state.position, start), first[f]);
      for (let k = first[f]; k >= 0; k = tree.next[tree.next[k]]) tree.keyStart[tree.next[k]] = tree.start[k];
    } else if (kind === 'sequence') {
      // An empty item (`-` alone) produces no events: counts then disagree.
      if (n !== (result as unknown[]).length) throw new Bail();
      const start = skipGap(text, open[f]);
      node = tree.add(SEQUENCE, start, trimBack(text, state.position, start), first[f]);
    } else if (n === 0) {
      if (kind === null) {
        // An empty value: located at its key, like `yaml` does.
        node = tree.add(LEAF, open[f], open[f], -1);
      } else {
        const start = skipGap(text, open[f]);
        const end = trimBack(text, state.position, start);
        checkScalar(text, start, end, result);
        node = tree.add(LEAF, start, end, -1);
      }
    } else throw new Bail();
    firstResult[f] = undefined;
    // append to the parent frame
    const i = count[top]++;
    if (i === 0) {
      first[top] = node;
      firstResult[top] = result;
    } else tree.next[last[top]] = node;
    last[top] = node;
    if (i % 2 === 0 && tree.isCollection(node)) keyNotLeaf[top] = 1;
  };
  // A manifest is a mapping; anything else (an empty file, a list, a scalar) is an error `yaml` locates.
  const root = (): PosTree => {
    if (top !== 0 || count[0] !== 1 || !tree.isMapping(first[0])) throw new Bail();
    firstResult[0] = undefined;
    tree.root = first[0];
    return tree;
  };
  return { listener, root };
}

/** A plain scalar starting with this character resolves to itself (it cannot begin a null, bool or number). */
function plainSelf(c: number): boolean {
  return !(c <= 57 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70);
}

/** The key node `k`'s text as a lookup key (the value `yaml` gives it). */
function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  const c = raw.charCodeAt(0);
  // Quoted keys unescape the same way in both parsers; plain ones resolve through the core schema.
  if (c === 34 || c === 39) {
    const inner = raw.slice(1, -1);
    if (!inner.includes('\n') && !inner.includes(c === 34 ? '\\' : "'")) return inner;
    const v = load(raw, { schema: CORE_SCHEMA });
    return typeof v === 'string' ? v : inner;
  }
  return String(resolvePlain(raw));
}

/** keyText(...) === seg, without building the key's text for the usual keys. */
export function keyIs(text: string, start: number, end: number, seg: string): boolean {
  const c = text.charCodeAt(start);
  const len = end - start;
  if (len > 0 && plainSelf(c)) return len === seg.length && text.startsWith(seg, start);
  if ((c === 34 || c === 39) && len >= 2 && text.charCodeAt(end - 1) === c) {
    let plain = true;
    for (let i = start + 1; i < end - 1; i++) {
      const x = text.charCodeAt(i);
      if (x === 10 || x === (c === 34 ? 92 : 39)) {
        plain = false;
        break;
      }
    }
    if (plain) return len - 2 === seg.length && text.startsWith(seg, start + 1);
  }
  return keyText(text, start, end) === seg;
}

/** A plain scalar must resolve exactly as `yaml`'s core schema resolves it. */
function checkScalar(text: string, start: number, end: number, value: unknown): void {
  const c = text.charCodeAt(start);
  if (c === 34 || c === 39 || c === 124 || c === 62) return; // quoted or block scalar: same in both
  // NaN, infinities and integers near ±2^53: errors (or close calls) the slow path decides and locates.
  if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53)) throw new Bail();
  // the usual word: resolves to itself, checked without copying it out of the text
  if (
    typeof value === 'string' &&
    end > start &&
    plainSelf(c) &&
    value.length === end - start &&
    text.startsWith(value, start)
  )
    return;
  const raw = text.slice(start, end);
  const expected = resolvePlain(raw);
  if (!(Object.is(expected, value) || (typeof value === 'string' && expected === value))) throw new Bail();
}

/**
 * `${VAR}` in string values (never keys); a failure goes to the slow path, which locates it. Every
 * string value is detached from the file text (ownString), and repeated values (wells, plugin ids,
 * types) share one string: at 10,000 experiments the manifest is held for the whole apply.
 */
function interpolateValues(
  value: unknown,
  env: InterpolationPolicy | undefined,
  strings = new Map<string, string>(),
): unknown {
  if (typeof value === 'string') {
    let text = value;
    if (env && value.includes('${')) {
      const r = interpolate(value, env);
      if (!r.ok) throw new Bail();
      text = r.value;
    }
    const seen = strings.get(text);
    if (seen !== undefined) return seen;
    const own = ownString(text);
    strings.set(own, own);
    return own;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = interpolateValues(value[i], env, strings);
    // js-yaml grows lists by push: a one-item list reserves 17 slots; a copy has exactly its items
    return value.slice();
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) obj[k] = interpolateValues(obj[k], env, strings);
  }
  return value;
}

/** The parsed value and its positions, or undefined when the text needs the full YAML parser. */
export function fastParseYaml(
  text: string,
  env?: InterpolationPolicy,
  maxDepth = MAX_DATA_DEPTH,
): FastParsed | undefined {
  if (text.charCodeAt(0) === 0xfeff || text.includes('\r') || text.includes('\t') || NODE_PROPERTY.test(text))
    return undefined;
  try {
    const recorder = positionRecorder(text, maxDepth);
    const loaded = load(text, { schema: CORE_SCHEMA, listener: recorder.listener });
    const root = recorder.root();
    const value = interpolateValues(loaded, env);
    return { value, root };
  } catch {
    // js-yaml errors and bails alike: `yaml` reads the file and reports what is wrong.
    return undefined;
  }
}
