// A pull request writes the design schemas and the data: a pattern that backtracks exponentially
// (`^(a+)+$` against 40 a's and a `!`) must not hold the runner for hours. The Action stops the
// check at MINT_DESIGN_CHECK_TIMEOUT and names the design data. Run `npm run package` first.
import { describe, expect, it } from 'vitest';
import { makeWorkspace, runAction } from './harness.js';

describe('design checks in the Action', () => {
  it('a catastrophic pattern is stopped at the deadline, located in the manifest', async () => {
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
    const r = await runAction(ws, { command: 'validate' }, { MINT_DESIGN_CHECK_TIMEOUT: '1' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      '::error file=mint.yaml,line=12,col=9::checking design data against the design schemas took longer than 1 s, so it was stopped here (against the design schema for `lcms_batch`)',
    );
  });
});
