// One iterative pass over a parsed YAML document before it becomes a plain value: every alias
// resolves, aliases do not expand to an absurd size (billion laughs), nothing is nested deeper than
// the limit (also through aliases), and every number is one JSON can carry. No recursion, so no
// input can overflow the stack here.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node as YamlNode,
  type Scalar,
} from 'yaml';
import type { PathSegment } from './diagnostics.js';

/** Data (design data, results) may be nested this deep; deeper is an error naming the file. */
export const MAX_DATA_DEPTH = 64;

/**
 * How many values aliases may add when expanded. Measures size, not uses: 150 uses of a small
 * anchor are fine; a billion-laughs document crosses it within a few lines.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export interface GuardFinding {
  offset: number;
  path: PathSegment[];
  code: string;
  message: string;
  hint?: string;
  /** The document cannot be turned into a value (unknown alias, too deep, too big). */
  fatal: boolean;
}

export interface GuardOptions {
  maxDepth: number;
  maxExpansion?: number;
}

interface Info {
  /** Values this node stands for once aliases are expanded. */
  size: number;
  /** Collections nested in it, itself included (a scalar: 0). */
  depth: number;
  /** The first number in it that JSON cannot carry. */
  bad?: { node: Scalar; path: PathSegment[]; message: string };
}

interface Child {
  node: YamlNode | null;
  seg: PathSegment;
  /** Under a top-level `x-` key: ignored, except where an alias brings it in. */
  ignored: boolean;
  /** The mapping key it sits under (its anchor, if any, is set just before the value, as `yaml` does). */
  key?: unknown;
}

interface Frame {
  node: YamlNode;
  kids: Child[];
  next: number;
  seg: PathSegment;
  ignored: boolean;
  size: number;
  depth: number;
  bad?: Info['bad'];
}

const TWO_53 = 2n ** 53n;
const INT_SOURCE = /^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$/;

/** Why a scalar cannot be carried by JSON, or undefined. */
export function numberProblem(value: unknown, source: string): string | undefined {
  if (typeof value !== 'number') return undefined;
  if (Number.isNaN(value)) return `\`${source}\` (not a number) cannot be stored: JSON has no NaN`;
  if (!Number.isFinite(value)) return `\`${source}\` is infinite or out of range: JSON cannot carry it`;
  if (Number.isInteger(value) && Math.abs(value) >= 2 ** 53 && INT_SOURCE.test(source)) {
    const big = BigInt(source.replace(/^\+/, ''));
    if (big > TWO_53 || big < -TWO_53) {
      return `integer \`${source}\` is beyond ±2^53 and would be stored as ${value}`;
    }
  }
  return undefined;
}

export const NUMBER_HINT = 'write a number JSON can hold, or quote the value to keep it as text';

function scalarSource(node: Scalar): string {
  const s = (node as Scalar & { source?: unknown }).source;
  return typeof s === 'string' ? s : String(node.value);
}

function childrenOf(node: YamlNode, atRoot: boolean): Child[] {
  if (isMap(node)) {
    return node.items.map((pair) => {
      const key = pair.key as YamlNode | null;
      const name = isMergeKey(key) ? '<<' : isScalar(key) ? String(key.value) : '';
      return {
        node: (pair.value as YamlNode | null) ?? null,
        seg: name,
        ignored: atRoot && name.startsWith('x-'),
        key,
      };
    });
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => ({
      // `[a: 1]` holds a pair, read as a one-key mapping.
      node: isPair(item) ? ((item.value as YamlNode | null) ?? null) : ((item as YamlNode | null) ?? null),
      seg: i,
      ignored: false,
    }));
  }
  return [];
}

/** A `<<` key (merge keys are on): `yaml` gives it a Symbol value. */
export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return typeof v === 'symbol' && v.description === '<<';
}

function anchorOf(node: YamlNode | null | undefined): string | undefined {
  return node && !isAlias(node) ? (node as { anchor?: string }).anchor : undefined;
}

/** Checks a parsed document; the findings are in document order. */
export function guardDocument(doc: Document.Parsed, opts: GuardOptions): GuardFinding[] {
  const maxExpansion = opts.maxExpansion ?? MAX_ALIAS_EXPANSION;
  const out: GuardFinding[] = [];
  const anchors = new Map<string, YamlNode>();
  const done = new Map<YamlNode, Info>();
  const reportedBad = new Set<Scalar>();
  const stack: Frame[] = [];
  let expanded = 0;
  let sizeReported = false;
  let depthReported = false;

  const pathTo = (seg?: PathSegment): PathSegment[] => {
    const p = stack.slice(1).map((f) => f.seg);
    if (seg !== undefined && stack.length > 0) p.push(seg);
    return p;
  };
  const reportBad = (bad: NonNullable<Info['bad']>) => {
    if (reportedBad.has(bad.node)) return;
    reportedBad.add(bad.node);
    out.push({
      offset: bad.node.range?.[0] ?? 0,
      path: bad.path,
      code: 'number',
      message: bad.message,
      hint: NUMBER_HINT,
      fatal: false,
    });
  };
  const tooDeep = (offset: number, path: PathSegment[], via?: string) => {
    if (depthReported) return;
    depthReported = true;
    out.push({
      offset,
      path,
      code: 'too-deep',
      message: `nested more than ${opts.maxDepth} levels deep${via ? ` (through the alias \`*${via}\`)` : ''}`,
      hint: 'flatten the data; deeper nesting is refused to keep every tool that reads it safe',
      fatal: true,
    });
  };

  /** A leaf's info, or undefined when `node` is a collection (pushed to be walked). */
  const enter = (child: Child): Info | undefined => {
    const { node, seg, ignored, key } = child;
    // Anchors on keys can be aliased too (only scalar keys: others are refused as complex keys).
    const keyAnchor = isScalar(key) ? anchorOf(key) : undefined;
    if (keyAnchor !== undefined) {
      anchors.set(keyAnchor, key as YamlNode);
      done.set(key as YamlNode, { size: 1, depth: 0 });
    }
    if (node === null) return { size: 1, depth: 0 };
    const anchor = anchorOf(node);
    if (anchor !== undefined) anchors.set(anchor, node);
    if (isScalar(node)) {
      const problem = numberProblem(node.value, scalarSource(node));
      const info: Info = { size: 1, depth: 0 };
      if (problem !== undefined) {
        info.bad = { node, path: pathTo(seg), message: problem };
        if (!ignored) reportBad(info.bad);
      }
      if (anchor !== undefined) done.set(node, info);
      return info;
    }
    if (isAlias(node)) return enterAlias(node, seg, ignored);
    if (stack.length + 1 > opts.maxDepth) tooDeep(node.range?.[0] ?? 0, pathTo(seg));
    stack.push({
      node,
      kids: childrenOf(node, stack.length === 0),
      next: 0,
      seg,
      ignored,
      size: 1,
      depth: 0,
    });
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMergeKey(pair.key)) checkMergeSource(pair.value as YamlNode | null, pathTo());
      }
    }
    return undefined;
  };

  const isMapLike = (n: unknown): boolean => {
    const target = isAlias(n) ? anchors.get(n.source) : n;
    return isMap(target) || (isAlias(n) && target === undefined); // an unknown alias is reported on its own
  };
  const checkMergeSource = (value: YamlNode | null, path: PathSegment[]) => {
    const ok = isSeq(value) ? value.items.every(isMapLike) : isMapLike(value);
    if (ok) return;
    out.push({
      offset: value?.range?.[0] ?? 0,
      path: [...path, '<<'],
      code: 'merge-source',
      message: '`<<` merges mappings only',
      hint: 'write `<<: *anchor` (or a list of them) where each anchor names a mapping',
      fatal: true,
    });
  };

  const enterAlias = (node: YamlNode, seg: PathSegment, ignored: boolean): Info => {
    const name = (node as { source: string }).source;
    const offset = node.range?.[0] ?? 0;
    const target = anchors.get(name);
    const info = target ? done.get(target) : undefined;
    if (!target) {
      out.push({
        offset,
        path: pathTo(seg),
        code: 'unknown-alias',
        message: `unknown alias \`*${name}\``,
        hint: 'define the `&anchor` before using `*anchor`',
        fatal: true,
      });
      return { size: 1, depth: 0 };
    }
    if (!info) {
      out.push({
        offset,
        path: pathTo(seg),
        code: 'alias-cycle',
        message: `alias \`*${name}\` is inside the value it refers to`,
        hint: 'an alias cannot repeat the mapping or list that contains it',
        fatal: true,
      });
      return { size: 1, depth: 0 };
    }
    expanded += info.size;
    if (expanded > maxExpansion && !sizeReported) {
      sizeReported = true;
      out.push({
        offset,
        path: pathTo(seg),
        code: 'alias-limit',
        message: `aliases expand to more than ${maxExpansion.toLocaleString('en-US')} values`,
        hint: 'this looks like a "billion laughs" document; write the values out instead of nesting aliases',
        fatal: true,
      });
    }
    if (stack.length + info.depth > opts.maxDepth) tooDeep(offset, pathTo(seg), name);
    if (info.bad && !ignored) reportBad(info.bad);
    return info;
  };

  const absorb = (f: Frame, info: Info) => {
    f.size += info.size;
    if (info.depth > f.depth) f.depth = info.depth;
    f.bad ??= info.bad;
  };

  const root = doc.contents as YamlNode | null;
  if (root === null) return out;
  enter({ node: root, seg: '', ignored: false });
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.next < f.kids.length) {
      const child = f.kids[f.next++];
      const info = enter({ ...child, ignored: child.ignored || f.ignored });
      if (info) absorb(f, info);
      continue;
    }
    stack.pop();
    const info: Info = { size: f.size, depth: f.depth + 1 };
    if (f.bad) info.bad = f.bad;
    if (anchorOf(f.node) !== undefined) done.set(f.node, info);
    const parent = stack[stack.length - 1];
    if (parent) absorb(parent, info);
  }
  return out;
}

/** Every alias of a document and the node it stands for, as `yaml` resolves them (the last anchor before it). */
export function resolveAliases(doc: Document.Parsed): Map<YamlNode, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<YamlNode, YamlNode>();
  eachNode(doc, (node) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      return;
    }
    const anchor = anchorOf(node);
    if (anchor !== undefined) anchors.set(anchor, node);
  });
  return targets;
}

/** Every node of a document, iteratively (a deep document must not overflow the stack). */
export function eachNode(doc: Document.Parsed, fn: (node: YamlNode) => void): void {
  const todo: YamlNode[] = [];
  if (doc.contents) todo.push(doc.contents as YamlNode);
  while (todo.length > 0) {
    const node = todo.pop() as YamlNode;
    fn(node);
    if (isMap(node) || isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i] as unknown;
        if (isPair(item)) {
          if (item.value) todo.push(item.value as YamlNode);
          if (item.key) todo.push(item.key as YamlNode);
        } else if (item) todo.push(item as YamlNode);
      }
    }
  }
}
