// What the runner tells the step about where it runs, read from the environment it sets.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunContext {
  eventName?: string;
  owner?: string;
  repo?: string;
  /** The pull request number, when the event is about one. */
  pullRequest?: number;
  /** Head commit of the PR, else GITHUB_SHA. */
  sha?: string;
  /** Link to this workflow run, where the job summary is shown. */
  runUrl?: string;
  /** The repository checkout: annotation paths are relative to it. */
  workspace: string;
  /** Where temporary files go (RUNNER_TEMP on a runner). */
  tempDir?: string;
}

interface PullRequestPayload {
  number?: unknown;
  pull_request?: { number?: unknown; head?: { sha?: unknown } };
}

function readPayload(eventPath: string | undefined): PullRequestPayload {
  if (!eventPath || !fs.existsSync(eventPath)) return {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(eventPath, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as PullRequestPayload) : {};
  } catch {
    return {};
  }
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const prNumber = payload.pull_request?.number ?? (payload.pull_request ? payload.number : undefined);
  const headSha = payload.pull_request?.head?.sha;
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const runUrl =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` +
        (env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1'
          ? `/attempts/${env.GITHUB_RUN_ATTEMPT}`
          : '')
      : undefined;
  return {
    eventName: env.GITHUB_EVENT_NAME || undefined,
    owner: owner || undefined,
    repo: repo || undefined,
    pullRequest: typeof prNumber === 'number' && Number.isInteger(prNumber) ? prNumber : undefined,
    sha: typeof headSha === 'string' ? headSha : env.GITHUB_SHA || undefined,
    runUrl,
    workspace: path.resolve(env.GITHUB_WORKSPACE || process.cwd()),
    tempDir: env.RUNNER_TEMP || undefined,
  };
}

/** Writes a JSON file under RUNNER_TEMP (else the working directory) and returns its absolute path. */
export function writeJsonFile(ctx: RunContext, cwd: string, name: string, text: string): string {
  const dir = ctx.tempDir ? path.join(ctx.tempDir, 'mint-manifest') : path.join(cwd, '.mint-manifest');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  return file;
}

/** A file-name-safe form of a stack name (stacks are already [a-z0-9-], this guards odd input). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'stack';
}
