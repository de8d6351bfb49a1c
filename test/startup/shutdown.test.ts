import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../sandbox/local-hubspot';
import { SAMPLE_PORTAL_ID, SAMPLE_TOKEN, stageChangeEvent } from '../support/service-harness';
import { DATABASES, testDatabaseUrl, type TestDatabase } from '../support/test-databases';
import { killIfRunning, npmStart, pidOfService, signedBatch, type NpmStarted } from './support/npm-start';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A raw connection that sends `text`, then whatever the server answers, until it closes. */
function openRaw(port: number, text: string): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(text);
  const answer = new Promise<string>((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => resolve(received || 'RESET'));
    socket.on('close', () => resolve(received));
  });
  return { socket, answer };
}

/** Sends one more header byte every 200 ms: a client that would never finish its headers. */
function dribble(socket: Socket): NodeJS.Timeout {
  return setInterval(() => {
    if (!socket.destroyed) socket.write('x');
  }, 200);
}

describe('running under a supervisor', () => {
  let hubspot: LocalHubSpot;
  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0, rateLimit: false });
    seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN });
  });
  afterAll(async () => {
    await hubspot.close();
  });

  describe.each(DATABASES)('on %s', (kind) => {
    let database: TestDatabase;
    let started: NpmStarted | null = null;
    beforeEach(async () => {
      database = await testDatabaseUrl(kind);
    });
    afterEach(async () => {
      await killIfRunning(started);
      started = null;
      await database.cleanup();
    });

    it('passes a SIGTERM sent to npm on to the service, which drains and exits 0 with npm', async () => {
      started = await npmStart(database.url, hubspot.url);
      const pid = pidOfService(started.output());
      started.npm.kill('SIGTERM');
      expect(await started.exited).toEqual({ code: 0, signal: null });
      expect(started.output()).toContain('"message":"shutting down","signal":"SIGTERM"');
      expect(isRunning(pid)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${started.port}/healthz`)).rejects.toThrow();
    });

    it('answers every webhook batch in flight at SIGTERM with a status, never a reset', async () => {
      started = await npmStart(database.url, hubspot.url);
      const port = started.port;
      // Keep-alive, as HubSpot's deliveries: a reset on a reused connection is the service dropping one.
      const agent = new http.Agent({ keepAlive: true });
      const outcomes: string[] = [];
      let sending = true;
      const post = (body: string, headers: Record<string, string>) =>
        new Promise<string>((resolve) => {
          const request = http.request(
            { host: '127.0.0.1', port, path: '/webhooks/hubspot', method: 'POST', headers, agent },
            (response) => {
              response.resume();
              response.on('end', () => resolve(String(response.statusCode)));
              response.on('error', () => resolve('reset mid-answer'));
            },
          );
          request.on('error', (error: NodeJS.ErrnoException) => {
            // A connection the kernel had queued when the listener closed is reset before the service
            // ever saw it: to HubSpot the same as a refused one, retried. Not so on a reused connection.
            resolve(
              request.reusedSocket ? `${error.code} on a kept-alive connection` : (error.code ?? 'error'),
            );
          });
          request.end(body);
        });
      // Eight concurrent senders, each posting until the service is gone.
      const senders = Array.from({ length: 8 }, async () => {
        while (sending) {
          const events = Array.from({ length: 20 }, (_, i) =>
            stageChangeEvent(String(1000 + i), 'qualifiedtobuy', new Date()),
          );
          const { body, headers } = signedBatch(events);
          const outcome = await post(body, headers);
          outcomes.push(outcome);
          if (outcome === 'ECONNREFUSED' || outcome === 'ECONNRESET') return;
        }
      });
      while (outcomes.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
      started.npm.kill('SIGTERM');
      const exit = await started.exited;
      sending = false;
      await Promise.all(senders);
      agent.destroy();
      expect(exit.code).toBe(0);
      const unexpected = outcomes.filter(
        (outcome) => !['200', '503', 'ECONNREFUSED', 'ECONNRESET'].includes(outcome),
      );
      expect(unexpected).toEqual([]);
    });
  });

  describe('with a slow client (SQLite)', () => {
    let database: TestDatabase;
    let started: NpmStarted | null = null;
    beforeEach(async () => {
      database = await testDatabaseUrl('sqlite');
    });
    afterEach(async () => {
      await killIfRunning(started);
      started = null;
      await database.cleanup();
    });

    it('answers 408 to a client whose headers take longer than HTTP_HEADERS_TIMEOUT_SECONDS', async () => {
      started = await npmStart(database.url, hubspot.url, { HTTP_HEADERS_TIMEOUT_SECONDS: '1' });
      const { socket, answer } = openRaw(
        started.port,
        'POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      );
      const timer = dribble(socket);
      const startedAt = Date.now();
      const received = await answer;
      clearInterval(timer);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      // Node's own default would have been 60 s; bounded well below that, not a timing assertion.
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    });

    it('answers 408 to a request whose body takes longer than HTTP_REQUEST_TIMEOUT_SECONDS', async () => {
      started = await npmStart(database.url, hubspot.url, {
        HTTP_HEADERS_TIMEOUT_SECONDS: '1',
        HTTP_REQUEST_TIMEOUT_SECONDS: '2',
      });
      const { socket, answer } = openRaw(
        started.port,
        'POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[',
      );
      const timer = setInterval(() => {
        if (!socket.destroyed) socket.write(' ');
      }, 200);
      const startedAt = Date.now();
      const received = await answer;
      clearInterval(timer);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
      // Node's own default would have been 300 s.
      expect(Date.now() - startedAt).toBeLessThan(15_000);
    });

    it('holds at most HTTP_MAX_CONNECTIONS connections open', async () => {
      started = await npmStart(database.url, hubspot.url, { HTTP_MAX_CONNECTIONS: '2' });
      const held = [openRaw(started.port, ''), openRaw(started.port, '')];
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third = openRaw(started.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      // Closed without an answer: the cap holds, and the two held connections are unaffected.
      expect(['', 'RESET']).toContain(await third.answer);
      for (const { socket } of held) socket.destroy();
    });

    it('does not wait for a client still sending its headers at SIGTERM: it gets a 408 and the service exits 0', async () => {
      started = await npmStart(database.url, hubspot.url);
      const { socket, answer } = openRaw(
        started.port,
        'POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      );
      const timer = dribble(socket);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalledAt = Date.now();
      started.npm.kill('SIGTERM');
      const exit = await started.exited;
      clearInterval(timer);
      expect(exit.code).toBe(0);
      expect(await answer).toMatch(/^HTTP\/1\.1 408/);
      // The default SHUTDOWN_TIMEOUT_SECONDS is 10: the drain ended well before it.
      expect(Date.now() - signalledAt).toBeLessThan(9_000);
    });

    it('past SHUTDOWN_TIMEOUT_SECONDS, answers the request left 503, says what it cut and exits 1', async () => {
      started = await npmStart(database.url, hubspot.url, { SHUTDOWN_TIMEOUT_SECONDS: '1' });
      // Headers complete, body never finished: a request in flight that would hold the drain forever.
      const { socket, answer } = openRaw(
        started.port,
        'POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      started.npm.kill('SIGTERM');
      const exit = await started.exited;
      socket.destroy();
      expect(exit.code).toBe(1);
      expect(await answer).toMatch(/^HTTP\/1\.1 503/);
      expect(started.output()).toMatch(
        /"message":"shutdown deadline passed[^"]*","clean":false,"cutRequests":1/,
      );
    });

    it('exits at once on a second SIGTERM during the drain, saying what it cut', async () => {
      started = await npmStart(database.url, hubspot.url, { SHUTDOWN_TIMEOUT_SECONDS: '60' });
      const { socket } = openRaw(
        started.port,
        'POST /webhooks/hubspot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      started.npm.kill('SIGTERM');
      while (!started.output().includes('"message":"shutting down"')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const signalledAt = Date.now();
      started.npm.kill('SIGTERM');
      const exit = await started.exited;
      socket.destroy();
      expect(exit.code).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(started.output()).toContain(
        '"message":"second signal: exiting now","signal":"SIGTERM","inFlightRequests":1',
      );
    });

    it('drains on SIGINT (Ctrl-C) as on SIGTERM', async () => {
      started = await npmStart(database.url, hubspot.url);
      started.npm.kill('SIGINT');
      expect(await started.exited).toEqual({ code: 0, signal: null });
      expect(started.output()).toContain('"message":"shutting down","signal":"SIGINT"');
    });
  });
});
