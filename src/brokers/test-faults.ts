/**
 * Test support: a venue behind a flaky wire. Each call named in `fail` fails that many times
 * with an ambiguous BROKER_UNAVAILABLE (the venue never saw it) before reaching the venue again;
 * `calls` counts what was attempted.
 */
import { type Broker, BrokerCallError } from './broker.js';

export interface FaultyBroker<B extends Broker> {
  readonly broker: B;
  readonly fail: Map<string, number>;
  readonly calls: Map<string, number>;
}

export function withFaults<B extends Broker>(inner: B): FaultyBroker<B> {
  const fail = new Map<string, number>();
  const calls = new Map<string, number>();
  const broker = new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]): unknown => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const left = fail.get(name) ?? 0;
        if (left > 0) {
          fail.set(name, left - 1);
          return Promise.reject(
            new BrokerCallError(inner.venue, 'ambiguous', 'BROKER_UNAVAILABLE', 'HTTP 503 (injected)'),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { broker, fail, calls };
}
