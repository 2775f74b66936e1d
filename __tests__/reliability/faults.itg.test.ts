/**
 * A hostile network between the flows and the real notary-server: 5xx answers, resets,
 * stalls, truncated bodies and lost publish answers. Every run ends "fully signed" or
 * "clearly failed", judged by the Go CLI and the server's own versions.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpOptions } from '../../src/http/client.js';
import type { FaultAction, ProxiedRequest } from '../support/fault-proxy.js';
import type { PushedImage } from '../support/images.js';
import type { TrustedRepo } from '../support/notary-cli.js';
import type { Bench } from './helpers.js';

/**
 * The flows' HTTP client asks for its backoff between retries and the wait is recorded, not
 * slept: these tests count retries and outcomes, and the real waits only cost wall time.
 */
const backoff = vi.hoisted(() => ({ waits: [] as number[] }));
vi.mock('../../src/http/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/http/client.js')>();
  class HttpClient extends real.HttpClient {
    constructor(opts: HttpOptions = {}) {
      super({
        sleep: (ms) => {
          backoff.waits.push(ms);
          return Promise.resolve();
        },
        ...opts,
      });
    }
  }
  return { ...real, HttpClient };
});

/**
 * The per-request deadline is generous (TIMEOUT_MS), so no answer of a busy machine runs
 * out of it; a stall ends it at once instead: when the proxy starts to stall a request, the
 * transport's wait for that request's answer fails as a socket timeout does (ETIMEDOUT), so
 * the flows see a timeout by count, never by the clock.
 */
const deadlines = vi.hoisted(() => ({ waiting: new Map<string, Set<() => void>>() }));
vi.mock('../../src/http/transport.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/http/transport.js')>();
  class NodeTransport extends real.NodeTransport {
    override async send(req: import('../../src/http/transport.js').WireRequest) {
      const path = req.url.pathname + req.url.search;
      const ours = new AbortController();
      let expire!: () => void;
      const expired = new Promise<never>((_, reject) => {
        expire = () => {
          reject(real.codeError('ETIMEDOUT', 'the proxy stalls this request'));
          ours.abort();
        };
      });
      const waiting = deadlines.waiting.get(path) ?? new Set();
      deadlines.waiting.set(path, waiting.add(expire));
      const signal = AbortSignal.any([req.signal, ours.signal]);
      try {
        return await Promise.race([super.send({ ...req, signal }), expired]);
      } finally {
        waiting.delete(expire);
      }
    }
  }
  return { ...real, NodeTransport };
});

// A worker's files share one module registry (vitest.config.ts, isolate: false): what this
// file tests is loaded afresh, after the mocks above, whichever file ran before it.
vi.resetModules();
const { revokeImages } = await import('../../src/signer/revoke.js');
const { signImages } = await import('../../src/signer/sign.js');
const { verifyImages } = await import('../../src/signer/verify.js');
const { roleFile } = await import('../support/fault-proxy.js');
const { pushImage } = await import('../support/images.js');
const { createTrustedRepo } = await import('../support/notary-cli.js');
const { quietLog } = await import('../signer/flows.js');
const { expectAll, goList, refusal, resetProxy, serverVersions, startBench, withKeys } =
  await import('./helpers.js');

let bench: Bench;
let repo: TrustedRepo;
let gun: string;
const NAME = 'rel/faults';

beforeAll(async () => {
  bench = await startBench();
  bench.proxy.onStall = (r) => {
    for (const expire of deadlines.waiting.get(r.path) ?? []) expire();
  };
  gun = `${bench.sb.registry.host}/${NAME}`;
  repo = await createTrustedRepo(bench.sb, gun);
});
afterAll(async () => {
  await bench?.stop();
});
beforeEach(() => {
  resetProxy(bench.proxy);
  backoff.waits.length = 0;
});

/** Generous: a stall is ended by the proxy's word (above), not by this deadline. */
const TIMEOUT_MS = 30_000;

const isPost = (r: ProxiedRequest) => r.method === 'POST';

function fault(role: string, action: FaultAction, times?: number): void {
  bench.proxy.rules.push({ match: roleFile(role), action, times });
}

function faultsDone(kind: FaultAction['kind']): number {
  return bench.proxy.log.filter((e) => e.fault === kind).length;
}

async function push(tags: string[]): Promise<Map<string, PushedImage>> {
  const out = new Map<string, PushedImage>();
  for (const tag of tags) out.set(tag, await pushImage(bench.sb, NAME, tag, { seed: tag }));
  return out;
}

function sign(tags: string[], log = quietLog()) {
  return withKeys([repo], (keys) =>
    signImages({
      trustServer: bench.proxy.url,
      caPem: bench.sb.caPem,
      timeoutMs: TIMEOUT_MS,
      images: tags.map((t) => `${gun}:${t}`),
      keys,
      signers: [],
      rootKeyIds: [],
      log,
    }),
  );
}

function verify(tags: string[]) {
  return verifyImages({
    trustServer: bench.proxy.url,
    caPem: bench.sb.caPem,
    timeoutMs: TIMEOUT_MS,
    images: tags.map((t) => `${gun}:${t}`),
    requiredSigners: ['ci'],
    rootKeyIds: [],
    log: quietLog(),
  });
}

/** The Go CLI lists each tag with its digest in both roles docker signs into. */
async function expectListed(images: Map<string, PushedImage>): Promise<void> {
  for (const role of ['targets/releases', 'targets/ci']) {
    const rows = await goList(bench.sb, gun, role);
    for (const [tag, img] of images) expect(rows).toContain(`${tag} ${img.digest} ${img.size}`);
  }
}

async function expectNotListed(tags: string[]): Promise<void> {
  for (const role of ['targets/releases', 'targets/ci']) {
    const names = (await goList(bench.sb, gun, role)).map((r) => r.split(' ')[0]);
    for (const tag of tags) expect(names).not.toContain(tag);
  }
}

describe('GET faults are retried', () => {
  it('500/502/503 on timestamp, snapshot, targets and a delegation: sign and verify succeed', async () => {
    const images = await push(['5xx-a', '5xx-b']);
    const inject = () => {
      fault('timestamp', { kind: 'status', status: 503 }, 2);
      fault('snapshot', { kind: 'status', status: 502 }, 2);
      fault('targets', { kind: 'status', status: 500 }, 2);
      fault('targets/releases', { kind: 'status', status: 503 }, 1);
    };
    inject();
    const signed = await sign([...images.keys()]);
    expect(signed.map((s) => s.digest)).toEqual([...images.values()].map((i) => i.digest));
    // targets/releases has no file before this first signature, so sign never fetches it
    // (the read-back checks the new snapshot's hashes of our uploads): 6 faults hit.
    expect(faultsDone('status')).toBe(6);
    await expectListed(images);

    inject();
    const verified = await verify([...images.keys()]);
    expect(verified.map((v) => v.signers)).toEqual([['ci'], ['ci']]);
    // The leftover targets/releases fault is hit too, by verify.
    expect(faultsDone('status')).toBe(14);
  });

  it('connections reset before the answer: retried, sign and verify succeed', async () => {
    const images = await push(['reset-a']);
    const inject = () => {
      fault('timestamp', { kind: 'reset' }, 2);
      fault('snapshot', { kind: 'reset' }, 1);
      fault('targets/ci', { kind: 'reset' }, 2);
    };
    inject();
    await sign([...images.keys()]);
    expect(faultsDone('reset')).toBe(5);
    await expectListed(images);
    inject();
    await verify([...images.keys()]);
    expect(faultsDone('reset')).toBe(10);
  });

  it('a stall past the per-request timeout is retried; the run succeeds', async () => {
    const images = await push(['stall-once']);
    fault('snapshot', { kind: 'stall', ms: 60_000 }, 1);
    await sign([...images.keys()]);
    expect(faultsDone('stall')).toBe(1);
    // The one retry came after a first backoff (250 to 500 ms), asked for and not slept.
    expect(backoff.waits).toHaveLength(1);
    expect(backoff.waits[0]).toBeGreaterThanOrEqual(250);
    expect(backoff.waits[0]).toBeLessThanOrEqual(500);
    await expectListed(images);
  });

  it('a server that keeps stalling: the run fails with HTTP_TIMEOUT, publishing nothing', async () => {
    const tags = ['stall-always'];
    await push(tags);
    const before = await serverVersions(bench.sb, gun);
    fault('timestamp', { kind: 'stall', ms: 60_000 });
    const failures = await refusal(sign(tags));
    expectAll(failures, 'HTTP_TIMEOUT', /did not answer within 30 s .*timestamp\.json/);
    // One try and three retries, then a clear failure rather than a hang.
    expect(faultsDone('stall')).toBe(4);
    expectAll(await refusal(verify(tags)), 'HTTP_TIMEOUT', /did not answer within 30 s/);
    resetProxy(bench.proxy);
    expect(await serverVersions(bench.sb, gun)).toEqual(before);
    await expectNotListed(tags);
  });

  it('bodies cut short of their Content-Length are retried, never accepted', async () => {
    const images = await push(['cut-a']);
    const inject = () => {
      fault('timestamp', { kind: 'truncate', keep: 40 }, 1);
      fault('snapshot', { kind: 'truncate', keep: 100 }, 1);
      fault('targets/releases', { kind: 'truncate', keep: 10 }, 1);
    };
    inject();
    await sign([...images.keys()]);
    expect(faultsDone('truncate')).toBe(3);
    await expectListed(images);
    inject();
    await verify([...images.keys()]);
    expect(faultsDone('truncate')).toBe(6);
  });

  it('bodies cut short with a matching Content-Length are refused by the TUF checks', async () => {
    const tags = ['cut-b'];
    await push(tags);
    const before = await serverVersions(bench.sb, gun);
    // A checksum-addressed file: its length is known from the snapshot.
    fault('targets/releases', { kind: 'truncate', keep: 50, declare: 'kept' });
    const byLength = /targets\/releases is 50 bytes but snapshot says \d+/;
    expectAll(await refusal(sign(tags)), 'TUF_LENGTH', byLength);
    expectAll(await refusal(verify(tags)), 'TUF_LENGTH', byLength);
    // The timestamp has no checksum to compare with: what is left is not metadata.
    resetProxy(bench.proxy);
    fault('timestamp', { kind: 'truncate', keep: 50, declare: 'kept' });
    expectAll(await refusal(sign(tags)), 'TUF_BAD_METADATA', /timestamp/);
    expectAll(await refusal(verify(tags)), 'TUF_BAD_METADATA', /timestamp/);
    resetProxy(bench.proxy);
    expect(await serverVersions(bench.sb, gun)).toEqual(before);
    await expectNotListed(tags);
  });
});

describe('publish faults', () => {
  it('POST answered 503 (never reached the server) once: re-read, published once more, signed', async () => {
    const images = await push(['post-503-once']);
    const before = await serverVersions(bench.sb, gun);
    bench.proxy.rules.push({ match: isPost, action: { kind: 'status', status: 503 }, times: 1 });
    await sign([...images.keys()]);
    const posts = bench.proxy.log.filter(isPost);
    expect(posts.map((p) => [p.fault, p.status])).toEqual([
      ['status', 503],
      [undefined, 200],
    ]);
    const after = await serverVersions(bench.sb, gun);
    expect(after['targets/releases']).toBe((before['targets/releases'] ?? 0) + 1);
    await expectListed(images);
  });

  it('POST answered 503 every time: clearly failed after a few tries, nothing published', async () => {
    const tags = ['post-503-always'];
    await push(tags);
    const before = await serverVersions(bench.sb, gun);
    bench.proxy.rules.push({ match: isPost, action: { kind: 'status', status: 503 } });
    const failures = await refusal(sign(tags));
    expectAll(
      failures,
      'PUBLISH_FAILED',
      /no answer to 3 publishes .*HTTP 503.*does not show the change, so it is not published/,
    );
    expect(bench.proxy.log.filter(isPost)).toHaveLength(3);
    expect(await serverVersions(bench.sb, gun)).toEqual(before);
    await expectNotListed(tags);
  });

  it('POST stored, then a gateway answers 504: the flow re-reads, sees its tags, signed once', async () => {
    const images = await push(['post-504']);
    const before = await serverVersions(bench.sb, gun);
    bench.proxy.rules.push({
      match: isPost,
      action: { kind: 'status', status: 504, forward: true },
      times: 1,
    });
    await sign([...images.keys()]);
    const posts = bench.proxy.log.filter(isPost);
    expect(posts.map((p) => [p.status, p.upstream])).toEqual([[504, 200]]);
    const after = await serverVersions(bench.sb, gun);
    expect(after['targets/releases']).toBe((before['targets/releases'] ?? 0) + 1);
    await expectListed(images);
  });

  it('POST stored but its answer lost: the flow re-reads, sees its tags, does not publish twice', async () => {
    const images = await push(['lost-a', 'lost-b']);
    const before = await serverVersions(bench.sb, gun);
    bench.proxy.rules.push({ match: isPost, action: { kind: 'reset-after-forward' }, times: 1 });
    const log = quietLog();
    await sign([...images.keys()], log);
    const posts = bench.proxy.log.filter(isPost);
    expect(posts.map((p) => [p.fault, p.status])).toEqual([['reset-after-forward', 200]]);
    expect(log.lines.join('\n')).toMatch(/the publish answer was lost/);
    const after = await serverVersions(bench.sb, gun);
    expect(after['targets/releases']).toBe((before['targets/releases'] ?? 0) + 1);
    expect(after['targets/ci']).toBe((before['targets/ci'] ?? 0) + 1);
    await expectListed(images);
  });

  it('POST reset before the server saw it: the flow re-reads, publishes once more, succeeds', async () => {
    const images = await push(['reset-post']);
    const before = await serverVersions(bench.sb, gun);
    bench.proxy.rules.push({ match: isPost, action: { kind: 'reset' }, times: 1 });
    await sign([...images.keys()]);
    const posts = bench.proxy.log.filter(isPost);
    expect(posts.map((p) => p.fault)).toEqual(['reset', undefined]);
    const after = await serverVersions(bench.sb, gun);
    expect(after['targets/releases']).toBe((before['targets/releases'] ?? 0) + 1);
    await expectListed(images);
  });

  it('revoke whose POST answer is lost: the re-read shows the tag gone, one publish', async () => {
    const images = await push(['revoke-lost']);
    await sign([...images.keys()]);
    await expectListed(images);
    resetProxy(bench.proxy);
    bench.proxy.rules.push({ match: isPost, action: { kind: 'reset-after-forward' }, times: 1 });
    const revoked = await withKeys([repo], (keys) =>
      revokeImages({
        trustServer: bench.proxy.url,
        caPem: bench.sb.caPem,
        timeoutMs: TIMEOUT_MS,
        images: [`${gun}:revoke-lost`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }),
    );
    expect(revoked.map((r) => [...r.roles].sort())).toEqual([['targets/ci', 'targets/releases']]);
    expect(bench.proxy.log.filter(isPost).map((p) => p.fault)).toEqual(['reset-after-forward']);
    await expectNotListed(['revoke-lost']);
  });
});
