// The floor: a minimal Node program making the requests one action run made (recorded by
// recorder.ts, planned by floor.ts) and the least work with them, with nothing of the project
// (no bundle, no src/): node:https with a keep-alive agent for the trust server, one node:http2
// session for the registry when it offers h2 (else the agent), JSON.parse, node:crypto.
//   node floor-program.mjs <plan.json>     (the key's passphrase in FLOOR_PASSPHRASE)
// Per metadata file: sha256, JSON.parse, every signature whose key it knows (root keys,
// delegation keys) verified over the signed bytes. Per registry answer: sha256 (the digest).
// Before each POST: the repository's largest targets role gets one target more and a new
// version, is encoded in full (JSON.stringify) and signed once (ECDSA, the decrypted key);
// then the recorded body (same bytes, same size) is posted. The server refuses that replay
// (its version is no longer new) after reading and checking it; any answer is accepted here.
// Prints one JSON line: what it did, for the bench to check.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, constants } from 'node:http2';
import { Agent, request } from 'node:https';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: plan.ca });
const done = { requests: 0, bytes: 0, metadata: 0, verified: 0, signed: 0, posts: [], h2: false };

const answered = (status, chunks) => {
  done.requests++;
  const bytes = Buffer.concat(chunks);
  done.bytes += bytes.length;
  return { status, bytes };
};

/** HTTP/1.1 over the keep-alive agent. */
function send(base, r, body) {
  const url = new URL(r.path, base);
  const headers = { ...(r.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] = r.contentType;
    headers['content-length'] = body.length;
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: r.method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(answered(res.statusCode, chunks)));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Requests without a body over one HTTP/2 session (the registry offers h2). */
function h2Sender(base) {
  const session = connect(base, { ca: plan.ca });
  done.h2 = true;
  const sendH2 = (r) =>
    new Promise((resolve, reject) => {
      const st = session.request({
        [constants.HTTP2_HEADER_METHOD]: r.method,
        [constants.HTTP2_HEADER_PATH]: r.path,
        ...(r.headers ?? {}),
      });
      let status = 0;
      const chunks = [];
      st.once('response', (h) => (status = h[constants.HTTP2_HEADER_STATUS]));
      st.on('data', (c) => chunks.push(c));
      st.once('end', () => resolve(answered(status, chunks)));
      st.once('error', reject);
      st.end();
    });
  return { send: sendH2, close: () => session.close() };
}

// --- TUF metadata -----------------------------------------------------------------------
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map(); // keyid -> { keytype, public } | KeyObject
const files = []; // { path, text, parsed }

function keyObject(id) {
  const k = keys.get(id);
  if (k === undefined || !('keytype' in k)) return k;
  const der = Buffer.from(k.keyval.public, 'base64');
  let obj;
  try {
    obj = k.keytype.endsWith('-x509')
      ? new X509Certificate(der).publicKey
      : createPublicKey({
          // TUF's ed25519 public key is the raw 32 bytes: the SPKI prefix makes it DER.
          key: k.keytype === 'ed25519' ? Buffer.concat([ED25519_SPKI, der]) : der,
          format: 'der',
          type: 'spki',
        });
  } catch (e) {
    throw new Error(
      `key ${id} (${k.keytype}, ${der.subarray(0, 12).toString('hex')}): ${e.message}`,
    );
  }
  keys.set(id, obj);
  return obj;
}

// The signed part as the server stored it: `{"signatures":[…],"signed":{…}}`, canonical.
function signedBytes(text, parsed) {
  const at = text.indexOf('],"signed":');
  if (text.startsWith('{"signatures":') && at > 0) return Buffer.from(text.slice(at + 11, -1));
  const canon = (v) =>
    Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : v !== null && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  return Buffer.from(canon(parsed.signed));
}

function takeMetadata(path, bytes) {
  createHash('sha256').update(bytes).digest();
  const text = bytes.toString('utf8');
  const parsed = JSON.parse(text);
  if (parsed?.signed === undefined) return;
  done.metadata++;
  const s = parsed.signed;
  for (const [id, k] of Object.entries(s._type === 'Root' ? s.keys : (s.delegations?.keys ?? {}))) {
    if (!keys.has(id)) keys.set(id, k);
  }
  files.push({ path, text, parsed });
}

function verifyAll() {
  for (const f of files) {
    const data = signedBytes(f.text, f.parsed);
    for (const sig of f.parsed.signatures ?? []) {
      const key = keyObject(sig.keyid);
      if (key === undefined) continue;
      const raw = Buffer.from(sig.sig, 'base64');
      const ok =
        sig.method === 'ecdsa'
          ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, raw)
          : sig.method === 'rsapss'
            ? verify('sha256', data, { key, padding: 6, saltLength: 32 }, raw)
            : verify(null, data, key, raw);
      if (!ok) throw new Error(`${f.path}: a signature by ${sig.keyid} does not verify`);
      done.verified++;
    }
  }
  files.length = 0;
}

// --- one signature per POST ---------------------------------------------------------------
let privateKey;
const trustOf = (path) => path.slice(0, path.indexOf('/_trust/') + 8);

function signFor(postPath) {
  privateKey ??= createPrivateKey({
    key: plan.key,
    format: 'pem',
    passphrase: process.env.FLOOR_PASSPHRASE ?? '',
  });
  const prefix = trustOf(postPath);
  const role = signedRoles
    .filter((f) => f.path.startsWith(prefix) && f.parsed.signed._type === 'Targets')
    .sort((a, b) => b.text.length - a.text.length)[0];
  if (role === undefined) throw new Error(`no targets role fetched for ${postPath}`);
  const s = role.parsed.signed;
  s.targets['floor-tag'] = { hashes: { sha256: 'AAAA' }, length: 1 };
  s.version++;
  const data = Buffer.from(JSON.stringify(s));
  sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  done.signed++;
}

// --- the run ------------------------------------------------------------------------------
const signedRoles = [];
const reg = plan.registryH2
  ? h2Sender(plan.registryUrl)
  : { send: (r) => send(plan.registryUrl, r), close: () => {} };
const registry = Promise.all(
  plan.registry.map((r) =>
    reg.send({ ...r, headers: { accept: plan.manifestAccept } }).then((res) => {
      createHash('sha256').update(res.bytes).digest();
    }),
  ),
);
for (const stage of plan.stages) {
  for (const r of stage.filter((x) => x.method === 'POST')) signFor(r.path);
  await Promise.all(
    stage.map(async (r) => {
      const body = r.bodyFile === undefined ? undefined : readFileSync(r.bodyFile);
      const res = await send(plan.notaryUrl, r, body);
      if (r.method === 'POST') done.posts.push(res.status);
      else if (res.status === 200 && r.path.endsWith('.json')) takeMetadata(r.path, res.bytes);
    }),
  );
  const fresh = files.slice();
  verifyAll();
  signedRoles.push(...fresh);
}
await registry;
reg.close();
agent.destroy();
console.log(JSON.stringify(done));
