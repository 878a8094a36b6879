// Canonical JSON, digests and the semantic equality the plan is built on.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../client/models.js';
import { dateInstant } from '../dates.js';

/**
 * JSON with object keys sorted at every level, so equal values give byte-equal text. Written piece by
 * piece without a sorted copy of the value: a 10,000-experiment plan is fingerprinted as a stream
 * (canonicalDigest), so neither a copy nor the whole text is ever held.
 */
export function canonicalJson(value: unknown): string {
  const w = new CanonicalWriter();
  if (!w.value(value, false)) return 'null';
  return w.text;
}

/** sha256 of canonicalJson(value), fed to the hash in pieces of at most FLUSH_AT characters. */
export function canonicalDigest(write: (w: CanonicalWriter) => void): string {
  const hash = createHash('sha256');
  const w = new CanonicalWriter((text) => hash.update(text));
  write(w);
  w.flush();
  return hash.digest('hex');
}

const FLUSH_AT = 1 << 16;
/** Canonical array-index keys: V8 (and so JSON.stringify) lists them first, in numeric order. */
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

function isIndexKey(k: string): boolean {
  return INDEX_KEY.test(k) && Number(k) < 4294967295;
}

/**
 * Writes canonical JSON: JSON.stringify of the value with keys sorted (Dates as ISO text, -0 as 0).
 * Key order is exactly what JSON.stringify gave for an object built with sorted keys: array-index keys
 * first in numeric order, then the others in code-unit order.
 */
export class CanonicalWriter {
  text = '';

  constructor(private readonly sink?: (text: string) => void) {}

  raw(s: string): void {
    this.text += s;
    if (this.sink && this.text.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.sink && this.text) {
      this.sink(this.text);
      this.text = '';
    }
  }

  /** One value; `inArray`: undefined (and what JSON drops) is written as null there. */
  value(v: unknown, inArray: boolean): boolean {
    if (v === null) return (this.raw('null'), true);
    switch (typeof v) {
      case 'string':
        this.raw(JSON.stringify(v));
        return true;
      case 'number':
        this.raw(Object.is(v, -0) ? '0' : JSON.stringify(v));
        return true;
      case 'boolean':
        this.raw(v ? 'true' : 'false');
        return true;
      case 'object':
        if (Array.isArray(v)) this.array(v);
        else if (v instanceof Date) this.raw(JSON.stringify(v.toISOString()));
        else this.object(v as Record<string, unknown>);
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      default:
        // undefined, functions and symbols: dropped from objects, null in arrays (as JSON.stringify)
        if (inArray) this.raw('null');
        return false;
    }
  }

  private array(a: readonly unknown[]): void {
    this.raw('[');
    for (let i = 0; i < a.length; i++) {
      if (i) this.raw(',');
      this.value(a[i], true);
    }
    this.raw(']');
  }

  private object(o: Record<string, unknown>): void {
    const keys = sortedKeys(o);
    this.raw('{');
    let first = true;
    for (const k of keys) {
      const v = o[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      this.raw(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
      first = false;
      this.value(v, false);
    }
    this.raw('}');
  }

  /** An object whose keys the caller writes in canonical order: `{`, then field() per key, then `}`. */
  field(first: boolean, key: string, v: unknown): void {
    this.raw(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    this.value(v, false);
  }
}

/** Object.keys in canonical order; no copy or sort when they already are (the usual case). */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  // Object.keys lists index keys first, in numeric order: only the rest needs sorting.
  let i = 0;
  while (i < keys.length && isIndexKey(keys[i])) i++;
  let sorted = true;
  for (let j = i + 1; j < keys.length; j++) {
    if (keys[j - 1] > keys[j]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return keys;
  if (i === 0) return keys.sort();
  return keys.slice(0, i).concat(keys.slice(i).sort());
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function digest(value: unknown): string {
  return canonicalDigest((w) => {
    if (!w.value(value, false)) w.raw('null');
  });
}

/** Deep equality ignoring key order; numbers compare by value (YAML `1.0` and JSON `1` are equal). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Dates compared as instants; null, missing and empty are all "no date". */
export function datesEqual(a: unknown, b: unknown): boolean {
  if (isBlank(a) || isBlank(b)) return isBlank(a) && isBlank(b);
  if (typeof a === 'string' && typeof b === 'string') {
    const ia = dateInstant(a);
    const ib = dateInstant(b);
    if (ia !== undefined && ib !== undefined) return ia === ib;
    return a.trim() === b.trim();
  }
  return jsonEqual(a, b);
}

/** Nullable text: null, missing and "" all mean "no value" (servers differ in which they return). */
export function textEqual(a: unknown, b: unknown): boolean {
  if (isBlank(a) || isBlank(b)) return isBlank(a) && isBlank(b);
  return jsonEqual(a, b);
}

/**
 * A value safe to put in a FieldChange: undefined stays undefined, everything else becomes JSON. A
 * value that already is plain JSON is returned as it is, not copied: a plan of 10,000 experiments
 * then holds references to the manifest's design data and results instead of a second copy.
 */
export function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (isPlainJson(value)) return value;
  return JSON.parse(canonicalJson(value)) as JsonValue;
}

/** JSON as JSON.stringify would write it back unchanged: no undefined, Date, -0, NaN or class instances. */
function isPlainJson(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i])) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) if (!isPlainJson((value as Record<string, unknown>)[k])) return false;
  return true;
}
