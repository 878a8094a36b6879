import type { Command } from 'commander';
import { upload, type UploadKind } from '../../actions/index.js';
import { createContext } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_CODES, JSON_ERROR_NOTE, examples } from '../help.js';

interface UploadOptions {
  experiment?: string;
  stack?: string;
  result?: string;
  design?: string;
  plugin?: string;
  schemaVersion?: string;
  format: string;
}

export function registerUpload(program: Command): void {
  program
    .command('upload')
    .description('upload one analysis result or design payload from a pipeline step (idempotent PUT)')
    .requiredOption('--experiment <code|key>', 'experiment code (e.g. EXP-042), or manifest key with --stack')
    .option('--stack <stack>', 'find the experiment by its manifest key in this stack')
    .option('--result <file>', 'JSON/YAML file with the analysis result (needs --plugin)')
    .option('--design <file>', 'JSON/YAML file with the design data (needs --plugin)')
    .option('--plugin <id>', 'the analysis or design plugin id, e.g. peak-qc')
    .option('--schema-version <v>', 'design data schema version (default "1.0"; --design only)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest upload --experiment EXP-042 --result out/qc.json --plugin peak-qc',
          'mint-manifest upload --experiment batch-01 --stack tca-flux --design design.yaml --plugin lcms-sequence',
        ],
        [
          EXIT_CODES.ok('uploaded'),
          EXIT_CODES.error('no such experiment, unreadable file, MINT refused, usage error'),
        ],
      ) + JSON_ERROR_NOTE,
    )
    .action(async (opts: UploadOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      if (opts.result && opts.design)
        throw usageError('give either --result FILE or --design FILE, not both');
      if (!opts.result && !opts.design) {
        throw usageError(
          'nothing to upload: give --result FILE (an analysis result) or --design FILE (design data)',
        );
      }
      if (!opts.plugin)
        throw usageError('--plugin ID is required: the plugin that owns this data, e.g. --plugin peak-qc');
      if (opts.schemaVersion && !opts.design)
        throw usageError('--schema-version only applies to --design uploads');
      if (opts.format !== 'text' && opts.format !== 'json') {
        throw usageError(`--format must be text or json, found "${opts.format}"`);
      }
      const kind: UploadKind = opts.design ? 'design' : 'result';
      const file = (opts.design ?? opts.result) as string;
      const res = await upload({
        client: ctx.client(),
        experiment: opts.experiment as string,
        stack: opts.stack,
        kind,
        pluginId: opts.plugin,
        file,
        schemaVersion: opts.schemaVersion,
        cwd: ctx.cwd,
      });
      if (opts.format === 'json') {
        ctx.out.out(
          JSON.stringify(
            {
              experiment: {
                id: res.experiment.id,
                code: res.experiment.experiment_code,
                name: res.experiment.name,
              },
              matchedBy: res.matchedBy,
              kind: res.kind,
              pluginId: res.pluginId,
              record: res.record,
            },
            null,
            2,
          ),
        );
        return;
      }
      const what = kind === 'design' ? 'design data' : 'analysis result';
      ctx.out.out(
        `${ctx.out.c.green('✓')} uploaded ${what} ${res.pluginId} from ${file} to ${res.experiment.experiment_code} (id ${res.experiment.id}, "${res.experiment.name}")`,
      );
    });
}
