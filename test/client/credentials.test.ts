import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialsPath,
  deleteCredentials,
  readCredentials,
  resolveConnection,
  writeCredentials,
} from '../../src/client/credentials.js';
import { MintConfigError } from '../../src/client/errors.js';
import { MintClient } from '../../src/client/index.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mint-creds-'));
  env = { HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg') };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function put(rel: string, data: unknown, mode = 0o600): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data), { mode });
  return file;
}

describe('credentials file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath(env)).toBe(path.join(dir, 'xdg', 'mint', 'credentials.json'));
    expect(credentialsPath({ HOME: '/h' })).toBe(path.join('/h', '.config', 'mint', 'credentials.json'));
  });

  it('reads the flat shape', () => {
    const file = put('xdg/mint/credentials.json', {
      url: 'https://mint.example.org',
      token: 't1',
      username: 'ann',
    });
    expect(readCredentials(env)).toEqual({
      url: 'https://mint.example.org',
      token: 't1',
      username: 'ann',
      file,
    });
  });

  it('reads the per-host shape, default host or a named one', () => {
    put('xdg/mint/credentials.json', {
      default: 'https://b.example.org',
      hosts: {
        'https://a.example.org': { token: 'ta' },
        'https://b.example.org/': { token: 'tb', username: 'bo' },
      },
    });
    expect(readCredentials(env)).toMatchObject({ token: 'tb', username: 'bo' });
    expect(readCredentials(env, 'https://a.example.org/api')).toMatchObject({ token: 'ta' });
    expect(readCredentials(env, 'https://c.example.org')).toBeUndefined();
  });

  it('falls back to the older mld file in ~/.config', () => {
    const file = put('home/.config/mld/credentials.json', { url: 'https://old.example.org', token: 'old' });
    expect(readCredentials(env)).toEqual({
      url: 'https://old.example.org',
      token: 'old',
      username: undefined,
      file,
    });
  });

  it('prefers the mint file over the mld one', () => {
    put('home/.config/mld/credentials.json', { url: 'https://old.example.org', token: 'old' });
    put('home/.config/mint/credentials.json', { url: 'https://new.example.org', token: 'new' });
    expect(readCredentials({ HOME: env.HOME })?.token).toBe('new');
  });

  it('writes the per-host shape with mode 0600, keeping other hosts', () => {
    const file = writeCredentials({ url: 'https://a.example.org/api', token: 'ta' }, env);
    writeCredentials({ url: 'https://b.example.org', token: 'tb', username: 'bo' }, env);
    expect(file).toBe(credentialsPath(env));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      default: 'https://b.example.org',
      hosts: {
        'https://a.example.org': { token: 'ta' },
        'https://b.example.org': { token: 'tb', username: 'bo' },
      },
    });
  });

  it('warns about a world-readable file, and tightens it on write', async () => {
    const file = put('xdg/mint/credentials.json', { url: 'https://a.example.org', token: 'x' }, 0o644);
    fs.chmodSync(file, 0o644);
    const warnings: Error[] = [];
    const listen = (w: Error) => warnings.push(w);
    process.on('warning', listen);
    try {
      readCredentials(env);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listen);
    }
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining(`chmod 600 ${file}`)]);
    writeCredentials({ url: 'https://a.example.org', token: 'y' }, env);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('deletes one host or the whole file', () => {
    writeCredentials({ url: 'https://a.example.org', token: 'ta' }, env);
    writeCredentials({ url: 'https://b.example.org', token: 'tb' }, env);
    expect(deleteCredentials('https://b.example.org', env)).toBe(true);
    expect(readCredentials(env)).toMatchObject({ url: 'https://a.example.org', token: 'ta' });
    expect(deleteCredentials(undefined, env)).toBe(true);
    expect(fs.existsSync(credentialsPath(env))).toBe(false);
    expect(deleteCredentials(undefined, env)).toBe(false);
  });

  it('names the file when it is not JSON', () => {
    const file = path.join(dir, 'xdg/mint/credentials.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{oops', { mode: 0o600 });
    expect(() => readCredentials(env)).toThrow(file);
  });
});

describe('MintClient reads its connection the same way', () => {
  it('from MINT_URL / MINT_TOKEN, and from a given credentialsFile', () => {
    const c1 = new MintClient({ env: { ...env, MINT_URL: 'https://env.example.org/api', MINT_TOKEN: 'te' } });
    expect(c1.baseUrl).toBe('https://env.example.org');
    expect(c1.token).toBe('te');
    const file = put('elsewhere/creds.json', { url: 'https://file.example.org', token: 'tf' });
    const c2 = new MintClient({ env, credentialsFile: file });
    expect(c2.baseUrl).toBe('https://file.example.org');
    expect(c2.token).toBe('tf');
  });
  it('explicit username/password win over MINT_TOKEN', () => {
    const c = new MintClient({
      env: { ...env, MINT_URL: 'https://m.example.org', MINT_TOKEN: 'te' },
      username: 'u',
      password: 'p',
    });
    expect(c.token).toBeUndefined();
  });
});

describe('resolveConnection', () => {
  it('argument beats MINT_URL/MINT_TOKEN beats the file, and strips /api', () => {
    put('xdg/mint/credentials.json', { url: 'https://file.example.org', token: 'tf' });
    const withEnv = { ...env, MINT_URL: 'https://env.example.org/api/', MINT_TOKEN: 'te' };
    expect(resolveConnection({ baseUrl: 'https://arg.example.org', token: 'ta' }, withEnv)).toEqual({
      baseUrl: 'https://arg.example.org',
      token: 'ta',
      source: 'argument',
    });
    expect(resolveConnection({}, withEnv)).toEqual({
      baseUrl: 'https://env.example.org',
      token: 'te',
      source: 'env',
    });
    expect(resolveConnection({}, env)).toMatchObject({ baseUrl: 'https://file.example.org', token: 'tf' });
  });

  it('uses the stored token only for the host it was stored for', () => {
    put('xdg/mint/credentials.json', { url: 'https://file.example.org', token: 'tf' });
    expect(resolveConnection({ baseUrl: 'https://file.example.org/api' }, env).token).toBe('tf');
    expect(resolveConnection({ baseUrl: 'https://other.example.org' }, env).token).toBeUndefined();
  });

  it('names all three sources when no URL is configured', () => {
    let err: unknown;
    try {
      resolveConnection({}, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MintConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('--url');
    expect(msg).toContain('MINT_URL');
    expect(msg).toContain(credentialsPath(env));
  });
});
