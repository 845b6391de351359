/**
 * Intraday volume profiles for VWAP weights. Pure: luxon only converts epoch milliseconds to the
 * exchange's wall clock (its zone rules give the DST changes).
 */
import { DateTime } from 'luxon';

export interface VolumeProfile {
  /** IANA zone of the session's wall clock. */
  readonly zone: string;
  readonly openHour: number;
  readonly openMinute: number;
  readonly bucketMs: number;
  /** Share of a session's volume per bucket from the open; any positive scale. */
  readonly weights: readonly number[];
}

/**
 * A stylised U-shaped US equity day: 13 half-hour buckets from 09:30 to 16:00 New York time, in percent
 * of the day's volume (heavy open, quiet midday, heaviest close, as published intraday profiles show).
 * An assumption, not fitted data: callers with an instrument's own history should pass its weights.
 */
export const US_EQUITY_VOLUME_PROFILE: VolumeProfile = {
  zone: 'America/New_York',
  openHour: 9,
  openMinute: 30,
  bucketMs: 30 * 60_000,
  weights: [12, 9, 7.5, 6.5, 6, 5.5, 5.5, 5.5, 6, 6.5, 7.5, 9, 13.5],
};

/** The session opens of every local day that [from, to) touches. */
function sessionOpens(from: number, to: number, profile: VolumeProfile): number[] {
  const opens: number[] = [];
  let day = DateTime.fromMillis(from, { zone: profile.zone }).startOf('day');
  while (day.toMillis() < to) {
    opens.push(day.set({ hour: profile.openHour, minute: profile.openMinute }).toMillis());
    day = day.plus({ days: 1 });
  }
  return opens;
}

/** Profile volume from the start of the sessions up to time t (piecewise linear within a bucket). */
function volumeUpTo(t: number, opens: readonly number[], profile: VolumeProfile): number {
  const { bucketMs, weights } = profile;
  let volume = 0;
  for (const open of opens) {
    for (let j = 0; j < weights.length; j++) {
      const part = (t - open - j * bucketMs) / bucketMs;
      volume += (weights[j] ?? 0) * (part >= 1 ? 1 : part > 0 ? part : 0);
    }
  }
  return volume;
}

/**
 * The weights of `buckets` equal buckets over [start, start + horizonMs): each bucket's share of the
 * profile's volume (partial profile buckets count pro rata). Every day counts as a session day (no
 * holiday calendar here). A horizon entirely outside the session (crypto at night, a weekend) gets
 * equal weights, so VWAP degrades to TWAP rather than failing.
 */
export function weightsForHorizon(
  start: number,
  horizonMs: number,
  buckets: number,
  profile: VolumeProfile = US_EQUITY_VOLUME_PROFILE,
): number[] {
  const count = Math.max(1, Math.floor(buckets));
  const opens = sessionOpens(start, start + horizonMs, profile);
  const edges = Array.from({ length: count + 1 }, (_, k) =>
    volumeUpTo(start + (k * horizonMs) / count, opens, profile),
  );
  const weights = edges.slice(1).map((edge, k) => Math.max(0, edge - (edges[k] ?? 0)));
  return weights.some((w) => w > 0) ? weights : weights.map(() => 1);
}
