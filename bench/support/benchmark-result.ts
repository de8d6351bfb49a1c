/** One row of the benchmark table, and what bench/results/latest.json keeps of it. */
export interface BenchmarkResult {
  name: string;
  /** Absolute figures, measured and baseline, as JSON. */
  figures: Record<string, unknown>;
  /** One line for the table. */
  summary: string;
  /** Measured against the baseline of the same run (higher is better unless the target says otherwise). */
  ratio: number | null;
  target: string;
  pass: boolean;
  note?: string;
}
