import type { Broker } from '../brokers/broker.js';
import type { Decimal } from '../domain/decimal.js';

/** The mark (ORDER-SEMANTICS.md §6.2): the mid of the first venue with a two-sided book, else its last trade. */
export function markOf(brokers: Iterable<Pick<Broker, 'book'>>, symbol: string): Decimal | undefined {
  for (const broker of brokers) {
    const book = broker.book(symbol);
    const bid = book?.bids[0]?.price;
    const ask = book?.asks[0]?.price;
    if (bid !== undefined && ask !== undefined) return bid.plus(ask).div(2);
    if (book?.last !== undefined) return book.last;
  }
  return undefined;
}
