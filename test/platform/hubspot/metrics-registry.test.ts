import { createMetricsRegistry } from '../../../src/platform/observability/metrics.registry';

/** GET /metrics renders this registry; Prometheus must be able to scrape what it writes. */
describe('the metrics registry', () => {
  it('renders counters with their labels in Prometheus text format', () => {
    const metrics = createMetricsRegistry();
    const requests = metrics.counter('hubspot_requests_total', 'HubSpot API requests');
    requests.inc({ operation: 'batchReadDeals', status: '200' });
    requests.inc({ status: '200', operation: 'batchReadDeals' }, 2);
    requests.inc({ operation: 'batchReadDeals', status: '429' });

    expect(metrics.renderPrometheusText()).toBe(
      [
        '# HELP hubspot_requests_total HubSpot API requests',
        '# TYPE hubspot_requests_total counter',
        'hubspot_requests_total{operation="batchReadDeals",status="200"} 3',
        'hubspot_requests_total{operation="batchReadDeals",status="429"} 1',
        '',
      ].join('\n'),
    );
  });

  it('hands back the same metric when a module registers it again', () => {
    const metrics = createMetricsRegistry();
    metrics.counter('events_total', 'Events').inc();
    metrics.counter('events_total', 'Events').inc();

    expect(metrics.counter('events_total', 'Events').get()).toBe(2);
    expect(() => metrics.gauge('events_total', 'Events')).toThrow(/already registered as a counter/);
  });

  it('renders gauges and cumulative histogram buckets', () => {
    const metrics = createMetricsRegistry();
    metrics.gauge('webhook_queue_depth', 'Events waiting').set({}, 7);
    const duration = metrics.histogram('request_seconds', 'Request duration', [0.1, 1]);
    duration.observe({ route: 'guidance' }, 0.05);
    duration.observe({ route: 'guidance' }, 0.5);
    duration.observe({ route: 'guidance' }, 3);

    const text = metrics.renderPrometheusText();

    expect(text).toContain('webhook_queue_depth 7\n');
    expect(text).toContain('request_seconds_bucket{route="guidance",le="0.1"} 1\n');
    expect(text).toContain('request_seconds_bucket{route="guidance",le="1"} 2\n');
    expect(text).toContain('request_seconds_bucket{route="guidance",le="+Inf"} 3\n');
    expect(text).toContain('request_seconds_sum{route="guidance"} 3.55\n');
    expect(text).toContain('request_seconds_count{route="guidance"} 3\n');
  });

  it('escapes label values so a quote or newline cannot break the exposition', () => {
    const metrics = createMetricsRegistry();
    metrics.counter('errors_total', 'Errors').inc({ reason: 'bad "quote"\nnext' });

    expect(metrics.renderPrometheusText()).toContain('errors_total{reason="bad \\"quote\\"\\nnext"} 1');
  });

  it('refuses a counter going down', () => {
    const counter = createMetricsRegistry().counter('things_total', 'Things');

    expect(() => counter.inc({}, -1)).toThrow(/cannot decrease/);
  });
});
