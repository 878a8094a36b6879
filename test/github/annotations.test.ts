import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  annotateDiagnostics,
  type AnnotationProperties,
  annotationMessage,
  annotationPath,
} from '../../src/github/annotations.js';
import type { Diagnostic } from '../../src/manifest/model.js';

function diag(i: number, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return {
    file: 'mint.yaml',
    line: i + 1,
    column: 3,
    path: `experiments[${i}].status`,
    severity,
    code: 'schema.enum',
    message: `bad status ${i}`,
    expected: 'planned | ongoing',
    found: '"done"',
    hint: 'use one of the listed values',
  };
}

function recorder() {
  const calls: { type: 'error' | 'warning'; message: string; props: AnnotationProperties }[] = [];
  return {
    calls,
    annotator: {
      error: (message: string, props: AnnotationProperties) => calls.push({ type: 'error', message, props }),
      warning: (message: string, props: AnnotationProperties) =>
        calls.push({ type: 'warning', message, props }),
    },
  };
}

const where = { cwd: '/ws/infra', workspace: '/ws' };

describe('annotateDiagnostics', () => {
  it('annotates each error on its file, line and column, relative to the repository root', () => {
    const { calls, annotator } = recorder();
    const result = annotateDiagnostics([diag(0)], [], annotator, where);
    expect(result).toEqual({ annotatedErrors: 1, annotatedWarnings: 0, notAnnotated: 0 });
    expect(calls).toEqual([
      {
        type: 'error',
        message:
          'bad status 0 (expected planned | ongoing, found "done") [at experiments[0].status] — use one of the listed values',
        props: { file: 'infra/mint.yaml', startLine: 1, startColumn: 3 },
      },
    ]);
  });

  it('annotates the first 10 errors and counts the rest in one warning line', () => {
    const { calls, annotator } = recorder();
    const errors = Array.from({ length: 14 }, (_, i) => diag(i));
    const warnings = [diag(20, 'warning')];
    const result = annotateDiagnostics(errors, warnings, annotator, where);
    expect(calls.filter((c) => c.type === 'error')).toHaveLength(10);
    expect(calls.filter((c) => c.type === 'error').map((c) => c.props.startLine)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const warningLines = calls.filter((c) => c.type === 'warning');
    expect(warningLines).toHaveLength(2);
    expect(warningLines[1].message).toBe(
      '4 more errors not annotated (GitHub shows 10 per step): see the job summary or the log',
    );
    expect(result.notAnnotated).toBe(4);
  });

  it('keeps warnings within the cap too, counting the summary line in it', () => {
    const { calls, annotator } = recorder();
    annotateDiagnostics(
      [],
      Array.from({ length: 12 }, (_, i) => diag(i, 'warning')),
      annotator,
      where,
    );
    expect(calls).toHaveLength(10);
    expect(calls[9].message).toMatch(/^3 more warnings not annotated/);
  });
});

describe('annotationPath / annotationMessage', () => {
  it('leaves a path outside the workspace as given', () => {
    expect(annotationPath('../../etc/x.yaml', '/ws/infra', '/ws')).toBe('../../etc/x.yaml');
    expect(annotationPath('a/b.yaml', '/ws', '/ws')).toBe('a/b.yaml');
    expect(annotationPath(path.join('/ws', 'c.yaml'), '/ws/infra', '/ws')).toBe('c.yaml');
  });

  it('names only what is known of expected/found', () => {
    expect(annotationMessage({ ...diag(0), found: undefined, hint: undefined, path: '' })).toBe(
      'bad status 0 (expected planned | ongoing)',
    );
  });

  it('is the message alone when there is nothing else to say', () => {
    expect(
      annotationMessage({ ...diag(0), expected: undefined, found: undefined, hint: undefined, path: '' }),
    ).toBe('bad status 0');
  });
});
