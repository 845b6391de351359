import type { Config } from '../config.js';
import type { PaperExchange } from './paper-exchange.js';

/** What a person sees at start: the venues, their accounts and fees, and a few live markets. */
export async function describeExchange(exchange: PaperExchange, config: Config): Promise<string> {
  const lines = [
    'agent-trading-server: paper exchange ready (offline, simulated money)',
    `  market data: ${config.paperFeed}${config.paperFeed === 'random' ? ` (seed ${config.paperSeed})` : ''}, clock: ${config.clock}`,
    '',
    '  venue           fees maker/taker bps   latency   accounts',
  ];
  for (const venue of exchange.venues) {
    const fees = `${venue.capabilities.fees.makerBps.toFixed()}/${venue.capabilities.fees.takerBps.toFixed()}`;
    const accounts = await venue.accounts();
    const latency =
      exchange.venues.length > 0
        ? `${venue.optionsFor(firstInstrument(exchange, venue)).latencySubmitMs} ms`
        : '';
    const summary = accounts
      .map((a) => `${a.accountId} (${a.type}, equity ${a.equity.toFixed(2)} ${a.currency})`)
      .join(', ');
    lines.push(`  ${venue.venue.padEnd(15)} ${fees.padEnd(22)} ${latency.padEnd(9)} ${summary}`);
  }
  lines.push('', '  symbol      venue           bid            ask');
  for (const venue of exchange.venues) {
    for (const symbol of (venue.capabilities.symbols ?? []).slice(0, 3)) {
      const book = venue.book(symbol);
      const places = exchange.instruments.get(symbol).tickSize.decimalPlaces();
      const bid = book?.bids[0]?.price.toFixed(places) ?? '-';
      const ask = book?.asks[0]?.price.toFixed(places) ?? '-';
      lines.push(`  ${symbol.padEnd(11)} ${venue.venue.padEnd(15)} ${bid.padEnd(14)} ${ask}`);
    }
  }
  if (lines.some((l) => l.endsWith(' -'))) {
    lines.push('  (- : no market data yet; the replay feed publishes its first bar a minute after start)');
  }
  lines.push('');
  return lines.join('\n');
}

function firstInstrument(
  exchange: PaperExchange,
  venue: PaperExchange['venues'][number],
): ReturnType<PaperExchange['instruments']['get']> {
  const symbol = venue.capabilities.symbols?.[0];
  if (symbol === undefined) throw new Error(`venue ${venue.venue} trades no bundled symbol`);
  return exchange.instruments.get(symbol);
}

/**
 * How to reach the running server: its endpoints, a client configuration that works as pasted,
 * and the MCP Inspector command. `firstKey` is the key created at this start, shown this once.
 */
export function connectionGuide(url: string, firstKey: { agentId: string; key: string } | undefined): string {
  const key = firstKey?.key ?? '<your API key>';
  const claude = {
    mcpServers: {
      trading: {
        command: 'npx',
        args: ['-y', 'mcp-remote', `${url}/mcp`, '--header', 'Authorization:${TRADING_API_KEY}'],
        env: { TRADING_API_KEY: `Bearer ${key}` },
      },
    },
  };
  const lines = [
    `  HTTP on ${url}`,
    `    MCP (Streamable HTTP)  ${url}/mcp`,
    `    MCP (legacy SSE)       ${url}/sse`,
    `    REST                   ${url}/api/v1   (OpenAPI: ${url}/api/v1/openapi.json)`,
    `    health / metrics       ${url}/health   ${url}/metrics`,
    `    capabilities / agents  ${url}/capabilities   ${url}/agents`,
    '',
  ];
  if (firstKey !== undefined) {
    lines.push(
      `  First start: an API key for the agent "${firstKey.agentId}" (shown once, only its hash is stored):`,
      '',
      `    ${firstKey.key}`,
      '',
      '  Every request but /health needs it: Authorization: Bearer <key>.',
      '  More keys: npm start -- keys create <agentId>; list and revoke with keys list / keys revoke.',
      '',
    );
  } else {
    lines.push('  API keys: npm start -- keys create <agentId> (keys list, keys revoke).', '');
  }
  lines.push(
    '  Claude Desktop (claude_desktop_config.json), through the mcp-remote bridge:',
    '',
    ...JSON.stringify(claude, null, 2)
      .split('\n')
      .map((l) => `    ${l}`),
    '',
    '  MCP Inspector:',
    `    npx @modelcontextprotocol/inspector --cli ${url}/mcp --method tools/list --header "Authorization: Bearer ${key}"`,
    '',
    '  Or serve one client over stdio instead: npm start -- --stdio (not while this server uses the same data folder).',
    '',
  );
  return lines.join('\n');
}

/** The real broker connections and their state at start: one line each, never a credential. */
export function describeConnections(
  connections: readonly { readonly venue: string; readonly kind: string; readonly mode: string }[],
  health: (venue: string) => { readonly status: string } | undefined,
): string {
  const real = connections.filter((c) => c.kind !== 'paper');
  if (real.length === 0) return '';
  const lines = ['  broker connection       kind     mode    status'];
  for (const c of real) {
    const status = health(c.venue)?.status ?? 'unknown';
    lines.push(`  ${c.venue.padEnd(23)} ${c.kind.padEnd(8)} ${c.mode.padEnd(7)} ${status}`);
  }
  lines.push('');
  return lines.join('\n');
}
