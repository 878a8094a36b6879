'use strict';
// The printed table and bench/results.json. A row: { id, measurement, figure, value, unit, requests?,
// peakRssMb?, target?, met (true | false | null when there is no target), note? }.
const fs = require('node:fs');
const os = require('node:os');

function fmtSeconds(ms) {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function fmtRequests(r) {
  if (!r) return '';
  return `${r.reads}/${r.writes}`;
}

function fmtMb(mb) {
  return mb === undefined ? '' : `${Math.round(mb)} MB`;
}

function metText(met) {
  if (met === null || met === undefined) return '';
  return met ? 'met' : 'NOT MET';
}

function renderTable(rows) {
  const header = ['Measurement', 'Figure', 'Requests r/w', 'Peak RSS', 'Target', 'Met'];
  const lines = rows.map((r) => [
    r.measurement,
    r.figure,
    fmtRequests(r.requests),
    fmtMb(r.peakRssMb),
    r.target || '',
    metText(r.met),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.measurement}: ${r.note}`);
  return [fmt(header), sep, ...lines.map(fmt), ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
}

function writeResults(file, rows, meta) {
  const doc = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: (os.cpus()[0] || {}).model,
    ...meta,
    rows,
  };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}

module.exports = { fmtSeconds, renderTable, writeResults };
