// Renders Markdown the way a reader sees it (GitHub-flavoured, via marked) and, when MM_RENDER_DIR
// is set, keeps the HTML there for a human look: MM_RENDER_DIR=/tmp/r npx vitest run test/github
import * as fs from 'node:fs';
import * as path from 'node:path';
import { marked } from 'marked';

export const html = (md: string): string => marked.parse(md, { gfm: true, async: false });

export function keepRendered(name: string, md: string): void {
  const dir = process.env.MM_RENDER_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.html`), `<meta charset="utf-8">\n${html(md)}`);
}
