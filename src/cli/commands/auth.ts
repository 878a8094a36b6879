import type { Command } from 'commander';
import {
  AuthenticationError,
  MintClient,
  credentialsPath,
  deleteCredentials,
  normalizeBaseUrl,
  readCredentials,
  resolveConnection,
  tokenKind,
  writeCredentials,
} from '../../client/index.js';
import { createContext, describeSource, parseSeconds, type CliContext } from '../context.js';
import { CliExitError, usageError } from '../errors.js';
import { EXIT_CODES, examples } from '../help.js';
import { ask, askHidden, isInteractive, readStdin } from '../prompt.js';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
}

export function registerAuth(program: Command): void {
  const auth = program
    .command('auth')
    .description('store, check and forget MINT credentials (the credentials file, mode 0600)')
    .addHelpText(
      'after',
      examples(
        ['mint-manifest auth login --url https://mint.example.org', 'mint-manifest auth status'],
        [EXIT_CODES.ok('done'), EXIT_CODES.error('not logged in, credentials rejected, or MINT unreachable')],
      ),
    );

  auth
    .command('login')
    .description('log in with a username and password and store the session token (never the password)')
    .option('--username <name>', 'MINT user name (default: MINT_USERNAME, else asked)')
    .option('--password-stdin', 'read the password from stdin (for scripts; otherwise asked on the terminal)')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest auth login --url https://mint.example.org --username alice',
          'printf %s "$MINT_PASSWORD" | mint-manifest auth login --url https://mint.example.org --username ci --password-stdin',
        ],
        [
          EXIT_CODES.ok('logged in; the token is stored'),
          EXIT_CODES.error('wrong password, MINT unreachable'),
          EXIT_CODES.interrupted,
        ],
      ) +
        '\nThe URL comes from --url, MINT_URL or the stored default; the token is written to ' +
        credentialsPath() +
        '\n',
    )
    .action(async (opts: LoginOptions, cmd: Command) => login(createContext(cmd), opts));

  auth
    .command('status')
    .description('show which MINT server and user the CLI would use (never the token itself)')
    .addHelpText(
      'after',
      examples(
        ['mint-manifest auth status', 'MINT_URL=http://127.0.0.1:8000 mint-manifest auth status'],
        [
          EXIT_CODES.ok('a token is configured and MINT accepts it'),
          EXIT_CODES.error('not logged in, token rejected, or MINT unreachable'),
        ],
      ),
    )
    .action(async (_opts: unknown, cmd: Command) => status(createContext(cmd)));

  auth
    .command('logout')
    .description('forget the stored token for the MINT server')
    .addHelpText(
      'after',
      examples(
        ['mint-manifest auth logout', 'mint-manifest auth logout --url https://mint.example.org'],
        [
          EXIT_CODES.ok('logged out (or there was nothing to forget)'),
          EXIT_CODES.error('the credentials file could not be changed'),
        ],
      ),
    )
    .action((_opts: unknown, cmd: Command) => logout(createContext(cmd)));
}

function targetUrl(ctx: CliContext): string | undefined {
  return ctx.opts.url ?? ctx.env.MINT_URL ?? readCredentials(ctx.env, undefined, (m) => ctx.out.warn(m))?.url;
}

async function login(ctx: CliContext, opts: LoginOptions): Promise<void> {
  const rawUrl = targetUrl(ctx);
  if (!rawUrl) {
    throw usageError('which MINT server? pass --url https://mint.example.org (or set MINT_URL)');
  }
  const url = normalizeBaseUrl(rawUrl);
  const interactive = isInteractive();
  let username = opts.username ?? ctx.env.MINT_USERNAME;
  if (!username && interactive) username = await ask(`MINT user name for ${url}: `);
  if (!username) throw usageError('no user name: pass --username NAME (or set MINT_USERNAME)');
  let password: string | undefined;
  let passwordFrom = '';
  if (opts.passwordStdin) {
    if (process.stdin.isTTY)
      throw usageError(
        '--password-stdin reads a pipe, but stdin is a terminal: leave the flag out to be asked',
      );
    password = await readStdin();
  } else if (ctx.env.MINT_PASSWORD) {
    password = ctx.env.MINT_PASSWORD;
    passwordFrom = ' (the password came from MINT_PASSWORD)';
  } else if (interactive) {
    password = await askHidden(`Password for ${username}: `);
  }
  if (!password) {
    throw usageError(
      'no password: on a terminal you are asked for it; in scripts pipe it in with --password-stdin',
    );
  }
  ctx.out.addSecret(password);
  // A login must not quietly reuse a token from the environment or the file.
  const env = { ...ctx.env, MINT_TOKEN: undefined };
  const client = new MintClient({
    baseUrl: url,
    env,
    // whatever the file's mode, a successful login rewrites it 0600
    onCredentialsWarning: () => undefined,
    timeoutMs: parseSeconds(ctx.opts.timeout, '--timeout'),
    allowInsecureHttp: ctx.opts.allowInsecureHttp || undefined,
    onWarning: (message) => ctx.out.warn(message),
  });
  try {
    const res = await client.login(username, password).catch((err: unknown) => {
      if (err instanceof AuthenticationError && err.code !== 'auth.second_factor_required') {
        throw new CliExitError(
          1,
          `login to ${url} failed: wrong user name or password for ${username}${passwordFrom} (${err.message})`,
        );
      }
      throw err;
    });
    ctx.out.addSecret(res.access_token);
    const file = writeCredentials({ url, token: res.access_token, username }, ctx.env);
    const expiry = res.expires_in ? `, expires in ${formatDuration(res.expires_in)}` : '';
    ctx.out.out(`${ctx.out.c.green('✓')} logged in to ${url} as ${username}`);
    ctx.out.out(`session token stored in ${file} (mode 600${expiry}); the password was not stored`);
  } finally {
    client.close();
  }
}

async function status(ctx: CliContext): Promise<void> {
  const conn = resolveConnection(
    { baseUrl: ctx.opts.url, token: ctx.opts.token, onWarning: (m) => ctx.out.warn(m) },
    ctx.env,
  );
  ctx.out.addSecret(conn.token);
  ctx.out.out(`MINT:    ${conn.baseUrl} (from ${describeSource(conn.source)})`);
  if (!conn.token) {
    throw new CliExitError(
      1,
      `not logged in to ${conn.baseUrl}: set MINT_TOKEN, or run \`mint-manifest auth login\``,
    );
  }
  const tokenFrom = ctx.opts.token
    ? '--token'
    : ctx.env.MINT_TOKEN
      ? 'MINT_TOKEN'
      : (readCredentials(ctx.env, conn.baseUrl)?.file ?? 'the credentials file');
  const kind = tokenKind(conn.token);
  const kindText =
    kind === 'pat'
      ? 'personal access token'
      : kind === 'service'
        ? 'service token (not usable on /api)'
        : 'session token';
  ctx.out.out(`Token:   ${kindText}, from ${tokenFrom}`);
  const client = ctx.client();
  try {
    const user = await client.whoami();
    ctx.out.out(
      `User:    ${user.username} (role ${user.role}${user.is_active === false ? ', inactive' : ''})`,
    );
    if (kind === 'session') {
      const v = await client.auth.verify();
      ctx.out.out(`Expires: ${v.expires_at ?? 'unknown'}`);
    } else {
      ctx.out.out('Expires: when revoked in MINT');
    }
  } catch (err) {
    if (err instanceof AuthenticationError) {
      throw new CliExitError(
        1,
        `MINT rejected the token from ${tokenFrom} (expired or revoked): log in again with \`mint-manifest auth login\`, or set a valid MINT_TOKEN`,
      );
    }
    throw err;
  } finally {
    client.close();
  }
}

function logout(ctx: CliContext): void {
  const rawUrl = targetUrl(ctx);
  const file = credentialsPath(ctx.env);
  if (!rawUrl) {
    ctx.out.out(`nothing to forget: no MINT server given and none stored in ${file}`);
    return;
  }
  const url = normalizeBaseUrl(rawUrl);
  const removed = deleteCredentials(url, ctx.env);
  ctx.out.out(
    removed
      ? `${ctx.out.c.green('✓')} forgot the token for ${url} (in ${file})`
      : `no token stored for ${url} in ${file}`,
  );
  if (ctx.env.MINT_TOKEN) ctx.out.warn('MINT_TOKEN is still set in this environment and will still be used');
}

function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}
