// The fast path for reading manifests: js-yaml (about 12× faster than the `yaml` package here) with a
// listener that records where every node was written. It never reports errors: on anything it is not
// sure to read exactly as `yaml` does (anchors, aliases, tags, tabs, CRLF, a plain scalar resolved
// differently, a failed interpolation, any js-yaml error) it returns undefined, and the caller reads
// the file with `yaml`, which gives the located diagnostics.
// test/manifest/fast-yaml.test.ts checks it against `yaml` value by value and location by location.
import { CORE_SCHEMA, load, type State } from 'js-yaml';
import { interpolate, type InterpolationPolicy } from './interpolate.js';
import { MAX_DATA_DEPTH } from './yaml-guard.js';

/** Where one value was written: [start, end) offsets, the key's offset in a mapping, children. */
export interface PosNode {
  start: number;
  end: number;
  keyStart: number;
  keys?: string[];
  children?: PosNode[];
}

export interface FastParsed {
  value: unknown;
  root: PosNode;
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
  if (
    s.length > 0 &&
    !(c <= 57 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)
  ) {
    return s;
  }
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

interface Built {
  node: PosNode;
  kind: string | null;
  leaf: boolean;
  result: unknown;
}

/** Turns js-yaml's open/close events into a PosNode tree. */
function positionRecorder(text: string, maxDepth: number) {
  const frames: { open: number; children: Built[] }[] = [{ open: 0, children: [] }];
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      // Deep nesting is an error `yaml` locates (js-yaml may open more frames than levels: bail early).
      if (frames.length > maxDepth) throw new Bail();
      frames.push({ open: state.position, children: [] });
      return;
    }
    const frame = frames.pop();
    const parent = frames[frames.length - 1];
    if (!frame || !parent) throw new Bail();
    const kind = state.kind;
    const only = frame.children.length === 1 ? frame.children[0] : undefined;
    let built: Built;
    if (only && only.result === state.result) {
      // js-yaml composed this node through a nested call (a would-be implicit key, or a flow
      // collection as a list item) and kept that node's value as its own.
      built = only;
    } else if (kind === 'mapping') {
      // Implicit flow pairs (`[a: 1]`) and the like produce no events of their own: counts then disagree.
      if (frame.children.length % 2 !== 0) throw new Bail();
      if (frame.children.length / 2 !== Object.keys(state.result as object).length) throw new Bail();
      const keys: string[] = [];
      const children: PosNode[] = [];
      for (let i = 0; i < frame.children.length; i += 2) {
        const key = frame.children[i];
        const value = frame.children[i + 1];
        if (!key.leaf) throw new Bail();
        keys.push(keyText(text, key));
        value.node.keyStart = key.node.start;
        children.push(value.node);
      }
      const start = skipGap(text, frame.open);
      built = {
        node: { start, end: trimBack(text, state.position, start), keyStart: -1, keys, children },
        kind,
        leaf: false,
        result: state.result,
      };
    } else if (kind === 'sequence') {
      // An empty item (`-` alone) produces no events: counts then disagree.
      if (frame.children.length !== (state.result as unknown[]).length) throw new Bail();
      const start = skipGap(text, frame.open);
      built = {
        node: {
          start,
          end: trimBack(text, state.position, start),
          keyStart: -1,
          children: frame.children.map((c) => c.node),
        },
        kind,
        leaf: false,
        result: state.result,
      };
    } else if (frame.children.length === 0) {
      if (kind === null) {
        // An empty value: located at its key, like `yaml` does.
        built = {
          node: { start: frame.open, end: frame.open, keyStart: -1 },
          kind,
          leaf: true,
          result: state.result,
        };
      } else {
        const start = skipGap(text, frame.open);
        const end = trimBack(text, state.position, start);
        checkScalar(text.slice(start, end), state.result);
        built = { node: { start, end, keyStart: -1 }, kind, leaf: true, result: state.result };
      }
    } else throw new Bail();
    parent.children.push(built);
  };
  // A manifest is a mapping; anything else (an empty file, a list, a scalar) is an error `yaml` locates.
  const root = (): PosNode => {
    if (frames.length !== 1 || frames[0].children.length !== 1) throw new Bail();
    if (frames[0].children[0].kind !== 'mapping') throw new Bail();
    return frames[0].children[0].node;
  };
  return { listener, root };
}

function keyText(text: string, key: Built): string {
  const raw = text.slice(key.node.start, key.node.end);
  const c = raw.charCodeAt(0);
  // Quoted keys unescape the same way in both parsers; plain ones resolve through the core schema.
  if (c === 34 || c === 39) {
    if (typeof key.result !== 'string') throw new Bail();
    return key.result;
  }
  return String(resolvePlain(raw));
}

/** A plain scalar must resolve exactly as `yaml`'s core schema resolves it. */
function checkScalar(raw: string, value: unknown): void {
  const c = raw.charCodeAt(0);
  if (c === 34 || c === 39 || c === 124 || c === 62) return; // quoted or block scalar: same in both
  // NaN, infinities and integers near ±2^53: errors (or close calls) the slow path decides and locates.
  if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) >= 2 ** 53)) throw new Bail();
  const expected = resolvePlain(raw);
  if (!(Object.is(expected, value) || (typeof value === 'string' && expected === value))) throw new Bail();
}

/** `${VAR}` in string values (never keys); a failure goes to the slow path, which locates it. */
function interpolateValues(value: unknown, env: InterpolationPolicy): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const r = interpolate(value, env);
    if (!r.ok) throw new Bail();
    return r.value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = interpolateValues(value[i], env);
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) obj[k] = interpolateValues(obj[k], env);
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
    const value = env ? interpolateValues(loaded, env) : loaded;
    return { value, root };
  } catch {
    // js-yaml errors and bails alike: `yaml` reads the file and reports what is wrong.
    return undefined;
  }
}
