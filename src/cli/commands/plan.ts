import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  plan,
  planExitCode,
  planToJson,
  renderPlanMarkdown,
  renderPlanText,
  unresolvedDuplicates,
} from '../../actions/index.js';
import type { Plan } from '../../actions/types.js';
import { createContext, parseCount, type CliContext } from '../context.js';
import { CliExitError, usageError } from '../errors.js';
import { EXIT_CODES, JSON_ERROR_NOTE, examples } from '../help.js';
import { loadManifestOrExit, manifestInputs } from '../manifests.js';
import { createProgress } from '../progress.js';

interface PlanOptions {
  out?: string;
  format: string;
  detailedExitcode?: boolean;
  prune?: boolean;
  dedupe?: boolean;
  concurrency?: string;
}

const FORMATS = ['text', 'markdown', 'json'];

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show what apply would change in MINT (reads only)')
    .argument('[paths...]', 'manifest files, folders or globs (default: ./mint.yaml)')
    .option('--out <file>', 'also save the plan as JSON, for `apply --plan`')
    .option('--format <format>', 'text, markdown or json', 'text')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .option('--prune', 'plan to delete experiments of this stack that the manifest no longer lists')
    .option('--dedupe', 'plan to delete the empty extra copies of a key held by several experiments')
    .option('--concurrency <n>', 'parallel requests to MINT (default 8)')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest plan mint.yaml',
          'mint-manifest plan mint.yaml --out plan.json --detailed-exitcode',
          'mint-manifest plan manifests/ --format markdown > plan.md',
        ],
        [
          EXIT_CODES.ok('planned (with --detailed-exitcode: planned, and MINT already matches)'),
          EXIT_CODES.error('invalid manifest, MINT unreachable or refusing, usage error'),
          EXIT_CODES.changes,
        ],
      ) + JSON_ERROR_NOTE,
    )
    .action(async (paths: string[], opts: PlanOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      if (!FORMATS.includes(opts.format)) {
        throw usageError(`--format must be one of ${FORMATS.join(', ')}, found "${opts.format}"`);
      }
      const concurrency = parseCount(opts.concurrency, '--concurrency', 1);
      const manifest = await loadManifestOrExit(ctx, manifestInputs(paths, ctx.cwd));
      const client = ctx.client();
      const progress = createProgress(ctx.out);
      let result: Plan;
      try {
        result = await plan({
          manifest,
          client,
          concurrency,
          prune: opts.prune,
          dedupe: opts.dedupe,
          onEvent: progress.sink,
        });
      } finally {
        progress.stop();
      }
      if (opts.out) savePlan(ctx, result, opts.out);
      printPlan(ctx, result, opts.format);
      const code = planExitCode(result);
      if (code === 1) {
        const n = unresolvedDuplicates(result).length;
        throw new CliExitError(
          1,
          `${n} key${n === 1 ? ' is' : 's are'} carried by several experiments (see "Duplicates" above): apply leaves ${n === 1 ? 'it' : 'them'} alone until fixed`,
        );
      }
      if (opts.detailedExitcode && code === 2) throw new CliExitError(2);
    });
}

export function printPlan(ctx: CliContext, p: Plan, format: string): void {
  if (format === 'json') ctx.out.out(planToJson(p));
  else if (format === 'markdown') ctx.out.out(renderPlanMarkdown(p));
  else {
    ctx.out.out(renderPlanText(p, { color: ctx.out.color }));
    // What a reviewer pins with `apply --expect-fingerprint`.
    if (p.hasChanges) ctx.out.out(ctx.out.c.dim(`Fingerprint: ${p.fingerprint}`));
  }
}

function savePlan(ctx: CliContext, p: Plan, file: string): void {
  const target = path.resolve(ctx.cwd, file);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Files get the same redaction as printed output: a saved plan is often uploaded as an artifact.
    fs.writeFileSync(target, ctx.out.redact(planToJson(p)));
  } catch (err) {
    throw usageError(`cannot write the plan to ${file}: ${(err as Error).message}`);
  }
  ctx.out.info(
    `Saved the plan to ${file} (fingerprint ${p.fingerprint.slice(0, 12)}); apply exactly it with: mint-manifest apply --plan ${file}`,
  );
}
