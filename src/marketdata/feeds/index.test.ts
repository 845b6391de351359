import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import { RandomWalkFeed, ReplayFeed, ScriptedFeed, createFeed } from './index.js';

describe('createFeed', () => {
  it('builds the feed of each kind from its options', () => {
    const clock = new SimulatedClock();
    const instruments = [new InstrumentRegistry().get('AAPL')];
    const random = createFeed('random', { clock, instruments, seed: 1 });
    const replay = createFeed('replay', { clock, bars: [] });
    const scripted = createFeed('scripted', { clock });
    expect(random).toBeInstanceOf(RandomWalkFeed);
    expect(replay).toBeInstanceOf(ReplayFeed);
    expect(scripted).toBeInstanceOf(ScriptedFeed);
    expect([random.kind, replay.kind, scripted.kind]).toEqual(['random', 'replay', 'scripted']);
    expect(random.snapshot('AAPL')?.symbol).toBe('AAPL');
  });
});
