// Files the Action writes (plan JSON, apply result JSON) get the same redaction as its log:
// a masked value or a token-shaped string never lands in them. Run `npm run package` first.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { experiment, makeWorkspace, manifest, runAction, useActionFixture } from './harness.js';

const fx = useActionFixture();

describe('files the Action writes are redacted', () => {
  it('plan and apply JSON never carry the masked token or a token-shaped value', async () => {
    const token = fx.mintToken;
    const ws = makeWorkspace({
      'mint.yaml': manifest('gh-redact', [
        experiment('a', [`notes: "pasted ${token} and mint_pat_strayShapedValue0123"`]),
      ]),
    });
    const plan = await runAction(ws, fx.mintInputs({ command: 'plan' }), fx.githubEnv());
    expect(plan.code).toBe(0);
    const planText = fs.readFileSync(plan.outputs['plan-json'], 'utf8');
    expect(planText).toContain('pasted ***');
    expect(planText).not.toContain(token);
    expect(planText).not.toContain('mint_pat_strayShapedValue0123');

    const applied = await runAction(ws, fx.mintInputs({ command: 'apply' }), fx.githubEnv());
    expect(applied.code).toBe(0);
    for (const file of [applied.outputs['plan-json'], applied.outputs['result-json']]) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text).not.toContain(token);
      expect(text).not.toContain('mint_pat_strayShapedValue0123');
    }
  });
});
