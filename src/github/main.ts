// The Action's one error boundary: mask secrets, read inputs, run the command, fail with one line.
import * as path from 'node:path';
import * as core from '@actions/core';
import { runApply, runPlan, runUpload, runValidate, type Runtime, StepFailure } from './commands.js';
import { readRunContext } from './context.js';
import { InputError, parseInputs, SECRET_INPUTS } from './inputs.js';
import { Redactor } from './logging.js';

/** Environment variables that may hold a MINT secret when the workflow passes it via `env:`. */
const SECRET_ENV = ['MINT_TOKEN', 'MINT_PASSWORD'];

/** Masks every secret input before anything else can log it; returns the redactor for our own text. */
export function maskSecrets(env: NodeJS.ProcessEnv = process.env): Redactor {
  const redactor = new Redactor();
  const values = [
    ...SECRET_INPUTS.map((name) => core.getInput(name)),
    ...SECRET_ENV.map((name) => (env[name] ?? '').trim()),
  ];
  for (const value of values) {
    if (value === '') continue;
    core.setSecret(value);
    redactor.add(value);
  }
  return redactor;
}

/** One readable line for anything thrown below the boundary. */
export function failureLine(err: unknown, command: string | undefined): string {
  if (err instanceof StepFailure || err instanceof InputError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  const line = message.split(/\r?\n/)[0] || 'unknown error';
  return command ? `mint-manifest ${command} failed: ${line}` : `mint-manifest failed: ${line}`;
}

export async function run(): Promise<void> {
  let redactor = new Redactor();
  let command: string | undefined;
  const cleanups: (() => void)[] = [];
  try {
    redactor = maskSecrets();
    const inputs = parseInputs();
    command = inputs.command;
    const ctx = readRunContext();
    const cwd = path.resolve(ctx.workspace, inputs.workingDirectory ?? '.');
    const rt: Runtime = { inputs, ctx, cwd, redactor, cleanups };
    switch (inputs.command) {
      case 'validate':
        await runValidate(rt);
        break;
      case 'plan':
        await runPlan(rt);
        break;
      case 'apply':
        await runApply(rt);
        break;
      case 'upload':
        await runUpload(rt);
        break;
    }
  } catch (err) {
    if (err instanceof Error && err.stack) core.debug(redactor.redact(err.stack));
    core.setFailed(redactor.redact(failureLine(err, command)));
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}
