// The sticky comment logic against an in-memory stand-in for GitHub's issue-comments API.
import { describe, expect, it } from 'vitest';
import {
  COMMENTS_PER_PAGE,
  type IssueComment,
  type IssueCommentsApi,
  planMarker,
  truncateMarkdown,
  upsertStickyComment,
} from '../../src/github/comment.js';

class FakeComments implements IssueCommentsApi {
  comments: IssueComment[] = [];
  calls: string[] = [];
  private nextId = 1000;

  constructor(bodies: string[]) {
    for (const body of bodies) this.comments.push({ id: this.nextId++, body });
  }
  async list(page: number, perPage: number): Promise<IssueComment[]> {
    this.calls.push(`list ${page}`);
    return this.comments.slice((page - 1) * perPage, page * perPage);
  }
  async create(body: string): Promise<IssueComment> {
    const comment = { id: this.nextId++, body };
    this.comments.push(comment);
    this.calls.push(`create ${comment.id}`);
    return comment;
  }
  async update(id: number, body: string): Promise<IssueComment> {
    const comment = this.comments.find((c) => c.id === id);
    if (!comment) throw new Error('404');
    comment.body = body;
    this.calls.push(`update ${id}`);
    return comment;
  }
}

const marker = planMarker('tca-flux');

describe('upsertStickyComment', () => {
  it('creates the comment when none carries the marker, then edits that one', async () => {
    const api = new FakeComments(['LGTM', `${planMarker('other-stack')}\nother plan`]);
    const first = await upsertStickyComment(api, marker, `${marker}\nplan 1`);
    expect(first.created).toBe(true);
    const second = await upsertStickyComment(api, marker, `${marker}\nplan 2`);
    expect(second).toEqual({ id: first.id, created: false });
    expect(api.comments.filter((c) => c.body?.includes(marker))).toHaveLength(1);
    expect(api.comments.find((c) => c.id === first.id)?.body).toBe(`${marker}\nplan 2`);
    expect(api.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
  });

  it('pages through comments to find a marker beyond the first page, and stops there', async () => {
    const bodies = Array.from({ length: 2 * COMMENTS_PER_PAGE + 50 }, (_, i) => `comment ${i}`);
    bodies[COMMENTS_PER_PAGE + 30] = `${marker}\nold plan`;
    const api = new FakeComments(bodies);
    const result = await upsertStickyComment(api, marker, `${marker}\nnew plan`);
    expect(result.created).toBe(false);
    expect(api.calls).toEqual(['list 1', 'list 2', `update ${1000 + COMMENTS_PER_PAGE + 30}`]);
  });

  it('does not match a marker of a stack whose name starts the same', async () => {
    const api = new FakeComments([`${planMarker('tca')}\nplan`]);
    expect(planMarker('tca')).not.toBe(marker);
    const result = await upsertStickyComment(api, planMarker('tca-flux'), `${marker}\nx`);
    expect(result.created).toBe(true);
  });

  it('refuses a body without its marker (it could never be found again)', async () => {
    await expect(upsertStickyComment(new FakeComments([]), marker, 'no marker')).rejects.toThrow(/marker/);
  });
});

describe('truncateMarkdown', () => {
  it('leaves short text alone', () => {
    expect(truncateMarkdown('short', 100)).toBe('short');
  });

  it('cuts at a line boundary, under the limit, and closes an open code fence and details', () => {
    const text = [
      '<details><summary>x</summary>',
      '',
      '```diff',
      ...Array.from({ length: 500 }, (_, i) => `+ line ${i}`),
      '```',
      '</details>',
    ].join('\n');
    const cut = truncateMarkdown(text, 1000);
    expect(cut.length).toBeLessThanOrEqual(1000);
    expect(cut.match(/```/g)?.length).toBe(2);
    expect(cut.trimEnd().endsWith('</details>')).toBe(true);
    // What precedes the added closing is whole lines of the original.
    const kept = cut.replace(/\n```\n<\/details>$/, '');
    expect(text.startsWith(`${kept}\n`)).toBe(true);
  });
});
