import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRawBody } from '../../webhooks/raw-body';
import type { RawBodyError } from '../../webhooks/raw-body';

const LIMIT_BYTES = 1024;

type ReadOutcome = { body: Buffer } | { error: RawBodyError };

/**
 * A real node:http server whose every request is read with readRawBody: the outcome is handed to the
 * test, and the client is answered with it (200 and the byte count, or the error's status).
 */
async function aBodyReadingServer(read: (req: http.IncomingMessage) => Promise<Buffer>) {
  const outcomes: Promise<ReadOutcome>[] = [];
  const server = http.createServer((req, res) => {
    const outcome = read(req).then(
      (body): ReadOutcome => {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(String(body.length));
        return { body };
      },
      (error: RawBodyError): ReadOutcome => {
        if (!res.destroyed) res.writeHead(error.status, { 'content-type': 'text/plain' }).end(error.reason);
        return { error };
      },
    );
    outcomes.push(outcome);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const seen = async (index: number) => {
    while (outcomes.length <= index) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    port,
    /** Resolves once the server has started reading its n-th request. */
    seen,
    /** The outcome of the n-th request the server saw, once it is known. */
    outcome: async (index: number) => {
      await seen(index);
      return outcomes[index]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let server: Awaited<ReturnType<typeof aBodyReadingServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startServer(read = (req: http.IncomingMessage) => readRawBody(req, LIMIT_BYTES)) {
  server = await aBodyReadingServer(read);
  return server;
}

/** Sends a request whose body is written in the given chunks; resolves with the answer. */
function send(
  port: number,
  options: { method?: string; chunks?: (string | Buffer)[]; headers?: http.OutgoingHttpHeaders },
  agent?: http.Agent,
) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: options.method ?? 'POST',
      path: '/',
      headers: options.headers,
      agent,
    });
    req.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function bodyOf(outcome: ReadOutcome): Buffer {
  if ('error' in outcome) throw new Error(`expected a body, got ${outcome.error.message}`);
  return outcome.body;
}

function errorOf(outcome: ReadOutcome): RawBodyError {
  if (!('error' in outcome)) throw new Error('expected the read to fail');
  return outcome.error;
}

describe('reading a raw request body', () => {
  it('gives back the exact bytes, however many chunks they came in', async () => {
    const { port, outcome } = await startServer();
    const bytes = Buffer.from([0x7b, 0xe2, 0x9c, 0x93, 0xff, 0x00, 0x7d]);

    const res = await send(port, { chunks: [bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5)] });

    expect(res.status).toBe(200);
    expect(bodyOf(await outcome(0)).equals(bytes)).toBe(true);
  });

  it('gives an empty buffer for a request with no body', async () => {
    const { port, outcome } = await startServer();

    const res = await send(port, { method: 'GET' });

    expect(res.status).toBe(200);
    expect(bodyOf(await outcome(0))).toHaveLength(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const { port, outcome } = await startServer();

    await send(port, { chunks: ['x'.repeat(LIMIT_BYTES)] });

    expect(bodyOf(await outcome(0))).toHaveLength(LIMIT_BYTES);
  });

  it('refuses a body whose Content-Length is over the limit as too large (413)', async () => {
    const { port, outcome } = await startServer();

    const res = await send(port, { chunks: ['x'.repeat(LIMIT_BYTES + 1)] });

    expect(res.status).toBe(413);
    expect(errorOf(await outcome(0))).toMatchObject({
      reason: 'too-large',
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
    });
  });

  it('refuses a chunked body that grows past the limit as too large (413)', async () => {
    const { port, outcome } = await startServer();

    const res = await send(port, {
      chunks: Array.from({ length: 8 }, () => 'x'.repeat(LIMIT_BYTES / 2)),
      headers: { 'transfer-encoding': 'chunked' },
    });

    expect(res.status).toBe(413);
    expect(errorOf(await outcome(0)).reason).toBe('too-large');
  });

  it('reads a too-large body to its end, so the same keep-alive connection serves the next request', async () => {
    const { port, outcome } = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const tooLarge = await send(
        port,
        { chunks: Array.from({ length: 64 }, () => 'x'.repeat(LIMIT_BYTES)) },
        agent,
      );
      const next = await send(port, { chunks: ['{"ok":true}'] }, agent);

      expect([tooLarge.status, next.status]).toEqual([413, 200]);
      expect(bodyOf(await outcome(1)).toString()).toBe('{"ok":true}');
    } finally {
      agent.destroy();
    }
  });

  it('refuses a body the client abandoned half way as unreadable (400)', async () => {
    const { port, seen, outcome } = await startServer();
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      headers: { 'content-length': '100' },
    });
    req.on('error', () => {
      // The client is the one hanging up: its own error is expected.
    });
    req.write('x'.repeat(10));

    // Hang up only once the server is reading, so the abort lands mid-body.
    await seen(0);
    req.destroy();

    expect(errorOf(await outcome(0))).toMatchObject({
      reason: 'unreadable-body',
      code: 'BAD_REQUEST',
      status: 400,
    });
  });

  it('refuses a body another reader already consumed, rather than verifying a partial one', async () => {
    const { port, outcome } = await startServer(async (req) => {
      for await (const _chunk of req) {
        // Someone else's body parser ran first.
      }
      return readRawBody(req, LIMIT_BYTES);
    });

    const res = await send(port, { chunks: ['{"done":true}'] });

    expect(res.status).toBe(400);
    expect(errorOf(await outcome(0)).reason).toBe('unreadable-body');
  });
});
