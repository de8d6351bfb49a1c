import http from 'node:http';

/**
 * A closed-loop load generator: `concurrency` workers, each sending its next request as soon as the
 * previous answer arrives, for `durationMs`. Keep-alive sockets, node:http (lighter than fetch), so the
 * client costs the server under test as little CPU as possible. Bounded in time and in count.
 */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export const MAX_REQUESTS_PER_RUN = 5_000_000;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function send(agent: http.Agent, baseUrl: URL, request: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(request.body) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

export async function runClosedLoop(options: {
  /** Several: the workers are spread over them in turn (instances behind a load balancer). */
  baseUrl: string | readonly string[];
  concurrency: number;
  durationMs: number;
  /** Builds the i-th request (sign it here so its timestamp is fresh). */
  next: (index: number) => LoadRequest;
  /** Requests before measuring starts (connections, caches). */
  warmup?: number;
}): Promise<LoadResult> {
  const baseUrls = (typeof options.baseUrl === 'string' ? [options.baseUrl] : options.baseUrl).map(
    (url) => new URL(url),
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  let index = 0;
  for (let i = 0; i < (options.warmup ?? 0); i += 1) {
    await send(agent, baseUrls[i % baseUrls.length]!, options.next(index++));
  }

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async (_: unknown, workerIndex: number) => {
    const baseUrl = baseUrls[workerIndex % baseUrls.length]!;
    while (performance.now() < deadline && latencies.length < MAX_REQUESTS_PER_RUN) {
      const request = options.next(index++);
      const sentAt = performance.now();
      try {
        const status = await send(agent, baseUrl, request);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 400) errors += 1;
      } catch {
        errors += 1;
        statuses.error = (statuses.error ?? 0) + 1;
      }
      latencies.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const durationMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statuses,
    durationMs,
    perSecond: latencies.length / (durationMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Seconds per load run: BENCH_SECONDS (default 10). */
export function benchSeconds(defaultSeconds = 10): number {
  const value = Number(process.env.BENCH_SECONDS ?? defaultSeconds);
  return Number.isFinite(value) && value > 0 ? value : defaultSeconds;
}

/** Samples the process's resident memory and heap every few milliseconds while `work` runs. */
export async function withPeakMemory<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakRssMb: number; peakHeapMb: number; baseRssMb: number }> {
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  try {
    const result = await work();
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
    return { result, peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap), baseRssMb: mb(base.rss) };
  } finally {
    clearInterval(timer);
  }
}
