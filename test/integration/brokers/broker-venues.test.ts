/**
 * Opening the broker connections a server trades through (src/main/broker-venues.ts), on both
 * databases: connections stored encrypted are decrypted for their adapter, a live one trades only
 * opted in and then behind its caps, seeded with what was already sent today; one that cannot
 * connect does not stop the start. The adapters are stood in for by paper venues (the factories
 * are the seam: the Alpaca and ccxt adapters are tested against their fakes elsewhere).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/brokers/broker.js';
import { Secret, credentials } from '../../../src/brokers/credentials.js';
import { LiveCapsBroker } from '../../../src/brokers/live-caps.js';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import { T_OPEN, makeAccount } from '../../../src/brokers/paper/test-support.js';
import { loadConfig } from '../../../src/config.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { createLogger } from '../../../src/logger.js';
import {
  type BrokerFactories,
  type ResolvedConnection,
  openBrokerVenues,
} from '../../../src/main/broker-venues.js';
import { ConnectionStore } from '../../../src/store/connection-store.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { openVault } from '../../../src/brokers/credentials.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const KEY = new Secret(randomBytes(32).toString('base64'));
const STORED_SECRET = 'stored-secret-Jd82kQ0vX';

/** A paper venue named after the connection, standing in for its adapter. */
function paperFor(id: string, connectFails = false): Broker {
  const broker = new PaperBroker({
    profile: {
      id,
      name: id,
      description: '',
      assetClasses: ['us_equity'],
      depthScale: dec(1),
      options: {},
      symbolOptions: {},
      accounts: [makeAccount({ id, venue: id })],
    },
    instruments: new InstrumentRegistry(),
    clock: new SimulatedClock(T_OPEN),
  });
  if (connectFails) broker.connect = () => Promise.reject(new Error('connection refused'));
  return broker;
}

describe.each(TEST_BACKENDS)('broker connections opened at start on %s', (backend) => {
  const store = useTestStore(backend);

  it('opens stored connections with their credentials, leaves out a live one not opted in, caps one that is', async () => {
    const vault = openVault(KEY);
    const connections = new ConnectionStore(store().db, vault);
    const saved = (id: string, mode: 'paper' | 'live') =>
      connections.save(
        {
          id,
          kind: 'alpaca',
          exchangeId: undefined,
          mode,
          credentials: credentials({ apiKey: `key-${id}`, apiSecret: STORED_SECRET }),
        },
        'operator',
      );
    await saved('alpaca-stored', 'paper');
    await saved('alpaca-live-off', 'live');
    await saved('alpaca-live-on', 'live');
    await connections.setLiveOptIn(
      'alpaca-live-on',
      { optIn: true, caps: { maxOrderNotional: dec(1000), maxDailyNotional: dec(5000) } },
      'operator',
    );
    const seen: ResolvedConnection[] = [];
    const factories: BrokerFactories = {
      alpaca: (c) => {
        seen.push(c);
        return { broker: paperFor(c.id, c.id === 'alpaca-stored-down') };
      },
      ccxt: () => {
        throw new Error('no ccxt connection here');
      },
    };
    const lines: string[] = [];
    const logger = createLogger(
      'debug',
      {},
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const venues = await openBrokerVenues({
      config: loadConfig({ TRADING_CREDENTIALS_KEY: KEY.reveal(), DATABASE_URL: 'pglite://memory' }),
      store: store(),
      logger,
      instruments: new InstrumentRegistry(),
      factories,
      orders: new DrizzleOrderStore(store()),
    });
    try {
      expect(venues.brokers.map((b) => [b.venue, b instanceof LiveCapsBroker])).toEqual([
        ['alpaca-live-on', true],
        ['alpaca-stored', false],
      ]);
      expect(
        seen.map((c) => [c.id, c.credentials.apiKey.reveal(), c.credentials.apiSecret.reveal()]),
      ).toEqual([
        ['alpaca-live-on', 'key-alpaca-live-on', STORED_SECRET],
        ['alpaca-stored', 'key-alpaca-stored', STORED_SECRET],
      ]);
      const capped = venues.brokers[0] as LiveCapsBroker;
      expect(capped.caps.maxOrderNotional.toFixed()).toBe('1000');
      expect(capped.sentToday().toFixed()).toBe('0');
      const log = lines.join('');
      expect(log).toContain('alpaca-live-off');
      expect(log).toContain('is not opted in to live trading');
      expect(log).not.toContain(STORED_SECRET);
    } finally {
      await venues.close();
    }
  });

  it('keeps a connection that cannot connect, logging why, and goes on', async () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      {},
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const config = loadConfig({
      DATABASE_URL: 'pglite://memory',
      ALPACA_API_KEY_ID: 'PKDOWNKEY',
      ALPACA_API_SECRET_KEY: 'down-secret-Qm38',
    });
    const venues = await openBrokerVenues({
      config,
      store: store(),
      logger,
      instruments: new InstrumentRegistry(),
      orders: new DrizzleOrderStore(store()),
      factories: {
        alpaca: (c) => ({ broker: paperFor(c.id, true) }),
        ccxt: () => {
          throw new Error('no ccxt connection here');
        },
      },
    });
    try {
      expect(venues.brokers.map((b) => b.venue)).toEqual(['alpaca-paper']);
      const log = lines.join('');
      expect(log).toContain('broker connection failed; retrying in the background');
      expect(log).toContain('connection refused');
      expect(log).not.toContain('down-secret-Qm38');
    } finally {
      await venues.close();
    }
  });
});
