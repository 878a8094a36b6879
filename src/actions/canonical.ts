// Canonical JSON, digests and the semantic equality the plan is built on.
import { createHash } from 'node:crypto';
import type { JsonValue } from '../client/models.js';
import { dateInstant } from '../dates.js';

/** JSON with object keys sorted at every level, so equal values give byte-equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  // -0 and 0 are the same value on the wire.
  if (typeof value === 'number' && Object.is(value, -0)) return 0;
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function digest(value: unknown): string {
  return sha256(canonicalJson(value));
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

/** A value safe to put in a FieldChange: undefined stays undefined, everything else becomes JSON. */
export function toJson(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  return JSON.parse(canonicalJson(value)) as JsonValue;
}
