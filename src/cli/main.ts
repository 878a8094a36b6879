// The commander program and the CLI's single error boundary.
import { Command, CommanderError } from 'commander';
import {
  ListingInconsistentError,
  MintApiError,
  MintConfigError,
  UnexpectedResponseError,
} from '../client/index.js';
import {
  AuthenticationError,
  ConnectionError,
  PermissionError,
  RateLimitError,
  RedirectError,
  ServerError,
} from '../client/index.js';
import { ManifestInvalidError, OperationError } from '../actions/errors.js';
import { formatDiagnostic } from '../manifest/index.js';
import { CliExitError } from './errors.js';
import { Output } from './output.js';
import { packageVersion } from './paths.js';
import { registerValidate } from './commands/validate.js';
import { registerPlan } from './commands/plan.js';
import { registerApply } from './commands/apply.js';
import { registerUpload } from './commands/upload.js';
import { registerExport } from './commands/export.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSchema } from './commands/schema.js';
import { registerAuth } from './commands/auth.js';
import { registerDemo } from './commands/demo.js';
import { EXIT_CODES, examples, exitCodes } from './help.js';
import { errorDocument, wantsJson } from './error-json.js';

export function buildProgram(): Command {
  const program = new Command('mint-manifest')
    .description('Keep MINT lab experiments in git: validate, plan and apply YAML manifests against MINT.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--url <url>', 'MINT server origin (default: MINT_URL, then the credentials file)')
    .option(
      '--token <token>',
      'MINT token (prefer MINT_TOKEN or `auth login`: flags end up in shell history)',
    )
    .option(
      '--timeout <seconds>',
      'deadline of each request attempt in seconds: connect, headers and body (default: MINT_PLATFORM_TIMEOUT or 30)',
    )
    .option('--retries <n>', 'retries of a failed request that is safe to repeat (default 4)')
    .option(
      '--allow-insecure-http',
      'allow plain http:// to a host other than this machine (also MINT_ALLOW_INSECURE_HTTP=1); warns on every run',
    )
    .option('--no-color', 'no colours (also NO_COLOR=1); colours are only used on a terminal')
    .option('-q, --quiet', 'print only results and errors')
    .option('-v, --verbose', 'print more: requests retried, where the connection came from')
    .option('--debug', 'print stack traces of unexpected errors')
    .option(
      '--allow-env <names>',
      'let ${VAR} in manifests read these variables too: NAME[,NAME…], globs like LAB_* (repeatable; also MINT_MANIFEST_ALLOW_ENV)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--root <dir>',
      'workspace root data files must stay in (default: the git work tree of the manifest)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  program.addHelpText(
    'after',
    examples([
      'mint-manifest validate mint.yaml',
      'mint-manifest plan mint.yaml --detailed-exitcode',
      'mint-manifest apply mint.yaml --auto-approve',
      'mint-manifest demo            # everything against a throw-away local MINT',
    ]) +
      '\nEnvironment: MINT_URL, MINT_TOKEN, MINT_USERNAME, MINT_PASSWORD, MINT_MANIFEST_ALLOW_ENV, NO_COLOR\n' +
      exitCodes([
        EXIT_CODES.ok('ok'),
        EXIT_CODES.error('error'),
        [2, 'changes pending (plan --detailed-exitcode)'],
        EXIT_CODES.interrupted,
      ]),
  );
  registerValidate(program);
  registerPlan(program);
  registerApply(program);
  registerUpload(program);
  registerExport(program);
  registerSandbox(program);
  registerSchema(program);
  registerAuth(program);
  registerDemo(program);
  // every subcommand throws instead of exiting, so the boundary below sees every outcome
  for (const cmd of allCommands(program)) cmd.exitOverride();
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI and returns its exit code; never throws. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram();
  let active: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const opts = program.opts<{ color?: boolean; quiet?: boolean; debug?: boolean; token?: string }>();
    const out = new Output({ color: opts.color, quiet: opts.quiet, debug: opts.debug, env });
    out.addSecret(opts.token);
    out.addSecret(env.MINT_TOKEN);
    out.addSecret(env.MINT_PASSWORD);
    const code = reportError(err, out);
    if (isFailure(err, code) && wantsJson(active?.opts<{ format?: string }>().format, argv))
      out.out(errorDocument(err, out.lastError, code));
    return code;
  }
}

/** Exit 0 (help, version) and plan's exit 2 (changes pending) are outcomes, not failures. */
function isFailure(err: unknown, code: number): boolean {
  return code !== 0 && !(err instanceof CliExitError && code === 2 && !err.code);
}

/** Entry point of the bin: runs, then exits once stdout and stderr are flushed. */
export async function main(argv: string[]): Promise<void> {
  // `mint-manifest plan | head` closes the pipe early: that is not an error worth a stack trace
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const code = await run(argv);
  // Keep-alive sockets or a stray timer must not keep a finished CLI alive in CI.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export function reportError(err: unknown, out: Output): number {
  if (err instanceof CliExitError) {
    if (!err.silent) out.error(err.message);
    return err.exitCode;
  }
  // commander has already printed its own message (or the help / version)
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof ManifestInvalidError) {
    for (const d of err.diagnostics) out.err(formatDiagnostic(d));
    out.error(err.message);
    return 1;
  }
  if (err instanceof MintApiError) {
    out.error(describeApiError(err));
    if (out.debug && err.stack) out.err(err.stack);
    return 1;
  }
  if (err instanceof OperationError || err instanceof MintConfigError) {
    out.error(err.message);
    if (out.debug && err.stack) out.err(err.stack);
    return 1;
  }
  if (err instanceof ListingInconsistentError) {
    out.error(err.message);
    return 1;
  }
  if (err instanceof UnexpectedResponseError) {
    out.error(
      `MINT answered in a shape that cannot be read safely (${err.message}); nothing more was sent — check that --url / MINT_URL is the MINT server's origin`,
    );
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  out.error(`unexpected failure: ${message}`);
  if (out.debug) out.err(err instanceof Error && err.stack ? err.stack : String(err));
  else out.err('(run again with --debug to see the stack trace, and report it if it looks like a bug)');
  return 1;
}

/** One line: what MINT said, where, and what to do about it. */
export function describeApiError(err: MintApiError): string {
  // already one complete line: where MINT points and what to set
  if (err instanceof RedirectError) return err.message;
  const line = `MINT request failed: ${err.message}`;
  const hint = apiErrorHint(err);
  // MINT's (or the client's) own text may already say what to do: one hint is enough.
  return hint && !/log in|check the|use a valid|NODE_EXTRA_CA_CERTS|MINT asked to wait/i.test(err.message)
    ? `${line} — ${hint}`
    : line;
}

function apiErrorHint(err: MintApiError): string | undefined {
  if (err instanceof AuthenticationError && err.path === '/api/auth/login') {
    return 'MINT_USERNAME and MINT_PASSWORD do not match a MINT user: check both, or use MINT_TOKEN';
  }
  if (err instanceof AuthenticationError) {
    return 'check MINT_TOKEN (or --token), or log in again with `mint-manifest auth login`';
  }
  if (err instanceof PermissionError) {
    return 'this user or token may not do that (a read-only token can only read; completed experiments need an admin)';
  }
  if (err instanceof RateLimitError) return 'MINT is rate limiting: wait a minute and run again';
  if (err instanceof ConnectionError) {
    return err.timedOut
      ? 'MINT did not answer in time: check the server, or raise --timeout'
      : 'check MINT_URL (or --url) and that the server is reachable';
  }
  if (err instanceof ServerError) {
    const committed = err.mayHaveCommitted
      ? '; the write may have reached MINT, so run plan to see where things stand'
      : '';
    return `MINT failed on its side: try again later${committed}`;
  }
  return undefined;
}
