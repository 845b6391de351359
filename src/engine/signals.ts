import { type Decimal, ZERO, minDec } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { createHash } from 'node:crypto';
import { type SignalAction, type SizingResult, sizeSignal } from '../risk/sizing.js';
import type { RiskLimits } from '../risk/types.js';
import type { OrderService } from './order-service.js';
import type { StoredOrder } from './ports.js';
import type { RiskEngine } from './risk-engine.js';
import type { RiskStore, SignalRecord } from './risk-ports.js';
import type { Clock } from '../domain/clock.js';

export interface SignalInput {
  readonly signalId: string;
  readonly modelId: string;
  readonly symbol: string;
  readonly action: SignalAction;
  readonly confidence: Decimal;
  readonly quantity?: Decimal;
  readonly entryPrice?: Decimal;
  readonly stopLoss?: Decimal;
  readonly takeProfit?: Decimal;
  readonly account?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface SignalOutcome {
  readonly signalId: string;
  readonly status: SignalRecord['status'];
  readonly order?: StoredOrder;
  /** The sizing: as computed now, or as recorded (decimals as strings) for a replayed signal. */
  readonly sizing: SizingResult | Readonly<Record<string, unknown>>;
  /** Whether this call placed it (false: the signal id was seen before and this is its record). */
  readonly replayed: boolean;
}

export interface SignalDeps {
  readonly service: OrderService;
  readonly risk: RiskEngine;
  readonly store: RiskStore;
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  /** Fraction of full Kelly used (default 0.25). */
  readonly kellyFraction?: Decimal;
}

/**
 * submitSignal: a model's signal sized with fractional Kelly from its confidence and its stop and
 * take-profit distances, capped by the position limits in force and the buying power, and placed
 * through the same risk checks as any order. One signal id is one decision: a repeat returns the
 * recorded outcome. Until the routing issue brings brackets, the entry goes alone (a limit at the
 * entry price when one is given, else a market order) and the exit plan is recorded with the
 * signal and in the order's reason.
 */
export class SignalDesk {
  constructor(private readonly deps: SignalDeps) {}

  async submit(input: SignalInput, agentId: string): Promise<SignalOutcome> {
    const known = await this.deps.store.findSignal(input.signalId);
    if (known !== undefined) return this.replay(known);
    const instrument = this.deps.instruments.get(input.symbol);
    const accounts = await this.deps.risk.accountFacts(this.deps.clock.now());
    const account =
      input.account === undefined ? await this.defaultAccount(instrument.symbol) : input.account;
    const facts = accounts.find((a) => a.accountId === account);
    if (facts === undefined) {
      throw new TradingError('NOT_FOUND', `No account ${account}.`, {
        hint: 'getAccount lists the accounts.',
      });
    }
    const entry = input.entryPrice ?? this.deps.risk.reference(instrument.symbol);
    if (entry === undefined) {
      throw new TradingError('NO_MARKET', `No price for ${instrument.symbol} to size the signal at.`, {
        hint: 'Give entryPrice, or wait for a quote (getQuote).',
      });
    }
    const position = (await this.deps.service.positions(account)).find((p) => p.symbol === instrument.symbol);
    const caps = tightest(await this.deps.risk.limitsInForce(account, agentId));
    // The position checks value the position at the mark, not at the entry: cap in the same units.
    const mark = this.deps.risk.reference(instrument.symbol);
    const atMark = (cap: Decimal | undefined): Decimal | undefined =>
      cap === undefined || mark === undefined || !mark.isPositive() ? cap : cap.times(entry).div(mark);
    const buyingPower = (await this.deps.risk.availableBuyingPower(account)) ?? facts.buyingPower;
    const sizing = sizeSignal({
      action: input.action,
      confidence: input.confidence,
      entryPrice: entry,
      equity: facts.equity,
      buyingPower,
      lotSize: instrument.lotSize,
      minQuantity: instrument.minQuantity,
      currentPosition: position?.quantity ?? ZERO,
      ...(this.deps.kellyFraction === undefined ? {} : { kellyFraction: this.deps.kellyFraction }),
      ...optional({
        stopLoss: input.stopLoss,
        takeProfit: input.takeProfit,
        requestedQuantity: input.quantity,
      }),
      ...optional({ maxPositionNotional: atMark(caps.notional), maxPositionPctOfEquity: atMark(caps.pct) }),
    });
    const order =
      sizing.status === 'sized' && sizing.side !== undefined
        ? await this.place(input, agentId, account, sizing.side, sizing.quantity)
        : undefined;
    const status: SignalRecord['status'] =
      sizing.status === 'sized'
        ? order?.order.status === 'denied'
          ? 'rejected'
          : 'accepted'
        : sizing.status === 'rejected'
          ? 'rejected'
          : 'ignored';
    const record: SignalRecord = {
      signalId: input.signalId,
      modelId: input.modelId,
      agentId,
      symbol: instrument.symbol,
      action: input.action,
      confidence: input.confidence,
      status,
      ...(order === undefined ? {} : { orderId: order.order.id }),
      payload: {
        sizing: wireSizing(sizing),
        exitPlan: exitPlan(input),
        entryPrice: entry.toFixed(),
        account,
        ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
      },
      createdAt: this.deps.clock.now(),
    };
    await this.deps.store.saveSignal(record);
    return {
      signalId: input.signalId,
      status,
      ...(order === undefined ? {} : { order }),
      sizing,
      replayed: false,
    };
  }

  private async place(
    input: SignalInput,
    agentId: string,
    account: string,
    side: 'buy' | 'sell',
    quantity: Decimal,
  ): Promise<StoredOrder> {
    const plan = exitPlan(input);
    const planText =
      plan === undefined
        ? ''
        : `; exit plan: stop ${plan.stopLoss ?? '-'}, take profit ${plan.takeProfit ?? '-'}`;
    return this.deps.service.submit({
      symbol: input.symbol,
      side,
      type: input.entryPrice === undefined ? 'market' : 'limit',
      quantity,
      timeInForce: input.entryPrice === undefined ? 'day' : 'gtc',
      ...(input.entryPrice === undefined ? {} : { limitPrice: input.entryPrice }),
      ...(input.action.startsWith('CLOSE') ? { reduceOnly: true } : {}),
      clientOrderId: `sig-${createHash('sha256').update(input.signalId).digest('base64url').slice(0, 32)}`,
      accountId: account,
      agentId,
      reason: `signal ${input.signalId} from ${input.modelId}: ${input.action} at confidence ${input.confidence.toFixed()}${planText}`,
    });
  }

  private async replay(known: SignalRecord): Promise<SignalOutcome> {
    const order =
      known.orderId === undefined ? undefined : await this.deps.service.findOrder({ orderId: known.orderId });
    const sizing = (known.payload['sizing'] ?? {}) as Record<string, unknown>;
    return {
      signalId: known.signalId,
      status: known.status,
      ...(order === undefined ? {} : { order }),
      sizing,
      replayed: true,
    };
  }

  private async defaultAccount(symbol: string): Promise<string> {
    const check = await this.deps.service.route(symbol);
    return check.accountId;
  }
}

function exitPlan(input: SignalInput): { stopLoss?: string; takeProfit?: string } | undefined {
  if (input.stopLoss === undefined && input.takeProfit === undefined) return undefined;
  return {
    ...(input.stopLoss === undefined ? {} : { stopLoss: input.stopLoss.toFixed() }),
    ...(input.takeProfit === undefined ? {} : { takeProfit: input.takeProfit.toFixed() }),
  };
}

/** The tightest position caps across the levels in force. */
function tightest(levels: { global: RiskLimits; account?: RiskLimits; agent?: RiskLimits }): {
  notional: Decimal | undefined;
  pct: Decimal | undefined;
} {
  const all = [levels.global, levels.account ?? {}, levels.agent ?? {}];
  const pick = (values: (Decimal | undefined)[]): Decimal | undefined =>
    values.reduce<Decimal | undefined>(
      (m, v) => (v === undefined ? m : m === undefined ? v : minDec(m, v)),
      undefined,
    );
  return {
    notional: pick(all.map((l) => l.maxPositionNotional)),
    pct: pick(all.map((l) => l.maxPositionPctOfEquity)),
  };
}

/** The given values without the undefined ones (exact optional properties). */
function optional<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** The sizing with decimals as strings, as recorded and returned. */
export function wireSizing(sizing: SizingResult): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(sizing).map(([k, v]) => [
      k,
      typeof v === 'object' && v !== null && 'toFixed' in v ? (v as Decimal).toFixed() : v,
    ]),
  );
}
