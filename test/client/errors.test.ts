import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  MintApiError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  ValidationError,
  errorFromResponse,
  parseErrorBody,
} from '../../src/client/errors.js';

describe('parseErrorBody: the four shapes', () => {
  it('structured, with legacy fields beside it', () => {
    const p = parseErrorBody({
      code: 'CONFLICT',
      message: 'name already used',
      status: 409,
      request_id: 'req-1',
      details: { field: 'name' },
      detail: 'legacy text',
      error: 'LEGACY',
    });
    expect(p).toEqual({
      code: 'CONFLICT',
      message: 'name already used',
      requestId: 'req-1',
      details: { field: 'name' },
    });
  });
  it('plugin exception {error, message, details}', () => {
    expect(parseErrorBody({ error: 'PLUGIN_ERROR', message: 'peak fit failed', details: [1] })).toEqual({
      code: 'PLUGIN_ERROR',
      message: 'peak fit failed',
      details: [1],
    });
  });
  it('FastAPI {detail: text}', () => {
    expect(parseErrorBody({ detail: 'Experiment not found' })).toEqual({ message: 'Experiment not found' });
  });
  it('validation {detail: [{loc, msg, type}]}', () => {
    const detail = [
      { loc: ['body', 'name'], msg: 'field required', type: 'value_error.missing' },
      { loc: ['query', 'limit'], msg: 'must be <= 1000', type: 'value_error' },
    ];
    expect(parseErrorBody({ detail })).toEqual({
      code: 'validation.request',
      message: 'body.name: field required; query.limit: must be <= 1000',
      details: detail,
    });
  });
  it('a JSON string, plain text, HTML and junk', () => {
    expect(parseErrorBody('{"detail":"gone"}').message).toBe('gone');
    expect(parseErrorBody('upstream down').message).toBe('upstream down');
    expect(parseErrorBody('<html><body>502</body></html>')).toEqual({});
    expect(parseErrorBody(null)).toEqual({});
    expect(parseErrorBody(42)).toEqual({});
  });
});

describe('errorFromResponse', () => {
  const base = { method: 'PATCH', path: '/api/experiments/42' };

  it('composes the one-line message with the request id', () => {
    const err = errorFromResponse({
      ...base,
      status: 409,
      body: { code: 'CONFLICT', message: 'name already used\nby EXP-7', request_id: '7f3a9c' },
    });
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toBeInstanceOf(MintApiError);
    expect(err.message).toBe(
      'PATCH /api/experiments/42 → 409 CONFLICT: name already used by EXP-7 (request 7f3a9c)',
    );
    expect(err).toMatchObject({ status: 409, code: 'CONFLICT', requestId: '7f3a9c', method: 'PATCH' });
  });

  it('falls back to the x-request-id header and a status default code', () => {
    const err = errorFromResponse({
      ...base,
      status: 404,
      body: { detail: 'nope' },
      headerRequestId: 'hdr-9',
    });
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.requestId).toBe('hdr-9');
  });

  it('classifies by status, not text', () => {
    const cls = (status: number) => errorFromResponse({ ...base, status, body: { detail: 'not found' } });
    expect(cls(401)).toBeInstanceOf(AuthenticationError);
    expect(cls(403)).toBeInstanceOf(PermissionError);
    expect(cls(400)).toBeInstanceOf(ValidationError);
    expect(cls(422)).toBeInstanceOf(ValidationError);
    expect(cls(429)).toBeInstanceOf(RateLimitError);
    expect(cls(500)).toBeInstanceOf(ServerError);
    expect(cls(503)).toBeInstanceOf(ServerError);
    expect(cls(418).constructor).toBe(MintApiError);
  });

  it('turns auth.second_factor_required into advice to use a personal access token', () => {
    const err = errorFromResponse({
      method: 'POST',
      path: '/api/auth/login',
      status: 401,
      body: { code: 'auth.second_factor_required', message: 'second factor required' },
    });
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toContain('personal access token');
  });

  it('scrubs secrets from message, details and toJSON', () => {
    const token = 'mint_pat_supersecretvalue';
    const err = errorFromResponse({
      ...base,
      status: 400,
      body: { message: `bad header Bearer ${token}`, details: { echoed: token } },
      secrets: [token],
    });
    expect(err.message).not.toContain(token);
    expect(JSON.stringify(err)).not.toContain(token);
    expect(JSON.stringify(err.toJSON())).not.toContain('headers');
  });

  it('keeps Retry-After on a RateLimitError', () => {
    const err = errorFromResponse({ ...base, method: 'GET', status: 429, body: {}, retryAfterMs: 2000 });
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(2000);
    expect(err.message).toBe('GET /api/experiments/42 → 429 RATE_LIMITED: too many requests');
  });
});
