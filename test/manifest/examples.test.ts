// The example manifests in examples/ are what users copy first: they must validate clean.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadManifests } from '../../src/manifest/index.js';

const ROOT = path.resolve(__dirname, '../..');
const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((n) => /\.ya?ml$/.test(n));

describe('examples/', () => {
  it.each(examples)('%s validates with no errors and no warnings', async (name) => {
    const result = await loadManifests([`examples/${name}`], { cwd: ROOT, env: {} });
    const problems = result.ok ? result.warnings : [...result.errors, ...result.warnings];
    expect(problems.map(formatDiagnostic)).toEqual([]);
  });

  it('examples/mint.yaml resolves to the demo stack with files, defaults and inline data', async () => {
    const result = await loadManifests(['examples/mint.yaml'], { cwd: ROOT, env: {} });
    if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
    const m = result.manifest;
    expect(m.stack).toBe('demo-lab');
    expect(m.files).toEqual(['examples/mint.yaml']);
    expect(m.projects.map((p) => p.key)).toEqual(['tca-flux', 'method-dev']);
    expect(m.experiments.length).toBeGreaterThanOrEqual(4);

    const [batch01, batch02, scout] = m.experiments;
    // `schema_version: "1.0"`, quoted as it must be.
    expect(batch01.design?.schema_version).toBe('1.0');
    expect(batch01.design?.data_file).toBe('designs/batch-01.json');
    expect(batch01.design?.data).toEqual(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/designs/batch-01.json'), 'utf8')),
    );
    expect(batch01.analysis?.[0].result).toEqual(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/results/batch-01-qc.json'), 'utf8')),
    );
    // Defaults fill what the entry leaves out; tags merge with the entry's own winning.
    expect(batch02).toMatchObject({ project: 'tca-flux', experiment_type: 'lcms_batch', status: 'planned' });
    expect(batch02.tags).toEqual({ lab: 'morscher', cell_line: 'MDA-MB-231', tracer: '13C-glutamine' });
    expect(batch02.design?.data).toMatchObject({ instrument: 'QExactive-HF' });
    expect(scout.project).toBe('method-dev');
    expect(scout.analysis?.[0].result).toMatchObject({ chosen_gradient_minutes: 25 });
    expect(batch01.source).toMatchObject({ file: 'examples/mint.yaml', path: 'experiments[0]' });
  });
});
