/**
 * Position sizing of a trading signal with fractional Kelly.
 *
 * A signal says which way (BUY, SELL, CLOSE_LONG, CLOSE_SHORT) and how sure (confidence = the win
 * probability p); its stop-loss and take-profit say what a win and a loss are worth per unit. Kelly
 * gives the fraction of equity to put at risk, f* = p − (1 − p) / b with b = reward / risk; full Kelly
 * is far too aggressive when p is an estimate, so we risk `kellyFraction` of it (a quarter by default).
 * The quantity is that risk budget divided by the risk per unit, then capped by the position limits,
 * buying power and the signal's own quantity, and rounded down to the lot size.
 *
 * Pure and exact: every amount is a Decimal, and the rounding to lots is an exact integer division,
 * so a quantity never exceeds a cap by a rounding error.
 */
import { Decimal, ONE, ZERO, maxDec } from '../domain/decimal.js';
import type { Side } from '../domain/order.js';

export type SignalAction = 'BUY' | 'SELL' | 'CLOSE_LONG' | 'CLOSE_SHORT';
export type SizingStatus = 'sized' | 'ignored' | 'rejected';
export type SizingCap =
  'kelly' | 'max_position_notional' | 'max_position_pct' | 'buying_power' | 'requested_quantity' | 'lot';

/** Quarter Kelly: about half the growth of full Kelly at a small fraction of its drawdowns. */
export const DEFAULT_KELLY_FRACTION = new Decimal('0.25');

export interface SizingInput {
  readonly action: SignalAction;
  /** The win probability p, 0..1. */
  readonly confidence: Decimal;
  readonly entryPrice: Decimal;
  readonly stopLoss?: Decimal;
  readonly takeProfit?: Decimal;
  readonly equity: Decimal;
  /** The share of full Kelly to risk, (0, 1]; default 0.25. */
  readonly kellyFraction?: Decimal;
  /** The tightest max position notional of the limit levels (the caller picks it). */
  readonly maxPositionNotional?: Decimal;
  /** Max position notional as a percent of equity (20 = 20%). */
  readonly maxPositionPctOfEquity?: Decimal;
  readonly buyingPower?: Decimal;
  readonly lotSize: Decimal;
  /** The smallest quantity worth sending (the venue's minimum); 0 for none. */
  readonly minQuantity: Decimal;
  /** The signal's own quantity: an upper bound, never a target. */
  readonly requestedQuantity?: Decimal;
  /** Signed position held in the instrument (long > 0); default flat. */
  readonly currentPosition?: Decimal;
}

export interface SizingResult {
  readonly status: SizingStatus;
  readonly side?: Side;
  readonly quantity: Decimal;
  /** Full Kelly f* (zero for closes). */
  readonly kellyFraction: Decimal;
  /** f* × the Kelly fraction: the share of equity put at risk. */
  readonly appliedFraction: Decimal;
  readonly payoffRatio?: Decimal;
  readonly riskPerUnit?: Decimal;
  /** quantity × riskPerUnit: what is lost when the stop is hit (zero for closes). */
  readonly riskAmount: Decimal;
  readonly notional: Decimal;
  /** What decided the quantity. */
  readonly cappedBy?: SizingCap;
  /** Why, written for an LLM reader. */
  readonly reason: string;
}

/** Sizes one signal. Bad input is `rejected`; a valid signal that leads to no order is `ignored`. */
export function sizeSignal(input: SizingInput): SizingResult {
  const invalid = invalidInput(input);
  if (invalid !== undefined) return emptyResult('rejected', invalid);
  if (input.action === 'BUY' || input.action === 'SELL') return sizeOpening(input, input.action);
  return sizeClose(input, input.action);
}

// ---------------------------------------------------------------------------------------------
// Input checks

function invalidInput(input: SizingInput): string | undefined {
  return (
    outside('confidence', input.confidence, ZERO, ONE) ??
    notPositive('entry price', input.entryPrice) ??
    notFinite('equity', input.equity) ??
    outside('Kelly fraction', kellyFractionOf(input), ZERO, ONE, true) ??
    notPositive('lot size', input.lotSize) ??
    negative('minimum quantity', input.minQuantity) ??
    optional(input.requestedQuantity, (v) => notPositive('requested quantity', v)) ??
    optional(input.maxPositionNotional, (v) => negative('max position notional', v)) ??
    optional(input.maxPositionPctOfEquity, (v) => negative('max position percent of equity', v)) ??
    optional(input.buyingPower, (v) => notFinite('buying power', v)) ??
    optional(input.currentPosition, (v) => notFinite('current position', v))
  );
}

function kellyFractionOf(input: SizingInput): Decimal {
  return input.kellyFraction ?? DEFAULT_KELLY_FRACTION;
}

function optional(value: Decimal | undefined, check: (v: Decimal) => string | undefined): string | undefined {
  return value === undefined ? undefined : check(value);
}

function notFinite(name: string, value: Decimal): string | undefined {
  return value.isFinite() ? undefined : `invalid ${name}: ${value.toString()} is not a finite number`;
}

function notPositive(name: string, value: Decimal): string | undefined {
  return notFinite(name, value) ?? (value.gt(0) ? undefined : `invalid ${name}: ${show(value)} must be > 0`);
}

function negative(name: string, value: Decimal): string | undefined {
  return notFinite(name, value) ?? (value.gte(0) ? undefined : `invalid ${name}: ${show(value)} must be ≥ 0`);
}

/** Within [low, high], or (low, high] when `openLow`. */
function outside(
  name: string,
  value: Decimal,
  low: Decimal,
  high: Decimal,
  openLow = false,
): string | undefined {
  const tooLow = openLow ? value.lte(low) : value.lt(low);
  if (!value.isFinite() || tooLow || value.gt(high)) {
    return `invalid ${name}: ${value.toString()} must be in ${openLow ? '(' : '['}${show(low)}, ${show(high)}]`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// BUY and SELL: Kelly, then caps, then lots

/** +1 for BUY (gains when the price rises), −1 for SELL. */
type Direction = 1 | -1;

function sizeOpening(input: SizingInput, action: 'BUY' | 'SELL'): SizingResult {
  const direction: Direction = action === 'BUY' ? 1 : -1;
  const payoff = payoffOf(input, action, direction);
  if (typeof payoff === 'string') return emptyResult('rejected', payoff);
  if (input.equity.lte(0)) {
    return emptyResult('ignored', `no equity to size against: equity is ${show(input.equity)}`);
  }
  const edge = kellyEdge(input.confidence, payoff);
  const applied = edge.gt(0) ? edge.times(kellyFractionOf(input)) : ZERO;
  const kelly: KellySize = {
    action,
    direction,
    payoff,
    edge,
    applied,
    side: direction === 1 ? 'buy' : 'sell',
  };
  if (edge.lte(0)) return noEdge(input, kelly);
  return applyCaps(input, kelly);
}

/** What a win and a loss are worth per unit; a string when the stop or take-profit is on the wrong side. */
interface Payoff {
  readonly reward: Decimal;
  readonly risk: Decimal;
  readonly ratio: Decimal;
  /** How reward and risk were found, for the reason. */
  readonly basis: string;
}

interface KellySize {
  readonly action: 'BUY' | 'SELL';
  readonly direction: Direction;
  readonly side: Side;
  readonly payoff: Payoff;
  /** Full Kelly f*. */
  readonly edge: Decimal;
  /** f* × kellyFraction, zero without an edge. */
  readonly applied: Decimal;
}

/**
 * b = |take-profit − entry| / |entry − stop| when both are given. Without a stop the whole entry
 * price is at risk (a full loss); without both, even odds (b = 1) because a one-sided bracket says
 * nothing about the odds.
 */
function payoffOf(input: SizingInput, action: 'BUY' | 'SELL', direction: Direction): Payoff | string {
  const { entryPrice: entry, stopLoss: stop, takeProfit: target } = input;
  const wrong = wrongSide(action, direction, entry, stop, target);
  if (wrong !== undefined) return wrong;
  const risk = stop === undefined ? entry : entry.minus(stop).abs();
  if (stop === undefined || target === undefined) {
    const basis = stop === undefined ? 'no stop: the whole entry price at risk' : `stop at ${show(stop)}`;
    return { reward: risk, risk, ratio: ONE, basis: `even odds (${basis})` };
  }
  const reward = target.minus(entry).abs();
  const basis = `take-profit ${show(target)} and stop ${show(stop)} around entry ${show(entry)}`;
  return { reward, risk, ratio: reward.div(risk), basis };
}

function wrongSide(
  action: 'BUY' | 'SELL',
  direction: Direction,
  entry: Decimal,
  stop: Decimal | undefined,
  target: Decimal | undefined,
): string | undefined {
  const below = direction === 1 ? 'below' : 'above';
  const above = direction === 1 ? 'above' : 'below';
  if (stop !== undefined && (!stop.isFinite() || stop.lte(0) || entry.minus(stop).times(direction).lte(0))) {
    return `invalid stop-loss: a ${action} needs a positive stop ${below} the entry ${show(entry)}, got ${stop.toString()}`;
  }
  if (
    target !== undefined &&
    (!target.isFinite() || target.lte(0) || target.minus(entry).times(direction).lte(0))
  ) {
    return `invalid take-profit: a ${action} needs a positive take-profit ${above} the entry ${show(entry)}, got ${target.toString()}`;
  }
  return undefined;
}

/** f* = p − (1 − p) / b, as (p × reward − (1 − p) × risk) / reward: one division, not two. */
function kellyEdge(p: Decimal, payoff: Payoff): Decimal {
  return p.times(payoff.reward).minus(ONE.minus(p).times(payoff.risk)).div(payoff.reward);
}

function noEdge(input: SizingInput, kelly: KellySize): SizingResult {
  const reason =
    `no edge: win probability ${show(input.confidence)} at payoff ratio ${show(kelly.payoff.ratio)} ` +
    `(${kelly.payoff.basis}) gives a Kelly fraction of ${show(kelly.edge)}, not above 0; no ${kelly.action}`;
  return { ...sizedFields(input, kelly, ZERO), status: 'ignored', reason };
}

/** One upper bound on the quantity, as numerator / denominator so lots can be counted exactly. */
interface Cap {
  readonly by: Exclude<SizingCap, 'lot'>;
  readonly numerator: Decimal;
  readonly denominator: Decimal;
  readonly label: string;
}

function applyCaps(input: SizingInput, kelly: KellySize): SizingResult {
  const caps = capsOf(input, kelly);
  const binding = tightest(caps, input.lotSize);
  const unrounded = binding.cap.numerator.div(binding.cap.denominator);
  const quantity = binding.lots.times(input.lotSize);
  if (quantity.isZero() || quantity.lt(input.minQuantity)) {
    return belowMinimum(input, kelly, caps, binding.cap, unrounded, quantity);
  }
  const reason = `${kelly.action} ${show(quantity)}: ${kellyStory(input, kelly, caps[0])}${capStory(binding.cap, quantity)}`;
  return { ...sizedFields(input, kelly, quantity), status: 'sized', cappedBy: binding.cap.by, reason };
}

/** Kelly first, so that it wins a tie: a limit is named only when it cut the size. */
function capsOf(input: SizingInput, kelly: KellySize): readonly [Cap, ...Cap[]] {
  const budget = input.equity.times(kelly.applied);
  const kellyCap = capOf('kelly', budget, kelly.payoff.risk, 'the Kelly size');
  const optionalCaps = [
    positionCap(input, kelly, 'max_position_notional', input.maxPositionNotional),
    positionCap(input, kelly, 'max_position_pct', input.maxPositionPctOfEquity?.times(input.equity).div(100)),
    buyingPowerCap(input, kelly),
    requestedCap(input.requestedQuantity),
  ];
  return [kellyCap, ...optionalCaps.filter((cap): cap is Cap => cap !== undefined)];
}

function requestedCap(requested: Decimal | undefined): Cap | undefined {
  if (requested === undefined) return undefined;
  return capOf('requested_quantity', requested, ONE, `the signal's quantity ${show(requested)}`);
}

function capOf(by: Cap['by'], numerator: Decimal, denominator: Decimal, label: string): Cap {
  return { by, numerator, denominator, label };
}

/**
 * A position limit bounds the position after the order, so what is already held the same way uses up
 * room and what is held the other way adds to it: q ≤ (limit − held × direction × entry) / entry.
 */
function positionCap(
  input: SizingInput,
  kelly: KellySize,
  by: 'max_position_notional' | 'max_position_pct',
  limitNotional: Decimal | undefined,
): Cap | undefined {
  if (limitNotional === undefined) return undefined;
  const held = (input.currentPosition ?? ZERO).times(kelly.direction);
  const what =
    by === 'max_position_notional'
      ? `the max position notional ${show(limitNotional)}`
      : `the max position of ${show(input.maxPositionPctOfEquity ?? ZERO)}% of equity (${show(limitNotional)})`;
  return capOf(
    by,
    limitNotional.minus(held.times(input.entryPrice)),
    input.entryPrice,
    what + heldNote(held),
  );
}

function heldNote(held: Decimal): string {
  if (held.isZero()) return '';
  return held.gt(0)
    ? ` with ${show(held)} already held that way`
    : ` plus the ${show(held.neg())} it closes first`;
}

/** Buying power pays for the part that opens or adds; closing the opposite position first needs none. */
function buyingPowerCap(input: SizingInput, kelly: KellySize): Cap | undefined {
  if (input.buyingPower === undefined) return undefined;
  const opposite = maxDec(ZERO, (input.currentPosition ?? ZERO).times(-kelly.direction));
  const label = `buying power ${show(input.buyingPower)}${opposite.isZero() ? '' : ` plus the ${show(opposite)} it closes first`}`;
  return capOf(
    'buying_power',
    input.buyingPower.plus(opposite.times(input.entryPrice)),
    input.entryPrice,
    label,
  );
}

/** The cap with the fewest whole lots (exact: an integer division, never a rounded quotient). */
function tightest(caps: readonly [Cap, ...Cap[]], lotSize: Decimal): { cap: Cap; lots: Decimal } {
  let best = { cap: caps[0], lots: lotsOf(caps[0], lotSize) };
  for (const cap of caps.slice(1)) {
    const lots = lotsOf(cap, lotSize);
    if (lots.lt(best.lots)) best = { cap, lots };
  }
  return best;
}

function lotsOf(cap: Cap, lotSize: Decimal): Decimal {
  return maxDec(ZERO, cap.numerator.divToInt(cap.denominator.times(lotSize)));
}

function belowMinimum(
  input: SizingInput,
  kelly: KellySize,
  caps: readonly [Cap, ...Cap[]],
  binding: Cap,
  unrounded: Decimal,
  quantity: Decimal,
): SizingResult {
  const roundedAway = unrounded.gt(0) && unrounded.gte(input.minQuantity);
  const minimum = input.minQuantity.gt(0) ? `the minimum quantity ${show(input.minQuantity)}` : 'one lot';
  const reason =
    `${kelly.action} not sent: ${kellyStory(input, kelly, caps[0])}${capStory(binding, maxDec(ZERO, unrounded))}` +
    `, which rounds down to ${show(quantity)} in lots of ${show(input.lotSize)}, below ${minimum}`;
  return {
    ...sizedFields(input, kelly, ZERO),
    status: 'ignored',
    cappedBy: roundedAway ? 'lot' : binding.by,
    reason,
  };
}

function kellyStory(input: SizingInput, kelly: KellySize, kellyCap: Cap): string {
  const kellyQuantity = kellyCap.numerator.div(kellyCap.denominator);
  return (
    `win probability ${show(input.confidence)}, payoff ratio ${show(kelly.payoff.ratio)} (${kelly.payoff.basis}), ` +
    `Kelly fraction ${show(kelly.edge)} × ${show(kellyFractionOf(input))} = ${show(kelly.applied)} of equity ` +
    `${show(input.equity)} risks ${show(kellyCap.numerator)} at ${show(kelly.payoff.risk)} per unit = ${show(kellyQuantity)}`
  );
}

function capStory(binding: Cap, quantity: Decimal): string {
  return binding.by === 'kelly' ? '' : `; capped by ${binding.label} to ${show(quantity)}`;
}

function sizedFields(input: SizingInput, kelly: KellySize, quantity: Decimal) {
  return {
    side: kelly.side,
    quantity,
    kellyFraction: kelly.edge,
    appliedFraction: kelly.applied,
    payoffRatio: kelly.payoff.ratio,
    riskPerUnit: kelly.payoff.risk,
    riskAmount: quantity.times(kelly.payoff.risk),
    notional: quantity.times(input.entryPrice),
  } as const;
}

// ---------------------------------------------------------------------------------------------
// CLOSE_LONG and CLOSE_SHORT

/**
 * A close takes the whole position of that sign, exactly as held (no lot rounding: an odd lot must
 * still be closable). A smaller requested quantity closes part of it, rounded down to the lot size.
 */
function sizeClose(input: SizingInput, action: 'CLOSE_LONG' | 'CLOSE_SHORT'): SizingResult {
  const position = input.currentPosition ?? ZERO;
  const long = action === 'CLOSE_LONG';
  const kind = long ? 'long' : 'short';
  if (long ? position.lte(0) : position.gte(0)) {
    return emptyResult('ignored', `no ${kind} position to close: the position is ${show(position)}`);
  }
  const side: Side = long ? 'sell' : 'buy';
  const held = position.abs();
  const requested = input.requestedQuantity;
  if (requested === undefined || requested.gte(held)) {
    return closeResult(
      input,
      side,
      held,
      undefined,
      `${action}: ${side} ${show(held)}, the whole ${kind} position`,
    );
  }
  const quantity = requested.divToInt(input.lotSize).times(input.lotSize);
  if (quantity.isZero()) {
    const reason = `${action} not sent: the requested ${show(requested)} rounds down to 0 in lots of ${show(input.lotSize)}`;
    return { ...closeResult(input, side, ZERO, 'lot', reason), status: 'ignored' };
  }
  const reason = `${action}: ${side} ${show(quantity)} of the ${show(held)} ${kind} position, as requested`;
  return closeResult(input, side, quantity, 'requested_quantity', reason);
}

function closeResult(
  input: SizingInput,
  side: Side,
  quantity: Decimal,
  cappedBy: SizingCap | undefined,
  reason: string,
): SizingResult {
  const base = {
    status: 'sized',
    side,
    quantity,
    kellyFraction: ZERO,
    appliedFraction: ZERO,
    riskAmount: ZERO,
  } as const;
  const notional = quantity.times(input.entryPrice);
  return cappedBy === undefined ? { ...base, notional, reason } : { ...base, notional, cappedBy, reason };
}

// ---------------------------------------------------------------------------------------------

function emptyResult(status: 'ignored' | 'rejected', reason: string): SizingResult {
  return {
    status,
    quantity: ZERO,
    kellyFraction: ZERO,
    appliedFraction: ZERO,
    riskAmount: ZERO,
    notional: ZERO,
    reason,
  };
}

/** A decimal for a reason: plain notation, and at most 8 decimal places so 10/3 stays readable. */
function show(value: Decimal): string {
  return (value.decimalPlaces() > 8 ? value.toDecimalPlaces(8) : value).toFixed();
}
