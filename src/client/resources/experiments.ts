// experiments, experiments.designData and experiments.analysis.

import type { ApiCore } from '../core.js';
import { NotFoundError } from '../errors.js';
import type {
  AnalysisArtifact,
  AnalysisArtifactDetail,
  AnalysisResult,
  ArtifactAnnotation,
  DesignData,
  DesignDataSave,
  Experiment,
  ExperimentCreate,
  ExperimentListFilters,
  ExperimentTypeInfo,
  ExperimentUpdate,
  JsonValue,
  NextSeq,
} from '../models.js';
import {
  DEFAULT_PAGE_SIZE,
  LIST_CONCURRENCY,
  assertCreated,
  collect,
  flatten,
  paginate,
  unwrapList,
  type ListOptions,
} from '../pagination.js';
import { ROUTES } from '../routes.js';

export interface ExperimentPage {
  experiments: Experiment[];
  /** As reported by the server; undefined when it did not say. */
  total?: number;
}

export type DesignDataExportFormat = 'json' | 'csv';

export class DesignDataApi {
  constructor(private readonly core: ApiCore) {}

  /** Throws NotFoundError when the experiment has no design data. */
  get(id: number): Promise<DesignData> {
    return this.core.call<DesignData>(ROUTES.designDataGet, { params: { id } });
  }

  /** An upsert: safe to repeat. */
  save(id: number, body: DesignDataSave): Promise<DesignData> {
    return this.core.call<DesignData>(ROUTES.designDataSave, { params: { id }, body });
  }

  async delete(id: number): Promise<void> {
    await this.core.call<void>(ROUTES.designDataDelete, { params: { id } });
  }

  tree(id: number): Promise<JsonValue> {
    return this.core.call<JsonValue>(ROUTES.designDataTree, { params: { id } });
  }

  summary(id: number): Promise<JsonValue> {
    return this.core.call<JsonValue>(ROUTES.designDataSummary, { params: { id } });
  }

  /** JSON export is parsed; CSV comes back as text. */
  export(id: number, format: 'csv'): Promise<string>;
  export(id: number, format?: 'json'): Promise<JsonValue>;
  export(id: number, format?: DesignDataExportFormat): Promise<JsonValue | string>;
  export(id: number, format: DesignDataExportFormat = 'json'): Promise<JsonValue | string> {
    return this.core.call<JsonValue | string>(ROUTES.designDataExport, {
      params: { id },
      query: { format },
      responseType: format === 'csv' ? 'text' : 'json',
    });
  }
}

export class AnalysisApi {
  constructor(private readonly core: ApiCore) {}

  async list(id: number): Promise<AnalysisResult[]> {
    const body = await this.core.call<unknown>(ROUTES.resultsList, { params: { id } });
    return unwrapList<AnalysisResult>(body, 'results').items;
  }

  /** Throws NotFoundError when the plugin has no result for this experiment. */
  get(id: number, pluginId: string): Promise<AnalysisResult> {
    return this.core.call<AnalysisResult>(ROUTES.resultGet, { params: { id, plugin_id: pluginId } });
  }

  /** Replaces the plugin's result: safe to repeat. */
  save(id: number, pluginId: string, result: JsonValue): Promise<AnalysisResult> {
    return this.core.call<AnalysisResult>(ROUTES.resultSave, {
      params: { id, plugin_id: pluginId },
      body: { result },
    });
  }

  async delete(id: number, pluginId: string): Promise<void> {
    await this.core.call<void>(ROUTES.resultDelete, { params: { id, plugin_id: pluginId } });
  }
}

/** Analysis artifacts: written by plugins, read and annotated through the API. */
export class ArtifactsApi {
  constructor(private readonly core: ApiCore) {}

  /** Active artifacts; archived ones too with `includeArchived`. */
  async list(id: number, opts: { includeArchived?: boolean } = {}): Promise<AnalysisArtifact[]> {
    const body = await this.core.call<unknown>(ROUTES.artifactsList, {
      params: { id },
      query: { include_archived: opts.includeArchived ?? false },
    });
    return unwrapList<AnalysisArtifact>(body, 'artifacts').items;
  }

  /** One artifact with its result payload; NotFoundError when it is not in this experiment. */
  get(id: number, artifactId: number): Promise<AnalysisArtifactDetail> {
    return this.core.call<AnalysisArtifactDetail>(ROUTES.artifactGet, { params: { id, aid: artifactId } });
  }

  /** Sets the display name and/or note (`note: null` clears it). */
  annotate(id: number, artifactId: number, changes: ArtifactAnnotation): Promise<AnalysisArtifact> {
    return this.core.call<AnalysisArtifact>(ROUTES.artifactAnnotate, {
      params: { id, aid: artifactId },
      body: changes,
    });
  }

  archive(id: number, artifactId: number): Promise<AnalysisArtifact> {
    return this.core.call<AnalysisArtifact>(ROUTES.artifactArchive, { params: { id, aid: artifactId } });
  }

  restore(id: number, artifactId: number): Promise<AnalysisArtifact> {
    return this.core.call<AnalysisArtifact>(ROUTES.artifactRestore, { params: { id, aid: artifactId } });
  }
}

/** Objects (files) plugins stored for an experiment. */
export class ObjectsApi {
  constructor(private readonly core: ApiCore) {}

  /** The object's bytes; `key` may contain `/` (each segment is encoded on its own). */
  get(id: number, key: string, opts: { pluginId: string }): Promise<Buffer> {
    return this.core.call<Buffer>(ROUTES.objectGet, {
      params: { id, key },
      query: { plugin_id: opts.pluginId, format: 'raw' },
      responseType: 'bytes',
    });
  }
}

export class ExperimentsApi {
  readonly designData: DesignDataApi;
  readonly analysis: AnalysisApi;
  readonly artifacts: ArtifactsApi;

  constructor(private readonly core: ApiCore) {
    this.designData = new DesignDataApi(core);
    this.analysis = new AnalysisApi(core);
    this.artifacts = new ArtifactsApi(core);
  }

  /** Exactly one GET with the given skip/limit (limit default 100). */
  async page(filters: ExperimentListFilters = {}): Promise<ExperimentPage> {
    const query = { ...filters, limit: filters.limit ?? DEFAULT_PAGE_SIZE };
    const body = await this.core.call<unknown>(ROUTES.experimentsList, { query });
    const page = unwrapList<Experiment>(body, 'experiments');
    return { experiments: page.items, total: page.total };
  }

  /**
   * Every page, in order, one page in memory at a time, verified by the one pager (a short page is
   * not the end; repeated ids or a changing total throw ListingInconsistentError). `skip` sets the
   * start; without `limit` pages are as large as the server accepts. `concurrency` > 1 fetches pages
   * ahead once the server reports a total.
   */
  pages(filters: ExperimentListFilters = {}, opts: ListOptions = {}): AsyncIterableIterator<Experiment[]> {
    const { skip = 0, limit, ...rest } = filters;
    return paginate<Experiment>(
      async (s, l) => {
        const p = await this.page({ ...rest, skip: s, limit: l });
        return { items: p.experiments, total: p.total };
      },
      { start: skip, limit, concurrency: opts.concurrency, what: 'experiments' },
    );
  }

  iterate(filters: ExperimentListFilters = {}, opts: ListOptions = {}): AsyncIterableIterator<Experiment> {
    return flatten(this.pages(filters, opts));
  }

  /** All matching experiments (all pages, fetched a few at a time), as a plain array. */
  list(filters: ExperimentListFilters = {}, opts: ListOptions = {}): Promise<Experiment[]> {
    return collect(this.pages(filters, { concurrency: LIST_CONCURRENCY, ...opts }));
  }

  get(id: number): Promise<Experiment> {
    return this.core.call<Experiment>(ROUTES.experimentGet, { params: { id } });
  }

  /**
   * Not retried once sent: on failure check `error.mayHaveCommitted` and look the experiment up. A 2xx
   * without a numeric id and an experiment_code is such a failure too (UnexpectedResponseError).
   */
  async create(body: ExperimentCreate): Promise<Experiment> {
    return assertCreated(await this.core.call<Experiment>(ROUTES.experimentsCreate, { body }), 'experiment', [
      'experiment_code',
    ]);
  }

  update(id: number, patch: ExperimentUpdate): Promise<Experiment> {
    return this.core.call<Experiment>(ROUTES.experimentUpdate, { params: { id }, body: patch });
  }

  /** Immediate and permanent. */
  async delete(id: number): Promise<void> {
    await this.core.call<void>(ROUTES.experimentDelete, { params: { id } });
  }

  async listTypes(): Promise<ExperimentTypeInfo[]> {
    const body = await this.core.call<unknown>(ROUTES.experimentsTypes);
    return unwrapList<ExperimentTypeInfo>(body, 'experiment_types').items;
  }

  nextSeq(type: string): Promise<NextSeq> {
    return this.core.call<NextSeq>(ROUTES.experimentsNextSeq, { query: { experiment_type: type } });
  }
}

/** True for the NotFoundError the optional getters throw. */
export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}
