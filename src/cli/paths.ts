// Locations inside the installed package (not the user's cwd): package.json, examples/.
import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

/** The folder holding our package.json, found from this file whether it runs from src/ or lib/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mint-manifest') {
          root = dir;
          return dir;
        }
      } catch {
        // an unreadable package.json on the way up is not ours
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the mint-manifest package root above ${__dirname}`);
    dir = parent;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
