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
  type ParsedNode,
  type Scalar,
  type YAMLError,
} from 'yaml';
import { formatJsonPath, makeDiagnostic, type PathSegment } from './diagnostics.js';
import { FastSource } from './fast-source.js';
import { fastParseYaml } from './fast-yaml.js';
import { interpolate, type InterpolationPolicy } from './interpolate.js';
import type { Diagnostic, SourceLocation } from './model.js';

/** Low on purpose: a handful of anchors is normal, thousands of expansions is an attack. */
export const MAX_ALIAS_COUNT = 100;

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
    });
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  at(offset: number, segments: readonly PathSegment[]): SourceLocation {
    return { file: this.file, ...this.position(offset), path: formatJsonPath(segments) };
  }

  find(segments: readonly PathSegment[]): FoundNode {
    let cur: YamlNode | null = (this.doc.contents as YamlNode | null) ?? null;
    let keyNode: YamlNode | null = null;
    for (let i = 0; i < segments.length; i++) {
      if (isAlias(cur)) cur = (cur.resolve(this.doc) as YamlNode | undefined) ?? null;
      const seg = segments[i];
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
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
}

/** Parse, check and convert one YAML text. Never throws for bad input. */
export function parseYaml(file: string, text: string, opts: ParseOptions = {}): ParsedYaml {
  const fast = opts.fast === false ? undefined : fastParseYaml(text, opts.interpolation);
  if (fast) return { source: new FastSource(file, text, fast.root), value: fast.value, diagnostics: [] };
  const source = new YamlSource(file, text);
  const diagnostics: Diagnostic[] = [];
  let fatal = false;
  for (const e of source.doc.errors) {
    diagnostics.push(yamlErrorDiagnostic(source, e, 'error'));
    // A duplicate key leaves a usable document; report it and keep checking the rest.
    if (e.code !== 'DUPLICATE_KEY') fatal = true;
  }
  for (const w of source.doc.warnings) {
    const d = yamlErrorDiagnostic(source, w, 'warning');
    if (d.code === 'yaml.custom-tag') fatal = true;
    diagnostics.push(d);
  }
  if (fatal) return { source, value: undefined, diagnostics };

  const root = source.doc.contents as ParsedNode | null;
  const path: PathSegment[] = [];
  let firstAlias: YamlNode | null = null;

  const walk = (node: YamlNode | null): void => {
    if (node === null) return;
    if (isAlias(node)) {
      firstAlias ??= node;
      return;
    }
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
        path.push(key === null ? '' : String((key as Scalar).value));
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
    return { source, value: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), diagnostics };
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const aliasNode = firstAlias as YamlNode | null;
    const at = source.at(aliasNode?.range?.[0] ?? 0, []);
    if (/alias count/i.test(raw)) {
      diagnostics.push(
        makeDiagnostic(at, 'yaml.alias-limit', `too many alias expansions (over ${MAX_ALIAS_COUNT})`, {
          hint: 'this looks like a "billion laughs" document; write the values out instead of nesting aliases',
        }),
      );
    } else if (/unresolved alias/i.test(raw)) {
      diagnostics.push(
        makeDiagnostic(
          at,
          'yaml.unknown-alias',
          `unknown alias \`*${/:\s*(\S+)\s*$/.exec(raw)?.[1] ?? '?'}\``,
          {
            hint: 'define the `&anchor` before using `*anchor`',
          },
        ),
      );
    } else {
      diagnostics.push(makeDiagnostic(at, 'yaml.syntax', `YAML could not be read: ${raw.split('\n')[0]}`));
    }
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
