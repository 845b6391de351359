import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { HttpSurface } from './app.js';

export interface Listening {
  /** http://host:port, with the port actually bound (HTTP_PORT=0 picks one). */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the surface on host:port with Node's HTTP server; resolves once it listens. */
export function listen(surface: HttpSurface, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: surface.hono.fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off('error', reject);
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        close: async () => {
          await surface.close();
          await new Promise<void>((done) => {
            server.close(() => {
              done();
            });
            // Open SSE and keep-alive connections would hold close() forever.
            if ('closeAllConnections' in server) server.closeAllConnections();
          });
        },
      });
    });
    server.once('error', reject);
  });
}
