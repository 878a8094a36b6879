// `mint-manifest sandbox`: start the sandbox, print how to reach it, run until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSandbox } from './start.js';
import type { FaultConfig, Sandbox, SandboxOptions, SandboxUser } from './types.js';

export interface SandboxCliOptions {
  /** Default 8000 (0 = any free port). */
  port?: number;
  host?: string;
  /** Persist to this JSON file. */
  data?: string;
  /** "name:password" or "name:password:admin". */
  users?: string[];
  /** Use this admin token instead of a random one (stable across restarts). */
  token?: string;
  legacyErrors?: boolean;
  /** A fault config: inline JSON or a path to a JSON file. */
  faults?: string;
  sessionTtlSeconds?: number;
  /** Only the confirmed contract: see SandboxOptions.strict. */
  strict?: boolean;
  /** Print one JSON line {url, token, data} instead of the text banner. */
  json?: boolean;
  /** Where the banner goes; default process.stdout. */
  out?: NodeJS.WritableStream;
  /** Called once listening (tests, embedding). */
  onReady?: (sandbox: Sandbox) => void;
  /** Stops the sandbox when aborted, besides SIGINT/SIGTERM. */
  signal?: AbortSignal;
}

/** Turns `--user name:password[:role]` into a user; throws one readable line when malformed. */
export function parseUserSpec(spec: string): SandboxUser {
  const [username, password, role, ...rest] = spec.split(':');
  if (
    !username ||
    !password ||
    rest.length ||
    (role !== undefined && role !== 'admin' && role !== 'member')
  ) {
    throw new Error(
      `--user ${JSON.stringify(spec.split(':')[0] + ':…')} is malformed: expected name:password or name:password:admin`,
    );
  }
  return { username, password, role: (role as 'admin' | 'member' | undefined) ?? 'member' };
}

function parseFaults(text: string): FaultConfig {
  const source = text.trim().startsWith('{') ? text : readFileSync(resolve(text), 'utf8');
  try {
    return JSON.parse(source) as FaultConfig;
  } catch (e) {
    throw new Error(
      `--faults: not valid JSON (${(e as Error).message}); give inline JSON or a path to a JSON file`,
    );
  }
}

export function toSandboxOptions(o: SandboxCliOptions): SandboxOptions {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    throw new Error(`--port ${o.port} is not a port number: use 0..65535 (0 = any free port)`);
  }
  if (
    o.token !== undefined &&
    (!/^\S+$/.test(o.token) || o.token.includes('.') || o.token.startsWith('mint_svc_'))
  ) {
    throw new Error(
      '--token must be one word without dots and must not start with mint_svc_ (e.g. mint_pat_dev)',
    );
  }
  return {
    port: o.port ?? 8000,
    host: o.host,
    dataFile: o.data ? resolve(o.data) : undefined,
    users: (o.users ?? []).map(parseUserSpec),
    adminToken: o.token,
    legacyErrors: o.legacyErrors,
    faults: o.faults ? parseFaults(o.faults) : undefined,
    sessionTtlSeconds: o.sessionTtlSeconds,
    strict: o.strict,
  };
}

/** Minimal argv parser for `node lib/sandbox/cli-entry.js`; the real CLI uses commander. */
export function parseSandboxArgs(argv: string[]): SandboxCliOptions {
  const o: SandboxCliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
        o.port = Number(value());
        break;
      case '--host':
        o.host = value();
        break;
      case '--data':
        o.data = value();
        break;
      case '--user':
        (o.users ??= []).push(value());
        break;
      case '--token':
        o.token = value();
        break;
      case '--faults':
        o.faults = value();
        break;
      case '--session-ttl':
        o.sessionTtlSeconds = Number(value());
        break;
      case '--legacy-errors':
        o.legacyErrors = true;
        break;
      case '--strict':
        o.strict = true;
        break;
      case '--json':
        o.json = true;
        break;
      default:
        throw new Error(
          `unknown option ${flag}: use --port, --host, --data, --user name:password, --token, --faults, --session-ttl, --legacy-errors, --strict, --json`,
        );
    }
  }
  return o;
}

/** Runs until SIGINT/SIGTERM (or `signal`); resolves with the exit code. */
export async function runSandboxCli(o: SandboxCliOptions = {}): Promise<number> {
  const out = o.out ?? process.stdout;
  const options = toSandboxOptions(o);
  const sandbox = await startSandbox(options);
  const where = options.dataFile ?? null;
  if (o.json) {
    out.write(`${JSON.stringify({ url: sandbox.url, token: sandbox.adminToken, data: where })}\n`);
  } else {
    const users = ['admin', ...(options.users ?? []).map((u) => u.username).filter((u) => u !== 'admin')];
    out.write(
      [
        `MINT sandbox listening on ${sandbox.url} (${where ? `data: ${where}` : 'in memory'})`,
        `  export MINT_URL=${sandbox.url}`,
        `  export MINT_TOKEN=${sandbox.adminToken}`,
        `  users: ${users.join(', ')} (admin/admin unless changed with --user)`,
        'Stop with Ctrl+C.',
        '',
      ].join('\n'),
    );
  }
  o.onReady?.(sandbox);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      o.signal?.removeEventListener('abort', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (o.signal?.aborted) stop();
    else o.signal?.addEventListener('abort', stop);
  });
  await sandbox.close();
  return 0;
}
