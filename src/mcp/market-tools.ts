/** Market data and paper-market tools: getBars, simulateMarket. */
import type { ToolDefinition } from './tool-kit.js';

export const MARKET_TOOLS: readonly ToolDefinition[] = [];
