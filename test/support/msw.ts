/**
 * One msw server for a test file: listening before its tests, handlers reset after each, closed
 * after all. Every request without a handler fails the test, except loopback ones when asked
 * (a real WebSocket beside the mocked HTTP, which msw would otherwise see as an unhandled request).
 */
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export function useMockServer(options: { readonly passLoopback?: boolean } = {}): SetupServer {
  const server = setupServer();
  beforeAll(() => {
    server.listen({
      onUnhandledRequest:
        options.passLoopback === true
          ? (request, print) => {
              if (new URL(request.url).hostname !== '127.0.0.1') print.error();
            }
          : 'error',
    });
  });
  afterEach(() => {
    server.resetHandlers();
  });
  afterAll(() => {
    server.close();
  });
  return server;
}
