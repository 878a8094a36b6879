import type { Command } from 'commander';
import { formatDiagnostic } from '../../manifest/index.js';
import { createContext } from '../context.js';
import { CliExitError, usageError } from '../errors.js';
import { EXIT_CODES, JSON_ERROR_NOTE, examples } from '../help.js';
import { countLabel, loadInputs, manifestInputs, printWarnings } from '../manifests.js';

interface ValidateOptions {
  format: string;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check manifests offline (no MINT needed); exit 0 when valid, 1 when not')
    .argument('[paths...]', 'manifest files, folders or globs (default: ./mint.yaml)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      examples(
        ['mint-manifest validate mint.yaml', "mint-manifest validate 'manifests/**/*.yaml' --format json"],
        [
          EXIT_CODES.ok('every manifest is valid'),
          EXIT_CODES.error('a manifest is invalid, or a usage error'),
        ],
      ) + JSON_ERROR_NOTE,
    )
    .action(async (paths: string[], opts: ValidateOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      if (opts.format !== 'text' && opts.format !== 'json') {
        throw usageError(`--format must be text or json, found "${opts.format}"`);
      }
      const result = await loadInputs(ctx, manifestInputs(paths, ctx.cwd));
      const errors = result.ok ? [] : result.errors;
      if (opts.format === 'json') {
        if (!result.ok) {
          // the same keys as a valid answer, plus the `error` object every failed --format json has
          throw new CliExitError(1, `invalid: ${countLabel(errors.length, 'error')}`, {
            code: 'manifest.invalid',
            diagnostics: errors,
            json: { valid: false, errors, warnings: result.warnings },
          });
        }
        const body = {
          valid: true,
          stack: result.manifest.stack,
          files: result.manifest.files,
          experiments: result.manifest.experiments.length,
          projects: result.manifest.projects.length,
          errors,
          warnings: result.warnings,
        };
        ctx.out.out(JSON.stringify(body, null, 2));
        return;
      }
      // diagnostics on stderr, like plan and apply; stdout carries only the verdict
      for (const d of errors) ctx.out.err(formatDiagnostic(d));
      printWarnings(ctx, result.warnings);
      if (!result.ok) {
        throw new CliExitError(1, `invalid: ${countLabel(errors.length, 'error')}`);
      }
      const m = result.manifest;
      ctx.out.out(
        `${ctx.out.c.green('✓')} valid: ${m.files.join(', ')} (stack ${m.stack}, ${countLabel(m.experiments.length, 'experiment')}, ${countLabel(m.projects.length, 'project')})`,
      );
    });
}
