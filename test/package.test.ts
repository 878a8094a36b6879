// The package surface a user imports: the exports map resolves (by self-reference, as a consumer would)
// to built modules that expose the documented entry points.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  exports: Record<string, unknown>;
};

function exportedKeys(specifier: string): string[] {
  const script = `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }),
  ) as string[];
}

describe('package exports', () => {
  it.each([
    ['mint-manifest', ['MintClient', 'loadManifests', 'plan', 'apply', 'renderPlanText', 'MintApiError']],
    ['mint-manifest/client', ['MintClient', 'NotFoundError', 'ConnectionError', 'resolveConnection']],
    ['mint-manifest/manifest', ['loadManifests', 'formatDiagnostic', 'manifestSchema']],
    ['mint-manifest/actions', ['plan', 'apply', 'upload', 'exportManifest', 'planToJson']],
    ['mint-manifest/sandbox', ['startSandbox']],
  ])('%s exposes its entry points', (specifier, names) => {
    expect(exportedKeys(specifier)).toEqual(expect.arrayContaining(names));
  });

  it('ships the JSON Schema at the documented subpath', () => {
    const schema = JSON.parse(
      execFileSync(
        process.execPath,
        ['-e', 'console.log(JSON.stringify(require("mint-manifest/schema/manifest.schema.json")))'],
        { cwd: root, encoding: 'utf8' },
      ),
    ) as { $schema: string };
    expect(schema.$schema).toContain('2020-12');
  });

  it('has an executable bin with a node shebang', () => {
    const bin = path.join(root, pkg.bin['mint-manifest']);
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim()).toMatch(
      /^\d+\.\d+\.\d+/,
    );
  });
});
