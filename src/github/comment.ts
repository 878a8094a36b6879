// One sticky pull request comment per stack: found by a hidden marker and edited in place, so a
// PR shows the latest plan instead of a new comment per push.

/** GitHub refuses comment bodies longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

/** The hidden line that finds the comment again: one comment per stack and label. */
export function planMarker(stack: string, label?: string): string {
  return label
    ? `<!-- mint-manifest:plan stack=${stack} label=${label} -->`
    : `<!-- mint-manifest:plan stack=${stack} -->`;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  user?: { login?: string } | null;
}

/** The GitHub calls the sticky comment needs; `list` pages are 1-based. */
export interface IssueCommentsApi {
  list(page: number, perPage: number): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(commentId: number, body: string): Promise<IssueComment>;
}

export const COMMENTS_PER_PAGE = 100;

/** The login the workflow's GITHUB_TOKEN writes comments as (it may not read GET /user). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/**
 * Who the token writes comments as: `GET /user` for a personal or app-user token; the workflow
 * token is refused there (403) and always writes as github-actions[bot]. A 404 (a GitHub Enterprise
 * or stand-in without the route) is taken the same way: only the bot's own comments are then
 * edited, so a wrong guess can only add a comment, never edit someone else's. A GitHub App's
 * installation token is refused too and writes as its app's bot: `named` (the comment-author
 * input) says which, and is used only when GitHub does not answer (what GitHub says wins, and
 * `onIgnored` hears of a name it overrides). A 401 (bad token) stops, as every later call would fail.
 */
export async function tokenIdentity(
  getUser: () => Promise<{ login?: string }>,
  named?: string,
  onIgnored?: (named: string, login: string) => void,
): Promise<string> {
  try {
    const user = await getUser();
    if (typeof user.login === 'string' && user.login !== '') {
      if (named !== undefined && !sameLogin(named, user.login)) onIgnored?.(named, user.login);
      return user.login;
    }
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (status !== 403 && status !== 404) throw err;
  }
  return named ?? ACTIONS_BOT_LOGIN;
}

/** GitHub logins are case-insensitive. */
function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether a line of `body` is exactly `marker` (a marker quoted inside other text does not count). */
function carriesMarker(body: string, marker: string): boolean {
  return body.split(/\r?\n/).some((line) => line.trim() === marker);
}

/**
 * Pages through the comments for the first one written by `author` that carries the marker.
 * Anyone can paste our marker into a comment; only our own comment is ever edited.
 */
export async function findMarkedComment(
  api: IssueCommentsApi,
  marker: string,
  author: string,
): Promise<IssueComment | undefined> {
  for (let page = 1; ; page++) {
    const comments = await api.list(page, COMMENTS_PER_PAGE);
    const found = comments.find(
      (c) =>
        typeof c.user?.login === 'string' &&
        sameLogin(c.user.login, author) &&
        typeof c.body === 'string' &&
        carriesMarker(c.body, marker),
    );
    if (found) return found;
    if (comments.length < COMMENTS_PER_PAGE) return undefined;
  }
}

export interface UpsertResult {
  id: number;
  created: boolean;
}

/**
 * Edits our comment that carries `marker`, or creates it when there is none. With
 * `createIfMissing: false` (comment: changes-only and nothing to show) only an existing one is edited.
 */
export async function upsertStickyComment(
  api: IssueCommentsApi,
  marker: string,
  body: string,
  opts: { author: string; createIfMissing?: boolean },
): Promise<UpsertResult | undefined> {
  if (!carriesMarker(body, marker)) throw new Error('sticky comment body must contain its marker');
  const existing = await findMarkedComment(api, marker, opts.author);
  if (existing) {
    const updated = await api.update(existing.id, body);
    return { id: updated.id ?? existing.id, created: false };
  }
  if (opts.createIfMissing === false) return undefined;
  const created = await api.create(body);
  return { id: created.id, created: true };
}

/** The subset of an Octokit instance used here (`github.getOctokit(token)` satisfies it). */
export interface OctokitIssues {
  rest: {
    users: {
      getAuthenticated(): Promise<{ data: { login?: string } }>;
    };
    issues: {
      listComments(params: {
        owner: string;
        repo: string;
        issue_number: number;
        per_page: number;
        page: number;
      }): Promise<{ data: IssueComment[] }>;
      createComment(params: {
        owner: string;
        repo: string;
        issue_number: number;
        body: string;
      }): Promise<{ data: IssueComment }>;
      updateComment(params: {
        owner: string;
        repo: string;
        comment_id: number;
        body: string;
      }): Promise<{ data: IssueComment }>;
    };
    repos: {
      listPullRequestsAssociatedWithCommit(params: {
        owner: string;
        repo: string;
        commit_sha: string;
      }): Promise<{ data: { number: number; state?: string; merged_at?: string | null }[] }>;
    };
  };
}

export function octokitCommentsApi(
  octokit: OctokitIssues,
  where: { owner: string; repo: string; issueNumber: number },
): IssueCommentsApi {
  const { owner, repo, issueNumber } = where;
  return {
    list: async (page, perPage) =>
      (
        await octokit.rest.issues.listComments({
          owner,
          repo,
          issue_number: issueNumber,
          per_page: perPage,
          page,
        })
      ).data,
    create: async (body) =>
      (await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })).data,
    update: async (commentId, body) =>
      (await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })).data,
  };
}

/**
 * The pull request a pushed commit came from (`GET /repos/{owner}/{repo}/commits/{sha}/pulls`):
 * the merged one first, else an open one.
 */
export async function pullRequestOfCommit(
  octokit: OctokitIssues,
  where: { owner: string; repo: string; sha: string },
): Promise<number | undefined> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: where.owner,
    repo: where.repo,
    commit_sha: where.sha,
  });
  const pr = data.find((p) => p.merged_at) ?? data.find((p) => p.state === 'open');
  return pr?.number;
}

/**
 * Cuts Markdown to at most `maxChars` at a line boundary and closes an open code fence and
 * `<details>` blocks, so the cut text still renders.
 */
export function truncateMarkdown(markdown: string, maxChars: number): string {
  if (markdown.length <= maxChars) return markdown;
  // Room for the closing fence and tags added below.
  const closingRoom = 64;
  let cut = markdown.slice(0, Math.max(0, maxChars - closingRoom));
  const lastNewline = cut.lastIndexOf('\n');
  if (lastNewline > 0) cut = cut.slice(0, lastNewline);
  let closing = '';
  const fences = cut.match(/^\s*(```|~~~)/gm)?.length ?? 0;
  if (fences % 2 === 1) closing += '\n```';
  const opened = cut.match(/<details\b/g)?.length ?? 0;
  const closed = cut.match(/<\/details>/g)?.length ?? 0;
  closing += '\n</details>'.repeat(Math.max(0, Math.min(opened - closed, 3)));
  return (cut + closing).slice(0, maxChars);
}
