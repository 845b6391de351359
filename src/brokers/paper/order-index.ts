import btree from 'sorted-btree';

// sorted-btree is CommonJS with an ES-style default export: under Node's ESM interop the class is
// `.default`; under a CommonJS loader (some test transforms) the import is the class itself.
type BTreeClass = typeof btree.default;
const BTree = ((btree as { default?: BTreeClass }).default ?? btree) as BTreeClass;

/** A key ordering orders by an integer rank (tick count, possibly negated) and then by priority. */
interface Key {
  readonly rank: number;
  readonly seq: number;
}

const compare = (a: Key, b: Key): number => a.rank - b.rank || a.seq - b.seq;

/**
 * Orders sorted best first by an integer rank then by time priority, in O(log n). Ranks are
 * integer tick counts (exact: prices on the tick are integers in tick units), never binary
 * fractions; callers negate the rank where a higher price is better.
 */
export class OrderIndex<T> {
  private readonly tree = new BTree<Key, T>(undefined, compare);
  private readonly keys = new Map<T, Key>();
  /** The best entry, kept current on every change: most updates ask only for it. */
  private head: { key: Key; item: T } | undefined;
  private headStale = false;

  get size(): number {
    return this.keys.size;
  }

  has(item: T): boolean {
    return this.keys.has(item);
  }

  set(item: T, rank: number, seq: number): void {
    this.delete(item);
    const key = { rank, seq };
    this.keys.set(item, key);
    this.tree.set(key, item);
    if (!this.headStale && (this.head === undefined || compare(key, this.head.key) < 0))
      this.head = { key, item };
  }

  delete(item: T): boolean {
    const key = this.keys.get(item);
    if (key === undefined) return false;
    this.keys.delete(item);
    this.tree.delete(key);
    if (this.head?.item === item) this.headStale = true;
    return true;
  }

  private top(): { key: Key; item: T } | undefined {
    if (this.headStale) {
      const key = this.tree.minKey();
      const item = key === undefined ? undefined : this.tree.get(key);
      this.head = key === undefined || item === undefined ? undefined : { key, item };
      this.headStale = false;
    }
    return this.head;
  }

  /** The best item, or undefined when empty. */
  best(): T | undefined {
    return this.top()?.item;
  }

  /** The best item's rank, or undefined when empty. */
  bestRank(): number | undefined {
    return this.top()?.key.rank;
  }

  /** Items with rank at most `maxRank`, best first (a copy: safe to mutate the index while using it). */
  upTo(maxRank: number): T[] {
    // Most updates reach nothing: answer from the minimum key without building an iterator.
    const min = this.top()?.key;
    if (min === undefined || min.rank > maxRank) return [];
    const out: T[] = [];
    for (const [key, item] of this.tree.entries()) {
      if (key.rank > maxRank) break;
      out.push(item);
    }
    return out;
  }

  /** Every item, best first. */
  all(): T[] {
    return [...this.tree.values()];
  }
}
