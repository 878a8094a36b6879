// A pull request can commit a symlink: a manifest that links outside GITHUB_WORKSPACE (the runner's
// environment, a credentials file) is refused without reading it. Run `npm run package` first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWorkspace, runAction, visibleText } from './harness.js';

const DEPLOY_KEY = 'DeployKeyViaSymlink0123456789';

describe('manifest symlinks', () => {
  it.each([
    ['/proc/self/environ', 'mint.yaml'],
    ['outside', 'manifests/mint.yaml'],
  ])('a manifest linking to %s is refused and its content never shown', async (target, name) => {
    const ws = makeWorkspace({ 'README.md': 'x' });
    const outside = path.join(path.dirname(ws.dir), 'outside.yaml');
    fs.writeFileSync(outside, `version: 1\nstack: ${DEPLOY_KEY}\n`);
    fs.mkdirSync(path.dirname(path.join(ws.dir, name)), { recursive: true });
    fs.symlinkSync(target === 'outside' ? outside : target, path.join(ws.dir, name));
    const r = await runAction(ws, { command: 'validate', manifest: name }, { DEPLOY_KEY });
    expect(r.code).toBe(1);
    expect(visibleText(r)).not.toContain(DEPLOY_KEY);
    expect(r.stdout).toMatch(/::error[^\n]*symlink leading outside the workspace root/);
  });

  it('a manifest folder that is a symlink out of the workspace is refused too', async () => {
    const ws = makeWorkspace({ 'README.md': 'x' });
    const outsideDir = path.join(path.dirname(ws.dir), 'outside-dir');
    fs.mkdirSync(outsideDir);
    fs.writeFileSync(path.join(outsideDir, 'm.yaml'), `version: 1\nstack: ${DEPLOY_KEY}\n`);
    fs.symlinkSync(outsideDir, path.join(ws.dir, 'manifests'));
    const r = await runAction(ws, { command: 'validate', manifest: 'manifests' });
    expect(r.code).toBe(1);
    expect(visibleText(r)).not.toContain(DEPLOY_KEY);
  });
});
