// Global options → one Output and (on demand) one MintClient. Every command gets its dependencies here.
import type { Command } from 'commander';
import { MintClient, resolveConnection, type RetryInfo } from '../client/index.js';
import { Output } from './output.js';
import { usageError } from './errors.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  timeout?: string;
  retries?: string;
  allowInsecureHttp?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
  /** `--allow-env` values as given (each NAME[,NAME…]). */
  allowEnv?: string[];
  root?: string;
}

export interface CliContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  opts: GlobalOptions;
  /** Builds the client from --url/--token → MINT_URL/MINT_TOKEN → the credentials file. */
  client(): MintClient;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function createContext(cmd: Command, env: NodeJS.ProcessEnv = process.env): CliContext {
  const opts = globalOptions(cmd);
  const out = new Output({
    color: opts.color,
    quiet: opts.quiet,
    verbose: opts.verbose,
    debug: opts.debug,
    env,
  });
  out.addSecret(opts.token);
  out.addSecret(env.MINT_TOKEN);
  out.addSecret(env.MINT_PASSWORD);
  let client: MintClient | undefined;
  return {
    out,
    env,
    cwd: process.cwd(),
    opts,
    client() {
      client ??= buildClient(opts, env, out);
      return client;
    },
  };
}

/** Seconds as typed by a person → milliseconds; a clear error for anything else. */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n <= 0) {
    throw usageError(
      `${flag} must be a number of seconds greater than 0, found "${value}" (e.g. ${flag} 30)`,
    );
  }
  return Math.round(n * 1000);
}

export function parseCount(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw usageError(`${flag} must be a whole number of at least ${min}, found "${value}"`);
  }
  return n;
}

function buildClient(opts: GlobalOptions, env: NodeJS.ProcessEnv, out: Output): MintClient {
  if (opts.token) {
    out.warn(
      '--token puts the token in your shell history and process list; MINT_TOKEN or `mint-manifest auth login` is safer',
    );
  }
  const timeoutMs = parseSeconds(opts.timeout, '--timeout');
  const retries = parseCount(opts.retries, '--retries');
  const onWarning = (message: string) => out.warn(message);
  const conn = resolveConnection({ baseUrl: opts.url, token: opts.token, onWarning }, env);
  out.addSecret(conn.token);
  out.detail(`MINT ${conn.baseUrl} (from ${describeSource(conn.source)})`);
  return new MintClient({
    baseUrl: conn.baseUrl,
    token: conn.token,
    // with no token anywhere, the client logs in with MINT_USERNAME / MINT_PASSWORD
    username: conn.token ? undefined : env.MINT_USERNAME,
    password: conn.token ? undefined : env.MINT_PASSWORD,
    timeoutMs,
    retries,
    env,
    // unset falls back to MINT_ALLOW_INSECURE_HTTP=1
    allowInsecureHttp: opts.allowInsecureHttp || undefined,
    // the client warns only about credentials over plain http: never hidden by --quiet
    onWarning: (message) => out.alert(message),
    onRetry: (info: RetryInfo) => out.detail(describeRetry(info)),
  });
}

export function describeSource(source: string): string {
  if (source === 'argument') return '--url';
  if (source === 'env') return 'MINT_URL';
  return source || 'defaults';
}

export function describeRetry(info: {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}): string {
  const secs = (info.delayMs / 1000).toFixed(info.delayMs < 10_000 ? 1 : 0);
  return `retry ${info.attempt}: ${info.method} ${info.path} (${info.reason}); waiting ${secs}s`;
}
