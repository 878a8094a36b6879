'use strict';
/* global fetch */
// Child processes of the bench: the sandbox (so its memory is not ours), one worker per measurement
// (so each peak RSS is that measurement's alone), and plain commands (CLI, Action) timed end to end.
const path = require('node:path');
const { spawn } = require('node:child_process');

const children = new Set();

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function startSandboxChild(options) {
  const child = track(
    spawn(process.execPath, [path.join(__dirname, 'sandbox-child.js'), JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const first = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.on('exit', (code) =>
      reject(new Error(`sandbox child exited with code ${code} before it was ready`)),
    );
  });
  const call = async (method, route, body) => {
    const res = await fetch(`${first.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${first.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${route} → HTTP ${res.status}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };
  return {
    url: first.url,
    token: first.adminToken,
    call,
    stats: () => call('GET', '/_sandbox/stats'),
    resetStats: () => call('POST', '/_sandbox/stats/reset'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Runs bench/worker.js with `task`; `nodeArgs` go to node itself (e.g. a heap cap). */
function runWorker(task, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [...nodeArgs, path.join(__dirname, 'worker.js'), JSON.stringify(task)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code === 0 && line) return resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
      reject(new Error(err.trim().split('\n').pop() || `worker exited with code ${code}`));
    });
  });
}

function runProcess(cmd, args, opts) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = track(spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - t0) / 1e6, out }));
  });
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Kills every child still running (on Ctrl-C or a crash of the bench itself). */
function killChildren() {
  for (const c of children) c.kill('SIGKILL');
}

module.exports = { killChildren, median, runProcess, runWorker, startSandboxChild };
