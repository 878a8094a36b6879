// The built Action and `${VAR}`: only allowed variables, never credentials or masked values, and a
// pull request cannot publish a runner secret through the plan comment. Run `npm run package` first.
import { describe, expect, it } from 'vitest';
import {
  experiment,
  makeWorkspace,
  manifest,
  PR,
  runAction,
  useActionFixture,
  visibleText,
} from './harness.js';

const DEPLOY_KEY = 'ssh-ed25519 AAAAC3NzaActionDeployKey';
const fx = useActionFixture();

const withNotes = (notes: string) =>
  makeWorkspace({ 'mint.yaml': manifest('gh-env', [experiment('a', [`notes: "${notes}"`])]) }, PR);

const errorLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

describe('${VAR} in the Action', () => {
  it('pull_request_target: a PR referencing a runner secret fails validation; the comment says so without the value', async () => {
    const ws = withNotes('leak ${DEPLOY_KEY}');
    const before = fx.gh.writes().length;
    const r = await runAction(ws, fx.mintInputs({ command: 'plan' }), {
      ...fx.githubEnv(),
      GITHUB_EVENT_NAME: 'pull_request_target',
      DEPLOY_KEY,
    });
    expect(r.code).toBe(1);
    const [annotation] = errorLines(r.stdout);
    expect(annotation).toMatch(/^::error file=mint\.yaml,line=8,col=18/);
    expect(annotation).toContain('`DEPLOY_KEY` may not be read');
    expect(annotation).toContain('allow-env: DEPLOY_KEY');
    // The failure replaces the plan comment (a stale plan never stays up); it names the variable,
    // never its value.
    const written = fx.gh.writes().slice(before);
    expect(written).toHaveLength(1);
    expect(written[0].body?.body).toContain('MINT plan failed');
    expect(written[0].body?.body).toContain('DEPLOY_KEY');
    expect(JSON.stringify(written)).not.toContain('AAAAC3Nza');
    expect(visibleText(r)).not.toContain('AAAAC3Nza');
    expect(fx.commentBodies().join('\n')).not.toContain('AAAAC3Nza');
  });

  it('reads MINT_VAR_* and the run context by default; more through the allow-env input', async () => {
    const ws = withNotes('${GITHUB_SHA} ${MINT_VAR_BATCH} ${LAB_RUN}');
    const env = { MINT_VAR_BATCH: 'b1', LAB_RUN: 'r9' };
    const refused = await runAction(ws, { command: 'validate' }, env);
    expect(refused.code).toBe(1);
    expect(errorLines(refused.stdout).join('\n')).toContain('`LAB_RUN` may not be read');
    const allowed = await runAction(ws, { command: 'validate', 'allow-env': 'LAB_*' }, env);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    const fromEnv = await runAction(
      ws,
      { command: 'validate' },
      { ...env, MINT_MANIFEST_ALLOW_ENV: 'LAB_RUN' },
    );
    expect(fromEnv.code).toBe(0);
  });

  it('never interpolates GITHUB_TOKEN or a masked value, even when allowed', async () => {
    const token = fx.mintInputs()['mint-token'];
    const ws = withNotes('${GITHUB_TOKEN} ${MINT_VAR_COPY}');
    const r = await runAction(
      ws,
      { command: 'validate', 'allow-env': '*', 'mint-token': token },
      { GITHUB_TOKEN: 'ghs_actionEnvTest000000', MINT_VAR_COPY: token },
    );
    expect(r.code).toBe(1);
    const errors = errorLines(r.stdout).join('\n');
    expect(errors).toContain('`GITHUB_TOKEN` holds a credential');
    expect(errors).toContain('the value of `MINT_VAR_COPY` is a secret');
    expect(visibleText(r)).not.toContain(token);
    expect(visibleText(r)).not.toContain('ghs_actionEnvTest');
  });

  it('a malformed allow-env input fails the step with one line naming it', async () => {
    const r = await runAction(withNotes('x'), { command: 'validate', 'allow-env': 'LAB-RUN' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::Input "allow-env": "LAB-RUN" is not a variable name');
  });

  it('confines data files to GITHUB_WORKSPACE, not the working directory', async () => {
    const ws = makeWorkspace({
      'lab/mint.yaml': manifest('gh-root', [
        experiment('a', ['design:', '  plugin_id: p', '  data_file: ../shared/x.json']),
      ]),
      'shared/x.json': '{"x": 1}',
    });
    const r = await runAction(ws, { command: 'validate', 'working-directory': 'lab' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
