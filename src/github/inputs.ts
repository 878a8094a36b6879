// The Action's inputs, read once into one typed object. Empty inputs become `undefined` so that
// "not given" can fall back to the client/engine defaults; optional booleans keep true/false/unset apart.
import * as core from '@actions/core';
import { ALLOW_ENV_VARIABLE, parseAllowEnv } from '../manifest/interpolate.js';

export const COMMANDS = ['validate', 'plan', 'apply', 'upload'] as const;
export type Command = (typeof COMMANDS)[number];

export const COMMENT_MODES = ['always', 'changes-only', 'off'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

export interface Inputs {
  command: Command;
  /** Files, folders or globs, in the order given. */
  manifests: string[];
  mintUrl?: string;
  mintToken?: string;
  mintUsername?: string;
  mintPassword?: string;
  prune?: boolean;
  dedupe?: boolean;
  maxDeletes?: number;
  concurrency?: number;
  /** Per-request timeout (the input is in seconds). */
  timeoutMs?: number;
  retries?: number;
  /** Plain http to a non-loopback MINT host (unset: MINT_ALLOW_INSECURE_HTTP decides). */
  allowInsecureHttp?: boolean;
  continueOnError?: boolean;
  /** Deprecated alias of `comment` (false = off, true = always). */
  commentOnPr?: boolean;
  /** When to write the pull request comment: always (default), changes-only, off. */
  comment: CommentMode;
  /** Tells apart several plans of one stack in one PR (e.g. staging, production). */
  label?: string;
  /** upload: schema_version of uploaded design data. */
  schemaVersion?: string;
  githubToken?: string;
  /** The login github-token writes comments as, when GitHub cannot tell (an app's installation token). */
  commentAuthor?: string;
  expectFingerprint?: string;
  failOnChanges?: boolean;
  experiment?: string;
  pluginId?: string;
  resultFile?: string;
  designFile?: string;
  workingDirectory?: string;
  /** `allow-env` and MINT_MANIFEST_ALLOW_ENV: names and globs `${VAR}` may read (credentials never). */
  allowEnv: string[];
}

/** A wrong input: the message is one line naming the input and what to write instead. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Inputs that hold secrets: masked before anything else is logged. */
export const SECRET_INPUTS = ['mint-token', 'mint-password', 'github-token'] as const;

function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

const TRUE_VALUES = new Set(['true', 'True', 'TRUE']);
const FALSE_VALUES = new Set(['false', 'False', 'FALSE']);

/** Like core.getBooleanInput, but unset stays `undefined` and the error is one readable line. */
export function optionalBoolean(name: string): boolean | undefined {
  const value = optional(name);
  if (value === undefined) return undefined;
  if (TRUE_VALUES.has(value)) return true;
  if (FALSE_VALUES.has(value)) return false;
  throw new InputError(
    name,
    `Input "${name}" must be true or false, found "${value}" — fix it in the step's "with:" block`,
  );
}

function optionalInteger(name: string, min: number): number | undefined {
  const value = optional(name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new InputError(
      name,
      `Input "${name}" must be a whole number of at least ${min}, found "${value}" — fix it in the step's "with:" block`,
    );
  }
  return n;
}

function optionalSeconds(name: string): number | undefined {
  const value = optional(name);
  if (value === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) {
    throw new InputError(
      name,
      `Input "${name}" must be a number of seconds greater than 0, found "${value}" — fix it in the step's "with:" block`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * Splits a newline- or comma-separated list. Commas inside `{…}` belong to a glob
 * (`examples/{a,b}.yaml`), so they do not split.
 */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === '\n' || ch === '\r' || (ch === ',' && depth === 0)) {
      items.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function parseCommand(): Command {
  const value = (optional('command') ?? 'plan').toLowerCase();
  if ((COMMANDS as readonly string[]).includes(value)) return value as Command;
  throw new InputError(
    'command',
    `Input "command" must be one of ${COMMANDS.join(', ')}, found "${core.getInput('command')}" — fix it in the step's "with:" block`,
  );
}

function parseFingerprint(): string | undefined {
  const value = optional('expect-fingerprint');
  if (value === undefined) return undefined;
  if (!/^[0-9a-fA-F]{12,64}$/.test(value)) {
    throw new InputError(
      'expect-fingerprint',
      `Input "expect-fingerprint" must be the fingerprint of a reviewed plan (the "fingerprint" output: 64 hex digits, or at least its first 12), found "${value}"`,
    );
  }
  return value.toLowerCase();
}

/** `comment`, with the deprecated `comment-on-pr: false` still turning it off. */
function parseCommentMode(): CommentMode {
  const value = optional('comment') ?? 'always';
  const mode = value.toLowerCase();
  if ((COMMENT_MODES as readonly string[]).includes(mode))
    return optionalBoolean('comment-on-pr') === false ? 'off' : (mode as CommentMode);
  throw new InputError(
    'comment',
    `Input "comment" must be one of ${COMMENT_MODES.join(', ')}, found "${value}" — fix it in the step's "with:" block`,
  );
}

/** Shown in the headline and kept in the hidden marker, so it must be one short plain line. */
function parseLabel(): string | undefined {
  const value = optional('label')?.trim();
  if (value === undefined || value === '') return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._/:-]{0,62}$/.test(value)) {
    throw new InputError(
      'label',
      `Input "label" must be up to 63 letters, digits, spaces or . _ / : - (e.g. "production"), found "${value}"`,
    );
  }
  return value;
}

/** A GitHub login, an app's bot login (`my-app[bot]`) included. */
function parseCommentAuthor(): string | undefined {
  const value = optional('comment-author')?.trim();
  if (value === undefined || value === '') return undefined;
  // letters, digits and hyphens; `_` in Enterprise Managed User logins; an app's bot ends in [bot]
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,38}(?:\[bot\])?$/.test(value)) {
    throw new InputError(
      'comment-author',
      `Input "comment-author" must be a GitHub login such as "my-lab-app[bot]", found "${value}"`,
    );
  }
  return value;
}

function parseAllowEnvInput(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return [
      ...parseAllowEnv(core.getInput('allow-env'), 'Input "allow-env"'),
      ...parseAllowEnv(env[ALLOW_ENV_VARIABLE] ?? '', ALLOW_ENV_VARIABLE),
    ];
  } catch (err) {
    throw new InputError('allow-env', (err as Error).message);
  }
}

/** Reads every input from the environment (`INPUT_<NAME>`, as the runner sets them). Throws InputError. */
export function parseInputs(): Inputs {
  const command = parseCommand();
  const inputs: Inputs = {
    command,
    manifests: splitList(core.getInput('manifest')),
    mintUrl: optional('mint-url'),
    mintToken: optional('mint-token'),
    mintUsername: optional('mint-username'),
    mintPassword: optional('mint-password'),
    prune: optionalBoolean('prune'),
    dedupe: optionalBoolean('dedupe'),
    maxDeletes: optionalInteger('max-deletes', 0),
    concurrency: optionalInteger('concurrency', 1),
    timeoutMs: optionalSeconds('timeout'),
    retries: optionalInteger('retries', 0),
    allowInsecureHttp: optionalBoolean('allow-insecure-http'),
    continueOnError: optionalBoolean('continue-on-error'),
    commentOnPr: optionalBoolean('comment-on-pr'),
    comment: parseCommentMode(),
    label: parseLabel(),
    schemaVersion: optional('schema-version'),
    githubToken: optional('github-token'),
    commentAuthor: parseCommentAuthor(),
    expectFingerprint: parseFingerprint(),
    failOnChanges: optionalBoolean('fail-on-changes'),
    experiment: optional('experiment'),
    pluginId: optional('plugin-id'),
    resultFile: optional('result-file'),
    designFile: optional('design-file'),
    workingDirectory: optional('working-directory'),
    allowEnv: parseAllowEnvInput(),
  };
  if (inputs.manifests.length === 0) inputs.manifests = ['mint.yaml'];
  checkCombinations(inputs);
  return inputs;
}

function checkCombinations(inputs: Inputs): void {
  if (inputs.mintPassword !== undefined && inputs.mintUsername === undefined) {
    throw new InputError(
      'mint-username',
      'Input "mint-password" is set but "mint-username" is not — set both, or use mint-token',
    );
  }
  if (
    inputs.mintUsername !== undefined &&
    inputs.mintPassword === undefined &&
    inputs.mintToken === undefined
  ) {
    throw new InputError(
      'mint-password',
      'Input "mint-username" is set but "mint-password" is not — set both, or use mint-token',
    );
  }
  if (inputs.command !== 'upload') return;
  if (inputs.schemaVersion !== undefined && inputs.designFile === undefined) {
    throw new InputError(
      'schema-version',
      'Input "schema-version" is for design uploads: set it together with "design-file", or remove it',
    );
  }
  if (inputs.experiment === undefined) {
    throw new InputError(
      'experiment',
      'command "upload" needs input "experiment" (an experiment_code or manifest key)',
    );
  }
  if (inputs.pluginId === undefined) {
    throw new InputError(
      'plugin-id',
      'command "upload" needs input "plugin-id" (the analysis or design plugin id)',
    );
  }
  if ((inputs.resultFile === undefined) === (inputs.designFile === undefined)) {
    throw new InputError(
      'result-file',
      'command "upload" needs exactly one of the inputs "result-file" (an analysis result) or "design-file" (design data)',
    );
  }
}

export function isPullRequestEvent(eventName: string | undefined): boolean {
  return eventName === 'pull_request' || eventName === 'pull_request_target';
}
