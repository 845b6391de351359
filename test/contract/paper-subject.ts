/**
 * The paper exchange as a contract subject: a PaperBroker on a SimulatedClock with no feed, the
 * bundled instruments, and its market set with `simulate`, one level a side.
 */
import { PaperBroker } from '../../src/brokers/paper/paper-broker.js';
import { T_OPEN, bookSnapshot, makeAccount } from '../../src/brokers/paper/test-support.js';
import type { VenueProfile } from '../../src/brokers/paper/venue-profiles.js';
import { SimulatedClock } from '../../src/domain/clock.js';
import { dec } from '../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../src/domain/instruments.js';
import type { ContractSubject, DeclaredCapabilities } from './contract-subject.js';

export interface PaperSubjectConfig {
  readonly profile: VenueProfile;
  readonly symbol: string;
  readonly declared?: DeclaredCapabilities;
}

/** A US equity venue: a margin account (shorting allowed), fees 1 bps maker and 2 bps taker. */
export function equityVenue(): VenueProfile {
  return {
    id: 'paper-contract-eq',
    name: 'Contract equities',
    description: '',
    assetClasses: ['us_equity'],
    depthScale: dec(1),
    options: { maker_fee_bps: '1', taker_fee_bps: '2' },
    symbolOptions: {},
    // The optional touched types are left out so that the venue has a type to refuse (§2.1).
    orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
    accounts: [makeAccount({ id: 'eq-margin', venue: 'paper-contract-eq', cash: { USD: dec(1_000_000) } })],
  };
}

/** A crypto venue as ccxt spot would be: a cash account, default crypto fees, no trailing stops. */
export function cryptoVenue(): VenueProfile {
  const account = makeAccount({
    id: 'cx-cash',
    venue: 'paper-contract-cx',
    type: 'cash',
    marginMultiplier: dec(1),
    allowShort: false,
    cash: { USD: dec(100_000) },
  });
  return {
    id: 'paper-contract-cx',
    name: 'Contract crypto',
    description: '',
    assetClasses: ['crypto'],
    depthScale: dec(1),
    options: {},
    symbolOptions: {},
    orderTypes: ['market', 'limit', 'stop', 'stop_limit'],
    accounts: [account],
  };
}

export async function paperSubject(config: PaperSubjectConfig): Promise<ContractSubject> {
  const clock = new SimulatedClock(T_OPEN);
  const broker = new PaperBroker({
    profile: config.profile,
    instruments: new InstrumentRegistry(),
    clock,
    instanceId: 'contract',
  });
  await broker.connect();
  const accountId = config.profile.accounts[0]?.id ?? 'none';
  return {
    broker,
    accountId,
    symbol: config.symbol,
    ...(config.declared === undefined ? {} : { declared: config.declared }),
    market: {
      set(symbol, q) {
        const book = bookSnapshot(symbol, [[q.bid, q.bidSize]], [[q.ask, q.askSize]], clock.now());
        broker.simulate({ kind: 'book', book });
      },
      advance(ms) {
        clock.advanceBy(ms);
      },
    },
    settle: () => broker.whenSaved(),
    close: () => broker.close(),
  };
}
