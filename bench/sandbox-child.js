'use strict';
// Runs the sandbox in its own process so the bench process's RSS is the engine's alone.
// argv[2]: JSON SandboxOptions. Prints one JSON line {url, adminToken}; exits when stdin closes
// (the parent died or is done) or on SIGTERM.
const { startSandbox } = require('../lib/sandbox/index.js');

async function main() {
  const opts = JSON.parse(process.argv[2] || '{}');
  const sandbox = await startSandbox({ port: 0, quiet: true, ...opts });
  process.stdout.write(JSON.stringify({ url: sandbox.url, adminToken: sandbox.adminToken }) + '\n');
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await sandbox.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`sandbox-child: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
