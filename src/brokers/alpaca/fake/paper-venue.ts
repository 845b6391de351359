import type { Account } from '../../../domain/account.js';
import { type Decimal, dec } from '../../../domain/decimal.js';
import { InstrumentRegistry } from '../../../domain/instruments.js';
import { PaperBroker } from '../../paper/paper-broker.js';
import type { VenueProfile } from '../../paper/venue-profiles.js';
import type { FakeClock } from './fake-clock.js';

/** The paper venue behind the fake and its one account. */
export const FAKE_VENUE = 'fake-alpaca';
export const FAKE_ACCOUNT = 'fake-alpaca-margin';

/**
 * Alpaca's paper account as a venue profile: US equities and crypto, one margin account (Reg T
 * multiplier 2, shorting allowed), no fees, the order types and native contingent classes Alpaca
 * takes. Matching is the paper exchange's (ORDER-SEMANTICS.md): the fake writes none of its own.
 */
export function alpacaProfile(cash: Decimal): VenueProfile {
  const account: Account = {
    id: FAKE_ACCOUNT,
    venue: FAKE_VENUE,
    mode: 'paper',
    type: 'margin',
    currency: 'USD',
    cash: { USD: cash },
    marginMultiplier: dec(2),
    allowShort: true,
    patternDayTrader: false,
    dayTrades: [],
    tradingBlocked: false,
  };
  return {
    id: FAKE_VENUE,
    name: 'Fake Alpaca',
    description: 'The paper exchange behind the loopback fake Alpaca broker.',
    assetClasses: ['us_equity', 'crypto'],
    depthScale: dec(1),
    options: { maker_fee_bps: '0', taker_fee_bps: '0' },
    symbolOptions: {},
    orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
    nativeContingent: ['bracket', 'oco', 'oto'],
    accounts: [account],
  };
}

export async function startPaperVenue(clock: FakeClock, cash: Decimal): Promise<PaperBroker> {
  const broker = new PaperBroker({
    profile: alpacaProfile(cash),
    instruments: new InstrumentRegistry(),
    clock,
    instanceId: 'fake',
  });
  await broker.connect();
  return broker;
}
