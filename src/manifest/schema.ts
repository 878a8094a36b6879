// The manifest JSON Schema (schema/manifest.schema.json) and the ajv validators built from it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const SCHEMA_RELATIVE = path.join('schema', 'manifest.schema.json');

// The schema lives at the package root so it ships as a plain file (editors, `mint-manifest schema`).
// Walk up rather than hard-code `../..`: this module runs from src/, lib/ and the ncc bundle in dist/.
function findSchemaPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, SCHEMA_RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(__dirname, '..', '..', SCHEMA_RELATIVE);
}

/** Absolute path of schema/manifest.schema.json. */
export const MANIFEST_SCHEMA_PATH: string = findSchemaPath();

/** A JSON Schema document, as parsed JSON. */
export type JsonSchemaObject = { [key: string]: unknown };

/**
 * The manifest JSON Schema (draft 2020-12). A static require, so ncc inlines the JSON into
 * dist/index.js: the bundled Action runs without the schema/ folder next to it.
 */
export const manifestSchema: JsonSchemaObject =
  require('../../schema/manifest.schema.json') as JsonSchemaObject;

let manifestValidator: ValidateFunction | undefined;

/** Compiled once per process, on first use. */
export function getManifestValidator(): ValidateFunction {
  if (!manifestValidator) {
    // verbose: errors carry parentSchema (allowed keys for did-you-mean) and the offending data.
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats(ajv);
    manifestValidator = ajv.compile(manifestSchema);
  }
  return manifestValidator;
}

/** Compile a user's design schema with the draft it declares (2020-12 unless it says otherwise). */
export function compileDesignSchema(schema: unknown): ValidateFunction {
  const declared =
    schema !== null && typeof schema === 'object' && '$schema' in schema ? String(schema.$schema) : '';
  const opts = { allErrors: true, strict: false, verbose: true, allowUnionTypes: true };
  const ajv = /draft-07/.test(declared)
    ? new Ajv(opts)
    : /2019-09/.test(declared)
      ? new Ajv2019(opts)
      : new Ajv2020(opts);
  addFormats(ajv);
  return ajv.compile(schema as AnySchema);
}
