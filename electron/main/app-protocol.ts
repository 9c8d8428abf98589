import fs from 'node:fs';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { APP_SCHEME, appRequestPath } from '../../core/desktop/app-url';
import { CSP } from '../../core/server/http-server';
import { resolveStatic } from '../../core/server/static-files';

/** Must run before app 'ready': app:// behaves like https (a secure origin with its own storage). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } }]);
}

/**
 * Serves the built renderer on app://replicadesk/ with the same resolver and CSP as headless mode, so both
 * transports show the same files under the same policy.
 */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' };
    const urlPath = request.method === 'GET' ? appRequestPath(request.url) : undefined;
    const hit = urlPath === undefined ? undefined : resolveStatic(rendererDir, urlPath);
    if (!hit) return new Response('Not found', { status: 404, headers });
    const body = Readable.toWeb(fs.createReadStream(hit.file)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers: { ...headers, 'content-type': hit.type } });
  });
}
