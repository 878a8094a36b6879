// The one redaction path shared by the CLI and the Action (logs and files alike).
import { describe, expect, it } from 'vitest';
import { Redactor as FromLogging } from '../src/github/logging.js';
import { Redactor } from '../src/redact.js';

describe('Redactor', () => {
  it('replaces registered values (longest first) and token shapes, and ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.add('pw-1');
    r.add('pw-1-longer');
    r.add('abc');
    r.add(undefined);
    expect(r.values()).toEqual(['pw-1-longer', 'pw-1']);
    expect(
      r.redact(
        'a pw-1-longer b pw-1 c abc mint_pat_Zz9.x-y Bearer 0123456789abcdefXYZ eyJhbGciOi.eyJzdWIi.sig',
      ),
    ).toBe('a *** b *** c abc *** Bearer *** ***');
  });

  it('is the class the Action imports from its logging module', () => {
    expect(FromLogging).toBe(Redactor);
  });
});
