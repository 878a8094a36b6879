// Each error class from a real server response, in the structured and the legacy body shapes,
// and no token in any error string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  MintApiError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  ValidationError,
} from '../../src/client/index.js';
import type { ExperimentCreate } from '../../src/client/models.js';
import { allText, caught, harness, type Harness } from './helpers.js';

for (const legacyErrors of [false, true]) {
  describe(`error classes (${legacyErrors ? 'legacy' : 'structured'} bodies)`, () => {
    let h: Harness;
    const errors: Error[] = [];
    beforeAll(async () => {
      h = await harness({ legacyErrors, users: [{ username: 'ann', password: 'ann-pw', role: 'member' }] });
    });
    afterAll(() => h.close());

    async function fails(p: Promise<unknown>): Promise<MintApiError> {
      const err = await caught(p);
      errors.push(err);
      expect(err).toBeInstanceOf(MintApiError);
      expect(err.message).not.toMatch(/\n/);
      return err as MintApiError;
    }

    it('404 → NotFoundError with method, path and request id', async () => {
      const err = await fails(h.client().experiments.get(424242));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ status: 404, method: 'GET', path: '/api/experiments/424242' });
      expect(err.requestId).toBeTruthy();
      expect(err.message).toMatch(/^GET \/api\/experiments\/424242 → 404 \S+: .+ \(request \S+\)$/);
    });

    it('422/400 → ValidationError', async () => {
      const err = await fails(
        h.client().experiments.create({ experiment_type: 'general' } as ExperimentCreate),
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect([400, 422]).toContain(err.status);
      expect(err.message).toContain('name');
      expect(err.mayHaveCommitted).toBe(false);
    });

    it('409 → ConflictError', async () => {
      const c = h.client();
      const settings = c.plugins.settings('/api/dose-response');
      const read = await settings.get();
      await settings.put({ a: 1 }, read.revision);
      const err = await fails(settings.put({ a: 2 }, read.revision));
      expect(err).toBeInstanceOf(ConflictError);
      expect(err.status).toBe(409);
    });

    it('403 → PermissionError', async () => {
      const err = await fails(
        h.client({ token: undefined, username: 'ann', password: 'ann-pw' }).admin.users(),
      );
      expect(err).toBeInstanceOf(PermissionError);
    });

    it('401 → AuthenticationError', async () => {
      const err = await fails(h.client({ token: 'mint_pat_revoked0000000000' }).whoami());
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.code).toMatch(/^auth\./);
    });

    it('429 → RateLimitError with Retry-After', async () => {
      h.sandbox.setFaults({ rules: [{ route: 'GET /api/experiments', rateLimit: 1, retryAfterSeconds: 7 }] });
      try {
        const err = await fails(h.client({ retries: 0 }).experiments.list());
        expect(err).toBeInstanceOf(RateLimitError);
        expect((err as RateLimitError).retryAfterMs).toBe(7000);
      } finally {
        h.sandbox.setFaults({ rules: [] });
      }
    });

    it('500 and 503 → ServerError', async () => {
      for (const fault of [{ error500: 1 }, { error503: 1 }]) {
        h.sandbox.setFaults({ rules: [{ route: 'GET /api/users/me', ...fault }] });
        try {
          const err = await fails(h.client({ retries: 0 }).whoami());
          expect(err).toBeInstanceOf(ServerError);
          expect(err.status).toBe('error500' in fault ? 500 : 503);
        } finally {
          h.sandbox.setFaults({ rules: [] });
        }
      }
    });

    it('no error string carries the token', () => {
      expect(errors.length).toBeGreaterThanOrEqual(7);
      for (const err of errors) {
        const text = allText(err);
        expect(text).not.toContain(h.sandbox.adminToken);
        expect(text).not.toContain('ann-pw');
        expect(text).not.toMatch(/Bearer/i);
      }
    });
  });
}
