import type { Clock } from '../../domain/clock.js';
import type { Decimal } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';
import type { Instrument } from '../../domain/instrument.js';
import type { InstrumentRegistry } from '../../domain/instruments.js';
import { type BarHistory, samplePrice } from '../../marketdata/bars/bar-history.js';
import { BookBuilder, type ScriptedMarket } from '../../marketdata/feeds/scripted-book.js';
import type { BookSnapshot } from '../../marketdata/types.js';
import type { PaperBroker } from './paper-broker.js';

type Level = readonly [Decimal, Decimal];

/** One simulateMarket request (CONTRACT.md, paper venues only), decimals already parsed. */
export interface SimulatedMarket {
  /** One paper venue; absent: every paper venue that trades the symbol. */
  readonly venue?: string;
  readonly symbol: string;
  readonly bid?: Decimal;
  readonly ask?: Decimal;
  readonly bidSize?: Decimal;
  readonly askSize?: Decimal;
  readonly last?: Decimal;
  readonly book?: { readonly bids: readonly Level[]; readonly asks: readonly Level[] };
  /** Volume traded at this market (for the bars); needs a price. */
  readonly volume?: Decimal;
  /** Epoch ms the simulated clock moves to first (never backward). */
  readonly at?: number;
}

export interface SimulationResult {
  readonly symbol: string;
  /** The trading clock after the call. */
  readonly now: number;
  /** False when the request only moved the clock. */
  readonly replaced: boolean;
  /** Each targeted venue's market for the symbol afterwards (undefined: it has none). */
  readonly venues: readonly { readonly venue: string; readonly book: BookSnapshot | undefined }[];
}

export interface MarketSimulatorDeps {
  readonly venues: readonly PaperBroker[];
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  /** Moves the simulated clock forward, firing what falls due; absent on the system clock. */
  readonly advanceClock?: (to: number) => void;
  /** Where each simulated market is recorded as an observation, for getBars. */
  readonly history?: BarHistory;
}

const WORDING = { invalid: 'INVALID_ARGUMENT', label: 'Simulated market' } as const;

/**
 * The paper exchange's market controls (the simulateMarket tool): checks the whole request before
 * changing anything, moves the simulated clock to `at` (expiries, session opens and closes and the
 * feed's own steps run on the way), then replaces the symbol's market at the targeted venues, which
 * pins it there (PaperBroker.simulate), runs their matching and records the market on the tape.
 */
export class MarketSimulator {
  constructor(private readonly deps: MarketSimulatorDeps) {}

  /** Whether `at` can move the clock (the simulated clock is in use). */
  get movesClock(): boolean {
    return this.deps.advanceClock !== undefined;
  }

  async simulate(request: SimulatedMarket): Promise<SimulationResult> {
    const instrument = this.deps.instruments.get(request.symbol);
    const venues = this.targets(instrument, request.venue);
    const at = this.checkedAt(request.at);
    const market = scriptedMarket(request);
    if (market === undefined && at === undefined) {
      throw invalid(
        `Nothing to simulate for ${instrument.symbol}.`,
        'Give a market (bid/ask, book or last) or an at time.',
      );
    }
    const builder = new BookBuilder(instrument.symbol, instrument, WORDING);
    // Checked in full before the clock or any market moves: a refused request changes nothing.
    const price =
      market === undefined ? undefined : samplePrice(builder.build(market, this.deps.clock.now()));
    checkVolume(request.volume, market === undefined ? undefined : price);
    if (at !== undefined) this.deps.advanceClock?.(at);
    if (market !== undefined) {
      const book = builder.build(market, this.deps.clock.now());
      for (const venue of venues) venue.simulate({ kind: 'book', book });
      if (price !== undefined) {
        this.deps.history?.record({
          symbol: instrument.symbol,
          ts: book.ts,
          price,
          ...(request.volume === undefined ? {} : { volume: request.volume }),
        });
      }
    }
    // Durable venues publish their events once saved; every venue, as the clock may have moved.
    await Promise.all(this.deps.venues.map((v) => v.whenSaved()));
    return {
      symbol: instrument.symbol,
      now: this.deps.clock.now(),
      replaced: market !== undefined,
      venues: venues.map((v) => ({ venue: v.venue, book: v.book(instrument.symbol) })),
    };
  }

  private targets(instrument: Instrument, venue: string | undefined): PaperBroker[] {
    const trading = this.deps.venues.filter((v) => v.trades(instrument.symbol));
    if (venue === undefined) {
      if (trading.length > 0) return trading;
      throw invalid(
        `No paper venue trades ${instrument.symbol} (${instrument.assetClass}).`,
        'listVenues shows what each venue trades.',
        { symbol: instrument.symbol },
      );
    }
    const named = this.deps.venues.find((v) => v.venue === venue);
    if (named === undefined) {
      throw new TradingError('NOT_FOUND', `No paper venue ${venue}.`, {
        hint: `Paper venues: ${this.deps.venues.map((v) => v.venue).join(', ')}; or omit venue for all of them.`,
        details: { venue },
      });
    }
    if (trading.includes(named)) return [named];
    throw invalid(
      `${venue} does not trade ${instrument.symbol} (${instrument.assetClass}).`,
      trading.length > 0
        ? `Venues that trade it: ${trading.map((v) => v.venue).join(', ')}.`
        : 'listVenues shows what each venue trades.',
      { venue, symbol: instrument.symbol },
    );
  }

  private checkedAt(at: number | undefined): number | undefined {
    if (at === undefined) return undefined;
    const now = this.deps.clock.now();
    if (this.deps.advanceClock === undefined) {
      throw invalid(
        'at needs the simulated clock, and this server runs on the system clock.',
        'Omit at (the market changes now), or start the server with TRADING_CLOCK=simulated.',
      );
    }
    if (at < now) {
      const iso = new Date(now).toISOString();
      throw invalid(
        `at ${new Date(at).toISOString()} is before the trading clock's now, ${iso}: the simulated clock never moves backward.`,
        `Give an at at or after ${iso}, or omit at to simulate at the current time.`,
        { at: new Date(at).toISOString(), now: iso },
      );
    }
    return at;
  }
}

/** The request's market, or undefined when it gives none (it only moves the clock). */
function scriptedMarket(request: SimulatedMarket): ScriptedMarket | undefined {
  const { bid, ask, bidSize, askSize, last, book } = request;
  if ([bid, ask, bidSize, askSize, last, book].every((v) => v === undefined)) return undefined;
  return {
    ...(bid === undefined ? {} : { bid }),
    ...(ask === undefined ? {} : { ask }),
    ...(bidSize === undefined ? {} : { bidSize }),
    ...(askSize === undefined ? {} : { askSize }),
    ...(last === undefined ? {} : { last }),
    ...(book === undefined ? {} : { book }),
  };
}

function checkVolume(volume: Decimal | undefined, price: Decimal | undefined): void {
  if (volume === undefined) return;
  if (volume.isNegative()) throw invalid('volume must not be negative.', 'Send a volume of 0 or more.');
  if (price === undefined) {
    throw invalid(
      'volume was given without a price to trade at.',
      'Send last (or a bid and ask) with the volume, or leave volume out.',
    );
  }
}

function invalid(message: string, hint: string, details?: Record<string, unknown>): TradingError {
  return new TradingError('INVALID_ARGUMENT', message, {
    hint,
    ...(details === undefined ? {} : { details }),
  });
}
