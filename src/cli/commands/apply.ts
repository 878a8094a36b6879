import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  apply,
  fingerprintMatches,
  parsePlanJson,
  plan,
  renderPlanText,
  unresolvedDuplicates,
} from '../../actions/index.js';
import { FingerprintMismatchError } from '../../actions/errors.js';
import type { ApplyResult, Plan } from '../../actions/types.js';
import { createContext, parseCount, type CliContext } from '../context.js';
import { CliExitError, usageError } from '../errors.js';
import { EXIT_CODES, JSON_ERROR_NOTE, examples } from '../help.js';
import { loadManifestOrExit, manifestInputs } from '../manifests.js';
import {
  applyJson,
  applyReportMode,
  type CreatedExperiment,
  renderApplyReport,
  unfinishedMessage,
} from '../apply-report.js';
import { createdExperiments } from '../created.js';
import { createProgress } from '../progress.js';
import { ask, isInteractive } from '../prompt.js';

interface ApplyOptions {
  plan?: string;
  expectFingerprint?: string;
  autoApprove?: boolean;
  prune?: boolean;
  dedupe?: boolean;
  maxDeletes?: string;
  concurrency?: string;
  continueOnError?: boolean;
  format: string;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('make MINT match the manifests (asks for "yes" on a terminal)')
    .argument('[paths...]', 'manifest files, folders or globs (default: ./mint.yaml, or the files of --plan)')
    .option('--plan <file>', 'apply this saved plan (from `plan --out`); refused if MINT changed since')
    .option('--format <format>', 'text or json (the results and the codes of new experiments)', 'text')
    .option(
      '--expect-fingerprint <hash>',
      'refuse unless the plan has this fingerprint (the one you reviewed)',
    )
    .option('--auto-approve', 'do not ask for confirmation (needed off a terminal unless --plan is given)')
    .option('--prune', 'delete experiments of this stack that the manifest no longer lists')
    .option(
      '--dedupe',
      'delete the extra copies of a key held by several experiments, when they hold no design data or results (keeps the oldest)',
    )
    .option(
      '--max-deletes <n>',
      'refuse a plan that makes more deletions (experiments, design data, results) than this (default 10)',
    )
    .option('--concurrency <n>', 'parallel requests to MINT (default 8)')
    .option('--continue-on-error', 'keep going after a failed action (its dependants are still skipped)')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest apply mint.yaml',
          'mint-manifest apply mint.yaml --auto-approve',
          'mint-manifest plan mint.yaml --out plan.json && mint-manifest apply --plan plan.json',
          'mint-manifest apply mint.yaml --auto-approve --prune --max-deletes 3',
          'mint-manifest apply mint.yaml --auto-approve -q   # CI: the result line and failures only',
          "mint-manifest apply --plan plan.json --format json | jq -r '.created[].code'",
        ],
        [
          EXIT_CODES.ok('applied, or nothing to do'),
          EXIT_CODES.error(
            'invalid manifest, MINT error, refused (stale plan, fingerprint, max-deletes), cancelled, or an action failed',
          ),
          EXIT_CODES.interrupted,
        ],
      ) + JSON_ERROR_NOTE,
    )
    .action(async (paths: string[], opts: ApplyOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      const interactive = isInteractive();
      // Refuse before reading anything: in CI nobody can answer the question.
      if (!opts.autoApprove && !opts.plan && !interactive) {
        throw usageError(
          'apply needs a confirmation but there is no terminal to ask on: pass --auto-approve, or apply a reviewed plan with --plan plan.json (from `mint-manifest plan --out plan.json`)',
        );
      }
      if (opts.format !== 'text' && opts.format !== 'json')
        throw usageError(`--format must be text or json, found "${opts.format}"`);
      const maxDeletes = parseCount(opts.maxDeletes, '--max-deletes', 0);
      const concurrency = parseCount(opts.concurrency, '--concurrency', 1);
      let savedPlan = opts.plan ? readPlanFile(ctx, opts.plan) : undefined;
      const manifest = await loadManifestOrExit(ctx, manifestInputs(paths, ctx.cwd, savedPlan?.files));
      const client = ctx.client();
      const progress = createProgress(ctx.out);
      try {
        if (!savedPlan && !opts.autoApprove) {
          const reviewed = await plan({
            manifest,
            client,
            concurrency,
            prune: opts.prune,
            dedupe: opts.dedupe,
            onEvent: progress.sink,
          });
          progress.stop();
          // with --format json, stdout holds only the JSON: the plan to confirm goes to stderr
          const text = renderPlanText(reviewed, { color: ctx.out.color });
          if (opts.format === 'json') ctx.out.err(text);
          else ctx.out.out(text);
          if (!reviewed.hasChanges && opts.format !== 'json') return;
          if (reviewed.actions.length === 0 && opts.format !== 'json') return leftAlone(reviewed);
          if (opts.expectFingerprint && !fingerprintMatches(opts.expectFingerprint, reviewed.fingerprint)) {
            throw new FingerprintMismatchError(opts.expectFingerprint, reviewed.fingerprint);
          }
          const answer = await ask(
            `\nApply these changes to ${client.baseUrl}? Only 'yes' will be accepted: `,
          );
          if (answer !== 'yes')
            throw new CliExitError(1, 'apply cancelled: nothing was changed', { code: 'apply.cancelled' });
          savedPlan = reviewed;
        }
        if (savedPlan) progress.expectActions(savedPlan.actions.length);
        const { plan: applied, result } = await apply({
          manifest,
          client,
          savedPlan,
          expectedFingerprint: opts.expectFingerprint,
          prune: opts.prune,
          dedupe: opts.dedupe,
          maxDeletes,
          concurrency,
          continueOnError: opts.continueOnError,
          onEvent: progress.sink,
        });
        progress.stop();
        const created = createdExperiments(result);
        const report = { planShown: !opts.autoApprove && !opts.plan, json: opts.format === 'json' };
        reportApply(ctx, applied, result, created, report);
      } finally {
        progress.stop();
      }
    });
}

function readPlanFile(ctx: CliContext, file: string): Plan {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new CliExitError(
      1,
      `cannot read the plan file ${file}: ${why}; create it with \`mint-manifest plan --out ${file}\``,
      { code: 'plan-file.unreadable' },
    );
  }
  try {
    return parsePlanJson(text);
  } catch (err) {
    throw new CliExitError(1, `cannot use the plan file ${file}: ${(err as Error).message}`, {
      code: 'plan-file.invalid',
    });
  }
}

function reportApply(
  ctx: CliContext,
  p: Plan,
  result: ApplyResult,
  created: CreatedExperiment[],
  opts: { planShown: boolean; json: boolean },
): void {
  if (opts.json) {
    const doc = applyJson(p, result, created);
    if (result.success) return ctx.out.out(JSON.stringify(doc, null, 2));
    if (result.summary.failed + result.summary.skipped === 0) leftAlone(p, doc);
    throw new CliExitError(1, unfinishedMessage(result, p.actions.length), {
      code: 'apply.failed',
      json: doc,
    });
  }
  if (!opts.planShown && !ctx.out.quiet && p.hasChanges)
    ctx.out.out(renderPlanText(p, { color: ctx.out.color }));
  if (!p.hasChanges) {
    if (opts.planShown) return;
    ctx.out.out(`No changes: MINT already matches ${p.files.join(', ')}.`);
    return;
  }
  ctx.out.out(renderApplyReport(ctx.out, result, created, applyReportMode(ctx.out)));
  if (result.summary.failed + result.summary.skipped === 0) leftAlone(p);
  if (!result.success)
    throw new CliExitError(1, unfinishedMessage(result, p.actions.length), { code: 'apply.failed' });
}

/** Nothing failed, but duplicated keys were left alone: a problem to fix, so exit 1. */
function leftAlone(p: Plan, json?: Record<string, unknown>): void {
  const dupes = unresolvedDuplicates(p);
  if (dupes.length === 0) return;
  const n = dupes.length;
  const how = dupes.some((d) => !d.blocker) ? ' or run apply --dedupe' : '';
  throw new CliExitError(
    1,
    `apply left ${n} duplicated key${n === 1 ? '' : 's'} alone (${dupes.map((d) => d.key).join(', ')}): remove the mint-manifest.key tag from the unwanted copies in MINT${how}, then apply again`,
    { code: 'apply.duplicates', ...(json !== undefined ? { json } : {}) },
  );
}
