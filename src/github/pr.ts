// The pull request a run reports to, and the one comment there that is ours. A comment failure is a
// warning, never a failed step: MINT was planned or changed either way.
import * as core from '@actions/core';
import * as github from '@actions/github';
import {
  octokitCommentsApi,
  type OctokitIssues,
  pullRequestOfCommit,
  tokenIdentity,
  upsertStickyComment,
} from './comment.js';
import type { RunContext } from './context.js';
import type { Inputs } from './inputs.js';
import type { Redactor } from './logging.js';

/** Each GitHub API call gets a deadline: a hung API must not hold the job until the runner's limit. */
export const GITHUB_CALL_TIMEOUT_MS = 30_000;

/** An Octokit whose every request is aborted after `timeoutMs`. */
export function octokitWithDeadline(
  token: string,
  timeoutMs = GITHUB_CALL_TIMEOUT_MS,
  baseUrl?: string,
): ReturnType<typeof github.getOctokit> {
  const octokit = github.getOctokit(token, baseUrl ? { baseUrl } : {});
  octokit.hook.before('request', (options) => {
    options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) };
  });
  return octokit;
}

export interface PullRequestTarget {
  octokit: OctokitIssues;
  owner: string;
  repo: string;
  number: number;
  /** The login our comments are written by: only its comments are ever edited. */
  author: string;
}

interface Rt {
  inputs: Inputs;
  ctx: RunContext;
  redactor: Redactor;
}

function why(rt: Rt, err: unknown): string {
  const status = (err as { status?: unknown }).status;
  if (status === 403 || status === 404)
    return 'the token may not read or write pull request comments (fork PRs get a read-only token; grant "pull-requests: write")';
  return rt.redactor.redact(err instanceof Error ? err.message : String(err));
}

/**
 * The PR to comment on: the event's own on pull_request events; for an apply on push, the PR the
 * commit came from (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`). Undefined when there is
 * none, when `comment: off`, or when GitHub cannot be asked.
 */
export async function resolvePullRequest(
  rt: Rt,
  opts: { lookUpPush: boolean },
): Promise<PullRequestTarget | undefined> {
  const { inputs, ctx } = rt;
  if (inputs.comment === 'off') return undefined;
  const { owner, repo } = ctx;
  const lookUp = opts.lookUpPush && ctx.eventName === 'push' && ctx.sha !== undefined;
  if (!owner || !repo || (ctx.pullRequest === undefined && !lookUp)) {
    core.info('Not a pull request run: no pull request comment');
    return undefined;
  }
  if (!inputs.githubToken) {
    core.warning('github-token is empty: no pull request comment written');
    return undefined;
  }
  const octokit = octokitWithDeadline(inputs.githubToken) as unknown as OctokitIssues;
  try {
    let number = ctx.pullRequest;
    if (number === undefined) {
      number = await pullRequestOfCommit(octokit, { owner, repo, sha: ctx.sha as string });
      if (number === undefined) {
        core.info(`Commit ${ctx.sha?.slice(0, 7)} came from no pull request: no pull request comment`);
        return undefined;
      }
      core.info(`Commit ${ctx.sha?.slice(0, 7)} came from pull request #${number}`);
    }
    const author = await tokenIdentity(
      async () => (await octokit.rest.users.getAuthenticated()).data,
      inputs.commentAuthor,
      (named, login) =>
        core.warning(`comment-author "${named}" is not used: GitHub says github-token writes as ${login}`),
    );
    return { octokit, owner, repo, number, author };
  } catch (err) {
    core.warning(`No pull request comment: GitHub refused the look-up (${why(rt, err)})`);
    return undefined;
  }
}

export async function writeStickyComment(
  rt: Rt,
  pr: PullRequestTarget,
  marker: string,
  body: string,
  createIfMissing: boolean,
): Promise<void> {
  const api = octokitCommentsApi(pr.octokit, { owner: pr.owner, repo: pr.repo, issueNumber: pr.number });
  try {
    const done = await upsertStickyComment(api, marker, body, { author: pr.author, createIfMissing });
    if (done)
      core.info(
        `${done.created ? 'Created' : 'Updated'} the comment on pull request #${pr.number} (as ${pr.author})`,
      );
    else
      core.info(
        `No changes and no earlier comment on pull request #${pr.number}: none written (comment: changes-only)`,
      );
  } catch (err) {
    core.warning(`Could not write the comment on pull request #${pr.number}: ${why(rt, err)}`);
  }
}
