// Text a pull request writes (manifest keys, tag names, design data keys) is logged by the Action,
// but never runs as a workflow command (`::set-output`, `::warning`, `::add-mask`…): the runner
// trims each line and runs any that starts with `::`. Run `npm run package` first.
import { describe, expect, it } from 'vitest';
import { makeWorkspace, runAction, useActionFixture } from './harness.js';

const fx = useActionFixture();

/** The commands the runner would run from this stdout, honouring `::stop-commands::`. */
function runnerCommands(stdout: string): string[] {
  const commands: string[] = [];
  let stoppedUntil: string | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimStart();
    if (!line.startsWith('::')) continue;
    if (stoppedUntil !== undefined) {
      if (line.trimEnd() === `::${stoppedUntil}::`) stoppedUntil = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line.trimEnd());
    if (stop) stoppedUntil = stop[1];
    else commands.push(line);
  }
  return commands;
}

/** Commands the manifest text tried to run (the Action's own `::error`/`::debug` only quote it). */
const forged = (stdout: string) =>
  runnerCommands(stdout).filter((c) =>
    /^::(set-output|add-mask::injected|warning title=Forged|warning::injected)/.test(c),
  );

describe('workflow commands in manifest text', () => {
  it('a tag name or design key in the plan log runs no command', async () => {
    const ws = makeWorkspace({
      'mint.yaml': [
        'version: 1',
        'stack: gh-inject',
        'experiments:',
        '  - key: a',
        '    name: A',
        '    experiment_type: lcms_batch',
        '    tags: {"k\\n::set-output name=fingerprint::forged": "v\\n  ::warning::injected"}',
        '    design:',
        '      plugin_id: p',
        '      data: {"d\\n::add-mask::injected": 1}',
        '',
      ].join('\n'),
    });
    const r = await runAction(
      ws,
      fx.mintInputs({ command: 'plan', 'comment-on-pr': 'false' }),
      fx.githubEnv(),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('set-output name=fingerprint::forged');
    expect(forged(r.stdout)).toEqual([]);
  });

  it('a manifest key quoted in a diagnostic runs no command', async () => {
    const ws = makeWorkspace({
      'mint.yaml': [
        'version: 1',
        'stack: gh-inject',
        'experiments:',
        '  - key: a',
        '    name: A',
        '    experiment_type: lcms_batch',
        '    "zz\\n::warning title=Forged::injected by the PR": 1',
        '',
      ].join('\n'),
    });
    const r = await runAction(ws, { command: 'validate' });
    expect(r.code).toBe(1);
    expect(forged(r.stdout)).toEqual([]);
  });
});
