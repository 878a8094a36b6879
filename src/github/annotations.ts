// Manifest diagnostics as GitHub annotations on the file and line. GitHub shows at most 10
// annotations of each type per step, so the first ones are annotated and the rest counted in one line.
import * as path from 'node:path';
import type { Diagnostic } from '../manifest/model.js';

export const MAX_ANNOTATIONS_PER_TYPE = 10;

export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** `core.error` / `core.warning` shaped sinks, so this module stays free of @actions/core. */
export interface Annotator {
  error(message: string, props: AnnotationProperties): void;
  warning(message: string, props: AnnotationProperties): void;
}

/**
 * Annotation paths must be relative to the repository root; diagnostics name files relative to
 * the working directory, which `working-directory` may have moved.
 */
export function annotationPath(file: string, cwd: string, workspace: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(workspace, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

/** "(expected …, found …)" with whichever of the two is known; '' when neither is. */
export function expectedFound(d: Pick<Diagnostic, 'expected' | 'found'>): string {
  const parts: string[] = [];
  if (d.expected !== undefined) parts.push(`expected ${d.expected}`);
  if (d.found !== undefined) parts.push(`found ${d.found}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** One line: what is wrong, expected/found, and the hint. */
export function annotationMessage(d: Diagnostic): string {
  let message = d.message + expectedFound(d);
  if (d.path) message += ` [at ${d.path}]`;
  if (d.hint) message += ` — ${d.hint}`;
  return message;
}

export interface AnnotateResult {
  annotatedErrors: number;
  annotatedWarnings: number;
  /** Diagnostics not annotated because of GitHub's per-type limit. */
  notAnnotated: number;
}

export function annotateDiagnostics(
  errors: Diagnostic[],
  warnings: Diagnostic[],
  annotator: Annotator,
  where: { cwd: string; workspace: string; maxErrors?: number },
): AnnotateResult {
  const props = (d: Diagnostic): AnnotationProperties => ({
    file: annotationPath(d.file, where.cwd, where.workspace),
    startLine: d.line > 0 ? d.line : undefined,
    startColumn: d.column > 0 ? d.column : undefined,
  });
  const shownErrors = errors.slice(0, where.maxErrors ?? MAX_ANNOTATIONS_PER_TYPE);
  for (const d of shownErrors) annotator.error(annotationMessage(d), props(d));

  const hiddenErrors = errors.length - shownErrors.length;
  // The "N more" line is a warning (error annotations are already at GitHub's cap), so it takes
  // one warning slot whenever anything is left out.
  const needsMoreLine = hiddenErrors > 0 || warnings.length > MAX_ANNOTATIONS_PER_TYPE;
  const warningRoom = MAX_ANNOTATIONS_PER_TYPE - (needsMoreLine ? 1 : 0);
  const shownWarnings = warnings.slice(0, warningRoom);
  for (const d of shownWarnings) annotator.warning(annotationMessage(d), props(d));
  const hiddenWarnings = warnings.length - shownWarnings.length;

  if (hiddenErrors > 0 || hiddenWarnings > 0) {
    const parts: string[] = [];
    if (hiddenErrors > 0) parts.push(`${hiddenErrors} more error${hiddenErrors === 1 ? '' : 's'}`);
    if (hiddenWarnings > 0) parts.push(`${hiddenWarnings} more warning${hiddenWarnings === 1 ? '' : 's'}`);
    annotator.warning(
      `${parts.join(' and ')} not annotated (GitHub shows ${MAX_ANNOTATIONS_PER_TYPE} per step): see the job summary or the log`,
      {},
    );
  }
  return {
    annotatedErrors: shownErrors.length,
    annotatedWarnings: shownWarnings.length,
    notAnnotated: hiddenErrors + hiddenWarnings,
  };
}
