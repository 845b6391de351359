import { describe, expect, it } from 'vitest';
import { RandomIds } from './ids.js';

describe('RandomIds', () => {
  it('answers distinct ids of the documented shape across many refills of the random pool', () => {
    const ids = new RandomIds(() => 1_700_000_000_000);
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      for (const id of [ids.orderId(), ids.clientOrderId(), ids.eventId()]) {
        expect(id).toMatch(/^(ord_|c|evt_)[0-9a-z]{21}$/);
        expect(id.length).toBeLessThanOrEqual(36);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(15_000);
  });

  it('sorts by creation time: the millisecond prefix comes first', () => {
    let now = 1_700_000_000_000;
    const ids = new RandomIds(() => now);
    const earlier = ids.orderId();
    now += 1;
    const later = ids.orderId();
    expect(earlier < later).toBe(true);
    expect(earlier.slice(4, 13)).toBe((1_700_000_000_000).toString(36).padStart(9, '0'));
  });
});
