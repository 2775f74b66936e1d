import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpError } from '../../src/http/client.js';
import { NotaryClient, gunPath, trustServerFor } from '../../src/notary/client.js';
import { parseImageRef } from '../../src/registry/reference.js';
import {
  json,
  makePki,
  startFakeServer,
  type FakeServer,
  type TestPki,
} from '../http/fake-server.js';

describe('trustServerFor', () => {
  it('defaults to notary.docker.io for Docker Hub and to the registry host otherwise', () => {
    expect(trustServerFor(parseImageRef('alpine:3'))).toBe('https://notary.docker.io');
    expect(trustServerFor(parseImageRef('index.docker.io/u/a:1'))).toBe('https://notary.docker.io');
    expect(trustServerFor(parseImageRef('reg.io:5000/a:1'))).toBe('https://reg.io:5000');
  });

  it('takes an explicit https URL without its trailing slash', () => {
    const ref = parseImageRef('alpine:3');
    expect(trustServerFor(ref, 'https://notary.example:4443/')).toBe('https://notary.example:4443');
    expect(trustServerFor(ref, ' https://n.example/prefix// ')).toBe('https://n.example/prefix');
    expect(trustServerFor(ref, '')).toBe('https://notary.docker.io');
  });

  it.each(['http://notary.example', 'notary.example:4443', 'https://', 'https://u:p@n.example'])(
    'refuses %s',
    (given) => {
      expect(() => trustServerFor(parseImageRef('alpine:3'), given)).toThrow(
        expect.objectContaining({
          code: 'TRUST_SERVER_INVALID',
          message: expect.stringContaining(
            'valid https URL required for trust server, got',
          ) as unknown,
        }),
      );
    },
  );

  it('does not echo user info of a refused URL', () => {
    expect(() => trustServerFor(parseImageRef('alpine:3'), 'https://u:pw123@n.example')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('pw123') as unknown }),
    );
  });
});

describe('gunPath', () => {
  it('keeps host:port and slashes verbatim, escapes only what a path cannot hold', () => {
    expect(gunPath('127.0.0.1:5000/team/app')).toBe('127.0.0.1:5000/team/app');
    expect(gunPath('docker.io/library/alpine')).toBe('docker.io/library/alpine');
    expect(gunPath('[::1]:5000/x')).toBe('%5B%3A%3A1%5D:5000/x'.replace(/%3A/g, ':'));
    expect(gunPath('h/a b#c?d')).toBe('h/a%20b%23c%3Fd');
  });
});

describe('NotaryClient', () => {
  let server: FakeServer;
  let http: HttpClient;
  let pki: TestPki;
  const gun = '127.0.0.1:5000/team/app';
  const base = `/v2/${gun}/_trust/tuf/`;

  beforeAll(async () => {
    pki = await makePki();
    server = await startFakeServer(pki);
  });
  beforeEach(() => {
    http = new HttpClient({ caPem: pki.caPem, sleep: () => Promise.resolve(), retries: 1 });
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    server.requests.length = 0;
    await http.close();
  });

  const client = (
    write = false,
    credentials?: { username: string; password: string },
  ): NotaryClient =>
    new NotaryClient({ server: `${server.origin}/`, gun, http, write, credentials });

  it('fetches current, checksum-addressed and versioned files; 404 is undefined', async () => {
    server.handle((req, res) => {
      if (req.path.endsWith('/missing.json')) return json(res, 404, { errors: [] });
      res.writeHead(200).end(`body of ${req.path.slice(base.length)}`);
    });
    const c = client();
    const sha = 'ab'.repeat(32);
    expect((await c.fetch('root'))!.toString()).toBe('body of root.json');
    expect((await c.fetch('snapshot', { sha256: sha }))!.toString()).toBe(
      `body of snapshot.${sha}.json`,
    );
    expect((await c.fetch('root', { version: 2 }))!.toString()).toBe('body of 2.root.json');
    expect((await c.fetch('targets/releases'))!.toString()).toBe('body of targets/releases.json');
    expect(await c.fetch('missing')).toBeUndefined();
    expect(server.requests.map((r) => r.path)).toEqual([
      `${base}root.json`,
      `${base}snapshot.${sha}.json`,
      `${base}2.root.json`,
      `${base}targets/releases.json`,
      `${base}missing.json`,
    ]);
  });

  it('caps downloads at maxLength, and timestamp at 1 MiB by default', async () => {
    server.handle((_req, res) => {
      res.writeHead(200).end(Buffer.alloc((1 << 20) + 10));
    });
    const c = client();
    await expect(c.fetch('targets', { maxLength: 100 })).rejects.toMatchObject({
      code: 'HTTP_TOO_LARGE',
    });
    await expect(c.fetch('timestamp')).rejects.toMatchObject({ code: 'HTTP_TOO_LARGE' });
    expect(await c.fetch('root')).toHaveLength((1 << 20) + 10);
  });

  it('refuses role names and checksums that could leave the repository path', async () => {
    const c = client();
    await expect(c.fetch('../x')).rejects.toMatchObject({ code: 'NOTARY_BAD_REQUEST' });
    await expect(c.fetch('root', { sha256: 'ZZ' })).rejects.toMatchObject({
      code: 'NOTARY_BAD_REQUEST',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('decodes server errors of a fetch', async () => {
    server.handle((_req, res) => {
      json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'db down' }] });
    });
    await expect(client().fetch('root')).rejects.toMatchObject({
      code: 'NOTARY_SERVER_ERROR',
      status: 500,
    });
  });

  it('reads a server key and refuses one with a private part', async () => {
    let priv: string | null = null;
    server.handle((_req, res) => {
      res
        .writeHead(200)
        .end(`{"keytype":"ed25519","keyval":{"public":"AAEC","private":${JSON.stringify(priv)}}}`);
    });
    const c = client();
    await expect(c.getKey('timestamp')).resolves.toEqual({
      keytype: 'ed25519',
      keyval: { private: null, public: 'AAEC' },
    });
    expect(server.requests[0].path).toBe(`${base}timestamp.key`);
    priv = 'c2VjcmV0';
    await expect(c.getKey('snapshot')).rejects.toMatchObject({ code: 'NOTARY_BAD_KEY' });
    // Read two ways: Go decodes "KeyVal" (case folded) or the second "keyval" as the key.
    for (const body of [
      '{"keytype":"ed25519","keyval":{"public":"AAEC"},"KeyVal":{"public":"BBEC"}}',
      '{"keytype":"ed25519","keyval":{"public":"AAEC","Public":"BBEC"}}',
      '{"keytype":"ed25519","keyval":{"public":"AAEC"},"keyval":{"public":"BBEC"}}',
    ]) {
      server.handle((_req, res) => void res.writeHead(200).end(body));
      await expect(c.getKey('snapshot')).rejects.toMatchObject({
        code: 'NOTARY_BAD_KEY',
        message: expect.stringMatching(/Go reads as|twice/) as unknown,
      });
    }
  });

  it('publishes one multipart POST to …/tuf/', async () => {
    server.handle((_req, res) => {
      res.writeHead(200).end();
    });
    const files = new Map([
      ['root', Buffer.from('{"r":1}')],
      ['targets', Buffer.from('{"t":1}')],
    ]);
    await client(true).publish(files);
    // The ping learns the challenge first, so the body goes out once.
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/',
      `POST ${base}`,
    ]);
    const post = server.requests[1];
    expect(post.path).toBe(base);
    const boundary = /boundary=([0-9a-f]{60})$/.exec(post.headers['content-type']!)![1];
    expect(post.body.toString()).toContain(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="targets"\r\n`,
    );
  });

  it('publishes after a ping whose answer is over any cap (Go completes it too)', async () => {
    server.handle((req, res) => {
      if (req.method === 'POST') return void res.writeHead(200).end();
      res.writeHead(200, { 'content-length': String(100 * 1024) }).end(Buffer.alloc(100 * 1024));
    });
    await client(true).publish(new Map([['targets', Buffer.from('{}')]]));
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('reads the status of an error page over the cap: 404 is absent, 503 a server error', async () => {
    let status = 404;
    server.handle((_req, res) => {
      res.writeHead(status, { 'content-length': String(2 << 20) }).end(Buffer.alloc(2 << 20));
    });
    expect(await client().fetch('timestamp')).toBeUndefined();
    status = 503;
    await expect(client().fetch('timestamp')).rejects.toMatchObject({
      code: 'NOTARY_SERVER_ERROR',
      message: expect.stringContaining(
        `127.0.0.1:${server.port} failed to fetch timestamp.json`,
      ) as unknown,
    });
  });

  it('maps a rejected publish, keeping status and body', async () => {
    const body = { errors: [{ code: 'VERSION', message: 'newer', detail: {} }] };
    server.handle((_req, res) => json(res, 400, body));
    const err = await client(true)
      .publish(new Map([['targets', Buffer.from('{}')]]))
      .then(
        () => undefined,
        (e: unknown) => e as HttpError,
      );
    expect(err).toBeInstanceOf(HttpError);
    expect(err?.code).toBe('NOTARY_VERSION');
    expect(err?.status).toBe(400);
    expect(JSON.parse(err!.body!)).toEqual(body);
  });

  it('turns a POST whose answer was lost into NOTARY_OUTCOME_UNKNOWN, sent once', async () => {
    server.handle((req, res, raw) => {
      if (req.method === 'POST') raw.socket.destroy();
      else res.writeHead(200).end('{}');
    });
    const err = await client(true)
      .publish(new Map([['targets', Buffer.from('{}')]]))
      .then(
        () => undefined,
        (e: unknown) => e as HttpError,
      );
    expect(err?.code).toBe('NOTARY_OUTCOME_UNKNOWN');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it.each([
    [524, 'text/html', '<html>origin timed out</html>', 'NOTARY_OUTCOME_UNKNOWN'],
    [408, 'text/plain', 'timeout', 'NOTARY_OUTCOME_UNKNOWN'],
    [
      500,
      'application/json',
      '{"errors":[{"code":"UPDATING","message":"x"}]}',
      'NOTARY_SERVER_ERROR',
    ],
  ])('a POST answered %i (%s) is %s', async (status, type, body, code) => {
    server.handle((req, res) => {
      if (req.method === 'POST') res.writeHead(status, { 'content-type': type }).end(body);
      else res.writeHead(200).end('{}');
    });
    const err = await client(true)
      .publish(new Map([['targets', Buffer.from('{}')]]))
      .then(
        () => undefined,
        (e: unknown) => e as HttpError,
      );
    expect(err?.code).toBe(code);
  });

  it('uses one pull,push token for reads and the publish when writing', async () => {
    const scopes: string[] = [];
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) {
        scopes.push(new URL(req.path, server.origin).searchParams.get('scope') ?? '');
        return json(res, 200, { token: 'n-token', expires_in: 300 });
      }
      if (req.headers.authorization !== 'Bearer n-token') {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${server.origin}/token",service="notary-server"`,
          })
          .end();
        return;
      }
      res.writeHead(200).end('{}');
    });
    const c = client(true, { username: 'u', password: 'p' });
    await c.fetch('root');
    await c.getKey('snapshot').catch(() => undefined);
    await c.publish(new Map([['targets', Buffer.from('{}')]]));
    expect(scopes).toEqual([`repository:${gun}:pull,push`]);

    scopes.length = 0;
    await client(false).fetch('root');
    expect(scopes).toEqual([`repository:${gun}:pull`]);
  });

  it('maps refused credentials to NOTARY_UNAUTHORIZED naming the GUN', async () => {
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) return json(res, 401, {});
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${server.origin}/token",service="n"` })
        .end();
    });
    const err = await client(true, { username: 'u', password: 'bad-pass-x' })
      .publish(new Map([['targets', Buffer.from('{}')]]))
      .then(
        () => undefined,
        (e: unknown) => e as HttpError,
      );
    expect(err?.code).toBe('NOTARY_UNAUTHORIZED');
    expect(err?.message).toContain(`must grant push on ${gun}`);
    expect(err?.message).not.toContain('bad-pass-x');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
