// validate's `stacks` output for a matrix of plan/apply jobs: the manifests grouped by the stack
// they declare, so one job can run per stack. GitHub Actions runs the jobs; we only list them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

export interface StackEntry {
  stack: string;
  /** The manifest files of the stack, newline separated, relative to the working directory. */
  manifest: string;
}

/** The files an input list names: files, folders (their *.yaml / *.yml) and globs, in input order. */
export async function expandManifestInputs(inputs: string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  const add = (rel: string) => {
    const clean = rel.split(path.sep).join('/');
    if (!files.includes(clean)) files.push(clean);
  };
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const stat = fs.statSync(abs, { throwIfNoEntry: false });
    if (stat?.isFile()) add(path.relative(cwd, abs));
    else if (stat?.isDirectory()) {
      for (const name of fs
        .readdirSync(abs)
        .filter((n) => /\.ya?ml$/i.test(n))
        .sort())
        add(path.relative(cwd, path.join(abs, name)));
    } else if (isDynamicPattern(input)) {
      for (const m of (await glob(input, { cwd, onlyFiles: true, expandDirectories: false })).sort()) add(m);
    } else add(input);
  }
  return files;
}

/** The `stack:` a manifest file declares, read from its text (top-level key, plain or quoted). */
export function declaredStack(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').match(/^stack:\s*["']?([A-Za-z0-9._-]+)/m)?.[1];
  } catch {
    return undefined;
  }
}

/** Files grouped by declared stack, in the order stacks first appear; undeclared files stand alone. */
export function groupByStack(files: string[], cwd: string): { stack?: string; files: string[] }[] {
  const groups: { stack?: string; files: string[] }[] = [];
  for (const file of files) {
    const stack = declaredStack(path.resolve(cwd, file));
    const group = stack === undefined ? undefined : groups.find((g) => g.stack === stack);
    if (group) group.files.push(file);
    else groups.push({ stack, files: [file] });
  }
  return groups;
}
