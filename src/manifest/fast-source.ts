// Locating paths in text read by the fast reader (fast-yaml.ts), with the same answers as YamlSource.
import { formatJsonPath, type PathSegment } from './diagnostics.js';
import type { PosNode } from './fast-yaml.js';
import type { SourceLocation } from './model.js';
import type { LocateTarget, ManifestSource } from './yaml-source.js';

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
