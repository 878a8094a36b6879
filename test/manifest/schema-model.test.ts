// The JSON Schema and the TypeScript model must describe the same manifest. Each list below is
// checked against its TS type by the compiler (`satisfies` rejects missing and extra keys) and
// against the schema at run time, so a field added to one side only fails here.
import * as fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_STATUSES } from '../../src/client/models.js';
import {
  MANIFEST_SCHEMA_PATH,
  manifestSchema,
  type AnalysisInput,
  type AnalysisSpec,
  type DesignInput,
  type DesignSpec,
  type ExperimentInput,
  type ExperimentSpec,
  type ManifestDefaultsInput,
  type ManifestDocument,
  type ProjectInput,
  type ProjectSpec,
} from '../../src/manifest/index.js';

type Keys<T> = Record<keyof T, true>;
type SpecKeys<T> = Record<Exclude<keyof T, 'source' | 'statusSource'>, true>;

const documentKeys = {
  version: true,
  stack: true,
  defaults: true,
  projects: true,
  experiments: true,
  schemas: true,
} satisfies Keys<ManifestDocument>;
const defaultsKeys = {
  project: true,
  experiment_type: true,
  status: true,
  tags: true,
} satisfies Keys<ManifestDefaultsInput>;
const projectKeys = { key: true, name: true, description: true, id: true } satisfies Keys<ProjectInput>;
const experimentKeys = {
  key: true,
  code: true,
  name: true,
  experiment_type: true,
  project: true,
  status: true,
  notes: true,
  tags: true,
  start_date: true,
  end_date: true,
  design: true,
  analysis: true,
} satisfies Keys<ExperimentInput>;
const designKeys = {
  plugin_id: true,
  schema_version: true,
  data: true,
  data_file: true,
} satisfies Keys<DesignInput>;
const analysisKeys = { plugin_id: true, result: true, result_file: true } satisfies Keys<AnalysisInput>;

// The resolved specs carry the same fields as the input (plus `source`).
const experimentSpecKeys = { ...experimentKeys } satisfies SpecKeys<ExperimentSpec>;
const designSpecKeys = { ...designKeys } satisfies SpecKeys<DesignSpec>;
const analysisSpecKeys = { ...analysisKeys } satisfies SpecKeys<AnalysisSpec>;
const projectSpecKeys = { ...projectKeys } satisfies SpecKeys<ProjectSpec>;

type SchemaNode = { [k: string]: unknown };
const defs = manifestSchema.$defs as Record<string, SchemaNode>;
const props = (node: SchemaNode) => Object.keys((node.properties as SchemaNode) ?? {}).sort();
const sorted = (o: object) => Object.keys(o).sort();
const experiment = defs.experiment;
const experimentProps = experiment.properties as Record<string, SchemaNode>;
const analysisItems = (experimentProps.analysis as SchemaNode).items as SchemaNode;

describe('manifest schema ↔ TypeScript model', () => {
  it('top level and defaults', () => {
    expect(props(manifestSchema)).toEqual(sorted(documentKeys));
    expect(props((manifestSchema.properties as Record<string, SchemaNode>).defaults)).toEqual(
      sorted(defaultsKeys),
    );
  });

  it('projects, experiments, design and analysis', () => {
    expect(props(defs.project)).toEqual(sorted(projectKeys));
    expect(props(experiment)).toEqual(sorted(experimentKeys));
    expect(props(experimentProps.design)).toEqual(sorted(designKeys));
    expect(props(analysisItems)).toEqual(sorted(analysisKeys));
  });

  it('resolved specs expose the same fields', () => {
    expect(sorted(experimentSpecKeys)).toEqual(props(experiment));
    expect(sorted(designSpecKeys)).toEqual(props(experimentProps.design));
    expect(sorted(analysisSpecKeys)).toEqual(props(analysisItems));
    expect(sorted(projectSpecKeys)).toEqual(props(defs.project));
  });

  it('status enum matches the wire model', () => {
    expect(defs.status.enum).toEqual([...EXPERIMENT_STATUSES]);
  });

  it('required fields match the non-optional TS fields', () => {
    expect(manifestSchema.required).toEqual(['version', 'stack']);
    expect(defs.project.required).toEqual(['key']);
    expect(experiment.required).toEqual(['key']);
    expect(experimentProps.design.required).toEqual(['plugin_id']);
    expect(analysisItems.required).toEqual(['plugin_id']);
  });
});

describe('manifest schema file', () => {
  it('is the file at MANIFEST_SCHEMA_PATH, a strict-valid draft 2020-12 schema with an $id', () => {
    expect(JSON.parse(fs.readFileSync(MANIFEST_SCHEMA_PATH, 'utf8'))).toEqual(manifestSchema);
    expect(manifestSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof manifestSchema.$id).toBe('string');
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(manifestSchema)).not.toThrow();
  });

  it('documents every property (for editor hover), directly or through its $ref', () => {
    const undocumented: string[] = [];
    const resolve = (node: SchemaNode): SchemaNode =>
      typeof node.$ref === 'string' ? defs[node.$ref.replace('#/$defs/', '')] : node;
    const walk = (node: SchemaNode, where: string) => {
      for (const [name, child] of Object.entries((node.properties as Record<string, SchemaNode>) ?? {})) {
        if (typeof child.description !== 'string' && typeof resolve(child).description !== 'string') {
          undocumented.push(`${where}.${name}`);
        }
        walk(resolve(child), `${where}.${name}`);
        if (child.items) walk(resolve(child.items as SchemaNode), `${where}.${name}[]`);
      }
    };
    walk(manifestSchema, '$');
    expect(undocumented).toEqual([]);
  });

  it('closes every object it defines (no silently ignored typos)', () => {
    for (const node of [
      manifestSchema,
      (manifestSchema.properties as Record<string, SchemaNode>).defaults,
      defs.project,
      experiment,
      experimentProps.design,
      analysisItems,
    ]) {
      expect(node.additionalProperties).toBe(false);
    }
  });
});
