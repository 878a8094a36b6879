import type { Command } from 'commander';
import { planSchema } from '../../actions/index.js';
import { manifestSchema } from '../../manifest/index.js';
import { createContext } from '../context.js';
import { EXIT_CODES, examples } from '../help.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description(
      'print the manifest JSON Schema (for editors and other validators), or with --plan the saved-plan one',
    )
    .option('--plan', 'print the JSON Schema of saved plans (`plan --out`, docs/plan-json.md) instead')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest schema > mint-manifest.schema.json',
          '# then, first line of mint.yaml:  # yaml-language-server: $schema=./mint-manifest.schema.json',
          'mint-manifest schema --plan > plan.schema.json',
        ],
        [EXIT_CODES.ok('printed'), EXIT_CODES.error('usage error')],
      ),
    )
    .action((opts: { plan?: boolean }, cmd: Command) => {
      const ctx = createContext(cmd);
      ctx.out.out(JSON.stringify(opts.plan ? planSchema : manifestSchema, null, 2));
    });
}
