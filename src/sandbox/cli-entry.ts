// `node lib/sandbox/cli-entry.js [--port] [--data] [--user name:password] [--token]`: the sandbox
// without the full CLI (used by the persistence test and handy in CI).
import { parseSandboxArgs, runSandboxCli } from './cli.js';

runSandboxCli(parseSandboxArgs(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`mint-manifest sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
