// Shared help text pieces.

/** The "Examples:" block every command shows after its options. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
