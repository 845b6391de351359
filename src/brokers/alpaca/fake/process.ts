import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../../package-root.js';
import type { QuoteInput } from './routes-control.js';

export interface FakeAlpacaProcessOptions {
  readonly keyId: string;
  readonly secretKey: string;
  readonly cash?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  readonly quotes?: Readonly<Record<string, QuoteInput>>;
  /** How long to wait for the ready line; default 20 s (tsx compiles on first start). */
  readonly readyTimeoutMs?: number;
}

export interface FakeAlpacaProcess {
  readonly url: string;
  readonly streamUrl: string;
  readonly pid: number;
  /**
   * Calls a control endpoint, `/_fake/{path}`: POST with a JSON body, GET without one, or `method`.
   * Resolves with the parsed answer; rejects when the process does not answer (e.g. after a crash).
   */
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Everything the process wrote so far (tests check that the secret never appears). */
  output(): { readonly stdout: string; readonly stderr: string };
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * Starts main.ts under tsx as a child process (for tests) and resolves once it printed its ready
 * line. The secret goes through the environment, not argv, so that no process listing shows it.
 */
export async function startFakeAlpacaProcess(options: FakeAlpacaProcessOptions): Promise<FakeAlpacaProcess> {
  const args = ['--import', 'tsx', MAIN, '--port', String(options.port ?? 0), '--key-id', options.keyId];
  if (options.cash !== undefined) args.push('--cash', options.cash);
  for (const [symbol, q] of Object.entries(options.quotes ?? {})) {
    const sizes = q.bidSize !== undefined && q.askSize !== undefined ? `/${q.bidSize}/${q.askSize}` : '';
    args.push('--quote', `${symbol}=${q.bid}/${q.ask}${sizes}`);
  }
  const child = spawn(process.execPath, args, {
    cwd: await packageRoot(),
    env: { ...process.env, FAKE_ALPACA_SECRET_KEY: options.secretKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const ready = await waitForReady(
    child.stdout,
    () => stdout,
    () => stderr,
    exited,
    options.readyTimeoutMs ?? 20_000,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url: ready.url,
    streamUrl: ready.streamUrl,
    pid: child.pid ?? -1,
    control: async (path, body, method) => {
      const verb = method ?? (body === undefined ? 'GET' : 'POST');
      const response = await fetch(`${ready.url}/_fake/${path}`, {
        method: verb,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return await response.json();
    },
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
    exited,
    output: () => ({ stdout, stderr }),
  };
}

interface Ready {
  readonly url: string;
  readonly streamUrl: string;
}

/** Resolves at the ready line; rejects when the process exits first or the time runs out. */
function waitForReady(
  stream: NodeJS.ReadableStream,
  stdout: () => string,
  stderr: () => string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      clearTimeout(timer);
      settle();
    };
    const onData = (): void => {
      const ready = readyLine(stdout());
      if (ready !== undefined)
        finish(() => {
          resolve(ready);
        });
    };
    // Registered after the collector above, so `stdout()` already holds this chunk.
    stream.on('data', onData);
    const timer = setTimeout(() => {
      finish(() => {
        reject(new Error(`The fake Alpaca process was not ready within ${timeoutMs} ms: ${stderr()}`));
      });
    }, timeoutMs);
    void exited.then((code) => {
      finish(() => {
        reject(
          new Error(`The fake Alpaca process exited (${String(code)}) before it was ready: ${stderr()}`),
        );
      });
    });
  });
}

function readyLine(text: string): Ready | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as { ready?: unknown; url?: unknown; streamUrl?: unknown };
      if (value.ready === true && typeof value.url === 'string' && typeof value.streamUrl === 'string')
        return { url: value.url, streamUrl: value.streamUrl };
    } catch {
      // a partial line: wait for the rest
    }
  }
  return undefined;
}
