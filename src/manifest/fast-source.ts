// Locating paths in text read by the fast reader (fast-yaml.ts), with the same answers as YamlSource.
import { formatJsonPath, type PathSegment } from './diagnostics.js';
import { keyIs, type PosTree } from './fast-yaml.js';
import type { SourceLocation } from './model.js';
import type { LocateTarget, ManifestSource } from './yaml-source.js';

/** Locates paths with the positions the fast reader kept; same answers as YamlSource. */
export class FastSource implements ManifestSource {
  private lineStarts: number[] | undefined;

  /** Child lists of long sequences, built on first use (the experiments list is walked per experiment). */
  private readonly items = new Map<number, Int32Array>();

  constructor(
    readonly file: string,
    readonly text: string,
    private readonly tree: PosTree,
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

  private child(node: number, seg: PathSegment): number {
    const t = this.tree;
    if (t.isMapping(node)) {
      const key = String(seg);
      for (let k = t.first[node]; k >= 0; k = t.next[t.next[k]]) {
        if (keyIs(this.text, t.start[k], t.end[k], key)) return t.next[k];
      }
      return -1;
    }
    const i = Number(seg);
    if (!Number.isInteger(i) || i < 0) return -1;
    let list = this.items.get(node);
    if (!list) {
      let n = 0;
      for (let c = t.first[node]; c >= 0; c = t.next[c]) n++;
      list = new Int32Array(n);
      n = 0;
      for (let c = t.first[node]; c >= 0; c = t.next[c]) list[n++] = c;
      this.items.set(node, list);
    }
    return i < list.length ? list[i] : -1;
  }

  private find(segments: readonly PathSegment[]): number {
    const t = this.tree;
    let node = t.root;
    for (const seg of segments) {
      if (!t.isCollection(node)) break;
      const next = this.child(node, seg);
      if (next < 0) break;
      node = next;
    }
    return node;
  }

  locate(segments: readonly PathSegment[], target: LocateTarget = 'value'): SourceLocation {
    const t = this.tree;
    const node = this.find(segments);
    const keyOffset = t.keyStart[node] >= 0 ? t.keyStart[node] : undefined;
    let offset: number;
    if (target === 'key' && keyOffset !== undefined) offset = keyOffset;
    else if (t.end[node] > t.start[node] || keyOffset === undefined) offset = t.start[node];
    else offset = keyOffset;
    const { line, column } = this.position(offset);
    // one literal: a spread would give every location a second property store (30,000 at 10,000 experiments)
    return { file: this.file, line, column, path: formatJsonPath(segments) };
  }

  sourceText(segments: readonly PathSegment[]): string | undefined {
    const t = this.tree;
    const node = this.find(segments);
    return t.isCollection(node) ? undefined : this.text.slice(t.start[node], t.end[node]);
  }
}
