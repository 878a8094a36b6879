// The four commands: inputs → the same operations the CLI uses → outputs, summary, comment, annotations.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import {
  apply,
  plan as planOperation,
  planToJson,
  renderPlanMarkdown,
  renderPlanText,
  upload,
  validate,
} from '../actions/index.js';
import type { ApplyResult, Plan } from '../actions/types.js';
import { MintClient, readCredentials } from '../client/index.js';
import { formatDiagnostic } from '../manifest/index.js';
import type { Diagnostic, LoadResult, ResolvedManifest } from '../manifest/model.js';
import { annotateDiagnostics } from './annotations.js';
import { octokitCommentsApi, planMarker, upsertStickyComment } from './comment.js';
import { fileSafe, type RunContext, writeJsonFile } from './context.js';
import { type Inputs, shouldCommentOnPr } from './inputs.js';
import { eventLogger, type Redactor, retryLine } from './logging.js';
import {
  applyHeadline,
  buildApplySummary,
  buildDiagnosticsSummary,
  buildPlanComment,
  buildPlanSummary,
  changeCounts,
  fitSummary,
} from './markdown.js';

/** A failure already explained to the user (annotations, summary): `run()` only fails the step with it. */
export class StepFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailure';
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

async function writeSummary(rt: Runtime, markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(fitSummary(rt.redactor.redact(markdown)), true).write();
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
    { cwd: rt.cwd, workspace: rt.ctx.workspace },
  );
}

/** Loads the manifests; on errors annotates them, writes the summary and fails the step. */
async function loadOrFail(rt: Runtime): Promise<ResolvedManifest> {
  core.info(`Loading manifest: ${rt.inputs.manifests.join(', ')}`);
  const result: LoadResult = await validate({
    paths: rt.inputs.manifests,
    cwd: rt.cwd,
    workspaceRoot: rt.ctx.workspace,
    env: process.env,
    allowEnv: rt.inputs.allowEnv,
    // Every value this run masked is refused as a `${VAR}` value, whatever the variable is called.
    deniedValues: rt.redactor.values(),
  });
  const errors = result.ok ? [] : result.errors;
  reportDiagnostics(rt, errors, result.warnings);
  if (!result.ok) {
    await writeSummary(rt, buildDiagnosticsSummary(result.errors, result.warnings));
    const first = result.errors[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column} ${first.message}` : '';
    const more =
      result.errors.length > 1 ? ` (and ${result.errors.length - 1} more, see the annotations)` : '';
    throw new StepFailure(
      `Manifest invalid: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}${where}${more} — fix the manifest and push again`,
    );
  }
  core.info(
    `Stack "${result.manifest.stack}": ${result.manifest.experiments.length} experiment(s), ${result.manifest.projects.length} project(s) in ${result.manifest.files.length} file(s)`,
  );
  return result.manifest;
}

export async function runValidate(rt: Runtime): Promise<void> {
  const manifest = await loadOrFail(rt);
  await writeSummary(
    rt,
    buildDiagnosticsSummary([], []) +
      `\nStack \`${manifest.stack}\`: ${manifest.experiments.length} experiment(s) in ${manifest.files.map((f) => `\`${f}\``).join(', ')}.\n`,
  );
  core.info('Manifest is valid');
}

function setPlanOutputs(plan: Plan, planFile: string): void {
  core.setOutput('has-changes', plan.hasChanges ? 'true' : 'false');
  core.setOutput('to-create', String(plan.summary.create));
  core.setOutput('to-update', String(plan.summary.update));
  core.setOutput('to-delete', String(plan.summary.delete));
  core.setOutput('fingerprint', plan.fingerprint);
  core.setOutput('plan-json', planFile);
}

function logPlan(rt: Runtime, plan: Plan): void {
  core.startGroup(`Plan: ${plan.hasChanges ? changeCounts(plan) : 'no changes'}`);
  logInfo(rt, renderPlanText(plan, { color: false }));
  core.endGroup();
  core.info(`Fingerprint: ${plan.fingerprint}`);
}

/** Files get the log's redaction too: the plan JSON is often uploaded as an artifact. */
function writeRedacted(rt: Runtime, name: string, text: string): string {
  return writeJsonFile(rt.ctx, rt.cwd, name, rt.redactor.redact(text));
}

function recordPlan(rt: Runtime, plan: Plan): void {
  const planFile = writeRedacted(rt, `plan-${fileSafe(plan.stack)}.json`, planToJson(plan));
  setPlanOutputs(plan, planFile);
  logPlan(rt, plan);
}

async function commentOnPullRequest(rt: Runtime, plan: Plan): Promise<void> {
  const { inputs, ctx } = rt;
  if (!shouldCommentOnPr(inputs, ctx.eventName)) return;
  if (ctx.pullRequest === undefined || !ctx.owner || !ctx.repo) {
    core.info('Not a pull request run: no plan comment');
    return;
  }
  if (!inputs.githubToken) {
    core.warning('comment-on-pr is on but github-token is empty: no plan comment written');
    return;
  }
  const body = rt.redactor.redact(
    buildPlanComment(plan, renderPlanMarkdown, { summaryUrl: ctx.runUrl, commitSha: ctx.sha }),
  );
  const octokit = github.getOctokit(inputs.githubToken);
  const api = octokitCommentsApi(octokit, { owner: ctx.owner, repo: ctx.repo, issueNumber: ctx.pullRequest });
  try {
    const { id, created } = await upsertStickyComment(api, planMarker(plan.stack), body);
    core.info(
      `${created ? 'Created' : 'Updated'} the plan comment on pull request #${ctx.pullRequest} (comment ${id})`,
    );
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    const why =
      status === 403 || status === 404
        ? 'the token may not write pull request comments (fork PRs get a read-only token; grant "pull-requests: write")'
        : rt.redactor.redact(err instanceof Error ? err.message : String(err));
    core.warning(`Could not write the plan comment on pull request #${ctx.pullRequest}: ${why}`);
  }
}

export async function runPlan(rt: Runtime): Promise<void> {
  const manifest = await loadOrFail(rt);
  const client = createClient(rt);
  const plan = await planOperation({
    manifest,
    client,
    concurrency: rt.inputs.concurrency,
    prune: rt.inputs.prune,
    onEvent: eventLogger(logSink(rt)),
  });
  recordPlan(rt, plan);
  await writeSummary(rt, buildPlanSummary(plan, renderPlanMarkdown));
  await commentOnPullRequest(rt, plan);
  if (rt.inputs.failOnChanges && plan.hasChanges) {
    throw new StepFailure(
      `Drift detected for stack "${plan.stack}": ${changeCounts(plan)} — run apply or update the manifest`,
    );
  }
}

function applyFailureLine(result: ApplyResult): string {
  const failed = result.results.filter((r) => r.status === 'failed');
  const shown = failed
    .slice(0, 3)
    .map((r) => `${r.actionId}: ${r.message ?? 'failed'}`)
    .join('; ');
  const more = failed.length > 3 ? `; and ${failed.length - 3} more` : '';
  const s = result.summary;
  return (
    `Apply failed for stack "${result.stack}": ${s.failed} action(s) failed (${shown}${more}); ` +
    `${s.ok} applied, ${s.skipped} skipped — see the job summary, fix the cause and re-run apply (it converges)`
  );
}

export async function runApply(rt: Runtime): Promise<void> {
  const { inputs } = rt;
  const manifest = await loadOrFail(rt);
  const client = createClient(rt);
  const { plan, result } = await apply({
    manifest,
    client,
    prune: inputs.prune,
    maxDeletes: inputs.maxDeletes,
    concurrency: inputs.concurrency,
    continueOnError: inputs.continueOnError,
    expectedFingerprint: inputs.expectFingerprint,
    onEvent: eventLogger(logSink(rt)),
  });
  recordPlan(rt, plan);
  const resultFile = writeRedacted(
    rt,
    `apply-${fileSafe(result.stack)}.json`,
    JSON.stringify(result, null, 2),
  );
  core.setOutput('result-json', resultFile);
  core.info(applyHeadline(result).replace(/`/g, '"'));
  await writeSummary(rt, `${buildApplySummary(result)}\n${buildPlanSummary(plan, renderPlanMarkdown)}`);
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
    cwd: rt.cwd,
  });
  const resultFile = writeRedacted(rt, 'upload.json', JSON.stringify(result, null, 2));
  core.setOutput('result-json', resultFile);
  const what =
    kind === 'result' ? `analysis result "${inputs.pluginId}"` : `design data (${inputs.pluginId})`;
  core.info(`Uploaded ${what} from ${file} to experiment ${inputs.experiment}`);
  await writeSummary(
    rt,
    `## MINT upload\n\nSaved the ${what} from \`${file}\` to experiment \`${inputs.experiment}\`.\n`,
  );
}
