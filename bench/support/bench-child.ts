import { fork, type ChildProcess } from 'node:child_process';

/**
 * A bench process talking to one of its children over IPC: the child sends `{ready}` once, then
 * answers each `{id, request}` with `{id, reply}` (or `{id, error}`). The child inherits this
 * process's tsx loader (process.execArgv).
 */
export interface BenchChild<Ready, Request, Reply> {
  ready: Ready;
  ask(request: Request): Promise<Reply>;
  /** Asks the child to stop (request 'stop'), waits for it to exit, and returns what it said last. */
  stop(): Promise<Reply>;
}

export interface ChildEnvelope {
  id: number;
  request: unknown;
}

export async function startBenchChild<Ready, Request, Reply>(
  script: string,
  args: string[],
): Promise<BenchChild<Ready, Request, Reply>> {
  const child: ChildProcess = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    for (const { reject } of waiting.values()) reject(new Error(`${script} exited with ${code}`));
    waiting.clear();
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)));
    child.once('message', (message) => resolve((message as { ready: Ready }).ready));
  });
  child.on('message', (message) => {
    const { id, reply, error } = message as { id: number; reply?: Reply; error?: string };
    const entry = waiting.get(id);
    waiting.delete(id);
    if (error !== undefined) entry?.reject(new Error(error));
    else entry?.resolve(reply as Reply);
  });
  const ask = (request: Request | 'stop') =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, request } satisfies ChildEnvelope);
    });
  return {
    ready,
    ask,
    async stop() {
      const last = await ask('stop');
      await exited;
      return last;
    },
  };
}

/** The child's side: reports `ready`, answers requests with `answer`, and after 'stop' answers `stop()` and exits. */
export function serveBenchChild<Request, Reply>(
  ready: unknown,
  answer: (request: Request) => Promise<Reply>,
  stop: () => Promise<Reply>,
): void {
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  process.on('message', (message) => {
    const { id, request } = message as ChildEnvelope;
    void (async () => {
      if (request === 'stop') {
        await send({ id, reply: await stop() });
        process.exit(0);
      }
      try {
        await send({ id, reply: await answer(request as Request) });
      } catch (error) {
        await send({ id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  void send({ ready });
}
