// The transport against the real servers: docker-registry offers h2 by ALPN (Go's TLS server
// does by default), notary-server does not; and a process ends once its client is closed.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExtraCas } from '../../src/http/client.js';
import { NodeTransport, type WireRequest } from '../../src/http/transport.js';
import { startSandbox, type Sandbox } from '../support/servers.js';

const run = promisify(execFile);
let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

function get(url: string): WireRequest {
  return {
    method: 'GET',
    url: new URL(url),
    headers: {},
    body: undefined,
    signal: new AbortController().signal,
    progress: {},
  };
}

describe('the real servers', () => {
  it('speaks HTTP/2 to the registry and HTTP/1.1 to notary-server, as each offers', async () => {
    const t = new NodeTransport({
      secureContext: withExtraCas([sb.caPem]),
      connectTimeoutMs: 10_000,
    });
    try {
      for (const url of [`${sb.registry.url}/v2/`, `${sb.notary.url}/_notary_server/health`]) {
        const res = await t.send(get(url));
        expect(res.status).toBe(200);
        for await (const chunk of res.body) expect(chunk).toBeInstanceOf(Buffer);
      }
      expect(t.protocol(sb.registry.url)).toBe('HTTP/2');
      expect(t.protocol(sb.notary.url)).toBe('HTTP/1.1');
    } finally {
      await t.close();
    }
  });

  it('a process whose client is closed exits, its work done', async () => {
    // Bundled as the action is, not through a loader: the exit comes as in a user's run.
    const dir = await mkdtemp(join(tmpdir(), 'dct-exit-'));
    try {
      const client = new URL('../../src/http/client.ts', import.meta.url).pathname;
      await writeFile(
        join(dir, 'entry.ts'),
        [
          `import { HttpClient } from ${JSON.stringify(client)};`,
          `const c = new HttpClient({ caPem: process.env.CA });`,
          `const r = await c.request({ method: 'GET', url: process.env.URL });`,
          `await c.close();`,
          `console.log(r.status, 'closed');`,
        ].join('\n'),
      );
      await build({
        entryPoints: [join(dir, 'entry.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: join(dir, 'entry.mjs'),
        logLevel: 'error',
      });
      const env = { ...process.env, CA: sb.caPem, URL: `${sb.registry.url}/v2/` };
      // Several times: the failure this guards against (the process leaving while the HTTP/2
      // session closes, exit code 13) came one run in two.
      for (let i = 0; i < 6; i++) {
        const { stdout } = await run(process.execPath, [join(dir, 'entry.mjs')], {
          env,
          timeout: 30_000,
        });
        expect(stdout.trim()).toBe('200 closed');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
