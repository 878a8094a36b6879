// One sticky pull request comment per stack: found by a hidden marker and edited in place, so a
// PR shows the latest plan instead of a new comment per push.

/** GitHub refuses comment bodies longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

export function planMarker(stack: string): string {
  return `<!-- mint-manifest:plan stack=${stack} -->`;
}

export interface IssueComment {
  id: number;
  body?: string | null;
}

/** The three GitHub calls the sticky comment needs; `list` pages are 1-based. */
export interface IssueCommentsApi {
  list(page: number, perPage: number): Promise<IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(commentId: number, body: string): Promise<IssueComment>;
}

export const COMMENTS_PER_PAGE = 100;

/** Pages through every comment until one carries the marker; stops at the first match. */
export async function findMarkedComment(
  api: IssueCommentsApi,
  marker: string,
): Promise<IssueComment | undefined> {
  for (let page = 1; ; page++) {
    const comments = await api.list(page, COMMENTS_PER_PAGE);
    const found = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
    if (found) return found;
    if (comments.length < COMMENTS_PER_PAGE) return undefined;
  }
}

export interface UpsertResult {
  id: number;
  created: boolean;
}

/** Edits the comment that carries `marker`, or creates it when there is none. */
export async function upsertStickyComment(
  api: IssueCommentsApi,
  marker: string,
  body: string,
): Promise<UpsertResult> {
  if (!body.includes(marker)) throw new Error('sticky comment body must contain its marker');
  const existing = await findMarkedComment(api, marker);
  if (existing) {
    const updated = await api.update(existing.id, body);
    return { id: updated.id ?? existing.id, created: false };
  }
  const created = await api.create(body);
  return { id: created.id, created: true };
}

/** The subset of an Octokit instance used here (`github.getOctokit(token)` satisfies it). */
export interface OctokitIssues {
  rest: {
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
