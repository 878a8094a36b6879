// YAML text → document with positions; maps JSON paths back to file:line:column.
import {
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type Pair,
  type ParsedNode,
  type Scalar,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { formatJsonPath, makeDiagnostic, type PathSegment } from './diagnostics.js';
import { FastSource } from './fast-source.js';
import { fastParseYaml } from './fast-yaml.js';
import { interpolate, type InterpolationPolicy } from './interpolate.js';
import type { Diagnostic, SourceLocation } from './model.js';
import { eachNode, guardDocument, isMergeKey, MAX_DATA_DEPTH, resolveAliases } from './yaml-guard.js';

/** Manifest nesting: data and results may be nested MAX_DATA_DEPTH deep below `experiments[i].analysis[j].result`. */
export const MAX_MANIFEST_DEPTH = MAX_DATA_DEPTH + 5;

/** A byte-order mark is not content: dropped before parsing, so line 1 columns are not shifted. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export type LocateTarget = 'key' | 'value';

/** Anything that can say where a JSON path was written. */
export interface Locator {
  readonly file: string;
  locate(segments: readonly PathSegment[], target?: LocateTarget): SourceLocation;
}

/** A parsed text that can also give a scalar's exact source text. */
export interface ManifestSource extends Locator {
  sourceText(segments: readonly PathSegment[]): string | undefined;
}

interface FoundNode {
  node: YamlNode | null;
  keyNode: YamlNode | null;
  /** How many segments were matched; less than the path length when the path does not exist. */
  depth: number;
}

/** One parsed YAML (or JSON) text, able to locate any path in it. */
export class YamlSource implements ManifestSource {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      schema: 'core',
      // Tags like !!binary or !!set would otherwise be resolved; only plain core YAML is allowed.
      resolveKnownTags: false,
      keepSourceTokens: false,
      // `<<: *base` merges, as people write it (Compose files, CI configs).
      merge: true,
    });
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  at(offset: number, segments: readonly PathSegment[]): SourceLocation {
    const { line, column } = this.position(offset);
    // one literal: a spread would give every location a second property store (30,000 at 10,000 experiments)
    return { file: this.file, line, column, path: formatJsonPath(segments) };
  }

  private aliasTargets: Map<YamlNode, YamlNode> | undefined;

  /** What an alias stands for; one pass over the document for all aliases (not one per lookup). */
  private deref(node: YamlNode | null): YamlNode | null {
    if (!isAlias(node)) return node;
    this.aliasTargets ??= resolveAliases(this.doc);
    return this.aliasTargets.get(node) ?? null;
  }

  /** The pair for `key` in a mapping, looking through `<<` merges as `yaml` does when it builds the value. */
  private pairFor(map: YAMLMap, key: string, hops = 0): Pair | undefined {
    const direct = map.items.find(
      (p) => isScalar(p.key) && !isMergeKey(p.key) && String(p.key.value) === key,
    );
    if (direct || hops > 32) return direct;
    for (const p of map.items) {
      if (!isMergeKey(p.key)) continue;
      const value = this.deref((p.value as YamlNode | null) ?? null);
      const sources = isSeq(value) ? value.items : [value];
      for (const s of sources) {
        const m = this.deref((s as YamlNode | null) ?? null);
        const hit = isMap(m) ? this.pairFor(m, key, hops + 1) : undefined;
        if (hit) return hit;
      }
    }
    return undefined;
  }

  find(segments: readonly PathSegment[]): FoundNode {
    let cur: YamlNode | null = (this.doc.contents as YamlNode | null) ?? null;
    let keyNode: YamlNode | null = null;
    for (let i = 0; i < segments.length; i++) {
      cur = this.deref(cur);
      const seg = segments[i];
      if (isMap(cur)) {
        const pair = this.pairFor(cur, String(seg));
        if (!pair) return { node: cur, keyNode, depth: i };
        keyNode = pair.key as YamlNode;
        cur = (pair.value as YamlNode | null) ?? null;
      } else if (isSeq(cur)) {
        const item = cur.items[Number(seg)] as YamlNode | undefined;
        if (item === undefined) return { node: cur, keyNode, depth: i };
        keyNode = null;
        cur = item ?? null;
      } else {
        return { node: cur, keyNode, depth: i };
      }
    }
    return { node: cur, keyNode, depth: segments.length };
  }

  locate(segments: readonly PathSegment[], target: LocateTarget = 'value'): SourceLocation {
    const found = this.find(segments);
    let offset = 0;
    const keyRange = found.keyNode?.range;
    const nodeRange = found.node?.range;
    if (target === 'key' && keyRange) offset = keyRange[0];
    // An empty value (`design:`) has a zero-width range after the key; the key is the better spot.
    else if (nodeRange && (nodeRange[1] > nodeRange[0] || !keyRange)) offset = nodeRange[0];
    else if (keyRange) offset = keyRange[0];
    return this.at(offset, segments);
  }

  /** The exact text a scalar was written as (so `1.0` stays "1.0"). */
  sourceText(segments: readonly PathSegment[]): string | undefined {
    const { node, depth } = this.find(segments);
    if (depth !== segments.length || !isScalar(node)) return undefined;
    const s = (node as Scalar & { source?: unknown }).source;
    if (typeof s === 'string') return s;
    return node.range ? this.text.slice(node.range[0], node.range[1]).trim() : undefined;
  }
}

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  MULTIPLE_DOCS: 'put one manifest per file: split the documents after `---` into separate files',
  MISSING_CHAR: 'close the quote or bracket that was opened',
  BAD_INDENT: 'check the indentation of this line against the lines above',
};

const CLOSERS: Record<string, string> = { '"': '"', "'": "'", '[': ']', '{': '}' };

interface Unclosed {
  start: number;
  end: number;
  opener: string;
}

/** Quoted scalars and flow collections that were never closed, in document order (one pass). */
function unclosedNodes(src: YamlSource): Unclosed[] {
  const out: Unclosed[] = [];
  eachNode(src.doc, (node) => {
    const r = node.range;
    if (!r) return;
    const opener = src.text.charAt(r[0]);
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
    const flow = (isSeq(node) || isMap(node)) && (node as { flow?: boolean }).flow === true;
    if (!(quoted || flow) || CLOSERS[opener] === undefined) return;
    if (r[1] - r[0] < 2 || src.text.charAt(r[1] - 1) !== CLOSERS[opener])
      out.push({ start: r[0], end: r[2], opener });
  });
  return out.sort((x, y) => x.start - y.start);
}

/**
 * An unclosed quote or bracket: `yaml` reports it where it gave up (often the end of the file). The
 * innermost unclosed quoted scalar or flow collection of that kind spanning that point is the one;
 * its [start, end] is returned, so the error is reported where it opens.
 */
function unclosedSpan(e: YAMLError, open: readonly Unclosed[]): [number, number] | undefined {
  const pos = e.pos[0];
  const quote = /^Missing closing (["'])quote/.exec(e.message)?.[1];
  const bracket = /end with a ([\]}])/.exec(e.message)?.[1];
  const opener = quote ?? (bracket === ']' ? '[' : bracket === '}' ? '{' : undefined);
  if (opener === undefined) return undefined;
  let best: Unclosed | undefined;
  for (const u of open) {
    if (u.start >= pos) break;
    if (u.opener === opener && u.end >= pos) best = u;
  }
  return best && [best.start, best.end];
}

interface RootError {
  e: YAMLError;
  offset: number;
  /** An unclosed quote or bracket, located where it opens. */
  unclosed: boolean;
}

/**
 * The errors worth reporting: an unclosed quote or bracket swallows the text after it, and what
 * `yaml` then says about that text (or about an outer bracket left open by it) is the same mistake.
 * As compilers do with an unbalanced delimiter, no other error after the first one is trusted.
 */
function rootErrors(src: YamlSource, errors: readonly YAMLError[]): RootError[] {
  const maybe = errors.some((e) => /^Missing closing .quote|end with a [\]}]/.test(e.message));
  const open = maybe ? unclosedNodes(src) : [];
  const spans = errors.map((e) => unclosedSpan(e, open));
  const starts = [...new Set(spans.map((s) => s?.[0]).filter((x) => x !== undefined))].sort((x, y) => x - y);
  // Culprits: unclosed quotes and brackets that hold no other (a quote left open inside `[…]` leaves
  // the `[` open too; the quote is the mistake), one error each.
  const holdsAnother = ([from, to]: [number, number]) => starts.some((x) => x > from && x <= to);
  const culprits = new Map<number, number>();
  spans.forEach((s, i) => {
    if (s && !holdsAnother(s) && !culprits.has(s[0])) culprits.set(s[0], i);
  });
  const cut = Math.min(...culprits.keys());
  const out: RootError[] = [];
  errors.forEach((e, i) => {
    const s = spans[i];
    if (s && culprits.get(s[0]) === i) out.push({ e, offset: s[0], unclosed: true });
    else if (!s && e.pos[0] <= cut) out.push({ e, offset: e.pos[0], unclosed: false });
  });
  return out;
}

function unclosedDiagnostic(src: YamlSource, offset: number): Diagnostic {
  const open = src.text.charAt(offset);
  const what = open === '"' || open === "'" ? 'quoted string' : open === '[' ? 'flow list' : 'flow mapping';
  return makeDiagnostic(
    src.at(offset, []),
    'yaml.syntax',
    `YAML ${what} opened here is never closed: \`${open}\` needs a matching \`${CLOSERS[open]}\``,
    {
      hint: `close it with \`${CLOSERS[open]}\`; a value that continues on the next lines must be indented more than its key`,
    },
  );
}

function yamlErrorDiagnostic(src: YamlSource, e: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]*/.exec(src.text.slice(e.pos[0], e.pos[0] + 200))?.[0].trim() || '?';
    return makeDiagnostic(src.at(e.pos[0], []), 'yaml.duplicate-key', `duplicate key \`${key}\``, {
      hint: YAML_HINTS.DUPLICATE_KEY,
    });
  }
  if (e.code === 'TAG_RESOLVE_FAILED') {
    const tag = (/Unresolved tag: (\S+)/.exec(message)?.[1] ?? message).replace('tag:yaml.org,2002:', '!!');
    return makeDiagnostic(src.at(e.pos[0], []), 'yaml.custom-tag', `unsupported YAML tag \`${tag}\``, {
      hint: 'only plain YAML values are allowed; remove the `!tag`',
    });
  }
  if (e.code === 'MULTIPLE_DOCS') {
    return makeDiagnostic(
      src.at(e.pos[0], []),
      'yaml.multi-document',
      'file holds more than one YAML document',
      {
        hint: YAML_HINTS.MULTIPLE_DOCS,
      },
    );
  }
  const code = e.code === 'TAB_AS_INDENT' ? 'yaml.tab' : 'yaml.syntax';
  return makeDiagnostic(
    src.at(e.pos[0], []),
    code,
    `YAML ${message.charAt(0).toLowerCase()}${message.slice(1)}`,
    {
      severity,
      hint: YAML_HINTS[e.code],
    },
  );
}

export interface ParsedYaml {
  source: ManifestSource;
  /** The plain value; undefined when the text could not be turned into one. */
  value: unknown;
  diagnostics: Diagnostic[];
}

export interface ParseOptions {
  /** Interpolate `${VAR}` in string values under this policy (manifests only, not data files). */
  interpolation?: InterpolationPolicy;
  /** Try the fast reader first (default true); false forces the `yaml` package (tests compare both). */
  fast?: boolean;
  /** Deepest nesting allowed (collections in collections); default MAX_DATA_DEPTH. */
  maxDepth?: number;
}

/** Parse, check and convert one YAML text. Never throws for bad input. */
export function parseYaml(file: string, rawText: string, opts: ParseOptions = {}): ParsedYaml {
  const text = stripBom(rawText);
  const maxDepth = opts.maxDepth ?? MAX_DATA_DEPTH;
  const fast = opts.fast === false ? undefined : fastParseYaml(text, opts.interpolation, maxDepth);
  if (fast) return { source: new FastSource(file, text, fast.root), value: fast.value, diagnostics: [] };
  const source = new YamlSource(file, text);
  const diagnostics: Diagnostic[] = [];
  let fatal = false;
  let exhausted: YAMLError | undefined;
  for (const e of source.doc.errors) {
    fatal = fatal || e.code !== 'DUPLICATE_KEY'; // a duplicate key leaves a usable document
    if (e.code === 'RESOURCE_EXHAUSTION') exhausted ??= e;
  }
  const reported = rootErrors(
    source,
    source.doc.errors.filter((e) => e.code !== 'RESOURCE_EXHAUSTION'),
  );
  for (const r of reported) {
    diagnostics.push(
      r.unclosed ? unclosedDiagnostic(source, r.offset) : yamlErrorDiagnostic(source, r.e, 'error'),
    );
  }
  for (const w of source.doc.warnings) {
    const d = yamlErrorDiagnostic(source, w, 'warning');
    if (d.code === 'yaml.custom-tag') fatal = true;
    diagnostics.push(d);
  }
  if (fatal && !exhausted) return { source, value: undefined, diagnostics };

  // Aliases, nesting and numbers, before anything expands aliases or recurses into the document.
  const guard = guardDocument(source.doc, { maxDepth });
  for (const g of guard) {
    fatal = fatal || g.fatal;
    diagnostics.push(
      makeDiagnostic(
        source.at(g.offset, g.path),
        `yaml.${g.code}`,
        g.message,
        g.hint ? { hint: g.hint } : {},
      ),
    );
  }
  if (exhausted && !guard.some((g) => g.code === 'too-deep')) {
    // `yaml` ran out of stack before the guard could see the depth: still a nesting problem.
    diagnostics.push(
      makeDiagnostic(
        source.at(exhausted.pos[0], []),
        'yaml.too-deep',
        `nested more than ${maxDepth} levels deep`,
        {
          hint: 'flatten the data; deeper nesting is refused to keep every tool that reads it safe',
        },
      ),
    );
  }
  if (fatal) return { source, value: undefined, diagnostics };

  const root = source.doc.contents as ParsedNode | null;
  const path: PathSegment[] = [];

  const walk = (node: YamlNode | null): void => {
    if (node === null || isAlias(node)) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (key !== null && !isScalar(key)) {
          const offset = key.range?.[0] ?? node.range?.[0] ?? 0;
          diagnostics.push(
            makeDiagnostic(
              source.at(offset, path),
              'yaml.complex-key',
              'a mapping key must be a plain value',
              {
                found: isSeq(key) ? 'a list' : isMap(key) ? 'a mapping' : 'an alias',
                hint: 'write keys as plain words',
              },
            ),
          );
          fatal = true;
          continue;
        }
        path.push(key === null ? '' : isMergeKey(key) ? '<<' : String((key as Scalar).value));
        walk((pair.value as YamlNode | null) ?? null);
        path.pop();
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        path.push(i);
        walk(node.items[i] as YamlNode | null);
        path.pop();
      }
    } else if (
      opts.interpolation &&
      isScalar(node) &&
      typeof node.value === 'string' &&
      node.value.includes('$')
    ) {
      interpolateScalar(source, node, path, opts.interpolation, diagnostics);
    }
  };
  walk(root);
  if (fatal) return { source, value: undefined, diagnostics };

  try {
    // Aliases were measured by the guard (expansion size, not a count of uses).
    return { source, value: source.doc.toJS({ maxAliasCount: -1 }), diagnostics };
  } catch (err) {
    // Not expected after the guard; still a located error, never a crash or a raw stack message.
    const deep = err instanceof RangeError;
    const raw = err instanceof Error ? err.message : String(err);
    diagnostics.push(
      deep
        ? makeDiagnostic(source.at(0, []), 'yaml.too-deep', 'the document is nested too deeply to read')
        : makeDiagnostic(source.at(0, []), 'yaml.syntax', `YAML could not be read: ${raw.split('\n')[0]}`),
    );
    return { source, value: undefined, diagnostics };
  }
}

function interpolateScalar(
  source: YamlSource,
  node: Scalar,
  path: readonly PathSegment[],
  policy: InterpolationPolicy,
  out: Diagnostic[],
): void {
  const result = interpolate(node.value as string, policy);
  if (result.ok) {
    node.value = result.value;
    return;
  }
  const start = node.range?.[0] ?? 0;
  for (const error of result.errors) {
    // Point at the `${` itself when the source spells the value out verbatim (plain or simple quotes).
    let offset = start;
    for (const candidate of [start + error.index, start + 1 + error.index]) {
      if (source.text.startsWith('${', candidate)) {
        offset = candidate;
        break;
      }
    }
    out.push(
      makeDiagnostic(source.at(offset, path), error.code, error.message, {
        hint: error.hint,
        ...(error.found !== undefined ? { found: error.found } : {}),
      }),
    );
  }
}
