// projects.

import type { ApiCore } from '../core.js';
import type {
  Experiment,
  PageOptions,
  Project,
  ProjectCreate,
  ProjectListFilters,
  ProjectMember,
  ProjectUpdate,
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

export class ProjectsApi {
  constructor(private readonly core: ApiCore) {}

  pages(filters: ProjectListFilters = {}, opts: ListOptions = {}): AsyncIterableIterator<Project[]> {
    const { skip = 0, limit, ...rest } = filters;
    return paginate<Project>(
      async (s, l) => {
        const body = await this.core.call<unknown>(ROUTES.projectsList, {
          query: { ...rest, skip: s, limit: l },
        });
        return unwrapList<Project>(body, 'projects');
      },
      { start: skip, limit, concurrency: opts.concurrency, what: 'projects' },
    );
  }

  iterate(filters: ProjectListFilters = {}): AsyncIterableIterator<Project> {
    return flatten(this.pages(filters));
  }

  /** All matching projects (all pages). */
  list(filters: ProjectListFilters = {}): Promise<Project[]> {
    return collect(this.pages(filters, { concurrency: LIST_CONCURRENCY }));
  }

  get(id: number): Promise<Project> {
    return this.core.call<Project>(ROUTES.projectGet, { params: { id } });
  }

  /** Not retried once sent; a 2xx without a numeric id is an unknown outcome (UnexpectedResponseError). */
  async create(body: ProjectCreate): Promise<Project> {
    return assertCreated(await this.core.call<Project>(ROUTES.projectsCreate, { body }), 'project');
  }

  update(id: number, patch: ProjectUpdate): Promise<Project> {
    return this.core.call<Project>(ROUTES.projectUpdate, { params: { id }, body: patch });
  }

  /** Also deletes every experiment in the project. */
  async delete(id: number): Promise<void> {
    await this.core.call<void>(ROUTES.projectDelete, { params: { id } });
  }

  /** With `page`, exactly that page; without, every page. */
  async experiments(id: number, page?: PageOptions): Promise<Experiment[]> {
    const fetchPage = async (skip: number, limit: number) => {
      const body = await this.core.call<unknown>(ROUTES.projectExperiments, {
        params: { id },
        query: { skip, limit },
      });
      return unwrapList<Experiment>(body, 'experiments');
    };
    if (page) return (await fetchPage(page.skip ?? 0, page.limit ?? DEFAULT_PAGE_SIZE)).items;
    return collect(paginate(fetchPage, { what: 'experiments', concurrency: LIST_CONCURRENCY }));
  }

  async members(id: number): Promise<ProjectMember[]> {
    const body = await this.core.call<unknown>(ROUTES.projectMembers, { params: { id } });
    return unwrapList<ProjectMember>(body, 'members').items;
  }
}
