import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { apply, plan, renderPlanText } from '../../actions/index.js';
import { MintClient } from '../../client/index.js';
import { formatDiagnostic, loadManifests } from '../../manifest/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createContext, type CliContext } from '../context.js';
import { CliExitError } from '../errors.js';
import { EXIT_CODES, examples } from '../help.js';
import { packageRoot } from '../paths.js';
import { createProgress } from '../progress.js';
import { renderApplyReport } from '../apply-report.js';
import { createdExperiments } from '../created.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'validate → plan → apply → plan again on examples/mint.yaml, against a throw-away local MINT',
    )
    .addHelpText(
      'after',
      examples(
        ['mint-manifest demo', 'npm run demo'],
        [EXIT_CODES.ok('the demo ran through'), EXIT_CODES.error()],
      ),
    )
    .action(async (_opts: unknown, cmd: Command) => runDemo(createContext(cmd)));
}

async function runDemo(ctx: CliContext): Promise<void> {
  const { out } = ctx;
  const file = path.join(packageRoot(), 'examples', 'mint.yaml');
  if (!fs.existsSync(file)) throw new CliExitError(1, `the demo manifest is missing: ${file}`);
  const shown = path.relative(ctx.cwd, file) || file;
  const step = (n: number, text: string) => out.out(`\n${out.c.bold(`==> ${n}/4 ${text}`)}`);

  out.out(out.c.bold('mint-manifest demo: a local MINT sandbox, no set-up, nothing leaves this machine'));
  const sandbox = await startSandbox({ port: 0, quiet: true });
  ctx.out.addSecret(sandbox.adminToken);
  // An empty environment: the demo must never pick up a real MINT_URL/MINT_TOKEN.
  const client = new MintClient({ baseUrl: sandbox.url, token: sandbox.adminToken, env: {} });
  out.out(`started the sandbox at ${sandbox.url} (in memory; stopped at the end)`);
  const progress = createProgress(out);
  try {
    step(1, `validate ${shown}`);
    // the examples folder is the workspace, wherever the demo is started from
    const loaded = await loadManifests([file], {
      cwd: ctx.cwd,
      workspaceRoot: path.dirname(file),
      env: ctx.env,
    });
    for (const w of loaded.warnings) out.out(formatDiagnostic(w));
    if (!loaded.ok) {
      for (const d of loaded.errors) out.err(formatDiagnostic(d));
      throw new CliExitError(1, `the demo manifest ${shown} is invalid`);
    }
    const manifest = loaded.manifest;
    out.out(
      `${out.c.green('✓')} valid: stack ${manifest.stack}, ${manifest.experiments.length} experiments, ${manifest.projects.length} projects`,
    );

    step(2, 'plan (what would change in MINT)');
    const first = await plan({ manifest, client, onEvent: progress.sink });
    progress.stop();
    out.out(renderPlanText(first, { color: out.color }));

    step(3, 'apply --auto-approve');
    progress.expectActions(first.actions.length);
    const { result } = await apply({ manifest, client, savedPlan: first, onEvent: progress.sink });
    progress.stop();
    const created = createdExperiments(result);
    out.out(renderApplyReport(out, result, created, 'every'));
    if (!result.success) throw new CliExitError(1, 'the demo apply failed (see above)');

    step(4, 'plan again (MINT now matches the manifest)');
    const second = await plan({ manifest, client, onEvent: progress.sink });
    progress.stop();
    out.out(renderPlanText(second, { color: out.color }));
    if (second.hasChanges) throw new CliExitError(1, 'the second plan still shows changes: this is a bug');

    const stats = sandbox.stats();
    out.out(
      `\n${out.c.green('✓')} demo done: ${result.summary.ok} changes applied, then no changes; the sandbox served ${stats.reads} reads and ${stats.writes} writes.`,
    );
    out.out(
      'Next: `mint-manifest sandbox` to keep a local MINT running, or point MINT_URL/MINT_TOKEN at yours.',
    );
  } finally {
    progress.stop();
    client.close();
    await sandbox.close();
  }
}
