// Comment and summary Markdown, rendered with the engine's real plan renderer.
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/actions/index.js';
import type { ActionResult, ApplyResult, Plan, PlanAction } from '../../src/actions/types.js';
import { COMMENT_LIMIT, planMarker } from '../../src/github/comment.js';
import {
  buildApplySummary,
  buildPlanComment,
  buildPlanSummary,
  fingerprintMarker,
  fitSummary,
  fitToBytes,
  tableCell,
} from '../../src/github/markdown.js';

function createAction(key: string, notes: string): PlanAction {
  return {
    id: `experiment.create:${key}`,
    type: 'experiment',
    op: 'create',
    target: { type: 'experiment', key },
    changes: [
      { field: 'name', after: `Experiment ${key}` },
      { field: 'notes', after: notes },
    ],
    dependsOn: [],
  };
}

function makePlan(count: number, notes = 'n'): Plan {
  const actions = Array.from({ length: count }, (_, i) =>
    createAction(`exp-${String(i).padStart(5, '0')}`, notes),
  );
  return {
    formatVersion: 1,
    stack: 'md-test',
    files: ['mint.yaml'],
    actions,
    orphans: [],
    warnings: [],
    summary: { create: count, update: 0, delete: 0, orphaned: 0, unchanged: 0 },
    hasChanges: count > 0,
    fingerprint: 'f'.repeat(64),
    liveState: {},
    prune: false,
  };
}

const summaryUrl = 'https://github.com/o/r/actions/runs/1';

describe('buildPlanComment', () => {
  it('starts with the stack marker and carries the fingerprint, whole when it fits', () => {
    const body = buildPlanComment(makePlan(3), renderPlanMarkdown, { summaryUrl, commitSha: '0123456789' });
    expect(body.startsWith(`${planMarker('md-test')}\n${fingerprintMarker('f'.repeat(64))}\n`)).toBe(true);
    expect(body).toContain('3 to create, 0 to update, 0 to delete');
    expect(body).toContain('exp-00002');
    expect(body).not.toContain('Plan truncated');
    expect(body).toContain('commit `0123456`');
  });

  it.each([2_000, 8_000])('keeps a %i-experiment plan under the limit with a pointer to the summary', (n) => {
    const body = buildPlanComment(makePlan(n, 'x'.repeat(60)), renderPlanMarkdown, { summaryUrl });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain(`the full plan is in the [job summary](${summaryUrl})`);
    expect(body.startsWith(planMarker('md-test'))).toBe(true);
    expect(body.match(/```/g)!.length % 2).toBe(0);
  });

  it('respects a smaller limit too', () => {
    const body = buildPlanComment(makePlan(200), renderPlanMarkdown, { limit: 5_000 });
    expect(body.length).toBeLessThanOrEqual(5_000);
    expect(body).toContain('the full plan is in the job summary of this workflow run');
  });

  it('says "no changes" for an empty plan', () => {
    expect(buildPlanComment(makePlan(0), renderPlanMarkdown)).toContain(
      'MINT plan for stack `md-test`: no changes',
    );
  });
});

describe('job summary', () => {
  it('keeps a huge plan under 1 MiB (bytes, with multi-byte text)', () => {
    const summary = buildPlanSummary(makePlan(20_000, 'µ'.repeat(70)), renderPlanMarkdown);
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThan(1024 * 1024);
    expect(summary).toContain('exp-00000');
  });

  it('fitSummary keeps two near-limit parts (apply results + plan) under 1 MiB together', () => {
    const part = buildPlanSummary(makePlan(20_000, 'y'.repeat(70)), renderPlanMarkdown);
    expect(Buffer.byteLength(part)).toBeGreaterThan(512 * 1024);
    const both = fitSummary(`${part}\n${part}`);
    expect(Buffer.byteLength(both)).toBeLessThan(1024 * 1024);
    expect(both).toContain('Truncated');
  });

  it('fitToBytes leaves small text alone and cuts large text under the byte budget', () => {
    expect(fitToBytes('small', 100, '!')).toBe('small');
    const cut = fitToBytes('ü'.repeat(10_000), 1_000, '\n(cut)');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1_000);
    expect(cut.endsWith('(cut)')).toBe(true);
  });

  it('lists failed actions first in the apply table, with the message, and escapes table syntax', () => {
    const r = (actionId: string, status: ActionResult['status'], message?: string): ActionResult => ({
      actionId,
      type: 'experiment',
      op: 'update',
      target: { type: 'experiment', key: actionId, code: 'EXP-1' },
      status,
      message,
      durationMs: 1,
      mayHaveCommitted: status === 'failed' ? true : undefined,
    });
    const result: ApplyResult = {
      formatVersion: 1,
      stack: 's',
      fingerprint: 'abc',
      results: [
        r('a', 'ok'),
        r('b', 'skipped', 'dependency failed'),
        r('c', 'failed', 'HTTP 500 | oops\nline 2'),
      ],
      summary: { ok: 1, failed: 1, skipped: 1 },
      success: false,
    };
    const md = buildApplySummary(result);
    expect(md).toContain('MINT apply for stack `s` FAILED: 1 ok, 1 failed, 1 skipped');
    const rows = md.split('\n').filter((l) => /^\| (✅|❌|⏭️)/.test(l));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual(['| ❌ failed', '| ⏭️ skipped', '| ✅ ok']);
    expect(rows[0]).toContain('HTTP 500 \\| oops line 2 (may have reached MINT; a re-run converges)');
    expect(tableCell('a|b\nc')).toBe('a\\|b c');
  });
});
