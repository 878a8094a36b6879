import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { startSandbox, type FaultConfig, type SandboxUser } from '../../sandbox/index.js';
import { createContext, parseCount } from '../context.js';
import { usageError } from '../errors.js';
import { EXIT_CODES, examples } from '../help.js';

interface SandboxCommandOptions {
  port: string;
  host?: string;
  data?: string;
  user: string[];
  adminToken?: string;
  faults?: string;
  legacyErrors?: boolean;
  strict?: boolean;
  sessionTtl?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `name:password` or `name:password:admin`. */
export function parseUser(spec: string): SandboxUser {
  const parts = spec.split(':');
  const [username, password, role] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !username ||
    !password ||
    (role && role !== 'admin' && role !== 'member')
  ) {
    throw usageError(
      `--user "${username ?? ''}:…" is malformed: write --user name:password (or name:password:admin)`,
    );
  }
  return { username, password, role: role === 'admin' ? 'admin' : 'member' };
}

function readFaults(text: string): FaultConfig {
  let source = text;
  if (!text.trim().startsWith('{')) {
    try {
      source = fs.readFileSync(path.resolve(text), 'utf8');
    } catch (err) {
      throw usageError(
        `--faults: cannot read ${text}: ${(err as Error).message}; give inline JSON or a JSON file`,
      );
    }
  }
  try {
    return JSON.parse(source) as FaultConfig;
  } catch (err) {
    throw usageError(
      `--faults is not valid JSON (${(err as Error).message}): e.g. --faults '{"rules":[{"error503":0.2}]}'`,
    );
  }
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run a local MINT server (the REST contract, in memory or in a file) until Ctrl+C')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8000')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data <file>', 'keep the data in this JSON file across restarts (default: in memory)')
    .option(
      '--user <name:password>',
      'add a user (repeatable; append :admin for an admin); admin/admin always exists',
      collect,
      [],
    )
    .option(
      '--admin-token <token>',
      "the admin's personal access token to accept (default: a random mint_pat_…; the global --token works too)",
    )
    .option('--faults <json|file>', 'inject faults, e.g. \'{"rules":[{"error503":0.2}]}\'')
    .option('--legacy-errors', 'answer errors in the older FastAPI/plugin body shapes')
    .option(
      '--strict',
      'serve only what the MINT contract confirms: inferred (I) routes answer 404, inferred filters are ignored, expired sessions cannot be refreshed',
    )
    .option('--session-ttl <seconds>', 'lifetime of session tokens from login/refresh', '3600')
    .addHelpText(
      'after',
      examples(
        [
          'mint-manifest sandbox --port 8000',
          'mint-manifest sandbox --data sandbox.json --user alice:secret --token mint_pat_local',
          'mint-manifest sandbox --port 8000 > sandbox.env &  sleep 1; source <(grep ^export sandbox.env)',
        ],
        [
          EXIT_CODES.ok('stopped with Ctrl+C or SIGTERM'),
          EXIT_CODES.error('could not start (port in use, bad --faults, …)'),
        ],
      ),
    )
    .action(async (opts: SandboxCommandOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      // For this command --token names the token the sandbox accepts, not a credential of the user's.
      const chosenToken = opts.adminToken ?? cmd.optsWithGlobals<{ token?: string }>().token;
      const port = parseCount(opts.port, '--port', 0) as number;
      if (port > 65535) throw usageError(`--port ${port} is not a port: use 0..65535`);
      const sandbox = await startSandbox({
        port,
        host: opts.host,
        dataFile: opts.data ? path.resolve(ctx.cwd, opts.data) : undefined,
        users: opts.user.map(parseUser),
        adminToken: chosenToken,
        faults: opts.faults ? readFaults(opts.faults) : undefined,
        legacyErrors: opts.legacyErrors,
        strict: opts.strict,
        sessionTtlSeconds: parseCount(opts.sessionTtl ?? '3600', '--session-ttl', 1) as number,
        quiet: true,
      });
      const users = ['admin', ...opts.user.map((u) => u.split(':')[0]).filter((u) => u !== 'admin')];
      // The token is printed on purpose: it belongs to a throwaway local server the user just started,
      // and it is the only way to reach it (issue 4). A user's own MINT token is never printed.
      ctx.out.out(
        [
          `MINT sandbox listening on ${sandbox.url} (${opts.data ? `data: ${opts.data}` : 'in memory'})`,
          `  users: ${users.join(', ')} (admin's password is "admin" unless --user admin:… changed it)`,
          '  to use it from another terminal (or log in: mint-manifest auth login --username admin):',
        ].join('\n'),
      );
      ctx.out.outVerbatim(`export MINT_URL=${sandbox.url}`);
      // A token the user chose is theirs: not echoed back.
      if (chosenToken) ctx.out.out('export MINT_TOKEN=<the token you passed with --token/--admin-token>');
      else ctx.out.outVerbatim(`export MINT_TOKEN=${sandbox.adminToken}`);
      ctx.out.out('Stop with Ctrl+C.');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      ctx.out.info('stopping the sandbox…');
      await sandbox.close();
    });
}
