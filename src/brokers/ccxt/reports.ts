/**
 * Spot positions and the account from balances (pure). Spot has no positions of its own: a
 * holding of a base asset is a long position in its market against the account currency. Spot
 * has no entry price either: it is replayed from the fills this adapter has seen (§6.2),
 * and is 0 when it has seen none (a holding from a deposit, or from before the adapter started).
 */
import { type Decimal, ZERO, maxDec } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import type { InstrumentRegistry } from '../../domain/instruments.js';
import type { VenueAccount, VenueBalance, VenuePosition } from '../broker.js';

/**
 * The average entry price the fills give, oldest first, long only (§6.2 open/add and reduce): a
 * sale beyond what the fills bought sold a holding they do not show, and flattens the replay.
 */
export function entryPriceOf(fills: readonly Fill[]): Decimal {
  let quantity = ZERO;
  let average = ZERO;
  for (const f of fills) {
    if (f.side === 'buy') {
      average = quantity.times(average).plus(f.quantity.times(f.price)).div(quantity.plus(f.quantity));
      quantity = quantity.plus(f.quantity);
    } else {
      quantity = maxDec(ZERO, quantity.minus(f.quantity));
      if (quantity.isZero()) average = ZERO;
    }
  }
  return average;
}

export interface PositionSources {
  readonly currency: string;
  readonly instruments: InstrumentRegistry;
  readonly fillsOf: (symbol: string) => readonly Fill[];
}

/** One long position per held asset that trades against the account currency. */
export function positionsOf(balances: readonly VenueBalance[], sources: PositionSources): VenuePosition[] {
  const out: VenuePosition[] = [];
  for (const b of balances) {
    if (b.currency === sources.currency || b.total.isZero()) continue;
    const instrument = sources.instruments.find(`${b.currency}/${sources.currency}`);
    if (instrument === undefined) continue;
    out.push({
      symbol: instrument.symbol,
      quantity: b.total,
      avgEntryPrice: entryPriceOf(sources.fillsOf(instrument.symbol)),
    });
  }
  return out;
}

export interface AccountSources {
  readonly accountId: string;
  readonly currency: string;
  readonly tradingBlocked: boolean;
  /** A position's mark (the book's mid), when known. */
  readonly markOf: (symbol: string) => Decimal | undefined;
}

/**
 * A spot cash account: cash and buying power are the account currency's total and free amounts;
 * equity adds each holding at its mark, or at its entry price when there is no mark.
 */
export function accountOf(
  balances: readonly VenueBalance[],
  positions: readonly VenuePosition[],
  sources: AccountSources,
): VenueAccount {
  const cash = balances.find((b) => b.currency === sources.currency);
  let equity = cash?.total ?? ZERO;
  for (const p of positions)
    equity = equity.plus(p.quantity.times(sources.markOf(p.symbol) ?? p.avgEntryPrice));
  return {
    accountId: sources.accountId,
    type: 'cash',
    currency: sources.currency,
    equity,
    cash: cash?.total ?? ZERO,
    buyingPower: cash?.available ?? ZERO,
    patternDayTrader: false,
    dayTradeCount: 0,
    tradingBlocked: sources.tradingBlocked,
  };
}

/** The mid of a book's best levels, when both sides have one. */
export function midOf(book: {
  readonly bids: readonly { price: Decimal }[];
  readonly asks: readonly { price: Decimal }[];
}): Decimal | undefined {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  return bid === undefined || ask === undefined ? undefined : bid.plus(ask).div(2);
}
