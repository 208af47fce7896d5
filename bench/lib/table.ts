import type { Row } from '../registry.js';

export interface Result {
  title: string;
  rows: Row[];
  error?: string;
}

function formatValue(value: number, unit: Row['unit']): string {
  switch (unit) {
    case 'ms':
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value < 10 ? value.toFixed(2) : Math.round(value)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case 'MB':
      return `${Math.round(value)} MB`;
    default:
      return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
  }
}

function ratio(row: Row): number | null {
  return row.value !== null && row.baseline && row.baseline.value > 0 ? row.value / row.baseline.value : null;
}

function formatLimit(row: Row): string {
  const limit = row.limit;
  if (!limit) return '';
  if (limit.max !== undefined) return `≤ ${formatValue(limit.max, row.unit)}`;
  if (limit.maxRatio !== undefined) return `≤ ${limit.maxRatio}× baseline`;
  if (limit.minRatio !== undefined) return `≥ ${limit.minRatio}× baseline`;
  return '';
}

/** 'ok', 'OVER' or '' (no limit, or no figure). */
export function verdict(row: Row): string {
  const limit = row.limit;
  if (!limit || row.value === null) return '';
  const r = ratio(row);
  const over = (limit.max !== undefined && row.value > limit.max)
    || (limit.maxRatio !== undefined && r !== null && r > limit.maxRatio)
    || (limit.minRatio !== undefined && r !== null && r < limit.minRatio);
  return over ? 'OVER' : 'ok';
}

/** The figures as an aligned text table, each group under its title, notes as footnotes. */
export function renderTable(results: Result[]): string {
  const header = ['figure', 'ours', 'baseline', 'ratio', 'limit', ''];
  const lines: (string[] | string)[] = [];
  const notes: string[] = [];
  for (const result of results) {
    lines.push(`${result.title}`);
    if (result.error) lines.push(`  failed: ${result.error}`);
    for (const row of result.rows) {
      const r = ratio(row);
      let name = row.name;
      if (row.note) {
        // Error notes carry the server's last output: keep them readable.
        const note = row.note.replace(/\s+/g, ' ').trim();
        notes.push(note.length > 600 ? `${note.slice(0, 600)}…` : note);
        name += ` [${notes.length}]`;
      }
      lines.push([
        `  ${name}`,
        row.value === null ? 'n/a' : formatValue(row.value, row.unit),
        row.baseline ? `${formatValue(row.baseline.value, row.unit)} (${row.baseline.label})` : '',
        r !== null && (row.limit?.maxRatio !== undefined || row.limit?.minRatio !== undefined || row.showRatio || row.unit === 'MB' || row.unit === 'ms') ? `${r.toFixed(2)}×` : '',
        formatLimit(row),
        verdict(row),
      ]);
    }
  }
  const cells = lines.filter((l): l is string[] => Array.isArray(l));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) => c.map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const line of lines) out.push(Array.isArray(line) ? fmt(line) : line);
  if (notes.length) out.push('', ...notes.map((note, i) => `[${i + 1}] ${note}`));
  return out.join('\n');
}
