// The four commands: inputs → the same operations the CLI uses → outputs, summary, comment, annotations.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as core from '@actions/core';
import {
  apply,
  FingerprintMismatchError,
  MaxDeletesError,
  PlanConflictError,
  plan as planOperation,
  planToJson,
  renderPlanText,
  upload,
  validate,
} from '../actions/index.js';
import type { ApplyResult, Plan } from '../actions/types.js';
import { MintClient, readCredentials } from '../client/index.js';
import { formatDiagnostic } from '../manifest/index.js';
import type { Diagnostic, LoadResult, ResolvedManifest } from '../manifest/model.js';
import { annotateDiagnostics, annotationPath, MAX_ANNOTATIONS_PER_TYPE } from './annotations.js';
import { COMMENT_LIMIT, planMarker } from './comment.js';
import { fileSafe, type RunContext, writeJsonFile } from './context.js';
import type { Inputs } from './inputs.js';
import { eventLogger, type Redactor, retryLine } from './logging.js';
import {
  applyHeadline,
  buildApplyComment,
  buildApplySummary,
  buildDiagnosticsSummary,
  buildFailureComment,
  buildPlanComment,
  buildPlanSummary,
  buildRefusalText,
  countsText,
  diagnosticItem,
  duplicatesLeft,
  experimentCounts,
  fitSummary,
  type PlanFailure,
  type RenderContext,
  shortFingerprint,
  SUMMARY_BUDGET_BYTES,
} from './markdown.js';
import { type PullRequestTarget, resolvePullRequest, writeStickyComment } from './pr.js';
import { expandManifestInputs, groupByStack, type StackEntry } from './stacks.js';

/** A failure already explained to the user (annotations, summary): `run()` only fails the step with it. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** An invalid manifest: its errors (already annotated) and, when it can be read, its stack. */
export class ManifestFailure extends StepFailure {
  constructor(
    message: string,
    readonly errors: Diagnostic[],
    readonly location: (d: Diagnostic) => string,
  ) {
    super(message);
    this.name = 'ManifestFailure';
  }
}

export interface Runtime {
  inputs: Inputs;
  ctx: RunContext;
  /** The directory manifest paths and upload files are relative to. */
  cwd: string;
  redactor: Redactor;
  /** Run when the command ends, e.g. closing the client's keep-alive sockets. */
  cleanups: (() => void)[];
}

/** A line the runner would run as a workflow command: it trims each line and looks for `::`. */
const COMMAND_LINE = /^\s*::/m;

/**
 * Logs text that may quote the manifest or the server (a PR controls both keys and values). When a
 * line of it would run as a workflow command (`::set-output`, `::add-mask`…), the runner is told to
 * run none until an unguessable token: the text is shown as written, and nothing in it runs.
 */
function logInfo(rt: Runtime, text: string): void {
  const clean = rt.redactor.redact(text);
  if (!COMMAND_LINE.test(clean)) return core.info(clean);
  const token = randomUUID();
  core.info(`::stop-commands::${token}`);
  core.info(clean);
  core.info(`::${token}::`);
}

const logSink = (rt: Runtime) => ({
  info: (m: string) => logInfo(rt, m),
  debug: (m: string) => core.debug(rt.redactor.redact(m)),
  warning: (m: string) => core.warning(rt.redactor.redact(m)),
});

/** Every block ends with a blank line, so what the next block (or step) appends starts a paragraph. */
async function writeSummary(rt: Runtime, markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const text = `${fitSummary(rt.redactor.redact(markdown)).trimEnd()}\n\n`;
  await core.summary.addRaw(text).write();
}

/** Outputs go through the one redaction path like every other text the Action writes. */
function setOutput(rt: Runtime, name: string, value: string): void {
  core.setOutput(name, rt.redactor.redact(value));
}

function writeJson(rt: Runtime, name: string, text: string): string {
  return writeJsonFile(rt.ctx, rt.cwd, name, rt.redactor.redact(text));
}

/** The client's own hints name CLI flags; in a workflow the fix is an input, so say that first. */
function checkConnectionInputs(inputs: Inputs, env: NodeJS.ProcessEnv): void {
  let stored: { url?: string; token?: string } | undefined;
  try {
    stored = readCredentials(env);
  } catch {
    stored = undefined;
  }
  if (!inputs.mintUrl && !env.MINT_URL?.trim() && !stored?.url) {
    throw new StepFailure(
      'No MINT server: set the "mint-url" input (e.g. mint-url: ${{ vars.MINT_URL }}) or the MINT_URL environment variable',
    );
  }
  if (!inputs.mintToken && !inputs.mintUsername && !env.MINT_TOKEN?.trim() && !stored?.token) {
    throw new StepFailure(
      'No MINT credentials: set the "mint-token" input from a secret (e.g. mint-token: ${{ secrets.MINT_TOKEN }}), or "mint-username" and "mint-password"',
    );
  }
}

export function createClient(rt: Runtime): MintClient {
  const { inputs } = rt;
  checkConnectionInputs(inputs, process.env);
  const log = logSink(rt);
  const client = new MintClient({
    baseUrl: inputs.mintUrl,
    token: inputs.mintToken,
    username: inputs.mintUsername,
    password: inputs.mintPassword,
    timeoutMs: inputs.timeoutMs,
    retries: inputs.retries,
    allowInsecureHttp: inputs.allowInsecureHttp,
    onWarning: (message) => core.warning(message),
    onRetry: (info) => log.info(retryLine(info)),
    env: process.env,
    userAgent: 'mint-manifest-action',
  });
  rt.cleanups.push(() => client.close());
  return client;
}

/** Paths as the annotations show them (relative to the repository), so every message names the same file. */
function repoLocation(rt: Runtime): (d: Diagnostic) => string {
  return (d) => {
    const file = annotationPath(d.file, rt.cwd, rt.ctx.workspace);
    return d.line > 0 ? `${file}:${d.line}:${d.column}` : file;
  };
}

function reportDiagnostics(rt: Runtime, errors: Diagnostic[], warnings: Diagnostic[]): void {
  if (errors.length === 0 && warnings.length === 0) return;
  core.startGroup(`Manifest: ${errors.length} error(s), ${warnings.length} warning(s)`);
  for (const d of [...errors, ...warnings]) logInfo(rt, formatDiagnostic(d));
  core.endGroup();
  annotateDiagnostics(
    errors,
    warnings,
    {
      error: (m, p) => core.error(rt.redactor.redact(m), p),
      warning: (m, p) => core.warning(rt.redactor.redact(m), p),
    },
    // The step's own failure line is an error annotation too: leave it one of GitHub's 10.
    {
      cwd: rt.cwd,
      workspace: rt.ctx.workspace,
      maxErrors: errors.length > 0 ? MAX_ANNOTATIONS_PER_TYPE - 1 : MAX_ANNOTATIONS_PER_TYPE,
    },
  );
}

function loadManifests(rt: Runtime, paths: string[]): Promise<LoadResult> {
  return validate({
    paths,
    cwd: rt.cwd,
    workspaceRoot: rt.ctx.workspace,
    env: process.env,
    allowEnv: rt.inputs.allowEnv,
    // Every value this run masked is refused as a `${VAR}` value, whatever the variable is called.
    deniedValues: rt.redactor.values(),
  });
}

/** Annotates and summarises what a load found; throws ManifestFailure when the manifest is invalid. */
async function reportLoad(rt: Runtime, result: LoadResult): Promise<ResolvedManifest> {
  const errors = result.ok ? [] : result.errors;
  reportDiagnostics(rt, errors, result.warnings);
  if (!result.ok) {
    const location = repoLocation(rt);
    await writeSummary(rt, buildDiagnosticsSummary(result.errors, result.warnings, location));
    const first = result.errors[0];
    const where = first ? `: ${location(first)} ${first.message}` : '';
    const more =
      result.errors.length > 1 ? ` (and ${result.errors.length - 1} more, see the job summary)` : '';
    throw new ManifestFailure(
      `Manifest invalid: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}${where}${more} — fix the manifest and push again`,
      result.errors,
      location,
    );
  }
  core.info(
    `Stack "${result.manifest.stack}": ${result.manifest.experiments.length} experiment(s), ${result.manifest.projects.length} project(s) in ${result.manifest.files.length} file(s)`,
  );
  return result.manifest;
}

/** Loads the manifests; on errors annotates them, writes the summary and fails the step. */
async function loadOrFail(rt: Runtime): Promise<ResolvedManifest> {
  core.info(`Loading manifest: ${rt.inputs.manifests.join(', ')}`);
  return reportLoad(rt, await loadManifests(rt, rt.inputs.manifests));
}

/**
 * validate: one stack as plan and apply see it; when the manifests name several stacks (a lab with
 * one folder per stack), each stack is validated on its own and listed in the `stacks` output.
 */
export async function runValidate(rt: Runtime): Promise<void> {
  core.info(`Loading manifest: ${rt.inputs.manifests.join(', ')}`);
  const all = await loadManifests(rt, rt.inputs.manifests);
  const mixed = !all.ok && all.errors.some((d) => d.code === 'stack.mixed');
  const groups = mixed
    ? groupByStack(await expandManifestInputs(rt.inputs.manifests, rt.cwd), rt.cwd)
    : [{ files: rt.inputs.manifests }];
  const stacks: StackEntry[] = [];
  const invalid: string[] = [];
  for (const group of groups) {
    const result = mixed ? await loadManifests(rt, group.files) : all;
    try {
      const manifest = await reportLoad(rt, result);
      stacks.push({ stack: manifest.stack, manifest: group.files.join('\n') });
    } catch (err) {
      if (!(err instanceof ManifestFailure)) throw err;
      invalid.push(err.message);
    }
  }
  setOutput(rt, 'stacks', JSON.stringify(stacks));
  if (invalid.length > 0)
    throw new StepFailure(
      invalid.length === 1 ? invalid[0] : `${invalid.length} stacks are invalid: ${invalid.join('; ')}`,
    );
  const lines = stacks.map(
    (s) =>
      `- \`${s.stack}\`: ${s.manifest
        .split('\n')
        .map((f) => `\`${f}\``)
        .join(', ')}`,
  );
  await writeSummary(rt, `${buildDiagnosticsSummary([], [])}\n${lines.join('\n')}\n`);
  core.info(`Manifest is valid: ${stacks.map((s) => s.stack).join(', ')}`);
}

function setPlanOutputs(rt: Runtime, plan: Plan, planFile: string): void {
  setOutput(rt, 'has-changes', plan.hasChanges ? 'true' : 'false');
  setOutput(rt, 'to-create', String(plan.summary.create));
  setOutput(rt, 'to-update', String(plan.summary.update));
  setOutput(rt, 'to-delete', String(plan.summary.delete));
  setOutput(rt, 'fingerprint', plan.fingerprint);
  setOutput(rt, 'plan-json', planFile);
}

/** The whole plan goes to the log: comments and summaries that cut it point here. */
function logPlan(rt: Runtime, plan: Plan): void {
  core.startGroup(`Plan: ${plan.hasChanges ? countsText(experimentCounts(plan)) : 'no changes'}`);
  logInfo(rt, renderPlanText(plan, { color: false }));
  core.endGroup();
  core.info(`Fingerprint: ${plan.fingerprint}`);
}

function recordPlan(rt: Runtime, plan: Plan): void {
  const planFile = writeJson(rt, `plan-${fileSafe(plan.stack)}.json`, planToJson(plan));
  setPlanOutputs(rt, plan, planFile);
  logPlan(rt, plan);
}

function renderContext(rt: Runtime): RenderContext {
  return { label: rt.inputs.label, runUrl: rt.ctx.runUrl, commitSha: rt.ctx.sha };
}

/** Writes the sticky comment of `stack` on the run's pull request, when there is one and it is wanted. */
async function comment(
  rt: Runtime,
  pr: PullRequestTarget | undefined,
  stack: string | undefined,
  build: (marker: string) => string,
  createIfMissing: boolean,
): Promise<void> {
  if (!pr) return;
  const marker = planMarker(stack ?? '?', rt.inputs.label);
  await writeStickyComment(rt, pr, marker, rt.redactor.redact(build(marker)), createIfMissing);
}

/** Replaces the comment with what failed, so a stale plan never stays up. */
async function commentFailure(
  rt: Runtime,
  pr: PullRequestTarget | undefined,
  stack: string | undefined,
  kind: 'plan' | 'apply',
  err: unknown,
): Promise<void> {
  const failure = failureOf(rt, err);
  await comment(
    rt,
    pr,
    stack,
    (marker) => buildFailureComment(kind, stack, failure, marker, renderContext(rt)),
    true,
  );
}

/** What failed, for the comment that replaces the plan: every problem with its place. */
function failureOf(rt: Runtime, err: unknown): PlanFailure {
  if (err instanceof ManifestFailure) {
    return {
      title: `The manifest is invalid: ${err.errors.length} error${err.errors.length === 1 ? '' : 's'}`,
      problems: err.errors.map((d) => diagnosticItem(d, err.location(d))),
      hint: 'Fix the manifest and push again; the errors are also annotated on the changed files.',
    };
  }
  if (err instanceof PlanConflictError) {
    return {
      title: 'The manifest cannot be planned against MINT',
      problems: err.problems.map((p) => rt.redactor.redact(p)),
      hint: 'Fix the manifest (or the experiments in MINT) and push again.',
    };
  }
  const line = rt.redactor.redact((err instanceof Error ? err.message : String(err)).split(/\r?\n/)[0]);
  return {
    title: err instanceof StepFailure ? 'The step is set up wrongly' : 'A MINT request failed',
    problems: [line],
    hint: 'Fix the cause and re-run the job; the run log has the details.',
  };
}

/** The stack a broken manifest names, read straight from its text (it may not parse). */
export function guessStack(rt: Runtime): string | undefined {
  for (const m of rt.inputs.manifests) {
    const file = path.resolve(rt.cwd, m);
    try {
      if (!fs.statSync(file).isFile()) continue;
      const found = fs.readFileSync(file, 'utf8').match(/^stack:\s*["']?([A-Za-z0-9._-]+)/m);
      if (found) return found[1];
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Loads the manifest and plans it; a failure replaces the PR comment before it fails the step. */
async function planOrReport(rt: Runtime, pr: PullRequestTarget | undefined): Promise<Plan> {
  let stack: string | undefined;
  try {
    const manifest = await loadOrFail(rt);
    stack = manifest.stack;
    return await planOperation({
      manifest,
      client: createClient(rt),
      concurrency: rt.inputs.concurrency,
      prune: rt.inputs.prune,
      dedupe: rt.inputs.dedupe,
      onEvent: eventLogger(logSink(rt)),
    });
  } catch (err) {
    await commentFailure(rt, pr, stack ?? guessStack(rt), 'plan', err);
    throw err;
  }
}

export async function runPlan(rt: Runtime): Promise<void> {
  const pr = await resolvePullRequest(rt, { lookUpPush: false });
  const plan = await planOrReport(rt, pr);
  recordPlan(rt, plan);
  const ctx = renderContext(rt);
  await writeSummary(rt, buildPlanSummary(plan, ctx));
  const wanted = rt.inputs.comment === 'always' || plan.hasChanges;
  await comment(rt, pr, plan.stack, (marker) => buildPlanComment(plan, marker, ctx), wanted);
  if (rt.inputs.failOnChanges && plan.hasChanges) {
    throw new StepFailure(
      `Drift detected for stack "${plan.stack}": ${countsText(experimentCounts(plan))} — run apply or update the manifest`,
    );
  }
}

function applyFailureLine(result: ApplyResult): string {
  const failed = result.results.filter((r) => r.status === 'failed');
  if (failed.length === 0 && result.summary.skipped === 0) {
    return `Apply for stack "${result.stack}" left ${Math.max(1, duplicatesLeft(result))} duplicated key(s) alone — see the job summary, remove the extra copies (or apply with dedupe) and re-run`;
  }
  const shown = failed
    .slice(0, 3)
    .map((r) => `${r.actionId}: ${r.message ?? 'failed'}`)
    .join('; ');
  const more = failed.length > 3 ? `; and ${failed.length - 3} more` : '';
  const s = result.summary;
  return (
    `Apply failed for stack "${result.stack}": ${s.failed} of ${result.results.length} action(s) failed (${shown}${more}); ` +
    `${s.ok} applied, ${s.skipped} skipped — see the job summary, fix the cause and re-run apply (it converges)`
  );
}

/** What to do after a refusal, for the reason it was refused. */
function refusalNextStep(err: Error, plan: Plan): string {
  if (err instanceof MaxDeletesError) {
    return `Check the deletions below. If they are intended, set \`max-deletes\` to at least ${err.count} and run apply again (for example with the workflow's "Run workflow" button).`;
  }
  if (err instanceof FingerprintMismatchError) {
    return `MINT or the manifest changed since the plan was reviewed. Review the plan below; to apply exactly it, run the apply workflow again with \`expect-fingerprint: ${shortFingerprint(plan.fingerprint)}\` (in the examples: "Run workflow" with this fingerprint), or push to a pull request to plan and review again.`;
  }
  return 'Plan again, review the new plan and apply it.';
}

/** A refused apply shows what it refused: the plan in the log, summary and comment, and the outputs. */
async function reportRefusal(
  rt: Runtime,
  pr: PullRequestTarget | undefined,
  plan: Plan,
  err: Error,
): Promise<never> {
  recordPlan(rt, plan);
  const reason = rt.redactor.redact(err.message);
  const next = refusalNextStep(err, plan);
  const ctx = renderContext(rt);
  await writeSummary(
    rt,
    buildRefusalText(plan, reason, next, { ...ctx, heading: '##' }, SUMMARY_BUDGET_BYTES / 2),
  );
  await comment(
    rt,
    pr,
    plan.stack,
    (marker) => buildRefusalText(plan, reason, next, { ...ctx, marker, heading: '###' }, COMMENT_LIMIT),
    true,
  );
  throw new StepFailure(`Apply refused for stack "${plan.stack}": ${reason}`);
}

/** The apply refused before any write: the reviewed plan changed, or it deletes too much. */
function isRefusal(err: unknown): err is Error {
  return (
    err instanceof FingerprintMismatchError ||
    err instanceof MaxDeletesError ||
    (err instanceof Error && (err as { plan?: Plan }).plan !== undefined)
  );
}

/** The plan the engine refused (it carries it); planned once more only if an engine does not. */
async function refusedPlan(rt: Runtime, manifest: ResolvedManifest, err: Error): Promise<Plan> {
  const carried = (err as { plan?: Plan }).plan;
  if (carried) return carried;
  core.info('Planning again to show the refused plan');
  return planOperation({
    manifest,
    client: createClient(rt),
    concurrency: rt.inputs.concurrency,
    prune: rt.inputs.prune,
    dedupe: rt.inputs.dedupe,
  });
}

async function applyOrReport(
  rt: Runtime,
  pr: PullRequestTarget | undefined,
): Promise<{ plan: Plan; result: ApplyResult }> {
  const { inputs } = rt;
  let stack: string | undefined;
  let manifest: ResolvedManifest | undefined;
  try {
    manifest = await loadOrFail(rt);
    stack = manifest.stack;
    return await apply({
      manifest,
      client: createClient(rt),
      prune: inputs.prune,
      dedupe: inputs.dedupe,
      maxDeletes: inputs.maxDeletes,
      concurrency: inputs.concurrency,
      continueOnError: inputs.continueOnError,
      expectedFingerprint: inputs.expectFingerprint,
      onEvent: eventLogger(logSink(rt)),
    });
  } catch (err) {
    if (manifest && isRefusal(err)) return reportRefusal(rt, pr, await refusedPlan(rt, manifest, err), err);
    await commentFailure(rt, pr, stack ?? guessStack(rt), 'apply', err);
    throw err;
  }
}

export async function runApply(rt: Runtime): Promise<void> {
  const pr = await resolvePullRequest(rt, { lookUpPush: true });
  const { plan, result } = await applyOrReport(rt, pr);
  recordPlan(rt, plan);
  const resultFile = writeJson(rt, `apply-${fileSafe(result.stack)}.json`, JSON.stringify(result, null, 2));
  setOutput(rt, 'result-json', resultFile);
  for (const c of result.created ?? []) logInfo(rt, `Created ${c.code} (${c.key})`);
  const ctx = renderContext(rt);
  logInfo(rt, applyHeadline(result, plan, ctx.label).replace(/`/g, '"'));
  await writeSummary(rt, buildApplySummary(result, plan, ctx));
  const wanted = rt.inputs.comment === 'always' || result.results.length > 0;
  await comment(rt, pr, result.stack, (marker) => buildApplyComment(result, plan, marker, ctx), wanted);
  if (!result.success) throw new StepFailure(applyFailureLine(result));
}

/** The stack of the manifest, when one is there: upload resolves a manifest key with it. */
async function stackForUpload(rt: Runtime): Promise<string | undefined> {
  const literal = rt.inputs.manifests.filter((m) => !/[*?{[]/.test(m));
  const anyPresent =
    literal.length < rt.inputs.manifests.length ||
    literal.some((m) => fs.existsSync(path.resolve(rt.cwd, m)));
  if (!anyPresent) return undefined;
  return (await loadOrFail(rt)).stack;
}

export async function runUpload(rt: Runtime): Promise<void> {
  const { inputs } = rt;
  const kind = inputs.resultFile !== undefined ? 'result' : 'design';
  const file = (inputs.resultFile ?? inputs.designFile) as string;
  const stack = await stackForUpload(rt);
  const client = createClient(rt);
  const result = await upload({
    client,
    experiment: inputs.experiment as string,
    stack,
    kind,
    pluginId: inputs.pluginId as string,
    file,
    schemaVersion: inputs.schemaVersion,
    cwd: rt.cwd,
  });
  const resultFile = writeJson(rt, 'upload.json', JSON.stringify(result, null, 2));
  setOutput(rt, 'result-json', resultFile);
  const what =
    kind === 'result' ? `analysis result "${inputs.pluginId}"` : `design data (${inputs.pluginId})`;
  core.info(rt.redactor.redact(`Uploaded ${what} from ${file} to experiment ${inputs.experiment}`));
  await writeSummary(
    rt,
    `## MINT upload\n\nSaved the ${what} from \`${file}\` to experiment \`${inputs.experiment}\`.\n`,
  );
}
