import type { BenchContext } from './lib/context.js';

/**
 * One measured figure, printed beside its baseline (measured in the same run) and the limit we hold ourselves to.
 * `value: null` prints as "n/a" with the note (a figure that cannot be taken yet, or a missing tool).
 */
export interface Row {
  name: string;
  value: number | null;
  unit: 'ms' | 's' | 'MB' | 'req/s' | 'ops/s';
  /** The same figure for the simplest thing that could do the job (bare node:http, raw crypto…). */
  baseline?: { label: string; value: number };
  /**
   * `max`: value ≤ max. `maxRatio`/`minRatio`: value ÷ baseline ≤ / ≥ the ratio.
   * Printed only (the bench never fails): a figure over its limit is marked OVER.
   */
  limit?: { max?: number; maxRatio?: number; minRatio?: number };
  /** Ratios worth printing even without a limit (throughput vs the bare baseline). */
  showRatio?: boolean;
  note?: string;
}

export interface BenchCase {
  /** Short id, used to pick cases: `npm run bench -- http password`. */
  id: string;
  title: string;
  run(ctx: BenchContext, emit: (row: Row) => void): Promise<void>;
}

/** Declares a bench case; add it to the list in `cases/index.ts`. */
export function defineBench(bench: BenchCase): BenchCase {
  return bench;
}
