/**
 * The fake Alpaca broker as a separate process (main.ts under tsx): it starts, serves REST and the
 * stream on one port, never prints its secret, dies at once on `POST /_fake/crash`, and exits
 * cleanly on SIGTERM. The two cases run concurrently: each start pays tsx's start-up.
 */
import { describe, expect, it } from 'vitest';
import { type FakeAlpacaProcess, startFakeAlpacaProcess } from '../../../src/brokers/alpaca/fake/process.js';
import { KEY_ID, SECRET, limitOrder, listeningStream, rest, tradeUpdate } from './support.js';

/** Runs `body` with a fresh process, killed afterwards whatever happened. */
async function withProcess(
  options: Partial<Parameters<typeof startFakeAlpacaProcess>[0]>,
  body: (child: FakeAlpacaProcess) => Promise<void>,
): Promise<void> {
  const child = await startFakeAlpacaProcess({ keyId: KEY_ID, secretKey: SECRET, ...options });
  try {
    await body(child);
  } finally {
    child.kill('SIGKILL');
  }
}

describe.concurrent('the fake as a process', () => {
  it('starts, answers REST and the stream, prints no secret, and dies on crash', async () => {
    const quotes = { AAPL: { bid: '100', ask: '100.02', bidSize: '1000', askSize: '1000' } };
    await withProcess({ cash: '250000', quotes }, async (child) => {
      expect(child.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(child.streamUrl).toBe(`${child.url.replace('http', 'ws')}/stream`);
      const [readyLine] = child.output().stdout.trim().split('\n');
      expect(JSON.parse(readyLine ?? '')).toEqual({
        ready: true,
        url: child.url,
        streamUrl: child.streamUrl,
      });

      const api = rest(child.url);
      expect((await api.call('GET', '/v2/account')).body).toMatchObject({ cash: '250000', equity: '250000' });
      const stream = await listeningStream(child.streamUrl);
      const order = await api.call('POST', '/v2/orders', limitOrder({ limit_price: '100.02' }));
      const fill = await tradeUpdate(stream, 'fill', String(order.body['id']));
      expect(fill['data']).toMatchObject({ price: '100.02', qty: '10' });
      expect(await child.control('stats')).toMatchObject({ eventsSent: 2, streamClients: 1 });

      const { stdout, stderr } = child.output();
      expect(stdout + stderr).not.toContain(SECRET);

      expect(await child.control('crash', {})).toEqual({ crashing: true });
      await expect(child.exited).resolves.toBeNull();
      await stream.closed;
      await expect(fetch(`${child.url}/v2/clock`)).rejects.toThrow();
    });
  });

  it('exits cleanly with code 0 on SIGTERM', async () => {
    await withProcess({}, async (child) => {
      child.kill('SIGTERM');
      await expect(child.exited).resolves.toBe(0);
    });
  });
});
