// Human renderings of plans and apply results: terminal text and Markdown (PR comments, job summaries).
import { createColors } from 'picocolors';
import {
  duplicateFix,
  duplicateLines,
  orphanNote,
  planLines,
  summaryLine,
  type Mark,
  type PlanLine,
} from './render-lines.js';
import type { ActionResult, ApplyResult, Plan } from './types.js';

export interface TextRenderOptions {
  color?: boolean;
}

export interface MarkdownRenderOptions {
  /** Size budget of the whole Markdown (GitHub comments stop at 65,536). Default 60000. */
  maxChars?: number;
  /** Where the full plan can be read when this one is truncated (e.g. the job summary URL). */
  detailsUrl?: string;
}

const DEFAULT_MAX_CHARS = 60_000;

const DUPLICATE_FIX =
  'Fix: remove the mint-manifest.key tag from the unwanted copy in MINT, or run apply --dedupe (deletes the copies that hold no design data or results, keeps the oldest).';

function lineText(l: PlanLine): string {
  return `${' '.repeat(2 + l.depth)}${l.mark === ' ' ? ' ' : l.mark} ${l.text}`.trimEnd();
}

export function renderPlanText(plan: Plan, opts: TextRenderOptions = {}): string {
  const c = createColors(opts.color ?? false);
  const paint: Record<Mark, (s: string) => string> = {
    '+': c.green,
    '~': c.yellow,
    '-': c.red,
    ' ': (s) => s,
  };
  const out: string[] = [c.bold(`mint-manifest plan for stack ${plan.stack}`), ''];
  const lines = planLines(plan);
  for (const l of lines) out.push(paint[l.mark](lineText(l)));
  if (lines.length > 0) out.push('');
  if (plan.warnings.length > 0) {
    out.push(c.yellow(c.bold('Warnings:')));
    for (const w of plan.warnings) out.push(c.yellow(`  ! ${w.message}`));
    out.push('');
  }
  const dupes = duplicateLines(plan);
  if (dupes.length > 0) {
    out.push(c.red(c.bold('Duplicates (keys carried by several experiments; left alone until fixed):')));
    for (const l of dupes) out.push(`  ${l}`);
    out.push(`  ${DUPLICATE_FIX}`, '');
  }
  if (plan.orphans.length > 0) {
    out.push(c.bold(plan.prune ? 'Orphans (deleted by this plan):' : 'Orphans (to delete with --prune):'));
    for (const o of plan.orphans) out.push(`  ${o.code}  ${o.key || '(no key)'}  ${JSON.stringify(o.name)}`);
    out.push('');
  }
  const note = orphanNote(plan);
  out.push(c.bold(summaryLine(plan)) + (note ? ` ${note}` : ''));
  return `${out.join('\n')}\n`;
}

function escapeMd(text: string): string {
  return text.replace(/[|<>]/g, (ch) => ({ '|': '\\|', '<': '&lt;', '>': '&gt;' })[ch] ?? ch);
}

/** Diff-highlighted block: GitHub colours +, - and ! at the start of a line. */
function diffLine(l: PlanLine): string {
  const mark = l.mark === '~' ? '!' : l.mark;
  return `${mark}${' '.repeat(1 + l.depth)}${l.text}`.trimEnd();
}

export function renderPlanMarkdown(plan: Plan, opts: MarkdownRenderOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const note = orphanNote(plan);
  const head: string[] = [
    `**${summaryLine(plan)}**${note ? ` ${note}` : ''}`,
    '',
    `Stack \`${plan.stack}\` · fingerprint \`${plan.fingerprint.slice(0, 12)}\`${plan.files.length ? ` · ${plan.files.length} manifest file${plan.files.length === 1 ? '' : 's'}` : ''}`,
  ];
  if (plan.warnings.length > 0) {
    head.push('', '**Warnings**', '');
    const shown = plan.warnings.slice(0, 20);
    for (const w of shown) head.push(`- ⚠️ ${escapeMd(w.message)}`);
    if (plan.warnings.length > shown.length) head.push(`- … and ${plan.warnings.length - shown.length} more`);
  }
  const dupes = duplicateLines(plan);
  if (dupes.length > 0) {
    head.push('', '**Duplicates** (keys carried by several experiments; left alone until fixed)', '');
    for (const l of dupes) head.push(l.startsWith(' ') ? `  - ${escapeMd(l.trim())}` : `- ${escapeMd(l)}`);
    head.push('', escapeMd(DUPLICATE_FIX));
  }
  const body = planLines(plan).map(diffLine);
  if (plan.orphans.length > 0) {
    body.push('', plan.prune ? '# orphans (deleted by this plan):' : '# orphans (to delete with --prune):');
    for (const o of plan.orphans) body.push(`  ${o.code}  ${o.key || '(no key)'}  ${JSON.stringify(o.name)}`);
  }
  if (body.length === 0) return `${head.join('\n')}\n`;

  const where = opts.detailsUrl ? `[the full plan](${opts.detailsUrl})` : 'the job summary or the plan JSON';
  const open = `<details><summary>Show the plan (${plan.actions.length} action${plan.actions.length === 1 ? '' : 's'})</summary>\n\n\`\`\`diff`;
  const close = '```\n\n</details>';
  const fixed = head.join('\n').length + open.length + close.length + 16;
  const fence = (s: string) => s.replace(/```/g, '`\u200b``');
  let budget = maxChars - fixed;
  const kept: string[] = [];
  for (const l of body.map(fence)) {
    if (l.length + 1 > budget - 200) break;
    kept.push(l);
    budget -= l.length + 1;
  }
  const parts = [...head, '', open, ...kept, close];
  if (kept.length < body.length) {
    const cut = body.length - kept.length;
    parts.push(
      '',
      `> **The plan is truncated here** (${cut} more line${cut === 1 ? '' : 's'} to fit the ${maxChars}-character limit). Read ${where}.`,
    );
  }
  let md = `${parts.join('\n')}\n`;
  if (md.length > maxChars)
    md = `${head.join('\n').slice(0, maxChars - 80)}\n\n> Truncated: read ${where}.\n`;
  return md;
}

const STATUS_TEXT: Record<ActionResult['status'], string> = { ok: '✓', failed: '✗', skipped: '–' };

function outcome(result: ApplyResult): { changed: string; unchanged: string } {
  const ok = result.results.filter((r) => r.status === 'ok');
  const count = (op: string) => ok.filter((r) => r.op === op).length;
  const changed =
    ok.length === 0
      ? 'Nothing was changed in MINT.'
      : `Changed in MINT: ${ok.length} action${ok.length === 1 ? '' : 's'} (${count('create')} created, ${count('update')} updated, ${count('delete')} deleted).`;
  const { failed, skipped } = result.summary;
  const committed = result.results.some((r) => r.status === 'failed' && r.mayHaveCommitted);
  const unchanged =
    failed + skipped === 0
      ? ''
      : `Not changed: ${failed} failed, ${skipped} skipped${committed ? ' (a failed write may still have been stored)' : ''}. Run apply again to finish: it plans afresh and does only what is left.`;
  return { changed, unchanged };
}

function applyHeadline(result: ApplyResult): string {
  const { ok, failed, skipped } = result.summary;
  const dupes = result.duplicates?.length ?? 0;
  const orphaned = result.orphaned ?? 0;
  if (result.results.length === 0 && dupes === 0 && orphaned === 0)
    return `Apply for stack ${result.stack}: no changes. MINT matches the manifest.`;
  const left = [
    ...(orphaned > 0
      ? [
          `${orphaned} orphaned experiment${orphaned === 1 ? '' : 's'} left in place (apply --prune deletes ${orphaned === 1 ? 'it' : 'them'})`,
        ]
      : []),
    ...(dupes > 0 ? [`${dupes} duplicated key${dupes === 1 ? '' : 's'} left alone`] : []),
  ].join('; ');
  if (result.results.length === 0) return `Apply for stack ${result.stack}: nothing applied; ${left}.`;
  return `Apply for stack ${result.stack}: ${ok} ok, ${failed} failed, ${skipped} skipped${left ? `; ${left}` : ''}.`;
}

function createdText(result: ApplyResult): string | undefined {
  const created = result.created ?? [];
  if (created.length === 0) return undefined;
  return `Created ${created.length} experiment${created.length === 1 ? '' : 's'}: ${created.map((c) => `${c.key} → ${c.code}`).join(', ')}.`;
}

function resultLine(r: ActionResult): string {
  const created = r.created ? ` → ${r.created.code}` : '';
  return `${r.actionId}${created}${r.message ? ` — ${r.message}` : ''}`;
}

export function renderApplyText(result: ApplyResult, opts: TextRenderOptions = {}): string {
  const c = createColors(opts.color ?? false);
  const paint = { ok: c.green, failed: c.red, skipped: c.dim };
  const out = [c.bold(applyHeadline(result))];
  for (const r of result.results) out.push(paint[r.status](`  ${STATUS_TEXT[r.status]} ${resultLine(r)}`));
  const { changed, unchanged } = outcome(result);
  if (result.results.length > 0) out.push('', changed);
  const created = createdText(result);
  if (created) out.push(created);
  for (const d of result.duplicates ?? []) out.push(c.yellow(`Left alone: ${duplicateFix(d)}.`));
  if (unchanged) out.push(c.yellow(unchanged));
  return `${out.join('\n')}\n`;
}

export function renderApplyMarkdown(result: ApplyResult): string {
  const out = [`**${applyHeadline(result)}**`, ''];
  for (const d of result.duplicates ?? []) out.push(`- ⚠️ Left alone: ${escapeMd(duplicateFix(d))}.`);
  if (result.results.length === 0) return `${out.join('\n')}`.trimEnd() + '\n';
  const { changed, unchanged } = outcome(result);
  out.push(changed);
  const created = createdText(result);
  if (created) out.push('', escapeMd(created));
  if (unchanged) out.push('', `⚠️ ${unchanged}`);
  out.push('', '<details><summary>Results</summary>', '', '| | Action | Details |', '|---|---|---|');
  const rows = result.results.slice(0, 500);
  for (const r of rows) {
    const created = r.created ? `created ${r.created.code}` : '';
    out.push(
      `| ${STATUS_TEXT[r.status]} ${r.status} | \`${r.actionId}\` | ${escapeMd(r.message ?? created)} |`,
    );
  }
  if (result.results.length > rows.length)
    out.push('', `… ${result.results.length - rows.length} more results not shown.`);
  out.push('', '</details>');
  return `${out.join('\n')}\n`;
}
