import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import {
  MANIFEST_MEDIA_TYPES,
  plainHttpAllowed,
  RegistryClient,
} from '../../src/registry/client.js';
import { parseImageRef, type ImageRef } from '../../src/registry/reference.js';
import {
  httpFailure,
  json,
  makePki,
  startFakeServer,
  type FakeServer,
  type TestPki,
} from '../http/fake-server.js';

let server: FakeServer;
let http: HttpClient;
let ref: ImageRef;
let pki: TestPki;

// Deliberately not canonical JSON: the digest must be of these bytes, not a re-serialization.
const MANIFEST = Buffer.from(
  '{\n   "schemaVersion": 2,\n   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",\n   "config": {}\n}',
);
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

const failure = httpFailure;

beforeAll(async () => {
  pki = await makePki();
  server = await startFakeServer(pki);
});
beforeEach(() => {
  http = new HttpClient({ caPem: pki.caPem, sleep: () => Promise.resolve(), retries: 1 });
  ref = parseImageRef(`127.0.0.1:${server.port}/team/app:1.0`);
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  server.requests.length = 0;
  await http.close();
});

describe('RegistryClient.resolveTag', () => {
  it('asks for all four manifest kinds and hashes the exact bytes', async () => {
    server.handle((_req, res) => {
      res
        .writeHead(200, {
          'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
          'docker-content-digest': DIGEST,
        })
        .end(MANIFEST);
    });
    const info = await new RegistryClient({ http }).resolveTag(ref);
    expect(info).toEqual({
      digest: DIGEST,
      size: MANIFEST.length,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    const [req] = server.requests;
    expect(req.path).toBe('/v2/team/app/manifests/1.0');
    const accepted = req.headers.accept!.split(',').map((s) => s.trim());
    expect(accepted.sort()).toEqual([...MANIFEST_MEDIA_TYPES].sort());
    expect(accepted).toHaveLength(4);
  });

  it('takes the media type from the body when the header is generic', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(MANIFEST);
    });
    const info = await new RegistryClient({ http }).resolveTag(ref);
    expect(info.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('refuses bytes that do not match Docker-Content-Digest', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'docker-content-digest': `sha256:${'0'.repeat(64)}` }).end(MANIFEST);
    });
    const err = await failure(new RegistryClient({ http }).resolveTag(ref));
    expect(err.code).toBe('REGISTRY_DIGEST_MISMATCH');
    expect(err.message).toContain(DIGEST);
  });

  it('says "push it first" for an unknown tag', async () => {
    server.handle((_req, res) => {
      json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    });
    const err = await failure(new RegistryClient({ http }).resolveTag(ref));
    expect(err.code).toBe('REGISTRY_TAG_NOT_FOUND');
    expect(err.message).toBe('tag not found in the registry; push it first');
    expect(err.status).toBe(404);
  });

  it("reports other statuses with the registry's error code and message", async () => {
    server.handle((_req, res) => {
      json(res, 500, { errors: [{ code: 'UNKNOWN', message: 'storage\nbroke' }] });
    });
    const err = await failure(new RegistryClient({ http }).resolveTag(ref));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toContain('HTTP 500: UNKNOWN: storage broke');
    expect(err.body).toContain('UNKNOWN');
    expect(server.requests).toHaveLength(2); // one retry of the GET, in the HTTP layer
  });

  it('maps a 403 and a refused token to REGISTRY_DENIED', async () => {
    server.handle((_req, res) => {
      json(res, 403, { errors: [{ code: 'DENIED', message: 'no' }] });
    });
    const err = await failure(new RegistryClient({ http }).resolveTag(ref));
    expect(err.code).toBe('REGISTRY_DENIED');

    server.handle((req, res) => {
      if (req.path.startsWith('/token')) return json(res, 401, {});
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${server.origin}/token",service="reg"`,
        })
        .end();
    });
    const creds = { username: 'u', password: 'wrong-pw' };
    const denied = await failure(new RegistryClient({ http, credentials: creds }).resolveTag(ref));
    expect(denied.code).toBe('REGISTRY_DENIED');
    expect(denied.message).toContain('registry-password');
    expect(denied.message).not.toContain('wrong-pw');
  });

  it('asks the token service for repository:<path>:pull, without the host', async () => {
    let issued = '';
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) {
        issued = new URL(req.path, server.origin).searchParams.get('scope') ?? '';
        return json(res, 200, { token: 'reg-token' });
      }
      if (req.headers.authorization !== 'Bearer reg-token') {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${server.origin}/token",service="r"`,
          })
          .end();
        return;
      }
      res.writeHead(200).end(MANIFEST);
    });
    const masked: string[] = [];
    const client = new RegistryClient({ http, onSecret: (s) => masked.push(s) });
    expect((await client.resolveTag(ref)).digest).toBe(DIGEST);
    expect(issued).toBe('repository:team/app:pull');
    expect(masked).toEqual(['reg-token']);
  });

  it('caps manifests at 4 MiB', async () => {
    server.handle((_req, res) => {
      res.writeHead(200).end(Buffer.alloc((4 << 20) + 1, 0x20));
    });
    const err = await failure(new RegistryClient({ http }).resolveTag(ref));
    expect(err.code).toBe('REGISTRY_ERROR');
    expect(err.message).toContain('larger than');
  });
});

describe('RegistryClient.getManifest', () => {
  it('fetches by digest and checks the bytes hash to it', async () => {
    server.handle((req, res) => {
      res.writeHead(200).end(req.path.endsWith(DIGEST) ? MANIFEST : Buffer.from('{}'));
    });
    const client = new RegistryClient({ http });
    await expect(client.getManifest(ref, DIGEST)).resolves.toMatchObject({ digest: DIGEST });
    expect(server.requests[0].path).toBe(`/v2/team/app/manifests/${DIGEST}`);

    const other = `sha256:${'1'.repeat(64)}`;
    const err = await failure(client.getManifest(ref, other));
    expect(err.code).toBe('REGISTRY_DIGEST_MISMATCH');
  });
});

describe('RegistryClient writes', () => {
  const BLOB = Buffer.from('{"critical":{}}');
  const BLOB_DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;

  it('uploads a blob with POST and a monolithic PUT, and skips one the registry has', async () => {
    let has = false;
    server.handle((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(has ? 200 : 404).end();
      } else if (req.method === 'POST') {
        res.writeHead(202, { location: '/v2/team/app/blobs/uploads/u1?_state=s' }).end();
      } else {
        has = true;
        res.writeHead(201).end();
      }
    });
    const client = new RegistryClient({ http });
    expect(await client.pushBlob(ref, BLOB)).toBe(BLOB_DIGEST);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `HEAD /v2/team/app/blobs/${BLOB_DIGEST}`,
      'GET /v2/', // learns the challenge before the first write
      'POST /v2/team/app/blobs/uploads/',
      `PUT /v2/team/app/blobs/uploads/u1?_state=s&digest=${encodeURIComponent(BLOB_DIGEST)}`,
    ]);
    expect(server.requests[3].body).toEqual(BLOB);
    server.requests.length = 0;
    await client.pushBlob(ref, BLOB);
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('puts a manifest under a tag with its media type', async () => {
    server.handle((_req, res) => {
      res.writeHead(201).end();
    });
    const client = new RegistryClient({ http });
    const digest = await client.putManifest(ref, 'sha256-ab.sig', 'application/x-test', BLOB);
    expect(digest).toBe(BLOB_DIGEST);
    const put = server.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/v2/team/app/manifests/sha256-ab.sig');
    expect(put.headers['content-type']).toBe('application/x-test');
  });

  it('names the credentials that need push rights on a 403 or a token without push', async () => {
    server.handle((_req, res) => json(res, 403, { errors: [{ code: 'DENIED' }] }));
    const creds = { username: 'ci-bot', password: 'secret-pw' };
    const denied = await failure(
      new RegistryClient({ http, credentials: creds }).putManifest(ref, 't', 'a/b', BLOB),
    );
    expect(denied.code).toBe('REGISTRY_PUSH_DENIED');
    expect(denied.message).toBe(
      `${ref.registry} refused to let user "ci-bot" push to team/app (HTTP 403): the credentials for ${ref.registry} (\`registry-username\`/\`registry-password\`, or the Docker config's login) need push rights on team/app`,
    );

    // A token service that grants pull only: the write keeps getting 401.
    const scopes: string[] = [];
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) {
        scopes.push(new URL(req.path, server.origin).searchParams.get('scope') ?? '');
        return json(res, 200, { token: 'pull-only' });
      }
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${server.origin}/token",service="r"` })
        .end();
    });
    const anonymous = await failure(new RegistryClient({ http }).pushBlob(ref, BLOB));
    expect(anonymous.code).toBe('REGISTRY_PUSH_DENIED');
    expect(anonymous.message).toMatch(/refused to let anonymous push to team\/app \(HTTP 401\)/);
    expect(scopes[0]).toBe('repository:team/app:pull,push');
  });

  it('reads a manifest with its bytes (none on 404) and checks a blob against its digest', async () => {
    server.handle((req, res) => {
      if (req.path.includes('/manifests/')) return json(res, 404, {});
      res.writeHead(200).end(req.path.endsWith(BLOB_DIGEST) ? BLOB : Buffer.from('other'));
    });
    const client = new RegistryClient({ http });
    expect(await client.fetchManifest(ref, 'sha256-x.sig')).toBeUndefined();
    expect(await client.getBlob(ref, BLOB_DIGEST, 1024)).toEqual(BLOB);
    const err = await failure(client.getBlob(ref, `sha256:${'0'.repeat(64)}`, 1024));
    expect(err.code).toBe('REGISTRY_DIGEST_MISMATCH');
  });
});

describe('plainHttpAllowed (docker: loopback, or an insecure-registries entry)', () => {
  it.each([
    ['localhost:5000', true],
    ['localhost', true],
    ['127.0.0.1:5000', true],
    ['127.8.9.10', true],
    ['[::1]:5000', true],
    ['registry.local:5000', false],
    ['10.0.0.5:5000', false],
    ['localhost.example.com', false],
    ['Reg.Test:5000', true], // listed below, case-insensitive
    ['reg.test', false], // an entry with a port does not cover the host without one
  ])('%s: %s', (registry, allowed) => {
    expect(plainHttpAllowed(registry, new Set(['reg.test:5000']))).toBe(allowed);
  });
});
