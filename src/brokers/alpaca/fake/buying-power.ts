import { type Decimal, ZERO, sumDec } from '../../../domain/decimal.js';
import { type Order, type OrderSpec, leavesQty } from '../../../domain/order.js';
import type { PaperBroker } from '../../paper/paper-broker.js';
import { type AlpacaError, forbidden } from './alpaca-errors.js';
import type { OrderLedger } from './order-ledger.js';
import type { SubmitPlan } from './order-request.js';

/**
 * Alpaca refuses a buy whose cost exceeds the account's buying power less what open buys already
 * commit (403 40310000 "insufficient buying power"). The paper venue leaves this to our own risk
 * engine on margin accounts, so the fake checks it the way Alpaca does, before the venue sees the
 * order. Cost is quantity × the order's price (limit, else stop, else the ask). Sells, which
 * Alpaca checks against shorting power, are not checked.
 */
export async function buyingPowerRefusal(
  plan: SubmitPlan,
  broker: PaperBroker,
  ledger: OrderLedger,
  accountId: string,
): Promise<AlpacaError | undefined> {
  const [entry] = plan.legs;
  if (entry === undefined || entry.spec.side !== 'buy') return undefined;
  const ask = broker.book(plan.instrument.symbol)?.asks[0]?.price;
  const cost = notional(entry.spec, entry.spec.quantity, ask);
  if (cost === undefined) return undefined;
  const account = (await broker.accounts()).find((a) => a.accountId === accountId);
  if (account === undefined) return undefined;
  const committed = sumDec(
    ledger
      .all()
      .filter((r) => ledger.isOpen(r))
      .map((r) => ledger.orderOf(r))
      .filter((o) => o.side === 'buy' && !o.held)
      .map((o) => committedBy(o, broker)),
  );
  return cost.greaterThan(account.buyingPower.minus(committed))
    ? forbidden('insufficient buying power')
    : undefined;
}

function committedBy(order: Order, broker: PaperBroker): Decimal {
  const ask = broker.book(order.symbol)?.asks[0]?.price;
  return notional(order, leavesQty(order), ask) ?? ZERO;
}

function notional(spec: OrderSpec, quantity: Decimal, ask: Decimal | undefined): Decimal | undefined {
  const price = spec.limitPrice ?? spec.stopPrice ?? ask;
  return price === undefined ? undefined : quantity.times(price);
}
