/**
 * An algorithm's plan and progress as the parent order stores it (orders.algo, JSON with decimals
 * as strings), and the child orders it sends. The slicing itself is src/routing/slicing.ts.
 */
import type { Decimal } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { Instrument } from '../domain/instrument.js';
import type { Order, OrderSpec } from '../domain/order.js';
import { twapSlices, vwapSlices, weightsForHorizon } from '../routing/slicing.js';

export type AlgoType = 'twap' | 'vwap' | 'iceberg';

/** One scheduled slice: when, and its planned size. */
export interface Slice {
  readonly at: number;
  readonly quantity: string;
}

export type AlgoState = {
  readonly type: AlgoType | 'split';
  /** The request as given (part of the idempotency hash), with the caller's venue/account pin. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly schedule?: readonly Slice[];
  /** The horizon's end: open children are canceled and the parent ends (TWAP, VWAP). */
  readonly endAt?: number;
  readonly displayQuantity?: string;
  readonly allocations?: readonly { venue: string; accountId: string; quantity: string }[];
  /** Slices done (TWAP, VWAP); 1 once a split's allocations went out. */
  readonly sent: number;
  /** Children placed so far. */
  readonly children: number;
  /** Consecutive children denied or rejected. */
  readonly failures: number;
  readonly lastFailure?: string;
};

/** The request fields an algorithm reads (CONTRACT.md OrderRequest.algo). */
export interface AlgoParameters {
  readonly type: AlgoType;
  readonly durationSeconds?: number;
  readonly slices?: number;
  readonly displayQuantity?: Decimal;
  /** VWAP bucket weights; default: the US equity intraday volume profile over the horizon. */
  readonly weights?: readonly Decimal[];
  /** TWAP: move each slice time by up to ± this fraction of the interval. */
  readonly jitter?: number;
}

/** TWAP and VWAP without `slices`: one slice a minute, at most this many. */
const DEFAULT_SLICE_MS = 60_000;
const MAX_SLICES = 1_000;

/** The plan for a new algorithm order, checked: an unusable request is refused before anything is stored. */
export function planAlgo(
  spec: OrderSpec & { venue?: string; accountId?: string },
  algo: AlgoParameters,
  instrument: Instrument,
  now: number,
  random: () => number = Math.random,
): AlgoState {
  const request = {
    type: algo.type,
    ...(algo.durationSeconds === undefined ? {} : { durationSeconds: algo.durationSeconds }),
    ...(algo.slices === undefined ? {} : { slices: algo.slices }),
    ...(algo.displayQuantity === undefined ? {} : { displayQuantity: algo.displayQuantity.toFixed() }),
    ...(algo.weights === undefined ? {} : { weights: algo.weights.map((w) => w.toFixed()) }),
    ...(algo.jitter === undefined ? {} : { jitter: algo.jitter }),
    ...(spec.venue === undefined ? {} : { venue: spec.venue }),
    ...(spec.accountId === undefined ? {} : { accountId: spec.accountId }),
  };
  const base = { request, sent: 0, children: 0, failures: 0 };
  if (algo.type === 'iceberg') {
    if (algo.displayQuantity === undefined || spec.limitPrice === undefined || spec.type !== 'limit')
      throw invalid('An iceberg is a limit order with algo.displayQuantity.', 'algo.displayQuantity');
    if (!algo.displayQuantity.gt(0) || algo.displayQuantity.greaterThan(spec.quantity))
      throw invalid('algo.displayQuantity must be > 0 and at most the quantity.', 'algo.displayQuantity');
    return { ...base, type: 'iceberg', displayQuantity: algo.displayQuantity.toFixed() };
  }
  if (spec.type !== 'market' && spec.type !== 'limit')
    throw invalid(`A ${algo.type} order is market or limit, not ${spec.type}.`, 'type');
  const seconds = algo.durationSeconds;
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 86_400)
    throw invalid(
      `A ${algo.type} order needs algo.durationSeconds, a whole number of seconds up to a week.`,
      'algo.durationSeconds',
    );
  const horizonMs = seconds * 1_000;
  const count = algo.slices ?? Math.min(MAX_SLICES, Math.max(1, Math.floor(horizonMs / DEFAULT_SLICE_MS)));
  if (!Number.isInteger(count) || count < 1 || count > MAX_SLICES)
    throw invalid(`algo.slices must be a whole number from 1 to ${MAX_SLICES}.`, 'algo.slices');
  const lot = { lotStep: instrument.lotSize, minQuantity: instrument.minQuantity };
  const slices =
    algo.type === 'twap'
      ? twapSlices({
          quantity: spec.quantity,
          horizonMs,
          intervalMs: horizonMs / count,
          start: now,
          ...lot,
          ...(algo.jitter === undefined ? {} : { jitter: { fraction: algo.jitter, random } }),
        })
      : vwapSlices({
          quantity: spec.quantity,
          horizonMs,
          start: now,
          weights: algo.weights ?? weightsForHorizon(now, horizonMs, count),
          ...lot,
        });
  return {
    ...base,
    type: algo.type,
    schedule: slices.map((s) => ({ at: s.at, quantity: s.quantity.toFixed() })),
    endAt: now + horizonMs,
  };
}

/**
 * The stored state, fixed up after a crash between placing a child and saving the progress: a
 * slice whose child exists counts as done.
 */
export function stateOf(json: Readonly<Record<string, unknown>>, childCount: number): AlgoState {
  const state = json as unknown as AlgoState;
  const missed = childCount - state.children;
  if (missed <= 0 || (state.type !== 'twap' && state.type !== 'vwap')) return state;
  return { ...state, sent: state.sent + missed, children: childCount };
}

/** A child's parameters: limits at the parent's limit price, else market; slices live for the day. */
export function childSpec(
  parent: Order,
  state: AlgoState,
  quantity: Decimal,
  displayQty?: Decimal,
): OrderSpec {
  const limit = parent.type === 'limit' && parent.limitPrice !== undefined;
  const timeInForce = state.type === 'twap' || state.type === 'vwap' ? 'day' : parent.timeInForce;
  return {
    symbol: parent.symbol,
    side: parent.side,
    type: limit ? 'limit' : 'market',
    quantity,
    timeInForce: !limit && (timeInForce === 'gtc' || timeInForce === 'gtd') ? 'day' : timeInForce,
    ...(limit ? { limitPrice: parent.limitPrice } : {}),
    ...(displayQty === undefined ? {} : { displayQty }),
    ...(parent.reduceOnly === true ? { reduceOnly: true } : {}),
    ...(parent.extendedHours === true ? { extendedHours: true } : {}),
  };
}

function invalid(message: string, field: string): TradingError {
  return new TradingError('INVALID_ARGUMENT', message, {
    hint: 'twap/vwap: algo.durationSeconds (and optionally algo.slices); iceberg: a limit order with algo.displayQuantity.',
    details: { field },
  });
}
