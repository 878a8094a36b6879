// One route table, graded: the client's ROUTES and the sandbox's SANDBOX_ROUTES carry the grade
// the contract document gives each route (C, C/SDK, I), and cover every route it lists.
// The document is docs/mint-api.md (a copy of the shared contract; MINT_API_DOC points elsewhere).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteGrade } from '../../src/client/routes.js';
import { SANDBOX_ROUTES } from '../../src/sandbox/routes.js';

const DOC = process.env.MINT_API_DOC ?? path.join(__dirname, '..', '..', 'docs', 'mint-api.md');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface DocRoute {
  method: string;
  path: string;
  grade: RouteGrade;
  row: string;
}

/** The grade a row starts its last cell with: "C/SDK (envelope; …); I (…)" → C/SDK. */
function rowGrade(cell: string): RouteGrade | undefined {
  const m = /^\**(C\/SDK|C|I)\b/.exec(cell.trim());
  return m ? (m[1] as RouteGrade) : undefined;
}

const stripQuery = (p: string): string => p.replace(/[?].*$/, '');

/**
 * Every (method, path) a table row names. Handles the document's shorthands: "`PATCH` same path",
 * "`…/restore`" (a sibling of the previous path), "`/data/summary`" (relative to the previous
 * path), "`GET`, `POST` … on `/api/projects[/{id}]`", and "`{api_prefix}/settings`: `GET` …; `PUT`".
 */
export function routesOfCell(cell: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const tokens = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1].trim());
  let pending: string[] = [];
  let lastMethod: string | undefined;
  let lastPath: string | undefined;
  const add = (method: string, p: string): void => {
    out.push({ method, path: stripQuery(p) });
    lastMethod = method;
    lastPath = stripQuery(p);
  };
  for (const t of tokens) {
    const full = /^(GET|POST|PUT|PATCH|DELETE) (\S+)/.exec(t);
    if (full) {
      add(full[1], full[2]);
      pending = [];
      continue;
    }
    if ((METHODS as readonly string[]).includes(t)) {
      if (lastPath && /same path/.test(cell.slice(cell.indexOf(`\`${t}\``)))) add(t, lastPath);
      else if (lastPath && lastPath.startsWith('{')) add(t, lastPath);
      else pending.push(t);
      continue;
    }
    if (t.startsWith('/api') || t.startsWith('{api_prefix}')) {
      const optional = /^(.*)\[(\/[^\]]+)\]$/.exec(t);
      const paths = optional ? [optional[1], optional[1] + optional[2]] : [t];
      if (pending.length) {
        // `/api/projects[/{id}]`: POST creates on the collection, PATCH/DELETE act on one item
        for (const m of pending) {
          const fitting = !optional ? paths : m === 'POST' ? [paths[0]] : m === 'GET' ? paths : [paths[1]];
          for (const p of fitting) add(m, p);
        }
        pending = [];
      } else if (t.startsWith('{api_prefix}')) {
        lastPath = t;
      }
      continue;
    }
    if (t.startsWith('…/') && lastPath && lastMethod) {
      add(lastMethod, lastPath.replace(/\/[^/]+$/, t.slice(1)));
      continue;
    }
    if (t.startsWith('/') && lastPath && lastMethod) {
      const first = t.split('/')[1];
      const at = lastPath.indexOf(`/${first}`);
      if (at > 0) add(lastMethod, lastPath.slice(0, at) + t);
    }
  }
  return out;
}

function docRoutes(text: string): { routes: DocRoute[]; prefixes: { prefix: string; grade: RouteGrade }[] } {
  const routes: DocRoute[] = [];
  const prefixes: { prefix: string; grade: RouteGrade }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line.split('|').slice(1, -1);
    if (cells.length < 3) continue;
    const grade = rowGrade(cells[cells.length - 1]);
    if (!grade) continue;
    const http = cells.slice(1, -1).join('|');
    for (const r of routesOfCell(http)) routes.push({ ...r, grade, row: cells[0].trim() });
    // "under `/api/admin/...` and `/api/updates/...`"
    for (const m of http.matchAll(/`(\/api\/[a-z-]+)\/\.\.\.`/g))
      prefixes.push({ prefix: `${m[1]}/`, grade });
  }
  return { routes, prefixes };
}

const doc = docRoutes(fs.readFileSync(DOC, 'utf8'));

/** The document's grade of a route; placeholder names are compared loosely ({id} = {x}). */
function gradeOf(method: string, p: string): RouteGrade | undefined {
  const shape = (s: string): string => s.replace(/\{[^}]+\}/g, '{}');
  const hit = doc.routes.find((r) => r.method === method && shape(r.path) === shape(p));
  if (hit) return hit.grade;
  return doc.prefixes.find((x) => p.startsWith(x.prefix))?.grade;
}

describe('route grades follow the contract document', () => {
  it('parses the document into routes', () => {
    expect(doc.routes.length).toBeGreaterThan(30);
    expect(gradeOf('PATCH', '/api/experiments/{id}/analysis-artifacts/{aid}')).toBe('C/SDK');
    expect(gradeOf('GET', '/api/experiments/{id}/data/summary')).toBe('I');
    expect(gradeOf('DELETE', '/api/projects/{id}')).toBe('I');
    expect(gradeOf('PUT', '{api_prefix}/settings')).toBe('C/SDK');
    expect(gradeOf('GET', '/api/admin/users')).toBe('I');
  });

  it("the client's route table: every route graded as in the document", () => {
    const wrong = Object.entries(ROUTES)
      .map(([name, r]) => ({
        name,
        route: `${r.method} ${r.path}`,
        ours: r.grade,
        doc: gradeOf(r.method, r.path),
      }))
      .filter((x) => x.ours !== x.doc);
    expect(wrong).toEqual([]);
  });

  it("the sandbox's route table: every route graded as in the document", () => {
    const wrong = SANDBOX_ROUTES.map((r) => {
      const p = r.path.replace('/api/{plugin}/', '{api_prefix}/');
      return { name: r.name, route: `${r.method} ${p}`, ours: r.grade, doc: gradeOf(r.method, p) };
    }).filter((x) => x.ours !== x.doc);
    expect(wrong).toEqual([]);
  });

  it('every route the document lists is in the client table', () => {
    const shape = (s: string): string => s.replace(/\{[^}]+\}/g, '{}');
    const ours = new Set(Object.values(ROUTES).map((r) => `${r.method} ${shape(r.path)}`));
    const missing = doc.routes.map((r) => `${r.method} ${shape(r.path)}`).filter((k) => !ours.has(k));
    expect(missing).toEqual([]);
  });
});
