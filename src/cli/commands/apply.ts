import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  apply,
  fingerprintMatches,
  parsePlanJson,
  plan,
  renderApplyText,
  renderPlanText,
  unresolvedDuplicates,
} from '../../actions/index.js';
import { FingerprintMismatchError } from '../../actions/errors.js';
import type { ApplyResult, Plan } from '../../actions/types.js';
import { createContext, parseCount, type CliContext } from '../context.js';
import { CliExitError, usageError } from '../errors.js';
import { examples } from '../help.js';
import { countLabel, loadManifestOrExit, manifestInputs } from '../manifests.js';
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
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('make MINT match the manifests (asks for "yes" on a terminal)')
    .argument('[paths...]', 'manifest files, folders or globs (default: ./mint.yaml, or the files of --plan)')
    .option('--plan <file>', 'apply this saved plan (from `plan --out`); refused if MINT changed since')
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
      examples([
        'mint-manifest apply mint.yaml',
        'mint-manifest apply mint.yaml --auto-approve',
        'mint-manifest plan mint.yaml --out plan.json && mint-manifest apply --plan plan.json',
        'mint-manifest apply mint.yaml --auto-approve --prune --max-deletes 3',
        'mint-manifest apply mint.yaml --auto-approve --dedupe',
      ]),
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
          ctx.out.out(renderPlanText(reviewed, { color: ctx.out.color }));
          if (!reviewed.hasChanges) return;
          if (reviewed.actions.length === 0) return reportLeftAlone(reviewed);
          if (opts.expectFingerprint && !fingerprintMatches(opts.expectFingerprint, reviewed.fingerprint)) {
            throw new FingerprintMismatchError(opts.expectFingerprint, reviewed.fingerprint);
          }
          const answer = await ask(
            `\nApply these changes to ${client.baseUrl}? Only 'yes' will be accepted: `,
          );
          if (answer !== 'yes') throw new CliExitError(1, 'apply cancelled: nothing was changed');
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
        reportApply(ctx, applied, result, { planShown: !opts.autoApprove && !opts.plan });
      } finally {
        progress.stop();
      }
    });
}

/** Nothing failed, but duplicated keys were left alone: a problem to fix, so exit 1. */
function reportLeftAlone(p: Plan): void {
  const dupes = unresolvedDuplicates(p);
  if (dupes.length === 0) return;
  throw new CliExitError(
    1,
    `apply left ${countLabel(dupes.length, 'duplicated key')} alone (see "Left alone" above): fix ${dupes.length === 1 ? 'it' : 'them'} in MINT${dupes.some((d) => !d.blocker) ? ' or run apply --dedupe' : ''}, then apply again`,
  );
}

function readPlanFile(ctx: CliContext, file: string): Plan {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw usageError(
      `cannot read the plan file ${file}: ${why}; create it with \`mint-manifest plan --out ${file}\``,
    );
  }
  try {
    return parsePlanJson(text);
  } catch (err) {
    throw usageError(
      `${file} is not a plan saved by \`mint-manifest plan --out\`: ${(err as Error).message}`,
    );
  }
}

function reportApply(ctx: CliContext, p: Plan, result: ApplyResult, opts: { planShown: boolean }): void {
  if (!opts.planShown && !ctx.out.quiet && p.hasChanges)
    ctx.out.out(renderPlanText(p, { color: ctx.out.color }));
  if (!p.hasChanges) {
    if (opts.planShown) return;
    ctx.out.out(`No changes: MINT already matches ${p.files.join(', ')}.`);
    return;
  }
  ctx.out.out(renderApplyText(result, { color: ctx.out.color }));
  if (result.success) return;
  if (result.summary.failed + result.summary.skipped === 0) return reportLeftAlone(p);
  const failed = result.results.filter((r) => r.status === 'failed');
  const skipped = result.results.filter((r) => r.status === 'skipped');
  const ok = result.results.filter((r) => r.status === 'ok');
  const notRun = p.actions.length - result.results.length;
  const parts = [
    `${countLabel(ok.length, 'action')} applied`,
    `${failed.length} failed (${failed.map((r) => r.actionId).join(', ')})`,
  ];
  if (skipped.length > 0)
    parts.push(`${skipped.length} not applied (${skipped.map((r) => r.actionId).join(', ')})`);
  if (notRun > 0) parts.push(`${notRun} not attempted`);
  const uncertain = failed.some((r) => r.mayHaveCommitted)
    ? '; a failed write may still have reached MINT'
    : '';
  throw new CliExitError(
    1,
    `apply did not finish: ${parts.join(', ')}${uncertain}. Fix the cause and run apply again: it only does what is still missing`,
  );
}
