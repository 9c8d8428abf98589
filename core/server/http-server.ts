import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvent, ApiResponse } from '../api/contract';
import { dispatch } from '../api/methods';
import type { Service } from '../service';
import { resolveStatic } from './static-files';
import { tokenMatches } from './token';

export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Content-Security-Policy for the served renderer: same origin only, nothing inline. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface HeadlessServerOptions {
  service: Service;
  token: string;
  host: string;
  port: number;
  /** Folder of the built renderer; when it has no index.html a plain page explains how to build it. */
  rendererDir: string;
}

export interface HeadlessServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Serves the renderer and the service API over HTTP + WebSocket. Every API request needs the token; the
 * Host header must name the address we listen on, so a web page elsewhere cannot reach us by DNS rebinding.
 */
export async function startHeadlessServer(opts: HeadlessServerOptions): Promise<HeadlessServer> {
  const { service, token } = opts;
  const sockets = new Set<net.Socket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  let allowedHosts = new Set<string>();

  const hostAllowed = (req: http.IncomingMessage): boolean => allowedHosts.has('*') || allowedHosts.has((req.headers.host ?? '').toLowerCase());
  const bearer = (req: http.IncomingMessage): string | undefined => {
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!hostAllowed(req)) return send(403, { ok: false, error: { code: 'API_BAD_HOST', message: 'This address is not served here.' } });
    const url = new URL(req.url ?? '/', 'http://localhost');

    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(token, bearer(req))) {
        return send(401, { ok: false, error: { code: 'API_UNAUTHORIZED', message: 'A valid token is required (Authorization: Bearer <token>).' } });
      }
      if (url.pathname !== '/api/call') return send(404, { ok: false, error: { code: 'API_NOT_FOUND', message: 'No such endpoint.' } });
      if (req.method !== 'POST') return send(405, { ok: false, error: { code: 'API_METHOD_NOT_ALLOWED', message: 'Use POST.' } }, { allow: 'POST' });
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > MAX_REQUEST_BYTES) {
        send(413, { ok: false, error: { code: 'API_TOO_LARGE', message: `Requests are limited to ${MAX_REQUEST_BYTES} bytes.` } }, { connection: 'close' });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES && !refused) {
          refused = true;
          send(413, { ok: false, error: { code: 'API_TOO_LARGE', message: `Requests are limited to ${MAX_REQUEST_BYTES} bytes.` } }, { connection: 'close' });
          req.destroy();
        } else if (!refused) chunks.push(chunk);
      });
      req.on('end', () => {
        if (refused) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(400, { ok: false, error: { code: 'API_BAD_JSON', message: 'The request body is not valid JSON.' } });
        }
        void dispatch(service.handlers, body).then((response: ApiResponse) => send(response.ok ? 200 : 400, response));
      });
      req.on('error', () => undefined);
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { ok: false, error: { code: 'API_METHOD_NOT_ALLOWED', message: 'Use GET.' } });
    const hit = resolveStatic(opts.rendererDir, url.pathname);
    const securityHeaders = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (!hit) {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...securityHeaders });
        return res.end(
          '<!doctype html><meta charset="utf-8"><title>ReplicaDesk</title><h1>ReplicaDesk is running</h1>' +
            '<p>The service and its API are up, but the user interface has not been built. Run <code>npm run build</code> and reload.</p>',
        );
      }
      return send(404, { ok: false, error: { code: 'NOT_FOUND', message: 'Not found.' } });
    }
    res.writeHead(200, { 'content-type': hit.type, 'cache-control': hit.file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600', ...securityHeaders });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(hit.file).on('error', () => res.destroy()).pipe(res);
  });

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req)) return refuse('403 Forbidden');
    // Browsers cannot set headers on a WebSocket, so the token may also come as a query parameter.
    if (!tokenMatches(token, bearer(req) ?? url.searchParams.get('token'))) return refuse('401 Unauthorized');
    if (url.pathname !== '/api/events') return refuse('404 Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const listener = (event: ApiEvent) => {
      // A client that cannot keep up is dropped rather than buffered without bound.
      if (ws.bufferedAmount > 8 * 1024 * 1024) return ws.terminate();
      ws.send(JSON.stringify(event));
    };
    service.events.on('event', listener);
    ws.on('close', () => service.events.off('event', listener));
    ws.on('error', () => ws.terminate());
    // The event socket is one-way; anything a client sends is ignored.
    ws.on('message', () => undefined);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  allowedHosts = new Set([`${hostForUrl}:${address.port}`.toLowerCase(), `localhost:${address.port}`]);
  if (address.address === '127.0.0.1') allowedHosts.add(`[::1]:${address.port}`);
  // Listening beyond loopback is an explicit choice (--listen); then any Host name is accepted.
  if (!isLoopback(opts.host)) allowedHosts.add('*');

  return {
    url: `http://${hostForUrl}:${address.port}/`,
    port: address.port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
