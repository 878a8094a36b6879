// The credentials file shared with the MINT platform CLI. Its keys are not documented, so both
// shapes are read: flat `{url, token, username?}` and per-host `{default, hosts: {URL: {token, username?}}}`.
// We always write the per-host shape, mode 0600.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MintConfigError } from './errors.js';
import { normalizeBaseUrl } from './http.js';

export interface StoredCredentials {
  url?: string;
  token?: string;
  username?: string;
  /** The file it came from. */
  file: string;
}

export interface ResolvedConnection {
  /** Origin (no /api). */
  baseUrl: string;
  token?: string;
  /** Where the URL came from: 'argument' | 'env' | a credentials file path. */
  source: string;
  /** The credentials file the token came from, when it did (a refreshed session is written back there). */
  tokenFile?: string;
}

interface HostEntry {
  token?: string;
  username?: string;
}

interface PerHostFile {
  default?: string;
  hosts: Record<string, HostEntry>;
}

function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

function configRoots(env: NodeJS.ProcessEnv): string[] {
  const roots: string[] = [];
  if (env.XDG_CONFIG_HOME) roots.push(env.XDG_CONFIG_HOME);
  const home = path.join(homeDir(env), '.config');
  if (!roots.includes(home)) roots.push(home);
  return roots;
}

/** Where we write: MINT_CREDENTIALS_FILE, else `$XDG_CONFIG_HOME/mint/credentials.json`, else `~/.config/mint/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MINT_CREDENTIALS_FILE) return env.MINT_CREDENTIALS_FILE;
  return path.join(configRoots(env)[0], 'mint', 'credentials.json');
}

/** Files read, in order: mint ones first, then the older platform CLI's `mld` ones. */
export function credentialsSearchPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.MINT_CREDENTIALS_FILE) return [env.MINT_CREDENTIALS_FILE];
  const roots = configRoots(env);
  return [
    ...roots.map((r) => path.join(r, 'mint', 'credentials.json')),
    ...roots.map((r) => path.join(r, 'mld', 'credentials.json')),
  ];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function sameHost(a: string, b: string): boolean {
  try {
    return normalizeBaseUrl(a) === normalizeBaseUrl(b);
  } catch {
    return false;
  }
}

const warnedFiles = new Set<string>();

/** Where a warning about the credentials file goes: a process warning unless the caller takes it. */
export type CredentialsWarning = (message: string) => void;

const processWarning: CredentialsWarning = (message) =>
  process.emitWarning(message, 'MintCredentialsWarning');

function readFileJson(file: string, warn: CredentialsWarning = processWarning): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MintConfigError(`cannot read credentials file ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32' && !warnedFiles.has(file)) {
    const mode = fs.statSync(file).mode;
    if (mode & 0o077) {
      warnedFiles.add(file);
      warn(
        `credentials file ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${file}`,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MintConfigError(
      `credentials file ${file} is not valid JSON: fix it, or delete it and log in again with \`mint-manifest auth login\``,
    );
  }
}

/** Normalises either file shape to the per-host one. */
function toPerHost(data: unknown): PerHostFile {
  if (!isRecord(data)) return { hosts: {} };
  if (isRecord(data.hosts)) {
    const hosts: Record<string, HostEntry> = {};
    for (const [url, entry] of Object.entries(data.hosts)) {
      if (isRecord(entry))
        hosts[url] = { token: optString(entry.token), username: optString(entry.username) };
    }
    return { default: optString(data.default) ?? optString(data.url), hosts };
  }
  const url = optString(data.url) ?? optString(data.base_url);
  const token = optString(data.token) ?? optString(data.access_token);
  // a flat file without url cannot say which server its token belongs to: it is not used
  if (!url) return { hosts: {} };
  return { default: url, hosts: { [url]: { token, username: optString(data.username) } } };
}

function entryFor(file: PerHostFile, url: string | undefined): [string, HostEntry] | undefined {
  if (url) {
    const found = Object.entries(file.hosts).find(([u]) => sameHost(u, url));
    return found;
  }
  if (file.default) {
    const found = Object.entries(file.hosts).find(([u]) => sameHost(u, file.default as string));
    return found ?? [file.default, {}];
  }
  const entries = Object.entries(file.hosts);
  return entries.length === 1 ? entries[0] : undefined;
}

/**
 * The stored credentials for `url` (or the default host when no url is given) from the first file
 * that has them; undefined when none does.
 */
export function readCredentials(
  env: NodeJS.ProcessEnv = process.env,
  url?: string,
  warn?: CredentialsWarning,
): StoredCredentials | undefined {
  for (const file of credentialsSearchPaths(env)) {
    const data = readFileJson(file, warn);
    if (data === undefined) continue;
    const hit = entryFor(toPerHost(data), url);
    if (hit) return { url: hit[0], token: hit[1].token, username: hit[1].username, file };
  }
  return undefined;
}

function writeAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Stores a token for `url` (made the default host), keeping other hosts. Returns the file path. */
export function writeCredentials(
  creds: { url: string; token: string; username?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  const file = credentialsPath(env);
  const url = normalizeBaseUrl(creds.url);
  let existing: PerHostFile = { hosts: {} };
  try {
    // no warning about its mode: the file is rewritten 0600 right below
    existing = toPerHost(readFileJson(file, () => undefined));
  } catch {
    // an unreadable file is replaced rather than blocking a fresh login
  }
  const hosts: Record<string, HostEntry> = {};
  for (const [u, entry] of Object.entries(existing.hosts)) if (!sameHost(u, url)) hosts[u] = entry;
  hosts[url] = creds.username ? { token: creds.token, username: creds.username } : { token: creds.token };
  writeAtomic(file, { default: url, hosts });
  return file;
}

/**
 * Forgets the token of `url`, or the whole file when no url is given. Only touches our own file,
 * never the older platform CLI's. Returns whether anything was removed.
 */
export function deleteCredentials(url?: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = credentialsPath(env);
  if (!fs.existsSync(file)) return false;
  if (url === undefined) {
    fs.rmSync(file, { force: true });
    return true;
  }
  const existing = toPerHost(readFileJson(file, () => undefined));
  const hosts = Object.fromEntries(Object.entries(existing.hosts).filter(([u]) => !sameHost(u, url)));
  if (Object.keys(hosts).length === Object.keys(existing.hosts).length) return false;
  const def = existing.default && !sameHost(existing.default, url) ? existing.default : Object.keys(hosts)[0];
  writeAtomic(file, { default: def, hosts });
  return true;
}

/**
 * URL: argument → MINT_URL → credentials file. Token: argument → MINT_TOKEN → the credentials
 * file's token for that same host (a token is never sent to a host it was not stored for).
 */
export function resolveConnection(
  opts: { baseUrl?: string; token?: string; onWarning?: CredentialsWarning },
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConnection {
  let baseUrl: string | undefined;
  let source: string;
  let stored: StoredCredentials | undefined;
  if (opts.baseUrl) {
    baseUrl = opts.baseUrl;
    source = 'argument';
  } else if (env.MINT_URL) {
    baseUrl = env.MINT_URL;
    source = 'env';
  } else {
    stored = readCredentials(env, undefined, opts.onWarning);
    baseUrl = stored?.url;
    source = stored?.file ?? '';
  }
  if (!baseUrl) {
    throw new MintConfigError(
      'no MINT server configured: pass --url, set MINT_URL, or log in once to store it in ' +
        credentialsPath(env),
    );
  }
  const normalized = normalizeBaseUrl(baseUrl);
  let token = opts.token || env.MINT_TOKEN || undefined;
  let tokenFile: string | undefined;
  if (!token) {
    stored ??= readCredentials(env, normalized, opts.onWarning);
    token = stored && sameHost(stored.url ?? '', normalized) ? stored.token : undefined;
    if (token) tokenFile = stored?.file;
  }
  return { baseUrl: normalized, token, source, ...(tokenFile ? { tokenFile } : {}) };
}

/**
 * Replaces the token stored for `url` in `file` (the file a session token was read from), keeping
 * the file's own shape and every other key; atomic, mode 0600. Returns whether the file changed.
 */
export function updateStoredToken(file: string, url: string, token: string): boolean {
  const data = readFileJson(file);
  if (!isRecord(data)) return false;
  if (isRecord(data.hosts)) {
    const hit = Object.entries(data.hosts).find(([u]) => sameHost(u, url));
    if (!hit || !isRecord(hit[1])) return false;
    hit[1].token = token;
  } else {
    const stored = optString(data.url) ?? optString(data.base_url);
    if (!stored || !sameHost(stored, url)) return false;
    if (data.token === undefined && typeof data.access_token === 'string') data.access_token = token;
    else data.token = token;
  }
  writeAtomic(file, data);
  return true;
}
