import type { CallerAgent } from '../mcp/tool-kit.js';

/** What the HTTP middleware puts on every request's context. */
export interface AppEnv {
  Variables: {
    /** The id of this request, echoed in the X-Request-Id response header and in every log line. */
    requestId: string;
    /** The authenticated agent (set on every route but /health and the public documents). */
    caller: CallerAgent;
  };
}
