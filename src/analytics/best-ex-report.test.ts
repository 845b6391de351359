import { describe, expect, it } from 'vitest';
import { T0 } from '../domain/test-support.js';
import { CSV_COLUMNS, csvField, renderBestExCsv, renderBestExMarkdown } from './best-ex-report.js';
import { metricsRow } from './test-support.js';

describe('best-execution report', () => {
  const rows = [
    metricsRow({ orderId: 'o1', slippageBps: '1.5', arrivalPrice: '99.985', latencyMs: 12, fees: '0.05' }),
    metricsRow({
      orderId: 'o2',
      venue: 'venue-b',
      symbol: 'MSFT',
      slippageBps: '-2',
      implementationShortfall: '-2',
    }),
    metricsRow({
      orderId: 'o3',
      symbol: 'BTC/USD',
      slippageBps: '7.25',
      quantity: '2',
      filledQty: '1',
      fillRate: '0.5',
    }),
    metricsRow({ orderId: 'o4', venue: 'odd|venue', slippageBps: null }),
  ];

  it('renders Markdown: title, per-venue and per-symbol tables, the worst orders by slippage', () => {
    const md = renderBestExMarkdown({ date: '2026-03-04', rows, filters: { venue: 'venue-a' } });
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Best execution report: 2026-03-04 (UTC)');
    expect(md).toContain('Filters: venue venue-a.');
    expect(md).toContain('## Per venue');
    expect(md).toContain('## Per symbol');
    expect(md).toContain('## Worst 10 orders by slippage');
    expect(lines).toContain(
      '| Venue | Orders | Fill rate | Avg slippage (bps) | Price improvement (bps) | Impl. shortfall | Avg latency (ms) |',
    );
    // venue-a: o1 and o3 (notional 1000 and 100): (1.5 × 1000 + 7.25 × 100) / 1100 = 2.0227…;
    // all: (1500 − 2000 + 725) / 2100 = 0.10714…
    expect(lines).toContain('| venue-a | 2 | 75% | 2.0227 | - | 0 | 12 |');
    expect(lines).toContain('| odd\\|venue | 1 | 100% | - | - | 0 | - |');
    expect(lines).toContain('| **All** | 4 | 87.5% | 0.1071 | - | -2 | 12 |');
    expect(lines).toContain('| BTC/USD | 1 | 50% | 7.25 | - | 0 | - |');
    const worst = lines
      .slice(lines.indexOf('## Worst 10 orders by slippage') + 4)
      .filter((l) => l.startsWith('|'));
    expect(worst.map((l) => l.split(' | ')[0])).toEqual(['| o3', '| o1', '| o2']);
    expect(worst[0]).toBe('| o3 | venue-a | BTC/USD | buy | 1 / 2 | 100 | - | 7.25 | - |');
  });

  it('says so when the day has no executions', () => {
    const md = renderBestExMarkdown({ date: '2026-03-05', rows: [] });
    expect(md).toBe(
      '# Best execution report: 2026-03-05 (UTC)\n\nNo executions were recorded on this day.\n',
    );
  });

  it('renders CSV: a header, one row per order, RFC 4180 quoting and CRLF line ends', () => {
    const csv = renderBestExCsv([
      metricsRow({
        orderId: 'o1',
        agentId: 'desk "alpha", 2',
        slippageBps: '1.5',
        arrivalPrice: '99.985',
        latencyMs: 12,
        completedAt: T0,
      }),
      metricsRow({ orderId: 'o2', agentId: 'two\nlines', avgFillPrice: null, filledQty: '0', fillRate: '0' }),
    ]);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, first] = csv.split('\r\n');
    expect(header).toBe(CSV_COLUMNS.join(','));
    expect(first).toBe(
      `o1,${new Date(T0).toISOString()},venue-a,acc-1,"desk ""alpha"", 2",AAPL,buy,market,filled,10,10,100,0,99.985,1.5,,,1,12,`,
    );
    expect(csv).toContain(',"two\nlines",AAPL,buy,market,filled,10,0,,0,,,,,0,,\r\n');
    expect(renderBestExCsv([])).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('quotes exactly the fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('')).toBe('');
  });
});
