// The built Action and plain http to a host other than the runner: refused unless the input
// allow-insecure-http is true, and then a warning annotation on every run. Run `npm run package` first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { DIST, experiment, makeWorkspace, manifest, runAction, visibleText } from './harness.js';

let sandbox: Sandbox;
const ip = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

beforeAll(async () => {
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: run "npm run package" before these tests`);
  sandbox = await startSandbox({ port: 0, host: '0.0.0.0', quiet: true });
});
afterAll(() => sandbox?.close());

// every runner and container has a non-loopback address; without one this cannot be exercised
describe.runIf(ip)('allow-insecure-http', () => {
  const inputs = (extra: Record<string, string> = {}) => ({
    command: 'plan',
    manifest: 'mint.yaml',
    'mint-url': `http://${ip}:${new URL(sandbox.url).port}`,
    'mint-token': sandbox.adminToken,
    'comment-on-pr': 'false',
    ...extra,
  });
  const ws = () => makeWorkspace({ 'mint.yaml': manifest('gh-insecure', [experiment('a')]) });

  it('without it, plain http to another host fails naming the input, and nothing is sent', async () => {
    const before = sandbox.stats().total;
    const run = await runAction(ws(), inputs());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::.*refusing to send credentials over plain http.*allow-insecure-http: true/m,
    );
    expect(sandbox.stats().total).toBe(before);
  });

  it('with allow-insecure-http: true the plan runs, with a warning annotation', async () => {
    const run = await runAction(ws(), inputs({ 'allow-insecure-http': 'true' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^::warning::INSECURE: credentials and lab data go to .* over plain http/m);
    expect(visibleText(run)).not.toContain(sandbox.adminToken);
  });
});
