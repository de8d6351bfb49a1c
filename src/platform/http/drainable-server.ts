import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** The HTTP limits of DESIGN.md §3's service, from the environment (README, Operations). */
export interface HttpLimits {
  /** A client must have sent all its headers within this, or it gets a 408 and is closed. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this, or it gets a 408 and is closed. */
  requestTimeoutMs: number;
  /** Open connections at most; Node closes the ones past it as they arrive. */
  maxConnections: number;
}

/** How often Node looks for connections past their header or request timeout (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/**
 * During a drain, how long a connection still sending its headers (or silent since it connected) is
 * left alone: then it gets a 408, as Node's own header timeout would answer, and is closed.
 */
const DRAIN_QUIET_MS = 1000;
const DRAIN_POLL_MS = 50;

const REQUEST_TIMEOUT_RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

const SHUTTING_DOWN_BODY = JSON.stringify({
  error: { code: 'UNAVAILABLE', message: 'The service is shutting down; retry later' },
});

export interface DrainOutcome {
  /** True when every request was answered and every connection closed before the deadline. */
  clean: boolean;
  /** Requests still unanswered at the deadline (told 503 when still possible, then closed). */
  cutRequests: number;
  /** Connections still open at the deadline. */
  cutConnections: number;
  /** Connections closed with a 408 because their headers were still arriving. */
  timedOutPartialRequests: number;
}

export interface DrainableServer {
  server: Server;
  /**
   * Stops accepting, lets every request in flight finish with its real answer (each on a connection
   * then closed), answers 408 to connections still sending headers, and closes quiet ones. By
   * `deadlineMs` (epoch) it closes whatever is left and says so in the outcome.
   */
  drain(deadlineMs: number): Promise<DrainOutcome>;
  /** Requests being handled right now (for a log line that says what a hard stop cuts). */
  inFlightRequests(): number;
}

/** What the drain needs to know of a connection: when it last finished something, and how far it had read. */
interface ConnectionState {
  quietSince: number;
  bytesReadWhenQuiet: number;
  requestsInFlight: number;
}

export function createDrainableServer(listener: RequestListener, limits: HttpLimits): DrainableServer {
  const connections = new Map<Socket, ConnectionState>();
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    (req, res) => {
      // Once draining, each answer closes its connection, so the client opens a new one next time
      // (refused: the listener is closed, which HubSpot retries) instead of meeting a closing socket.
      if (draining) res.shouldKeepAlive = false;
      const socket = req.socket;
      const state = connections.get(socket);
      if (state) state.requestsInFlight += 1;
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        if (!state) return;
        state.requestsInFlight -= 1;
        state.quietSince = Date.now();
        state.bytesReadWhenQuiet = socket.bytesRead;
      });
      listener(req, res);
    },
  );
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { quietSince: Date.now(), bytesReadWhenQuiet: 0, requestsInFlight: 0 });
    socket.once('close', () => connections.delete(socket));
  });

  return {
    server,
    inFlightRequests: () => inFlight.size,
    async drain(deadlineMs) {
      draining = true;
      const drainStartedAt = Date.now();
      // An answer not yet started closes its connection when done, so the drain never waits on keep-alive.
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      // net.Server's close, not http.Server's: the latter also drops idle keep-alive connections at once,
      // and a client that had just sent a request on one sees a reset. Node's header and request
      // timeouts keep running until the end of the drain, too.
      const listenerClosed = new Promise<void>((resolve) =>
        NetServer.prototype.close.call(server, () => resolve()),
      );
      let timedOutPartialRequests = 0;
      while (connections.size > 0 && Date.now() < deadlineMs) {
        const now = Date.now();
        for (const [socket, state] of connections) {
          if (state.requestsInFlight > 0 || socket.writableEnded) continue;
          if (now - Math.max(state.quietSince, drainStartedAt) < DRAIN_QUIET_MS) continue;
          if (socket.bytesRead > state.bytesReadWhenQuiet) {
            // A request begun and not yet whole (headers still arriving): answered as Node's timeout would.
            socket.end(REQUEST_TIMEOUT_RESPONSE);
            timedOutPartialRequests += 1;
          } else if (socket.bytesRead === 0) {
            // Connected and silent.
            socket.end();
          } else {
            // Idle between keep-alive requests: Node closes it at keepAliveTimeout, which clients are told
            // in every answer and stop reusing the connection before, so that close meets no request.
            continue;
          }
          socket.destroySoon();
        }
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
      const cutRequests = inFlight.size;
      const cutConnections = connections.size;
      // Past the deadline a request still in flight is told 503 (HubSpot retries it) when it can be.
      for (const res of inFlight) {
        if (res.headersSent) continue;
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
        res.end(SHUTTING_DOWN_BODY);
      }
      if (cutConnections > 0) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      for (const socket of connections.keys()) socket.destroy();
      await listenerClosed;
      // http.Server's close on a closed listener: only to stop Node's timeout checks.
      server.close(() => undefined);
      return { clean: cutConnections === 0, cutRequests, cutConnections, timedOutPartialRequests };
    },
  };
}
