import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import type { Logger } from '../logger.js';
import type { CallContext, CallerAgent, ToolDeps, ToolDefinition } from './tool-kit.js';
import { toolsFor } from './tools.js';
import type { z } from 'zod';
import { errorBody, errorSchema, invalidArgument } from './wire.js';

export const SERVER_NAME = 'agent-trading-server';

const INSTRUCTIONS = `Trading execution server. Orders go to the venues listed by listVenues (the built-in paper exchange unless live brokers are configured).
Quantities and prices are exact decimals: send them as JSON strings ("0.0015", "187.42"); they come back as strings.
Give every order a clientOrderId and a reason: resending the same request with the same clientOrderId never places a second order.
A refused call returns isError with structuredContent.error { code, message, hint }: follow the hint.`;

/**
 * One MCP server instance for one caller: only the tools the agent's scopes allow are registered,
 * so a tool it may not call does not exist for it. Every failure the caller can act on is a tool
 * result with isError and the contract's error body; nothing else leaks (an unexpected failure is
 * INTERNAL, logged here with its cause).
 */
export function createMcpServer(
  deps: ToolDeps,
  caller: CallerAgent,
  options: { version: string; logger?: Logger },
): McpServer {
  const logger = options.logger;
  const server = new McpServer(
    { name: SERVER_NAME, version: options.version },
    { instructions: INSTRUCTIONS, capabilities: { tools: {} } },
  );
  for (const tool of toolsFor(caller)) register(server, tool, deps, caller, logger);
  return server;
}

function register(
  server: McpServer,
  tool: ToolDefinition,
  deps: ToolDeps,
  caller: CallerAgent,
  logger: Logger | undefined,
): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: advertised(tool.input),
      outputSchema: compact(tool.output),
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (args: unknown, ctx) => {
      try {
        const parsed = tool.input.safeParse(args ?? {});
        if (!parsed.success) throw invalidArgument(parsed.error.issues);
        const result = await tool.run(parsed.data, caller, deps, callContext(ctx));
        return {
          content: [{ type: 'text' as const, text: result.text }],
          structuredContent: result.structured as Record<string, unknown>,
        };
      } catch (error) {
        const body = errorBody(error);
        if (body.code === 'INTERNAL') logger?.error({ err: error, tool: tool.name }, 'tool failed');
        const structured = errorSchema.parse({ error: body });
        return {
          isError: true,
          content: [
            {
              type: 'text' as const,
              text: `${body.code}: ${body.message}${body.hint === undefined ? '' : ` ${body.hint}`}`,
            },
          ],
          structuredContent: structured,
        };
      }
    },
  );
}

/**
 * The tool's input schema as the SDK sees it: advertised in tools/list as is, but passing every
 * value through, so that the handler validates it and refuses bad input with the contract's
 * INVALID_ARGUMENT body (code, hint, field) instead of the SDK's plain-text error.
 */
function advertised(schema: z.ZodType) {
  const standard = compact(schema)['~standard'];
  return { '~standard': { ...standard, validate: (value: unknown) => ({ value }) } };
}

/** The schema with its JSON Schema form without the `$schema` line (tools/list stays small). */
function compact(schema: z.ZodType) {
  const standard = schema['~standard'];
  const strip = (convert: (o: Options) => Record<string, unknown>) => (options: Options) => {
    const { $schema: _dialect, ...rest } = convert(options);
    return rest;
  };
  return {
    '~standard': {
      version: 1 as const,
      vendor: standard.vendor,
      validate: standard.validate,
      jsonSchema: { input: strip(standard.jsonSchema.input), output: strip(standard.jsonSchema.output) },
    },
  };
}

type Options = Parameters<z.ZodType['~standard']['jsonSchema']['input']>[0];

/**
 * The call's cancellation signal, and progress reporting when the caller asked for it (a
 * progressToken in the request's _meta); a failed notification never fails the call.
 */
function callContext(ctx: ServerContext): CallContext {
  const token = ctx.mcpReq._meta?.progressToken;
  return {
    signal: ctx.mcpReq.signal,
    progress:
      token === undefined
        ? () => undefined
        : (progress, total, message) => {
            ctx.mcpReq
              .notify({
                method: 'notifications/progress',
                params: {
                  progressToken: token,
                  progress,
                  ...(total === undefined ? {} : { total }),
                  ...(message === undefined ? {} : { message }),
                },
              })
              .catch(() => undefined);
          },
  };
}
