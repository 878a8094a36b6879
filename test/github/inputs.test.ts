// Inputs are read from INPUT_* variables exactly as the runner sets them (upper case, dashes kept).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError, parseInputs, splitList } from '../../src/github/inputs.js';

function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

afterEach(() => {
  process.env = saved;
});

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[inputVar(name)] = value;
}

function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseInputs', () => {
  it('defaults: plan on mint.yaml, everything else unset', () => {
    const inputs = parseInputs();
    expect(inputs.command).toBe('plan');
    expect(inputs.manifests).toEqual(['mint.yaml']);
    expect(inputs.prune).toBeUndefined();
    expect(inputs.commentOnPr).toBeUndefined();
    expect(inputs.maxDeletes).toBeUndefined();
    expect(inputs.mintToken).toBeUndefined();
  });

  it('reads every input with the runner naming (INPUT_MINT-TOKEN)', () => {
    setInputs({
      command: 'apply',
      manifest: 'a.yaml\nstacks/*.yaml, b.yaml',
      'mint-url': 'https://mint.example.org',
      'mint-token': 'mint_pat_secret',
      prune: 'true',
      'max-deletes': '3',
      concurrency: '4',
      timeout: '2.5',
      retries: '0',
      'continue-on-error': 'False',
      'comment-on-pr': 'FALSE',
      'github-token': 'ghs_x',
      'expect-fingerprint': 'ABCDEF0123456789',
      'fail-on-changes': 'true',
      'working-directory': 'infra',
    });
    expect(process.env['INPUT_MINT-TOKEN']).toBe('mint_pat_secret');
    expect(parseInputs()).toEqual({
      command: 'apply',
      manifests: ['a.yaml', 'stacks/*.yaml', 'b.yaml'],
      mintUrl: 'https://mint.example.org',
      mintToken: 'mint_pat_secret',
      mintUsername: undefined,
      mintPassword: undefined,
      prune: true,
      maxDeletes: 3,
      concurrency: 4,
      timeoutMs: 2500,
      retries: 0,
      continueOnError: false,
      commentOnPr: false,
      comment: 'off',
      label: undefined,
      schemaVersion: undefined,
      githubToken: 'ghs_x',
      expectFingerprint: 'abcdef0123456789',
      failOnChanges: true,
      experiment: undefined,
      pluginId: undefined,
      resultFile: undefined,
      designFile: undefined,
      workingDirectory: 'infra',
      allowEnv: [],
    });
  });

  it('keeps true, false and unset distinct for optional booleans; empty is unset', () => {
    setInputs({ prune: 'true', 'continue-on-error': 'false', 'fail-on-changes': '' });
    const inputs = parseInputs();
    expect(inputs.prune).toBe(true);
    expect(inputs.continueOnError).toBe(false);
    expect(inputs.failOnChanges).toBeUndefined();
    expect(inputs.commentOnPr).toBeUndefined();
  });

  it('treats empty and whitespace-only inputs as not given', () => {
    setInputs({ 'mint-url': '', 'max-deletes': '   ', manifest: '' });
    const inputs = parseInputs();
    expect(inputs.mintUrl).toBeUndefined();
    expect(inputs.maxDeletes).toBeUndefined();
    expect(inputs.manifests).toEqual(['mint.yaml']);
  });

  it('rejects a non-boolean with one line naming the input', () => {
    setInputs({ prune: 'yes' });
    const err = inputErrorOf(() => parseInputs());
    expect(err.input).toBe('prune');
    expect(err.message).toBe(
      'Input "prune" must be true or false, found "yes" — fix it in the step\'s "with:" block',
    );
  });

  it.each([
    ['max-deletes', '-1'],
    ['max-deletes', 'ten'],
    ['concurrency', '0'],
    ['retries', '1.5'],
    ['timeout', '0'],
    ['timeout', '30s'],
  ])('rejects %s=%s', (name, value) => {
    setInputs({ [name]: value });
    const err = inputErrorOf(() => parseInputs());
    expect(err.input).toBe(name);
    expect(err.message).toContain(`"${value}"`);
    expect(err.message).not.toContain('\n');
  });

  it('rejects an unknown command and a malformed fingerprint', () => {
    setInputs({ command: 'destroy' });
    expect(inputErrorOf(() => parseInputs()).message).toContain(
      'must be one of validate, plan, apply, upload',
    );
    setInputs({ command: 'apply', 'expect-fingerprint': 'not-hex!' });
    expect(inputErrorOf(() => parseInputs()).input).toBe('expect-fingerprint');
  });

  it('upload needs experiment, plugin-id and exactly one file', () => {
    setInputs({ command: 'upload', experiment: 'EXP-1', 'plugin-id': 'peak-qc' });
    expect(inputErrorOf(() => parseInputs()).message).toContain('exactly one of');
    setInputs({ 'result-file': 'r.json', 'design-file': 'd.json' });
    expect(inputErrorOf(() => parseInputs()).message).toContain('exactly one of');
    delete process.env[inputVar('design-file')];
    expect(parseInputs()).toMatchObject({ experiment: 'EXP-1', pluginId: 'peak-qc', resultFile: 'r.json' });
    delete process.env[inputVar('experiment')];
    expect(inputErrorOf(() => parseInputs()).input).toBe('experiment');
  });

  it('needs username and password together (unless a token is given)', () => {
    setInputs({ 'mint-password': 'pw' });
    expect(inputErrorOf(() => parseInputs()).input).toBe('mint-username');
    setInputs({ 'mint-username': 'alice' });
    expect(parseInputs()).toMatchObject({ mintUsername: 'alice', mintPassword: 'pw' });
    delete process.env[inputVar('mint-password')];
    expect(inputErrorOf(() => parseInputs()).input).toBe('mint-password');
  });
});

describe('splitList', () => {
  it('splits on newlines and commas but not inside glob braces', () => {
    expect(splitList('a.yaml,\n  b/{x,y}.yaml\r\n\n, c.yaml ')).toEqual(['a.yaml', 'b/{x,y}.yaml', 'c.yaml']);
  });
});

describe('comment, label and schema-version', () => {
  it('comment defaults to always; changes-only and off are accepted; comment-on-pr: false still turns it off', () => {
    setInputs({});
    expect(parseInputs().comment).toBe('always');
    setInputs({ comment: 'changes-only' });
    expect(parseInputs().comment).toBe('changes-only');
    setInputs({ comment: 'always', 'comment-on-pr': 'false' });
    expect(parseInputs().comment).toBe('off');
    delete process.env[inputVar('comment-on-pr')];
    setInputs({ comment: 'sometimes' });
    expect(inputErrorOf(() => parseInputs()).message).toMatch(
      /"comment" must be one of always, changes-only, off/,
    );
  });

  it('label is one short plain line (it goes into a hidden HTML comment)', () => {
    setInputs({ label: 'production' });
    expect(parseInputs().label).toBe('production');
    setInputs({ label: 'x --> <script>' });
    expect(inputErrorOf(() => parseInputs()).input).toBe('label');
  });

  it('schema-version belongs to design uploads', () => {
    const upload = { command: 'upload', experiment: 'EXP-1', 'plugin-id': 'p' };
    setInputs({ ...upload, 'design-file': 'd.json', 'schema-version': '2.1' });
    expect(parseInputs().schemaVersion).toBe('2.1');
    delete process.env[inputVar('design-file')];
    setInputs({ ...upload, 'result-file': 'r.json', 'schema-version': '2.1' });
    expect(inputErrorOf(() => parseInputs()).input).toBe('schema-version');
  });
});

describe('allow-insecure-http', () => {
  it('is an input declared in action.yml, read as true/false/unset', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const yaml = fs.readFileSync(path.resolve(__dirname, '../../action.yml'), 'utf8');
    expect(yaml).toMatch(/^ {2}allow-insecure-http:\n {4}description: /m);
    expect(parseInputs().allowInsecureHttp).toBeUndefined();
    setInputs({ 'allow-insecure-http': 'true' });
    expect(parseInputs().allowInsecureHttp).toBe(true);
    setInputs({ 'allow-insecure-http': 'yes' });
    expect(inputErrorOf(() => parseInputs()).input).toBe('allow-insecure-http');
  });
});
