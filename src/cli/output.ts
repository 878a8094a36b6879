// Everything the CLI writes goes through here: colour decisions, --quiet/--verbose, and token redaction.
import pc from 'picocolors';
import { Redactor } from '../redact.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface OutputOptions {
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export class Output {
  readonly color: boolean;
  readonly c: Colors;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly debug: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** The same redaction as the Action's: known secrets and token shapes. */
  readonly redactor = new Redactor();
  /** While a progress bar owns the terminal, stderr lines go through it so they do not tear it. */
  private stderrRoute?: (text: string) => void;
  /** The last `error:` line, redacted: the message of `--format json` error objects. */
  lastError?: string;

  constructor(opts: OutputOptions = {}) {
    const env = opts.env ?? process.env;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    // NO_COLOR (any non-empty value) and --no-color win; otherwise colour only on a terminal.
    const noColorEnv = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    this.color = opts.color !== false && !noColorEnv && Boolean(this.stdout.isTTY);
    this.c = pc.createColors(this.color);
    this.quiet = Boolean(opts.quiet);
    this.verbose = Boolean(opts.verbose) && !this.quiet;
    this.debug = Boolean(opts.debug);
  }

  /** Registers a value that must never be printed (tokens, passwords). */
  addSecret(value: string | undefined): void {
    this.redactor.add(value);
  }

  routeStderr(route: ((text: string) => void) | undefined): void {
    this.stderrRoute = route;
  }

  private writeErr(text: string): void {
    const clean = this.redact(ensureNewline(text));
    if (this.stderrRoute) this.stderrRoute(clean);
    else this.stderr.write(clean);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** The command's product (plans, JSON, schema): always printed, even with --quiet. */
  out(text: string): void {
    this.stdout.write(this.redact(ensureNewline(text)));
  }

  /**
   * Unredacted stdout, for the one value that must be shown: the token of a sandbox this process started
   * (`mint-manifest sandbox`). Never pass it anything that came from the user.
   */
  outVerbatim(text: string): void {
    this.stdout.write(ensureNewline(text));
  }

  /** Progress and status lines for people: stderr, silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.writeErr(text);
  }

  /** Only with --verbose. */
  detail(text: string): void {
    if (this.verbose) this.writeErr(this.c.dim(text));
  }

  /** One `warning:` line on stderr; --quiet hides it (it is not a result and not an error). */
  warn(text: string): void {
    if (!this.quiet) this.writeErr(`${this.c.yellow('warning:')} ${text}`);
  }

  /** A security warning (plain http to another host): shown on every run, even with --quiet. */
  alert(text: string): void {
    this.writeErr(`${this.c.yellow('warning:')} ${text}`);
  }

  error(text: string): void {
    this.lastError = this.redact(text);
    this.writeErr(`${this.c.red('error:')} ${text}`);
  }

  /** Raw stderr text (diagnostics, stack traces with --debug). */
  err(text: string): void {
    this.writeErr(text);
  }

  get stdoutIsTTY(): boolean {
    return Boolean(this.stdout.isTTY);
  }

  get stderrIsTTY(): boolean {
    return Boolean(this.stderr.isTTY);
  }
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
