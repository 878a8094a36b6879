// Markdown for the PR comment and the job summary, each kept under GitHub's size limit.
import type { ActionResult, ApplyResult, Plan } from '../actions/types.js';
import type { Diagnostic } from '../manifest/model.js';
import { expectedFound } from './annotations.js';
import { COMMENT_LIMIT, planMarker, truncateMarkdown } from './comment.js';

/** GitHub rejects a step summary over 1 MiB; keep a margin for what other steps append. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const SUMMARY_BUDGET_BYTES = SUMMARY_LIMIT_BYTES - 16 * 1024;

export type PlanMarkdownRenderer = (plan: Plan, opts: { maxChars?: number; detailsUrl?: string }) => string;

export function fingerprintMarker(fingerprint: string): string {
  return `<!-- mint-manifest:fingerprint=${fingerprint} -->`;
}

/** "2 to create, 1 to update, 0 to delete" (+ orphans left alone). */
export function changeCounts(plan: Plan): string {
  const s = plan.summary;
  let text = `${s.create} to create, ${s.update} to update, ${s.delete} to delete`;
  if (s.orphaned > 0) text += `, ${s.orphaned} orphaned (not pruned)`;
  return text;
}

export function planHeadline(plan: Plan): string {
  return plan.hasChanges
    ? `MINT plan for stack \`${plan.stack}\`: ${changeCounts(plan)}`
    : `MINT plan for stack \`${plan.stack}\`: no changes`;
}

export interface CommentContext {
  /** Where the full plan is: the job summary of this run. */
  summaryUrl?: string;
  commitSha?: string;
  limit?: number;
}

/**
 * The sticky comment: marker, headline, fingerprint, then the plan. When the plan does not fit,
 * it is cut and a pointer to the job summary (which holds all of it) is added.
 */
export function buildPlanComment(plan: Plan, render: PlanMarkdownRenderer, ctx: CommentContext = {}): string {
  const limit = ctx.limit ?? COMMENT_LIMIT;
  const head = [
    planMarker(plan.stack),
    fingerprintMarker(plan.fingerprint),
    `### ${planHeadline(plan)}`,
    '',
    `Fingerprint: \`${plan.fingerprint}\` — apply exactly this plan with \`expect-fingerprint: ${plan.fingerprint}\`.`,
    '',
  ].join('\n');
  const footerParts: string[] = [];
  if (ctx.summaryUrl) footerParts.push(`[workflow run](${ctx.summaryUrl})`);
  if (ctx.commitSha) footerParts.push(`commit \`${ctx.commitSha.slice(0, 7)}\``);
  const footer = footerParts.length > 0 ? `\n\n<sub>Updated by ${footerParts.join(' for ')}.</sub>\n` : '\n';
  const pointer = ctx.summaryUrl
    ? `\n\n> **Plan truncated** to fit a comment: the full plan is in the [job summary](${ctx.summaryUrl}).`
    : '\n\n> **Plan truncated** to fit a comment: the full plan is in the job summary of this workflow run.';

  const room = limit - head.length - footer.length;
  const full = render(plan, { maxChars: Number.MAX_SAFE_INTEGER });
  if (full.length <= room) return head + full + footer;

  const budget = room - pointer.length;
  let body = render(plan, { maxChars: budget, detailsUrl: ctx.summaryUrl });
  body = truncateMarkdown(body, budget);
  return head + body + pointer + footer;
}

/** Cuts Markdown until its UTF-8 size fits `maxBytes` (comment limits count characters, summaries bytes). */
export function fitToBytes(markdown: string, maxBytes: number, note: string): string {
  if (Buffer.byteLength(markdown, 'utf8') <= maxBytes) return markdown;
  const room = maxBytes - Buffer.byteLength(note, 'utf8');
  let chars = Math.min(markdown.length, room);
  let cut = truncateMarkdown(markdown, chars);
  while (Buffer.byteLength(cut, 'utf8') > room && chars > 0) {
    chars = Math.floor(chars * 0.9);
    cut = truncateMarkdown(markdown, chars);
  }
  return cut + note;
}

/** The last guard before the summary file: what one step writes must stay under the limit in total. */
export function fitSummary(markdown: string): string {
  return fitToBytes(
    markdown,
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Truncated** to fit the 1 MiB job summary limit: the `plan-json` and `result-json` output files hold everything.\n',
  );
}

const SUMMARY_CUT_NOTE =
  '\n\n> **Truncated** to fit the 1 MiB job summary limit: the whole plan is in the `plan-json` output file.\n';

export function buildPlanSummary(plan: Plan, render: PlanMarkdownRenderer): string {
  const head = [`## ${planHeadline(plan)}`, '', `Fingerprint: \`${plan.fingerprint}\``, ''].join('\n');
  const body = render(plan, { maxChars: SUMMARY_BUDGET_BYTES });
  return fitToBytes(`${head}${body}\n`, SUMMARY_BUDGET_BYTES, SUMMARY_CUT_NOTE);
}

const STATUS_LABEL: Record<ActionResult['status'], string> = {
  ok: '✅ ok',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
};

/** Escapes text for one Markdown table cell. */
export function tableCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function targetLabel(r: ActionResult): string {
  const t = r.target;
  const owner = t.type === 'project' ? 'project' : 'experiment';
  const parts = [`${owner} \`${t.key}\``];
  if (t.code) parts.push(`(${t.code})`);
  if (t.pluginId) parts.push(`· ${t.type} \`${t.pluginId}\``);
  return parts.join(' ');
}

export function applyHeadline(result: ApplyResult): string {
  const s = result.summary;
  const verdict = result.success ? 'applied' : 'FAILED';
  return `MINT apply for stack \`${result.stack}\` ${verdict}: ${s.ok} ok, ${s.failed} failed, ${s.skipped} skipped`;
}

/** The apply results table (failed first, so they are never the part that gets cut). */
export function buildApplySummary(result: ApplyResult): string {
  const order: Record<ActionResult['status'], number> = { failed: 0, skipped: 1, ok: 2 };
  const rows = [...result.results].sort((a, b) => order[a.status] - order[b.status]);
  const lines = [`## ${applyHeadline(result)}`, '', `Fingerprint: \`${result.fingerprint}\``, ''];
  if (rows.length === 0) {
    lines.push('Nothing to apply: MINT already matches the manifest.');
  } else {
    lines.push('| Status | Action | Target | Details |', '| --- | --- | --- | --- |');
    for (const r of rows) {
      let details = r.message ?? '';
      if (r.status === 'failed' && r.mayHaveCommitted)
        details += ' (may have reached MINT; a re-run converges)';
      lines.push(
        `| ${STATUS_LABEL[r.status]} | ${r.op} ${r.type} | ${tableCell(targetLabel(r))} | ${tableCell(details.trim())} |`,
      );
    }
  }
  return fitToBytes(
    lines.join('\n') + '\n',
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Truncated** to fit the 1 MiB job summary limit: every result is in the `result-json` output file.\n',
  );
}

export function diagnosticLocation(d: Pick<Diagnostic, 'file' | 'line' | 'column'>): string {
  return `${d.file}:${d.line}:${d.column}`;
}

/** Validation problems as a table: every one of them, unlike the 10 annotations GitHub shows. */
export function buildDiagnosticsSummary(errors: Diagnostic[], warnings: Diagnostic[]): string {
  const all = [...errors, ...warnings];
  const title =
    errors.length > 0
      ? `## Manifest invalid: ${errors.length} error${errors.length === 1 ? '' : 's'}`
      : '## Manifest valid';
  const lines = [title, ''];
  if (all.length > 0) {
    lines.push('| Severity | Location | Problem | Hint |', '| --- | --- | --- | --- |');
    for (const d of all) {
      const problem = d.message + expectedFound(d);
      lines.push(
        `| ${d.severity} | \`${tableCell(diagnosticLocation(d))}\` ${tableCell(d.path)} | ${tableCell(problem)} | ${tableCell(d.hint ?? '')} |`,
      );
    }
  }
  return fitToBytes(
    lines.join('\n') + '\n',
    SUMMARY_BUDGET_BYTES,
    '\n\n> **Truncated** to fit the job summary limit.\n',
  );
}
