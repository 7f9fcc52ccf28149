// The page's origin: a static server on 127.0.0.1 that serves onnxruntime-web's own dist files, the
// compiled page script with the lts modules it imports, and each candidate's model bytes. Every reply
// carries COOP/COEP, without which the page is not cross-origin isolated, SharedArrayBuffer is absent
// and onnxruntime-web silently drops to one wasm thread.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { packageDir, packageRoot } from '../../util/package.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Which onnxruntime-web build the page imports: the plain wasm one, or the one with the WebGPU provider. */
export type OrtBundle = 'wasm' | 'webgpu';
const BUNDLES: Record<OrtBundle, string> = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };

function pageHtml(bundle: OrtBundle): string {
  const imports = {
    'onnxruntime-web': `/ort/${BUNDLES[bundle]}`,
    'simple-statistics': '/npm/simple-statistics.mjs',
  };
  return `<!doctype html><meta charset="utf-8"><title>lts</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module" src="/lts/src/profile/browser/page.js"></script>
`;
}

export interface PageServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Serves `files` under /m/<id>/<name> until the returned function is called. */
  publish(id: string, files: Record<string, Uint8Array>): () => void;
  /** The .wasm files the pages fetched (onnxruntime-web picks one per build and feature set). */
  wasmFetched: Set<string>;
  close(): Promise<void>;
}

/** A path under `root` for a request path, or undefined for anything that would leave it. */
function inside(root: string, rel: string): string | undefined {
  const p = normalize(join(root, decodeURIComponent(rel)));
  return p.startsWith(root + '/') ? p : undefined;
}

export async function startPageServer(): Promise<PageServer> {
  const ortDist = join(packageDir('onnxruntime-web'), 'dist');
  const ltsDist = join(packageRoot(), 'dist');
  const stats = join(packageDir('simple-statistics'), 'dist', 'simple-statistics.mjs');
  const models = new Map<string, Uint8Array>();
  const wasmFetched = new Set<string>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const send = (status: number, body: Uint8Array | string, type = 'text/plain; charset=utf-8'): void => {
        res.writeHead(status, { ...ISOLATION, 'Content-Type': type });
        res.end(body);
      };
      try {
        if (path === '/page.html') return send(200, pageHtml(url.searchParams.get('bundle') === 'webgpu' ? 'webgpu' : 'wasm'), TYPES['.html']);
        if (path.startsWith('/m/')) {
          const body = models.get(path);
          return body ? send(200, body, 'application/octet-stream') : send(404, 'no such model');
        }
        let file: string | undefined;
        if (path === '/npm/simple-statistics.mjs') file = stats;
        else if (path.startsWith('/ort/')) file = inside(ortDist, path.slice(5));
        // Only compiled sources: the page imports lts modules that run unchanged in a browser.
        else if (path.startsWith('/lts/src/') && path.endsWith('.js')) file = inside(ltsDist, path.slice(5));
        if (!file) return send(404, 'not found');
        const body = await readFile(file);
        if (file.endsWith('.wasm')) wasmFetched.add(path.slice(path.lastIndexOf('/') + 1));
        send(200, body, TYPES[extname(file)] ?? 'application/octet-stream');
      } catch (e) {
        send((e as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500, String((e as Error).message));
      }
    })();
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  // Model transfers must not keep a finished search alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    wasmFetched,
    publish(id, files) {
      const keys = Object.entries(files).map(([name, bytes]) => {
        const key = `/m/${id}/${name}`;
        models.set(key, bytes);
        return key;
      });
      return () => keys.forEach((k) => models.delete(k));
    },
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
