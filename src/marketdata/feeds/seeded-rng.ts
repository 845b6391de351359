import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Uniform integers from one deterministic stream. */
export interface Rng {
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
}

/**
 * xoroshiro128+ seeds its state directly from the 32-bit seed, so nearby seeds start with nearby
 * outputs; the first draws are discarded to let the state mix.
 */
const WARM_UP_DRAWS = 32;

/**
 * One independent stream per (seed, key), e.g. per symbol: a symbol's stream depends only on the seed
 * and its own name, so adding or removing another symbol never changes it.
 */
export function streamFor(seed: number, key: string): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`The seed must be a safe integer, got ${seed}.`);
  const high = Math.floor(seed / 2 ** 32);
  const mixed = fmix32(fmix32(seed >>> 0) ^ fmix32(high ^ fnv1a(key)));
  const rng: RandomGenerator = xoroshiro128plus(mixed);
  for (let i = 0; i < WARM_UP_DRAWS; i++) rng.next();
  return { int: (from, to) => uniformInt(rng, from, to) };
}

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a name. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
