// A pull request writes the design schemas too: a pattern that backtracks exponentially in
// JavaScript (`^(a+)+$` against 40 a's and a `!`) must not hold the runner for hours. The bundled
// Action matches patterns with RE2, shipped as dist/re2.wasm. Run `npm run package` first.
import { describe, expect, it } from 'vitest';
import { makeWorkspace, runAction } from './harness.js';

describe('design-schema patterns in the Action', () => {
  it('a catastrophic pattern fails the data at once, located in the manifest', async () => {
    const ws = makeWorkspace({
      'schemas/lcms.json': JSON.stringify({
        type: 'object',
        properties: { code: { type: 'string', pattern: '^(a+)+$' } },
      }),
      'mint.yaml': [
        'version: 1',
        'stack: gh-redos',
        'schemas:',
        '  lcms_batch: schemas/lcms.json',
        'experiments:',
        '  - key: a',
        '    name: A',
        '    experiment_type: lcms_batch',
        '    design:',
        '      plugin_id: p',
        '      data:',
        `        code: "${'a'.repeat(40)}!"`,
        '',
      ].join('\n'),
    });
    const r = await runAction(ws, { command: 'validate' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('::error file=mint.yaml,line=12,col=15::`code` has an invalid format');
    expect(r.stdout + r.stderr).not.toMatch(/wasm|ENOENT/);
  });

  it('a lookahead is named where the schema file writes it', async () => {
    const ws = makeWorkspace({
      'schemas/lcms.yaml': 'type: object\nproperties:\n  code:\n    pattern: "^(?!tmp)"\n',
      'mint.yaml': [
        'version: 1',
        'stack: gh-redos',
        'schemas:',
        '  lcms_batch: schemas/lcms.yaml',
        'experiments:',
        '  - key: a',
        '    name: A',
        '    experiment_type: lcms_batch',
        '    design:',
        '      plugin_id: p',
        '      data: { code: abc }',
        '',
      ].join('\n'),
    });
    const r = await runAction(ws, { command: 'validate' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      '::error file=schemas/lcms.yaml,line=4,col=14::pattern `^(?!tmp)` cannot be used',
    );
  });
});
