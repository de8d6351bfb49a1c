/**
 * A tiny Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format for GET /metrics. Small on purpose: the service needs a handful of series, not a
 * client library. Label values must never carry secrets or unbounded ids (portal ids are fine, tokens
 * and deal ids are not).
 */
export type MetricLabels = Readonly<Record<string, string | number>>;

export interface Counter {
  inc(labels?: MetricLabels, by?: number): void;
  get(labels?: MetricLabels): number;
}

export interface Gauge {
  set(labels: MetricLabels, value: number): void;
  inc(labels?: MetricLabels, by?: number): void;
  dec(labels?: MetricLabels, by?: number): void;
  get(labels?: MetricLabels): number;
}

export interface Histogram {
  observe(labels: MetricLabels, value: number): void;
  /** Number of observations for these labels: what tests usually want to know. */
  count(labels?: MetricLabels): number;
}

export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  renderPrometheusText(): string;
}

export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface HistogramSeries {
  labels: MetricLabels;
  bucketCounts: number[];
  sum: number;
  count: number;
}

type Family =
  | {
      type: 'counter' | 'gauge';
      name: string;
      help: string;
      series: Map<string, { labels: MetricLabels; value: number }>;
    }
  | {
      type: 'histogram';
      name: string;
      help: string;
      buckets: number[];
      series: Map<string, HistogramSeries>;
    };

/** Series are keyed by their sorted label pairs so that {a,b} and {b,a} are the same series. */
function seriesKey(labels: MetricLabels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${String(labels[key])}`)
    .join('\u0000');
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function renderLabels(labels: MetricLabels, extra: Record<string, string> = {}): string {
  const pairs = [
    ...Object.keys(labels)
      .sort()
      .map((key) => `${key}="${escapeLabelValue(String(labels[key]))}"`),
    ...Object.entries(extra).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`),
  ];
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function renderNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

function checkLabels(metric: string, labels: MetricLabels): void {
  for (const key of Object.keys(labels)) {
    if (!LABEL_NAME.test(key) || key.startsWith('__')) {
      throw new Error(`Metric ${metric}: invalid label name "${key}"`);
    }
  }
}

export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();

  /** Registering twice hands back the same metric, so modules can declare what they use independently. */
  function family<T extends Family['type']>(type: T, name: string, make: () => Family): Family {
    if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name "${name}"`);
    const existing = families.get(name);
    if (existing) {
      if (existing.type !== type)
        throw new Error(`Metric ${name} is already registered as a ${existing.type}`);
      return existing;
    }
    const created = make();
    families.set(name, created);
    return created;
  }

  function scalar(type: 'counter' | 'gauge', name: string, help: string) {
    const fam = family(type, name, () => ({ type, name, help, series: new Map() }));
    if (fam.type === 'histogram') throw new Error(`Metric ${name} is a histogram`);
    const series = fam.series;
    const add = (labels: MetricLabels, by: number) => {
      checkLabels(name, labels);
      const key = seriesKey(labels);
      const current = series.get(key);
      if (current) current.value += by;
      else series.set(key, { labels: { ...labels }, value: by });
    };
    const get = (labels: MetricLabels = {}) => series.get(seriesKey(labels))?.value ?? 0;
    const set = (labels: MetricLabels, value: number) => {
      checkLabels(name, labels);
      series.set(seriesKey(labels), { labels: { ...labels }, value });
    };
    return { add, get, set };
  }

  return {
    counter(name, help) {
      const { add, get } = scalar('counter', name, help);
      return {
        inc: (labels = {}, by = 1) => {
          if (by < 0) throw new Error(`Counter ${name} cannot decrease`);
          add(labels, by);
        },
        get,
      };
    },
    gauge(name, help) {
      const { add, get, set } = scalar('gauge', name, help);
      return {
        set,
        inc: (labels = {}, by = 1) => add(labels, by),
        dec: (labels = {}, by = 1) => add(labels, -by),
        get,
      };
    },
    histogram(name, help, buckets = DEFAULT_SECONDS_BUCKETS) {
      const sorted = [...buckets].sort((a, b) => a - b);
      const fam = family('histogram', name, () => ({
        type: 'histogram',
        name,
        help,
        buckets: sorted,
        series: new Map(),
      }));
      if (fam.type !== 'histogram') throw new Error(`Metric ${name} is not a histogram`);
      return {
        observe: (labels, value) => {
          checkLabels(name, labels);
          const key = seriesKey(labels);
          let series = fam.series.get(key);
          if (!series) {
            series = { labels: { ...labels }, bucketCounts: fam.buckets.map(() => 0), sum: 0, count: 0 };
            fam.series.set(key, series);
          }
          fam.buckets.forEach((bound, index) => {
            if (value <= bound) series.bucketCounts[index] = (series.bucketCounts[index] ?? 0) + 1;
          });
          series.sum += value;
          series.count += 1;
        },
        count: (labels = {}) => fam.series.get(seriesKey(labels))?.count ?? 0,
      };
    },
    renderPrometheusText() {
      const lines: string[] = [];
      for (const fam of families.values()) {
        lines.push(`# HELP ${fam.name} ${escapeHelp(fam.help)}`);
        lines.push(`# TYPE ${fam.name} ${fam.type}`);
        if (fam.type === 'histogram') {
          for (const series of fam.series.values()) {
            fam.buckets.forEach((bound, index) => {
              const le = renderNumber(bound);
              lines.push(
                `${fam.name}_bucket${renderLabels(series.labels, { le })} ${series.bucketCounts[index] ?? 0}`,
              );
            });
            lines.push(`${fam.name}_bucket${renderLabels(series.labels, { le: '+Inf' })} ${series.count}`);
            lines.push(`${fam.name}_sum${renderLabels(series.labels)} ${renderNumber(series.sum)}`);
            lines.push(`${fam.name}_count${renderLabels(series.labels)} ${series.count}`);
          }
        } else {
          for (const series of fam.series.values()) {
            lines.push(`${fam.name}${renderLabels(series.labels)} ${renderNumber(series.value)}`);
          }
        }
      }
      return lines.length === 0 ? '' : lines.join('\n') + '\n';
    },
  };
}
