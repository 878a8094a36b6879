import type { Command } from 'commander';
import { exportManifest } from '../../actions/index.js';
import { createContext } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_CODES, examples } from '../help.js';
import { createProgress } from '../progress.js';
import * as path from 'node:path';

interface ExportOptions {
  project?: string;
  stack?: string;
  type?: string;
  out: string;
  force?: boolean;
  claim: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'write a manifest (and design/result files) from what is live in MINT, to adopt existing experiments',
    )
    .option('--project <name|id>', 'only experiments of this project')
    .option('--stack <stack>', 'stack name for the manifest (default: from the project name)')
    .option('--type <type>', 'only experiments of this experiment type')
    .option(
      '--out <file>',
      'manifest to write; data files go beside it in designs/ and results/',
      'mint.yaml',
    )
    .option('--force', 'overwrite the manifest if it exists')
    .option('--no-claim', 'do not tag the experiments for the stack now (plan will then show the adoptions)')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest export --project "TCA flux paper 2026" --stack tca-flux --out mint.yaml',
          'mint-manifest export --project 12 --type lcms_batch --stack lcms --out lab/mint.yaml',
          'mint-manifest export --stack lab --out mint.yaml && mint-manifest plan mint.yaml   # no changes',
        ],
        [
          EXIT_CODES.ok('the manifest and its data files were written'),
          EXIT_CODES.error('MINT unreachable, the file exists (use --force), usage error'),
        ],
      ),
    )
    .action(async (opts: ExportOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      const stack =
        opts.stack ?? (opts.project && !/^\d+$/.test(opts.project) ? stackFrom(opts.project) : undefined);
      if (!stack)
        throw usageError(
          '--stack is required (the owner name written into the manifest), e.g. --stack tca-flux',
        );
      const progress = createProgress(ctx.out);
      let res;
      try {
        res = await exportManifest({
          client: ctx.client(),
          project: opts.project,
          stack,
          experimentType: opts.type,
          outFile: opts.out,
          cwd: ctx.cwd,
          claim: opts.claim,
          force: opts.force,
          onEvent: progress.sink,
        });
      } finally {
        progress.stop();
      }
      const rel = path.relative(ctx.cwd, res.outFile) || res.outFile;
      ctx.out.out(
        `${ctx.out.c.green('✓')} wrote ${rel}: stack ${res.stack}, ${res.experiments} experiment(s), ${res.projects} project(s), ${res.files.length} data file(s)`,
      );
      if (res.claimed.length > 0) {
        ctx.out.out(
          `claimed ${res.claimed.length} experiment(s) for stack ${res.stack} (tagged ${res.claimed.join(', ')})`,
        );
      }
      for (const s of res.skipped) ctx.out.warn(`${s.code}: ${s.reason}`);
      ctx.out.info(`Next: mint-manifest plan ${rel}`);
    });
}

function stackFrom(name: string): string | undefined {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug || undefined;
}
