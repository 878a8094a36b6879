// The sticky comment logic against an in-memory stand-in for GitHub's issue-comments API.
import { describe, expect, it } from 'vitest';
import {
  ACTIONS_BOT_LOGIN,
  COMMENTS_PER_PAGE,
  type IssueComment,
  type IssueCommentsApi,
  planMarker,
  tokenIdentity,
  truncateMarkdown,
  upsertStickyComment,
} from '../../src/github/comment.js';

const BOT = ACTIONS_BOT_LOGIN;
const mine = { author: BOT };

class FakeComments implements IssueCommentsApi {
  comments: IssueComment[] = [];
  calls: string[] = [];
  private nextId = 1000;

  constructor(bodies: string[], login = BOT) {
    for (const body of bodies) this.comments.push({ id: this.nextId++, body, user: { login } });
  }
  async list(page: number, perPage: number): Promise<IssueComment[]> {
    this.calls.push(`list ${page}`);
    return this.comments.slice((page - 1) * perPage, page * perPage);
  }
  async create(body: string): Promise<IssueComment> {
    const comment = { id: this.nextId++, body, user: { login: BOT } };
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
    const first = await upsertStickyComment(api, marker, `${marker}\nplan 1`, mine);
    expect(first!.created).toBe(true);
    const second = await upsertStickyComment(api, marker, `${marker}\nplan 2`, mine);
    expect(second).toEqual({ id: first!.id, created: false });
    expect(api.comments.filter((c) => c.body?.includes(marker))).toHaveLength(1);
    expect(api.comments.find((c) => c.id === first!.id)?.body).toBe(`${marker}\nplan 2`);
    expect(api.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
  });

  it('matches the author whatever the case of its login (GitHub logins are case-insensitive)', async () => {
    const api = new FakeComments([`${marker}\nold plan`], 'Lab-App[bot]');
    const result = await upsertStickyComment(api, marker, `${marker}\nnew plan`, { author: 'lab-app[bot]' });
    expect(result).toEqual({ id: 1000, created: false });
  });

  it('pages through comments to find a marker beyond the first page, and stops there', async () => {
    const bodies = Array.from({ length: 2 * COMMENTS_PER_PAGE + 50 }, (_, i) => `comment ${i}`);
    bodies[COMMENTS_PER_PAGE + 30] = `${marker}\nold plan`;
    const api = new FakeComments(bodies);
    const result = await upsertStickyComment(api, marker, `${marker}\nnew plan`, mine);
    expect(result!.created).toBe(false);
    expect(api.calls).toEqual(['list 1', 'list 2', `update ${1000 + COMMENTS_PER_PAGE + 30}`]);
  });

  it('does not match a marker of a stack whose name starts the same', async () => {
    const api = new FakeComments([`${planMarker('tca')}\nplan`]);
    expect(planMarker('tca')).not.toBe(marker);
    const result = await upsertStickyComment(api, planMarker('tca-flux'), `${marker}\nx`, mine);
    expect(result!.created).toBe(true);
  });

  it('never edits a comment of someone else that carries our marker, nor one quoting it', async () => {
    const api = new FakeComments([`${marker}\nfake plan, fingerprint=000`], 'mallory');
    api.comments.push({ id: 1, body: `see \`${marker}\` in the docs`, user: { login: BOT } });
    const result = await upsertStickyComment(api, marker, `${marker}\nreal plan`, mine);
    expect(result!.created).toBe(true);
    expect(api.comments[0].body).toBe(`${marker}\nfake plan, fingerprint=000`);
    expect(api.calls.filter((c) => c.startsWith('update'))).toEqual([]);
  });

  it('changes-only: edits an existing comment but creates none', async () => {
    const empty = new FakeComments([]);
    expect(
      await upsertStickyComment(empty, marker, `${marker}\nno changes`, { ...mine, createIfMissing: false }),
    ).toBeUndefined();
    expect(empty.comments).toEqual([]);
    const api = new FakeComments([`${marker}\nold plan`]);
    const done = await upsertStickyComment(api, marker, `${marker}\nno changes`, {
      ...mine,
      createIfMissing: false,
    });
    expect(done).toEqual({ id: 1000, created: false });
  });

  it('a label makes a separate comment per plan of one stack', async () => {
    const api = new FakeComments([`${planMarker('tca-flux', 'staging')}\nstaging plan`]);
    const prod = planMarker('tca-flux', 'production');
    const done = await upsertStickyComment(api, prod, `${prod}\nproduction plan`, mine);
    expect(done!.created).toBe(true);
    expect(api.comments[0].body).toContain('staging plan');
  });

  it('refuses a body without its marker (it could never be found again)', async () => {
    await expect(upsertStickyComment(new FakeComments([]), marker, 'no marker', mine)).rejects.toThrow(
      /marker/,
    );
  });
});

describe('tokenIdentity', () => {
  it('is the login of GET /user, or github-actions[bot] when the workflow token gets 403 there', async () => {
    expect(await tokenIdentity(async () => ({ login: 'lab-bot' }))).toBe('lab-bot');
    const forbidden = Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
    expect(
      await tokenIdentity(async () => {
        throw forbidden;
      }),
    ).toBe(BOT);
    const missing = Object.assign(new Error('Not Found'), { status: 404 });
    expect(
      await tokenIdentity(async () => {
        throw missing;
      }),
    ).toBe(BOT);
    const unauthorized = Object.assign(new Error('Bad credentials'), { status: 401 });
    await expect(
      tokenIdentity(async () => {
        throw unauthorized;
      }),
    ).rejects.toThrow('Bad credentials');
  });

  it("uses a named login (an app token's bot) only when GitHub does not say", async () => {
    const refused = Object.assign(new Error('Resource not accessible by integration'), { status: 403 });
    const ignored: string[] = [];
    const onIgnored = (named: string, login: string) => ignored.push(`${named}->${login}`);
    const denied = async () => {
      throw refused;
    };
    expect(await tokenIdentity(denied, 'lab-app[bot]', onIgnored)).toBe('lab-app[bot]');
    expect(await tokenIdentity(async () => ({ login: 'lab-bot' }), 'alice', onIgnored)).toBe('lab-bot');
    expect(await tokenIdentity(async () => ({ login: 'Lab-Bot' }), 'lab-bot', onIgnored)).toBe('Lab-Bot');
    expect(ignored).toEqual(['alice->lab-bot']);
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
