// The workspace root: data files a manifest names must stay inside it.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The git work tree holding `dir` (the nearest folder upwards with a `.git` folder, or a `.git`
 * file as in worktrees and submodules), else `dir` itself. No git binary needed.
 */
export function findWorkspaceRoot(dir: string): string {
  const start = path.resolve(dir);
  for (let cur = start; ;) {
    if (fs.existsSync(path.join(cur, '.git'))) return cur;
    const parent = path.dirname(cur);
    if (parent === cur) return start;
    cur = parent;
  }
}
