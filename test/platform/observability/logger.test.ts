import { createLogger, redactSecrets } from '../../../src/platform/observability/logger';

describe('logger', () => {
  it('redacts secret-bearing keys at any depth', () => {
    expect(
      redactSecrets({
        config: { hubspotAccessToken: 'pat-1', clientSecret: 'x', port: 3000 },
        headers: [{ Authorization: 'Bearer y' }],
      }),
    ).toEqual({
      config: { hubspotAccessToken: '[redacted]', clientSecret: '[redacted]', port: 3000 },
      headers: [{ Authorization: '[redacted]' }],
    });
  });

  it('writes one JSON line per entry at or above its level', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.info('ignored');
    logger.warn('kept', { accessToken: 'secret-token', count: 2 });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 'warn', message: 'kept', accessToken: '[redacted]', count: 2 });
    expect(lines[0]).not.toContain('secret-token');
  });
});
