import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceTemplate,
  type ServerContext,
  acceptedContent,
  inputRequired,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { isTradingError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { listing } from './listing.js';
import { type ResourceChanges, readResource, resourcesFor } from './resources.js';
import type { CallContext, CallerAgent, ToolDeps, ToolDefinition } from './tool-kit.js';
import { TOOLS, toolsFor } from './tools.js';
import { errorBody, errorSchema, parseToolInput } from './wire.js';

export const SERVER_NAME = 'agent-trading-server';

const INSTRUCTIONS = `Trading execution server. Orders go to the venues listed by listVenues (the built-in paper exchange unless live brokers are configured).
Quantities and prices are exact decimals: send them as JSON strings ("0.0015", "187.42"); they come back as strings.
Give every order a clientOrderId and a reason: resending the same request with the same clientOrderId never places a second order.
A refused call returns isError with structuredContent.error { code, message, hint }: follow the hint.`;

export interface McpServerOptions {
  readonly version: string;
  readonly logger?: Logger;
  /**
   * The core's resource change feed. Given for a server that lives as long as its connection
   * (stdio, legacy SSE, in-memory): it then sends notifications/resources/updated for what the
   * client subscribed to. A per-request HTTP instance leaves this out: the HTTP handler's own
   * subscriptions/listen streams carry the changes.
   */
  readonly changes?: ResourceChanges | Promise<ResourceChanges>;
  /** The era the instance serves (the SDK's factory context); a modern connection filters itself. */
  readonly era?: 'legacy' | 'modern';
}

/**
 * One MCP server instance for one caller. Every tool is registered, but tools/list shows only
 * those the agent's scopes allow, and calling any other answers FORBIDDEN: a tool it may not call
 * does not exist for it, and a direct call says why. Every failure the caller can act on is a tool
 * result with isError and the contract's error body; nothing else leaks (an unexpected failure is
 * INTERNAL, logged here with its cause). Resources follow the same scopes.
 */
export function createMcpServer(
  deps: ToolDeps | Promise<ToolDeps>,
  caller: CallerAgent,
  options: McpServerOptions,
): McpServer {
  const logger = options.logger;
  const server = new McpServer(
    { name: SERVER_NAME, version: options.version },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: { subscribe: true } } },
  );
  // While the core is still starting (stdio answers tools/list at once), every tool is assumed available.
  const allowed = toolsFor(caller, deps instanceof Promise ? undefined : deps);
  for (const tool of TOOLS) {
    if (allowed.includes(tool)) register(server, tool, deps, caller, logger);
    else registerForbidden(server, tool, caller);
  }
  server.server.setRequestHandler('tools/list', () => ({ tools: [...listing(allowed)] }));
  registerResources(server, deps, caller, options);
  return server;
}

function registerForbidden(server: McpServer, tool: ToolDefinition, caller: CallerAgent): void {
  server.registerTool(tool.name, { description: tool.description, inputSchema: PASS_ANYTHING }, () => {
    const scoped = caller.scopes.has(tool.scope) || caller.scopes.has('admin');
    const body = scoped
      ? {
          code: 'FORBIDDEN' as const,
          message: `${tool.name} is not available on this server's venues.`,
          hint: 'Use the tools that tools/list shows you.',
        }
      : {
          code: 'FORBIDDEN' as const,
          message: `Agent ${caller.id} may not call ${tool.name}: it needs the ${tool.scope} scope.`,
          hint: 'Use the tools that tools/list shows you, or ask the operator for a key of an agent with that scope.',
        };
    return {
      isError: true,
      content: [{ type: 'text' as const, text: `${body.code}: ${body.message}` }],
      structuredContent: { error: body },
    };
  });
}

/** The answer of the elicitation the server asked, when this call is its retry. */
const CONFIRM_KEY = 'confirm';
const confirmSchema = z.object({
  confirm: z.boolean().describe('Place this order?'),
});

/** Whether the client declared elicitation: per request (2026-07-28) or at initialize (2025 era). */
function canElicit(server: McpServer, ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined;
  const declared =
    (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ??
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- a 2025-era connection's initialize-scoped capabilities have no other accessor
    server.server.getClientCapabilities();
  return declared?.elicitation !== undefined;
}

function confirmationOf(ctx: ServerContext): 'accepted' | 'declined' | undefined {
  const responses = ctx.mcpReq.inputResponses;
  if (responses === undefined || !(CONFIRM_KEY in responses)) return undefined;
  return acceptedContent(responses, CONFIRM_KEY, confirmSchema)?.confirm === true ? 'accepted' : 'declined';
}

function register(
  server: McpServer,
  tool: ToolDefinition,
  deps: ToolDeps | Promise<ToolDeps>,
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
      const confirmation = confirmationOf(ctx);
      try {
        const parsed = parseToolInput(tool.input, args ?? {});
        const result = await tool.run(parsed, caller, await deps, callContext(ctx, confirmation));
        return {
          content: [{ type: 'text' as const, text: result.text }],
          structuredContent: result.structured as Record<string, unknown>,
        };
      } catch (error) {
        if (
          isTradingError(error, 'CONFIRMATION_REQUIRED') &&
          confirmation === undefined &&
          canElicit(server, ctx)
        ) {
          // The client can ask its person: do that instead of handing the agent a token.
          return inputRequired({
            inputRequests: {
              [CONFIRM_KEY]: inputRequired.elicit({ message: error.message, requestedSchema: confirmSchema }),
            },
          });
        }
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
 * The resources the caller may read, and, for a server that lives as long as its connection,
 * notifications of their changes: on a 2025-era connection for the URIs the client subscribed to
 * (resources/subscribe), on a modern one for every change (the SDK's listen router filters them
 * by the client's subscriptions/listen filter).
 */
function registerResources(
  server: McpServer,
  deps: ToolDeps | Promise<ToolDeps>,
  caller: CallerAgent,
  options: McpServerOptions,
): void {
  for (const resource of resourcesFor(caller)) {
    const read = async (uri: URL, variables: Readonly<Record<string, string>>) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: await readResource(resource, variables, caller, await deps),
        },
      ],
    });
    const metadata = {
      title: resource.title,
      description: resource.description,
      mimeType: 'application/json',
    };
    if (resource.uri.includes('{')) {
      server.registerResource(
        resource.name,
        new ResourceTemplate(resource.uri, { list: undefined }),
        metadata,
        (uri, variables) => read(uri, stringVariables(variables)),
      );
    } else {
      server.registerResource(resource.name, resource.uri, metadata, (uri) => read(uri, {}));
    }
  }
  const subscribed = new Set<string>();
  server.server.setRequestHandler('resources/subscribe', (request) => {
    if (options.changes === undefined && options.era !== 'modern') {
      // A stateless per-request instance (2025-era Streamable HTTP) is gone after this answer.
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        'Resource subscriptions need a lasting connection: use the legacy SSE endpoint (/sse), stdio, or a 2026-07-28 client (subscriptions/listen on /mcp).',
      );
    }
    subscribed.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });
  if (options.changes === undefined) return;
  const modern = options.era === 'modern';
  let off: (() => void) | undefined;
  let closed = false;
  void Promise.resolve(options.changes).then(
    (changes) => {
      if (closed) return;
      off = changes.onChange((uris) => {
        for (const uri of uris) {
          if (!modern && !subscribed.has(uri)) continue;
          server.server.sendResourceUpdated({ uri }).catch(() => undefined);
        }
      });
    },
    () => undefined,
  );
  const previous = server.server.onclose;
  server.server.onclose = () => {
    closed = true;
    off?.();
    previous?.();
  };
}

function stringVariables(variables: Readonly<Record<string, string | string[]>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
  );
}

/** An input schema that lets any arguments through (a forbidden tool answers FORBIDDEN whatever they are). */
const PASS_ANYTHING = {
  '~standard': {
    version: 1 as const,
    vendor: 'agent-trading-server',
    validate: (value: unknown) => ({ value }),
    jsonSchema: { input: () => ({ type: 'object' }), output: () => ({ type: 'object' }) },
  },
};

/**
 * The tool's input schema as the SDK sees it: advertised in tools/list as is, but passing every
 * value through, so that the handler validates it and refuses bad input with the contract's
 * INVALID_ARGUMENT body (code, hint, field) instead of the SDK's plain-text error.
 */
function advertised(schema: z.ZodType) {
  const standard = compact(schema)['~standard'];
  return { '~standard': { ...standard, validate: (value: unknown) => ({ value }) } };
}

/**
 * JSON Schema forms already made, by schema, direction and options. Streamable HTTP builds a server
 * per request, and the SDK converts each tool's output schema again for every new server.
 */
const converted = new WeakMap<z.ZodType, Map<string, Record<string, unknown>>>();

/** The schema with its JSON Schema form without the `$schema` line (tools/list stays small). */
function compact(schema: z.ZodType) {
  const standard = schema['~standard'];
  const strip =
    (io: 'input' | 'output', convert: (o: Options) => Record<string, unknown>) => (options: Options) => {
      let forms = converted.get(schema);
      if (forms === undefined) {
        forms = new Map();
        converted.set(schema, forms);
      }
      const key = `${io} ${JSON.stringify(options)}`;
      let form = forms.get(key);
      if (form === undefined) {
        const { $schema: _dialect, ...rest } = convert(options);
        form = rest;
        forms.set(key, form);
      }
      return form;
    };
  return {
    '~standard': {
      version: 1 as const,
      vendor: standard.vendor,
      validate: standard.validate,
      jsonSchema: {
        input: strip('input', standard.jsonSchema.input),
        output: strip('output', standard.jsonSchema.output),
      },
    },
  };
}

type Options = Parameters<z.ZodType['~standard']['jsonSchema']['input']>[0];

/**
 * The call's cancellation signal, and progress reporting when the caller asked for it (a
 * progressToken in the request's _meta); a failed notification never fails the call.
 */
function callContext(ctx: ServerContext, confirmation: 'accepted' | 'declined' | undefined): CallContext {
  const token = ctx.mcpReq._meta?.progressToken;
  return {
    signal: ctx.mcpReq.signal,
    progressRequested: token !== undefined,
    ...(confirmation === undefined ? {} : { confirmation }),
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
