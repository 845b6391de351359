import { type Account, adjustCash, recordDayTrade, valueAccount } from '../../domain/account.js';
import { BPS, type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import { type Position, applyFillToPosition, flatPosition } from '../../domain/position.js';
import type { PositionUpdate } from '../../domain/position.js';

/** Fee per fill by liquidity side, exact: notional × bps / 10 000 in quote currency (§6.2). */
export function paperFee(quantity: Decimal, price: Decimal, bps: Decimal): Decimal {
  return quantity.times(price).times(bps).div(BPS);
}

/**
 * The paper venue's books of record: cash per currency, one net position per instrument, every
 * fill (deduplicated by fill id), and what open orders hold back (cash for buys on cash accounts,
 * quantity for sells where shorting is not allowed).
 */
export class PaperLedger {
  private readonly accounts = new Map<string, Account>();
  private readonly positionsByAccount = new Map<string, Map<string, Position>>();
  private readonly fills: Fill[] = [];
  private readonly fillIds = new Set<string>();
  private readonly reservedCash = new Map<string, Decimal>();
  private readonly reservedQty = new Map<string, Decimal>();
  /** Changes since the last `takeChanges`, for a durable venue to save. */
  private readonly changedAccounts = new Set<string>();
  private readonly changedPositions = new Set<Position>();
  private newFills: Fill[] = [];

  constructor(accounts: readonly Account[]) {
    for (const account of accounts) {
      this.accounts.set(account.id, account);
      this.positionsByAccount.set(account.id, new Map());
    }
  }

  has(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  account(accountId: string): Account {
    const account = this.accounts.get(accountId);
    if (account === undefined) throw new Error(`unknown paper account ${accountId}`);
    return account;
  }

  allAccounts(): Account[] {
    return [...this.accounts.values()];
  }

  position(accountId: string, symbol: string): Position {
    return this.positionsByAccount.get(accountId)?.get(symbol) ?? flatPosition(accountId, symbol);
  }

  positions(accountId: string): Position[] {
    return [...(this.positionsByAccount.get(accountId)?.values() ?? [])].filter((p) => !p.quantity.isZero());
  }

  cash(accountId: string, currency: string): Decimal {
    return this.account(accountId).cash[currency] ?? ZERO;
  }

  availableCash(accountId: string, currency: string): Decimal {
    return this.cash(accountId, currency).minus(this.reservedCash.get(`${accountId}|${currency}`) ?? ZERO);
  }

  /** Held quantity not already promised to open sells. */
  availableQty(accountId: string, symbol: string): Decimal {
    return this.position(accountId, symbol).quantity.minus(
      this.reservedQty.get(`${accountId}|${symbol}`) ?? ZERO,
    );
  }

  reserveCash(accountId: string, currency: string, amount: Decimal): void {
    const key = `${accountId}|${currency}`;
    this.reservedCash.set(key, (this.reservedCash.get(key) ?? ZERO).plus(amount));
  }

  reserveQty(accountId: string, symbol: string, quantity: Decimal): void {
    const key = `${accountId}|${symbol}`;
    this.reservedQty.set(key, (this.reservedQty.get(key) ?? ZERO).plus(quantity));
  }

  /**
   * Books a fill exactly once: cash moves by −signed notional − fee, the position by the §6.2 table.
   * Returns undefined for a fill id already booked.
   */
  applyFill(fill: Fill, quote: string): PositionUpdate | undefined {
    if (this.fillIds.has(fill.fillId)) return undefined;
    this.fillIds.add(fill.fillId);
    this.fills.push(fill);
    this.newFills.push(fill);
    this.changedAccounts.add(fill.accountId);
    const notional = fill.quantity.times(fill.price);
    const cashDelta = (fill.side === 'buy' ? notional.negated() : notional).minus(fill.fee);
    this.accounts.set(fill.accountId, adjustCash(this.account(fill.accountId), quote, cashDelta));
    const update = applyFillToPosition(this.position(fill.accountId, fill.symbol), fill);
    this.positionsByAccount.get(fill.accountId)?.set(fill.symbol, update.position);
    this.changedPositions.add(update.position);
    return update;
  }

  /** Records a day trade (FINRA 4210) at `at`; the window of five trading days starts at `since`. */
  recordDayTrade(accountId: string, at: number, since: number, equity: Decimal): void {
    this.accounts.set(accountId, recordDayTrade(this.account(accountId), at, since, equity));
    this.changedAccounts.add(accountId);
  }

  fillsSince(accountId: string, since: number): Fill[] {
    return this.fills.filter((f) => f.accountId === accountId && f.ts >= since);
  }

  /** Equity and buying power, marking positions with `mark` (same-currency instruments only). */
  valuation(
    accountId: string,
    mark: (symbol: string) => Decimal | undefined,
  ): ReturnType<typeof valueAccount> {
    const account = this.account(accountId);
    const values = this.positions(accountId).map((p) => {
      const price = mark(p.symbol) ?? p.avgEntryPrice;
      return p.quantity.times(price);
    });
    return valueAccount(account, values);
  }

  /** What changed since the last call: accounts (cash, day trades), positions, new fills. */
  takeChanges(): { accounts: Account[]; positions: Position[]; fills: Fill[] } {
    const changes = {
      accounts: [...this.changedAccounts].map((id) => this.account(id)),
      positions: [...this.changedPositions],
      fills: this.newFills,
    };
    this.changedAccounts.clear();
    this.changedPositions.clear();
    this.newFills = [];
    return changes;
  }

  /** Restores a ledger's state (a restart resumes from a durable copy). */
  restore(state: {
    accounts: readonly Account[];
    positions: readonly Position[];
    fills: readonly Fill[];
  }): void {
    for (const account of state.accounts) this.accounts.set(account.id, account);
    for (const position of state.positions) {
      const byAccount = this.positionsByAccount.get(position.accountId) ?? new Map<string, Position>();
      byAccount.set(position.symbol, position);
      this.positionsByAccount.set(position.accountId, byAccount);
    }
    for (const fill of state.fills) {
      if (this.fillIds.has(fill.fillId)) continue;
      this.fillIds.add(fill.fillId);
      this.fills.push(fill);
    }
  }
}
