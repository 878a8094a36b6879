// What `apply` prints once it has run: sized for where it is read.
//   --quiet        the result line, the created experiments in one line, and every failure
//   off a terminal failures in full; successes and skips as counts per kind (CI logs stay short)
//   --verbose, or on a terminal: every action
import type { ActionResult, ApplyResult, Plan } from '../actions/types.js';
import type { Output } from './output.js';

/** A new experiment and the code MINT gave it (undefined when it could not be read back). */
export interface CreatedExperiment {
  key: string;
  code?: string;
}

export type ApplyReportMode = 'quiet' | 'grouped' | 'every';

export function applyReportMode(out: Output): ApplyReportMode {
  if (out.quiet) return 'quiet';
  if (out.verbose || out.stdoutIsTTY) return 'every';
  return 'grouped';
}

const MARK: Record<ActionResult['status'], string> = { ok: '✓', failed: '✗', skipped: '–' };
/** How many created experiments the --quiet result line names before it only counts them. */
const QUIET_CODES = 5;
/** How many action ids a one-line summary names before "…". */
const IDS_IN_LINE = 3;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `experiment.create`, `design.save`, `analysis.delete`…: the part of an action id before the key. */
function kindOf(r: ActionResult): string {
  return r.actionId.split(':')[0];
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return counts;
}

export function headline(result: ApplyResult): string {
  const { ok, failed, skipped } = result.summary;
  return `Apply for stack ${result.stack}: ${ok} ok, ${failed} failed, ${skipped} skipped.`;
}

/** `a, b, c, … (12 more)`: a bounded list for one line. */
export function idList(ids: string[], max = IDS_IN_LINE): string {
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown}, … (${ids.length - max} more)` : shown;
}

function failureLine(out: Output, r: ActionResult): string {
  const committed = r.mayHaveCommitted ? ' (the write may still have reached MINT)' : '';
  return out.c.red(`  ${MARK.failed} ${r.actionId} — ${r.message ?? 'failed'}${committed}`);
}

/** Skips share few reasons ("dependency X failed", "apply stopped"): one line per reason. */
function skippedLines(out: Output, skipped: ActionResult[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of skipped) {
    const reason = r.message ?? 'not started';
    byReason.set(reason, [...(byReason.get(reason) ?? []), r.actionId]);
  }
  return [...byReason].map(([reason, ids]) =>
    out.c.dim(`  ${MARK.skipped} ${plural(ids.length, 'action')} skipped (${reason}): ${idList(ids)}`),
  );
}

function everyActionLines(out: Output, result: ApplyResult): string[] {
  const paint = { ok: out.c.green, failed: out.c.red, skipped: out.c.dim };
  return result.results.map((r) =>
    r.status === 'failed'
      ? failureLine(out, r)
      : paint[r.status](`  ${MARK[r.status]} ${r.actionId}${r.message ? ` — ${r.message}` : ''}`),
  );
}

function groupedLines(out: Output, result: ApplyResult): string[] {
  const ok = result.results.filter((r) => r.status === 'ok');
  const lines = [...countBy(ok, kindOf)].map(([kind, n]) => out.c.green(`  ${MARK.ok} ${n} ${kind}`));
  for (const r of result.results) if (r.status === 'failed') lines.push(failureLine(out, r));
  lines.push(
    ...skippedLines(
      out,
      result.results.filter((r) => r.status === 'skipped'),
    ),
  );
  return lines;
}

function createdBlock(created: CreatedExperiment[]): string[] {
  if (created.length === 0) return [];
  const width = Math.max(...created.map((c) => c.key.length));
  return [
    `Created ${plural(created.length, 'experiment')}:`,
    ...created.map((c) => `  ${c.key.padEnd(width)}  ${c.code ?? '(code not reported by MINT)'}`),
  ];
}

/** --quiet: one line for what was created; codes only while they fit on it. */
function createdLine(created: CreatedExperiment[]): string[] {
  if (created.length === 0) return [];
  if (created.length > QUIET_CODES)
    return [`Created ${plural(created.length, 'experiment')} (run without -q to list their codes).`];
  return [`Created: ${created.map((c) => `${c.code ?? '?'} (${c.key})`).join(', ')}.`];
}

function outcomeLines(out: Output, result: ApplyResult): string[] {
  const ok = result.results.filter((r) => r.status === 'ok');
  const ops = countBy(ok, (r) => r.op);
  const changed =
    ok.length === 0
      ? 'Nothing was changed in MINT.'
      : `Changed in MINT: ${plural(ok.length, 'action')} (${ops.get('create') ?? 0} created, ${ops.get('update') ?? 0} updated, ${ops.get('delete') ?? 0} deleted).`;
  return ['', changed];
}

/** The text apply prints on stdout after running the plan. */
export function renderApplyReport(
  out: Output,
  result: ApplyResult,
  created: CreatedExperiment[],
  mode: ApplyReportMode,
): string {
  const lines = [out.c.bold(headline(result))];
  if (mode === 'quiet') {
    lines.push(...createdLine(created));
    for (const r of result.results) if (r.status === 'failed') lines.push(failureLine(out, r));
    return lines.join('\n');
  }
  lines.push(...(mode === 'every' ? everyActionLines(out, result) : groupedLines(out, result)));
  if (created.length > 0) lines.push('', ...createdBlock(created));
  lines.push(...outcomeLines(out, result));
  return lines.join('\n');
}

/** The error line of an apply that did not finish: counts, and a few ids of each kind. */
export function unfinishedMessage(result: ApplyResult, planned: number): string {
  const failed = result.results.filter((r) => r.status === 'failed');
  const skipped = result.results.filter((r) => r.status === 'skipped');
  const notRun = planned - result.results.length;
  const parts = [
    `${plural(result.summary.ok, 'action')} applied`,
    `${failed.length} failed (${idList(failed.map((r) => r.actionId))})`,
  ];
  if (skipped.length > 0) parts.push(`${skipped.length} not applied`);
  if (notRun > 0) parts.push(`${notRun} not attempted`);
  const uncertain = failed.some((r) => r.mayHaveCommitted)
    ? '; a failed write may still have reached MINT'
    : '';
  return `apply did not finish: ${parts.join(', ')}${uncertain}. Fix the cause and run apply again: it only does what is still missing`;
}

/** `apply --format json`: the plan's headline figures, every result, and the new experiments' codes. */
export function applyJson(plan: Plan, result: ApplyResult, created: CreatedExperiment[]) {
  return {
    formatVersion: 1,
    stack: plan.stack,
    fingerprint: plan.fingerprint,
    hasChanges: plan.hasChanges,
    planned: plan.summary,
    success: result.success,
    summary: result.summary,
    created: created.map((c) => ({ key: c.key, code: c.code ?? null })),
    results: result.results,
  };
}
