// Shared help text pieces: every command's help ends with examples and its exit codes.

/** Exit codes as each command's help lists them (code → meaning). */
export const EXIT_CODES = {
  ok: (what: string): [number, string] => [0, what],
  error: (
    what = 'error (invalid input, MINT unreachable or refusing, a failed action)',
  ): [number, string] => [1, what],
  changes: [2, 'changes pending (only with --detailed-exitcode)'] as [number, string],
  interrupted: [130, 'interrupted (Ctrl+C)'] as [number, string],
};

/** The "Examples:" block, then (when given) the "Exit codes:" block, shown after a command's options. */
export function examples(lines: string[], codes: [number, string][] = []): string {
  const ex = `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
  return codes.length === 0 ? ex : `${ex}${exitCodes(codes)}`;
}

export function exitCodes(codes: [number, string][]): string {
  return `\nExit codes:\n${codes.map(([code, what]) => `  ${String(code).padEnd(3)} ${what}`).join('\n')}\n`;
}

/** One line for commands with --format json: where a failure goes. */
export const JSON_ERROR_NOTE =
  '\nWith --format json a failure also prints {"error": {"code", "message", "exitCode", "diagnostics"}} on stdout (docs/cli-json.md).\n';
