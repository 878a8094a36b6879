import type { Command } from 'commander';
import { manifestSchema } from '../../manifest/index.js';
import { createContext } from '../context.js';
import { examples } from '../help.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the manifest JSON Schema (for editors and other validators)')
    .addHelpText(
      'after',
      examples([
        'mint-manifest schema > mint-manifest.schema.json',
        "echo '# yaml-language-server: $schema=./mint-manifest.schema.json' | cat - mint.yaml",
      ]),
    )
    .action((_opts: unknown, cmd: Command) => {
      const ctx = createContext(cmd);
      ctx.out.out(JSON.stringify(manifestSchema, null, 2));
    });
}
