#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2957:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _prompt_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1934);
/* harmony import */ var _run_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3384);
// The `dct` command line (CLI.md), bundled into dist/cli/index.js.


const code = await (0,_run_js__WEBPACK_IMPORTED_MODULE_1__/* .runCli */ .ak)(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    terminal: (0,_prompt_js__WEBPACK_IMPORTED_MODULE_0__/* .processTerminal */ .q)(),
}, process.argv[1] ?? 'dct');
process.exitCode = code;

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 1934:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ processTerminal)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3916);
/**
 * Asking on the terminal, as docker did: passphrases without echo (read in raw mode), yes/no
 * questions. Only when stdin is a terminal; otherwise the caller says which variable to set.
 */

/** The process's terminal, or undefined when stdin or stderr is not one. */
function processTerminal() {
    const input = process.stdin;
    if (!input.isTTY || !process.stderr.isTTY || typeof input.setRawMode !== 'function') {
        return undefined;
    }
    return {
        ask: (question, secret) => readLine(input, question, secret),
    };
}
function readLine(input, question, secret) {
    process.stderr.write(question);
    return new Promise((resolve, reject) => {
        const chars = [];
        input.setRawMode?.(true);
        input.resume();
        const done = (err) => {
            input.off('data', onData);
            input.setRawMode?.(false);
            input.pause();
            process.stderr.write('\n');
            if (err)
                reject(err);
            else
                resolve(chars.join(''));
            chars.length = 0;
        };
        const onData = (data) => {
            for (const ch of data.toString('utf8')) {
                if (ch === '\r' || ch === '\n')
                    return done();
                if (ch === '\u0003' || ch === '\u0004') {
                    return done(new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .DctError */ .sY('CLI_INTERRUPTED', 'interrupted'));
                }
                if (ch === '\u007f' || ch === '\b') {
                    if (chars.pop() !== undefined && !secret)
                        process.stderr.write('\b \b');
                    continue;
                }
                chars.push(ch);
                if (!secret)
                    process.stderr.write(ch);
            }
        };
        input.on('data', onData);
    });
}


/***/ }),

/***/ 3384:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ak: () => (/* binding */ runCli)
});

// UNUSED EXPORTS: VERSION, errorLines, pluginMetadata

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
;// CONCATENATED MODULE: ./src/cli/args.ts
/**
 * docker-style flags for `dct`: `--name value`, `--name=value`, `-n value`, booleans without a
 * value, repeatable list flags, `--` ends the flags. Anything else is a positional argument.
 */

/** A flag without a value (`--yes`, or `-y` when it has a `short` name). */
function booleanFlag(name, description, short) {
    return { name, kind: 'boolean', description, ...(short === undefined ? {} : { short }) };
}
/** A flag with one value (`string`) or one value per use (`list`), shown as `--name VALUE`. */
function valueFlag(kind, name, value, description, short) {
    return { name, kind, value, description, ...(short === undefined ? {} : { short }) };
}
/** Flags every command takes. */
const GLOBAL_FLAGS = [
    booleanFlag('help', 'Print usage', 'h'),
    booleanFlag('debug', 'Print what is requested from which server', 'D'),
];
function parseArgs(argv, specs, command) {
    const all = [...GLOBAL_FLAGS, ...specs];
    const out = { args: [], booleans: new Set(), strings: new Map(), lists: new Map() };
    const find = (token) => token.startsWith('--')
        ? all.find((f) => f.name === token.slice(2))
        : all.find((f) => f.short !== undefined && f.short === token.slice(1));
    for (let i = 0; i < argv.length; i++) {
        const token = argv[i];
        if (token === '--') {
            out.args.push(...argv.slice(i + 1));
            break;
        }
        if (!token.startsWith('-') || token === '-') {
            out.args.push(token);
            continue;
        }
        const eq = token.indexOf('=');
        const name = eq === -1 ? token : token.slice(0, eq);
        const spec = find(name);
        if (spec === undefined) {
            throw new errors/* DctError */.sY('CLI_USAGE', `unknown flag: ${name}; see 'dct ${command} --help'`);
        }
        if (spec.kind === 'boolean') {
            if (eq !== -1) {
                const v = token.slice(eq + 1);
                if (v !== 'true' && v !== 'false') {
                    throw new errors/* DctError */.sY('CLI_USAGE', `--${spec.name} takes true or false, not "${v}"`);
                }
                if (v === 'true')
                    out.booleans.add(spec.name);
                else
                    out.booleans.delete(spec.name);
            }
            else {
                out.booleans.add(spec.name);
            }
            continue;
        }
        let value;
        if (eq !== -1) {
            value = token.slice(eq + 1);
        }
        else {
            const next = argv[i + 1];
            if (next === undefined) {
                throw new errors/* DctError */.sY('CLI_USAGE', `flag needs an argument: --${spec.name}`);
            }
            value = next;
            i++;
        }
        if (spec.kind === 'string') {
            out.strings.set(spec.name, value);
        }
        else {
            out.lists.set(spec.name, [...(out.lists.get(spec.name) ?? []), value]);
        }
    }
    return out;
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./src/redact.ts
/** Replaces known secrets (and their JSON-escaped forms) with `***`, longest first. */
class Redactor {
    secrets = new Set();
    add(secret) {
        if (secret === '')
            return;
        this.secrets.add(secret);
        // Its JSON-escaped form (the same string, for most secrets: the set keeps one).
        this.secrets.add(JSON.stringify(secret).slice(1, -1));
    }
    redact(text) {
        let out = text;
        for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
            out = out.split(s).join('***');
        }
        return out;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/keys/der.ts
/**
 * A small DER reader and writer: just what PKCS#8, PBES2, SEC1 and notary's root certificates
 * need, and the certificate fields trust pinning reads (notary-spec.md §1.3, §1.4, §2). The
 * reader never copies: every node is a view into the input buffer, so zeroing the input also
 * wipes everything read from it.
 */
const TAG = {
    INTEGER: 0x02,
    BIT_STRING: 0x03,
    OCTET_STRING: 0x04,
    NULL: 0x05,
    OID: 0x06,
    UTF8_STRING: 0x0c,
    PRINTABLE_STRING: 0x13,
    UTC_TIME: 0x17,
    GENERALIZED_TIME: 0x18,
    SEQUENCE: 0x30,
    SET: 0x31,
};
/** Thrown for any malformed DER; callers turn it into a DctError with context. */
class DerError extends Error {
    name = 'DerError';
}
/** Reads one TLV at `offset`; returns it and the offset just past it. */
function readTlv(buf, offset = 0) {
    if (offset + 2 > buf.length)
        throw new DerError('DER: truncated header');
    const tag = buf[offset];
    if ((tag & 0x1f) === 0x1f)
        throw new DerError('DER: high tag numbers are not supported');
    let len = buf[offset + 1];
    let pos = offset + 2;
    if (len & 0x80) {
        const n = len & 0x7f;
        // DER forbids the indefinite form (n = 0); 4 length bytes are far more than any key needs.
        if (n === 0 || n > 4)
            throw new DerError('DER: unsupported length form');
        if (pos + n > buf.length)
            throw new DerError('DER: truncated length');
        len = 0;
        for (let i = 0; i < n; i++)
            len = len * 256 + buf[pos + i];
        if (len < 0x80 || buf[pos] === 0)
            throw new DerError('DER: non-minimal length');
        pos += n;
    }
    if (pos + len > buf.length)
        throw new DerError('DER: content runs past the end');
    return {
        node: { tag, content: buf.subarray(pos, pos + len), raw: buf.subarray(offset, pos + len) },
        next: pos + len,
    };
}
/** Parses the first TLV and ignores trailing bytes, as Go's asn1.Unmarshal does. */
function parseDerPrefix(buf) {
    return readTlv(buf, 0).node;
}
/** The children of a constructed node (SEQUENCE, or a context tag). */
function children(node) {
    if ((node.tag & 0x20) === 0)
        throw new DerError('DER: expected a constructed value');
    const out = [];
    let pos = 0;
    while (pos < node.content.length) {
        const { node: child, next } = readTlv(node.content, pos);
        out.push(child);
        pos = next;
    }
    return out;
}
function expectTag(node, tag, what) {
    if (!node || node.tag !== tag)
        throw new DerError(`DER: expected ${what}`);
    return node;
}
function sequence(node, what) {
    return children(expectTag(node, TAG.SEQUENCE, what));
}
/**
 * A certificate's parts (RFC 5280 §4.1): the TBSCertificate fields from the serial on (the
 * optional `[0]` version is skipped, so `tbs[3]` is the validity, `tbs[4]` the subject and
 * `tbs[5]` the SubjectPublicKeyInfo) and the outer signature algorithm.
 */
function certificateParts(der) {
    const [tbs, signatureAlgorithm] = sequence(parseDerPrefix(der), 'Certificate');
    const fields = sequence(tbs, 'TBSCertificate');
    return {
        tbs: fields[0]?.tag === 0xa0 ? fields.slice(1) : fields,
        signatureAlgorithm: expectTag(signatureAlgorithm, TAG.SEQUENCE, 'AlgorithmIdentifier'),
    };
}
/** Dotted text of an OBJECT IDENTIFIER node. */
function oidOf(node, what = 'an OID') {
    const c = expectTag(node, TAG.OID, what).content;
    if (c.length === 0)
        throw new DerError('DER: empty OID');
    const arcs = [];
    let value = 0;
    for (let i = 0; i < c.length; i++) {
        const b = c[i];
        value = value * 128 + (b & 0x7f);
        if (value > Number.MAX_SAFE_INTEGER / 128)
            throw new DerError('DER: OID arc too large');
        if ((b & 0x80) === 0) {
            arcs.push(value);
            value = 0;
        }
        else if (i === c.length - 1) {
            throw new DerError('DER: truncated OID');
        }
    }
    const first = arcs.shift();
    const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
    return [...head, ...arcs].join('.');
}
/** A non-negative INTEGER that fits a JS number (versions, iteration counts, key lengths). */
function smallInt(node, what = 'an INTEGER') {
    const c = expectTag(node, TAG.INTEGER, what).content;
    if (c.length === 0 || c.length > 6 || (c[0] & 0x80) !== 0) {
        throw new DerError(`DER: ${what} out of range`);
    }
    let v = 0;
    for (const b of c)
        v = v * 256 + b;
    return v;
}
function octets(node, what = 'an OCTET STRING') {
    return expectTag(node, TAG.OCTET_STRING, what).content;
}
/** A UTCTime (YYMMDDHHMMSSZ, years 50-99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
function timeOf(node, what = 'a time') {
    const utc = node?.tag === TAG.UTC_TIME;
    if (!utc && node?.tag !== TAG.GENERALIZED_TIME)
        throw new DerError(`DER: expected ${what}`);
    const m = (utc ? /^(\d{2})(\d{10})Z$/ : /^(\d{4})(\d{10})Z$/).exec(node.content.toString('ascii'));
    if (m === null)
        throw new DerError(`DER: ${what} is not in whole seconds, UTC`);
    const year = utc ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
    const [mo, d, h, mi, sec] = [0, 2, 4, 6, 8].map((i) => Number(m[2].slice(i, i + 2)));
    return new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
}
// ---- writer ----
function lengthBytes(len) {
    if (len < 0x80)
        return Buffer.from([len]);
    const bytes = [];
    for (let v = len; v > 0; v = Math.floor(v / 256))
        bytes.unshift(v & 0xff);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}
/**
 * One TLV from its content parts, in a single allocation (no temporary copy of the parts, which
 * may be secret). The result is fresh; callers zero it when it holds secrets.
 */
function tlv(tag, ...parts) {
    const len = parts.reduce((n, p) => n + p.length, 0);
    return Buffer.concat([Buffer.from([tag]), lengthBytes(len), ...parts]);
}
function derSequence(...items) {
    return tlv(TAG.SEQUENCE, ...items);
}
function derOctets(content) {
    return tlv(TAG.OCTET_STRING, content);
}
function derSmallInt(value) {
    if (!Number.isSafeInteger(value) || value < 0)
        throw new RangeError('DER: bad INTEGER');
    const bytes = [];
    for (let v = value; v > 0; v = Math.floor(v / 256))
        bytes.unshift(v & 0xff);
    if (bytes.length === 0 || bytes[0] & 0x80)
        bytes.unshift(0);
    return tlv(TAG.INTEGER, Buffer.from(bytes));
}
/** A non-negative INTEGER from big-endian magnitude bytes (e.g. a random serial number). */
function derUnsigned(magnitude) {
    let start = 0;
    while (start < magnitude.length - 1 && magnitude[start] === 0)
        start++;
    const bytes = Buffer.from(magnitude.subarray(start));
    if (bytes.length === 0)
        return tlv(TAG.INTEGER, Buffer.from([0]));
    return bytes[0] & 0x80 ? tlv(TAG.INTEGER, Buffer.from([0]), bytes) : tlv(TAG.INTEGER, bytes);
}
function derBoolean(value) {
    return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}
/** A BIT STRING of whole bytes, `unused` bits of the last one not counted. */
function derBitString(bytes, unused = 0) {
    return tlv(TAG.BIT_STRING, Buffer.from([unused]), bytes);
}
/** UTCTime for 1950-2049, else GeneralizedTime, in whole seconds (RFC 5280 §4.1.2.5). */
function derTime(d) {
    const digits = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const year = d.getUTCFullYear();
    return year >= 1950 && year < 2050
        ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`))
        : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`));
}
function derNull() {
    return Buffer.from([TAG.NULL, 0]);
}
function derOid(dotted) {
    const arcs = dotted.split('.').map((s) => {
        if (!/^\d+$/.test(s))
            throw new RangeError(`DER: bad OID ${dotted}`);
        return Number(s);
    });
    if (arcs.length < 2)
        throw new RangeError(`DER: bad OID ${dotted}`);
    const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
    const bytes = [];
    for (const v of values) {
        const chunk = [v & 0x7f];
        for (let rest = Math.floor(v / 128); rest > 0; rest = Math.floor(rest / 128)) {
            chunk.unshift((rest & 0x7f) | 0x80);
        }
        bytes.push(...chunk);
    }
    return tlv(TAG.OID, Buffer.from(bytes));
}
/** Object identifiers used by the key formats (notary-spec.md §1.3, §1.4; RFC 8018, 8410). */
const OID = {
    pbes2: '1.2.840.113549.1.5.13',
    pbkdf2: '1.2.840.113549.1.5.12',
    hmacWithSHA1: '1.2.840.113549.2.7',
    hmacWithSHA224: '1.2.840.113549.2.8',
    hmacWithSHA256: '1.2.840.113549.2.9',
    hmacWithSHA384: '1.2.840.113549.2.10',
    hmacWithSHA512: '1.2.840.113549.2.11',
    aes128cbc: '2.16.840.1.101.3.4.1.2',
    aes192cbc: '2.16.840.1.101.3.4.1.22',
    aes256cbc: '2.16.840.1.101.3.4.1.42',
    ecPublicKey: '1.2.840.10045.2.1',
    p224: '1.3.132.0.33',
    p256: '1.2.840.10045.3.1.7',
    p384: '1.3.132.0.34',
    p521: '1.3.132.0.35',
    rsaEncryption: '1.2.840.113549.1.1.1',
    ed25519: '1.3.101.112',
    notaryEd25519: '1.3.6.1.4.1.11591.15.1',
    commonName: '2.5.4.3',
};

;// CONCATENATED MODULE: ./src/keys/rules.ts

/** Go refuses RSA keys below this size (notary.MinRSABitSize): signing, verifying, certificates. */
const MIN_RSA_BITS = 2048;
const CURVES = [
    { name: 'P-224', openssl: 'secp224r1', oid: OID.p224, bytes: 28 },
    { name: 'P-256', openssl: 'prime256v1', oid: OID.p256, bytes: 32, certHash: 'sha256' },
    { name: 'P-384', openssl: 'secp384r1', oid: OID.p384, bytes: 48, certHash: 'sha384' },
    { name: 'P-521', openssl: 'secp521r1', oid: OID.p521, bytes: 66, certHash: 'sha512' },
];
/** "P-224/256/384/521", for messages. */
const CURVE_NAMES = `P-${CURVES.map((c) => c.name.slice(2)).join('/')}`;
/** The curve of an EC key, if notary signs with it. */
function curveOf(key) {
    if (key.asymmetricKeyType !== 'ec')
        return undefined;
    const name = key.asymmetricKeyDetails?.namedCurve;
    return CURVES.find((c) => c.openssl === name);
}
function curveByOid(oid) {
    return CURVES.find((c) => c.oid === oid);
}
/** Node's key type for each TUF key type (notary-spec.md §2). */
const KEYTYPE_FAMILY = {
    ecdsa: 'ec',
    'ecdsa-x509': 'ec',
    rsa: 'rsa',
    'rsa-x509': 'rsa',
    ed25519: 'ed25519',
};
/** The plain TUF key type of a key notary can hold. */
const PLAIN_KEYTYPE = { ec: 'ecdsa', rsa: 'rsa', ed25519: 'ed25519' };
function isCertKeytype(keytype) {
    return keytype === 'ecdsa-x509' || keytype === 'rsa-x509';
}
/** The certificate TUF key type for the key inside a certificate. */
function certKeytype(key) {
    return key.asymmetricKeyType === 'rsa' ? 'rsa-x509' : 'ecdsa-x509';
}
function rsaBits(key) {
    return key.asymmetricKeyDetails?.modulusLength ?? 0;
}
/**
 * Why notary cannot sign with (or verify under) `key`, as a phrase that follows its name
 * ("… is on EC curve secp256k1; …"), or undefined when it can (§1.6).
 */
function keyProblem(key) {
    const type = key.asymmetricKeyType;
    if (type === 'ec') {
        if (curveOf(key) !== undefined)
            return undefined;
        const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
        return `is on EC curve ${curve}; notary supports ${CURVE_NAMES}`;
    }
    if (type === 'rsa') {
        const bits = rsaBits(key);
        if (bits >= MIN_RSA_BITS)
            return undefined;
        return `is a ${bits}-bit RSA key; notary needs at least ${MIN_RSA_BITS} bits`;
    }
    if (type === 'ed25519')
        return undefined;
    return `is a ${String(type)} key; notary keys are ECDSA, RSA or Ed25519`;
}

;// CONCATENATED MODULE: ./src/keys/keyid.ts



/** An Ed25519 SPKI is this fixed prefix followed by the raw 32-byte public key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/**
 * Key ID = hex SHA-256 of the canonical JSON of the public key object (notary-spec.md §2).
 * The object has a fixed shape whose strings are key type names and base64, which never
 * need escaping, so the canonical form can be written directly.
 */
function keyIdOf(key) {
    const canonical = `{"keytype":"${key.keytype}","keyval":{"private":null,"public":"${key.keyval.public}"}}`;
    return (0,external_node_crypto_.createHash)('sha256').update(canonical).digest('hex');
}
/** The TUF key object of a public (or private) KeyObject: ecdsa/rsa SPKI DER, ed25519 raw. */
function tufKeyFromKeyObject(key) {
    const pub = key.type === 'private' ? (0,external_node_crypto_.createPublicKey)(key) : key;
    const type = pub.asymmetricKeyType;
    if (type === 'ec' || type === 'rsa') {
        const spki = pub.export({ type: 'spki', format: 'der' });
        return tufKey(PLAIN_KEYTYPE[type], spki);
    }
    if (type === 'ed25519')
        return tufKey('ed25519', ed25519PublicBytes(pub));
    throw new Error(`unsupported key type ${String(type)}`);
}
/** The raw 32-byte public key of an Ed25519 KeyObject: what follows the fixed SPKI prefix. */
function ed25519PublicBytes(key) {
    const pub = key.type === 'private' ? (0,external_node_crypto_.createPublicKey)(key) : key;
    return pub.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length);
}
/** The `ecdsa-x509`/`rsa-x509` TUF key of a certificate: its PEM, base64 (notary-spec.md §2). */
function certTufKey(pem, pub) {
    return tufKey(certKeytype(pub), Buffer.from(pem));
}
/**
 * Keys already read, by type and text. Reading a certificate costs far more than the check it
 * serves, and the same few keys are read for every file, role and run of a process. A key's
 * reading depends only on these two strings, and a KeyObject cannot be changed, so a repeat
 * gets the same object. Keys that could not be read are not kept: they throw again.
 */
const readKeys = new Map();
const READ_KEYS_KEPT = 256;
/** The public key a TUF key object holds; x509 types use the (first) certificate's key. */
function keyid_publicKeyOf(key) {
    const known = `${key.keytype}\n${key.keyval.public}`;
    let pub = readKeys.get(known);
    if (pub === undefined) {
        pub = readPublicKey(key);
        // Metadata names few keys; a process that meets more starts over rather than grow.
        if (readKeys.size >= READ_KEYS_KEPT)
            readKeys.clear();
        readKeys.set(known, pub);
    }
    return pub;
}
function readPublicKey(key) {
    const bytes = Buffer.from(key.keyval.public, 'base64');
    // Go decodes []byte strictly (padded standard base64) and its key IDs hash the key as it
    // writes it again; Buffer.from skips what it cannot read. Only the one spelling Go writes
    // is both the key and the text its ID covers.
    if (bytes.toString('base64') !== key.keyval.public) {
        throw new Error('the public key is not in standard padded base64');
    }
    switch (key.keytype) {
        case 'ecdsa':
        case 'rsa':
            requireNamedCurve(bytes);
            return (0,external_node_crypto_.createPublicKey)({ key: bytes, format: 'der', type: 'spki' });
        case 'ed25519':
            if (bytes.length !== 32)
                throw new Error('ed25519 key is not 32 bytes');
            return (0,external_node_crypto_.createPublicKey)({
                key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]),
                format: 'der',
                type: 'spki',
            });
        case 'ecdsa-x509':
        case 'rsa-x509': {
            const cert = new external_node_crypto_.X509Certificate(bytes);
            // A certificate OpenSSL parsed has its SubjectPublicKeyInfo sixth.
            requireNamedCurve(certificateParts(cert.raw).tbs[5].raw);
            return cert.publicKey;
        }
        default:
            throw new Error(`unsupported key type ${key.keytype}`);
    }
}
/**
 * Go's x509.ParsePKIXPublicKey (and x509.ParseCertificate) takes an EC key's parameters only as
 * a named curve's OID; Node also reads them written out, as the same curve. A key notary cannot
 * read is not one here. Other keys' parameters are not looked at.
 */
function requireNamedCurve(spki) {
    const alg = sequence(sequence(parseDerPrefix(spki), 'SubjectPublicKeyInfo')[0], 'algorithm');
    if (oidOf(alg[0]) === OID.ecPublicKey)
        oidOf(alg[1], 'a named curve');
}
function tufKey(keytype, pub) {
    return { keytype, keyval: { private: null, public: Buffer.from(pub).toString('base64') } };
}
/**
 * The canonical key ID (notary-spec.md §2): for `ecdsa-x509`/`rsa-x509` the ID of the plain
 * key inside the leaf certificate; for every other type the TUF ID itself. Private key file
 * names and key lookups use this ID; root.json and signatures use the TUF ID.
 */
function canonicalKeyId(key) {
    if (isCertKeytype(key.keytype))
        return keyIdOf(tufKeyFromKeyObject(keyid_publicKeyOf(key)));
    return keyIdOf(key);
}
/** The first 7 hex digits, as notary shows IDs in messages. */
function shortId(id) {
    return id.slice(0, 7);
}

;// CONCATENATED MODULE: ./src/keys/pkcs8.ts
/**
 * Turns one private-key PEM block into a KeyObject. Every encrypted form is decrypted here, by
 * hand, so that notary's Ed25519 PKCS#8 (which OpenSSL cannot read) takes the same path as
 * the rest: PBES2 (notary-spec.md §1.4) and OpenSSL's legacy `Proc-Type` PEM (§1.5), then the
 * inner PKCS#8 / SEC1 / PKCS#1 (§1.3). Every buffer that held key or passphrase bytes is
 * zeroed before returning.
 *
 * Why not `createPrivateKey({ passphrase })`: OpenSSL opens notary's ECDSA and RSA files, but
 * not its Ed25519 ones (an OID OpenSSL does not know), so this path would stay for those as
 * a second one; the header parse in front (the PBKDF2 cap; scrypt, PBES1 or GCM named rather
 * than taken for a wrong passphrase) would stay too; and the plaintext would sit where we
 * cannot zero it. The tests use OpenSSL as the independent check instead.
 */





/** Private-key PEM types this module reads. */
const pkcs8_PRIVATE_KEY_TYPES = new Set([
    'ENCRYPTED PRIVATE KEY',
    'PRIVATE KEY',
    'EC PRIVATE KEY',
    'RSA PRIVATE KEY',
    'ED25519 PRIVATE KEY',
]);
const PRFS = {
    [OID.hmacWithSHA1]: 'sha1',
    [OID.hmacWithSHA224]: 'sha224',
    [OID.hmacWithSHA256]: 'sha256',
    [OID.hmacWithSHA384]: 'sha384',
    [OID.hmacWithSHA512]: 'sha512',
};
const PBES2_CIPHERS = {
    [OID.aes128cbc]: { name: 'aes-128-cbc', keyLen: 16 },
    [OID.aes192cbc]: { name: 'aes-192-cbc', keyLen: 24 },
    [OID.aes256cbc]: { name: 'aes-256-cbc', keyLen: 32 },
};
const LEGACY_CIPHERS = {
    'AES-128-CBC': { name: 'aes-128-cbc', keyLen: 16, ivLen: 16 },
    'AES-192-CBC': { name: 'aes-192-cbc', keyLen: 24, ivLen: 16 },
    'AES-256-CBC': { name: 'aes-256-cbc', keyLen: 32, ivLen: 16 },
    'DES-EDE3-CBC': { name: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
};
/**
 * Algorithms that exist but notary never writes, by the place they appear in, named when met.
 * Any other OID where notary writes one of its own means the file was damaged: one changed
 * character of a PEM body lands in an OID as often as anywhere.
 */
const OTHER_ALGORITHMS = {
    'encryption scheme': {
        '1.2.840.113549.1.5.1': 'PBES1 (MD2, DES)',
        '1.2.840.113549.1.5.3': 'PBES1 (MD5, DES)',
        '1.2.840.113549.1.5.4': 'PBES1 (MD2, RC2)',
        '1.2.840.113549.1.5.6': 'PBES1 (MD5, RC2)',
        '1.2.840.113549.1.5.10': 'PBES1 (SHA-1, DES)',
        '1.2.840.113549.1.5.11': 'PBES1 (SHA-1, RC2)',
        '1.2.840.113549.1.12.1.3': 'PKCS#12 PBE (SHA-1, 3DES)',
        '1.2.840.113549.1.12.1.6': 'PKCS#12 PBE (SHA-1, RC2-40)',
    },
    'key derivation': { '1.3.6.1.4.1.11591.4.11': 'scrypt' },
    'PBKDF2 PRF': {
        '1.2.840.113549.2.12': 'HMAC-SHA-512/224',
        '1.2.840.113549.2.13': 'HMAC-SHA-512/256',
    },
    cipher: {
        '1.2.840.113549.3.2': 'RC2-CBC',
        '1.2.840.113549.3.7': 'DES-EDE3-CBC',
        '1.3.14.3.2.7': 'DES-CBC',
        '2.16.840.1.101.3.4.1.6': 'AES-128-GCM',
        '2.16.840.1.101.3.4.1.26': 'AES-192-GCM',
        '2.16.840.1.101.3.4.1.46': 'AES-256-GCM',
    },
    'key algorithm': {
        '1.2.840.10040.4.1': 'DSA',
        '1.2.840.113549.1.3.1': 'DH',
        '1.2.840.113549.1.1.10': 'RSASSA-PSS',
        '1.3.101.110': 'X25519',
        '1.3.101.111': 'X448',
        '1.3.101.113': 'Ed448',
    },
    'EC curve': {
        '1.3.132.0.10': 'secp256k1',
        '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
        '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
        '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
    },
};
/** More PBKDF2 rounds than any tool writes; a file asking for more is refused, not ground through. */
const MAX_ITERATIONS = 10_000_000;
/** RFC 8410 PKCS#8 for Ed25519 is this fixed prefix followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
function isEncryptedBlock(block) {
    return (block.type === 'ENCRYPTED PRIVATE KEY' ||
        block.headers['Proc-Type']?.split(',').includes('ENCRYPTED') === true);
}
/**
 * Loads the key in `block`. `passphrase` is needed when `isEncryptedBlock`; `label` names the
 * key in error messages ("targets key 6a03f3c (input block 2)"). The caller checks the
 * passphrase is there, so it can name the input to set.
 */
function loadKeyBlock(block, passphrase, label) {
    const encrypted = isEncryptedBlock(block);
    if (encrypted && !passphrase) {
        throw new errors/* DctError */.sY('KEY_PASSPHRASE_MISSING', `${label} is encrypted and no passphrase was given`);
    }
    const pass = encrypted ? Buffer.from(passphrase) : undefined;
    let plain;
    try {
        if (block.type === 'ENCRYPTED PRIVATE KEY') {
            plain = decryptPbes2(block.der, pass, label);
            return checkKey(keyFromPkcs8(plain, label, true), label);
        }
        if (encrypted)
            plain = decryptLegacy(block, pass, label);
        const der = plain ?? block.der;
        switch (block.type) {
            case 'PRIVATE KEY':
                return checkKey(keyFromPkcs8(der, label, encrypted), label);
            case 'EC PRIVATE KEY':
                return checkKey(nodeKey(der, 'sec1', label, encrypted), label);
            case 'RSA PRIVATE KEY':
                return checkKey(nodeKey(der, 'pkcs1', label, encrypted), label);
            case 'ED25519 PRIVATE KEY':
                return checkKey(ed25519FromNotary(der, label, encrypted), label);
            default:
                throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `${label}: a ${block.type} block is not a private key`);
        }
    }
    finally {
        pass?.fill(0);
        plain?.fill(0);
    }
}
function badPassphrase(label, cause) {
    return new errors/* DctError */.sY('KEY_BAD_PASSPHRASE', `${label} could not be decrypted: the passphrase is wrong (or the file is damaged)`, { cause });
}
function notAKey(label, what, cause) {
    return new errors/* DctError */.sY('KEY_NOT_A_KEY', `${label} is damaged or not a private key: ${what}`, {
        cause,
    });
}
/** An encrypted key whose own structure (readable without the passphrase) is broken. */
function damagedFile(label, what, cause) {
    return new errors/* DctError */.sY('KEY_DAMAGED', `${label} is damaged (${what}); copy the key file again from ~/.docker/trust/private or your backup`, { cause });
}
/**
 * A known algorithm notary does not use is unsupported; an unknown OID, or a known one whose
 * parameters have the shape of what notary writes there (`ourShape`), is damage.
 */
function otherAlgorithm(label, what, oid, supported, ourShape = false) {
    const name = OTHER_ALGORITHMS[what][oid];
    if (name === undefined || ourShape) {
        return damagedFile(label, `its ${what} is not the one notary writes (${oid})`);
    }
    return new errors/* DctError */.sY('KEY_UNSUPPORTED', `${label} uses ${what} ${name}; ${supported}`);
}
/** Damage in plaintext structure means a wrong passphrase when it was encrypted. */
function damaged(label, encrypted, what, cause) {
    return encrypted ? badPassphrase(label, cause) : notAKey(label, what, cause);
}
/** PBES2 with PBKDF2 and AES-CBC (RFC 8018); returns the plaintext PKCS#8 (caller zeroes it). */
function decryptPbes2(der, pass, label) {
    let salt, iterations, prf, cipher;
    let iv, data;
    try {
        const [algId, encrypted] = sequence(parseDerPrefix(der), 'EncryptedPrivateKeyInfo');
        const [algOid, params] = sequence(algId, 'AlgorithmIdentifier');
        const alg = oidOf(algOid);
        if (alg !== OID.pbes2) {
            // PBES1 parameters are (salt, count); two SEQUENCEs are PBES2's (kdf, cipher).
            throw otherAlgorithm(label, 'encryption scheme', alg, 'only PBES2 (what notary and docker write) is supported', params?.tag === TAG.SEQUENCE && children(params)[0]?.tag === TAG.SEQUENCE);
        }
        const [kdf, enc] = sequence(params, 'PBES2 parameters');
        const [kdfOid, kdfParams] = sequence(kdf, 'KDF');
        const kdfName = oidOf(kdfOid);
        if (kdfName !== OID.pbkdf2) {
            throw otherAlgorithm(label, 'key derivation', kdfName, 'only PBKDF2 is supported');
        }
        const p = sequence(kdfParams, 'PBKDF2 parameters');
        salt = octets(p[0], 'salt');
        iterations = smallInt(p[1], 'iteration count');
        let rest = p.slice(2);
        let keyLength;
        if (rest[0]?.tag === TAG.INTEGER) {
            keyLength = smallInt(rest[0], 'key length');
            rest = rest.slice(1);
        }
        // The PRF is optional and defaults to HMAC-SHA1, which is what notary relies on (§1.4).
        prf = 'sha1';
        if (rest[0]) {
            const prfOid = oidOf(sequence(rest[0], 'PRF')[0]);
            const found = PRFS[prfOid];
            if (!found)
                throw otherAlgorithm(label, 'PBKDF2 PRF', prfOid, 'only HMAC-SHA-1/2 are supported');
            prf = found;
        }
        const [cipherOid, ivNode] = sequence(enc, 'encryption scheme');
        const cipherName = oidOf(cipherOid);
        const found = PBES2_CIPHERS[cipherName];
        if (!found) {
            // GCM's parameters are a SEQUENCE; a bare OCTET STRING is CBC's IV.
            throw otherAlgorithm(label, 'cipher', cipherName, 'only AES-CBC is supported', ivNode?.tag === TAG.OCTET_STRING);
        }
        cipher = found;
        iv = octets(ivNode, 'IV');
        data = octets(encrypted, 'encrypted data');
        if (iv.length !== 16)
            throw new DerError('bad IV length');
        if (keyLength !== undefined && keyLength !== cipher.keyLen)
            throw new DerError('bad key length');
        if (iterations < 1)
            throw new DerError('no PBKDF2 iterations');
        if (iterations > MAX_ITERATIONS) {
            throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `${label} asks for ${iterations} PBKDF2 iterations; refusing`);
        }
        if (data.length === 0 || data.length % 16 !== 0)
            throw new DerError('bad ciphertext length');
    }
    catch (e) {
        if (e instanceof errors/* DctError */.sY)
            throw e;
        throw damagedFile(label, 'its encryption header does not parse', e);
    }
    const key = (0,external_node_crypto_.pbkdf2Sync)(pass, salt, iterations, cipher.keyLen, prf);
    try {
        return decipher(cipher.name, key, iv, data, label);
    }
    finally {
        key.fill(0);
    }
}
function decipher(name, key, iv, data, label) {
    const d = (0,external_node_crypto_.createDecipheriv)(name, key, iv);
    const head = d.update(data);
    let tail;
    try {
        tail = d.final();
        return Buffer.concat([head, tail]);
    }
    catch (e) {
        // Bad padding: by far the most common sign of a wrong passphrase.
        throw badPassphrase(label, e);
    }
    finally {
        head.fill(0);
        tail?.fill(0);
    }
}
/** OpenSSL "traditional" PEM encryption: EVP_BytesToKey(MD5, 1 round), notary-spec.md §1.5. */
function decryptLegacy(block, pass, label) {
    const dek = block.headers['DEK-Info'] ?? '';
    const comma = dek.indexOf(',');
    const cipher = LEGACY_CIPHERS[(comma === -1 ? dek : dek.slice(0, comma)).toUpperCase()];
    if (!cipher) {
        throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `${label} is encrypted with ${JSON.stringify(dek.slice(0, comma === -1 ? undefined : comma))}; only AES-CBC and DES-EDE3-CBC are supported`);
    }
    const ivHex = dek.slice(comma + 1);
    if (comma === -1 || !/^[0-9a-fA-F]+$/.test(ivHex) || ivHex.length !== cipher.ivLen * 2) {
        throw notAKey(label, 'its DEK-Info header has no valid IV');
    }
    const iv = Buffer.from(ivHex, 'hex');
    const key = Buffer.alloc(cipher.keyLen);
    let prev = Buffer.alloc(0);
    try {
        for (let filled = 0; filled < key.length;) {
            const next = (0,external_node_crypto_.createHash)('md5').update(prev).update(pass).update(iv.subarray(0, 8)).digest();
            prev.fill(0);
            prev = next;
            filled += prev.copy(key, filled);
        }
        if (block.der.length === 0 || block.der.length % iv.length !== 0) {
            throw notAKey(label, 'the encrypted data has a bad length');
        }
        return decipher(cipher.name, key, iv, block.der, label);
    }
    finally {
        key.fill(0);
        prev.fill(0);
    }
}
function nodeKey(der, type, label, encrypted) {
    try {
        // Check the outer structure with our reader first: Node's parser reports less helpfully.
        expectTag(parseDerPrefix(der), TAG.SEQUENCE, 'a SEQUENCE');
        return (0,external_node_crypto_.createPrivateKey)({ key: der, format: 'der', type });
    }
    catch (e) {
        throw damaged(label, encrypted, `its ${type.toUpperCase()} data does not parse`, e);
    }
}
/** Loads a PKCS#8 PrivateKeyInfo (notary's forms, §1.3, and the standard ones). */
function keyFromPkcs8(der, label, encrypted) {
    let alg, params;
    let privateKey, info;
    try {
        // Notary leaves padding after the DER and Go ignores it (§1.4); so do we.
        const node = parseDerPrefix(der);
        const items = sequence(node, 'PrivateKeyInfo');
        smallInt(items[0], 'version');
        const algItems = sequence(items[1], 'AlgorithmIdentifier');
        alg = oidOf(algItems[0]);
        params = algItems[1];
        privateKey = octets(items[2], 'privateKey');
        info = node.raw;
    }
    catch (e) {
        throw damaged(label, encrypted, 'its PKCS#8 structure does not parse', e);
    }
    switch (alg) {
        case OID.ecPublicKey: {
            let curve;
            try {
                curve = oidOf(params, 'a named curve');
            }
            catch (e) {
                throw damaged(label, encrypted, 'its EC parameters are not a named curve', e);
            }
            if (curveByOid(curve) === undefined) {
                throw otherAlgorithm(label, 'EC curve', curve, `notary supports ${CURVE_NAMES}`);
            }
            return nodeKey(info, 'pkcs8', label, encrypted);
        }
        case OID.rsaEncryption:
        case OID.ed25519:
            return nodeKey(info, 'pkcs8', label, encrypted);
        case OID.notaryEd25519:
            return ed25519FromNotary(privateKey, label, encrypted);
        default:
            throw otherAlgorithm(label, 'key algorithm', alg, 'notary keys are ECDSA, RSA or Ed25519');
    }
}
/**
 * Notary's Ed25519 private key: pub(32) ‖ seed(32) ‖ pub(32) (§1.3). OpenSSL cannot read it,
 * so the seed is wrapped in an RFC 8410 PKCS#8, and the stored public key is checked.
 */
function ed25519FromNotary(raw, label, encrypted) {
    if (raw.length !== 96)
        throw damaged(label, encrypted, `its Ed25519 key is ${raw.length} bytes, not 96`);
    const pkcs8 = Buffer.alloc(ED25519_PKCS8_PREFIX.length + 32);
    let key;
    try {
        // Any 32 bytes are an Ed25519 seed: this loads whatever the file holds.
        ED25519_PKCS8_PREFIX.copy(pkcs8);
        raw.copy(pkcs8, ED25519_PKCS8_PREFIX.length, 32, 64);
        key = (0,external_node_crypto_.createPrivateKey)({ key: pkcs8, format: 'der', type: 'pkcs8' });
    }
    finally {
        pkcs8.fill(0);
    }
    const pub = ed25519PublicBytes(key);
    if (!pub.equals(raw.subarray(0, 32)) || !pub.equals(raw.subarray(64, 96))) {
        throw damaged(label, encrypted, 'its Ed25519 public key does not match the seed');
    }
    return key;
}
/** Refuses key types and sizes notary cannot sign with (§1.6). */
function checkKey(key, label) {
    const problem = keyProblem(key);
    if (problem !== undefined)
        throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `${label} ${problem}`);
    return key;
}

;// CONCATENATED MODULE: ./src/keys/sign.ts
/**
 * The one place that maps a signature method to how Node signs and verifies with it. Notary
 * (notary-spec.md §4.5) writes ECDSA as raw r‖s over SHA-256 on every curve, RSASSA-PSS with
 * SHA-256 and a 32-byte salt, and plain Ed25519; it also verifies RSA PKCS#1 v1.5. cosign
 * writes ECDSA over SHA-256 as ASN.1 DER (the `der` encoding here).
 */


const METHODS = new Map([
    ['ecdsa', { keyType: 'ec', hash: 'sha256' }],
    [
        'rsapss',
        { keyType: 'rsa', hash: 'sha256', padding: external_node_crypto_.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    ],
    ['rsapkcs1v15', { keyType: 'rsa', hash: 'sha256', padding: external_node_crypto_.constants.RSA_PKCS1_PADDING }],
    ['eddsa', { keyType: 'ed25519', hash: null }],
]);
/** The method notary signs with for each key type. */
const SIGN_WITH = { ec: 'ecdsa', rsa: 'rsapss', ed25519: 'eddsa' };
function signatureMethod(key) {
    const type = key.asymmetricKeyType;
    if (type === 'ec' || type === 'rsa' || type === 'ed25519')
        return SIGN_WITH[type];
    throw new TypeError(`cannot sign with a ${String(type)} key`);
}
function nodeOptions(key, m, ecdsa) {
    const opts = { key };
    if (m.keyType === 'ec')
        opts.dsaEncoding = ecdsa;
    if (m.padding !== undefined)
        opts.padding = m.padding;
    if (m.saltLength !== undefined)
        opts.saltLength = m.saltLength;
    return opts;
}
/** Signs `message` with the private `key` by notary's method for its type. */
function sign(key, message, ecdsa = 'ieee-p1363') {
    const method = signatureMethod(key);
    const m = METHODS.get(method);
    return { method, sig: (0,external_node_crypto_.sign)(m.hash, message, nodeOptions(key, m, ecdsa)) };
}
/**
 * Whether `sig` is a `method` signature (case-insensitive) of `message` under the public
 * `pub`. Fail-closed: false for an unknown method, a key of another type or one notary
 * refuses (`keyProblem`: curve, RSA size), a raw ECDSA signature not exactly twice the curve
 * size (Go refuses DER there), an Ed25519 signature not 64 bytes, or any error.
 */
function verifySignature(method, pub, message, sig, ecdsa = 'ieee-p1363') {
    const m = METHODS.get(method.toLowerCase());
    if (m === undefined || pub.asymmetricKeyType !== m.keyType || keyProblem(pub) !== undefined) {
        return false;
    }
    if (m.keyType === 'ec' && ecdsa === 'ieee-p1363' && sig.length !== 2 * curveOf(pub).bytes) {
        return false;
    }
    if (m.keyType === 'ed25519' && sig.length !== 64)
        return false;
    try {
        return (0,external_node_crypto_.verify)(m.hash, message, nodeOptions(pub, m, ecdsa), sig);
    }
    catch {
        return false; // e.g. a malformed DER signature
    }
}

;// CONCATENATED MODULE: ./src/keys/keyring.ts
/**
 * The private keys of one run, held as KeyObjects. Keys are found by canonical key ID
 * (notary-spec.md §2), never by their `role:` header: the signing flow asks which of the keys
 * a role lists in metadata we hold. Only the keys a command needs are decrypted, so signing
 * works with the repository passphrase even when the input also holds the root key.
 */






/** A key is a root key by its `role:` header or its legacy `root_keys/` path (§1.1, §1.5). */
function isRootKeyFile(file) {
    return file.role === 'root';
}
/**
 * The passphrases a `passphrase` value may hold: the value as given, then without one trailing
 * newline (a secret saved from an editor), then each of its lines (several passphrases).
 */
function passphraseCandidates(value) {
    if (value === undefined)
        return [];
    const out = [value, value.replace(/\r?\n$/, ''), ...value.split(/\r?\n/)];
    return [...new Set(out)].filter((p) => p !== '');
}
/** How many passphrases a value holds, for messages. */
function passphraseCount(value) {
    return new Set((value ?? '').split(/\r?\n/).filter((p) => p !== '')).size;
}
function describe(file, id) {
    const shown = id ?? file.idFromName;
    return `${file.role ?? 'unlabelled'} key${shown ? ` ${shortId(shown)}` : ''} (${file.source})`;
}
class KeyRing {
    warnings = [];
    keys = new Map();
    constructor() { }
    /**
     * Decrypts the selected key files (synchronously: PBKDF2 with notary's 2048 rounds is quick).
     * Throws DctError: KEY_PASSPHRASE_MISSING, KEY_BAD_PASSPHRASE (naming every key no passphrase
     * opens), KEY_UNSUPPORTED, KEY_DAMAGED, KEY_NOT_A_KEY, KEY_ID_MISMATCH, KEY_DUPLICATE_ID.
     * The files are not changed; see `disposeKeyFiles`.
     */
    static open(files, opts) {
        const ring = new KeyRing();
        const keys = ring.keys;
        let skippedRoot = 0;
        const candidates = passphraseCandidates(opts.passphrase);
        const rootCandidates = passphraseCandidates(opts.rootPassphrase);
        const unopened = [];
        for (const file of files) {
            const root = isRootKeyFile(file);
            if (opts.include === 'signing' && root) {
                skippedRoot++;
                continue;
            }
            if (opts.include === 'root' && !root)
                continue;
            const encrypted = isEncryptedBlock(file.block);
            const passes = root ? rootCandidates : candidates;
            if (encrypted && passes.length === 0) {
                const input = root ? 'root-passphrase' : 'passphrase';
                throw new errors/* DctError */.sY('KEY_PASSPHRASE_MISSING', `the ${describe(file)} is encrypted; set the \`${input}\` input to its passphrase`);
            }
            if (!encrypted) {
                ring.warnings.push(`the ${describe(file)} is not encrypted; keep keys encrypted with a passphrase, as docker and notary write them`);
            }
            const key = openBlock(file, encrypted ? passes : [undefined]);
            if (key === undefined) {
                // Never a quiet fallback: a key the user gave that stays shut would leave its role
                // unsigned and another key signing in its place.
                unopened.push({ file, root });
                continue;
            }
            const tufKey = tufKeyFromKeyObject(key);
            const id = keyIdOf(tufKey);
            if (file.idFromName !== undefined && file.idFromName !== id) {
                throw new errors/* DctError */.sY('KEY_ID_MISMATCH', `${file.source} is named for key ${shortId(file.idFromName)} but holds key ${shortId(id)}; restore the file under its own name`);
            }
            const existing = keys.get(id);
            if (existing) {
                if (!samePrivateKey(existing.key, key)) {
                    throw new errors/* DctError */.sY('KEY_DUPLICATE_ID', `${existing.source} and ${file.source} hold different private keys for key ID ${shortId(id)}; one of them is damaged`);
                }
                continue; // the same key twice, e.g. in two layouts of one backup
            }
            const held = {
                id,
                source: file.source,
                keytype: PLAIN_KEYTYPE[key.asymmetricKeyType],
                tufKey,
                key,
            };
            if (file.role !== undefined)
                held.role = file.role;
            if (file.gun !== undefined)
                held.gun = file.gun;
            keys.set(id, held);
        }
        if (unopened.length > 0)
            throw notOpened(unopened, opts);
        // After the duplicate check, so two files disagreeing is reported as such.
        for (const held of keys.values())
            selfTest(held);
        // Root keys are skipped only when signing keys are asked for.
        if (keys.size === 0 && skippedRoot > 0) {
            ring.warnings.push('the keys input holds only root keys; signing needs the repository or a delegation key');
        }
        return ring;
    }
    live() {
        if (!this.keys)
            throw new errors/* DctError */.sY('KEYRING_DISPOSED', 'the key ring was already disposed');
        return this.keys;
    }
    /** Canonical IDs of the held keys. */
    ids() {
        return [...this.live().keys()];
    }
    held() {
        return [...this.live().values()];
    }
    /**
     * The held key behind a key listed in metadata, if any. `tufKeyId` is the ID metadata uses
     * for it; an x509 root key is matched through its certificate's public key (§2).
     */
    find(tufKeyId, tufKey) {
        const keys = this.live();
        // An entry whose ID does not hash from its content is not the key it claims to be.
        if (keyIdOf(tufKey) !== tufKeyId)
            return undefined;
        let canonical;
        try {
            canonical = canonicalKeyId(tufKey);
        }
        catch {
            return undefined; // an unreadable certificate names no key we could hold
        }
        return keys.get(canonical);
    }
    /**
     * Which of the listed keys we hold: `keyIds` are a role's `keyids`, `keys` the metadata's key
     * map (root.json `keys`, or a delegation's `keys`). Returns TUF IDs, in `keyIds` order.
     */
    heldAmong(keyIds, keys) {
        return keyIds.filter((id) => keys[id] !== undefined && this.find(id, keys[id]) !== undefined);
    }
    /** A signer for a key listed in metadata (TufKey + its TUF id), if we hold its private key. */
    signerFor(tufKeyId, tufKey) {
        const held = this.find(tufKeyId, tufKey);
        if (!held)
            return undefined;
        return {
            keyId: tufKeyId,
            sign: (message) => {
                this.live();
                return sign(held.key, message);
            },
        };
    }
    /** Drops every KeyObject; any later use throws KEYRING_DISPOSED. Safe to call twice. */
    dispose() {
        this.keys?.clear();
        this.keys = undefined;
    }
}
/** The key of `file` under the first passphrase that opens it; undefined when none does. */
function openBlock(file, passes) {
    for (const pass of passes) {
        try {
            return loadKeyBlock(file.block, pass, `the ${describe(file)}`);
        }
        catch (e) {
            if (e instanceof errors/* DctError */.sY && e.code === 'KEY_BAD_PASSPHRASE')
                continue;
            throw e;
        }
    }
    return undefined;
}
/** One line naming every key that no passphrase opened, and the input to fix. */
function notOpened(unopened, opts) {
    const root = unopened.some((u) => u.root);
    const input = root ? 'root-passphrase' : 'passphrase';
    const n = passphraseCount(root ? opts.rootPassphrase : opts.passphrase);
    const tried = n > 1 ? `any of the ${n} passphrases in \`${input}\`` : `\`${input}\``;
    const named = unopened.filter((u) => u.root === root).map((u) => `the ${describe(u.file)}`);
    const what = named.length === 1
        ? `${named[0]} could not`
        : `${named.length} keys could not (${named.join(', ')})`;
    const fix = root
        ? `set \`root-passphrase\` to the root key's passphrase`
        : `add ${named.length === 1 ? 'its passphrase' : 'their passphrases'} to \`passphrase\` (one per line), or leave ${named.length === 1 ? 'that key' : 'them'} out of \`keys\``;
    return new errors/* DctError */.sY('KEY_BAD_PASSPHRASE', `${what} be decrypted with ${tried}: the passphrase is wrong or the file is damaged; ${fix}`);
}
/** Same private key: compare the PKCS#8 exports (zeroed afterwards). */
function samePrivateKey(a, b) {
    const da = a.export({ type: 'pkcs8', format: 'der' });
    const db = b.export({ type: 'pkcs8', format: 'der' });
    try {
        return da.equals(db);
    }
    finally {
        da.fill(0);
        db.fill(0);
    }
}
/**
 * A file can carry a public part that does not belong to its private part (SEC1 stores both).
 * The key ID comes from the public part, so sign once and verify, rather than publish bad
 * signatures under that ID.
 */
function selfTest(held) {
    const message = Buffer.from('dct key self-test');
    const { method, sig } = sign(held.key, message);
    if (!verifySignature(method, (0,external_node_crypto_.createPublicKey)(held.key), message, sig)) {
        throw new errors/* DctError */.sY('KEY_NOT_A_KEY', `the ${held.role ?? 'unlabelled'} key ${shortId(held.id)} (${held.source}) is damaged: its private and public parts do not match`);
    }
}

;// CONCATENATED MODULE: ./src/keys/pem.ts
/**
 * PEM with RFC 1421 style headers, read and written the way Go's encoding/pem does. Node and
 * OpenSSL refuse notary's key files (a `role:` header that is not preceded by `Proc-Type`,
 * notary-spec.md §1.2), so every key block goes through this parser and Node only sees DER.
 */

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?)-----$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Splits text into lines, accepting LF, CRLF and lone CR, and trims each line. */
function pem_textLines(text) {
    return text.split(/\r\n|\r|\n/).map((l) => l.trim());
}
/**
 * Every PEM block in `text`, in order; text between blocks is ignored (as Go does). A block
 * whose body is not valid base64 or that never ends is an error, not silently skipped: a key
 * secret cut short while pasting should say so.
 */
function pem_parsePem(text) {
    const blocks = [];
    try {
        return readBlocks(pem_textLines(text), blocks);
    }
    catch (e) {
        // Blocks decoded before the bad one may hold unencrypted keys: zero them.
        for (const b of blocks)
            b.der.fill(0);
        throw e;
    }
}
function readBlocks(lines, blocks) {
    for (let i = 0; i < lines.length; i++) {
        const begin = BEGIN.exec(lines[i]);
        if (!begin)
            continue;
        const type = begin[1];
        const n = blocks.length + 1;
        const end = `-----END ${type}-----`;
        let j = i + 1;
        const headers = {};
        const headerOrder = [];
        for (; j < lines.length && lines[j].includes(':') && !lines[j].startsWith('-----'); j++) {
            const line = lines[j];
            const colon = line.indexOf(':');
            const name = line.slice(0, colon).trim();
            if (!(name in headers))
                headerOrder.push(name);
            headers[name] = line.slice(colon + 1).trim();
        }
        const body = [];
        // The body ends at the first line of dashes: the END line, or whatever cut the block.
        for (; j < lines.length && !lines[j].startsWith('-----'); j++) {
            body.push(lines[j].replace(/\s/g, ''));
        }
        if (lines[j] !== end) {
            throw new errors/* DctError */.sY('KEY_NOT_A_KEY', `PEM block ${n} (${type}) has no matching END line; paste the whole key file`);
        }
        const b64 = body.join('');
        if (!BASE64.test(b64)) {
            throw new errors/* DctError */.sY('KEY_BAD_BASE64', `PEM block ${n} (${type}) does not hold valid base64; paste the key file unchanged`);
        }
        blocks.push({ type, headers, headerOrder, der: Buffer.from(b64, 'base64') });
        i = j;
    }
    return blocks;
}
/** The base64 body lines of each block in `text`, for masking before anything is logged. */
function pem_pemBodyLines(text) {
    const out = [];
    let inBlock = false;
    for (const line of pem_textLines(text)) {
        if (line.startsWith('-----BEGIN '))
            inBlock = true;
        else if (line.startsWith('-----END '))
            inBlock = false;
        else if (inBlock && line !== '' && !line.includes(':'))
            out.push(line);
    }
    return out;
}
/**
 * PEM text as Go's pem.Encode writes it: `Proc-Type` first, the other headers sorted, a
 * blank line after headers, base64 in 64-character lines, a final newline.
 */
function encodePem(block) {
    const names = Object.keys(block.headers)
        .filter((k) => k !== 'Proc-Type')
        .sort();
    if ('Proc-Type' in block.headers)
        names.unshift('Proc-Type');
    let out = `-----BEGIN ${block.type}-----\n`;
    for (const name of names)
        out += `${name}: ${block.headers[name]}\n`;
    if (names.length > 0)
        out += '\n';
    const b64 = block.der.toString('base64');
    for (let i = 0; i < b64.length; i += 64)
        out += `${b64.slice(i, i + 64)}\n`;
    return `${out}-----END ${block.type}-----\n`;
}

;// CONCATENATED MODULE: ./src/keys/tar.ts
/**
 * An in-memory reader for the `.tar.gz` backup of `~/.docker/trust/private` (ACTION.md input
 * `keys`). Only regular files are returned; nothing ever touches the disk. Bounds keep a
 * hostile archive from using much memory: see LIMITS.
 */

const tar_LIMITS = {
    entries: 1000,
    totalBytes: 16 * 1024 * 1024,
    entryBytes: 1024 * 1024,
};
const BLOCK = 512;
function tar_isGzip(buf) {
    return buf[0] === 0x1f && buf[1] === 0x8b;
}
function tar_isTar(buf) {
    return buf.length >= BLOCK && buf.toString('latin1', 257, 262) === 'ustar';
}
/** Gunzips with a hard cap on the output, so a zip bomb fails early instead of filling memory. */
function tar_gunzipBounded(gz, limit = tar_LIMITS.totalBytes) {
    try {
        // Loaded here, not at start: only a backup archive needs it.
        return process.getBuiltinModule('node:zlib').gunzipSync(gz, { maxOutputLength: limit });
    }
    catch (e) {
        if (e.code === 'ERR_BUFFER_TOO_LARGE') {
            throw new DctError('KEY_ARCHIVE_TOO_LARGE', `the key archive unpacks to more than ${limit >> 20} MiB; back up only ~/.docker/trust/private`, { cause: e });
        }
        throw new DctError('KEY_BAD_ARCHIVE', `the key archive is not a valid gzip file (${zlibMessage(e)}); recreate it with tar -zcf`, { cause: e });
    }
}
function zlibMessage(e) {
    const errno = e.errno;
    if (errno === process.getBuiltinModule('node:zlib').constants.Z_BUF_ERROR)
        return 'truncated';
    return describeError(e).split('\n')[0];
}
function bad(message) {
    return new DctError('KEY_BAD_ARCHIVE', `the key archive is damaged: ${message}`);
}
function cString(buf, start, len) {
    const field = buf.subarray(start, start + len);
    const nul = field.indexOf(0);
    return field.toString('utf8', 0, nul === -1 ? len : nul);
}
/** Numeric header field: octal text, or GNU base-256 when the high bit is set. */
function numeric(buf, start, len, what) {
    const field = buf.subarray(start, start + len);
    if (field[0] & 0x80) {
        if (field[0] === 0xff)
            throw bad(`negative ${what}`);
        let v = field[0] & 0x7f;
        for (let i = 1; i < len; i++) {
            v = v * 256 + field[i];
            if (v > Number.MAX_SAFE_INTEGER)
                throw bad(`${what} too large`);
        }
        return v;
    }
    const text = field
        .toString('latin1')
        .replace(/[\0 ]+$/, '')
        .replace(/^ +/, '');
    if (text === '')
        return 0;
    if (!/^[0-7]+$/.test(text))
        throw bad(`bad ${what} field`);
    return parseInt(text, 8);
}
function checksumOk(header) {
    const stored = numeric(header, 148, 8, 'checksum');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? 0x20 : header[i];
    return sum === stored;
}
/** pax records: "<len> <key>=<value>\n", len counting the whole record. */
function paxRecords(data) {
    const out = new Map();
    let pos = 0;
    while (pos < data.length) {
        const space = data.indexOf(0x20, pos);
        if (space === -1)
            throw bad('bad pax header');
        const lenText = data.toString('latin1', pos, space);
        if (!/^[1-9]\d*$/.test(lenText))
            throw bad('bad pax header');
        const len = Number(lenText);
        const end = pos + len;
        if (end > data.length || data[end - 1] !== 0x0a)
            throw bad('bad pax header');
        const record = data.toString('utf8', space + 1, end - 1);
        const eq = record.indexOf('=');
        if (eq === -1)
            throw bad('bad pax header');
        out.set(record.slice(0, eq), record.slice(eq + 1));
        pos = end;
    }
    return out;
}
/** Rejects absolute paths and `..` segments, as a tar extractor must. */
function checkPath(path) {
    const segments = path.split(/[/\\]/);
    if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
        throw new DctError('KEY_ARCHIVE_PATH', `the key archive holds an absolute path (${JSON.stringify(path)}); create it with relative paths`);
    }
    if (segments.includes('..')) {
        throw new DctError('KEY_ARCHIVE_PATH', `the key archive holds a path that leaves its folder (${JSON.stringify(path)}); refusing it`);
    }
}
/**
 * The regular files of a tar (ustar, GNU and pax), in archive order. Directories, links and
 * devices are skipped; GNU `././@LongLink` and pax `path` records supply long names.
 */
function tar_readTar(tar) {
    const files = [];
    let pos = 0;
    let entries = 0;
    let longName;
    let paxPath;
    let paxSize;
    while (pos + BLOCK <= tar.length) {
        const header = tar.subarray(pos, pos + BLOCK);
        if (header.every((b) => b === 0))
            return files; // end-of-archive marker
        if (!checksumOk(header))
            throw bad('header checksum mismatch');
        if (++entries > tar_LIMITS.entries) {
            throw new DctError('KEY_ARCHIVE_TOO_LARGE', `the key archive has more than ${tar_LIMITS.entries} entries; back up only ~/.docker/trust/private`);
        }
        const type = String.fromCharCode(header[156]);
        const size = paxSize ?? numeric(header, 124, 12, 'size');
        if (size > tar_LIMITS.entryBytes) {
            throw new DctError('KEY_ARCHIVE_TOO_LARGE', `an entry of the key archive is larger than ${tar_LIMITS.entryBytes >> 20} MiB; key files are small, check the archive`);
        }
        const dataStart = pos + BLOCK;
        const dataEnd = dataStart + size;
        if (dataEnd > tar.length)
            throw bad('truncated');
        const data = tar.subarray(dataStart, dataEnd);
        pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L') {
            longName = cString(data, 0, data.length);
            continue;
        }
        if (type === 'x') {
            const rec = paxRecords(data);
            paxPath = rec.get('path') ?? paxPath;
            const s = rec.get('size');
            if (s !== undefined) {
                if (!/^\d+$/.test(s))
                    throw bad('bad pax size');
                paxSize = Number(s);
            }
            continue;
        }
        if (type === 'g' || type === 'K')
            continue; // global pax and long link names: not needed
        let path = paxPath ?? longName;
        if (path === undefined) {
            const name = cString(header, 0, 100);
            // Only POSIX ustar ("ustar\0") has the prefix field; old GNU puts other data there.
            const posix = header.toString('latin1', 257, 263) === 'ustar\0';
            const prefix = posix ? cString(header, 345, 155) : '';
            path = prefix ? `${prefix}/${name}` : name;
        }
        longName = paxPath = paxSize = undefined;
        checkPath(path);
        if (type === '0' || type === '\0' || type === '7') {
            files.push({ path: path.replace(/^(\.\/)+/, ''), data });
        }
    }
    // GNU tar always writes the two zero blocks; data that stops mid-header is damage.
    if (pos !== tar.length)
        throw bad('truncated');
    return files;
}
/**
 * A ustar archive of `files` (regular files, mode from each entry, owner 0, mtime given), in
 * the order given, with the directories each path needs first: what `tar czf` of
 * `~/.docker/trust/private` gives, readable by `readTar` and by GNU tar.
 */
function writeTar(files, mtime) {
    const blocks = [];
    const seconds = Math.floor(mtime.getTime() / 1000);
    const dirs = new Set();
    const entry = (path, type, mode, data) => {
        if (Buffer.byteLength(path) > 100) {
            throw new errors/* DctError */.sY('KEY_ARCHIVE_PATH', `the path ${path} is too long for the archive`);
        }
        const h = Buffer.alloc(BLOCK);
        // Every field but the path is ASCII.
        h.write(path, 0, 100);
        const octal = (n, len) => `${n.toString(8).padStart(len - 1, '0')}\0`;
        h.write(octal(mode, 8), 100);
        h.write(octal(0, 8), 108);
        h.write(octal(0, 8), 116);
        h.write(octal(data?.length ?? 0, 12), 124);
        h.write(octal(seconds, 12), 136);
        h.write(' '.repeat(8), 148);
        h.write(type, 156);
        h.write('ustar\0', 257);
        h.write('00', 263);
        let sum = 0;
        for (const b of h)
            sum += b;
        h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
        blocks.push(h);
        if (data !== undefined) {
            blocks.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
        }
    };
    for (const f of files) {
        const parts = f.path.split('/');
        for (let i = 1; i < parts.length; i++) {
            const dir = `${parts.slice(0, i).join('/')}/`;
            if (!dirs.has(dir)) {
                dirs.add(dir);
                entry(dir, '5', 0o700);
            }
        }
        entry(f.path, '0', f.mode ?? 0o600, f.data);
    }
    blocks.push(Buffer.alloc(BLOCK * 2));
    return Buffer.concat(blocks);
}

;// CONCATENATED MODULE: ./src/keys/secret.ts
/**
 * Reads the `keys` input (ACTION.md): PEM text, base64 of PEM text, or base64 of a `.tar.gz`
 * of `~/.docker/trust/private`, into key files. Decrypting is KeyRing's job; this module only
 * finds the private-key blocks and what their names and paths say about them (§1.1).
 */




const KEY_NAME = /^([0-9a-f]{64})(?:_([^/]+))?\.key$/;
/**
 * Finds every private key in `input`. `mask` is called with every line that could carry key
 * bytes (each PEM body line, each line of a base64 input) before anything else happens to it.
 * `notes` are non-fatal remarks, e.g. public keys or certificates that were skipped.
 */
function readKeySecret(input, mask) {
    const text = input.trim();
    if (text === '')
        throw new DctError('KEY_NOT_A_KEY', 'the keys input is empty');
    const notes = [];
    let files;
    if (text.includes('-----BEGIN')) {
        files = fromPemText(text, mask, notes, (n) => `input block ${n}`);
    }
    else {
        files = fromBase64(text, mask, notes);
    }
    if (files.length === 0) {
        throw new DctError('KEY_NOT_A_KEY', `the keys input holds no private key${notes.length ? ` (${notes.join('; ')})` : ''}; give the encrypted key files from ~/.docker/trust/private`);
    }
    return { files, notes };
}
/** Zeroes the DER held by key files once they are no longer needed (some may be unencrypted). */
function disposeKeyFiles(files) {
    for (const f of files)
        f.block.der.fill(0);
}
function fromBase64(text, mask, notes) {
    const lines = textLines(text).filter((l) => l !== '');
    for (const line of lines)
        mask(line);
    const compact = lines.join('');
    if (lines.length > 1)
        mask(compact);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
        throw new DctError('KEY_BAD_BASE64', 'the keys input is neither PEM key text nor valid base64; give the key files, or base64 of them or of a .tar.gz of ~/.docker/trust/private');
    }
    if ((compact.length * 3) / 4 > LIMITS.totalBytes) {
        throw new DctError('KEY_ARCHIVE_TOO_LARGE', `the keys input is larger than ${LIMITS.totalBytes >> 20} MiB`);
    }
    const decoded = Buffer.from(compact, 'base64');
    let unpacked;
    try {
        const gzip = isGzip(decoded);
        const data = gzip ? (unpacked = gunzipBounded(decoded)) : decoded;
        if (isTar(data))
            return fromTar(data, mask, notes);
        const inner = data.toString('utf8');
        if (inner.includes('-----BEGIN')) {
            return fromPemText(inner, mask, notes, (n) => `input block ${n}`);
        }
        throw gzip
            ? new DctError('KEY_BAD_ARCHIVE', 'the gzip data in the keys input is not a tar archive')
            : new DctError('KEY_NOT_A_KEY', 'the base64 keys input decodes to neither PEM key text nor a .tar.gz of ~/.docker/trust/private');
    }
    finally {
        decoded.fill(0);
        unpacked?.fill(0);
    }
}
function fromPemText(text, mask, notes, name, fromPath) {
    for (const line of pemBodyLines(text))
        mask(line);
    const files = [];
    parsePem(text).forEach((block, i) => {
        const source = name(i + 1);
        if (!PRIVATE_KEY_TYPES.has(block.type)) {
            block.der.fill(0);
            notes.push(`${source}: ignored a ${block.type} block (only private keys are used)`);
            return;
        }
        const file = { source, block };
        // `notary key export` names each block's store location in a `path:` header.
        const p = block.headers.path;
        const named = p ? keyPathInfo(p.endsWith('.key') ? p : `${p}.key`) : {};
        const role = block.headers.role || fromPath?.role || named.role;
        const gun = block.headers.gun || fromPath?.gun || named.gun;
        const id = fromPath?.idFromName ?? named.idFromName;
        if (id)
            file.idFromName = id;
        if (role)
            file.role = role;
        if (gun)
            file.gun = gun;
        files.push(file);
    });
    return files;
}
/** What a path in the private folder says (§1.1): `<id>.key`, legacy root_keys/ and tuf_keys/<gun>/. */
function keyPathInfo(path) {
    const segments = path.split('/').filter((s) => s !== '' && s !== '.');
    const base = segments[segments.length - 1] ?? '';
    const m = KEY_NAME.exec(base);
    const info = {};
    if (!m)
        return info;
    info.idFromName = m[1];
    if (m[2])
        info.role = m[2];
    const parent = segments.length - 2;
    if (segments[parent] === 'root_keys')
        info.role = 'root';
    const tuf = segments.lastIndexOf('tuf_keys');
    if (tuf !== -1 && tuf < parent)
        info.gun = segments.slice(tuf + 1, -1).join('/');
    return info;
}
function fromTar(tar, mask, notes) {
    const files = [];
    let skipped = 0;
    for (const entry of readTar(tar)) {
        if (!entry.path.endsWith('.key')) {
            skipped++;
            continue;
        }
        const text = entry.data.toString('utf8');
        const info = keyPathInfo(entry.path);
        try {
            const found = fromPemText(text, mask, notes, (n) => (n === 1 ? entry.path : `${entry.path} block ${n}`), info);
            if (found.length === 0)
                notes.push(`${entry.path}: holds no private key`);
            files.push(...found);
        }
        catch (e) {
            disposeKeyFiles(files); // keys read from earlier entries
            if (e instanceof DctError)
                throw new DctError(e.code, `${entry.path}: ${e.message}`, { cause: e });
            throw e;
        }
    }
    if (skipped > 0)
        notes.push(`the key archive holds ${skipped} other file(s), ignored`);
    if (files.length === 0) {
        throw new DctError('KEY_NOT_A_KEY', 'the key archive holds no private key files (*.key); archive ~/.docker/trust/private');
    }
    return files;
}

// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __nccwpck_require__(1692);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __nccwpck_require__(7975);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __nccwpck_require__(7067);
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
;// CONCATENATED MODULE: ./src/http/transport.ts
/**
 * How one request travels, without a proxy: Node's own `http`/`https` with keep-alive agents,
 * and HTTP/2 — one multiplexed session per origin — where the server offers `h2` by ALPN (Go's
 * TLS servers, docker-registry and notary-server among them, do by default). undici is not
 * loaded on this path: its WebAssembly parser makes Node wait at exit for V8 to recompile it,
 * and costs ~17 MiB of memory; it stays for proxies (proxy.ts).
 */




/** HTTP/1.1 connections per origin, as undici's `connections: 8` before. */
const SOCKETS_PER_ORIGIN = 8;
/** How long an idle connection is kept: undici's default keep-alive time, used before. */
const IDLE_MS = 4_000;
/** An Error with a `code`, as Node's socket errors have. */
function codeError(code, message, cause) {
    const e = new Error(message, cause === undefined ? undefined : { cause });
    return Object.assign(e, { code });
}
/** RST_STREAM REFUSED_STREAM: "the stream was closed prior to any processing" (RFC 9113 §8.7),
 * so the request surely had no effect. */
const REFUSED_STREAM = 7;
/** Headers HTTP/2 forbids (RFC 9113 §8.2.2) or carries as a pseudo-header (`host`). */
const NOT_H2_HEADERS = new Set([
    'connection',
    'keep-alive',
    'proxy-connection',
    'transfer-encoding',
    'upgrade',
    'host',
    'te',
]);
let http2Module;
/** node:http2 is loaded the first time a server offers it. */
function loadHttp2() {
    return (http2Module ??= Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 2467, 23)));
}
class NodeTransport {
    secureContext;
    connectTimeoutMs;
    idleMs;
    httpAgent;
    httpsAgent;
    origins = new Map();
    sessions = new Set();
    /** HTTP/1.1 exchanges under way, and who waits for them to end (close). */
    h1Active = 0;
    h1Idle = [];
    closed = false;
    constructor(o) {
        this.secureContext = o.secureContext;
        this.connectTimeoutMs = o.connectTimeoutMs;
        this.idleMs = o.idleMs ?? IDLE_MS;
        // `timeout` is how long a free socket is kept (or less, as the server's Keep-Alive header
        // says); the requests themselves pass `timeout: 0`, their deadline is the caller's.
        const agent = { keepAlive: true, maxSockets: SOCKETS_PER_ORIGIN, timeout: this.idleMs };
        this.httpAgent = new external_node_http_.Agent(agent);
        this.httpsAgent = new AdoptingAgent({
            ...agent,
            ALPNProtocols: ['http/1.1'],
            ...(o.secureContext === undefined ? {} : { secureContext: o.secureContext }),
        }, this.idleMs);
    }
    async send(req) {
        req.progress.sent = false;
        if (this.closed)
            throw codeError('ERR_CLIENT_CLOSED', 'the HTTP client is closed');
        if (req.url.protocol === 'http:')
            return this.h1(req, external_node_http_.request, this.httpAgent);
        if (req.url.protocol !== 'https:') {
            throw codeError('ERR_INVALID_PROTOCOL', `protocol ${req.url.protocol} is not supported`);
        }
        let origin = this.origins.get(req.url.origin);
        if (origin === undefined) {
            origin = { h1: false, pooled: undefined, connecting: undefined };
            this.origins.set(req.url.origin, origin);
        }
        if (!origin.h1) {
            const pooled = await this.session(req.url, origin, req.signal);
            if (pooled !== undefined)
                return this.h2(req, origin, pooled);
        }
        return this.h1(req, external_node_https_namespaceObject.request, this.httpsAgent);
    }
    async close() {
        this.closed = true;
        const connecting = [...this.origins.values()].flatMap((o) => o.connecting ?? []);
        await Promise.allSettled(connecting);
        if (this.h1Active > 0)
            await new Promise((resolve) => this.h1Idle.push(resolve));
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
        // A session closes once its streams are done; each stream has its deadline.
        await Promise.all([...this.sessions].map((session) => new Promise((resolve) => {
            if (session.destroyed)
                return resolve();
            session.once('close', resolve);
            // An unref'd socket would let the process exit with this promise pending.
            session.ref();
            session.close();
        })));
    }
    /** What the origin (`https://host:port`) was last spoken to in, if it was: for tests and
     * measurements. */
    protocol(origin) {
        const o = this.origins.get(origin);
        if (o === undefined)
            return undefined;
        return o.h1 || new URL(origin).protocol === 'http:' ? 'HTTP/1.1' : 'HTTP/2';
    }
    /** The origin's HTTP/2 session, connecting first if there is none; undefined when the
     * server chose HTTP/1.1. Requests arriving meanwhile wait for the same connection. */
    async session(url, origin, signal) {
        const pooled = origin.pooled;
        if (pooled !== undefined && !pooled.session.closed && !pooled.session.destroyed)
            return pooled;
        origin.pooled = undefined;
        if (origin.connecting === undefined) {
            const connecting = this.connect(url, origin).finally(() => {
                origin.connecting = undefined;
            });
            connecting.catch(() => undefined); // the waiters see the failure
            origin.connecting = connecting;
        }
        return untilAborted(origin.connecting, signal);
    }
    /** A TLS connection offering h2 and http/1.1: an HTTP/2 session on it, or, when the server
     * chose HTTP/1.1, the socket handed to the agent for the request that asked. */
    connect(url, origin) {
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        const port = Number(url.port === '' ? 443 : url.port);
        return new Promise((resolve, reject) => {
            const socket = (0,external_node_tls_.connect)({
                host,
                port,
                // As Node's https agent: SNI for names only, never for an address.
                ...((0,external_node_net_.isIP)(host) === 0 ? { servername: host } : {}),
                ALPNProtocols: ['h2', 'http/1.1'],
                ...(this.secureContext === undefined ? {} : { secureContext: this.secureContext }),
            });
            // Without it a request written right after a small frame (a WINDOW_UPDATE, an RST_STREAM)
            // waits a round trip for that frame's ACK (Nagle); Node's agents set it too.
            socket.setNoDelay(true);
            // Errors after the handshake reach the session's or the request's listeners; this one
            // only keeps an error on an idle socket from ending the process.
            socket.on('error', () => undefined);
            socket.setTimeout(this.connectTimeoutMs, () => {
                socket.destroy(codeError('ETIMEDOUT', `no TLS handshake with ${url.host} in time`));
            });
            const failed = (e) => reject(e);
            socket.once('error', failed);
            socket.once('secureConnect', () => {
                socket.setTimeout(0);
                socket.off('error', failed);
                if (socket.alpnProtocol === 'h2') {
                    this.startSession(url, origin, socket).then(resolve, reject);
                }
                else {
                    origin.h1 = true;
                    this.httpsAgent.adopt(host, port, socket);
                    resolve(undefined);
                }
            });
        });
    }
    async startSession(url, origin, socket) {
        const http2 = await loadHttp2();
        if (this.closed || socket.destroyed) {
            socket.destroy();
            throw codeError('ECONNRESET', `the connection to ${url.host} closed before use`);
        }
        // What the server sent before the session took the socket (its SETTINGS) is handed on by
        // Node (nodejs/node#35475).
        const session = http2.connect(url.origin, {
            createConnection: () => socket,
            settings: { enablePush: false },
        });
        const pooled = { session, active: 0, idle: undefined };
        // A session that fails, is told to go away or closes takes no more requests; the streams
        // on it see the failure themselves.
        const drop = () => {
            if (origin.pooled === pooled)
                origin.pooled = undefined;
        };
        session.on('error', drop);
        session.once('goaway', drop);
        session.once('close', () => {
            drop();
            clearTimeout(pooled.idle);
            this.sessions.delete(session);
        });
        // Requests wait for the server's SETTINGS: sent before them, requests past its limit of
        // concurrent streams would be refused (and retried after a backoff), where nghttp2 holds
        // them until a stream is free once it knows the limit. The server sends SETTINGS first
        // thing, so this costs no round trip.
        await new Promise((resolve, reject) => {
            const failed = (e) => {
                clearTimeout(timer);
                session.destroy();
                reject(e ?? codeError('ECONNRESET', `the connection to ${url.host} closed before use`));
            };
            const timer = setTimeout(() => {
                failed(codeError('ETIMEDOUT', `no HTTP/2 SETTINGS from ${url.host} in time`));
            }, this.connectTimeoutMs);
            session.once('remoteSettings', () => {
                clearTimeout(timer);
                session.off('error', failed);
                session.off('close', failed);
                resolve();
            });
            session.once('error', failed);
            session.once('close', failed);
        });
        // An idle session does not keep the process alive; a request's deadline timer does.
        session.unref();
        this.sessions.add(session);
        origin.pooled = pooled;
        this.idleSoon(origin, pooled);
        return pooled;
    }
    /** Stops giving `pooled` new requests and closes it once its streams are done. */
    retire(origin, pooled) {
        if (origin.pooled === pooled)
            origin.pooled = undefined;
        if (!pooled.session.closed)
            pooled.session.close();
    }
    idleSoon(origin, pooled) {
        clearTimeout(pooled.idle);
        pooled.idle = setTimeout(() => this.retire(origin, pooled), this.idleMs);
        pooled.idle.unref();
    }
    h2(req, origin, pooled) {
        return new Promise((resolve, reject) => {
            const headers = { ':method': req.method };
            headers[':path'] = `${req.url.pathname}${req.url.search}`;
            for (const [name, value] of Object.entries(req.headers)) {
                if (!NOT_H2_HEADERS.has(name))
                    headers[name] = value;
            }
            let stream;
            try {
                stream = pooled.session.request(headers, { endStream: req.body === undefined });
            }
            catch (e) {
                // The session closed under us (GOAWAY): nothing was sent; the retry takes a new one.
                this.retire(origin, pooled);
                reject(asError(e));
                return;
            }
            req.progress.sent = true;
            pooled.active++;
            clearTimeout(pooled.idle);
            // Node ends the body the same way whether END_STREAM came or the stream was reset or its
            // connection lost mid-body (it pushes the end when the stream closes). END_STREAM is the
            // one end that comes while the stream is still open.
            let complete = false;
            const push = stream.push.bind(stream);
            stream.push = (chunk, encoding) => {
                if (chunk === null && !stream.closed)
                    complete = true;
                return push(chunk, encoding);
            };
            const onAbort = () => {
                // A session that lets a request stall may be a dead connection: later requests and
                // the retry get a new one, as a new socket replaces a timed-out HTTP/1.1 one.
                this.retire(origin, pooled);
                stream.destroy(req.signal.reason);
            };
            req.signal.addEventListener('abort', onAbort, { once: true });
            stream.on('error', (e) => {
                reject(stream.rstCode === REFUSED_STREAM
                    ? codeError('H2_REFUSED_STREAM', 'the server refused the HTTP/2 stream', e)
                    : e);
            });
            stream.once('close', () => {
                req.signal.removeEventListener('abort', onAbort);
                if (--pooled.active === 0 && origin.pooled === pooled)
                    this.idleSoon(origin, pooled);
                reject(codeError('H2_STREAM_CLOSED', 'the HTTP/2 stream closed before an answer'));
            });
            stream.once('response', (h) => {
                const { ':status': status, ...rest } = h;
                resolve({
                    status: Number(status),
                    headers: withoutPseudoHeaders(rest),
                    body: h2Body(stream, () => complete),
                    discard: () => stream.destroy(),
                });
            });
            if (req.body !== undefined)
                stream.end(req.body);
        });
    }
    h1(req, request, agent) {
        return new Promise((resolve, reject) => {
            this.h1Active++;
            let released = false;
            const release = () => {
                if (released)
                    return;
                released = true;
                if (--this.h1Active === 0)
                    for (const done of this.h1Idle.splice(0))
                        done();
            };
            let res;
            let cr;
            try {
                cr = request(req.url, { method: req.method, headers: req.headers, agent, timeout: 0 });
            }
            catch (e) {
                release();
                reject(asError(e));
                return;
            }
            const onAbort = () => {
                const why = req.signal.reason;
                cr.destroy(why);
                res?.destroy(why);
            };
            req.signal.addEventListener('abort', onAbort, { once: true });
            cr.once('close', () => {
                if (res === undefined)
                    release();
            });
            cr.on('socket', (socket) => {
                if (!socket.connecting) {
                    req.progress.sent = true;
                    return;
                }
                const ready = agent === this.httpAgent ? 'connect' : 'secureConnect';
                socket.once(ready, () => {
                    req.progress.sent = true;
                });
            });
            // After the answer began, a socket error ends its body with that error, unless the body
            // was whole: bytes past its declared length fail to parse as a next answer, and the
            // socket is dropped for them, not the answer.
            cr.on('error', (e) => {
                if (res === undefined)
                    reject(e);
                else if (!res.complete)
                    res.destroy(e);
            });
            cr.once('response', (r) => {
                res = r;
                r.on('error', () => undefined); // surfaces through the body's iteration
                r.once('close', () => {
                    req.signal.removeEventListener('abort', onAbort);
                    release();
                });
                resolve({
                    status: r.statusCode ?? 0,
                    headers: r.headers,
                    body: r,
                    discard: () => r.destroy(),
                });
            });
            cr.end(req.body);
        });
    }
}
async function* h2Body(stream, complete) {
    for await (const chunk of stream)
        yield chunk;
    if (!complete()) {
        throw codeError('H2_STREAM_CLOSED', 'the HTTP/2 stream closed before the end of its body');
    }
}
function withoutPseudoHeaders(h) {
    const out = {};
    for (const [k, v] of Object.entries(h)) {
        if (!k.startsWith(':'))
            out[k] = typeof v === 'number' ? String(v) : v;
    }
    return out;
}
function asError(e) {
    return e instanceof Error ? e : new Error(String(e));
}
/** `p`, or the signal's reason if it is aborted first. */
function untilAborted(p, signal) {
    if (signal.aborted)
        return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
}
/**
 * An https agent that can be handed a connection made elsewhere: the one that asked the server
 * by ALPN which protocol it speaks, and was answered HTTP/1.1, is used for the request that
 * asked rather than thrown away.
 */
class AdoptingAgent extends external_node_https_namespaceObject.Agent {
    idleMs;
    spare = new Map();
    constructor(opts, idleMs) {
        super(opts);
        this.idleMs = idleMs;
    }
    adopt(host, port, socket) {
        const key = `${host}:${port}`;
        const list = this.spare.get(key) ?? [];
        list.push(socket);
        this.spare.set(key, list);
        socket.setTimeout(this.idleMs, () => socket.destroy());
        socket.unref();
        socket.once('close', () => {
            const i = list.indexOf(socket);
            if (i >= 0)
                list.splice(i, 1);
        });
    }
    createConnection(options, callback) {
        const list = this.spare.get(`${options.host}:${options.port}`);
        for (let socket = list?.shift(); socket !== undefined; socket = list?.shift()) {
            if (socket.destroyed)
                continue;
            socket.setTimeout(0);
            socket.ref();
            return socket;
        }
        return super.createConnection(options, callback);
    }
    destroy() {
        for (const list of this.spare.values())
            for (const s of list.splice(0))
                s.destroy();
        super.destroy();
    }
}

;// CONCATENATED MODULE: ./src/http/proxy.ts

function proxyConfigured() {
    const env = process.env;
    return [env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY].some((v) => v !== undefined && v !== '');
}
/** A transport through the proxy the environment names; undici is loaded at its first request. */
function proxyTransport(o) {
    let loaded;
    const load = () => (loaded ??= undiciTransport(o));
    return {
        send: async (req) => (await load()).send(req),
        close: async () => {
            if (loaded !== undefined)
                await (await loaded).close();
        },
    };
}
async function undiciTransport(o) {
    const undici = await __nccwpck_require__.e(/* import() */ 752).then(__nccwpck_require__.t.bind(__nccwpck_require__, 6752, 19));
    const tlsOpts = o.secureContext === undefined ? {} : { secureContext: o.secureContext };
    // Through a proxy the target's TLS options are `requestTls` (undici ProxyAgent), which
    // EnvHttpProxyAgent passes on although its type does not list them.
    const opts = {
        connect: { ...tlsOpts, timeout: o.timeoutMs },
        connections: SOCKETS_PER_ORIGIN,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        requestTls: tlsOpts,
        proxyTls: tlsOpts,
    };
    const dispatcher = envProxyAgent(undici.EnvHttpProxyAgent, opts);
    return {
        async send(req) {
            const res = await undici.request(req.url, {
                method: req.method,
                headers: req.headers,
                body: req.body,
                dispatcher,
                signal: req.signal,
            });
            // An 'error' on a body nothing listens to would end the process; errors surface
            // through the body's iteration.
            res.body.on('error', () => undefined);
            return {
                status: res.statusCode,
                headers: res.headers,
                body: res.body,
                discard: () => res.body.destroy(),
            };
        },
        close: () => dispatcher.close(),
    };
}
/**
 * undici's EnvHttpProxyAgent, without the "EnvHttpProxyAgent is experimental" process warning
 * it emits (synchronously, code UNDICI-EHPA) when made: that line in a user's log reads as a
 * fault of the run. Every other warning passes.
 */
function envProxyAgent(Agent, opts) {
    const emit = process.emitWarning.bind(process);
    const original = Object.getOwnPropertyDescriptor(process, 'emitWarning');
    process.emitWarning = (warning, ...rest) => {
        const o = rest[0];
        if (typeof o === 'object' && o !== null && o.code === 'UNDICI-EHPA')
            return;
        emit(warning, ...rest);
    };
    try {
        return new Agent(opts);
    }
    finally {
        if (original !== undefined)
            Object.defineProperty(process, 'emitWarning', original);
        else
            Reflect.deleteProperty(process, 'emitWarning'); // inherited: uncover it again
    }
}

;// CONCATENATED MODULE: ./src/http/client.ts






/**
 * A DctError from the HTTP layer or a client built on it: keeps the URL, and the status and
 * (size-capped) body of the server's answer when there was one. `requestSent` is false only
 * when the request surely never reached the server (refused, DNS, TLS), so a caller can tell
 * "not done" from "outcome unknown" for a POST.
 */
class HttpError extends errors/* DctError */.sY {
    url;
    status;
    body;
    requestSent;
    constructor(code, message, info, options) {
        super(code, message, options);
        this.url = info.url;
        this.status = info.status;
        const body = typeof info.body === 'string' ? info.body : info.body?.toString('utf8');
        this.body = body === undefined ? undefined : body.slice(0, MAX_ERROR_BODY);
        this.requestSent = info.requestSent ?? true;
    }
}
const MAX_ERROR_BODY = 8192;
/** What is kept of an answer that is not a success: enough for any error body. */
const KEEP_OTHER_BODY = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const MAX_REDIRECTS = 5;
const RETRY_AFTER_MAX_MS = 30_000;
const TLS_CODES = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'CERT_SIGNATURE_FAILURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** What a TLS client reads when the server answers in plain HTTP. */
const PLAIN_HTTP_CODES = new Set([
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);
const TIMEOUT_CODES = new Set([
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'ETIMEDOUT',
]);
const RETRYABLE_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    // An HTTP/2 stream or session that failed, was reset, refused or went away (node:http2,
    // transport.ts): as a reset connection.
    'ERR_HTTP2_STREAM_ERROR',
    'ERR_HTTP2_SESSION_ERROR',
    'ERR_HTTP2_GOAWAY_SESSION',
    'ERR_HTTP2_INVALID_SESSION',
    'ERR_HTTP2_STREAM_CANCEL',
    'H2_REFUSED_STREAM',
    'H2_STREAM_CLOSED',
    'ERR_STREAM_PREMATURE_CLOSE',
]);
/** Failures that happen before a single request byte can have left. */
const NOT_SENT_CODES = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_CONNECT_TIMEOUT',
    'H2_REFUSED_STREAM',
]);
/** One HTTP layer for the registry, the trust server and token services: the only place
 * that retries. Non-2xx answers are returned, not thrown; callers give them meaning. */
class HttpClient {
    transport;
    timeoutMs;
    retries;
    userAgent;
    sleep;
    requestLog;
    constructor(opts = {}) {
        this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.retries = opts.retries ?? DEFAULT_RETRIES;
        this.userAgent = opts.userAgent ?? 'dct-sign-action';
        this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        this.requestLog = opts.requestLog;
        const tls = opts.caPem === undefined ? {} : { secureContext: withExtraCas(checkCaPem(opts.caPem)) };
        this.transport = proxyConfigured()
            ? proxyTransport({ ...tls, timeoutMs: this.timeoutMs })
            : new NodeTransport({ ...tls, connectTimeoutMs: this.timeoutMs });
    }
    async request(req) {
        const idempotent = req.method === 'GET' || req.method === 'HEAD';
        let url = req.url;
        let headers = { ...req.headers };
        let redirects = 0;
        let attempt = 0;
        for (;;) {
            let res;
            const progress = {};
            try {
                res = await this.once(req, url, headers, progress);
                this.requestLog?.(`${req.method} ${url} -> ${res.status}`);
            }
            catch (e) {
                const err = this.toError(e, url, req.server, progress.sent);
                this.requestLog?.(`${req.method} ${url} -> ${err.error.code}`);
                if (idempotent && err.retryable && attempt < this.retries) {
                    await this.sleep(backoff(attempt++));
                    continue;
                }
                throw err.error;
            }
            if (idempotent && isRedirect(res.status) && res.headers.location !== undefined) {
                if (++redirects > MAX_REDIRECTS) {
                    throw new HttpError('HTTP_UNREACHABLE', `${hostOf(req.url)}: more than ${MAX_REDIRECTS} redirects for ${req.url}`, { url, status: res.status });
                }
                const next = new URL(res.headers.location, url);
                // Never from https down to http: whoever is on the path would choose what we read.
                if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
                    throw new HttpError('HTTP_INSECURE_REDIRECT', `${hostOf(req.url)} redirected ${req.url} to ${next.origin}, which is not https; refusing it`, { url, status: res.status });
                }
                // Credentials are for the origin that asked for them (registries redirect blobs to
                // object stores, which must not see the registry token).
                if (next.origin !== new URL(url).origin)
                    headers = withoutAuthorization(headers);
                url = next.href;
                continue;
            }
            if (idempotent && isRetryableStatus(res.status) && attempt < this.retries) {
                await this.sleep(retryAfter(res) ?? backoff(attempt));
                attempt++;
                continue;
            }
            return res;
        }
    }
    /** Ends every connection (once the requests under way are done), so the process can exit. */
    close() {
        return this.transport.close();
    }
    async once(req, url, headers, progress) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(new DeadlineError()), this.timeoutMs);
        try {
            const res = await this.transport.send({
                method: req.method,
                url: new URL(url),
                headers: wireHeaders(this.userAgent, headers, req),
                body: req.body,
                signal: abort.signal,
                progress,
            });
            const resHeaders = flattenHeaders(res.headers);
            const ok = res.status >= 200 && res.status < 300;
            // Refuse an oversized success; keep the start of anything else (or of a `truncate` answer).
            const strict = ok && req.truncate !== true;
            const limit = ok ? req.maxBytes : KEEP_OTHER_BODY;
            if (strict && limit !== undefined && Number(resHeaders['content-length']) > limit) {
                res.discard();
                throw tooLarge(url, limit, req.server);
            }
            const chunks = [];
            let size = 0;
            let cut = false;
            // Leaving this loop early (break, throw) abandons the rest of the body.
            for await (const chunk of res.body) {
                if (limit !== undefined && size + chunk.length > limit) {
                    if (strict)
                        throw tooLarge(url, limit, req.server);
                    chunks.push(chunk.subarray(0, limit - size));
                    cut = true;
                    break;
                }
                size += chunk.length;
                chunks.push(chunk);
            }
            const wire = Buffer.concat(chunks);
            const encoding = resHeaders['content-encoding'];
            delete resHeaders['content-encoding'];
            const body = encoding === undefined
                ? wire
                : await decode(wire, encoding, {
                    url,
                    server: req.server,
                    limit,
                    strict,
                    partial: cut || !ok,
                });
            return { status: res.status, headers: resHeaders, body, url };
        }
        catch (e) {
            // Whatever broke once the deadline passed (an aborted socket, a destroyed body) broke
            // because of it.
            if (abort.signal.aborted && !(e instanceof errors/* DctError */.sY))
                throw abort.signal.reason;
            throw e;
        }
        finally {
            clearTimeout(timer);
        }
    }
    /** `sent`: what the transport knows, false when no byte of the request left. */
    toError(e, url, server, sent) {
        if (e instanceof errors/* DctError */.sY)
            return { error: e, retryable: false };
        const codes = errorCodes(e);
        const host = named(url, server);
        const requestSent = sent !== false && !codes.some((c) => NOT_SENT_CODES.has(c) || isTlsCode(c));
        if (codes.some(isTlsCode)) {
            const certificate = codes.find((c) => TLS_CODES.has(c));
            const plain = codes.find((c) => PLAIN_HTTP_CODES.has(c));
            const [code, hint] = certificate !== undefined
                ? [
                    'HTTP_TLS',
                    `the certificate of ${host} is not trusted (${certificate}); pass the CA with \`ca-cert\``,
                ]
                : plain !== undefined
                    ? ['HTTP_NOT_TLS', `${host} answers plain HTTP, not https (${plain})`]
                    : ['HTTP_TLS', `TLS handshake with ${host} failed (${codes.find(isTlsCode)})`];
            return {
                error: new HttpError(code, hint, { url, requestSent: false }, { cause: e }),
                retryable: false,
            };
        }
        if (e instanceof DeadlineError || codes.some((c) => TIMEOUT_CODES.has(c))) {
            const error = new HttpError('HTTP_TIMEOUT', `${host} did not answer within ${this.timeoutMs / 1000} s (${url})`, { url, requestSent }, { cause: e });
            return { error, retryable: true };
        }
        const what = codes.find((c) => c !== 'UND_ERR') ?? (e instanceof Error ? e.message : 'error');
        const error = new HttpError('HTTP_UNREACHABLE', `cannot reach ${host} (${what}); check the URL, the network and any proxy settings`, { url, requestSent }, { cause: e });
        return { error, retryable: codes.some((c) => RETRYABLE_CODES.has(c)) };
    }
}
class DeadlineError extends Error {
    name = 'DeadlineError';
    constructor() {
        super('request deadline passed');
    }
}
function isTlsCode(code) {
    return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');
}
/** The `code`s along an error's cause chain (undici and proxies wrap the socket error). */
function errorCodes(e) {
    const codes = [];
    for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
        if (typeof cur !== 'object')
            break;
        const o = cur;
        if (typeof o.code === 'string')
            codes.push(o.code);
        // An aborted request carries our DeadlineError as the abort reason.
        if (o.reason instanceof DeadlineError)
            return [...codes, 'ETIMEDOUT'];
        cur = o.cause;
    }
    return codes;
}
function checkCaPem(pem) {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (blocks === null) {
        throw new errors/* DctError */.sY('CA_CERT_INVALID', '`ca-cert` holds no PEM certificate (BEGIN CERTIFICATE)');
    }
    for (const block of blocks) {
        try {
            new external_node_crypto_.X509Certificate(block);
        }
        catch (e) {
            throw new errors/* DctError */.sY('CA_CERT_INVALID', '`ca-cert` holds a PEM certificate that cannot be parsed', {
                cause: e,
            });
        }
    }
    return blocks;
}
/** A TLS context trusting Node's bundled roots plus `pems`. Node keeps its bundled roots
 * parsed once per process; `addCACert` on a context made without `ca` copies that store and
 * adds to it, where `ca: [...rootCertificates, pem]` would parse ~146 PEM roots again
 * (25–40 ms on these machines). `addCACert` is the method Node's own `ca` option calls, but
 * it sits on the context's internal handle, so the documented way remains the fallback. */
function withExtraCas(pems) {
    const ctx = (0,external_node_tls_.createSecureContext)();
    const handle = ctx.context;
    if (typeof handle?.addCACert !== 'function') {
        return (0,external_node_tls_.createSecureContext)({ ca: [...external_node_tls_.rootCertificates, ...pems] });
    }
    for (const pem of pems)
        handle.addCACert.call(handle, pem);
    return ctx;
}
/** The headers as sent: lower-case names, the user agent unless the caller gives one, and
 * the body's length (0 for a POST or PUT without one, as undici sent). */
function wireHeaders(userAgent, headers, req) {
    const out = { 'user-agent': userAgent };
    for (const [k, v] of Object.entries(headers))
        out[k.toLowerCase()] = v;
    if (req.body !== undefined)
        out['content-length'] = String(req.body.length);
    else if (req.method === 'POST' || req.method === 'PUT')
        out['content-length'] = '0';
    return out;
}
function flattenHeaders(h) {
    const out = {};
    for (const [k, v] of Object.entries(h)) {
        if (v !== undefined)
            out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    return out;
}
function withoutAuthorization(h) {
    return Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'authorization'));
}
function isRedirect(status) {
    return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
function isRetryableStatus(status) {
    return status === 429 || (status >= 500 && status !== 501);
}
/** Retries of one HTTP request. */
const HTTP_BACKOFF = { baseMs: 500, maxMs: 8_000, jitter: 'below' };
/** Exponential backoff with jitter: the wait before retry `attempt` (0 first) under `policy`. */
function backoff(attempt, policy = HTTP_BACKOFF) {
    const d = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
    if (policy.jitter === 'below')
        return Math.floor(d / 2) + (0,external_node_crypto_.randomInt)(Math.floor(d / 2) + 1);
    return Math.round(d * (0.5 + Math.random()));
}
function retryAfter(res) {
    const v = res.headers['retry-after'];
    if (v === undefined)
        return undefined;
    const seconds = /^\d+$/.test(v.trim()) ? Number(v) : (Date.parse(v) - Date.now()) / 1000;
    if (!Number.isFinite(seconds))
        return undefined;
    return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, seconds * 1000));
}
/**
 * The body as `Content-Encoding` says it was encoded (the last coding first), within the same
 * cap as the wire bytes: a proxy may compress answers that were never asked to be. A success
 * that cannot be decoded is refused; the start of anything else decodes as far as it goes.
 */
async function decode(wire, encoding, o) {
    const codings = encoding
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== '' && c !== 'identity')
        .reverse();
    let body = wire;
    // node:zlib is loaded on the first encoded answer: most runs never see one, and loading it
    // would cost every start.
    const zlib = process.getBuiltinModule('node:zlib');
    const decoders = new Map([
        ['gzip', zlib.gunzip],
        ['x-gzip', zlib.gunzip],
        ['deflate', zlib.inflate],
        ['br', zlib.brotliDecompress],
    ]);
    for (const coding of codings) {
        const decoder = decoders.get(coding);
        const options = {
            ...(o.limit === undefined ? {} : { maxOutputLength: o.limit }),
            // A cut page decodes as far as its bytes go.
            ...(o.partial && coding !== 'br' ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}),
        };
        try {
            if (decoder === undefined)
                throw new Error('unknown coding');
            try {
                body = await (0,external_node_util_.promisify)(decoder)(body, options);
            }
            catch (e) {
                // Some servers send raw deflate data for `deflate`.
                if (coding !== 'deflate' || isTooLarge(e))
                    throw e;
                body = await (0,external_node_util_.promisify)(zlib.inflateRaw)(body, options);
            }
        }
        catch (e) {
            if (!o.strict)
                return Buffer.alloc(0);
            if (o.limit !== undefined && isTooLarge(e))
                throw tooLarge(o.url, o.limit, o.server);
            throw new HttpError('HTTP_BAD_ENCODING', `${named(o.url, o.server)} sent ${o.url} with Content-Encoding "${encoding}", which does not decode (${coding}: ${e instanceof Error ? e.message : String(e)})`, { url: o.url }, { cause: e });
        }
    }
    return body;
}
function isTooLarge(e) {
    return (e instanceof RangeError || e?.code === 'ERR_BUFFER_TOO_LARGE');
}
function tooLarge(url, maxBytes, server) {
    return new HttpError('HTTP_TOO_LARGE', `${named(url, server)} sent more than ${maxBytes} bytes for ${url}; refusing to read further`, { url });
}
/** `the trust server host:port`, or the host alone when the caller named no server. */
function named(url, server) {
    return server === undefined ? hostOf(url) : `${server} ${hostOf(url)}`;
}
/**
 * The `errors` list of an error body in the shape notary-server and registries share,
 * `{"errors":[{"code":…,"message":…,"detail":…}]}` (notary-spec.md §5.6); undefined when the
 * body is not JSON or holds no such non-empty list.
 */
function errorList(body) {
    try {
        const parsed = JSON.parse(body.toString('utf8'));
        return Array.isArray(parsed.errors) && parsed.errors.length > 0 ? parsed.errors : undefined;
    }
    catch {
        return undefined; // not JSON, or JSON null
    }
}
/** host[:port] of a URL, for messages. */
function hostOf(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return url;
    }
}

;// CONCATENATED MODULE: ./src/http/auth.ts

/**
 * Parses a `WWW-Authenticate` value (RFC 7235): one or more challenges, each a scheme and
 * `key=value` / `key="quoted"` params separated by commas.
 */
function parseChallenges(header) {
    const out = [];
    let i = 0;
    const n = header.length;
    const skip = (re) => {
        while (i < n && re.test(header[i]))
            i++;
    };
    while (i < n) {
        skip(/[\s,]/);
        const scheme = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(i))?.[0];
        if (scheme === undefined)
            break;
        i += scheme.length;
        const challenge = { scheme: scheme.toLowerCase(), params: {} };
        out.push(challenge);
        for (;;) {
            const save = i;
            skip(/[\s,]/);
            const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*/.exec(header.slice(i));
            if (m === null) {
                i = save;
                break;
            }
            i += m[0].length;
            let value = '';
            if (header[i] === '"') {
                i++;
                while (i < n && header[i] !== '"') {
                    if (header[i] === '\\' && i + 1 < n)
                        i++;
                    value += header[i];
                    i++;
                }
                i++;
            }
            else {
                const tok = /^[^\s,]*/.exec(header.slice(i))[0];
                value = tok;
                i += tok.length;
            }
            challenge.params[m[1].toLowerCase()] = value;
        }
    }
    return out;
}
/** Does a granted scope cover a wanted one? `repository:<name>:<actions>`; names may hold `:`. */
function scopeCovers(granted, wanted) {
    if (granted === wanted)
        return true;
    const g = splitScope(granted);
    const w = splitScope(wanted);
    if (g === undefined || w === undefined || g.type !== w.type || g.name !== w.name)
        return false;
    return w.actions.every((a) => g.actions.includes(a) || g.actions.includes('*'));
}
function splitScope(s) {
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    if (first < 0 || last <= first)
        return undefined;
    return {
        type: s.slice(0, first),
        name: s.slice(first + 1, last),
        actions: s.slice(last + 1).split(','),
    };
}
/** Docker assumes at least this lifetime when the token service names none or less. */
const MIN_TOKEN_LIFETIME_S = 60;
/** Renew this long before expiry so a token does not lapse in flight. */
const EXPIRY_MARGIN_MS = 10_000;
/**
 * The Docker registry token flow (notary-spec.md §5.5) for any number of hosts: learns each
 * origin's challenge from a 401 (or a `GET /v2/` ping before a non-idempotent request, unless a
 * read of that origin already succeeded without credentials), gets
 * a Bearer token per scope from the realm and caches it until expiry, or sends Basic
 * credentials to a Basic challenge. Tokens go to `onSecret` (for masking) and nowhere else.
 */
class TokenAuth {
    http;
    credentials;
    onSecret;
    now;
    /** Who this authenticates to, for messages: `the registry`, `the trust server`. */
    server;
    challenges = new Map();
    tokens = new Map();
    inFlight = new Map();
    constructor(opts) {
        this.http = opts.http;
        this.server = opts.server;
        this.credentials = opts.credentials;
        this.onSecret = opts.onSecret ?? (() => undefined);
        this.now = opts.now ?? Date.now;
    }
    /**
     * Sends `req` with the authorization `scope` needs, learning the challenge and retrying once
     * on a 401. A 401 that survives fresh credentials throws AUTH_DENIED; every other answer
     * is returned as is.
     */
    async request(req, scope) {
        if (req.server === undefined && this.server !== undefined)
            req = { ...req, server: this.server };
        const origin = new URL(req.url).origin;
        if (!this.challenges.has(origin) && req.method !== 'GET' && req.method !== 'HEAD') {
            await this.ping(origin);
        }
        const first = await this.authorization(origin, scope, false);
        let res = await this.send(req, first?.header);
        if (res.status !== 401) {
            // A read answered without credentials: the origin challenges no one for it, which is
            // all a ping before a later POST or PUT would learn, so none is made. Should that write
            // be challenged after all, the 401 path below learns it and sends it once more.
            if (first === undefined &&
                (req.method === 'GET' || req.method === 'HEAD') &&
                res.status >= 200 &&
                res.status < 300 &&
                !this.challenges.has(origin) &&
                new URL(res.url).origin === origin) {
                this.challenges.set(origin, null);
            }
            return res;
        }
        // A 401 from wherever a redirect led is not this origin's challenge: its realm would get
        // this origin's credentials.
        if (new URL(res.url).origin !== origin) {
            throw this.denied(req.url, scope, res, `redirected to ${new URL(res.url).origin}, which asked for credentials`);
        }
        const challenge = this.learn(origin, res);
        if (challenge === null)
            throw this.denied(req.url, scope, res, 'sent no usable challenge');
        if (first?.fresh === true)
            throw this.denied(req.url, scope, res);
        // The challenge was new, or a cached token was turned down: retry once with a new one.
        const second = await this.authorization(origin, scope, true);
        if (second === undefined)
            throw this.denied(req.url, scope, res, 'requires credentials');
        res = await this.send(req, second.header);
        if (res.status === 401)
            throw this.denied(req.url, scope, res);
        return res;
    }
    /** `GET <origin>/v2/` to learn the challenge, as docker does before its first request. */
    async ping(origin) {
        // Only the status and challenge matter: a long answer is cut, never refused (Go reads on).
        const res = await this.http.request({
            method: 'GET',
            url: `${origin}/v2/`,
            maxBytes: 65536,
            truncate: true,
            server: this.server,
        });
        if (res.status === 401 && new URL(res.url).origin === origin)
            this.learn(origin, res);
        else
            this.challenges.set(origin, null);
    }
    send(req, authorization) {
        if (authorization === undefined)
            return this.http.request(req);
        return this.http.request({ ...req, headers: { ...req.headers, authorization } });
    }
    learn(origin, res) {
        const header = res.headers['www-authenticate'];
        const all = header === undefined ? [] : parseChallenges(header);
        const challenge = all.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined) ??
            all.find((c) => c.scheme === 'basic') ??
            null;
        this.challenges.set(origin, challenge);
        return challenge;
    }
    async authorization(origin, scope, forceNew) {
        const challenge = this.challenges.get(origin);
        if (challenge === undefined || challenge === null)
            return undefined;
        if (challenge.scheme === 'basic') {
            if (this.credentials === undefined || this.credentials.identityToken !== undefined) {
                return undefined;
            }
            const { username, password } = this.credentials;
            const basic = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
            return { header: `Basic ${basic}`, fresh: true };
        }
        const realm = challenge.params.realm;
        const service = challenge.params.service ?? '';
        const key = `${realm}\n${service}`;
        const now = this.now();
        const cached = (this.tokens.get(key) ?? []).filter((t) => t.expiresAt > now);
        this.tokens.set(key, cached);
        if (!forceNew) {
            const hit = cached.find((t) => scopeCovers(t.scope, scope));
            if (hit !== undefined)
                return { header: `Bearer ${hit.token}`, fresh: false };
        }
        // Concurrent requests for one scope share a single token request.
        const flightKey = `${key}\n${scope}`;
        let flight = this.inFlight.get(flightKey);
        if (flight === undefined) {
            flight = this.fetchToken(realm, service, scope).finally(() => {
                this.inFlight.delete(flightKey);
            });
            this.inFlight.set(flightKey, flight);
        }
        const token = await flight;
        const current = this.tokens.get(key) ?? [];
        if (!current.includes(token))
            this.tokens.set(key, [token, ...current]);
        return { header: `Bearer ${token.token}`, fresh: true };
    }
    async fetchToken(realm, service, scope) {
        const creds = this.credentials;
        const server = this.server === undefined ? 'the token service' : `${this.server}'s token service`;
        let res;
        let url;
        try {
            url = new URL(realm);
        }
        catch (e) {
            throw new HttpError('AUTH_FAILED', `the token realm "${realm}" is not a URL`, { url: realm }, {
                cause: e,
            });
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') {
            throw new HttpError('AUTH_FAILED', `the token realm ${realm} is not an http(s) URL`, {
                url: realm,
            });
        }
        // Credentials never travel in clear text, except to this machine itself.
        if (url.protocol === 'http:' && creds !== undefined && !isLoopback(url.hostname)) {
            throw new HttpError('AUTH_INSECURE_REALM', `the token service ${url.origin} is not https; refusing to send registry credentials to it`, { url: realm });
        }
        if (creds?.identityToken !== undefined) {
            // OAuth2 refresh-token grant, as docker does for a stored identity token (§5.5).
            const form = new URLSearchParams({
                grant_type: 'refresh_token',
                refresh_token: creds.identityToken,
                service,
                scope,
                client_id: 'docker',
            });
            res = await this.http.request({
                method: 'POST',
                url: url.href,
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: Buffer.from(form.toString(), 'utf8'),
                maxBytes: 1 << 20,
                server,
            });
        }
        else {
            if (service !== '')
                url.searchParams.set('service', service);
            url.searchParams.set('scope', scope);
            const headers = {};
            if (creds !== undefined) {
                url.searchParams.set('account', creds.username);
                const basic = Buffer.from(`${creds.username}:${creds.password}`, 'utf8');
                headers.authorization = `Basic ${basic.toString('base64')}`;
            }
            res = await this.http.request({
                method: 'GET',
                url: url.href,
                headers,
                maxBytes: 1 << 20,
                server,
            });
        }
        if (res.status === 401 || res.status === 403) {
            throw new HttpError('AUTH_DENIED', `the token service ${url.host} refused ${creds === undefined ? 'anonymous access' : `user "${creds.username}"`} for scope ${scope} (HTTP ${res.status}); check \`registry-username\`/\`registry-password\``, { url: url.origin + url.pathname, status: res.status, body: res.body });
        }
        if (res.status !== 200) {
            throw new HttpError('AUTH_FAILED', `the token service ${url.host} answered HTTP ${res.status} for scope ${scope}`, { url: url.origin + url.pathname, status: res.status, body: res.body });
        }
        let parsed;
        try {
            parsed = JSON.parse(res.body.toString('utf8'));
        }
        catch (e) {
            throw new HttpError('AUTH_FAILED', `the token service ${url.host} sent a response that is not JSON`, { url: url.origin + url.pathname, status: res.status }, { cause: e });
        }
        const token = typeof parsed.token === 'string' && parsed.token !== ''
            ? parsed.token
            : typeof parsed.access_token === 'string'
                ? parsed.access_token
                : '';
        if (token === '') {
            throw new HttpError('AUTH_FAILED', `the token service ${url.host} sent no token`, {
                url: url.origin + url.pathname,
                status: res.status,
            });
        }
        this.onSecret(token);
        const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > MIN_TOKEN_LIFETIME_S
            ? parsed.expires_in
            : MIN_TOKEN_LIFETIME_S;
        return { scope, token, expiresAt: this.now() + lifetime * 1000 - EXPIRY_MARGIN_MS };
    }
    denied(url, scope, res, why) {
        const host = hostOf(url);
        const reason = why ?? 'refused the credentials';
        return new HttpError('AUTH_DENIED', `${host} ${reason} for scope ${scope} (HTTP 401); check \`registry-username\`/\`registry-password\``, { url, status: res.status, body: res.body });
    }
}
/** `localhost`, 127.0.0.0/8 or ::1 (a URL's hostname, brackets allowed). */
function isLoopback(host) {
    const h = host.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __nccwpck_require__(4573);
;// CONCATENATED MODULE: ./src/tuf/canonical.ts
/**
 * docker/go canonical JSON (notary-spec.md §3.1) and the HTML-escaping compaction that Go
 * applies to the `signed` part of every metadata file (§3.2).
 */


/**
 * The canonical bytes of a JSON value: keys sorted byte-wise on their UTF-8, no whitespace,
 * only `"` and `\` escaped (control characters and non-ASCII written raw), integers only.
 * Object properties whose value is `undefined` are left out, as JSON.stringify does.
 */
function canonicalJson(value) {
    const out = new ByteWriter();
    try {
        write(value, out);
    }
    catch (e) {
        // The happy path keeps no path; walk again to name the value that failed.
        if (e instanceof BadValue)
            throw new errors/* DctError */.sY(e.code, `${e.what} at $${pathOfBad(value)}`);
        throw e;
    }
    return out.done();
}
function pathOfBad(value) {
    if (typeof value === 'object' && value !== null) {
        const entries = Array.isArray(value)
            ? value.map((v, i) => [`[${i}]`, v])
            : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
        for (const [step, v] of entries) {
            try {
                write(v, new ByteWriter());
            }
            catch {
                return step + pathOfBad(v);
            }
        }
    }
    return '';
}
// Keys without code units D800-FFFF sort the same by UTF-16 (JS default) as by UTF-8 bytes.
const NOT_UTF16_ORDER = /[\ud800-\uffff]/;
const byUtf8 = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
/** A value canonical JSON cannot hold (`canonicalJson` finds its path). */
class BadValue extends Error {
    code;
    what;
    constructor(code, what) {
        super(what);
        this.code = code;
        this.what = what;
    }
}
/**
 * Bytes of one encoding in chunks that double up to 256 KiB: no intermediate strings for a
 * large document, no large allocation for a small one.
 */
class ByteWriter {
    static FIRST = 1024;
    static MAX_CHUNK = 256 * 1024;
    chunks = [];
    buf = Buffer.allocUnsafe(ByteWriter.FIRST);
    pos = 0;
    total = 0;
    byte(b) {
        if (this.pos === this.buf.length)
            this.next(1);
        this.buf[this.pos++] = b;
    }
    /** `s` as UTF-8 (a lone surrogate becomes U+FFFD, as Buffer.from(s, 'utf8') writes it). */
    text(s) {
        // A UTF-16 code unit is at most 3 bytes of UTF-8.
        if (this.pos + s.length * 3 > this.buf.length)
            this.next(s.length * 3);
        this.pos += this.buf.write(s, this.pos, 'utf8');
    }
    done() {
        this.chunks.push(this.buf.subarray(0, this.pos));
        const out = Buffer.concat(this.chunks, this.total + this.pos);
        this.chunks.length = 0;
        return out;
    }
    next(need) {
        this.chunks.push(this.buf.subarray(0, this.pos));
        this.total += this.pos;
        const size = Math.min(this.buf.length * 2, ByteWriter.MAX_CHUNK);
        this.buf = Buffer.allocUnsafe(Math.max(size, need));
        this.pos = 0;
    }
}
const QUOTE = 0x22;
function write(value, out) {
    switch (typeof value) {
        case 'string':
            writeString(value, out);
            return;
        case 'boolean':
            out.text(value ? 'true' : 'false');
            return;
        case 'number':
            if (!Number.isSafeInteger(value)) {
                throw new BadValue('TUF_BAD_NUMBER', `canonical JSON allows only integers up to 2^53, got ${String(value)}`);
            }
            // String(-0) is '0', as Go writes it.
            out.text(String(value));
            return;
        case 'object':
            if (value === null) {
                out.text('null');
                return;
            }
            if (Array.isArray(value)) {
                out.byte(0x5b);
                for (let i = 0; i < value.length; i++) {
                    if (i > 0)
                        out.byte(0x2c);
                    write(value[i], out);
                }
                out.byte(0x5d);
                return;
            }
            if (isPlainObject(value)) {
                writeObject(value, out);
                return;
            }
    }
    throw new BadValue('TUF_BAD_METADATA', `canonical JSON cannot encode a ${typeof value}; pass plain JSON data`);
}
/** The keys of an object in canonical order: byte-wise on their UTF-8. */
function canonicalKeys(value) {
    const keys = Object.keys(value);
    let utf16Order = true;
    for (let i = 0; i < keys.length && utf16Order; i++)
        utf16Order = !NOT_UTF16_ORDER.test(keys[i]);
    if (utf16Order)
        keys.sort();
    else
        keys.sort(byUtf8);
    return keys;
}
function writeObject(value, out) {
    const keys = canonicalKeys(value);
    out.byte(0x7b);
    let first = true;
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const v = value[k];
        if (v === undefined)
            continue;
        if (!first)
            out.byte(0x2c);
        first = false;
        writeString(k, out);
        out.byte(0x3a);
        write(v, out);
    }
    out.byte(0x7d);
}
function isPlainObject(v) {
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}
// Canonical strings escape only `"` and `\`, every other character is written as it is (its
// UTF-8; a lone surrogate as U+FFFD). Most strings (names, base64, hex) have neither.
const ESCAPED = /["\\]/;
function writeString(s, out) {
    out.byte(QUOTE);
    out.text(ESCAPED.test(s) ? s.replace(/["\\]/g, (c) => `\\${c}`) : s);
    out.byte(QUOTE);
}
/**
 * Whether `json` is exactly what `canonicalJson` writes for the value it holds: valid UTF-8;
 * no whitespace; object keys in strictly rising byte order (of their unescaped UTF-8); only
 * `\"` and `\\` escaped in strings; integers without sign on zero, leading zeros, fraction or
 * exponent, within 2^53. Anything else, JSON or not, is false. One pass without recursion
 * over the bytes read as Latin-1 (one character per byte, so string order is byte order),
 * where finding quotes and backslashes is a native scan.
 */
function isCanonicalJson(json) {
    if (!(0,external_node_buffer_.isUtf8)(json))
        return false;
    const t = json.toString('latin1');
    const n = t.length;
    // The first backslash at or after where the last string scan began (n if none left).
    let slash = -1;
    const stringEnd = (start) => {
        let from = start + 1;
        for (;;) {
            const quote = t.indexOf('"', from);
            if (quote < 0)
                return -1;
            if (slash < from) {
                slash = t.indexOf('\\', from);
                if (slash < 0)
                    slash = n;
            }
            if (slash > quote)
                return quote;
            const next = t.charCodeAt(slash + 1);
            if (next !== QUOTE && next !== BACKSLASH)
                return -1;
            from = slash + 2;
        }
    };
    // Per open container, by depth: whether it is an object, and its previous key.
    const isObject = [];
    const lastKey = [];
    let depth = 0;
    /** Reads a key and its colon at `i`, in order after the previous one; the next index or -1. */
    const key = (i) => {
        if (t.charCodeAt(i) !== QUOTE)
            return -1;
        const end = stringEnd(i);
        if (end < 0 || t.charCodeAt(end + 1) !== 0x3a)
            return -1;
        const raw = t.slice(i + 1, end);
        const name = raw.includes('\\') ? raw.replace(/\\(.)/g, '$1') : raw;
        const prev = lastKey[depth - 1];
        if (prev !== undefined && !(prev < name))
            return -1;
        lastKey[depth - 1] = name;
        return end + 2;
    };
    let i = 0;
    for (;;) {
        // A value starts at i; `end` is where it ends.
        const c = t.charCodeAt(i);
        let end;
        if (c === 0x7b || c === 0x5b) {
            if (t.charCodeAt(i + 1) === (c === 0x7b ? 0x7d : 0x5d)) {
                end = i + 2;
            }
            else {
                isObject[depth] = c === 0x7b;
                lastKey[depth] = undefined;
                depth++;
                i = c === 0x7b ? key(i + 1) : i + 1;
                if (i < 0)
                    return false;
                continue;
            }
        }
        else if (c === QUOTE) {
            end = stringEnd(i) + 1;
            if (end === 0)
                return false;
        }
        else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null';
            if (!t.startsWith(word, i))
                return false;
            end = i + word.length;
        }
        else {
            end = canonicalNumberEnd(t, i);
            if (end < 0)
                return false;
        }
        // After a value: close containers, or go on to the next element or key.
        i = end;
        for (;;) {
            if (depth === 0)
                return i === n;
            const object = isObject[depth - 1];
            const d = t.charCodeAt(i);
            if (d === 0x2c) {
                i = object ? key(i + 1) : i + 1;
                if (i < 0)
                    return false;
                break;
            }
            if (d !== (object ? 0x7d : 0x5d))
                return false;
            depth--;
            i++;
        }
    }
}
const BACKSLASH = 0x5c;
/** The end of a canonical integer at `start` (`0`, or `-?[1-9][0-9]*` within 2^53), or -1. */
function canonicalNumberEnd(t, start) {
    let i = start;
    if (t.charCodeAt(i) === 0x2d)
        i++;
    const first = i;
    for (let c = t.charCodeAt(i); c >= 0x30 && c <= 0x39; c = t.charCodeAt(i))
        i++;
    if (i === first)
        return -1;
    if (t.charCodeAt(first) === 0x30 && (i > first + 1 || first > start))
        return -1;
    // Up to 15 digits are always within 2^53; more are checked as a number.
    return i - first <= 15 || Number.isSafeInteger(Number(t.slice(start, i))) ? i : -1;
}
const HTML_ESCAPES = { 0x3c: '\\u003c', 0x3e: '\\u003e', 0x26: '\\u0026' };
/**
 * Go's `json.Compact` HTML escaping as applied to `*json.RawMessage` (§3.2): `<` `>` `&`
 * U+2028 U+2029 become `\u003c` `\u003e` `\u0026` `\u2028` `\u2029`; every other byte stays.
 */
function htmlEscape(json) {
    // Most files have none of these bytes: find the first with memchr-speed scans.
    let first = json.length;
    for (const b of [0x3c, 0x3e, 0x26, 0xe2]) {
        const at = json.indexOf(b);
        if (at !== -1 && at < first)
            first = at;
    }
    if (first === json.length)
        return json;
    const chunks = [];
    let start = 0;
    for (let i = first; i < json.length; i++) {
        const b = json[i];
        let rep = HTML_ESCAPES[b];
        let width = 1;
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
        if (b === 0xe2 && json[i + 1] === 0x80 && (json[i + 2] === 0xa8 || json[i + 2] === 0xa9)) {
            rep = json[i + 2] === 0xa8 ? '\\u2028' : '\\u2029';
            width = 3;
        }
        if (rep !== undefined) {
            chunks.push(json.subarray(start, i), Buffer.from(rep, 'ascii'));
            start = i + width;
            i += width - 1;
        }
    }
    if (start === 0)
        return json;
    chunks.push(json.subarray(start));
    return Buffer.concat(chunks);
}
/**
 * JSON.parse into objects without a prototype, so that a key such as `__proto__` (a valid
 * docker tag) is an ordinary own property everywhere metadata is read or edited. A key twice
 * in one object is refused: JSON.parse keeps the last, Go merges maps into one struct field,
 * so such a file could be read two ways.
 */
function parseJson(text) {
    const src = typeof text === 'string' ? text : text.toString('utf8');
    const value = JSON.parse(src);
    // A key twice in one object leaves fewer keys in the parsed objects than the text holds;
    // only then is the text searched again for the key to name.
    if (bareInPlace(value) !== countKeys(src)) {
        const twice = duplicateKey(src);
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `the key ${twice === undefined ? '(unknown)' : JSON.stringify(twice)} is in one object twice, so the file can be read two ways`);
    }
    return value;
}
/**
 * The number of object keys in `src` (valid JSON). `onKey`, if given, is called with each key
 * as written (escapes not undone) and a number naming its object, in order; the scan stops
 * when it returns true.
 */
function countKeys(src, onKey) {
    // Per open object its number, per open array -1; `key`: the next string is a key.
    const open = [];
    let objects = 0;
    let key = false;
    let count = 0;
    for (let i = 0; i < src.length; i++) {
        const c = src.charCodeAt(i);
        if (c === 0x22) {
            const end = stringEnd(src, i);
            if (key) {
                count++;
                key = false;
                if (onKey?.(src.slice(i + 1, end), open[open.length - 1]))
                    return count;
            }
            i = end;
        }
        else if (c === 0x7b) {
            open.push(objects++);
            key = true;
        }
        else if (c === 0x5b) {
            open.push(-1);
        }
        else if (c === 0x7d || c === 0x5d) {
            open.pop();
        }
        else if (c === 0x2c) {
            key = open[open.length - 1] !== -1;
        }
    }
    return count;
}
/** The index of the quote that closes the string opened at `start`. */
function stringEnd(src, start) {
    let end = src.indexOf('"', start + 1);
    for (;;) {
        let slashes = 0;
        while (src.charCodeAt(end - 1 - slashes) === 0x5c)
            slashes++;
        if (slashes % 2 === 0)
            return end;
        end = src.indexOf('"', end + 1);
    }
}
/** The first key found twice in one object of `src` (valid JSON), unescaped. */
function duplicateKey(src) {
    const seen = new Map();
    let twice;
    countKeys(src, (raw, object) => {
        const name = raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw;
        let keys = seen.get(object);
        if (keys === undefined)
            seen.set(object, (keys = new Set()));
        if (keys.has(name))
            twice = name;
        keys.add(name);
        return twice !== undefined;
    });
    return twice;
}
/**
 * A name as Go's encoding/json compares it with a struct field's (bytes.EqualFold, Go 1.19
 * fold.go): ASCII letters in any case, the Kelvin sign K (U+212A) as k and the long s ſ
 * (U+017F) as s, the only non-ASCII runes that fold to ASCII letters.
 */
function goFold(name) {
    // toLowerCase already maps the Kelvin sign to k; it leaves ſ as it is.
    return name.replace(/[A-Z\u212a\u017f]/g, (c) => (c === '\u017f' ? 's' : c.toLowerCase()));
}
/** The fields of a Go struct, for `foldedField`. */
class GoFields {
    names;
    folded;
    constructor(...names) {
        this.names = new Set(names);
        this.folded = new Map(names.map((n) => [goFold(n), n]));
    }
    /**
     * The first key of `obj` that Go would decode into one of these fields although it is not
     * spelled as the field (`"Targets"` for `targets`), with that field; so a JSON object whose
     * keys collide under Go's folding is found too. Undefined when every key is exact or unknown.
     */
    foldedField(obj) {
        for (const key in obj) {
            if (this.names.has(key))
                continue;
            const field = this.folded.get(goFold(key));
            if (field !== undefined)
                return { key, field };
        }
        return undefined;
    }
}
/** A deep copy of JSON data whose objects have no prototype (see `parseJson`). */
function cloneJson(value) {
    if (Array.isArray(value))
        return value.map((v) => cloneJson(v));
    if (typeof value !== 'object' || value === null)
        return value;
    const src = value;
    const copy = Object.create(null);
    for (const k of Object.keys(src))
        copy[k] = cloneJson(src[k]);
    return copy;
}
/**
 * Takes the prototype off every object in parsed JSON, in place (no second copy of a large
 * file), and returns how many keys the objects hold.
 */
function bareInPlace(v) {
    if (typeof v !== 'object' || v === null)
        return 0;
    let keys = 0;
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++)
            keys += bareInPlace(v[i]);
        return keys;
    }
    Object.setPrototypeOf(v, null);
    const o = v;
    const names = Object.keys(o);
    for (let i = 0; i < names.length; i++)
        keys += 1 + bareInPlace(o[names[i]]);
    return keys;
}
/** A prototype-free empty object, for maps keyed by names that come from the network. */
function bareObject() {
    return Object.create(null);
}

;// CONCATENATED MODULE: ./src/tuf/time.ts
/** Go `time.Time` text as notary writes and reads it (notary-spec.md §3.3). */

/**
 * `2029-11-27T16:04:24Z`: UTC, whole seconds, no `.000` and no `+00:00`, which is what Go
 * re-serializes to byte for byte (a JS `toISOString()` breaks the server's snapshot hashes).
 */
function goTime(d) {
    const ms = d.getTime();
    const year = d.getUTCFullYear();
    if (!Number.isFinite(ms) || year < 0 || year > 9999) {
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `cannot write ${String(d)} as a Go time (year 0-9999)`);
    }
    return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
/**
 * Parses Go RFC3339Nano (`2116-07-03T17:56:36.027379879-05:00`, `...Z`). Digits beyond
 * milliseconds are dropped, so keep the original string if it must be written again.
 */
function parseExpires(s) {
    const m = RFC3339.exec(s);
    if (m === null)
        throw badTime(s);
    const [, y, mo, d, h, mi, sec, frac = '', zone] = m;
    const ms = Number(frac.padEnd(3, '0').slice(0, 3));
    let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
    // Date.UTC maps years 0-99 to 1900-1999; put the year back.
    const date = new Date(t);
    date.setUTCFullYear(Number(y));
    t = date.getTime();
    if (date.getUTCMonth() !== Number(mo) - 1 ||
        date.getUTCDate() !== Number(d) ||
        Number(h) > 23 ||
        Number(mi) > 59 ||
        Number(sec) > 59) {
        throw badTime(s);
    }
    if (zone !== 'Z') {
        const sign = zone.startsWith('-') ? -1 : 1;
        const [zh, zm] = zone.slice(1).split(':').map(Number);
        if (zh > 23 || zm > 59)
            throw badTime(s);
        t -= sign * (zh * 60 + zm) * 60_000;
    }
    return new Date(t);
}
function badTime(s) {
    return new errors/* DctError */.sY('TUF_BAD_METADATA', `"${s.slice(0, 40)}" is not an RFC 3339 time; the metadata is malformed`);
}
/** `now` plus whole days, as Go's `time.Add(n*24h)`: the defaults are 3×365 and 10×365 days. */
function addDays(now, days) {
    return new Date(now.getTime() + days * 86_400_000);
}

;// CONCATENATED MODULE: ./src/tuf/envelope.ts
/**
 * The signed-metadata file: `{"signed":…,"signatures":[…]}` exactly as Go writes it
 * (notary-spec.md §3.2), with the exact bytes kept beside the parsed object.
 */


/** Go's `data.Signed` and `data.Signature` (the `signed` part is models.ts's). */
const ENVELOPE = new GoFields('signatures', 'signed');
const SIGNATURE = new GoFields('keyid', 'method', 'sig');
/** Parses a metadata file; `guard` checks and types `signed` (see models.ts). */
function parseEnvelope(bytes, role, guard) {
    const raw = parseFile(bytes, role);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw badEnvelope(role, 'the file is not a JSON object');
    }
    const obj = raw;
    checkFields(obj, ENVELOPE, role, 'the file');
    const sigs = obj['signatures'] ?? [];
    if (!Array.isArray(sigs))
        throw badEnvelope(role, '"signatures" is not a list');
    const signatures = sigs.map((s, i) => {
        const r = s;
        if (typeof r === 'object' && r !== null)
            checkFields(r, SIGNATURE, role, `signature ${i}`);
        const keyid = r?.['keyid'];
        const method = r?.['method'];
        const sig = r?.['sig'];
        if (typeof keyid !== 'string' || typeof method !== 'string' || typeof sig !== 'string') {
            throw badEnvelope(role, `signature ${i} needs string keyid, method and sig`);
        }
        return { keyid, method, sig };
    });
    const rawSigned = obj['signed'];
    if (typeof rawSigned !== 'object' || rawSigned === null) {
        throw badEnvelope(role, '"signed" is missing');
    }
    let signed;
    try {
        signed = guard(rawSigned);
    }
    catch (e) {
        if (e instanceof errors/* DctError */.sY) {
            throw new errors/* DctError */.sY(e.code, `${role}: ${e.message}`, { cause: e });
        }
        throw e;
    }
    return { signed, signatures, bytes };
}
/** JSON.parse as parseJson does it, a refusal naming the role. */
function parseFile(bytes, role) {
    try {
        return parseJson(bytes);
    }
    catch (e) {
        if (e instanceof errors/* DctError */.sY)
            throw badEnvelope(role, e.message);
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `${role} metadata is not valid JSON; the trust server may be serving corrupt data`, { cause: e });
    }
}
function checkFields(o, go, role, what) {
    const clash = go.foldedField(o);
    if (clash !== undefined) {
        throw badEnvelope(role, `${what} has the key ${JSON.stringify(clash.key)}, which Go reads as "${clash.field}", so it can be read two ways`);
    }
}
function badEnvelope(role, why) {
    return new errors/* DctError */.sY('TUF_BAD_METADATA', `${role} metadata is malformed: ${why}; the trust server may be serving corrupt data`);
}
/**
 * `{"signed":E(canonical(signed)),"signatures":[{"keyid","method","sig"}…]}`, no newline.
 * E also escapes control characters: canonical JSON keeps them raw in the signed message,
 * which is not JSON in a file (Go's writer fails on them instead, notary-spec.md §3.1).
 */
function serializeEnvelope(signed, signatures, canonical = canonicalJson(signed)) {
    return Buffer.concat([
        Buffer.from('{"signed":', 'ascii'),
        htmlEscape(escapeControls(canonical)),
        signaturesTail(signatures),
    ]);
}
/** What follows the `signed` value in a file Go writes: `,"signatures":[…]}`. */
function signaturesTail(signatures) {
    const sigs = signatures
        .map((s) => `{"keyid":${goString(s.keyid)},"method":${goString(s.method)},"sig":${goString(s.sig)}}`)
        .join(',');
    return Buffer.from(`,"signatures":[${sigs}]}`, 'utf8');
}
const CONTROL_ESCAPES = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };
/**
 * Control characters (all inside strings: canonical JSON has no whitespace) as Go's
 * encoding/json writes them: `\t` `\n` `\r`, else `\u00XX`.
 */
function escapeControls(json) {
    let start = 0;
    const chunks = [];
    for (let i = 0; i < json.length; i++) {
        const b = json[i];
        if (b >= 0x20)
            continue;
        chunks.push(json.subarray(start, i));
        chunks.push(Buffer.from(CONTROL_ESCAPES[b] ?? `\\u00${b.toString(16).padStart(2, '0')}`));
        start = i + 1;
    }
    if (start === 0)
        return json;
    chunks.push(json.subarray(start));
    return Buffer.concat(chunks);
}
/** A string as Go's encoding/json writes it (HTML-safe, \u00XX for other controls). */
function goString(s) {
    const json = JSON.stringify(s).replace(/\\[bf]/g, (m) => (m === '\\b' ? '\\u0008' : '\\u000c'));
    return htmlEscape(Buffer.from(json, 'utf8')).toString('utf8');
}
/**
 * Signs canonical(signed) with every signer and serializes the file. New signatures come
 * first, then the `keep` ones whose key did not just sign again (Go's order, §4.5).
 */
function signEnvelope(signed, signers, keep = []) {
    const message = canonicalJson(signed);
    const fresh = [];
    for (const signer of signers) {
        if (fresh.some((s) => s.keyid === signer.keyId))
            continue;
        const { method, sig } = signer.sign(message);
        fresh.push({ keyid: signer.keyId, method: method.toLowerCase(), sig: sig.toString('base64') });
    }
    const kept = keep.filter((k) => !fresh.some((s) => s.keyid === k.keyid));
    const signatures = [...fresh, ...kept];
    return { signed, signatures, bytes: serializeEnvelope(signed, signatures, message), message };
}
/** The canonical message the signatures of a file cover: canonical(JSON.parse(signed)). */
function signedMessage(bytes, role) {
    const raw = parseFile(bytes, role);
    const signed = raw?.['signed'];
    if (typeof signed !== 'object' || signed === null) {
        throw badEnvelope(role, '"signed" is missing');
    }
    return canonicalJson(signed);
}
const SIGNED_HEAD = Buffer.from('{"signed":');
const SIGNATURES_KEY = Buffer.from(',"signatures":');
/**
 * The bytes of the `signed` value with Go's HTML escaping (§3.2) undone, which is
 * canonical(signed) for every file written as Go writes it. Only returned when the whole
 * file is exactly Go's serialization of that message and `signatures`: no second `signed`,
 * no other top-level key, nothing after; so the object parsed from the file is the object
 * in the message; and when the message is canonical JSON, so it is the very bytes Go would
 * verify. Undefined otherwise. Callers must still check the signatures over it.
 */
function literalSignedMessage(bytes, signatures) {
    if (!bytes.subarray(0, SIGNED_HEAD.length).equals(SIGNED_HEAD))
        return undefined;
    const end = bytes.lastIndexOf(SIGNATURES_KEY);
    if (end <= SIGNED_HEAD.length)
        return undefined;
    const raw = bytes.subarray(SIGNED_HEAD.length, end);
    const message = htmlUnescape(raw);
    if (message === raw) {
        // Nothing escaped (most files): Go writes the message as it is unless it holds something
        // to escape, and then the signatures; compared so, without a copy of a large file.
        if (escapeControls(raw) !== raw || htmlEscape(raw) !== raw)
            return undefined;
        if (!bytes.subarray(end).equals(signaturesTail(signatures)))
            return undefined;
    }
    else if (!serializeEnvelope({}, signatures, message).equals(bytes)) {
        return undefined;
    }
    // Go verifies over canonical(signed): bytes that are not canonical JSON (keys out of order,
    // spaces, `1e2`, `\u0041`) are not what any valid signature covers, even if one verifies.
    return isCanonicalJson(message) ? message : undefined;
}
const UNESCAPES = {
    '003c': Buffer.from('<'),
    '003e': Buffer.from('>'),
    '0026': Buffer.from('&'),
    '2028': Buffer.from('\u2028', 'utf8'),
    '2029': Buffer.from('\u2029', 'utf8'),
};
for (let b = 0; b < 0x20; b++)
    UNESCAPES[`00${b.toString(16).padStart(2, '0')}`] = Buffer.from([b]);
const SHORT_UNESCAPES = {
    0x74: Buffer.from('\t'),
    0x6e: Buffer.from('\n'),
    0x72: Buffer.from('\r'),
};
/**
 * Undoes `htmlEscape` and `escapeControls`: only escapes that start at a real escape
 * backslash are replaced.
 */
function htmlUnescape(json) {
    const chunks = [];
    let start = 0;
    for (let i = json.indexOf(0x5c); i !== -1;) {
        const short = SHORT_UNESCAPES[json[i + 1]];
        if (short !== undefined) {
            chunks.push(json.subarray(start, i), short);
            start = i + 2;
            i = json.indexOf(0x5c, start);
            continue;
        }
        if (json[i + 1] === 0x75) {
            const rep = UNESCAPES[json.toString('latin1', i + 2, i + 6)];
            if (rep !== undefined) {
                chunks.push(json.subarray(start, i), rep);
                start = i + 6;
                i = json.indexOf(0x5c, start);
                continue;
            }
        }
        // Any other escape: skip the backslash and the character it escapes (`\\` included).
        i = json.indexOf(0x5c, i + 2);
    }
    if (chunks.length === 0)
        return json;
    chunks.push(json.subarray(start));
    return Buffer.concat(chunks);
}

;// CONCATENATED MODULE: ./src/tuf/verify.ts





/**
 * Checks that at least `threshold` distinct keys of the role signed the file. The message is
 * canonical(JSON.parse(signed)) re-derived from `env.bytes`, never the file bytes (§3.2).
 * Signatures by keys outside the role are ignored; a role key whose entry does not hash to
 * its ID is an error (`TUF_INVALID_KEY_ID`). Below threshold: `TUF_SIGNATURE` when a role
 * key's signature was present but wrong (tampering), else `TUF_THRESHOLD`.
 */
function verifySignatures(env, roleName, keys, role) {
    if (env.signatures.length === 0) {
        throw new errors/* DctError */.sY('TUF_NO_SIGNATURES', `${roleName} metadata has no signatures; the trust server may be serving tampered data`);
    }
    if (!Number.isSafeInteger(role.threshold) || role.threshold < 1) {
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `role ${roleName} has an invalid threshold`);
    }
    // A file written as Go writes it holds canonical(signed) HTML-escaped (§3.2): undoing the
    // escaping gives the signed message without parsing and re-encoding a large file. Only
    // signatures that verify over it are trusted; otherwise the message is derived as Go does.
    const literal = env.message === undefined ? literalSignedMessage(env.bytes, env.signatures) : undefined;
    if (literal !== undefined &&
        validSignatures(env, roleName, keys, role, literal).valid.size >= role.threshold) {
        return;
    }
    const message = env.message ?? signedMessage(env.bytes, roleName);
    const { valid, failed } = validSignatures(env, roleName, keys, role, message);
    if (valid.size >= role.threshold)
        return;
    const counts = `${valid.size} valid of ${role.threshold} required`;
    if (failed.length > 0) {
        throw new errors/* DctError */.sY('TUF_SIGNATURE', `signature of key ${shortId(failed[0])} on ${roleName} is invalid (${counts}); ` +
            'the trust server may be serving tampered data');
    }
    throw new errors/* DctError */.sY('TUF_THRESHOLD', `valid signatures did not meet threshold for ${roleName} (${counts}); ` +
        'it was not signed by the keys the repository trusts for this role');
}
function validSignatures(env, roleName, keys, role, message) {
    const allowed = new Set(role.keyids);
    const valid = new Set();
    const failed = [];
    for (const sig of env.signatures) {
        if (!allowed.has(sig.keyid))
            continue;
        const key = keys[sig.keyid];
        if (key === undefined)
            continue;
        if (keyIdOf(key) !== sig.keyid) {
            throw new errors/* DctError */.sY('TUF_INVALID_KEY_ID', `key ${shortId(sig.keyid)} of ${roleName} does not match its ID; ` +
                'the metadata is corrupt or tampered with');
        }
        if (verifyOne(message, sig.method, Buffer.from(sig.sig, 'base64'), key)) {
            valid.add(sig.keyid);
        }
        else {
            failed.push(sig.keyid);
        }
    }
    return { valid, failed };
}
/** One signature over `message` by `key` with notary's `method` (case-insensitive). */
function verifyOne(message, method, sig, key) {
    let pub;
    try {
        pub = keyid_publicKeyOf(key);
    }
    catch {
        return false;
    }
    // The key type named in metadata must hold the kind of key found in it.
    if (KEYTYPE_FAMILY[key.keytype] !== pub.asymmetricKeyType)
        return false;
    return verifySignature(method, pub, message, sig);
}

;// CONCATENATED MODULE: ./src/tuf/checks.ts
/**
 * What every role's loading shares (notary-spec.md §7): the size caps, fetching a file by the
 * length and hashes its parent names, and the signature, version and expiry checks. Fails closed.
 */




/**
 * notary's MaxDownloadSize, the cap Go applies to a root fetched without a checksum; the notary
 * client also applies it to any fetch given no length (notary-spec.md §5.2).
 */
const ROOT_MAX_BYTES = 100 * 1024 * 1024;
/** notary-spec.md §5.2. */
const TIMESTAMP_MAX_BYTES = 1024 * 1024;
/** Any other role file: 100,000s of targets fit well below this. */
const METADATA_MAX_BYTES = 64 * 1024 * 1024;
const STALE = 'the trust server may be serving stale or tampered data';
const CLEAR_CACHE = "if the repository's keys were rotated or it was re-created on purpose, clear the action cache";
function expiryCheck(now, mayExpire) {
    return (role, expires, keys) => {
        try {
            checkExpiry(role, expires, now);
            return false;
        }
        catch (e) {
            if ((0,errors/* isDctError */.AE)(e, 'TUF_EXPIRED') && mayExpire?.(role, keys) === true)
                return true;
            throw e;
        }
    };
}
/** Signatures, version and expiry of a base role; true when expired and let through. */
function checkRole(env, role, keys, seen, check) {
    verifySignatures(env, role, keys.keys, keys);
    checkVersion(role, env.signed.version, seen);
    return check(role, env.signed.expires, keys);
}
function checkVersion(role, version, seen) {
    const current = seen[role] ?? 0;
    if (version < current) {
        throw new errors/* DctError */.sY('TUF_ROLLBACK', `${role} version ${version} is lower than current version ${current}; ${STALE}, or ${CLEAR_CACHE}`);
    }
}
function checkExpiry(role, expires, now) {
    const at = parseExpires(expires);
    if (at.getTime() < now.getTime()) {
        const fix = role === 'timestamp' || role === 'snapshot'
            ? `${STALE} (the server re-signs it on demand)`
            : role === 'root'
                ? 'the repository owner must re-sign root with the root key (`refresh` with the root key and its passphrase)'
                : "re-sign it with the key that signs it: the action's `command: refresh`, or `dct refresh`";
        throw new errors/* DctError */.sY('TUF_EXPIRED', `${role} expired at ${expires}; ${fix}`);
    }
}
async function fetchByMeta(fetcher, role, meta, parent) {
    const b64 = meta.hashes['sha256'];
    // The parent names the length; a hostile one cannot make us buffer more than the cap.
    if (meta.length > METADATA_MAX_BYTES) {
        throw new errors/* DctError */.sY('TUF_LENGTH', `${parent} says ${role} is ${meta.length} bytes, over the ${METADATA_MAX_BYTES >> 20} MiB this client reads; ${STALE}`);
    }
    const opts = { maxLength: meta.length };
    if (b64 !== undefined)
        opts.sha256 = Buffer.from(b64, 'base64').toString('hex');
    const bytes = await fetcher.fetch(role, opts);
    if (bytes === undefined)
        throw missing(role);
    checkFileMeta(role, bytes, meta, parent);
    return bytes;
}
function checkFileMeta(role, bytes, meta, parent) {
    if (bytes.length !== meta.length) {
        throw new errors/* DctError */.sY('TUF_LENGTH', `${role} is ${bytes.length} bytes but ${parent} says ${meta.length}; ${STALE}`);
    }
    for (const alg of ['sha256', 'sha512']) {
        const expected = meta.hashes[alg];
        if (expected === undefined)
            continue;
        const actual = (0,external_node_crypto_.createHash)(alg).update(bytes).digest();
        if (!actual.equals(Buffer.from(expected, 'base64'))) {
            throw new errors/* DctError */.sY('TUF_HASH_MISMATCH', `${alg} checksum for ${role} did not match: expected ` +
                `${Buffer.from(expected, 'base64').toString('hex')}; ${STALE}`);
        }
    }
}
function checkMaxLength(role, bytes, max) {
    if (bytes.length > max) {
        throw new errors/* DctError */.sY('TUF_LENGTH', `${role} is larger than ${max} bytes; ${STALE}`);
    }
}
function missing(role) {
    return new errors/* DctError */.sY('TUF_MISSING', `${role} metadata is missing on the trust server; it may be mid-update (retry), or ${STALE}`);
}

;// CONCATENATED MODULE: ./src/notary/errors.ts


/**
 * Turns a trust server's non-success answer into a DctError (notary-spec.md §5.2, §5.6).
 * The HttpError keeps the status and the body for whoever needs more than the message.
 */
function notaryError(res, ctx) {
    const host = hostOf(res.url);
    const first = firstError(res.body);
    // Server text goes into one-line messages: error codes are short upper-case words.
    const serverCode = typeof first?.code === 'string' && /^[A-Z_]{1,40}$/.test(first.code) ? first.code : undefined;
    const make = (code, message) => new HttpError(code, message, { url: res.url, status: res.status, body: res.body });
    if (res.status === 401 || res.status === 403) {
        return make('NOTARY_UNAUTHORIZED', `${host} refused to ${ctx.action} for ${ctx.gun} (HTTP ${res.status}): check registry-username/registry-password — the token service must grant ${ctx.write === true ? 'push and pull' : 'pull'} on ${ctx.gun}`);
    }
    if (res.status === 404) {
        return make('NOTARY_NOT_FOUND', `${host} has no ${ctx.action === 'publish' ? 'publish endpoint' : 'such resource'} for ${ctx.gun} (HTTP 404, ${serverCode ?? 'no error code'}); is ${host} a notary server?`);
    }
    if (res.status >= 500) {
        return make('NOTARY_SERVER_ERROR', `${host} failed to ${ctx.action} for ${ctx.gun} (HTTP ${res.status}${serverCode === undefined ? '' : ` ${serverCode}`}); try again later`);
    }
    if (res.status === 400) {
        switch (serverCode) {
            case 'VERSION':
                // The caller re-reads the server and retries; keep this distinct.
                return make('NOTARY_VERSION', `${host} already holds a newer version of the metadata of ${ctx.gun}; another publish raced this one`);
            case 'INVALID_GUN':
                return make('NOTARY_INVALID_GUN', `${host} does not serve ${ctx.gun}${describeDetail(first?.detail)}; check the image name or \`trust-server\``);
            case 'INVALID_UPDATE':
                // notary-spec.md §5.3: the client holds the snapshot key and sent no snapshot.
                if (isMissingSnapshot(first?.detail)) {
                    return make('NOTARY_SNAPSHOT_KEY_MISSING', `${host} does not hold the snapshot key of ${ctx.gun}, and the update carried no snapshot`);
                }
                return make('NOTARY_REJECTED', `${host} rejected the ${ctx.action} for ${ctx.gun}: INVALID_UPDATE${describeDetail(first?.detail)}`);
            case 'INVALID_ROLE': {
                const cut = (ctx.roles ?? []).filter((r) => r.includes('/'));
                const detail = typeof first?.detail === 'string' ? (0,errors/* oneLine */.TN)(first.detail, { max: 100 }) : undefined;
                if (cut.length > 0) {
                    // notary-spec.md §5.3: servers built with Go ≥1.17 before notary's filename fix cut
                    // "targets/releases" to "releases" (notaryproject/notary#1630).
                    return make('NOTARY_REJECTED', `${host} rejected role "${detail ?? '?'}" when publishing ${cut.join(', ')} for ${ctx.gun}: this notary-server cuts delegation file names at "/" (notaryproject/notary#1630); upgrade the server or sign with the repository (targets) key only`);
                }
                return make('NOTARY_REJECTED', `${host} rejected role "${detail ?? '?'}" for ${ctx.gun} (INVALID_ROLE)`);
            }
            default:
                return make('NOTARY_REJECTED', `${host} rejected the ${ctx.action} for ${ctx.gun}: ${serverCode ?? 'no error code'}${describeDetail(first?.detail)}`);
        }
    }
    return make('NOTARY_SERVER_ERROR', `${host} answered HTTP ${res.status} to ${ctx.action} for ${ctx.gun}${serverCode === undefined ? '' : ` (${serverCode})`}`);
}
/** `{"Name":"ErrBadHierarchy","Error":{"Missing":"snapshot",…}}` (notary-spec.md §5.6). */
function isMissingSnapshot(detail) {
    if (detail === null || typeof detail !== 'object')
        return false;
    const d = detail;
    return d.Name === 'ErrBadHierarchy' && d.Error?.Missing === 'snapshot';
}
function firstError(body) {
    const e = errorList(body)?.[0];
    return e !== null && typeof e === 'object' ? e : undefined;
}
/** ` (ErrBadTargets: valid signatures did not meet threshold for targets)` from a detail. */
function describeDetail(detail) {
    if (typeof detail === 'string')
        return detail === '' ? '' : ` (${(0,errors/* oneLine */.TN)(detail, { max: 300 })})`;
    if (Array.isArray(detail)) {
        const text = detail.filter((d) => typeof d === 'string').join(', ');
        return text === '' ? '' : ` (${(0,errors/* oneLine */.TN)(text, { max: 300 })})`;
    }
    if (detail === null || typeof detail !== 'object')
        return '';
    const d = detail;
    const name = typeof d.Name === 'string' ? d.Name : undefined;
    const err = d.Error !== null && typeof d.Error === 'object' ? d.Error : {};
    const msg = typeof err.Msg === 'string' ? err.Msg : undefined;
    const missing = typeof err.Missing === 'string' ? ` (missing ${err.Missing})` : '';
    if (name === undefined && msg === undefined)
        return '';
    return ` (${[name, msg === undefined ? undefined : (0,errors/* oneLine */.TN)(msg, { max: 300 }) + missing].filter((x) => x !== undefined).join(': ')})`;
}

;// CONCATENATED MODULE: ./src/notary/multipart.ts

/**
 * A multipart/form-data body as Go's `multipart.Writer.CreateFormFile("files", role)` writes
 * it (notary-spec.md §5.3): one part per role file with its exact bytes, parts in the map's
 * order, a random 60-hex boundary like Go's.
 */
function multipartBody(files, boundary = (0,external_node_crypto_.randomBytes)(30).toString('hex')) {
    const parts = [];
    let first = true;
    for (const [role, bytes] of files) {
        const head = `${first ? '' : '\r\n'}--${boundary}\r\n` +
            `Content-Disposition: form-data; name="files"; filename="${escapeQuotes(role)}"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n';
        parts.push(Buffer.from(head, 'utf8'), bytes);
        first = false;
    }
    parts.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
    return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
/** Go mime/multipart escapeQuotes: backslash and double quote are backslash-escaped. */
function escapeQuotes(s) {
    return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

;// CONCATENATED MODULE: ./src/notary/client.ts







const DOCKER_HUB_TRUST_SERVER = 'https://notary.docker.io';
const ROLE_RE = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const KEY_FIELDS = new GoFields('keytype', 'keyval');
const KEYVAL_FIELDS = new GoFields('private', 'public');
/**
 * The one reading of a trust-server URL (the `trust-server` input, DOCKER_CONTENT_TRUST_SERVER):
 * undefined when it does not parse; else whether it is https with a host, whether it holds user
 * info, whether it has a query or fragment, `shown` (origin and path, safe to echo) and
 * `normal`, the form used when all is well (`shown` without trailing slashes). A valid URL is
 * https, with no user info, query or fragment; each caller words the refusal.
 */
function readTrustServerUrl(value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        return undefined;
    }
    const shown = `${url.origin}${url.pathname}`;
    return {
        https: url.protocol === 'https:' && url.hostname !== '',
        credentials: url.username !== '' || url.password !== '',
        query: url.search !== '' || url.hash !== '',
        shown,
        normal: shown.replace(/\/+$/, ''),
    };
}
/**
 * The trust server of an image (notary-spec.md §7.5): `explicit` (the `trust-server` input or
 * DOCKER_CONTENT_TRUST_SERVER, read by the caller) must be an https URL; else
 * notary.docker.io for Docker Hub, else the registry host itself. No trailing slash.
 */
function trustServerFor(ref, explicit) {
    if (explicit !== undefined && explicit.trim() !== '') {
        const given = explicit.trim();
        const t = readTrustServerUrl(given);
        if (t === undefined || !t.https) {
            throw new errors/* DctError */.sY('TRUST_SERVER_INVALID', `valid https URL required for trust server, got ${given}`);
        }
        if (t.query || t.credentials) {
            throw new errors/* DctError */.sY('TRUST_SERVER_INVALID', `valid https URL required for trust server, got ${t.shown}… (no query, fragment or user info)`);
        }
        return t.normal;
    }
    if (ref.registry === 'docker.io')
        return DOCKER_HUB_TRUST_SERVER;
    return `https://${ref.registry}`;
}
/** A GUN as a URL path: kept verbatim, each segment escaped only where a path needs it. */
function gunPath(gun) {
    return gun
        .split('/')
        .map((seg) => encodeURIComponent(seg).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (m) => decodeURIComponent(m)))
        .join('/');
}
/**
 * Client of notary-server's TUF API for one GUN (notary-spec.md §5). One token per run: a
 * client made with `write: true` asks for `pull,push` from the start, so reads and the
 * publish share the token.
 */
class NotaryClient {
    server;
    gun;
    auth;
    base;
    readScope;
    writeScope;
    /** §5.5: deleting and rotating server keys need the `*` action. */
    adminScope;
    constructor(opts) {
        this.server = opts.server.replace(/\/+$/, '');
        this.gun = opts.gun;
        this.base = `${this.server}/v2/${gunPath(opts.gun)}/_trust/tuf/`;
        this.auth = new TokenAuth({
            http: opts.http,
            credentials: opts.credentials,
            onSecret: opts.onSecret,
            server: 'the trust server',
        });
        // §5.5: the scope names the full GUN, host included.
        this.writeScope = `repository:${opts.gun}:pull,push`;
        this.readScope = opts.write === true ? this.writeScope : `repository:${opts.gun}:pull`;
        this.adminScope = `repository:${opts.gun}:*`;
    }
    /**
     * GET a metadata file: `<role>.json`, `<role>.<sha256>.json` or `<N>.<role>.json` (§5.1).
     * Undefined when the server has none (404). Hash and signature checks are the caller's.
     */
    async fetch(role, opts = {}) {
        client_checkRole(role);
        let name;
        if (opts.sha256 !== undefined) {
            if (!/^[0-9a-f]{64}$/.test(opts.sha256)) {
                throw new errors/* DctError */.sY('NOTARY_BAD_REQUEST', `not a sha256 hex checksum: ${opts.sha256}`);
            }
            name = `${role}.${opts.sha256}.json`;
        }
        else if (opts.version !== undefined) {
            if (!Number.isSafeInteger(opts.version) || opts.version < 1) {
                throw new errors/* DctError */.sY('NOTARY_BAD_REQUEST', `not a metadata version: ${opts.version}`);
            }
            name = `${opts.version}.${role}.json`;
        }
        else {
            name = `${role}.json`;
        }
        const maxBytes = opts.maxLength ?? (role === 'timestamp' ? TIMESTAMP_MAX_BYTES : ROOT_MAX_BYTES);
        const res = await this.send({ method: 'GET', url: this.base + name, maxBytes }, this.readScope, `fetch ${name}`);
        if (res.status === 404)
            return undefined;
        if (res.status !== 200)
            throw notaryError(res, { gun: this.gun, action: `fetch ${name}` });
        return res.body;
    }
    /**
     * The server-held public key of `role` (§5.1). Before the first publish the server may
     * make a new key on every call: call once per role and keep the answer.
     */
    getKey(role) {
        return this.keyRequest('GET', role, this.writeScope, `get the ${role} key`);
    }
    /**
     * Asks the server for a new `role` key (`POST <role>.key`, §5.1) and returns its public part.
     * The key is the server's from now on, but clients use it only once a root naming it is
     * published.
     */
    rotateKey(role) {
        return this.keyRequest('POST', role, this.adminScope, `rotate the ${role} key`);
    }
    async keyRequest(method, role, scope, action) {
        const res = await this.send({ method, url: `${this.base}${role}.key`, maxBytes: 1 << 20 }, scope, action);
        if (res.status !== 200)
            throw notaryError(res, { gun: this.gun, action, write: true });
        return parseKey(res, role);
    }
    /** Deletes every piece of trust data the server holds for the GUN (`DELETE …/tuf/`, §5.1). */
    async deleteTrustData() {
        const action = 'delete the trust data';
        const res = await this.send({ method: 'DELETE', url: this.base, maxBytes: 1 << 20 }, this.adminScope, action);
        if (res.status !== 200)
            throw notaryError(res, { gun: this.gun, action, write: true });
    }
    /**
     * POST the changed role files in one atomic multipart upload (§5.3). Never retried here:
     * a lost answer, or a gateway's 502/503/504, becomes NOTARY_OUTCOME_UNKNOWN and the caller
     * re-reads the server.
     */
    async publish(files) {
        if (files.size === 0)
            throw new errors/* DctError */.sY('NOTARY_BAD_REQUEST', 'nothing to publish');
        for (const role of files.keys())
            client_checkRole(role);
        const { body, contentType } = multipartBody(files);
        const roles = [...files.keys()];
        let res;
        try {
            res = await this.send({
                method: 'POST',
                url: this.base,
                headers: { 'content-type': contentType },
                body,
                // The answer is empty or a short error; never buffer more.
                maxBytes: 1 << 20,
            }, this.writeScope, 'publish');
        }
        catch (e) {
            // Only a failure of the POST itself, not of the ping or token request before it.
            const lost = e instanceof HttpError && e.url === this.base && e.requestSent;
            if (lost && e.code.startsWith('HTTP_')) {
                throw new HttpError('NOTARY_OUTCOME_UNKNOWN', `the answer to the publish of ${roles.join(', ')} for ${this.gun} was lost (${e.code}); the server may or may not have stored it`, { url: e.url, requestSent: true }, { cause: e });
            }
            throw e;
        }
        const gateway = [408, 502, 503, 504].includes(res.status) || (res.status >= 520 && res.status <= 527);
        if (gateway || (res.status >= 500 && errorList(res.body) === undefined)) {
            // A gateway's or load balancer's answer (502/503/504, Cloudflare 52x, 408), or a 5xx that
            // is not notary-server's: the server behind may have stored the update all the same.
            // notary-server's own 500s are JSON and its storage is atomic: plain failures.
            throw new HttpError('NOTARY_OUTCOME_UNKNOWN', `${new URL(this.server).host} answered HTTP ${res.status} to the publish of ${roles.join(', ')} for ${this.gun}; the server may or may not have stored it`, { url: res.url, status: res.status, body: res.body });
        }
        if (res.status !== 200) {
            throw notaryError(res, { gun: this.gun, action: 'publish', roles, write: true });
        }
    }
    async send(req, scope, action) {
        try {
            return await this.auth.request(req, scope);
        }
        catch (e) {
            if ((0,errors/* isDctError */.AE)(e, 'AUTH_DENIED')) {
                const he = e;
                throw new HttpError('NOTARY_UNAUTHORIZED', `${new URL(this.server).host} refused to ${action} for ${this.gun}: check registry-username/registry-password — the token service must grant ${scope.endsWith('*') ? 'full (*) access' : scope.endsWith('push') ? 'push' : 'pull'} on ${this.gun}`, { url: he.url, status: he.status, body: he.body }, { cause: e });
            }
            throw e;
        }
    }
}
function client_checkRole(role) {
    if (!ROLE_RE.test(role) || role.split('/').some((s) => s === '.' || s === '..')) {
        throw new errors/* DctError */.sY('NOTARY_BAD_REQUEST', `not a TUF role name: ${JSON.stringify(role)}`);
    }
}
/** The public key JSON of `GET …/<role>.key`; a private part is refused. */
function parseKey(res, role) {
    const bad = (why) => new HttpError('NOTARY_BAD_KEY', `the ${role} key from the trust server ${why}`, {
        url: res.url,
        status: res.status,
        body: res.body,
    });
    let parsed;
    try {
        parsed = parseJson(res.body);
    }
    catch (e) {
        throw bad(e instanceof errors/* DctError */.sY ? `is ambiguous: ${e.message}` : 'is not JSON');
    }
    // Go decodes it into a struct: "KeyVal" would be its keyval (canonical.ts GoFields).
    const clash = typeof parsed === 'object' && parsed !== null
        ? (KEY_FIELDS.foldedField(parsed) ??
            (typeof parsed.keyval === 'object' && parsed.keyval !== null
                ? KEYVAL_FIELDS.foldedField(parsed.keyval)
                : undefined))
        : undefined;
    if (clash !== undefined)
        throw bad(`has the key "${clash.key}", which Go reads as "${clash.field}"`);
    const keytype = parsed.keytype;
    const pub = parsed.keyval?.public;
    if (typeof keytype !== 'string' || keytype === '')
        throw bad('has no keytype');
    if (typeof pub !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(pub)) {
        throw bad('has no base64 public key');
    }
    const priv = parsed.keyval?.private;
    if (priv !== undefined && priv !== null && priv !== '')
        throw bad('holds a private part');
    return { keytype, keyval: { private: null, public: pub } };
}

;// CONCATENATED MODULE: ./src/registry/reference.ts

// The grammar of distribution/reference (regexp.go), which docker's ParseNormalizedNamed uses.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const reference_TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const REFERENCE_RE = new RegExp(`^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::(${reference_TAG}))?(?:@(${DIGEST}))?$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/**
 * Parses an image reference as docker's `reference.ParseNormalizedNamed` does, then demands
 * a tag: a tag is what gets signed (notary-spec.md §8), so there is no implicit `latest` and
 * digest-only references are refused.
 */
function parseImageRef(s) {
    // The failure line names the image; the message says what is wrong with it, once.
    const bad = (why) => new errors/* DctError */.sY('IMAGE_REF_INVALID', `\`images\` holds an invalid image reference: ${why}${why.includes('expected') ? '' : '; expected host[:port]/path/name:tag'}`);
    const { ref, tag, digest } = parseReference(s, bad);
    if (tag === undefined) {
        if (digest !== undefined) {
            throw bad('a digest-only reference cannot be signed: add a tag (name:tag@sha256:…)');
        }
        throw bad('no tag: add a tag, e.g. ":1.0" (there is no implicit "latest")');
    }
    const out = { ...ref, tag };
    if (digest !== undefined) {
        if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
            throw bad('the pinned digest must be sha256:<64 lowercase hex digits>');
        }
        out.digest = digest;
    }
    return out;
}
/**
 * A repository name as docker's trust commands take it (`signer add`, `key rotate`): the same
 * grammar, a tag allowed and ignored, no digest.
 */
function parseRepositoryRef(s) {
    const bad = (why) => new errors/* DctError */.sY('REPOSITORY_INVALID', `invalid repository name: ${why}${why.includes('expected') ? '' : '; expected [host[:port]/]path/name'}`);
    const { ref, tag, digest } = parseReference(s, bad);
    if (digest !== undefined)
        throw bad('a digest does not name a repository');
    return tag === undefined ? ref : { ...ref, tag };
}
function parseReference(s, bad) {
    if (s === '')
        throw bad('it is empty');
    if (IDENTIFIER_RE.test(s))
        throw bad('a 64-hex identifier is not a repository name');
    const [domain, remainder] = splitDockerDomain(s);
    const tagSep = remainder.indexOf(':');
    const remote = tagSep >= 0 ? remainder.slice(0, tagSep) : remainder;
    if (remote.toLowerCase() !== remote) {
        throw bad(`repository name "${remote}" must be lowercase`);
    }
    const full = `${domain}/${remainder}`;
    const m = REFERENCE_RE.exec(full);
    if (m === null) {
        if (REFERENCE_RE.test(full.toLowerCase()))
            throw bad('repository name must be lowercase');
        throw bad('expected [host[:port]/]path/name:tag[@sha256:<hex>]');
    }
    const name = m[1];
    if (name.length > NAME_TOTAL_LENGTH_MAX) {
        throw bad(`the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
    }
    const nm = NAME_RE.exec(name);
    const registry = nm[1];
    const repository = nm[2];
    const ref = {
        input: s,
        registry,
        repository,
        gun: `${registry}/${repository}`,
        apiHost: registry === DEFAULT_DOMAIN ? DOCKER_HUB_API_HOST : registry,
    };
    const out = { ref };
    if (m[2] !== undefined)
        out.tag = m[2];
    if (m[3] !== undefined)
        out.digest = m[3];
    return out;
}
/** Mirrors distribution/reference `splitDockerDomain` (normalize.go). */
function splitDockerDomain(name) {
    const slash = name.indexOf('/');
    if (slash < 0)
        return [DEFAULT_DOMAIN, `library/${name}`];
    const maybeDomain = name.slice(0, slash);
    const maybeRemote = name.slice(slash + 1);
    let domain;
    let remote;
    if (maybeDomain === 'localhost') {
        [domain, remote] = [maybeDomain, maybeRemote];
    }
    else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
        [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
    }
    else if (/[.:]/.test(maybeDomain)) {
        [domain, remote] = [maybeDomain, maybeRemote];
    }
    else if (maybeDomain.toLowerCase() !== maybeDomain) {
        // Namespaces are lowercase, so an uppercase first element can only be a host name.
        [domain, remote] = [maybeDomain, maybeRemote];
    }
    else {
        [domain, remote] = [DEFAULT_DOMAIN, name];
    }
    if (domain === DEFAULT_DOMAIN && !remote.includes('/'))
        remote = `library/${remote}`;
    return [domain, remote];
}
/** Checks a `sha256:<64 lowercase hex>` digest; `inputName` names where it came from. */
function parseDigest(s, inputName) {
    const v = s.trim();
    if (/^sha256:[0-9a-f]{64}$/.test(v))
        return v;
    let why = 'expected sha256:<64 lowercase hex digits>';
    if (/^sha256:[0-9a-fA-F]{64}$/.test(v))
        why = 'the hex digits must be lowercase';
    else if (/^[0-9a-f]{64}$/.test(v))
        why = 'the "sha256:" prefix is missing';
    else if (/^[A-Za-z0-9+._-]+:/.test(v) && !v.startsWith('sha256:')) {
        why = 'only sha256 digests are supported';
    }
    throw new errors/* DctError */.sY('DIGEST_INVALID', `invalid digest "${v}" in ${inputName}: ${why}`);
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./src/cli/keystore.ts
/**
 * The private key directory docker and notary share, `$DOCKER_CONFIG/trust/private`
 * (notary-spec.md §1.1): one encrypted PKCS#8 PEM per key, named `<key id>.key`, mode 0600,
 * with `role:` (and for repository keys `gun:`) headers. Older layouts (`root_keys/`,
 * `tuf_keys/<gun>/`, `<id>_<role>.key`) are read too. Nothing here decrypts a key.
 */






class KeyStore {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    /** Every `*.key` below the directory, relative paths, sorted. None when it does not exist. */
    async paths() {
        let entries;
        try {
            entries = await (0,promises_namespaceObject.readdir)(this.dir, { recursive: true, withFileTypes: true });
        }
        catch (e) {
            if (e.code === 'ENOENT')
                return [];
            throw new errors/* DctError */.sY('KEYSTORE_UNREADABLE', `cannot read the key directory ${this.dir}`, {
                cause: e,
            });
        }
        return entries
            .filter((e) => e.isFile() && e.name.endsWith('.key'))
            .map((e) => (0,external_node_path_namespaceObject.relative)(this.dir, (0,external_node_path_namespaceObject.join)(e.parentPath, e.name)).split(external_node_path_namespaceObject.sep).join('/'))
            .sort();
    }
    /**
     * The key files as KeyRing reads them. `mask` sees every PEM body line first. Files that are
     * not a private key are skipped (with a note); the caller disposes of the result.
     */
    async read(mask = () => undefined) {
        const files = [];
        const notes = [];
        try {
            for (const path of await this.paths()) {
                const text = await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(this.dir, path), 'utf8');
                const file = keyFileFrom(text, path, mask);
                if (file === undefined)
                    notes.push(`${path}: holds no private key, skipped`);
                else
                    files.push(file);
            }
        }
        catch (e) {
            disposeKeyFiles(files);
            throw e;
        }
        return { files, notes };
    }
    /** What each file says about itself, without decrypting. */
    async list() {
        const { files } = await this.read();
        try {
            return files
                .filter((f) => f.idFromName !== undefined)
                .map((f) => ({
                path: f.source,
                id: f.idFromName,
                ...(f.role ? { role: f.role } : {}),
                ...(f.gun ? { gun: f.gun } : {}),
                encrypted: isEncryptedBlock(f.block),
            }));
        }
        finally {
            disposeKeyFiles(files);
        }
    }
    /**
     * Writes a new key file `<id>.key` (0600, directory 0700) holding `pem`. Refuses to replace
     * an existing file: a key on disk is never overwritten.
     */
    async write(id, pem) {
        if (!/^[0-9a-f]{64}$/.test(id))
            throw new Error(`not a key ID: ${id}`);
        try {
            await (0,promises_namespaceObject.mkdir)(this.dir, { recursive: true, mode: 0o700 });
        }
        catch (e) {
            throw new errors/* DctError */.sY('KEYSTORE_UNWRITABLE', `cannot create the key directory ${this.dir}`, {
                cause: e,
            });
        }
        const path = (0,external_node_path_namespaceObject.join)(this.dir, `${id}.key`);
        let handle;
        try {
            handle = await (0,promises_namespaceObject.open)(path, 'wx', 0o600);
        }
        catch (e) {
            if (e.code === 'EEXIST') {
                throw new errors/* DctError */.sY('KEY_EXISTS', `a key file ${path} already exists; it is kept as it is`);
            }
            throw new errors/* DctError */.sY('KEYSTORE_UNWRITABLE', `cannot write the key file ${path}`, { cause: e });
        }
        try {
            await handle.writeFile(pem, 'utf8');
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        await (0,promises_namespaceObject.chmod)(path, 0o600); // whatever the umask did
        return path;
    }
}
/** One file's private key block, with what its path and headers say. */
function keyFileFrom(text, path, mask) {
    for (const line of pem_pemBodyLines(text))
        mask(line);
    let blocks;
    try {
        blocks = pem_parsePem(text);
    }
    catch (e) {
        throw new errors/* DctError */.sY('KEY_DAMAGED', `${path} is not a PEM key file`, { cause: e });
    }
    const keys = blocks.filter((b) => pkcs8_PRIVATE_KEY_TYPES.has(b.type));
    for (const b of blocks)
        if (!keys.includes(b))
            b.der.fill(0);
    if (keys.length === 0)
        return undefined;
    for (const b of keys.slice(1))
        b.der.fill(0);
    const block = keys[0];
    const info = keyPathInfo(path);
    const file = { source: path, block };
    if (info.idFromName)
        file.idFromName = info.idFromName;
    const role = block.headers.role || info.role;
    const gun = block.headers.gun || info.gun;
    if (role)
        file.role = role;
    if (gun)
        file.gun = gun;
    return file;
}

;// CONCATENATED MODULE: ./src/signer/trust-state.ts
function isTrustState(v) {
    if (typeof v !== 'object' || v === null)
        return false;
    const s = v;
    if (typeof s.gun !== 'string' || s.gun === '')
        return false;
    if (typeof s.root !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s.root))
        return false;
    if (typeof s.versions !== 'object' || s.versions === null || Array.isArray(s.versions)) {
        return false;
    }
    return Object.values(s.versions).every((n) => Number.isSafeInteger(n) && n >= 0);
}
/**
 * `state` merged with what the store `kept`: every role's highest version, and the root of
 * the higher root version. Another step, run or tool may have seen newer data than this run.
 */
function neverLower(kept, state) {
    const versions = { ...state.versions };
    let root = state.root;
    if (kept !== undefined) {
        for (const [role, v] of Object.entries(kept.versions)) {
            if ((versions[role] ?? -1) < v)
                versions[role] = v;
        }
        if ((kept.versions['root'] ?? 0) > (state.versions['root'] ?? 0))
            root = kept.root;
    }
    return { root, versions };
}

;// CONCATENATED MODULE: ./src/cli/truststore.ts
/**
 * The TUF cache where docker and notary keep what they trusted:
 * `$DOCKER_CONFIG/trust/tuf/<gun>/metadata/<role>.json` (CLI.md). `dct` reads the root a
 * docker or notary client pinned there, and the versions of every role file it finds, so a
 * rollback is refused whichever of the three tools saw the newer data; it writes back the root
 * it trusts and the versions it saw (`dct-versions.json`, which docker and notary ignore).
 */



const VERSIONS_FILE = 'dct-versions.json';
class DockerTufStore {
    dir;
    log;
    constructor(dir, log) {
        this.dir = dir;
        this.log = log;
    }
    metadataDir(gun) {
        return (0,external_node_path_namespaceObject.join)(this.dir, ...gun.split('/'), 'metadata');
    }
    async load(gun) {
        const dir = this.metadataDir(gun);
        let rootBytes;
        try {
            rootBytes = await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(dir, 'root.json'));
        }
        catch {
            return undefined; // never seen: trust on first use
        }
        const versions = {};
        const note = (role, v) => {
            if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
                versions[role] = Math.max(versions[role] ?? 0, v);
            }
        };
        try {
            note('root', versionOf(rootBytes));
        }
        catch {
            this.log.warning(`The trusted root of ${gun} in ${dir} is damaged and was ignored; its root will be trusted again on first use`);
            return undefined;
        }
        for (const path of await roleFiles(dir)) {
            const role = path.slice(0, -'.json'.length);
            if (role === 'root')
                continue;
            try {
                note(role, versionOf(await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(dir, path))));
            }
            catch {
                // a role file docker left half-written is not trusted data; the server's copy is read
            }
        }
        try {
            const side = JSON.parse(await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(dir, VERSIONS_FILE), 'utf8'));
            if (typeof side === 'object' && side !== null && !Array.isArray(side)) {
                for (const [role, v] of Object.entries(side))
                    note(role, v);
            }
        }
        catch {
            // absent or damaged: the role files still say what was seen
        }
        const state = { gun, root: rootBytes.toString('base64'), versions };
        return isTrustState(state) ? state : undefined;
    }
    async save(state) {
        if (!isTrustState(state))
            throw new TypeError('refusing to store an invalid trust state');
        const dir = this.metadataDir(state.gun);
        const kept = await this.load(state.gun);
        const { root, versions } = neverLower(kept, state);
        await (0,promises_namespaceObject.mkdir)(dir, { recursive: true, mode: 0o700 });
        if (kept?.root !== root)
            await atomicWrite((0,external_node_path_namespaceObject.join)(dir, 'root.json'), Buffer.from(root, 'base64'));
        await atomicWrite((0,external_node_path_namespaceObject.join)(dir, VERSIONS_FILE), Buffer.from(`${JSON.stringify(versions)}\n`));
    }
    /** Forgets a repository (after `delete --remote`). */
    async forget(gun) {
        await (0,promises_namespaceObject.rm)((0,external_node_path_namespaceObject.join)(this.dir, ...gun.split('/')), { recursive: true, force: true });
    }
}
function versionOf(bytes) {
    const doc = JSON.parse(bytes.toString('utf8'));
    return doc.signed?.version;
}
async function roleFiles(dir) {
    try {
        const entries = await (0,promises_namespaceObject.readdir)(dir, { recursive: true, withFileTypes: true });
        return entries
            .filter((e) => e.isFile() && e.name.endsWith('.json') && e.name !== VERSIONS_FILE)
            .map((e) => (0,external_node_path_namespaceObject.relative)(dir, (0,external_node_path_namespaceObject.join)(e.parentPath, e.name)).split(external_node_path_namespaceObject.sep).join('/'));
    }
    catch {
        return [];
    }
}
async function atomicWrite(path, data) {
    const tmp = `${path}.${process.pid}.tmp`;
    await (0,promises_namespaceObject.writeFile)(tmp, data, { mode: 0o600 });
    await (0,promises_namespaceObject.rename)(tmp, path);
}

;// CONCATENATED MODULE: ./src/cli/context.ts
/**
 * What every `dct` command works with: docker's files and environment (CLI.md), the key
 * directory, the TUF cache, passphrases from the environment or the terminal, and a logger on
 * stderr. Everything the process owns (env, streams, terminal) is injected, so tests drive a
 * command exactly as a user would.
 */












const ROOT_PASSPHRASE_VAR = 'DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE';
const REPOSITORY_PASSPHRASE_VAR = 'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE';
const SERVER_VAR = 'DOCKER_CONTENT_TRUST_SERVER';
class CliContext {
    io;
    debug;
    env;
    dockerConfigDir;
    keyStore;
    tufStore;
    log;
    redactor = new Redactor();
    now;
    passphrases = new Map();
    constructor(io, debug = false) {
        this.io = io;
        this.debug = debug;
        this.env = io.env;
        this.now = io.now ?? (() => new Date());
        const home = io.env.HOME && io.env.HOME !== '' ? io.env.HOME : (0,external_node_os_namespaceObject.homedir)();
        this.dockerConfigDir =
            io.env.DOCKER_CONFIG && io.env.DOCKER_CONFIG !== ''
                ? io.env.DOCKER_CONFIG
                : (0,external_node_path_namespaceObject.join)(home, '.docker');
        this.keyStore = new KeyStore((0,external_node_path_namespaceObject.join)(this.dockerConfigDir, 'trust', 'private'));
        const warned = new Set();
        this.log = {
            info: (m) => this.err(m),
            warning: (m) => {
                if (warned.has(m))
                    return;
                warned.add(m);
                this.err(`warning: ${m}`);
            },
            debug: (m) => {
                if (this.debug)
                    this.err(`debug: ${m}`);
            },
        };
        this.tufStore = new DockerTufStore((0,external_node_path_namespaceObject.join)(this.dockerConfigDir, 'trust', 'tuf'), this.log);
        for (const v of [ROOT_PASSPHRASE_VAR, REPOSITORY_PASSPHRASE_VAR]) {
            const p = io.env[v];
            if (p)
                this.redactor.add(p);
        }
    }
    /** A line for programs (stdout). */
    out(line) {
        this.io.stdout(`${line}\n`);
    }
    /** A line for people (stderr). */
    err(line) {
        this.io.stderr(`${this.redactor.redact(line)}\n`);
    }
    /** The trust server given by DOCKER_CONTENT_TRUST_SERVER, if any. */
    get trustServer() {
        const s = this.env[SERVER_VAR]?.trim();
        return s === '' ? undefined : s;
    }
    /**
     * Network settings for the repositories named: the trust server, each server's CA from
     * `$DOCKER_CONFIG/tls/<host[:port]>/ca.crt`, registry credentials from the Docker config.
     */
    connection(repositories) {
        const hosts = new Set();
        for (const r of repositories) {
            try {
                const ref = parseRepositoryRef(r);
                const server = trustServerFor(ref, this.trustServer);
                hosts.add(new URL(server).host);
                // docker names the folder as the server is written: `host:443` keeps its port
                const written = /^https:\/\/([^/?#]+)/i.exec(this.trustServer ?? server)?.[1];
                if (written !== undefined)
                    hosts.add(written);
                hosts.add(ref.registry);
            }
            catch {
                // the flow names a bad reference itself
            }
        }
        const cas = [];
        for (const host of hosts) {
            const file = (0,external_node_path_namespaceObject.join)(this.dockerConfigDir, 'tls', host, 'ca.crt');
            if ((0,external_node_fs_namespaceObject.existsSync)(file))
                cas.push((0,external_node_fs_namespaceObject.readFileSync)(file, 'utf8'));
        }
        return {
            trustServer: this.trustServer,
            ...(cas.length > 0 ? { caPem: cas.join('\n') } : {}),
            dockerConfigDir: this.dockerConfigDir,
            ...(this.io.execCredentialHelper
                ? { execCredentialHelper: this.io.execCredentialHelper }
                : {}),
            onSecret: (s) => this.redactor.add(s),
            ...(this.debug ? { requestLog: (line) => this.log.debug(line) } : {}),
        };
    }
    /**
     * A passphrase: from its variable, else asked on the terminal (twice for a new key, which
     * must have 8 characters or more, as docker required), else an error naming the variable.
     */
    async passphrase(kind, opts = {}) {
        const known = this.passphrases.get(kind);
        if (known !== undefined)
            return known;
        const variable = kind === 'root' ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
        const fromEnv = this.env[variable];
        if (fromEnv !== undefined && fromEnv !== '') {
            this.passphrases.set(kind, fromEnv);
            return fromEnv;
        }
        const what = opts.what ?? (kind === 'root' ? 'the root key' : 'the repository keys');
        const terminal = this.io.terminal;
        if (terminal === undefined) {
            throw new errors/* DctError */.sY('PASSPHRASE_MISSING', `a passphrase for ${what} is needed and there is no terminal to ask on; set ${variable}`);
        }
        // docker's wording: "Enter passphrase for new alice key"
        const subject = opts.newKey ? `new ${what.replace(/^the (new )?/, '')}` : what;
        const first = await terminal.ask(`Enter passphrase for ${subject}: `, true);
        if (first === '') {
            throw new errors/* DctError */.sY('PASSPHRASE_EMPTY', `the passphrase for ${what} is empty`);
        }
        if (opts.newKey) {
            if (first.length < 8) {
                throw new errors/* DctError */.sY('PASSPHRASE_SHORT', `the passphrase for ${what} is shorter than 8 characters; use a longer one`);
            }
            const again = await terminal.ask(`Repeat passphrase for ${subject}: `, true);
            if (again !== first) {
                throw new errors/* DctError */.sY('PASSPHRASE_MISMATCH', `the passphrases for ${what} do not match`);
            }
        }
        this.redactor.add(first);
        this.passphrases.set(kind, first);
        return first;
    }
    /** Asks a yes/no question on the terminal; undefined when there is none. */
    async confirm(question) {
        if (this.io.terminal === undefined)
            return undefined;
        const answer = await this.io.terminal.ask(`${question} [y/N] `, false);
        return /^y(es)?$/i.test(answer.trim());
    }
    /**
     * Opens the keys of the directory a command may use: root keys (`root`), the others
     * (`signing`), or both. For a repository, its own targets and snapshot keys and every
     * delegation key are candidates; another repository's are never touched. Passphrases are
     * asked only for kinds of key that are there. A key the passphrase does not open is left
     * out with a warning when others of its kind opened (docker asked per key; one passphrase
     * for several repositories is the common case), and is an error when none did.
     */
    async openKeys(include, gun) {
        const { files, notes } = await this.keyStore.read((s) => this.redactor.add(s));
        for (const n of notes)
            this.log.debug(n);
        try {
            const wanted = files.filter((f) => {
                const root = isRootKeyFile(f);
                if (include === 'signing' && root)
                    return false;
                if (include === 'root' && !root)
                    return false;
                if (gun !== undefined && !root && f.gun !== undefined && f.gun !== gun)
                    return false;
                return true;
            });
            const needs = (root) => wanted.some((f) => isRootKeyFile(f) === root && isEncryptedBlock(f.block));
            const opts = {
                include,
                ...(needs(true) ? { rootPassphrase: await this.passphrase('root') } : {}),
                ...(needs(false) ? { passphrase: await this.passphrase('repository') } : {}),
            };
            const logged = (ring) => {
                for (const w of ring.warnings)
                    this.log.warning(w);
                return ring;
            };
            try {
                return logged(KeyRing.open(wanted, opts));
            }
            catch (e) {
                if (!(e instanceof errors/* DctError */.sY) || e.code !== 'KEY_BAD_PASSPHRASE')
                    throw cliKeyError(e);
            }
            // Find which files stay shut, and keep the rest if each kind has one that opened.
            const opened = [];
            const shut = [];
            for (const f of wanted) {
                try {
                    KeyRing.open([f], opts).dispose();
                    opened.push(f);
                }
                catch {
                    shut.push(f);
                }
            }
            for (const root of [true, false]) {
                const kindShut = shut.filter((f) => isRootKeyFile(f) === root);
                if (kindShut.length > 0 && !opened.some((f) => isRootKeyFile(f) === root)) {
                    const variable = root ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
                    throw new errors/* DctError */.sY('KEY_BAD_PASSPHRASE', `the passphrase (${this.env[variable] ? variable : 'as typed'}) does not open ${kindShut
                        .map((f) => `${f.role ?? 'unlabelled'} key ${f.source}`)
                        .join(', ')}`);
                }
            }
            for (const f of shut) {
                this.log.warning(`${f.role ?? 'unlabelled'} key ${f.source} is not opened by the passphrase given and is not used`);
            }
            return logged(KeyRing.open(opened, opts));
        }
        finally {
            disposeKeyFiles(files);
        }
    }
}
/** The shared flows speak of the action's inputs; on the command line they are variables and files. */
function cliKeyError(e) {
    if (!(e instanceof errors/* DctError */.sY))
        return e;
    const message = cliWording(e.message);
    return message === e.message ? e : new errors/* DctError */.sY(e.code, message, { cause: e });
}
/** A message of the shared flows in the command line's words (see cliKeyError). */
function cliWording(message) {
    return message
        .replace(/`root-passphrase`( input)?/g, ROOT_PASSPHRASE_VAR)
        .replace(/`passphrase`( input)?/g, REPOSITORY_PASSPHRASE_VAR)
        .replace(/`keys`/g, 'the key directory')
        .replace(/`?registry-username`?\/`?registry-password`?/g, 'the credentials of `docker login` ($DOCKER_CONFIG/config.json)')
        .replace("this action's `signer-add` command, or ", '');
}

;// CONCATENATED MODULE: ./src/cli/registry.ts
const commands = new Map();
function register(command) {
    if (commands.has(command.name))
        throw new Error(`command ${command.name} registered twice`);
    commands.set(command.name, command);
}
function allCommands() {
    return [...commands.values()].sort((a, b) => a.name.localeCompare(b.name));
}
/** The command that `argv` names (a group and its subcommand take two words), and the rest. */
function findCommand(argv) {
    const two = argv.length >= 2 ? `${argv[0]} ${argv[1]}` : undefined;
    if (two !== undefined && commands.has(two))
        return { command: commands.get(two), rest: argv.slice(2) };
    if (argv.length >= 1 && commands.has(argv[0])) {
        return { command: commands.get(argv[0]), rest: argv.slice(1) };
    }
    const group = argv[0] !== undefined && allCommands().some((c) => c.name.startsWith(`${argv[0]} `))
        ? argv[0]
        : undefined;
    return { rest: argv.slice(group ? 1 : 0), group };
}

;// CONCATENATED MODULE: ./src/keys/encrypt.ts
/**
 * Writes private keys exactly as notary does (notary-spec.md §1.3–§1.4): notary's own inner
 * PKCS#8, wrapped in PBES2 with PBKDF2-HMAC-SHA1 (no PRF field), 2048 rounds, an 8-byte salt
 * and AES-256-CBC. Node's built-in encrypted export names hmacWithSHA256, which Go notary
 * silently ignores and then fails to decrypt, so the DER is built here by hand.
 */






const ITERATIONS = 2048;
/** Roles whose key files carry a `gun:` header; notary strips it for every other role (§1.2). */
const GUN_ROLES = new Set(['targets', 'snapshot', 'timestamp']);
/** notary's PKCS#8 PrivateKeyInfo for `key` (§1.3). The caller zeroes the result. */
function notaryPkcs8(key) {
    const type = key.asymmetricKeyType;
    let inner;
    let wrapped;
    try {
        if (type === 'ec') {
            const curve = curveOf(key)?.oid;
            if (!curve)
                throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `only ${CURVE_NAMES} EC keys can be written`);
            inner = key.export({ type: 'sec1', format: 'der' });
            wrapped = derOctets(inner);
            // ECDSA: version 1 (not 0), notary's encoder writes it so (§1.3).
            return derSequence(derSmallInt(1), derSequence(derOid(OID.ecPublicKey), derOid(curve)), wrapped);
        }
        if (type === 'rsa') {
            inner = key.export({ type: 'pkcs1', format: 'der' });
            wrapped = derOctets(inner);
            // RSA: the AlgorithmIdentifier holds only the OID, no NULL parameter (§1.3).
            return derSequence(derSmallInt(0), derSequence(derOid(OID.rsaEncryption)), wrapped);
        }
        if (type === 'ed25519') {
            const std = key.export({ type: 'pkcs8', format: 'der' });
            const pub = ed25519PublicBytes(key);
            inner = Buffer.alloc(96);
            pub.copy(inner, 0);
            std.copy(inner, 32, std.length - 32); // the RFC 8410 seed is the last 32 bytes
            pub.copy(inner, 64);
            std.fill(0);
            wrapped = derOctets(inner);
            return derSequence(derSmallInt(0), derSequence(derOid(OID.notaryEd25519)), wrapped);
        }
        throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `a ${String(type)} key cannot be written as a notary key`);
    }
    finally {
        inner?.fill(0);
        wrapped?.fill(0);
    }
}
/** The EncryptedPrivateKeyInfo DER of `key`, as notary writes it (§1.4). */
function encryptPkcs8(key, passphrase) {
    const salt = (0,external_node_crypto_.randomBytes)(8);
    const iv = (0,external_node_crypto_.randomBytes)(16);
    const pass = Buffer.from(passphrase);
    let plain;
    let dk;
    try {
        plain = notaryPkcs8(key);
        dk = (0,external_node_crypto_.pbkdf2Sync)(pass, salt, ITERATIONS, 32, 'sha1');
        const cipher = (0,external_node_crypto_.createCipheriv)('aes-256-cbc', dk, iv);
        const data = Buffer.concat([cipher.update(plain), cipher.final()]);
        return derSequence(derSequence(derOid(OID.pbes2), derSequence(
        // PBKDF2 params: salt and iteration count only, so the PRF defaults to HMAC-SHA1.
        derSequence(derOid(OID.pbkdf2), derSequence(derOctets(salt), derSmallInt(ITERATIONS))), derSequence(derOid(OID.aes256cbc), derOctets(iv)))), derOctets(data));
    }
    finally {
        pass.fill(0);
        plain?.fill(0);
        dk?.fill(0);
    }
}
/**
 * PEM text of `key` encrypted with `passphrase`, byte for byte in notary's layout: type
 * `ENCRYPTED PRIVATE KEY`, headers sorted (`gun` before `role`), `gun` only for the targets,
 * snapshot and timestamp roles (§1.2).
 */
function encryptNotaryKey(key, passphrase, headers) {
    if (key.type !== 'private')
        throw new TypeError('encryptNotaryKey needs a private key');
    if (!passphrase) {
        throw new errors/* DctError */.sY('KEY_PASSPHRASE_MISSING', 'a passphrase is needed to write an encrypted key');
    }
    const h = { role: headers.role };
    if (GUN_ROLES.has(headers.role)) {
        if (!headers.gun) {
            throw new errors/* DctError */.sY('KEY_GUN_MISSING', `a ${headers.role} key file needs the repository (gun) it belongs to`);
        }
        h.gun = headers.gun;
    }
    return encodePem({
        type: 'ENCRYPTED PRIVATE KEY',
        headers: h,
        der: encryptPkcs8(key, passphrase),
    });
}
/** A new private key of the kind notary makes: ECDSA P-256, Ed25519, or RSA-2048 (imported). */
function generateKey(type) {
    switch (type) {
        case 'ecdsa':
            return (0,external_node_crypto_.generateKeyPairSync)('ec', { namedCurve: 'P-256' }).privateKey;
        case 'ed25519':
            return (0,external_node_crypto_.generateKeyPairSync)('ed25519').privateKey;
        case 'rsa':
            return (0,external_node_crypto_.generateKeyPairSync)('rsa', { modulusLength: MIN_RSA_BITS }).privateKey;
    }
}

;// CONCATENATED MODULE: ./src/tuf/rootcert.ts
/**
 * Root certificate checks of notary's trustpinning (notary-spec.md §2, §7.3): which root-role
 * keys are usable certificates for a GUN.
 */





const SHA1_SIG_OIDS = new Set([
    '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
    '1.2.840.10040.4.3', // dsa-with-sha1
    '1.2.840.10045.4.1', // ecdsa-with-SHA1
    '1.3.14.3.2.29', // sha1WithRSA (OIW)
]);
const DAY_MS = 86_400_000;
/** Go's `MatchCNToGun`: exact, or a CN ending in `*` matches GUNs starting with the rest. */
function matchCnToGun(cn, gun) {
    if (cn.endsWith('*'))
        return gun.startsWith(cn.replace(/\*+$/, ''));
    return cn === gun;
}
/**
 * The root-role keys whose certificate bundle is usable for `gun` (Go `parseAllCerts` +
 * `validRootLeafCerts`): exactly one non-CA certificate, listed first; CN matches the GUN;
 * not SHA1-signed; RSA ≥ 2048 bits; and when `checkExpiry`, valid at `now` with one day of
 * leeway on notBefore. `rejected` says why each other root key was left out.
 */
function validRootCerts(root, gun, now, checkExpiry) {
    const valid = new Map();
    const rejected = [];
    for (const id of root.roles['root'].keyids) {
        const problem = checkRootKey(root, id, gun, now, checkExpiry, valid);
        if (problem !== undefined)
            rejected.push(`key ${shortId(id)}: ${problem}`);
    }
    return { valid, rejected };
}
function checkRootKey(root, id, gun, now, checkExpiry, valid) {
    const key = root.keys[id];
    if (key === undefined)
        return 'missing from root keys';
    if (!isCertKeytype(key.keytype)) {
        return `a ${key.keytype} key is not a certificate`;
    }
    let certs;
    try {
        certs = pemCertificates(Buffer.from(key.keyval.public, 'base64').toString('utf8'));
    }
    catch {
        return 'the certificate does not parse';
    }
    if (certs.length === 0)
        return 'no certificate';
    if (certs[0].ca || certs.filter((c) => !c.ca).length !== 1) {
        return 'the bundle must hold exactly one non-CA certificate, listed first';
    }
    const leaf = certs[0];
    let info;
    try {
        info = readCert(leaf.raw);
    }
    catch {
        return 'the certificate does not parse';
    }
    let canonicalId;
    try {
        canonicalId = canonicalKeyId(key);
    }
    catch (e) {
        return `its key is not usable: ${e.message}`;
    }
    if (!matchCnToGun(info.cn, gun))
        return `CN "${info.cn}" does not match "${gun}"`;
    if (info.notBefore > info.notAfter)
        return 'the validity window is invalid';
    if (SHA1_SIG_OIDS.has(info.sigAlg))
        return 'the certificate is signed with SHA1';
    const pub = leaf.publicKey;
    if (pub.asymmetricKeyType === 'rsa' && rsaBits(pub) < MIN_RSA_BITS) {
        return `the RSA key is shorter than ${MIN_RSA_BITS} bits`;
    }
    if (checkExpiry) {
        if (info.notBefore.getTime() > now.getTime() + DAY_MS) {
            return `the certificate is not valid before ${info.notBefore.toISOString()}`;
        }
        if (now > info.notAfter)
            return `the certificate expired at ${info.notAfter.toISOString()}`;
    }
    valid.set(id, {
        keyId: id,
        canonicalId,
        cn: info.cn,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
    });
    return undefined;
}
/** Every CERTIFICATE block of a PEM bundle; any other block type is an error, as in Go. */
function pemCertificates(pem) {
    return pem_parsePem(pem).map((b) => {
        if (b.type !== 'CERTIFICATE')
            throw new Error(`unexpected PEM block ${b.type}`);
        return new external_node_crypto_.X509Certificate(b.der);
    });
}
/**
 * The few certificate fields Node 20's X509Certificate does not expose exactly: the signature
 * algorithm OID, the subject CN (the last one, as Go's pkix.Name keeps it) and the validity.
 */
function readCert(der) {
    const { tbs, signatureAlgorithm } = certificateParts(der);
    const [notBefore, notAfter] = sequence(tbs[3], 'Validity');
    let cn = '';
    for (const rdn of sequence(tbs[4], 'Name')) {
        for (const atv of children(rdn)) {
            const [type, value] = sequence(atv, 'AttributeTypeAndValue');
            if (oidOf(type) === OID.commonName)
                cn = value.content.toString('utf8');
        }
    }
    return {
        sigAlg: oidOf(children(signatureAlgorithm)[0]),
        cn,
        notBefore: timeOf(notBefore, 'notBefore'),
        notAfter: timeOf(notAfter, 'notAfter'),
    };
}

;// CONCATENATED MODULE: ./src/signer/admin/signer-keys.ts
/**
 * Signer public keys and names as `docker trust signer add` takes them (notary-spec.md §2,
 * §6.4): `NAME.pub` files (a PUBLIC KEY block, with notary's `role:` header) or certificates.
 */






const SIGNER_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const signer_keys_DAY_MS = 86_400_000;
/** docker's rule: `^[a-z0-9][a-z0-9_-]*$`, and `releases` is reserved. Throws SIGNER_NAME_INVALID. */
function validateSignerName(name) {
    if (name === 'releases') {
        throw new errors/* DctError */.sY('SIGNER_NAME_INVALID', 'releases is a reserved signer name (targets/releases is shared by every signer); use a different name');
    }
    // The role name `targets/<name>` must stay under notary's 256 characters.
    if (!SIGNER_NAME.test(name) || name.length > 200) {
        throw new errors/* DctError */.sY('SIGNER_NAME_INVALID', `signer name ${JSON.stringify(name.slice(0, 80))} must start with a lowercase letter or digit and hold only lowercase letters, digits, "-" and "_" (at most 200 characters)`);
    }
}
/**
 * Every public key in `text` (one or more PEM blocks: PUBLIC KEY, or CERTIFICATE). `source`
 * names the text in messages. Throws DctError SIGNER_KEY_PRIVATE (a private key: nothing of it
 * is echoed), SIGNER_KEY_INVALID (unreadable, not a key, a CA certificate, SHA1, RSA < 2048,
 * Ed25519), SIGNER_KEY_EXPIRED (a certificate outside its validity) or SIGNER_KEY_MISMATCH (one
 * certificate and one public key that name different keys).
 */
function parseSignerKeys(text, source, now = new Date()) {
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
        throw new errors/* DctError */.sY('SIGNER_KEY_PRIVATE', `${source} holds a private key; a signer is added with its public key (the NAME.pub file \`dct key generate\` writes), and a private key must never be shared`);
    }
    let blocks;
    try {
        blocks = pem_parsePem(text);
    }
    catch (e) {
        throw invalid(source, 'is not readable PEM text', e);
    }
    if (blocks.length === 0) {
        throw invalid(source, 'holds no PEM block; expected a PUBLIC KEY (NAME.pub) or a CERTIFICATE');
    }
    const keys = [];
    blocks.forEach((block, i) => {
        const where = blocks.length > 1 ? `${source} (block ${i + 1})` : source;
        const key = readBlock(block, where, now);
        const same = keys.find((k) => k.canonicalId === key.canonicalId);
        if (same === undefined)
            keys.push(key);
        else if (same.tufKey.keytype.endsWith('-x509') !== key.tufKey.keytype.endsWith('-x509')) {
            // A certificate and its own public key: the certificate says more; keep it.
            if (key.tufKey.keytype.endsWith('-x509'))
                keys[keys.indexOf(same)] = key;
        }
    });
    // One certificate beside one public key reads as "this key, certified": they must agree.
    const certs = keys.filter((k) => k.tufKey.keytype.endsWith('-x509'));
    const plain = keys.filter((k) => !k.tufKey.keytype.endsWith('-x509'));
    if (certs.length === 1 && plain.length === 1) {
        throw new errors/* DctError */.sY('SIGNER_KEY_MISMATCH', `${source}: the certificate is for key ${shortId(certs[0].canonicalId)} but the public key beside it is ${shortId(plain[0].canonicalId)}; give the certificate of the signer's own key`);
    }
    return keys;
}
function readBlock(block, where, now) {
    const role = block.headers['role'];
    if (block.type === 'PUBLIC KEY') {
        let key;
        try {
            key = (0,external_node_crypto_.createPublicKey)({ key: block.der, format: 'der', type: 'spki' });
        }
        catch (e) {
            throw invalid(where, 'holds a PUBLIC KEY block that does not parse', e);
        }
        checkKeyType(key, where);
        const tufKey = tufKeyFromKeyObject(key);
        const id = keyIdOf(tufKey);
        return { id, tufKey, canonicalId: id, source: where, ...(role ? { role } : {}) };
    }
    if (block.type === 'CERTIFICATE')
        return readCertificate(block, where, now);
    // Private key blocks never get here: parseSignerKeys refuses their BEGIN line first.
    throw invalid(where, `holds a ${block.type} block; expected PUBLIC KEY or CERTIFICATE`);
}
/** Go's `ValidateCertificate(cert, checkExpiry=true)` plus: a CA certificate is no signer. */
function readCertificate(block, where, now) {
    let cert;
    let info;
    try {
        cert = new external_node_crypto_.X509Certificate(block.der);
        info = readCert(block.der);
    }
    catch (e) {
        throw invalid(where, 'holds a CERTIFICATE that does not parse', e);
    }
    if (cert.ca)
        throw invalid(where, 'is a CA certificate; give the signer’s own (leaf) certificate');
    if (SHA1_SIG_OIDS.has(info.sigAlg))
        throw invalid(where, 'is a certificate signed with SHA1');
    if (info.notBefore > info.notAfter)
        throw invalid(where, 'is a certificate with no valid period');
    if (now > info.notAfter || info.notBefore.getTime() > now.getTime() + signer_keys_DAY_MS) {
        const when = now > info.notAfter
            ? `expired at ${info.notAfter.toISOString()}`
            : `is not valid before ${info.notBefore.toISOString()}`;
        throw new errors/* DctError */.sY('SIGNER_KEY_EXPIRED', `the certificate in ${where} (CN ${JSON.stringify(info.cn)}) ${when}; give a valid certificate or the NAME.pub public key`);
    }
    checkKeyType(cert.publicKey, where);
    const pem = encodePem({ type: 'CERTIFICATE', headers: {}, der: cert.raw });
    const tufKey = certTufKey(pem, cert.publicKey);
    return {
        id: keyIdOf(tufKey),
        tufKey,
        canonicalId: keyIdOf(tufKeyFromKeyObject(cert.publicKey)),
        source: where,
        notAfter: info.notAfter,
    };
}
/** Go's `keyTypeForPublicKey`: ECDSA or RSA only (notary verifiers want RSA ≥ 2048). */
function checkKeyType(key, where) {
    const type = key.asymmetricKeyType;
    if (type === 'rsa') {
        const bits = rsaBits(key);
        if (bits < MIN_RSA_BITS)
            throw invalid(where, `holds a ${bits}-bit RSA key; notary needs ${MIN_RSA_BITS} bits or more`);
        return;
    }
    if (type !== 'ec') {
        throw invalid(where, `holds a ${String(type)} key; signer keys are ECDSA (what \`dct key generate\` makes) or RSA`);
    }
}
function invalid(where, what, cause) {
    return new errors/* DctError */.sY('SIGNER_KEY_INVALID', `${where} ${what}`, { cause });
}

;// CONCATENATED MODULE: ./src/cosign/key.ts
/**
 * cosign's encrypted private key (`cosign generate-key-pair`, cosign `pkg/cosign/keys.go`): a
 * PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (older: `ENCRYPTED COSIGN PRIVATE KEY`) whose
 * body is the JSON of go-securesystemslib's `encrypted` package:
 * `{"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},"cipher":{"name":"nacl/secretbox",
 * "nonce"},"ciphertext"}`, byte fields base64. The key is scrypt(password, salt) (32 bytes),
 * the plaintext the PKCS#8 DER of the private key, sealed with XSalsa20-Poly1305 (NaCl
 * secretbox: tag first). Node has scrypt but not XSalsa20, which comes from @noble/ciphers.
 */






const SIGSTORE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
const COSIGN_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';
/** The scrypt strengths go-securesystemslib accepts (Legacy, Standard, OWASP); r=8, p=1. */
const ACCEPTED_N = new Set([32768, 65536, 131072]);
/** What cosign writes today (`encrypted.Standard`). */
const WRITE_N = 65536;
const SALT_BYTES = 32;
const NONCE_BYTES = 24;
/** scrypt needs 128·N·r bytes: 128 MiB at N = 2^17. */
const SCRYPT_MAXMEM = 256 << 20;
function deriveKey(password, salt, n) {
    const pass = Buffer.from(password, 'utf8');
    try {
        return (0,external_node_crypto_.scryptSync)(pass, salt, 32, { N: n, r: 8, p: 1, maxmem: SCRYPT_MAXMEM });
    }
    finally {
        pass.fill(0);
    }
}
function b64(value, what, length) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        throw notCosignKey(`its ${what} is not base64`);
    }
    const out = Buffer.from(value, 'base64');
    if (length !== undefined && out.length !== length) {
        throw notCosignKey(`its ${what} is ${out.length} bytes, not ${length}`);
    }
    return out;
}
/** XSalsa20-Poly1305, loaded on first use: only runs with a cosign key need it. */
const salsa = () => __nccwpck_require__.e(/* import() */ 382).then(__nccwpck_require__.bind(__nccwpck_require__, 6382));
function notCosignKey(why) {
    return new DctError('COSIGN_KEY_INVALID', `the cosign key is not one cosign wrote: ${why}`);
}
/**
 * Decrypts a cosign private key. `label` names where it came from (an input) in messages.
 * Throws COSIGN_KEY_INVALID (not that format), COSIGN_KEY_BAD_PASSWORD.
 */
async function decryptCosignKey(pem, password, label) {
    const { secretbox } = await salsa();
    const blocks = parsePem(pem);
    const block = blocks.find((b) => b.type === SIGSTORE_KEY_PEM || b.type === COSIGN_KEY_PEM);
    for (const b of blocks)
        if (b !== block)
            b.der.fill(0);
    if (block === undefined) {
        throw new DctError('COSIGN_KEY_INVALID', `${label} holds no ${SIGSTORE_KEY_PEM} (or ${COSIGN_KEY_PEM}) block; give the cosign.key file that \`cosign generate-key-pair\` or \`dct key export --cosign\` wrote`);
    }
    let doc;
    try {
        doc = JSON.parse(block.der.toString('utf8'));
    }
    catch (e) {
        throw new DctError('COSIGN_KEY_INVALID', `${label}: the key body is not cosign's JSON`, {
            cause: e,
        });
    }
    const kdf = doc?.kdf;
    const params = kdf?.params;
    if (kdf?.name !== 'scrypt' || doc.cipher?.name !== 'nacl/secretbox') {
        throw notCosignKey(`${label} is not encrypted with scrypt and nacl/secretbox`);
    }
    if (!ACCEPTED_N.has(params?.N) || params.r !== 8 || params.p !== 1) {
        throw notCosignKey(`${label} has unsupported scrypt parameters`);
    }
    const salt = b64(kdf.salt, 'salt');
    const nonce = b64(doc.cipher.nonce, 'nonce', NONCE_BYTES);
    const sealed = b64(doc.ciphertext, 'ciphertext');
    const key = deriveKey(password, salt, params.N);
    let plain;
    try {
        try {
            plain = secretbox(key, nonce).open(sealed);
        }
        catch {
            throw new DctError('COSIGN_KEY_BAD_PASSWORD', `${label} could not be decrypted: the password is wrong`);
        }
        let privateKey;
        try {
            privateKey = createPrivateKey({
                key: Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength),
                format: 'der',
                type: 'pkcs8',
            });
        }
        catch (e) {
            throw new DctError('COSIGN_KEY_INVALID', `${label} decrypts to no PKCS#8 private key`, {
                cause: e,
            });
        }
        return privateKey;
    }
    finally {
        key.fill(0);
        plain?.fill(0);
        block.der.fill(0);
    }
}
/** cosign needs an ECDSA P-256 key to sign as `cosign sign --key` does with its own keys. */
function assertP256(key, label) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curveOf(key)?.name !== 'P-256') {
        const what = key.asymmetricKeyType === 'ec'
            ? `an EC ${curve ?? '?'}`
            : `a ${String(key.asymmetricKeyType)}`;
        throw new errors/* DctError */.sY('COSIGN_KEY_UNSUPPORTED', `${label} is ${what} key; cosign signing here needs an ECDSA P-256 key (what \`cosign generate-key-pair\` and docker make)`);
    }
}
/** The key as `cosign generate-key-pair` writes `cosign.key`, encrypted with `password`. */
async function encryptCosignKey(key, password) {
    if (key.type !== 'private')
        throw new TypeError('encryptCosignKey needs a private key');
    const { secretbox } = await salsa();
    const salt = (0,external_node_crypto_.randomBytes)(SALT_BYTES);
    const nonce = (0,external_node_crypto_.randomBytes)(NONCE_BYTES);
    const derived = deriveKey(password, salt, WRITE_N);
    const plain = key.export({ type: 'pkcs8', format: 'der' });
    try {
        const sealed = secretbox(derived, nonce).seal(plain);
        // Field order and names as Go's json.Marshal writes go-securesystemslib's structs.
        const doc = {
            kdf: {
                name: 'scrypt',
                params: { N: WRITE_N, r: 8, p: 1 },
                salt: salt.toString('base64'),
            },
            cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
            ciphertext: Buffer.from(sealed).toString('base64'),
        };
        return encodePem({
            type: SIGSTORE_KEY_PEM,
            headers: {},
            der: Buffer.from(JSON.stringify(doc), 'utf8'),
        });
    }
    finally {
        derived.fill(0);
        plain.fill(0);
    }
}
/** `cosign.pub`: the PKIX public key as PEM `PUBLIC KEY`. */
function cosignPublicKeyPem(key) {
    const pub = key.type === 'private' ? (0,external_node_crypto_.createPublicKey)(key) : key;
    return encodePem({
        type: 'PUBLIC KEY',
        headers: {},
        der: pub.export({ type: 'spki', format: 'der' }),
    });
}
/**
 * Writes `<dir>/<name>.cosign.key` (mode 0600, encrypted with `password`) and
 * `<dir>/<name>.cosign.pub`, for `dct key export NAME --cosign`. Existing files are never
 * overwritten (COSIGN_KEY_EXISTS). Returns the two paths.
 */
async function writeCosignKeyPair(dir, name, key, password) {
    const privateKey = (0,external_node_path_namespaceObject.join)(dir, `${name}.cosign.key`);
    const publicKey = (0,external_node_path_namespaceObject.join)(dir, `${name}.cosign.pub`);
    assertP256(key, `the key ${name}`);
    const pem = await encryptCosignKey(key, password);
    const pub = cosignPublicKeyPem(key);
    const written = [];
    try {
        for (const [path, text, mode] of [
            [privateKey, pem, 0o600],
            [publicKey, pub, 0o644],
        ]) {
            await (0,promises_namespaceObject.writeFile)(path, text, { mode, flag: 'wx' });
            written.push(path);
        }
    }
    catch (e) {
        // Never leave half a pair behind.
        await Promise.all(written.map((p) => (0,promises_namespaceObject.rm)(p, { force: true })));
        if (e.code === 'EEXIST') {
            throw new errors/* DctError */.sY('COSIGN_KEY_EXISTS', `${e.path ?? dir}: exists already; move it away first`, {
                cause: e,
            });
        }
        throw e;
    }
    return { privateKey, publicKey };
}

;// CONCATENATED MODULE: ./src/cli/newkeys.ts








/** The passphrase a key of `role` is kept under: root keys have their own. */
function passphraseKindOf(role) {
    return role === 'root' ? 'root' : 'repository';
}
/**
 * Writes `key` into the key directory as `<key id>.key`, encrypted with the passphrase of its
 * kind (asked twice on a terminal: it is a new key). A key already there is left as it is.
 */
async function storeKey(ctx, key, headers, what) {
    const id = keyIdOf(tufKeyFromKeyObject(key));
    if ((await ctx.keyStore.list()).some((k) => k.id === id))
        return { id };
    const passphrase = await ctx.passphrase(passphraseKindOf(headers.role), { newKey: true, what });
    const pem = encryptNotaryKey(key, passphrase, headers);
    const path = await ctx.keyStore.write(id, pem);
    return { id, path };
}
/** A new ECDSA P-256 key (what docker and notary generate), stored before it is returned. */
async function generateStoredKey(ctx, headers, what) {
    // The passphrase first: a missing one must not leave a key made for nothing.
    await ctx.passphrase(passphraseKindOf(headers.role), { newKey: true, what });
    const key = generateKey('ecdsa');
    const { id, path } = await storeKey(ctx, key, headers, what);
    ctx.err(`Generated a new ${what}, ID ${shortId(id)}, stored in ${path ?? ctx.keyStore.dir}${headers.role === 'root' ? '; keep a backup of it offline (`dct key export --backup`)' : ''}`);
    return key;
}
/**
 * How `signer add` creates a repository with no trust data, as docker did: the first root
 * key of the directory (opened with the root passphrase), else a new one; a new repository
 * key (`role: targets`, `gun: <repository>`). Both passphrases are settled before any key is
 * made, so a missing one leaves nothing behind. `onStart` runs when creation begins.
 */
function newRepositoryKeys(ctx, gun, onStart) {
    return {
        rootKey: async () => {
            onStart();
            const ring = await ctx.openKeys('root');
            let root;
            try {
                root = ring.held()[0]?.key;
            }
            finally {
                ring.dispose();
            }
            try {
                if (root === undefined) {
                    await ctx.passphrase('root', { newKey: true, what: 'root key' });
                }
                await ctx.passphrase('repository', {
                    newKey: true,
                    what: `repository key of ${gun}`,
                });
            }
            catch (e) {
                if (root === undefined &&
                    (0,errors/* isDctError */.AE)(e, 'PASSPHRASE_MISSING') &&
                    e.message.endsWith(ROOT_PASSPHRASE_VAR)) {
                    throw new errors/* DctError */.sY('ROOT_KEY_MISSING', `no trust data yet and ${ctx.keyStore.dir} holds no root key to create it with; a new root key needs a passphrase and there is no terminal to ask on: set ${ROOT_PASSPHRASE_VAR}, or restore the root key file there from your backup`, { cause: e });
                }
                throw e;
            }
            if (root !== undefined) {
                ctx.err(`Using the root key ${shortId(keyIdOf(tufKeyFromKeyObject(root)))} of ${ctx.keyStore.dir}`);
                return root;
            }
            return generateStoredKey(ctx, { role: 'root' }, 'root key');
        },
        repositoryKey: () => generateStoredKey(ctx, { role: 'targets', gun }, `repository key of ${gun}`),
    };
}
/**
 * A private key from a file (`key rotate --key`, `key load`): plain, or encrypted with the
 * passphrase of `role`'s kind, else with its own one asked on the terminal. Public keys and
 * certificates are refused (`hint` is added to that message). The file must not be readable
 * by others, as docker required.
 */
async function readPrivateKeyFile(ctx, file, role, hint = "; --key takes the new key's private key file") {
    const path = (0,external_node_path_namespaceObject.isAbsolute)(file) ? file : (0,external_node_path_namespaceObject.join)(ctx.io.cwd, file);
    let text;
    try {
        const info = await (0,promises_namespaceObject.stat)(path);
        if ((info.mode & 0o077) !== 0) {
            throw new errors/* DctError */.sY('KEY_FILE_MODE', `the key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it first`);
        }
        text = await (0,promises_namespaceObject.readFile)(path, 'utf8');
    }
    catch (e) {
        if (e instanceof errors/* DctError */.sY)
            throw e;
        throw new errors/* DctError */.sY('FILE_UNREADABLE', `cannot read the key file ${file}`, { cause: e });
    }
    for (const line of pem_pemBodyLines(text))
        ctx.redactor.add(line);
    let blocks;
    try {
        blocks = pem_parsePem(text);
    }
    catch (e) {
        throw new errors/* DctError */.sY('KEY_NOT_A_KEY', `${file} is not a PEM key file`, { cause: e });
    }
    try {
        const block = blocks.find((b) => pkcs8_PRIVATE_KEY_TYPES.has(b.type));
        if (block === undefined) {
            throw new errors/* DctError */.sY('KEY_NOT_A_KEY', `${file} holds no private key${blocks.length ? ` (only ${blocks.map((b) => b.type).join(', ')})` : ''}${hint}`);
        }
        if (!isEncryptedBlock(block)) {
            return { key: loadKeyBlock(block, undefined, file), encrypted: false };
        }
        const kind = passphraseKindOf(role);
        const pass = await ctx.passphrase(kind, { what: `the key in ${file}` });
        try {
            return { key: loadKeyBlock(block, pass, file), encrypted: true };
        }
        catch (e) {
            if (!(0,errors/* isDctError */.AE)(e, 'KEY_BAD_PASSPHRASE'))
                throw e;
            if (ctx.io.terminal === undefined) {
                const variable = kind === 'root' ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
                throw new errors/* DctError */.sY('KEY_BAD_PASSPHRASE', `the passphrase (${ctx.env[variable] ? variable : 'as typed'}) does not open ${file}`, { cause: e });
            }
            const own = await ctx.io.terminal.ask(`Enter passphrase for the key in ${file}: `, true);
            ctx.redactor.add(own);
            return { key: loadKeyBlock(block, own, file), encrypted: true };
        }
    }
    finally {
        for (const b of blocks)
            b.der.fill(0);
    }
}

;// CONCATENATED MODULE: ./src/cli/commands/key.ts
/**
 * `dct key generate|load|list|export` (CLI.md): the key directory as docker and notary keep
 * it. A new or loaded key is written encrypted with the repository passphrase and never
 * leaves the process in the clear; `export` copies the encrypted files as they are.
 */
















/** Key names that would read as a TUF role's key rather than a signer's. */
const ROLE_NAMES = new Set(['root', 'targets', 'snapshot', 'timestamp']);
function checkKeyName(name) {
    if (ROLE_NAMES.has(name)) {
        throw new errors/* DctError */.sY('KEY_NAME_INVALID', `"${name}" is the name of a TUF role; name the key after its signer (e.g. alice)`);
    }
    try {
        validateSignerName(name);
    }
    catch (e) {
        if (e instanceof errors/* DctError */.sY)
            throw new errors/* DctError */.sY('KEY_NAME_INVALID', `key name: ${e.message}`);
        throw e;
    }
}
/** Writes `text` to a new file (never over an existing one), mode 0600. */
async function writeNew(path, data, what) {
    let handle;
    try {
        handle = await (0,promises_namespaceObject.open)(path, 'wx', 0o600);
    }
    catch (e) {
        if (e.code === 'EEXIST') {
            throw new errors/* DctError */.sY('FILE_EXISTS', `${what} ${path} already exists; it is kept as it is`);
        }
        throw new errors/* DctError */.sY('FILE_UNWRITABLE', `cannot write ${what} ${path}`, { cause: e });
    }
    try {
        await handle.writeFile(data);
    }
    finally {
        await handle.close();
    }
}
register({
    name: 'key generate',
    usage: 'NAME',
    summary: 'Generate and load a signing key-pair',
    flags: [
        valueFlag('string', 'dir', 'string', 'Directory to write the public key to (default: the current directory)'),
    ],
    args: { min: 1, max: 1 },
    async run(ctx, { args, strings }) {
        const name = args[0];
        checkKeyName(name);
        const dir = strings.get('dir') ?? ctx.io.cwd;
        const pubPath = (0,external_node_path_namespaceObject.join)((0,external_node_path_namespaceObject.isAbsolute)(dir) ? dir : (0,external_node_path_namespaceObject.join)(ctx.io.cwd, dir), `${name}.pub`);
        const existing = (await ctx.keyStore.list()).find((k) => k.role === name);
        if (existing !== undefined) {
            throw new errors/* DctError */.sY('KEY_EXISTS', `a key named ${name} already exists (${shortId(existing.id)}, ${existing.path}); choose another name`);
        }
        try {
            await (0,promises_namespaceObject.stat)(pubPath);
            throw new errors/* DctError */.sY('FILE_EXISTS', `public key file already exists: ${pubPath}`);
        }
        catch (e) {
            if (e instanceof errors/* DctError */.sY)
                throw e;
        }
        const passphrase = await ctx.passphrase('repository', {
            newKey: true,
            what: `the new ${name} key`,
        });
        ctx.out(`Generating key for ${name}...`);
        const key = generateKey('ecdsa');
        const id = keyIdOf(tufKeyFromKeyObject(key));
        const spki = (0,external_node_crypto_.createPublicKey)(key).export({ type: 'spki', format: 'der' });
        const pubPem = encodePem({ type: 'PUBLIC KEY', headers: { role: name }, der: spki });
        // The public file first: if it cannot be written, no private key is left behind unnamed.
        await writeNew(pubPath, pubPem, 'the public key file');
        try {
            await ctx.keyStore.write(id, encryptNotaryKey(key, passphrase, { role: name }));
        }
        catch (e) {
            // A public key without its private key would only block the name for the next try.
            await (0,promises_namespaceObject.rm)(pubPath, { force: true });
            throw e;
        }
        ctx.out(`Successfully generated and loaded private key. Corresponding public key available: ${pubPath}`);
    },
});
register({
    name: 'key load',
    usage: 'KEYFILE',
    summary: 'Load a private key file into the local key directory',
    flags: [valueFlag('string', 'name', 'string', 'Name for the loaded key (default "signer")')],
    args: { min: 1, max: 1 },
    async run(ctx, { args, strings }) {
        const file = args[0];
        const name = strings.get('name') ?? 'signer';
        checkKeyName(name);
        ctx.out(`Loading key from "${file}"...`);
        const { key, encrypted } = await readPrivateKeyFile(ctx, file, name, '');
        const id = keyIdOf(tufKeyFromKeyObject(key));
        if ((await ctx.keyStore.list()).some((k) => k.id === id)) {
            throw new errors/* DctError */.sY('KEY_EXISTS', `key ${shortId(id)} from ${file} is already in ${ctx.keyStore.dir}; nothing was changed`);
        }
        const passphrase = await ctx.passphrase('repository', {
            newKey: !encrypted,
            what: `the ${name} key`,
        });
        await ctx.keyStore.write(id, encryptNotaryKey(key, passphrase, { role: name }));
        ctx.out(`Successfully imported key from ${file}`);
    },
});
register({
    name: 'key list',
    usage: '',
    summary: 'List the keys in the local key directory (they are not opened)',
    flags: [],
    args: { min: 0, max: 0 },
    async run(ctx) {
        const keys = await ctx.keyStore.list();
        if (keys.length === 0) {
            ctx.err(`No keys in ${ctx.keyStore.dir}`);
            return;
        }
        const rows = [
            ['ROLE', 'REPOSITORY', 'KEY ID', 'LOCATION'],
            ...keys.map((k) => [k.role ?? '', k.gun ?? '', k.id, (0,external_node_path_namespaceObject.join)(ctx.keyStore.dir, k.path)]),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        for (const r of rows)
            ctx.out(r
                .map((c, i) => c.padEnd(widths[i]))
                .join('   ')
                .trimEnd());
    },
});
register({
    name: 'key export',
    usage: 'NAME|KEYID...',
    summary: "Print encrypted key files as they are (for the action's `keys` secret)",
    flags: [
        booleanFlag('backup', 'A .tar.gz of the whole private key directory instead'),
        booleanFlag('base64', 'Encode the output in base64'),
        booleanFlag('cosign', "Write NAME.cosign.key (cosign's encrypted format, password COSIGN_PASSWORD, else the repository passphrase) and NAME.cosign.pub"),
        valueFlag('string', 'dir', 'string', 'With --cosign: the directory to write to (default: the current directory)'),
        valueFlag('string', 'output', 'file', 'Write to a new file (mode 0600) instead of stdout', 'o'),
    ],
    args: { min: 0 },
    async run(ctx, { args, booleans, strings }) {
        const backup = booleans.has('backup');
        if (booleans.has('cosign')) {
            if (backup || args.length !== 1) {
                throw new errors/* DctError */.sY('CLI_USAGE', '--cosign exports one key: name it, without --backup');
            }
            await exportCosign(ctx, args[0], strings.get('dir'));
            return;
        }
        if (!backup && args.length === 0) {
            throw new errors/* DctError */.sY('CLI_USAGE', 'name the keys to export (a name or key ID), or give --backup');
        }
        const keys = await ctx.keyStore.list();
        let data;
        if (backup) {
            if (keys.length === 0)
                throw new errors/* DctError */.sY('KEY_NOT_FOUND', `no keys in ${ctx.keyStore.dir}`);
            const files = [];
            for (const path of await ctx.keyStore.paths()) {
                files.push({ path: `private/${path}`, data: await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(ctx.keyStore.dir, path)) });
            }
            data = process.getBuiltinModule('node:zlib').gzipSync(writeTar(files, ctx.now()));
            for (const f of files)
                f.data.fill(0);
        }
        else {
            const chosen = new Set();
            for (const want of args)
                for (const k of selectKeys(ctx, keys, want))
                    chosen.add(k.path);
            const parts = [];
            for (const path of chosen)
                parts.push(await (0,promises_namespaceObject.readFile)((0,external_node_path_namespaceObject.join)(ctx.keyStore.dir, path)));
            data = Buffer.concat(parts);
            for (const p of parts)
                p.fill(0);
        }
        if (booleans.has('base64')) {
            const encoded = Buffer.from(`${data.toString('base64')}\n`);
            data.fill(0);
            data = encoded;
        }
        const output = strings.get('output');
        if (output !== undefined) {
            await writeNew((0,external_node_path_namespaceObject.isAbsolute)(output) ? output : (0,external_node_path_namespaceObject.join)(ctx.io.cwd, output), data, 'the file');
            ctx.err(`Wrote ${backup ? 'the key directory backup' : 'the key files'} to ${output}`);
        }
        else {
            ctx.io.stdout(data);
        }
    },
});
/** The keys `want` names: a key ID (or its start, 7 hex digits or more), else a key name. */
function selectKeys(ctx, keys, want) {
    const byId = /^[0-9a-f]{7,64}$/.test(want) ? keys.filter((k) => k.id.startsWith(want)) : [];
    if (byId.length > 1) {
        throw new errors/* DctError */.sY('KEY_AMBIGUOUS', `${want} is the start of several key IDs; give more of it`);
    }
    const matches = byId.length > 0 ? byId : keys.filter((k) => k.role === want);
    if (matches.length === 0) {
        throw new errors/* DctError */.sY('KEY_NOT_FOUND', `no key named or with ID ${want} in ${ctx.keyStore.dir}; see 'dct key list'`);
    }
    return matches;
}
/**
 * `key export NAME --cosign`: the same private key in cosign's encrypted format, so a signer
 * can go on with the real cosign after leaving Notary (issue: cosign bridge). The key is
 * decrypted in memory only; cosign's file is encrypted with COSIGN_PASSWORD, else with the
 * repository passphrase.
 */
async function exportCosign(ctx, want, dir) {
    const matches = selectKeys(ctx, await ctx.keyStore.list(), want);
    if (matches.length > 1) {
        throw new errors/* DctError */.sY('KEY_AMBIGUOUS', `${matches.length} keys are named ${want}; give the key ID of the one to export (see 'dct key list')`);
    }
    const chosen = matches[0];
    const root = chosen.role === 'root';
    const { files } = await ctx.keyStore.read((s) => ctx.redactor.add(s));
    let ring;
    try {
        const file = files.filter((f) => f.source === chosen.path);
        const pass = chosen.encrypted
            ? await ctx.passphrase(root ? 'root' : 'repository', { what: `the ${want} key` })
            : undefined;
        try {
            ring = KeyRing.open(file, {
                include: 'all',
                ...(root ? { rootPassphrase: pass } : { passphrase: pass }),
            });
        }
        catch (e) {
            throw cliKeyError(e);
        }
        const held = ring.held()[0];
        const cosignPassword = ctx.env.COSIGN_PASSWORD ?? (await ctx.passphrase('repository'));
        if (ctx.env.COSIGN_PASSWORD)
            ctx.redactor.add(ctx.env.COSIGN_PASSWORD);
        const name = /^[0-9a-f]{7,64}$/.test(want) ? shortId(held.id) : want;
        const out = dir === undefined ? ctx.io.cwd : (0,external_node_path_namespaceObject.isAbsolute)(dir) ? dir : (0,external_node_path_namespaceObject.join)(ctx.io.cwd, dir);
        const written = await writeCosignKeyPair(out, name, held.key, cosignPassword);
        ctx.out(`Wrote ${written.privateKey} and ${written.publicKey}`);
        ctx.err(`Sign with: cosign sign --key ${written.privateKey} IMAGE@DIGEST; verify with: cosign verify --key ${written.publicKey} --insecure-ignore-tlog=true IMAGE`);
    }
    finally {
        ring?.dispose();
        disposeKeyFiles(files);
    }
}

;// CONCATENATED MODULE: ./src/keys/cert.ts
/**
 * The self-signed X.509 certificate notary puts in root.json for a repository's root key
 * (notary-spec.md §2, Go `cryptoservice.GenerateCertificate`): Node can sign but cannot make
 * certificates, so the TBSCertificate DER is built here, in the layout Go's x509 writes.
 */






/** notary's root certificate lifetime: 10 × 365 days (`notary.Year * 10`). */
const ROOT_CERT_DAYS = 10 * 365;
const OIDS = {
    keyUsage: '2.5.29.15',
    extKeyUsage: '2.5.29.37',
    basicConstraints: '2.5.29.19',
    codeSigning: '1.3.6.1.5.5.7.3.3',
    ecdsaWithSha256: '1.2.840.10045.4.3.2',
    ecdsaWithSha384: '1.2.840.10045.4.3.3',
    ecdsaWithSha512: '1.2.840.10045.4.3.4',
    sha256WithRsa: '1.2.840.113549.1.1.11',
};
/** The ECDSA signature algorithm for each hash (the curve picks the hash: `Curve.certHash`). */
const ECDSA_WITH = {
    sha256: OIDS.ecdsaWithSha256,
    sha384: OIDS.ecdsaWithSha384,
    sha512: OIDS.ecdsaWithSha512,
};
/**
 * A new root certificate for `gun` on `key`: CN=GUN, valid from `now` for 10×365 days, a
 * random 128-bit serial, KeyUsage digitalSignature|keyEncipherment (critical), ExtKeyUsage
 * codeSigning, BasicConstraints CA:FALSE (critical), no key identifiers.
 */
function rootCertificate(key, gun, now) {
    if (key.type !== 'private')
        throw new TypeError('rootCertificate needs the private key');
    const alg = signatureAlgorithm(key);
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + ROOT_CERT_DAYS * 86_400_000);
    const name = derSequence(tlv(TAG.SET, derSequence(derOid(OID.commonName), directoryString(gun))));
    const extensions = [
        // digitalSignature (bit 0) | keyEncipherment (bit 2): 0b101 in 3 bits.
        extension(OIDS.keyUsage, true, derBitString(Buffer.from([0xa0]), 5)),
        extension(OIDS.extKeyUsage, false, derSequence(derOid(OIDS.codeSigning))),
        extension(OIDS.basicConstraints, true, derSequence()),
    ];
    const tbs = derSequence(tlv(0xa0, derSmallInt(2)), // v3
    derUnsigned((0,external_node_crypto_.randomBytes)(16)), alg.id, name, derSequence(derTime(notBefore), derTime(notAfter)), name, (0,external_node_crypto_.createPublicKey)(key).export({ type: 'spki', format: 'der' }), tlv(0xa3, derSequence(...extensions)));
    const signature = (0,external_node_crypto_.sign)(alg.hash, tbs, key);
    const der = derSequence(tbs, alg.id, derBitString(signature));
    const pem = encodePem({ type: 'CERTIFICATE', headers: {}, der });
    const tufKey = certTufKey(pem, key);
    return {
        pem,
        tufKey,
        keyId: keyIdOf(tufKey),
        canonicalId: keyIdOf(tufKeyFromKeyObject(key)),
        notBefore,
        notAfter,
    };
}
function signatureAlgorithm(key) {
    if (key.asymmetricKeyType === 'rsa') {
        return { id: derSequence(derOid(OIDS.sha256WithRsa), derNull()), hash: 'sha256' };
    }
    const hash = curveOf(key)?.certHash;
    if (hash === undefined) {
        const what = key.asymmetricKeyType === 'ec'
            ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}`
            : `a ${String(key.asymmetricKeyType)} key`;
        throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `a root key must be ECDSA (P-256, P-384, P-521) or RSA to carry a certificate; this is ${what}`);
    }
    return { id: derSequence(derOid(ECDSA_WITH[hash])), hash };
}
function extension(oid, critical, value) {
    return critical
        ? derSequence(derOid(oid), derBoolean(true), derOctets(value))
        : derSequence(derOid(oid), derOctets(value));
}
/**
 * Go's asn1 writes a string as PrintableString when every character allows it, else as
 * UTF8String (so a `_` in a GUN gives UTF8String).
 */
function directoryString(s) {
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
    return tlv(printable ? TAG.PRINTABLE_STRING : TAG.UTF8_STRING, Buffer.from(s));
}

;// CONCATENATED MODULE: ./src/tuf/models.ts
/**
 * Notary's TUF metadata (notary-spec.md §4): interfaces, guards that check structure but
 * keep unknown fields, and the helpers that produce new metadata for a publish.
 */




const BASE_ROLES = ['root', 'targets', 'snapshot', 'timestamp'];
/** 3×365 days: Go's default expiry for targets, delegations and snapshot (§4.2, §4.3). */
const TARGETS_EXPIRY_DAYS = 3 * 365;
function models_bad(why) {
    return new errors/* DctError */.sY('TUF_BAD_METADATA', `malformed metadata: ${why}`);
}
// The struct fields Go decodes each object into (notary tuf/data); a key that folds to one of
// them but is spelled otherwise is read by Go and not by us (canonical.ts GoFields).
const COMMON = ['_type', 'expires', 'version'];
const ROOT = new GoFields(...COMMON, 'consistent_snapshot', 'keys', 'roles');
const TARGETS = new GoFields(...COMMON, 'delegations', 'targets');
const SNAPSHOT = new GoFields(...COMMON, 'meta');
const KEY = new GoFields('keytype', 'keyval');
const KEYVAL = new GoFields('private', 'public');
const ROOT_ROLE = new GoFields('keyids', 'threshold');
const DELEGATIONS = new GoFields('keys', 'roles');
const DELEGATION = new GoFields('keyids', 'name', 'paths', 'threshold');
const FILE_META = new GoFields('custom', 'hashes', 'length');
/** `o` once no key of it would be read by Go as a field it is not spelled as. */
function fields(o, go, what) {
    const clash = go.foldedField(o);
    if (clash !== undefined) {
        throw models_bad(`${what} has the key ${JSON.stringify(clash.key)}, which Go reads as "${clash.field}"; a file that can be read two ways is refused`);
    }
    return o;
}
function obj(x, what) {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
        throw models_bad(`${what} is not an object`);
    return x;
}
function str(x, what) {
    if (typeof x !== 'string')
        throw models_bad(`${what} is not a string`);
    return x;
}
function models_int(x, what, min) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) {
        throw models_bad(`${what} is not an integer ≥ ${min}`);
    }
    return x;
}
function strList(x, what) {
    if (!Array.isArray(x) || !x.every((v) => typeof v === 'string')) {
        throw models_bad(`${what} is not a list of strings`);
    }
    return x;
}
function common(x, type, go) {
    const o = fields(obj(x, '"signed"'), go, '"signed"');
    if (o['_type'] !== type) {
        throw models_bad(`_type is ${JSON.stringify(o['_type'] ?? null)}, expected "${type}"`);
    }
    parseExpires(str(o['expires'], 'expires'));
    models_int(o['version'], 'version', 1);
    return o;
}
function checkKeys(x, what) {
    const keys = obj(x ?? bareObject(), what);
    for (const [id, k] of Object.entries(keys)) {
        const key = fields(obj(k, `${what}.${id}`), KEY, `${what}.${id}`);
        str(key['keytype'], `${what}.${id}.keytype`);
        const keyval = fields(obj(key['keyval'], `${what}.${id}.keyval`), KEYVAL, `${what}.${id}.keyval`);
        str(keyval['public'], `${what}.${id}.keyval.public`);
    }
    return keys;
}
function checkRoleKeys(x, what, go = ROOT_ROLE) {
    const r = fields(obj(x, what), go, what);
    strList(r['keyids'], `${what}.keyids`);
    models_int(r['threshold'], `${what}.threshold`, 1);
    return r;
}
const HASH_SIZES = { sha256: 32, sha512: 64 };
/** Hashes as Go checks them (§3.4): known algorithms have the right size, at least one. */
function checkHashes(x, what, needSha256) {
    const hashes = obj(x, `${what}.hashes`);
    let known = 0;
    for (const [alg, v] of Object.entries(hashes)) {
        const b64 = str(v, `${what}.hashes.${alg}`);
        const size = HASH_SIZES[alg];
        if (size === undefined)
            continue;
        if (Buffer.from(b64, 'base64').length !== size)
            throw models_bad(`${what} ${alg} hash has a bad size`);
        known++;
    }
    if (known === 0)
        throw models_bad(`${what} has no sha256 or sha512 hash`);
    if (needSha256 && hashes['sha256'] === undefined)
        throw models_bad(`${what} has no sha256 hash`);
    return hashes;
}
function models_checkFileMeta(x, what, needSha256) {
    const m = fields(obj(x, what), FILE_META, what);
    checkHashes(m['hashes'], what, needSha256);
    models_int(m['length'], `${what}.length`, 0);
    return m;
}
function asRoot(x) {
    const o = common(x, 'Root', ROOT);
    if (o['consistent_snapshot'] !== undefined && typeof o['consistent_snapshot'] !== 'boolean') {
        throw models_bad('consistent_snapshot is not a boolean');
    }
    const keys = checkKeys(o['keys'], 'keys');
    const roles = obj(o['roles'], 'roles');
    for (const name of BASE_ROLES) {
        if (roles[name] === undefined)
            throw models_bad(`root has no "${name}" role`);
        const role = checkRoleKeys(roles[name], `roles.${name}`);
        for (const id of role.keyids) {
            if (keys[id] === undefined)
                throw models_bad(`root role ${name} names key ${id} that root lacks`);
        }
    }
    return o;
}
function isTargetFile(t) {
    if (typeof t !== 'object' || t === null || Array.isArray(t))
        return false;
    if (FILE_META.foldedField(t) !== undefined)
        return false;
    const { hashes, length } = t;
    if (typeof hashes !== 'object' || hashes === null || Array.isArray(hashes))
        return false;
    for (const h of Object.values(hashes))
        if (typeof h !== 'string')
            return false;
    return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0;
}
function asTargets(x) {
    return checkTargets(x);
}
/** `asTargets`; the entries `checked` holds under the same name were checked already. */
function checkTargets(x, checked) {
    const o = common(x, 'Targets', TARGETS);
    const targets = obj(o['targets'] ?? bareObject(), 'targets');
    for (const name of Object.keys(targets)) {
        if (checked !== undefined && checked[name] === targets[name])
            continue;
        if (!isTargetFile(targets[name])) {
            // Checked again, naming the part, only to say what is wrong (files hold 10,000s).
            const what = `target ${JSON.stringify(name)}`;
            const file = fields(obj(targets[name], what), FILE_META, what);
            obj(file['hashes'], `${what}.hashes`);
            for (const [alg, h] of Object.entries(file['hashes']))
                str(h, `${what}.hashes.${alg}`);
            models_int(file['length'], `${what}.length`, 0);
        }
    }
    // Go always writes delegations with keys and roles; fill them in as Go's decoder would.
    const d = fields(obj(o['delegations'] ?? bareObject(), 'delegations'), DELEGATIONS, 'delegations');
    d['keys'] = checkKeys(d['keys'], 'delegations.keys');
    d['roles'] = d['roles'] ?? [];
    if (!Array.isArray(d['roles']))
        throw models_bad('delegations.roles is not a list');
    d['roles'].forEach((r, i) => {
        const role = checkRoleKeys(r, `delegations.roles[${i}]`, DELEGATION);
        str(role['name'], `delegations.roles[${i}].name`);
        if (role['paths'] !== undefined && role['paths'] !== null) {
            strList(role['paths'], `delegations.roles[${i}].paths`);
        }
    });
    o['targets'] = targets;
    o['delegations'] = d;
    return o;
}
function asSnapshot(x) {
    const o = common(x, 'Snapshot', SNAPSHOT);
    const meta = obj(o['meta'], 'meta');
    for (const [role, m] of Object.entries(meta)) {
        models_checkFileMeta(m, `snapshot meta for ${role}`, role === 'root' || role === 'targets');
    }
    return o;
}
function asTimestamp(x) {
    const o = common(x, 'Timestamp', SNAPSHOT);
    const meta = obj(o['meta'], 'meta');
    if (meta['snapshot'] === undefined)
        throw models_bad('timestamp has no meta for snapshot');
    models_checkFileMeta(meta['snapshot'], 'timestamp meta for snapshot', true);
    return o;
}
// ---------------------------------------------------------------------------------------
// Helpers.
/** The keys and threshold of a base role as root lists them. */
function roleKeys(root, role) {
    const r = root.roles[role];
    if (r === undefined)
        throw models_bad(`root has no "${role}" role`);
    return { keyids: r.keyids, threshold: r.threshold, keys: pickKeys(root.keys, r.keyids) };
}
/** The entries of `keys` named in `keyids` (missing ones are left out). */
function pickKeys(keys, keyids) {
    const out = bareObject();
    for (const id of keyids) {
        const k = keys[id];
        if (k !== undefined)
            out[id] = k;
    }
    return out;
}
/** Snapshot/timestamp meta for a file: sha256 and sha512 over the exact bytes (§3.3). */
function metaFileFor(bytes) {
    return {
        hashes: {
            sha256: (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('base64'),
            sha512: (0,external_node_crypto_.createHash)('sha512').update(bytes).digest('base64'),
        },
        length: bytes.length,
    };
}
/** A target as docker writes it (§8): sha256 only, base64 of the raw digest; no custom. */
function targetFile(digestHex, length) {
    if (!/^[0-9a-f]{64}$/.test(digestHex)) {
        throw new errors/* DctError */.sY('TUF_BAD_TARGET', `"${digestHex}" is not a hex sha256 digest`);
    }
    if (!Number.isSafeInteger(length) || length < 0) {
        throw new errors/* DctError */.sY('TUF_BAD_TARGET', `target length ${length} is not a byte count`);
    }
    return { hashes: { sha256: Buffer.from(digestHex, 'hex').toString('base64') }, length };
}
/** The hex sha256 of a target, if it has one. */
function targetSha256(t) {
    const b64 = t.hashes['sha256'];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('hex');
}
/** Go's `data.IsDelegation`: `targets/…`, `[-a-z0-9_/]`, < 256 chars, path-clean. */
function isDelegationName(name) {
    if (!name.startsWith('targets/') || name.length >= 256)
        return false;
    if (!/^[-a-z0-9_/]+$/.test(name))
        return false;
    // The character set excludes '.', so path-clean means no empty segment.
    return name.split('/').every((seg) => seg.length > 0);
}
/** The role a targets role is delegated from: `targets/a/b` → `targets/a`. */
function parentRole(name) {
    const i = name.lastIndexOf('/');
    return i < 0 ? '' : name.slice(0, i);
}
/** Whether the role's `paths` allow a target name (prefix match, §4.2). */
function models_pathsMatch(role, name) {
    return role.paths !== undefined && role.paths.some((p) => name.startsWith(p));
}
/**
 * A child's paths limited to its parent's (Go `RestrictDelegationPathPrefixes`): keep the
 * child prefixes that fall under some parent prefix.
 */
function restrictPaths(parentPaths, childPaths) {
    return childPaths.filter((c) => parentPaths.some((p) => c.startsWith(p)));
}
// ---------------------------------------------------------------------------------------
// New metadata for a publish.
/**
 * The next version of a targets role: a deep copy (unknown fields kept) edited by `change`,
 * then version+1 and expires = now + 3×365 days. With no `prev` it starts an empty file
 * (version 0 → 1). The result has Go's field set: `delegations` always, `paths` only when
 * non-empty, no `custom: null`, and no delegation keys that no role uses.
 */
/** `prev` with `change` applied, version+1 and a renewed expiry; `prev` is left as it was.
 *  `change` may add and delete entries of `targets` but must not edit an entry in place. */
function updatedTargets(prev, change, now) {
    // The targets map is copied, not its entries: `change` adds and removes entries and never
    // edits one in place, and copying 10,000s of entries dominated large repositories.
    let t;
    if (prev === undefined) {
        t = emptyTargets();
    }
    else {
        const { targets, ...rest } = prev;
        t = { ...cloneJson(rest), targets: Object.assign(bareObject(), targets) };
    }
    change(t);
    t.version = (prev?.version ?? 0) + 1;
    t.expires = goTime(addDays(now, TARGETS_EXPIRY_DAYS));
    tidyTargets(t);
    // An entry still the very object of `prev` passed the guard when `prev` was read.
    return checkTargets(t, prev?.targets);
}
/** An empty targets file at `version` (its next version is `version` + 1). */
function blankTargets(version) {
    const t = emptyTargets();
    t.version = version;
    return t;
}
function emptyTargets() {
    const t = bareObject();
    t._type = 'Targets';
    t.delegations = { keys: bareObject(), roles: [] };
    t.expires = '';
    t.targets = bareObject();
    t.version = 0;
    return t;
}
function tidyTargets(t) {
    for (const name of Object.keys(t.targets)) {
        const file = t.targets[name];
        if ('custom' in file && (file.custom === null || file.custom === undefined)) {
            // A copy: entries may be shared with the previous version (see updatedTargets).
            const { custom: _dropped, ...rest } = file;
            t.targets[name] = rest;
        }
    }
    const used = new Set();
    for (const role of t.delegations.roles) {
        if (role.paths === undefined || role.paths === null || role.paths.length === 0) {
            delete role.paths;
        }
        role.keyids.forEach((id) => used.add(id));
    }
    for (const id of Object.keys(t.delegations.keys)) {
        if (!used.has(id))
            delete t.delegations.keys[id];
    }
}
/** 10×365 days: Go's default expiry for root (§4.1). */
const ROOT_EXPIRY_DAYS = 10 * 365;
/** `prev` with `change` applied to a deep copy, version+1 and expires now + 10×365 days. */
function updatedRoot(prev, change, now) {
    const r = cloneJson(prev);
    change(r);
    r.version = prev.version + 1;
    r.expires = goTime(addDays(now, ROOT_EXPIRY_DAYS));
    return asRoot(r);
}
/** The next snapshot: version+1, expires now + 3×365 days, meta of each given file's bytes. */
function updatedSnapshot(prev, files, now) {
    const s = cloneJson(prev);
    s.version = prev.version + 1;
    s.expires = goTime(addDays(now, TARGETS_EXPIRY_DAYS));
    for (const [role, bytes] of files)
        s.meta[role] = metaFileFor(bytes);
    return asSnapshot(s);
}

;// CONCATENATED MODULE: ./src/tuf/repo.ts

const RELEASES = 'targets/releases';
/** The verified state of one repository, as `loadTrustedRepo` left it. */
class TrustedRepo {
    gun;
    root;
    timestamp;
    snapshot;
    /** Every targets role loaded and verified: 'targets' first, then delegations depth-first. */
    targets = new Map();
    /** Delegations whose file exists but is expired or below threshold: never build on these. */
    invalidDelegations = new Map();
    /** The files behind `invalidDelegations` (their versions bound the next upload). */
    invalidFiles = new Map();
    /** Delegations their parent lists more than once: Go cannot read a file signed into them. */
    listedTwice = new Set();
    /** Roles loaded although expired, because the caller re-signs them (`TrustOptions.mayExpire`). */
    expired = new Set();
    delegations = new Map();
    constructor(gun, root, timestamp, snapshot) {
        this.gun = gun;
        this.root = root;
        this.timestamp = timestamp;
        this.snapshot = snapshot;
    }
    /** @internal used while loading */
    addDelegation(info) {
        this.delegations.set(info.role.name, info);
    }
    /** A delegation listed by a loaded parent: its entry, keys, parent and file state. */
    delegation(role) {
        return this.delegations.get(role);
    }
    /** Every delegation listed by a loaded parent, depth-first. */
    delegationNames() {
        return [...this.delegations.keys()];
    }
    /**
     * Keys and threshold of any role: base roles from root, delegations from their parent.
     * E.g. `keysOf('snapshot')` tells whether the client (not the server) holds the snapshot key.
     */
    keysOf(role) {
        if (this.root.signed.roles[role] !== undefined)
            return roleKeys(this.root.signed, role);
        const d = this.delegations.get(role);
        if (d === undefined)
            return undefined;
        return { keyids: d.role.keyids, threshold: d.role.threshold, keys: d.keys };
    }
    /**
     * Where a target name is signed: each loaded role holding it, 'targets' first, then
     * delegations depth-first, skipping delegations whose paths do not allow the name.
     */
    targetsFor(name) {
        const out = [];
        for (const [role, env] of this.targets) {
            if (role !== 'targets' && !models_pathsMatch(this.delegations.get(role).role, name))
                continue;
            if (Object.prototype.hasOwnProperty.call(env.signed.targets, name)) {
                out.push({ role, target: env.signed.targets[name] });
            }
        }
        return out;
    }
    /**
     * The target docker pulls for a name (docker/cli GetTargetByName(name, targets/releases,
     * targets), notary-spec.md §8): the first role holding it walking targets/releases and its
     * delegations, else walking targets and its other delegations. Docker refuses a target
     * found in any role but targets/releases and targets ("No trust data"), so the caller must
     * check `role`.
     */
    dockerTarget(name) {
        const found = this.targetsFor(name);
        const releases = found.filter((f) => f.role === RELEASES || f.role.startsWith(`${RELEASES}/`));
        if (releases.length > 0)
            return releases.find((f) => f.role === RELEASES) ?? releases[0];
        return found.find((f) => f.role === 'targets') ?? found[0];
    }
    /** What to keep in the cache: these root bytes and the versions of every verified role. */
    trustState() {
        const versions = {
            root: this.root.signed.version,
            timestamp: this.timestamp.signed.version,
            snapshot: this.snapshot.signed.version,
        };
        for (const [role, env] of this.targets)
            versions[role] = env.signed.version;
        return { gun: this.gun, root: this.root.bytes.toString('base64'), versions };
    }
}

;// CONCATENATED MODULE: ./src/tuf/root-chain.ts
/**
 * Establishing the root (notary-spec.md §7.1, §7.3): the server's root must name the GUN in a
 * valid certificate, match the pins and sign itself; a root other than the cached one must be
 * reached from it by a chain of roots each signed by its predecessor. Fails closed.
 */






async function establishRoot(fetcher, rootBytes, gun, now, pins, cached) {
    const root = parseEnvelope(rootBytes, 'root', asRoot);
    // Go's ValidateRoot order (trustpinning/certs.go): the new root's certificates must name
    // this GUN before any rotation check, so another repository's root is "untrusted", never
    // a rotation that clearing the cache would seem to fix.
    const leaves = validLeafCerts(root, gun, now);
    if (cached !== undefined) {
        let prev;
        try {
            prev = parseEnvelope(Buffer.from(cached.root, 'base64'), 'cached root', asRoot);
        }
        catch (e) {
            throw new errors/* DctError */.sY('TUF_ROOT_UNTRUSTED', `could not validate the path to a trusted root: the cached root is unreadable; ` +
                'clear the action cache', { cause: e });
        }
        if (!prev.bytes.equals(root.bytes)) {
            const from = prev.signed.version;
            const to = root.signed.version;
            if (to < from) {
                throw new errors/* DctError */.sY('TUF_ROLLBACK', `root version ${to} is lower than current version ${from}; ${STALE}`);
            }
            if (to === from) {
                throw rotationError(`the server's root differs from the trusted root of the same version ${to}`);
            }
            // Every version in between must be signed by its predecessor (§7.2).
            for (let v = from + 1; v < to; v++) {
                const bytes = await fetcher.fetch('root', { version: v, maxLength: ROOT_MAX_BYTES });
                if (bytes === undefined)
                    throw rotationError(`root version ${v} is missing on the server`);
                checkMaxLength('root', bytes, ROOT_MAX_BYTES);
                const mid = parseEnvelope(bytes, `root version ${v}`, asRoot);
                if (mid.signed.version !== v) {
                    throw rotationError(`${v}.root.json holds version ${mid.signed.version}`);
                }
                checkRotation(prev, mid, gun, now, false);
                prev = mid;
            }
            checkRotation(prev, root, gun, now, true);
        }
    }
    validateRoot(root, leaves, pins);
    return root;
}
/** `next` must be signed by `prev`'s certificate keys at `prev`'s root threshold. */
function checkRotation(prev, next, gun, now, isFinal) {
    // The old root's certificates may have expired since; Go does not check them (§7.3).
    signedByRootOf(prev, next, gun, now, `the keys of trusted root version ${prev.signed.version}`);
    // Intermediate roots are history: their own signatures must hold, not their expiry.
    if (!isFinal)
        signedByRootOf(next, next, gun, now, 'its own root keys');
}
/** `next` must carry the signatures of `by`'s root certificate keys, at `by`'s threshold,
 * whether or not those certificates are still valid. */
function signedByRootOf(by, next, gun, now, whose) {
    const v = next.signed.version;
    const keyids = [...validRootCerts(by.signed, gun, now, false).valid.keys()];
    try {
        verifySignatures(next, `root version ${v}`, pickKeys(by.signed.keys, keyids), {
            keyids,
            threshold: by.signed.roles['root'].threshold,
        });
    }
    catch (e) {
        throw rotationError(`root version ${v} is not signed by ${whose}`, e);
    }
}
function rotationError(why, cause) {
    return new errors/* DctError */.sY('TUF_ROOT_ROTATION', `could not rotate trust to a new trusted root: ${why}; ${STALE}, or ${CLEAR_CACHE}`, { cause });
}
/** The root's certificates whose CN matches the GUN and that are valid now; none is fatal. */
function validLeafCerts(root, gun, now) {
    const { valid, rejected } = validRootCerts(root.signed, gun, now, true);
    if (valid.size === 0) {
        throw untrusted(`unable to retrieve valid leaf certificates (${rejected.join('; ') || 'no root keys'}); ` +
            `the root must hold a certificate for ${gun} that is valid now ` +
            '(an expired cached root needs a root rotation on the server and a cleared action cache)');
    }
    return valid;
}
/** The rest of Go's `ValidateRoot` on the leaf certificates: pins, self-signature. */
function validateRoot(root, valid, pins) {
    let certs = [...valid.values()];
    if (pins !== undefined && pins.length > 0) {
        const wanted = new Set(pins.map((p) => p.trim().toLowerCase()));
        certs = certs.filter((c) => wanted.has(c.keyId) || wanted.has(c.canonicalId));
        if (certs.length === 0) {
            throw untrusted(`unable to match any certificates to the pinned root key IDs (root has ` +
                `${[...valid.keys()].join(', ')}); check the root-key-ids input`);
        }
    }
    const ids = certs.map((c) => c.keyId);
    try {
        verifySignatures(root, 'root', pickKeys(root.signed.keys, ids), {
            keyids: ids,
            threshold: root.signed.roles['root'].threshold,
        });
    }
    catch (e) {
        throw untrusted(`failed to validate integrity of roots (${root_chain_describe(e)})`, e);
    }
}
function untrusted(reason, cause) {
    return new errors/* DctError */.sY('TUF_ROOT_UNTRUSTED', `could not validate the path to a trusted root: ${reason}`, { cause });
}
function root_chain_describe(e) {
    return e instanceof Error ? e.message : String(e);
}

;// CONCATENATED MODULE: ./src/tuf/load.ts
/**
 * The trusted-update state machine (notary-spec.md §7): root → timestamp → snapshot →
 * targets → delegations, each fetched and checked before the next is believed. Fails closed.
 */








/**
 * Loads and verifies a repository's trust data. Returns undefined when the server has no
 * root for the GUN (a repository that does not exist yet).
 */
async function loadTrustedRepo(fetcher, opts) {
    const now = opts.now ?? new Date();
    const cached = opts.trusted?.gun === opts.gun ? opts.trusted : undefined;
    const seen = cached?.versions ?? {};
    const check = expiryCheck(now, opts.mayExpire);
    const expired = new Set();
    // The timestamp does not depend on the root: its request goes out with the root's, but its
    // answer is only read once the root is established.
    const rootFetch = fetcher.fetch('root', { maxLength: ROOT_MAX_BYTES });
    const tsFetch = early(() => fetcher.fetch('timestamp', { maxLength: TIMESTAMP_MAX_BYTES }));
    const rootBytes = await rootFetch;
    if (rootBytes === undefined)
        return undefined;
    checkMaxLength('root', rootBytes, ROOT_MAX_BYTES);
    const root = await establishRoot(fetcher, rootBytes, opts.gun, now, opts.pinnedRootKeyIds, cached);
    if (check('root', root.signed.expires, roleKeys(root.signed, 'root')))
        expired.add('root');
    const tsBytes = await settle(tsFetch);
    if (tsBytes === undefined)
        throw missing('timestamp');
    checkMaxLength('timestamp', tsBytes, TIMESTAMP_MAX_BYTES);
    const timestamp = parseEnvelope(tsBytes, 'timestamp', asTimestamp);
    if (checkRole(timestamp, 'timestamp', roleKeys(root.signed, 'timestamp'), seen, check)) {
        expired.add('timestamp');
    }
    const snapshotMeta = timestamp.signed.meta['snapshot'];
    const snapshot = parseEnvelope(await fetchByMeta(fetcher, 'snapshot', snapshotMeta, 'timestamp'), 'snapshot', asSnapshot);
    if (checkRole(snapshot, 'snapshot', roleKeys(root.signed, 'snapshot'), seen, check)) {
        expired.add('snapshot');
    }
    const rootMeta = snapshot.signed.meta['root'];
    if (rootMeta !== undefined)
        checkFileMeta('root', rootBytes, rootMeta, 'snapshot');
    const repo = new TrustedRepo(opts.gun, root, timestamp, snapshot);
    for (const role of expired)
        repo.expired.add(role);
    await loadTargets(fetcher, repo, seen, check);
    return repo;
}
async function loadTargets(fetcher, repo, seen, check) {
    const meta = repo.snapshot.signed.meta;
    const targetsMeta = meta['targets'];
    if (targetsMeta === undefined) {
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `snapshot has no meta for targets; ${STALE}`);
    }
    // Delegation files are fetched while their parents are: each is still read only when the
    // walk below reaches it through its verified parent, in the same order and with the same
    // checks. The ones the snapshot lists go out with targets when they are few and small (a
    // snapshot cannot make this client download much it would not read); the rest, with
    // their siblings once their parent is verified.
    const fetches = new Map();
    const prefetch = (name) => {
        const fileMeta = meta[name];
        if (fileMeta === undefined || fetches.has(name))
            return;
        fetches.set(name, early(() => fetchByMeta(fetcher, name, fileMeta, 'snapshot')));
    };
    const listed = Object.keys(meta).filter(isDelegationName);
    const listedBytes = listed.reduce((n, name) => n + meta[name].length, 0);
    const targetsFetch = fetchByMeta(fetcher, 'targets', targetsMeta, 'snapshot');
    if (listed.length <= PREFETCH_MAX_FILES && listedBytes <= PREFETCH_MAX_BYTES) {
        listed.forEach(prefetch);
    }
    const targets = parseEnvelope(await targetsFetch, 'targets', asTargets);
    if (checkRole(targets, 'targets', roleKeys(repo.root.signed, 'targets'), seen, check)) {
        repo.expired.add('targets');
    }
    repo.targets.set('targets', targets);
    // Depth-first: a loaded role's children go to the front of the queue (Go's order).
    const queue = childrenOf(targets, 'targets', ['']);
    for (const child of queue)
        prefetch(child.role.name);
    while (queue.length > 0) {
        const info = queue.shift();
        const name = info.role.name;
        const first = repo.delegation(name);
        if (first !== undefined) {
            // Go reads the first entry of a name and loads the role once per entry: a second load
            // of a file that verified fails its whole update (tuf builder).
            repo.listedTwice.add(name);
            if (first.file === 'loaded') {
                throw new errors/* DctError */.sY('TUF_BAD_METADATA', `${info.parent} lists ${name} twice, and Go clients cannot read the repository then ("${name} has already been loaded"); ${STALE}`);
            }
            continue;
        }
        repo.addDelegation(info);
        const fileMeta = meta[name];
        // Not in the snapshot: no file yet (docker's signer add creates none), i.e. empty;
        // unless this client has seen one, then its signatures are being hidden.
        if (fileMeta === undefined) {
            const was = seen[name] ?? 0;
            if (was > 0) {
                throw new errors/* DctError */.sY('TUF_ROLLBACK', `${name} was at version ${was} but the snapshot no longer lists it; ${STALE}, or ${CLEAR_CACHE}`);
            }
            continue;
        }
        prefetch(name);
        const bytes = await settle(fetches.get(name));
        fetches.delete(name);
        const env = parseEnvelope(bytes, name, asTargets);
        try {
            verifySignatures(env, name, info.keys, info.role);
            const keys = { keyids: info.role.keyids, threshold: info.role.threshold, keys: info.keys };
            if (check(name, env.signed.expires, keys))
                repo.expired.add(name);
        }
        catch (e) {
            // Go warns and skips a delegation that is expired or below threshold.
            if (!(0,errors/* isDctError */.AE)(e) || !SKIPPABLE.has(e.code))
                throw e;
            info.file = 'invalid';
            repo.invalidDelegations.set(name, e);
            repo.invalidFiles.set(name, env);
            continue;
        }
        checkVersion(name, env.signed.version, seen);
        info.file = 'loaded';
        repo.targets.set(name, env);
        const children = childrenOf(env, name, info.role.paths);
        for (const child of children)
            prefetch(child.role.name);
        queue.unshift(...children);
    }
}
/** Bounds on the delegation files fetched with targets, before any parent lists them. */
const PREFETCH_MAX_FILES = 16;
const PREFETCH_MAX_BYTES = 16 * 1024 * 1024;
const SKIPPABLE = new Set(['TUF_THRESHOLD', 'TUF_SIGNATURE', 'TUF_NO_SIGNATURES', 'TUF_EXPIRED']);
/** The delegations a targets file lists; each must be a valid direct child of the file's role. */
function childrenOf(env, role, parentPaths) {
    const { keys, roles } = env.signed.delegations;
    return roles.map((entry) => {
        if (!isDelegationName(entry.name) || parentRole(entry.name) !== role) {
            throw new errors/* DctError */.sY('TUF_BAD_METADATA', `${role} delegates to "${entry.name}", which is not a valid direct child role; ${STALE}`);
        }
        const restricted = Object.assign(cloneJson(entry), {
            paths: restrictPaths(parentPaths, entry.paths ?? []),
        });
        return { role: restricted, keys: pickKeys(keys, entry.keyids), parent: role, file: 'absent' };
    });
}
function early(start) {
    let p;
    try {
        p = start();
    }
    catch (error) {
        return Promise.resolve({ ok: false, error });
    }
    return p.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));
}
/** The outcome of an early request, now that it may be used: its value or its error. */
async function settle(e) {
    const got = await e;
    if (!got.ok)
        throw got.error;
    return got.value;
}

;// CONCATENATED MODULE: ./src/tuf/confirm.ts
/**
 * The read-back after a publish: the server's new timestamp and snapshot, verified under the
 * root already trusted, must list exactly the files this client uploaded. Fails closed.
 */




/**
 * After a publish: fetches and verifies the new timestamp and snapshot under the root already
 * trusted, and returns the trust state to keep if the server's current snapshot lists exactly
 * the bytes in `uploaded` for every role (so the server holds our files as the current
 * versions). Undefined when it does not (someone published on top of us): the caller then
 * reads the whole repository again.
 */
async function confirmUploaded(fetcher, repo, uploaded, now = new Date()) {
    const seen = repo.trustState().versions;
    const check = expiryCheck(now);
    const tsBytes = await fetcher.fetch('timestamp', { maxLength: TIMESTAMP_MAX_BYTES });
    if (tsBytes === undefined)
        throw missing('timestamp');
    checkMaxLength('timestamp', tsBytes, TIMESTAMP_MAX_BYTES);
    const timestamp = parseEnvelope(tsBytes, 'timestamp', asTimestamp);
    checkRole(timestamp, 'timestamp', roleKeys(repo.root.signed, 'timestamp'), seen, check);
    const snapshotMeta = timestamp.signed.meta['snapshot'];
    const ownSnapshot = uploaded.get('snapshot')?.bytes;
    if (ownSnapshot !== undefined && !sameFile(ownSnapshot, snapshotMeta))
        return undefined;
    const snapshot = parseEnvelope(ownSnapshot ?? (await fetchByMeta(fetcher, 'snapshot', snapshotMeta, 'timestamp')), 'snapshot', asSnapshot);
    checkRole(snapshot, 'snapshot', roleKeys(repo.root.signed, 'snapshot'), seen, check);
    const versions = { ...seen };
    versions['timestamp'] = timestamp.signed.version;
    versions['snapshot'] = snapshot.signed.version;
    for (const [role, file] of uploaded) {
        if (role === 'snapshot')
            continue;
        if (!sameFile(file.bytes, snapshot.signed.meta[role]))
            return undefined;
        versions[role] = file.version;
    }
    return { gun: repo.gun, root: repo.root.bytes.toString('base64'), versions };
}
function sameFile(bytes, meta) {
    if (meta === undefined || meta.length !== bytes.length)
        return false;
    const sha256 = meta.hashes['sha256'];
    return (sha256 !== undefined &&
        (0,external_node_crypto_.createHash)('sha256').update(bytes).digest().equals(Buffer.from(sha256, 'base64')));
}

;// CONCATENATED MODULE: ./src/signer/health.ts

/** Warn this long before a role expires (issue 11). */
const WARN_WITHIN_MS = 30 * 86_400_000;
/** The signers `keys` holds for a role's listed keys (at most one per key). */
function heldSigners(keys, set) {
    if (keys === undefined || set === undefined)
        return [];
    return set.keyids.flatMap((id) => {
        const key = set.keys[id];
        const s = key === undefined ? undefined : keys.signerFor(id, key);
        return s === undefined ? [] : [s];
    });
}
/** Whether `keys` can sign a role with these keys at its threshold. */
function canSign(keys, set) {
    return set !== undefined && heldSigners(keys, set).length >= set.threshold;
}
/**
 * Every role with a file: root, targets, the delegations (loaded ones, then those skipped as
 * expired), snapshot, timestamp. `keys` (when given) tells a client-held snapshot from the
 * server's: without the keys that sign it, nobody here can tell, and the snapshot is shown as
 * the server's.
 */
function roleHealth(repo, keys) {
    const out = [];
    const add = (role, file, extra = {}) => {
        out.push({
            role,
            version: file.version,
            expires: file.expires,
            keyIds: [...(repo.keysOf(role)?.keyids ?? [])],
            serverManaged: role === 'timestamp' || (role === 'snapshot' && !canSign(keys, repo.keysOf('snapshot'))),
            ...extra,
        });
    };
    add('root', repo.root.signed);
    for (const [role, env] of repo.targets)
        add(role, env.signed);
    for (const [role, env] of repo.invalidFiles) {
        if (repo.invalidDelegations.get(role)?.code === 'TUF_EXPIRED') {
            add(role, env.signed, { expired: true });
        }
    }
    add('snapshot', repo.snapshot.signed);
    add('timestamp', repo.timestamp.signed);
    return out;
}
/**
 * The repository's roles after a publish: `repo` as loaded before it, with the version and
 * expiry of each file the run signed (`published`). The server's own new snapshot and
 * timestamp are not read back; they are marked as the server's.
 */
function healthAfter(repo, published, keys) {
    const roles = roleHealth(repo, keys).map((h) => {
        const f = published.get(h.role);
        if (f === undefined)
            return h;
        const { expired: _was, ...rest } = h;
        return { ...rest, version: f.version, expires: f.expires };
    });
    return {
        gun: repo.gun,
        roles,
        changed: roles.map((h) => h.role).filter((r) => published.has(r)),
    };
}
/** Whole days from `now` until `expires` (negative once it has passed). */
function daysLeft(expires, now) {
    return Math.floor((parseExpires(expires).getTime() - now.getTime()) / 86_400_000);
}
/** The command that re-signs what is about to expire, for messages. */
function refreshHint(gun) {
    return `run this action with \`command: refresh\` (or \`dct refresh ${gun}\`) with the keys that sign it`;
}
/**
 * Warns about each role that expires within 30 days (or has expired and is skipped), naming
 * the role, the date and the fix. Not about the roles the server renews itself (timestamp, a
 * server-held snapshot), nor about root (`warnIfRootExpiring` warns six months ahead), nor
 * about `skip` (the roles this run re-signs). The snapshot is re-signed by every publish,
 * so it never expires before the targets roles do, and their warning covers it.
 */
function warnIfExpiring(repo, log, opts = {}) {
    const now = opts.now ?? new Date();
    const skip = new Set(opts.skip ?? []);
    for (const r of roleHealth(repo)) {
        if (r.serverManaged || r.role === 'root' || r.role === 'snapshot' || skip.has(r.role)) {
            continue;
        }
        const left = parseExpires(r.expires).getTime() - now.getTime();
        if (left >= WARN_WITHIN_MS)
            continue;
        const then = r.role === 'targets'
            ? 'every client refuses the repository'
            : 'clients ignore its signatures';
        const when = left < 0
            ? `expired at ${r.expires}, so clients ignore its signatures`
            : `expires at ${r.expires} (in ${daysLeft(r.expires, now)} days), and ${then} then`;
        log.warning(`${repo.gun}: ${r.role} ${when}; re-sign it: ${refreshHint(repo.gun)}`);
    }
}

;// CONCATENATED MODULE: ./src/signer/publish.ts
/**
 * Publishing one repository's change, safe against other signers doing the same at once.
 * The change is a pure function of the trusted repository: on a version conflict the
 * repository is read again and the same change re-applied, re-signed and re-sent.
 */











const DEFAULT_ATTEMPTS = 12;
/** Conflicts in a row with nothing new on the server before it is called stale. */
const STALE_CONFLICTS = 3;
function describeVersions(versions) {
    return Object.entries(versions)
        .map(([role, v]) => `${role} v${v}`)
        .join(', ');
}
/** Publishes without an answer before a run stops: past this the server is failing, not busy. */
const MAX_UNKNOWN_OUTCOMES = 3;
/** Between reading the repository again after a conflict or a lost answer. */
const PUBLISH_BACKOFF = { baseMs: 200, maxMs: 4_000, jitter: 'around' };
const defaultSleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Loads and verifies the repository, with the cached trust state as the pin. */
async function loadRepo(ctx, trusted) {
    const { conn } = ctx;
    let repo;
    try {
        repo = await loadTrustedRepo(conn.notary, {
            gun: conn.gun,
            now: ctx.now?.(),
            // An empty list pins nothing.
            pinnedRootKeyIds: ctx.rootKeyIds,
            trusted,
            mayExpire: ctx.mayExpire,
        });
    }
    catch (e) {
        // Docker's own Notary service is gone (issue 11): say so, and where to go instead.
        if (isDockerHubNotary(conn.server) &&
            e instanceof errors/* DctError */.sY &&
            DEFAULT_SERVER_FAILURES.has(e.code)) {
            throw new errors/* DctError */.sY(e.code, `${e.message}; ${HUB_NOTARY_RETIRED}`, { cause: e });
        }
        // A server nobody named may simply be the wrong one: say where it came from.
        if (!conn.serverGiven && e instanceof errors/* DctError */.sY && DEFAULT_SERVER_FAILURES.has(e.code)) {
            throw new errors/* DctError */.sY(e.code, `${e.message}; ${defaultServerNote(conn)}`, { cause: e });
        }
        throw e;
    }
    if (repo === undefined) {
        const create = `create the repository first (this action's \`signer-add\` command, or ` +
            `\`dct signer add --key ci.pub ci ${conn.gun}\`)`;
        throw new errors/* DctError */.sY('REPO_NOT_FOUND', conn.serverGiven
            ? `${conn.server} does not have trust data for ${conn.gun}; ${create}`
            : `${conn.server} does not have trust data for ${conn.gun}; ${defaultServerNote(conn)}, or ${create}`);
    }
    return repo;
}
const HUB_NOTARY_RETIRED = 'Docker\'s Notary service (notary.docker.io) shut down on 8 December 2026: set `trust-server` to a self-hosted Notary server holding the repository\'s trust data, or move to Sigstore signatures (README, "Moving to Sigstore")';
function isDockerHubNotary(server) {
    try {
        return new URL(server).hostname === 'notary.docker.io';
    }
    catch {
        return false;
    }
}
/** Failures that mean "not a (reachable) notary server here" rather than bad trust data. */
const DEFAULT_SERVER_FAILURES = new Set([
    'HTTP_NOT_TLS',
    'HTTP_TLS',
    'HTTP_UNREACHABLE',
    'HTTP_TIMEOUT',
    'NOTARY_NOT_FOUND',
    'NOTARY_UNAUTHORIZED',
]);
function defaultServerNote(conn) {
    const why = conn.gun.startsWith('docker.io/')
        ? "Docker Hub's"
        : "the registry's own host, as docker derives it";
    return (`\`trust-server\` is not set, so ${conn.server} is the default (${why}); ` +
        'if your Notary server is elsewhere, set `trust-server` (or DOCKER_CONTENT_TRUST_SERVER) to it');
}
const SIX_MONTHS_MS = 183 * 24 * 3600 * 1000;
/**
 * Warns while there is time to act: a root (or its 10-year certificate) that expires within
 * six months bricks every client of the repository when it does (notary-spec.md §7.4), and
 * only the root key's holder can re-sign it.
 */
function warnIfRootExpiring(repo, log, now = new Date()) {
    const soon = now.getTime() + SIX_MONTHS_MS;
    const expires = parseExpires(repo.root.signed.expires);
    if (expires.getTime() < soon) {
        log.warning(`${repo.gun}: root metadata expires at ${repo.root.signed.expires}; re-sign root with the root key before then (\`notary witness ${repo.gun} root\`, then \`notary publish ${repo.gun}\`)`);
    }
    const certs = [...validRootCerts(repo.root.signed, repo.gun, now, true).valid.values()];
    const latest = Math.max(...certs.map((c) => c.notAfter.getTime()));
    if (certs.length > 0 && latest < soon) {
        log.warning(`${repo.gun}: the root certificate expires at ${new Date(latest).toISOString()}; rotate the root key (\`notary key rotate ${repo.gun} root\`) before then, or every client stops trusting the repository`);
    }
}
/**
 * Applies `plan` to the freshly verified repository, signs and publishes the changed roles in
 * one POST, then reads back and checks with `confirm`. `plan` returns no edits when the
 * repository already holds the change (which also settles a POST whose answer was lost).
 */
async function publishChange(ctx, plan, confirm, 
/** A repository already loaded and verified (and planned against) by the caller. */
first) {
    const sleep = ctx.sleep ?? defaultSleep;
    const attempts = ctx.maxAttempts ?? DEFAULT_ATTEMPTS;
    let trusted = first?.trustState() ?? (await ctx.trustStore?.load(ctx.conn.gun));
    let lastConflict;
    let unknown = 0;
    // Versions read before each VERSION conflict: a server that refuses our version as old
    // while serving the same older data again and again is not busy, it is stale.
    let conflictedAt;
    let staleConflicts = 0;
    for (let attempt = 0; attempt < attempts; attempt++) {
        const repo = attempt === 0 && first !== undefined ? first : await loadRepo(ctx, trusted);
        if (attempt === 0)
            warnIfRootExpiring(repo, ctx.log, ctx.now?.());
        trusted = repo.trustState();
        const versions = JSON.stringify(trusted.versions);
        if (conflictedAt !== undefined) {
            staleConflicts = versions === conflictedAt ? staleConflicts + 1 : 0;
            conflictedAt = undefined;
            if (staleConflicts >= STALE_CONFLICTS) {
                throw new errors/* DctError */.sY('NOTARY_STALE', `${ctx.conn.gun}: the trust server refused our update ${staleConflicts} times as older than what it stores, yet serves the same older metadata each time (${describeVersions(trusted.versions)}); it, or a cache in front of it, is serving stale or replayed data. Nothing was published`, { cause: lastConflict });
            }
        }
        const planned = plan(repo);
        const change = Array.isArray(planned) ? { roles: planned } : planned;
        if (change.roles.length === 0 && change.root === undefined && change.snapshot !== true) {
            const problem = confirm(repo);
            if (problem === undefined) {
                await saveTrust(ctx, repo);
                return new Map();
            }
            throw new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', `${ctx.conn.gun}: ${problem}`);
        }
        if (unknown >= MAX_UNKNOWN_OUTCOMES) {
            // The read just made shows the change absent, so this failure is known to be clean.
            throw new errors/* DctError */.sY('PUBLISH_FAILED', `${ctx.conn.gun}: no answer to ${unknown} publishes (last: ${(0,errors/* describeError */.Uc)(lastConflict)}) and the repository does not show the change, so it is not published (a publish the server is still processing could appear later: run verify before signing again)`, { cause: lastConflict });
        }
        const files = signEdits(ctx, repo, change);
        try {
            await ctx.conn.notary.publish(new Map([...files].map(([role, f]) => [role, f.bytes])));
        }
        catch (e) {
            if ((0,errors/* isDctError */.AE)(e, 'NOTARY_SNAPSHOT_KEY_MISSING'))
                throw snapshotKeyMissing(ctx, repo, e);
            if ((0,errors/* isDctError */.AE)(e, 'NOTARY_OUTCOME_UNKNOWN'))
                unknown++;
            if ((0,errors/* isDctError */.AE)(e, 'NOTARY_VERSION') || (0,errors/* isDctError */.AE)(e, 'NOTARY_OUTCOME_UNKNOWN')) {
                // Someone else published first (or our answer was lost): read again and decide.
                lastConflict = e;
                if ((0,errors/* isDctError */.AE)(e, 'NOTARY_VERSION'))
                    conflictedAt = versions;
                const wait = backoff(attempt, PUBLISH_BACKOFF);
                ctx.log.info(`${ctx.conn.gun}: ${(0,errors/* isDctError */.AE)(e, 'NOTARY_VERSION') ? 'another signer published first' : 'the publish answer was lost'}; reading the repository again in ${wait} ms`);
                await sleep(wait);
                continue;
            }
            throw e;
        }
        // Read back. The quick check: the server's verified snapshot lists our exact bytes (under
        // the old root: after a new root, the full read below follows the rotation).
        const state = files.has('root')
            ? undefined
            : await confirmUploaded(ctx.conn.notary, repo, files, ctx.now?.());
        if (state !== undefined) {
            await saveTrust(ctx, state);
            return files;
        }
        // Someone published on top of us already: read everything and look for our change.
        const after = await loadRepo(ctx, trusted);
        trusted = after.trustState();
        const problem = confirm(after);
        if (problem === undefined) {
            await saveTrust(ctx, after);
            return files;
        }
        // Another signer replaced our change between our POST and our read: apply it again.
        ctx.log.info(`${ctx.conn.gun}: read-back did not show the change (${problem}); retrying`);
        lastConflict = new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', problem);
    }
    throw new errors/* DctError */.sY('PUBLISH_CONFLICT', `${ctx.conn.gun}: gave up after ${attempts} attempts because other signers kept publishing at the same time; run the job again`, { cause: lastConflict });
}
function signEdits(ctx, repo, change) {
    const now = ctx.now?.() ?? new Date();
    const files = new Map();
    let root = repo.root.signed;
    if (change.root !== undefined) {
        root = updatedRoot(root, change.root.edit, now);
        const env = signEnvelope(root, change.root.signers);
        readBack(env, 'root', roleKeys(root, 'root'), asRoot);
        files.set('root', { bytes: env.bytes, version: root.version, expires: root.expires });
    }
    const signed = new Map();
    for (const e of change.roles) {
        // A role whose file no key it lists signed starts empty, above that file's version.
        const invalid = repo.invalidFiles.get(e.role)?.signed.version;
        const prev = repo.targets.get(e.role)?.signed ??
            (invalid === undefined ? undefined : blankTargets(invalid));
        signed.set(e.role, signEnvelope(updatedTargets(prev, e.edit, now), e.signers));
    }
    for (const [role, env] of signed) {
        readBack(env, role, readerKeys(root, repo, role, signed), asTargets);
        files.set(role, { bytes: env.bytes, version: env.signed.version, expires: env.signed.expires });
    }
    // Snapshot only when we hold its key; otherwise the server makes it (notary-spec.md §5.3).
    // Every root has a snapshot role (asRoot requires the four base roles).
    const snapshotKeys = roleKeys(root, 'snapshot');
    const snapshotSigners = change.snapshotSigners ?? heldSigners(ctx.keys, snapshotKeys);
    const canSignSnapshot = snapshotSigners.length >= snapshotKeys.threshold;
    if (change.snapshot === true && !canSignSnapshot) {
        throw new errors/* DctError */.sY('SNAPSHOT_KEY_MISSING', `${repo.gun}: the snapshot is to be re-signed but the keys given cannot sign it; nothing was published`);
    }
    if (canSignSnapshot) {
        const bytes = new Map([...files].map(([role, f]) => [role, f.bytes]));
        const snapshot = updatedSnapshot(repo.snapshot.signed, bytes, now);
        const env = signEnvelope(snapshot, snapshotSigners);
        readBack(env, 'snapshot', roleKeys(root, 'snapshot'), asSnapshot);
        files.set('snapshot', {
            bytes: env.bytes,
            version: snapshot.version,
            expires: snapshot.expires,
        });
    }
    return files;
}
/**
 * The keys a client checks `role` with: root's for base roles, else the first entry naming it
 * in its parent (Go's BuildDelegationRole), the parent as edited in this publish if it is.
 */
function readerKeys(root, repo, role, edited) {
    if (!isDelegationName(role))
        return roleKeys(root, role);
    const parent = (edited.get(parentRole(role)) ?? repo.targets.get(parentRole(role)))?.signed;
    const entry = parent?.delegations.roles.find((d) => d.name === role);
    if (parent === undefined || entry === undefined)
        return { keyids: [], threshold: 1, keys: {} };
    return { ...entry, keys: pickKeys(parent.delegations.keys, entry.keyids) };
}
/**
 * Reads a file about to be published as a client will (parse, guards, signatures with the
 * keys clients use) and checks it holds what was signed; otherwise nothing is sent.
 */
function readBack(env, role, keys, guard) {
    try {
        const read = parseEnvelope(env.bytes, role, guard);
        // A client verifies canonical(JSON.parse(signed)). The file's `signed`, unescaped, is
        // canonical JSON, so it is that message, and it must be the one signed: then the client
        // checks exactly what was signed, with no second encoding of a large role to compare.
        const message = literalSignedMessage(env.bytes, read.signatures);
        if (message === undefined || !message.equals(env.message)) {
            throw new errors/* DctError */.sY('TUF_BAD_METADATA', 'it reads back as other content than was signed');
        }
        verifySignatures({ ...read, message }, role, keys.keys, keys);
    }
    catch (e) {
        throw new errors/* DctError */.sY('PUBLISH_READBACK', `refusing to publish ${role}: read back as a client reads it, ${(0,errors/* describeError */.Uc)(e)}; nothing was published`, { cause: e });
    }
}
/** The repository's snapshot key is the client's, and `keys` does not hold it (§5.3). */
function snapshotKeyMissing(ctx, repo, cause) {
    const gun = ctx.conn.gun;
    const ids = repo.root.signed.roles['snapshot'].keyids.map(shortId).join(', ');
    return new errors/* DctError */.sY('SNAPSHOT_KEY_MISSING', `this repository's snapshot key (${ids || 'unknown'}) is held by its owner, not by the trust server, and \`keys\` does not hold it; ` +
        'add the snapshot key to `keys` (a backup of ~/.docker/trust/private has it), ' +
        `or let the server manage it once: \`dct key rotate ${gun} snapshot --server-managed\` (or \`notary key rotate ${gun} snapshot -r\`). Nothing was published`, { cause });
}
async function saveTrust(ctx, trust) {
    if (ctx.trustStore === undefined)
        return;
    try {
        await ctx.trustStore.save('trustState' in trust ? trust.trustState() : trust);
    }
    catch (e) {
        ctx.log.warning(`${ctx.conn.gun}: could not remember the trust data: ${(0,errors/* describeError */.Uc)(e)}`);
    }
}

;// CONCATENATED MODULE: ./src/signer/admin/delegations.ts
const delegations_RELEASES = 'targets/releases';
/**
 * Creates `role` (threshold 1, paths `[""]`) or, when it exists, adds the keys to it and `""`
 * to its paths; the threshold of an existing role is kept. Keys are added to
 * `delegations.keys`; `updatedTargets` drops the ones no role uses.
 */
function addDelegationKeys(t, role, keys) {
    for (const k of keys) {
        t.delegations.keys[k.id] = { keytype: k.tufKey.keytype, keyval: { ...k.tufKey.keyval } };
    }
    const ids = keys.map((k) => k.id);
    const existing = t.delegations.roles.find((r) => r.name === role);
    if (existing === undefined) {
        t.delegations.roles.push({ keyids: ids, name: role, paths: [''], threshold: 1 });
        return;
    }
    for (const id of ids)
        if (!existing.keyids.includes(id))
            existing.keyids.push(id);
    const paths = existing.paths ?? [];
    if (!paths.includes(''))
        existing.paths = [...paths, ''];
}
/** Takes `keyIds` out of `role`'s keys (the role stays, even with none, as in Go). */
function removeDelegationKeys(t, role, keyIds) {
    const r = t.delegations.roles.find((d) => d.name === role);
    if (r !== undefined)
        r.keyids = r.keyids.filter((id) => !keyIds.includes(id));
}
/** Removes the delegation `role` from the list (its file is left to the server). */
function deleteDelegation(t, role) {
    t.delegations.roles = t.delegations.roles.filter((d) => d.name !== role);
}
/** Whether `t` delegates `role` with every one of `keyIds` and the path `""`. */
function hasDelegationKeys(t, role, keyIds) {
    const r = t.delegations.roles.find((d) => d.name === role);
    return (r !== undefined &&
        keyIds.every((id) => r.keyids.includes(id) && t.delegations.keys[id] !== undefined) &&
        (r.paths ?? []).includes(''));
}

;// CONCATENATED MODULE: ./src/registry/credentials.ts




/** Keys under which docker stores Docker Hub credentials, the v1 index URL first. */
const DOCKER_HUB_KEYS = [
    'https://index.docker.io/v1/',
    'index.docker.io',
    'docker.io',
    'registry-1.docker.io',
];
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
/**
 * Credentials for a registry host: the explicit pair if given; else what the Docker config
 * holds, as docker resolves it: `credHelpers[host]`, then `credsStore`, then `auths`.
 */
async function registryCredentials(registry, opts = {}) {
    const user = opts.username ?? '';
    const pass = opts.password ?? '';
    if (user !== '' && pass !== '')
        return { username: user, password: pass };
    if (user !== '' || pass !== '') {
        throw new errors/* DctError */.sY('CREDENTIALS_INCOMPLETE', '`registry-username` and `registry-password` must be given together');
    }
    const dir = opts.dockerConfigDir ?? process.env.DOCKER_CONFIG ?? (0,external_node_path_namespaceObject.join)((0,external_node_os_namespaceObject.homedir)(), '.docker');
    const config = await readConfig((0,external_node_path_namespaceObject.join)(dir, 'config.json'));
    if (config === undefined)
        return undefined;
    const hub = registry === 'docker.io' || DOCKER_HUB_KEYS.includes(registry);
    const keys = hub ? DOCKER_HUB_KEYS : [registry];
    const serverUrl = hub ? DOCKER_HUB_SERVER_URL : registry;
    const exec = opts.exec ?? execHelper;
    const helpers = config.credHelpers ?? {};
    const helper = keys.map((k) => helpers[k]).find((h) => typeof h === 'string' && h !== '');
    if (typeof helper === 'string')
        return fromHelper(helper, serverUrl, exec);
    if (typeof config.credsStore === 'string' && config.credsStore !== '') {
        const stored = await fromHelper(config.credsStore, serverUrl, exec);
        if (stored !== undefined)
            return stored;
    }
    return fromAuths(config.auths ?? {}, keys);
}
async function readConfig(path) {
    let text;
    try {
        text = await (0,promises_namespaceObject.readFile)(path, 'utf8');
    }
    catch (e) {
        if (e.code === 'ENOENT')
            return undefined;
        throw new errors/* DctError */.sY('DOCKER_CONFIG_INVALID', `cannot read the Docker config ${path}`, {
            cause: e,
        });
    }
    try {
        const parsed = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new Error('not a JSON object');
        }
        return parsed;
    }
    catch (e) {
        // The parser's message may quote file content, which holds secrets: keep it out.
        throw new errors/* DctError */.sY('DOCKER_CONFIG_INVALID', `the Docker config ${path} is not valid JSON`, {
            cause: e instanceof Error && e.message === 'not a JSON object' ? e : undefined,
        });
    }
}
function fromAuths(auths, keys) {
    // docker tries the exact key first, then matches keys by host, so
    // "https://host:5000/v1/" counts for "host:5000" unless "host:5000" itself is there.
    const byHost = new Map(Object.entries(auths));
    for (const [k, v] of Object.entries(auths)) {
        const host = hostnameOf(k);
        if (!byHost.has(host))
            byHost.set(host, v);
    }
    for (const key of keys) {
        const entry = byHost.get(key) ?? byHost.get(hostnameOf(key));
        if (entry === undefined || entry === null || typeof entry !== 'object')
            continue;
        const creds = decodeEntry(entry);
        if (creds !== undefined)
            return creds;
    }
    return undefined;
}
function decodeEntry(entry) {
    let username = typeof entry.username === 'string' ? entry.username : '';
    let password = typeof entry.password === 'string' ? entry.password : '';
    if (typeof entry.auth === 'string' && entry.auth !== '') {
        const raw = Buffer.from(entry.auth, 'base64');
        try {
            const text = raw.toString('utf8');
            const colon = text.indexOf(':');
            if (colon < 0) {
                throw new errors/* DctError */.sY('DOCKER_CONFIG_INVALID', 'an `auth` entry of the Docker config is not base64 of user:password');
            }
            username = text.slice(0, colon);
            password = text.slice(colon + 1);
        }
        finally {
            raw.fill(0);
        }
    }
    const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== ''
        ? entry.identitytoken
        : undefined;
    if (identityToken !== undefined)
        return { username, password, identityToken };
    if (username === '' && password === '')
        return undefined;
    return { username, password };
}
/** `docker-credential-<name> get` with the server URL on stdin (docker-credential-helpers). */
async function fromHelper(name, serverUrl, exec) {
    const cmd = `docker-credential-${name}`;
    let result;
    try {
        result = await exec(cmd, ['get'], serverUrl);
    }
    catch (e) {
        throw new errors/* DctError */.sY('CREDENTIALS_HELPER_FAILED', `cannot run the Docker credential helper ${cmd} (is it on PATH?)`, { cause: e });
    }
    if (result.code !== 0) {
        // The helper protocol reports a missing entry as a failure with this text.
        if (/credentials not found/i.test(result.stdout))
            return undefined;
        throw new errors/* DctError */.sY('CREDENTIALS_HELPER_FAILED', `the Docker credential helper ${cmd} failed (exit ${result.code}) for ${serverUrl}`);
    }
    let parsed;
    try {
        parsed = JSON.parse(result.stdout);
    }
    catch {
        throw new errors/* DctError */.sY('CREDENTIALS_HELPER_FAILED', `the Docker credential helper ${cmd} printed something that is not JSON`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    if (secret === '')
        return undefined;
    // docker stores identity tokens in helpers with this placeholder user name.
    if (username === '<token>')
        return { username: '', password: '', identityToken: secret };
    return { username, password: secret };
}
function hostnameOf(key) {
    return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
}
/**
 * Runs a credential helper through @actions/exec, the one way this project runs programs:
 * silent (the helper's output is a secret), exit code returned rather than thrown, and every
 * buffer that held the output zeroed. Loaded when a helper runs, which most runs never need.
 */
const execHelper = async (cmd, args, stdin) => {
    const { exec } = await __nccwpck_require__.e(/* import() */ 260).then(__nccwpck_require__.bind(__nccwpck_require__, 1260));
    const chunks = [];
    try {
        const code = await exec(cmd, args, {
            input: Buffer.from(stdin, 'utf8'),
            silent: true,
            ignoreReturnCode: true,
            listeners: { stdout: (b) => chunks.push(b) },
        });
        const out = Buffer.concat(chunks);
        try {
            return { code, stdout: out.toString('utf8') };
        }
        finally {
            out.fill(0);
        }
    }
    finally {
        for (const c of chunks)
            c.fill(0);
    }
};

;// CONCATENATED MODULE: ./src/registry/client.ts




/** The four manifest kinds a tag may point at, asked for in one Accept header. */
const MANIFEST_MEDIA_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
];
const MAX_MANIFEST_BYTES = 4 << 20;
const sha256 = (bytes) => `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
/**
 * Reads what a tag points at in a Docker/OCI registry: the digest and size of the exact
 * manifest bytes, which are what DCT signs (notary-spec.md §8).
 */
class RegistryClient {
    auth;
    /** Who the writes are made as, for messages. */
    account;
    insecure;
    /** `http://<host>` for each registry host that answered plain HTTP on its https try. */
    plain = new Map();
    constructor(opts) {
        const user = opts.credentials?.username ?? '';
        this.account =
            opts.credentials === undefined ? 'anonymous' : user ? `user "${user}"` : 'the token';
        this.auth = new TokenAuth({
            http: opts.http,
            credentials: opts.credentials,
            onSecret: opts.onSecret,
            server: 'the registry',
        });
        this.insecure = new Set((opts.insecureRegistries ?? []).map((r) => r.toLowerCase()));
    }
    /** GET /v2/<repo>/manifests/<tag>: hashes the bytes received. */
    async resolveTag(ref) {
        const res = await this.getManifestResponse(ref, ref.tag);
        if (res.status === 404) {
            throw registryError('REGISTRY_TAG_NOT_FOUND', 'tag not found in the registry; push it first', res);
        }
        return this.manifestInfo(res);
    }
    /** GET /v2/<repo>/manifests/<digest>; the bytes must hash to `digest`. */
    async getManifest(ref, digest) {
        const res = await this.getManifestResponse(ref, digest);
        if (res.status === 404) {
            throw registryError('REGISTRY_MANIFEST_NOT_FOUND', `manifest ${digest} not found in the registry`, res);
        }
        const info = this.manifestInfo(res);
        if (info.digest !== digest) {
            throw registryError('REGISTRY_DIGEST_MISMATCH', `the registry sent a manifest hashing to ${info.digest} when asked for ${digest}`, res);
        }
        return info;
    }
    /** GET a manifest by tag or digest with its bytes; undefined when the registry has none. */
    async fetchManifest(ref, reference) {
        const res = await this.getManifestResponse(ref, reference);
        if (res.status === 404)
            return undefined;
        const info = this.manifestInfo(res);
        if (reference.startsWith('sha256:') && info.digest !== reference) {
            throw registryError('REGISTRY_DIGEST_MISMATCH', `the registry sent a manifest hashing to ${info.digest} when asked for ${reference}`, res);
        }
        return { ...info, bytes: res.body };
    }
    /** GET /v2/<repo>/blobs/<digest>; the bytes must hash to `digest`. */
    async getBlob(ref, digest, maxBytes) {
        const res = await this.send(ref, `/v2/${ref.repository}/blobs/${digest}`, { method: 'GET', maxBytes }, `repository:${ref.repository}:pull`, () => undefined);
        if (res.status !== 200) {
            throw registryError(res.status === 404 ? 'REGISTRY_BLOB_NOT_FOUND' : 'REGISTRY_ERROR', `the registry answered HTTP ${res.status} for blob ${digest}${describeRegistryBody(res.body)}`, res);
        }
        if (sha256(res.body) !== digest) {
            throw registryError('REGISTRY_DIGEST_MISMATCH', `the registry sent a blob hashing to ${sha256(res.body)} when asked for ${digest}`, res);
        }
        return res.body;
    }
    /**
     * Uploads a blob unless the repository has it (distribution spec: HEAD, then POST and a
     * monolithic PUT with the digest). Returns its digest.
     */
    async pushBlob(ref, bytes) {
        const digest = sha256(bytes);
        const blobs = `/v2/${ref.repository}/blobs`;
        const head = await this.push(ref, { method: 'HEAD' }, `${blobs}/${digest}`);
        if (head.status === 200)
            return digest;
        const start = await this.push(ref, { method: 'POST' }, `${blobs}/uploads/`);
        const location = start.headers.location;
        if (start.status !== 202 || location === undefined) {
            throw this.writeError(ref, start, 'start a blob upload');
        }
        const url = new URL(location, start.url);
        url.searchParams.set('digest', digest);
        const put = await this.push(ref, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }, url.href);
        if (put.status !== 201)
            throw this.writeError(ref, put, `upload blob ${digest}`);
        return digest;
    }
    /** PUT /v2/<repo>/manifests/<reference>; returns the digest of the bytes sent. */
    async putManifest(ref, reference, mediaType, bytes) {
        const res = await this.push(ref, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes }, `/v2/${ref.repository}/manifests/${reference}`);
        if (res.status !== 201)
            throw this.writeError(ref, res, `write the manifest ${reference}`);
        return sha256(bytes);
    }
    /**
     * A write to `target` (a path on the registry, or the full URL an upload answered with),
     * with a token for pull and push; a refusal names the credentials to fix.
     */
    async push(ref, req, target) {
        const scope = `repository:${ref.repository}:pull,push`;
        const full = { maxBytes: 1 << 20, ...req };
        let res;
        try {
            res = target.startsWith('/')
                ? await this.send(ref, target, full, scope, () => undefined)
                : await this.auth.request({ ...full, url: target }, scope);
        }
        catch (e) {
            if ((0,errors/* isDctError */.AE)(e, 'AUTH_DENIED')) {
                const err = e;
                throw new HttpError('REGISTRY_PUSH_DENIED', this.pushDenied(ref, err.status ?? 401), { url: err.url, status: err.status, body: err.body }, { cause: e });
            }
            throw e;
        }
        if (res.status === 401 || res.status === 403) {
            throw registryError('REGISTRY_PUSH_DENIED', this.pushDenied(ref, res.status), res);
        }
        return res;
    }
    pushDenied(ref, status) {
        return (`${ref.registry} refused to let ${this.account} push to ${ref.repository} (HTTP ${status}): ` +
            `the credentials for ${ref.registry} (\`registry-username\`/\`registry-password\`, or the ` +
            `Docker config's login) need push rights on ${ref.repository}`);
    }
    writeError(ref, res, what) {
        return registryError('REGISTRY_WRITE_FAILED', `${ref.registry}/${ref.repository}: could not ${what}: HTTP ${res.status}${describeRegistryBody(res.body)}`, res);
    }
    async getManifestResponse(ref, reference) {
        const path = `/v2/${ref.repository}/manifests/${encodeURIComponent(reference).replace(/%3A/g, ':')}`;
        // The registry's token scope names the repository without the host (§5.5 is the
        // notary side, which includes it).
        const scope = `repository:${ref.repository}:pull`;
        const req = {
            method: 'GET',
            headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
            maxBytes: MAX_MANIFEST_BYTES,
        };
        let res;
        let url = `https://${ref.apiHost}${path}`;
        try {
            res = await this.send(ref, path, req, scope, (u) => (url = u));
        }
        catch (e) {
            if ((0,errors/* isDctError */.AE)(e, 'AUTH_DENIED')) {
                throw new HttpError('REGISTRY_DENIED', e.message, { url, status: e.status, body: e.body }, { cause: e });
            }
            if ((0,errors/* isDctError */.AE)(e, 'HTTP_TOO_LARGE')) {
                throw new HttpError('REGISTRY_ERROR', `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes, the limit registries use`, { url }, { cause: e });
            }
            throw e;
        }
        if (res.status === 403) {
            throw registryError('REGISTRY_DENIED', `the registry denied pull access (HTTP 403); check \`registry-username\`/\`registry-password\``, res);
        }
        if (res.status !== 200 && res.status !== 404) {
            throw registryError('REGISTRY_ERROR', `the registry answered HTTP ${res.status}${describeRegistryBody(res.body)}`, res);
        }
        return res;
    }
    /**
     * Sends `req` for `path` on the registry of `ref`: https first, then plain HTTP when the
     * registry answered in plain HTTP and may be reached so, as docker does (loopback, or
     * listed in `insecure-registries`). The scheme found is kept for the host.
     */
    async send(ref, path, req, scope, sentTo) {
        const host = ref.apiHost;
        const known = this.plain.get(host);
        const base = known ?? `https://${host}`;
        sentTo(base + path);
        try {
            return await this.auth.request({ ...req, url: base + path }, scope);
        }
        catch (e) {
            const plainAnswer = known === undefined && (0,errors/* isDctError */.AE)(e, 'HTTP_NOT_TLS');
            // Without a port, https (443) and http (80) are different servers: a refused 443 may
            // still have an http registry behind it.
            const refused = known === undefined &&
                !/:\d+$/.test(host) &&
                e instanceof HttpError &&
                e.code === 'HTTP_UNREACHABLE' &&
                !e.requestSent;
            if (!plainAnswer && !refused)
                throw e;
            if (!plainHttpAllowed(ref.registry, this.insecure)) {
                if (!plainAnswer)
                    throw e;
                throw new HttpError('REGISTRY_NOT_HTTPS', `the registry ${host} answers plain HTTP, not https; to use it over plain HTTP, list ${ref.registry} in \`insecure-registries\` (loopback registries need no entry)`, { url: base + path, requestSent: false }, { cause: e });
            }
            const http = `http://${host}`;
            sentTo(http + path);
            const res = await this.auth.request({ ...req, url: http + path }, scope);
            this.plain.set(host, http);
            return res;
        }
    }
    manifestInfo(res) {
        const body = res.body;
        const digest = sha256(body);
        const claimed = res.headers['docker-content-digest']?.trim();
        if (claimed !== undefined && claimed !== '') {
            const check = recomputed(claimed, body);
            if (check !== undefined && check !== claimed) {
                throw registryError('REGISTRY_DIGEST_MISMATCH', `the registry says the manifest is ${claimed} but its bytes hash to ${check}`, res);
            }
        }
        return { digest, size: body.length, mediaType: mediaTypeOf(res) };
    }
}
/**
 * Whether docker would reach `registry` (`host[:port]` of a reference) over plain HTTP:
 * loopback (`localhost`, 127.0.0.0/8, ::1, docker's default insecure ranges) or named in
 * `insecure`, lower case. Docker also resolves names into those ranges; we do not.
 */
function plainHttpAllowed(registry, insecure) {
    const r = registry.toLowerCase();
    if (insecure.has(r))
        return true;
    return isLoopback(r.startsWith('[') ? r.slice(0, r.indexOf(']') + 1) : r.replace(/:\d+$/, ''));
}
/** The header's digest recomputed with its own algorithm, when it is one we know. */
function recomputed(claimed, body) {
    const colon = claimed.indexOf(':');
    const algo = claimed.slice(0, colon);
    if (algo !== 'sha256' && algo !== 'sha384' && algo !== 'sha512')
        return undefined;
    return `${algo}:${(0,external_node_crypto_.createHash)(algo).update(body).digest('hex')}`;
}
function mediaTypeOf(res) {
    const header = res.headers['content-type']?.split(';')[0]?.trim() ?? '';
    if (header !== '' && header !== 'application/json' && header !== 'text/plain')
        return header;
    try {
        const parsed = JSON.parse(res.body.toString('utf8'));
        if (typeof parsed.mediaType === 'string')
            return parsed.mediaType;
    }
    catch {
        // not JSON: fall through to the header
    }
    return header;
}
/** `: CODE: message` from a registry error body `{"errors":[{code,message}]}`, if any. */
function describeRegistryBody(body) {
    const first = errorList(body)?.[0];
    if (first === undefined || first === null)
        return '';
    const code = typeof first.code === 'string' ? first.code : 'ERROR';
    const message = typeof first.message === 'string' ? (0,errors/* oneLine */.TN)(first.message, { max: 300 }) : '';
    return `: ${code}${message === '' ? '' : `: ${message}`}`;
}
function registryError(code, message, res) {
    return new HttpError(code, message, { url: res.url, status: res.status, body: res.body });
}

;// CONCATENATED MODULE: ./src/signer/images.ts


/**
 * Parses every image reference and groups them by GUN. A reference that does not parse is
 * a failure of that image alone; the flows refuse to publish anything when any failed, so a
 * typo never leaves the other tags signed and this one not.
 */
function groupImages(images) {
    const groups = new Map();
    const failures = [];
    for (const image of images) {
        try {
            const ref = parseImageRef(image);
            const list = groups.get(ref.gun) ?? [];
            // The same tag twice in one repository is one target; keep the first.
            if (!list.some((r) => r.tag === ref.tag && r.digest === ref.digest))
                list.push(ref);
            groups.set(ref.gun, list);
        }
        catch (e) {
            failures.push(imageFailure(image, e));
        }
    }
    return { groups: [...groups].map(([gun, refs]) => ({ gun, refs })), failures };
}
/** The digest an image must carry: its own `@sha256:` pin, else the `digest` input. */
function expectedDigest(ref, digest) {
    const pinned = ref.digest;
    const given = digest === undefined ? undefined : parseDigest(digest, 'digest');
    if (pinned !== undefined && given !== undefined && pinned !== given) {
        throw new errors/* DctError */.sY('DIGEST_CONFLICT', `the reference pins ${pinned} but the \`digest\` input is ${given}; give one digest`);
    }
    return pinned ?? given;
}
function imageFailure(image, e) {
    return {
        image,
        code: (0,errors/* isDctError */.AE)(e) ? e.code : 'UNEXPECTED',
        message: (0,errors/* describeError */.Uc)(e),
    };
}
/** Runs `fn` for every group at once; collects results and per-image failures. */
async function forEachGroup(groups, fn) {
    const settled = await Promise.allSettled(groups.map((g) => fn(g)));
    const done = [];
    const failures = [];
    settled.forEach((s, i) => {
        if (s.status === 'fulfilled') {
            done.push(...s.value);
            return;
        }
        const group = groups[i];
        const err = s.reason;
        // A flow may already have split its failure per image.
        if (err instanceof GroupImagesError) {
            failures.push(...err.failures);
            done.push(...err.done);
            return;
        }
        for (const ref of group.refs)
            failures.push(imageFailure(ref.input, err));
    });
    return { done, failures };
}
/**
 * A group-level failure that names individual images (e.g. one tag moved, one unsigned);
 * `done` holds the group's results that did go through.
 */
class GroupImagesError extends Error {
    failures;
    done;
    constructor(failures, done = []) {
        super(failures.map((f) => `${f.image}: ${f.message}`).join('\n'));
        this.failures = failures;
        this.done = done;
    }
}
/**
 * Runs `run` for every repository named (a tag ignored, each repository once) at once, then
 * throws one ImagesError naming every failure, with the others' results in `done`. A name
 * that does not parse stops the run before any repository is touched.
 */
async function eachRepository(names, run) {
    const refs = [];
    const failures = [];
    for (const name of names) {
        try {
            const ref = parseRepositoryRef(name.trim());
            if (!refs.some((r) => r.gun === ref.gun))
                refs.push(ref);
        }
        catch (e) {
            failures.push(imageFailure(name, e));
        }
    }
    if (failures.length > 0)
        throw new errors/* ImagesError */.xd(failures);
    const settled = await Promise.allSettled(refs.map((ref) => run(ref)));
    const done = [];
    settled.forEach((s, i) => {
        if (s.status === 'fulfilled')
            done.push(s.value);
        else
            failures.push(imageFailure(refs[i].input, s.reason));
    });
    if (failures.length > 0)
        throw new errors/* ImagesError */.xd(failures, done);
    return done;
}

;// CONCATENATED MODULE: ./src/signer/connect.ts
/** Opens the registry and trust-server clients for one repository (GUN). */






async function connectRepo(ref, opts) {
    const server = trustServerFor(ref, opts.trustServer);
    // The trust server's token service takes the registry's credentials (notary-spec.md §5.5).
    const credentials = await registryCredentials(ref.registry, {
        username: opts.username,
        password: opts.password,
        dockerConfigDir: opts.dockerConfigDir,
        exec: opts.execCredentialHelper,
    });
    if (credentials !== undefined) {
        // A helper's or config file's secret was not an input, so nothing has masked it yet.
        opts.onSecret?.(credentials.password);
        if (credentials.identityToken !== undefined)
            opts.onSecret?.(credentials.identityToken);
    }
    const common = { http: opts.http, credentials, onSecret: opts.onSecret };
    return {
        gun: ref.gun,
        server,
        serverGiven: opts.trustServer !== undefined && opts.trustServer.trim() !== '',
        notary: new NotaryClient({ ...common, server, gun: ref.gun, write: opts.write }),
        registry: new RegistryClient({ ...common, insecureRegistries: opts.insecureRegistries }),
    };
}
/**
 * The skeleton every command shares: parse and group the images (a bad reference stops the
 * run before anything is published), one HTTP client for the run, each repository at once,
 * then one ImagesError naming every failed image, with what succeeded in `done`.
 * With `prepare`, every repository is prepared (e.g. its tags resolved) before any runs, and
 * a failure in one stops them all: a run never publishes some repositories and not others
 * for a reason that was knowable up front.
 */
async function perRepository(opts, write, run, prepare) {
    const { groups, failures } = groupImages(opts.images);
    if (failures.length > 0)
        throw new errors/* ImagesError */.xd(failures);
    // One pair of credentials is for one registry: never send one registry's token to another.
    const registries = [...new Set(groups.map((g) => g.refs[0].registry))];
    if ((opts.username !== undefined || opts.password !== undefined) && registries.length > 1) {
        throw new errors/* DctError */.sY('CREDENTIALS_AMBIGUOUS', `\`registry-username\`/\`registry-password\` are for one registry, but \`images\` names ${registries.join(', ')}; log in to each with docker/login-action and leave them empty, or sign each registry in its own step`);
    }
    const http = new HttpClient({
        caPem: opts.caPem,
        timeoutMs: opts.timeoutMs,
        requestLog: opts.requestLog,
    });
    try {
        const connect = (group) => connectRepo(group.refs[0], { ...opts, http, write });
        if (prepare === undefined) {
            const { done, failures: failed } = await forEachGroup(groups, async (group) => run(await connect(group), group, undefined));
            if (failed.length > 0)
                throw new errors/* ImagesError */.xd(failed, done);
            return done;
        }
        const ready = new Map();
        const first = await forEachGroup(groups, async (group) => {
            const conn = await connect(group);
            ready.set(group.gun, { conn, prepared: await prepare(conn, group) });
            return [];
        });
        if (first.failures.length > 0) {
            const failed = new Set(first.failures.map((f) => f.image));
            const held = groups
                .flatMap((g) => g.refs)
                .filter((r) => !failed.has(r.input))
                .map((r) => ({
                image: r.input,
                code: 'NOT_PUBLISHED',
                message: 'not signed because another image of this run failed',
            }));
            throw new errors/* ImagesError */.xd([...first.failures, ...held]);
        }
        const { done, failures: failed } = await forEachGroup(groups, (group) => {
            const { conn, prepared } = ready.get(group.gun);
            return run(conn, group, prepared);
        });
        if (failed.length > 0)
            throw new errors/* ImagesError */.xd(failed, done);
        return done;
    }
    finally {
        await http.close();
    }
}

;// CONCATENATED MODULE: ./src/signer/admin/repo.ts







/** Opens the repository's clients for `fn` and closes them after, whatever happens. */
async function repo_withRepository(opts, fn) {
    const ref = parseRepositoryRef(opts.repository.trim());
    const http = new HttpClient({
        caPem: opts.caPem,
        timeoutMs: opts.timeoutMs,
        requestLog: opts.requestLog,
    });
    try {
        return await fn(await connectRepo(ref, { ...opts, http, write: true }));
    }
    finally {
        await http.close();
    }
}
/** The repository verified as `sign` verifies it, or undefined when the server has none. */
async function repo_loadIfExists(conn, opts) {
    const trusted = await opts.trustStore?.load(conn.gun);
    return loadTrustedRepo(conn.notary, {
        gun: conn.gun,
        now: opts.now?.(),
        // None or an empty list: trust on first use (root-chain.ts validateRoot).
        pinnedRootKeyIds: opts.rootKeyIds,
        trusted,
    });
}
function publishContext(conn, keys, opts) {
    return {
        conn,
        keys,
        rootKeyIds: opts.rootKeyIds ?? [],
        log: opts.log,
        trustStore: opts.trustStore,
        now: opts.now,
    };
}
/** A signer over a key the flow was handed (a new key); `keyId` is the ID metadata names. */
function keySigner(keyId, key) {
    return { keyId, sign: (message) => sign(key, message) };
}
/** The ring's signers for a base role, at its threshold; else `missing` explains. */
function baseRoleSigners(repo, keys, role) {
    const root = repo.root.signed;
    const r = root.roles[role];
    // asRoot refuses a role naming a key root lacks.
    const signers = r.keyids.flatMap((id) => {
        const s = keys.signerFor(id, root.keys[id]);
        return s === undefined ? [] : [s];
    });
    if (signers.length < r.threshold) {
        const what = role === 'root' ? 'root key' : 'repository (targets) key';
        const listed = r.keyids.map(shortId).join(', ');
        const held = keys.ids().map(shortId).join(', ') || 'none';
        throw new errors/* DctError */.sY(role === 'root' ? 'ROOT_KEY_MISSING' : 'REPOSITORY_KEY_MISSING', `${repo.gun}: this needs the ${what} (${listed}${r.threshold > 1 ? `, ${r.threshold} of them` : ''}), but the keys given are ${held}`);
    }
    return signers;
}
/** The canonical IDs of every key root lists (root certificates as their own public key). */
function baseKeyIds(repo) {
    const root = repo.root.signed;
    return Object.values(root.roles).flatMap((r) => r.keyids.map((id) => canonicalOf(id, root.keys[id])));
}
/** The key behind a root.json entry: for a certificate, its own public key (§2). */
function canonicalOf(id, key) {
    try {
        return canonicalKeyId(key);
    }
    catch {
        return id; // an unreadable certificate names no key anyone holds
    }
}

;// CONCATENATED MODULE: ./src/signer/admin/init.ts
/**
 * Creating a repository as docker did (notary-spec.md §6.1, §6.4): the server's timestamp and
 * snapshot keys (each asked for once), a root certificate for the GUN on the given root key,
 * root v1 and targets v1 (with the first signer's delegations), one publish; the server makes
 * the snapshot and the timestamp.
 */












/**
 * Creates the repository; with `signer`, also its delegations `targets/<name>` and
 * `targets/releases` in the same publish. Throws REPO_EXISTS when the server already has
 * trust data for it, or another client creates it first (nothing is changed), and whatever
 * the key sources throw.
 */
async function initRepository(opts) {
    if (opts.signer !== undefined)
        checkSigner(opts.signer.name, opts.signer.keys);
    return withRepository(opts, async (conn) => {
        if ((await loadIfExists(conn, opts)) !== undefined) {
            throw new DctError('REPO_EXISTS', `${conn.server} already has trust data for ${conn.gun}; nothing was changed`);
        }
        try {
            return (await createRepository(conn, opts, opts.newRepository, opts.signer)).init;
        }
        catch (e) {
            if (!isDctError(e) || e.code !== 'NOTARY_VERSION')
                throw e;
            throw new DctError('REPO_EXISTS', `another client created trust data for ${conn.gun} on ${conn.server} meanwhile; nothing of ours was stored`, { cause: e });
        }
    });
}
function checkSigner(name, keys) {
    validateSignerName(name);
    if (keys.length === 0) {
        throw new errors/* DctError */.sY('SIGNER_KEY_MISSING', `signer ${name} needs at least one public key`);
    }
}
/**
 * The creation itself, for a repository the caller found without trust data. A NOTARY_VERSION
 * error means another client created it meanwhile (nothing of ours was stored).
 */
async function createRepository(conn, opts, sources, signer) {
    const now = opts.now?.() ?? new Date();
    // The server's keys first: a refusal (401) or an outage stops here, before any key is made.
    // Each is asked for once: before the first publish every call may return a new key (§5.1).
    const timestampKey = await conn.notary.getKey('timestamp');
    const snapshotKey = await conn.notary.getKey('snapshot');
    const rootKey = await sources.rootKey();
    const cert = rootCertificate(rootKey, conn.gun, now);
    const repoKey = await sources.repositoryKey();
    const targetsKey = tufKeyFromKeyObject(repoKey);
    const targetsId = keyIdOf(targetsKey);
    if (targetsId === cert.canonicalId) {
        throw new errors/* DctError */.sY('KEY_REUSED', `${conn.gun}: the repository key must not be the root key (${shortId(targetsId)}); give a key of its own`);
    }
    if (signer !== undefined) {
        for (const k of signer.keys)
            checkNotAdminKey(conn.gun, k, [cert.canonicalId, targetsId]);
    }
    const ids = {
        root: cert.keyId,
        targets: targetsId,
        timestamp: keyIdOf(timestampKey),
        snapshot: keyIdOf(snapshotKey),
    };
    const root = newRoot({
        [ids.root]: cert.tufKey,
        [ids.targets]: targetsKey,
        [ids.timestamp]: timestampKey,
        [ids.snapshot]: snapshotKey,
    }, ids, now);
    const rootFile = signEnvelope(root, [keySigner(ids.root, rootKey)]);
    const targets = updatedTargets(undefined, (t) => {
        if (signer === undefined)
            return;
        // docker stages targets/<name> before targets/releases (§6.4): that is the list order.
        addDelegationKeys(t, `targets/${signer.name}`, signer.keys);
        addDelegationKeys(t, delegations_RELEASES, signer.keys);
    }, now);
    const targetsFile = signEnvelope(targets, [keySigner(ids.targets, repoKey)]);
    // Root must come with the first publish; snapshot is the server's (§5.3).
    await conn.notary.publish(new Map([
        ['root', rootFile.bytes],
        ['targets', targetsFile.bytes],
    ]));
    const repo = await loadTrustedRepo(conn.notary, { gun: conn.gun, now: opts.now?.() });
    if (repo === undefined || !repo.root.bytes.equals(rootFile.bytes)) {
        throw new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', `${conn.gun}: after creating the repository the server shows ${repo === undefined ? 'no trust data' : 'another root'}; another client may have created it at the same time`);
    }
    // Every loaded repository has its targets file.
    const top = repo.targets.get('targets').signed;
    if (signer !== undefined) {
        const keyIds = signer.keys.map((k) => k.id);
        for (const role of [`targets/${signer.name}`, delegations_RELEASES]) {
            if (!hasDelegationKeys(top, role, keyIds)) {
                throw new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', `${conn.gun}: the server does not show ${role} after creating the repository`);
            }
        }
    }
    await saveTrust({ conn, trustStore: opts.trustStore, log: opts.log }, repo);
    opts.log.info(`${conn.gun}: created with root key ${shortId(cert.canonicalId)} (certificate ${shortId(ids.root)}, valid until ${cert.notAfter.toISOString()}) and repository key ${shortId(ids.targets)}; the server holds the timestamp and snapshot keys`);
    return {
        repo,
        init: {
            gun: conn.gun,
            rootKeyId: ids.root,
            rootCanonicalId: cert.canonicalId,
            rootCertificate: cert.pem,
            certificateExpires: cert.notAfter,
            repositoryKeyId: ids.targets,
            timestampKeyId: ids.timestamp,
            snapshotKeyId: ids.snapshot,
        },
    };
}
/** root.json v1 as Go's `data.NewRoot` writes it (§4.1): threshold 1 each, 10-year expiry. */
function newRoot(keys, ids, now) {
    const keyMap = bareObject();
    Object.assign(keyMap, keys);
    return asRoot({
        _type: 'Root',
        consistent_snapshot: false,
        expires: goTime(addDays(now, ROOT_EXPIRY_DAYS)),
        keys: keyMap,
        roles: {
            root: { keyids: [ids.root], threshold: 1 },
            snapshot: { keyids: [ids.snapshot], threshold: 1 },
            targets: { keyids: [ids.targets], threshold: 1 },
            timestamp: { keyids: [ids.timestamp], threshold: 1 },
        },
        version: 1,
    });
}
/** A signer key must be its own: not the repository's root or targets key. */
function checkNotAdminKey(gun, key, adminIds) {
    if (adminIds.includes(key.canonicalId)) {
        throw new errors/* DctError */.sY('SIGNER_KEY_IN_USE', `${key.source} is a key ${gun} already uses as its root or repository key (${shortId(key.canonicalId)}); a signer needs a key of its own (\`dct key generate NAME\`)`);
    }
}
/** Whether the error is a lost race to create the repository. */
function isCreateRace(e) {
    return (0,errors/* isDctError */.AE)(e, 'NOTARY_VERSION');
}

;// CONCATENATED MODULE: ./src/signer/admin/signers.ts
/**
 * `signer add` and `signer remove` (notary-spec.md §6.4, §6.5): edits of `targets.json`'s
 * delegations, signed with the repository key, published through `publishChange` so that a
 * concurrent signer's publish is re-read and the edit re-applied.
 */







/**
 * Adds the keys as signer `name`: `targets/<name>` and `targets/releases` list them (created
 * with threshold 1 and paths `[""]`, or extended). A repository without trust data is created
 * first when `newRepository` is given, in the same publish.
 */
async function addSigner(opts) {
    checkSigner(opts.name, opts.signerKeys);
    const role = `targets/${opts.name}`;
    const keyIds = opts.signerKeys.map((k) => k.id);
    for (const k of opts.signerKeys) {
        if (k.role !== undefined && k.role !== opts.name && k.role !== role) {
            opts.log.warning(`${k.source} is labelled "role: ${k.role}"; adding it as signer ${opts.name}`);
        }
    }
    return repo_withRepository(opts, async (conn) => {
        let repo = await repo_loadIfExists(conn, opts);
        if (repo === undefined) {
            if (opts.newRepository === undefined)
                throw notFound(conn.server, conn.gun, opts);
            try {
                const created = await createRepository(conn, opts, opts.newRepository, {
                    name: opts.name,
                    keys: opts.signerKeys,
                });
                opts.log.info(`${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(shortId).join(', ')})`);
                return {
                    gun: conn.gun,
                    server: conn.server,
                    role,
                    keyIds,
                    releasesKeyIds: keyIds,
                    initialized: created.init,
                    changed: true,
                };
            }
            catch (e) {
                if (!isCreateRace(e))
                    throw e;
                repo = await repo_loadIfExists(conn, opts);
                if (repo === undefined)
                    throw e;
                opts.log.info(`${conn.gun}: another client created the repository meanwhile; adding the signer to it`);
            }
        }
        let after;
        const plan = (r) => {
            const signers = baseRoleSigners(r, opts.keys, 'targets');
            for (const k of opts.signerKeys)
                checkNotAdminKey(r.gun, k, baseKeyIds(r));
            const top = r.targets.get('targets').signed;
            after = top.delegations;
            if (hasDelegationKeys(top, role, keyIds) && hasDelegationKeys(top, delegations_RELEASES, keyIds))
                return [];
            const edit = (t) => {
                addDelegationKeys(t, role, opts.signerKeys);
                addDelegationKeys(t, delegations_RELEASES, opts.signerKeys);
                after = t.delegations;
            };
            return [{ role: 'targets', signers, edit }];
        };
        const confirm = (r) => {
            const top = r.targets.get('targets').signed;
            for (const name of [role, delegations_RELEASES]) {
                if (!hasDelegationKeys(top, name, keyIds))
                    return `${name} does not list the signer's keys`;
            }
            return undefined;
        };
        // Everything that can fail (keys, the signer keys' own roles) fails before publishing.
        const changed = plan(repo).length > 0;
        await publishChange(publishContext(conn, opts.keys, opts), plan, confirm, repo);
        opts.log.info(changed
            ? `${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(shortId).join(', ')})`
            : `${conn.gun}: signer ${opts.name} already had these keys; nothing to publish`);
        // plan() set `after`, holding both roles (edited, or already as wanted).
        const idsOf = (name) => after.roles.find((d) => d.name === name).keyids;
        return {
            gun: conn.gun,
            server: conn.server,
            role,
            keyIds: [...idsOf(role)],
            releasesKeyIds: [...idsOf(delegations_RELEASES)],
            changed,
        };
    });
}
/**
 * Removes signer `name`: deletes `targets/<name>` and takes its keys out of `targets/releases`
 * (keys another remaining signer also uses stay). When that leaves `targets/releases`
 * unusable, asks `confirm` unless `force`.
 */
async function removeSigner(opts) {
    if (opts.name === 'releases') {
        throw new errors/* DctError */.sY('SIGNER_NAME_INVALID', 'releases is a reserved name and cannot be removed; remove the signers it lists one by one');
    }
    validateSignerName(opts.name);
    const role = `targets/${opts.name}`;
    return repo_withRepository(opts, async (conn) => {
        const repo = await repo_loadIfExists(conn, opts);
        if (repo === undefined)
            throw notFound(conn.server, conn.gun);
        const top = repo.targets.get('targets').signed;
        const entry = top.delegations.roles.find((d) => d.name === role);
        if (entry === undefined) {
            const names = top.delegations.roles
                .map((d) => d.name)
                // The loader refuses an entry that is not a direct child: each is targets/<one name>.
                .filter((n) => n !== delegations_RELEASES)
                .map((n) => n.slice('targets/'.length));
            throw new errors/* DctError */.sY('SIGNER_NOT_FOUND', `${conn.gun} has no signer ${opts.name} (signers: ${names.join(', ') || 'none'})`);
        }
        baseRoleSigners(repo, opts.keys, 'targets'); // the repository key, before any question
        const removed = keysToRemove(top, role, entry.keyids);
        const base = {
            gun: conn.gun,
            server: conn.server,
            role,
            keyIds: removed,
            releasesKeyIds: releasesKeys(top).filter((id) => !removed.includes(id)),
        };
        const warning = lastSignerProblem(repo, opts.name, removed);
        if (warning !== undefined && opts.force !== true) {
            if (opts.confirm === undefined) {
                throw new errors/* DctError */.sY('SIGNER_LAST_RELEASES', `${warning}; nothing was removed (force it to remove anyway)`);
            }
            if (!(await opts.confirm(`${warning}. Remove signer ${opts.name} anyway?`))) {
                opts.log.info(`${conn.gun}: signer ${opts.name} was not removed`);
                return { ...base, removed: false, warning };
            }
        }
        const plan = (r) => {
            const t = r.targets.get('targets').signed;
            const current = t.delegations.roles.find((d) => d.name === role);
            if (current === undefined)
                return [];
            const ids = keysToRemove(t, role, current.keyids);
            const edit = (next) => {
                deleteDelegation(next, role);
                removeDelegationKeys(next, delegations_RELEASES, ids);
            };
            return [{ role: 'targets', signers: baseRoleSigners(r, opts.keys, 'targets'), edit }];
        };
        const confirm = (r) => {
            const t = r.targets.get('targets').signed;
            if (t.delegations.roles.some((d) => d.name === role))
                return `${role} is still delegated`;
            if (releasesKeys(t).some((id) => removed.includes(id))) {
                return `${delegations_RELEASES} still lists the keys of ${opts.name}`;
            }
            return undefined;
        };
        await publishChange(publishContext(conn, opts.keys, opts), plan, confirm, repo);
        opts.log.info(`${conn.gun}: removed signer ${opts.name}`);
        return warning === undefined ? { ...base, removed: true } : { ...base, removed: true, warning };
    });
}
function releasesKeys(t) {
    return t.delegations.roles.find((d) => d.name === delegations_RELEASES)?.keyids ?? [];
}
/** The signer's keys to take out of `targets/releases`: those no other signer still uses. */
function keysToRemove(t, role, keyIds) {
    const others = t.delegations.roles.filter((d) => d.name !== role && d.name !== delegations_RELEASES);
    return keyIds.filter((id) => !others.some((d) => d.keyids.includes(id)));
}
/**
 * Why removing `removed` from `targets/releases` would hurt (docker asks the same before it
 * removes the signer of the last release): fewer keys than its threshold remain, or the
 * tags in its current file are signed by too few of the remaining keys.
 */
function lastSignerProblem(repo, name, removed) {
    const top = repo.targets.get('targets').signed;
    const releases = top.delegations.roles.find((d) => d.name === delegations_RELEASES);
    if (releases === undefined || !releases.keyids.some((id) => removed.includes(id)))
        return undefined;
    const remaining = releases.keyids.filter((id) => !removed.includes(id));
    const file = repo.targets.get(delegations_RELEASES);
    const tags = file === undefined ? 0 : Object.keys(file.signed.targets).length;
    const tagText = `${tags} tag${tags === 1 ? '' : 's'}`;
    if (remaining.length < releases.threshold) {
        return `signer ${name} is the last signer of ${delegations_RELEASES} in ${repo.gun}: without it no key can sign releases${tags > 0 ? `, and the ${tagText} released there stop verifying` : ''}`;
    }
    if (tags > 0) {
        const signedBy = new Set(file.signatures.map((s) => s.keyid).filter((id) => remaining.includes(id)));
        if (signedBy.size < releases.threshold) {
            return `signer ${name} signed the current ${delegations_RELEASES} of ${repo.gun}: without it the ${tagText} released there stop verifying until another signer signs again`;
        }
    }
    return undefined;
}
function notFound(server, gun, opts) {
    const how = opts === undefined
        ? ''
        : '; to create it, give its root key and a repository key (`dct signer add` does this with the keys in $DOCKER_CONFIG/trust/private)';
    return new errors/* DctError */.sY('REPO_NOT_FOUND', `${server} does not have trust data for ${gun}${how}`);
}

;// CONCATENATED MODULE: ./src/signer/admin/rotate.ts





const ROLES = ['root', 'targets', 'snapshot', 'timestamp'];
async function rotateKey(opts) {
    const role = opts.role;
    if (!ROLES.includes(role)) {
        throw new errors/* DctError */.sY('ROLE_INVALID', `cannot rotate the key of ${JSON.stringify(role)}; the roles are ${ROLES.join(', ')}`);
    }
    if (role === 'timestamp' && opts.serverManaged === false) {
        throw new errors/* DctError */.sY('ROTATE_INVALID', 'the timestamp key is always the server’s; rotate it with the server');
    }
    if ((role === 'root' || role === 'targets') && opts.serverManaged === true) {
        throw new errors/* DctError */.sY('ROTATE_INVALID', `the ${role} key cannot be held by the server; only snapshot and timestamp can`);
    }
    // Narrows `role` for rotateKey below (root and targets with `serverManaged` were refused).
    const serverManaged = role === 'timestamp' || (role === 'snapshot' && opts.serverManaged === true);
    if (!serverManaged && opts.newKey === undefined) {
        throw new errors/* DctError */.sY('ROTATE_INVALID', `rotating the ${role} key needs the new key`);
    }
    return repo_withRepository(opts, async (conn) => {
        const ctx = publishContext(conn, opts.keys, opts);
        const repo = await loadRepo(ctx, await opts.trustStore?.load(conn.gun));
        const now = opts.now?.() ?? new Date();
        const oldKeyIds = [...repo.root.signed.roles[role].keyids];
        const threshold = repo.root.signed.roles[role].threshold;
        if (threshold > 1) {
            throw new errors/* DctError */.sY('ROTATE_INVALID', `${conn.gun}: the ${role} role needs ${threshold} signatures; rotating it to one key would leave it unusable`);
        }
        // Every rotation re-signs root: the root key is checked before any new key is made.
        baseRoleSigners(repo, opts.keys, 'root');
        let next;
        if (serverManaged) {
            const tufKey = await conn.notary.rotateKey(role);
            next = { id: keyIdOf(tufKey), tufKey };
            if (oldKeyIds.includes(next.id)) {
                throw new errors/* DctError */.sY('NOTARY_BAD_KEY', `${conn.gun}: the trust server answered the rotation of the ${role} key with a key the role already has (${shortId(next.id)}); nothing was rotated`);
            }
        }
        else {
            const key = await opts.newKey();
            if (key.type !== 'private')
                throw new TypeError('the new key must be a private key');
            if (role === 'root') {
                const cert = rootCertificate(key, conn.gun, now);
                next = { id: cert.keyId, tufKey: cert.tufKey, key, canonicalId: cert.canonicalId, cert };
            }
            else {
                const tufKey = tufKeyFromKeyObject(key);
                const id = keyIdOf(tufKey);
                next = { id, tufKey, key, canonicalId: id };
            }
            const reused = next.canonicalId;
            if (role !== 'root' && baseKeyIds(repo).includes(reused)) {
                throw new errors/* DctError */.sY('KEY_REUSED', `${conn.gun}: key ${shortId(reused)} already serves another role of the repository; the new ${role} key must be a key of its own`);
            }
        }
        // Set by the first plan's edit: the new key is no key of root yet (refused above if it
        // were). A retry after a lost answer may find the change already there and edit nothing.
        let rootVersion = 0;
        const plan = (r) => {
            const current = r.root.signed.roles[role];
            if (current.keyids.length === 1 && current.keyids[0] === next.id)
                return { roles: [] };
            const signers = baseRoleSigners(r, opts.keys, 'root');
            if (role === 'root')
                signers.unshift(keySigner(next.id, next.key));
            const change = {
                root: {
                    signers,
                    edit: (root) => {
                        replaceRoleKey(root, role, next);
                        rootVersion = root.version + 1;
                    },
                },
                roles: [],
            };
            if (role === 'targets') {
                // targets.json is signed by the old key, which root no longer lists: sign it anew.
                change.roles.push({
                    role: 'targets',
                    signers: [keySigner(next.id, next.key)],
                    edit: () => undefined,
                });
            }
            if (role === 'snapshot')
                change.snapshotSigners = next.key ? [keySigner(next.id, next.key)] : [];
            return change;
        };
        const confirm = (r) => {
            const ids = r.root.signed.roles[role].keyids;
            return ids.length === 1 && ids[0] === next.id
                ? undefined
                : `root does not list the new ${role} key`;
        };
        // After a new root the old pins no longer match; the new root is checked against the old.
        const pubCtx = role === 'root' ? { ...ctx, rootKeyIds: [] } : ctx;
        await publishChange(pubCtx, plan, confirm, repo);
        const result = {
            gun: conn.gun,
            server: conn.server,
            role,
            oldKeyIds,
            newKeyId: next.id,
            serverManaged,
            rootVersion,
        };
        if (next.canonicalId !== undefined)
            result.newCanonicalId = next.canonicalId;
        if (next.cert !== undefined) {
            result.rootCertificate = next.cert.pem;
            result.certificateExpires = next.cert.notAfter;
        }
        opts.log.info(`${conn.gun}: rotated the ${role} key from ${oldKeyIds.map(shortId).join(', ')} to ${shortId(next.id)}${serverManaged ? ' (held by the server)' : ''}`);
        return result;
    });
}
/**
 * root.json with `role` keyed to the new key alone (Go `ReplaceBaseKeys`): keys no role uses
 * any more are dropped from `keys`.
 */
function replaceRoleKey(root, role, next) {
    root.keys[next.id] = { keytype: next.tufKey.keytype, keyval: { ...next.tufKey.keyval } };
    root.roles[role].keyids = [next.id];
    const used = new Set(Object.values(root.roles).flatMap((r) => r.keyids));
    for (const id of Object.keys(root.keys))
        if (!used.has(id))
            delete root.keys[id];
}

;// CONCATENATED MODULE: ./src/signer/admin/delete.ts
/**
 * `delete --remote`: the seed's "reset the repository state" after a lost root key. The server
 * forgets every piece of trust data of the repository (`DELETE …/_trust/tuf/`, notary-spec.md
 * §5.1); whoever trusted its old root must then forget it too, which the result spells out.
 */

async function deleteRemoteTrust(opts) {
    return repo_withRepository(opts, async (conn) => {
        const had = (await conn.notary.fetch('root')) !== undefined;
        await conn.notary.deleteTrustData();
        const gun = conn.gun;
        opts.log.info(had
            ? `${gun}: deleted the trust data on ${conn.server}`
            : `${gun}: ${conn.server} had no trust data to delete`);
        return {
            gun,
            server: conn.server,
            hadTrustData: had,
            consumerSteps: had ? consumerSteps(gun) : [],
        };
    });
}
/**
 * A new root cannot be chained to the old one, so every client that remembers the old root
 * refuses the re-created repository ("could not rotate trust to a new trusted root") until it
 * forgets it (notary-spec.md §7.3).
 */
function consumerSteps(gun) {
    return [
        `Re-create the repository (\`dct signer add --key NAME.pub NAME ${gun}\`) and sign again every tag that must stay trusted: the old signatures are gone.`,
        `Docker and dct users who pulled or signed ${gun}: delete ~/.docker/trust/tuf/${gun} (or $DOCKER_CONFIG/trust/tuf/${gun}); until then they get "could not rotate trust to a new trusted root".`,
        `notary CLI users: \`notary delete ${gun}\` (local data only) before the next \`notary list\`.`,
        'Workflows using this action: delete their Actions cache entries whose key starts with dct-trust- (`gh cache delete`).',
        'Anyone pinning the old root key ID (`root-key-ids`, notary `trust_pinning`): pin the new root key ID.',
    ];
}

;// CONCATENATED MODULE: ./src/signer/admin/index.ts






;// CONCATENATED MODULE: ./src/cli/commands/signer.ts
/**
 * `dct signer add|remove` (CLI.md), `docker trust signer` over the administration flows of
 * src/signer/admin: each repository on its own, one after the other as docker did, one error
 * line per repository that failed. `signer add` on a repository without trust data creates it
 * with the directory's root key (or a new one) and a new repository key.
 */









/** What every flow takes from the command line's context, for one repository. */
function adminOptions(ctx, repository) {
    return {
        ...ctx.connection([repository]),
        repository,
        log: ctx.log,
        trustStore: ctx.tufStore,
        now: ctx.now,
    };
}
/**
 * Runs `fn` for each repository in turn, with the flow's options and the repository's signing
 * keys open (disposed after, whatever happened), `what` said first; afterwards one failure line per repository.
 */
async function signer_eachRepository(ctx, repos, what, fn) {
    const failures = [];
    const seen = new Set();
    for (const repo of repos) {
        try {
            const gun = parseRepositoryRef(repo).gun;
            if (seen.has(gun))
                continue;
            seen.add(gun);
            ctx.out(what(repo));
            const keys = await ctx.openKeys('signing', gun);
            try {
                await fn(repo, gun, { ...adminOptions(ctx, repo), keys });
            }
            finally {
                keys.dispose();
            }
        }
        catch (e) {
            failures.push(imageFailure(repo, e));
        }
    }
    if (failures.length > 0)
        throw new errors/* ImagesError */.xd(failures);
}
/** The signer's public keys from the `--key` files, each read as docker read it. */
async function readSignerKeys(ctx, files) {
    const keys = [];
    for (const file of files) {
        const path = (0,external_node_path_namespaceObject.isAbsolute)(file) ? file : (0,external_node_path_namespaceObject.join)(ctx.io.cwd, file);
        let text;
        try {
            text = await (0,promises_namespaceObject.readFile)(path, 'utf8');
        }
        catch (e) {
            throw new errors/* DctError */.sY('FILE_UNREADABLE', `cannot read the public key file ${file}`, {
                cause: e,
            });
        }
        for (const k of parseSignerKeys(text, file, ctx.now())) {
            if (!keys.some((x) => x.id === k.id))
                keys.push(k);
        }
    }
    return keys;
}
register({
    name: 'signer add',
    usage: 'NAME REPOSITORY [REPOSITORY...]',
    summary: 'Add a signer',
    flags: [valueFlag('list', 'key', 'list', "Path to the signer's public key file")],
    args: { min: 2 },
    async run(ctx, { args, lists }) {
        const [name, ...repos] = args;
        validateSignerName(name);
        const files = lists.get('key') ?? [];
        if (files.length === 0) {
            throw new errors/* DctError */.sY('SIGNER_KEY_MISSING', 'path to a public key must be provided using the `--key` flag');
        }
        const signerKeys = await readSignerKeys(ctx, files);
        const add = async (repo, gun, opened) => {
            const out = await addSigner({
                ...opened,
                name,
                signerKeys,
                newRepository: newRepositoryKeys(ctx, gun, () => ctx.out(`Initializing signed repository for ${repo}...`)),
            });
            if (out.initialized !== undefined) {
                ctx.out(`Successfully initialized "${repo}"`);
                ctx.out(`Root key ID: ${out.initialized.rootKeyId}`);
                ctx.out(`Repository key ID: ${out.initialized.repositoryKeyId}`);
            }
            ctx.out(`Successfully added signer: ${name} to ${repo}`);
            ctx.out('');
        };
        await signer_eachRepository(ctx, repos, (repo) => `Adding signer "${name}" to ${repo}...`, add);
    },
});
register({
    name: 'signer remove',
    usage: 'NAME REPOSITORY [REPOSITORY...]',
    summary: 'Remove a signer',
    flags: [
        booleanFlag('force', 'Do not prompt for confirmation before removing the most recent signer', 'f'),
    ],
    args: { min: 2 },
    async run(ctx, { args, booleans }) {
        const [name, ...repos] = args;
        if (name !== 'releases')
            validateSignerName(name);
        const force = booleans.has('force');
        const remove = async (repo, _gun, opened) => {
            const out = await removeSigner({
                ...opened,
                name,
                force,
                ...(ctx.io.terminal !== undefined
                    ? { confirm: async (q) => (await ctx.confirm(q)) === true }
                    : {}),
            }).catch((e) => {
                if ((0,errors/* isDctError */.AE)(e, 'SIGNER_LAST_RELEASES')) {
                    throw new errors/* DctError */.sY(e.code, `${e.message.replace(/ \(force it to remove anyway\)$/, '')}; there is no terminal to ask on: give --force to remove it anyway`, { cause: e });
                }
                throw e;
            });
            if (!out.removed) {
                ctx.out('');
                ctx.out('Aborting action.');
                return;
            }
            ctx.out(`Successfully removed ${name} from ${repo}`);
            ctx.out('');
        };
        await signer_eachRepository(ctx, repos, (repo) => `Removing signer "${name}" from ${repo}...`, remove);
    },
});

;// CONCATENATED MODULE: ./src/cli/commands/rotate.ts
/**
 * `dct key rotate REPO ROLE` (CLI.md, notary's `key rotate`): the role's key is replaced and
 * root re-signed by the root key of the directory. A new key is generated (or read from
 * `--key`) and stored in the key directory before anything is published.
 */







const rotate_ROLES = ['root', 'targets', 'snapshot', 'timestamp'];
register({
    name: 'key rotate',
    usage: 'REPOSITORY ROLE',
    summary: 'Rotate the root, targets (repository), snapshot or timestamp key of a repository',
    flags: [
        booleanFlag('server-managed', 'The server holds the new key (snapshot; timestamp always is)', 'r'),
        valueFlag('string', 'key', 'file', 'A private key file to use as the new key instead of generating one', 'k'),
    ],
    args: { min: 2, max: 2 },
    async run(ctx, { args, booleans, strings }) {
        const [repo, roleArg] = args;
        const role = roleArg.toLowerCase();
        if (!rotate_ROLES.includes(role)) {
            throw new errors/* DctError */.sY('ROLE_INVALID', `cannot rotate the key of ${JSON.stringify(roleArg)}; the roles are ${rotate_ROLES.join(', ')}`);
        }
        const gun = parseRepositoryRef(repo).gun;
        const serverManaged = booleans.has('server-managed');
        const keyFile = strings.get('key');
        if (keyFile !== undefined && (serverManaged || role === 'timestamp')) {
            throw new errors/* DctError */.sY('ROTATE_INVALID', `--key gives a key of our own, but the new ${role} key ${role === 'timestamp' ? 'is always' : 'would be'} the server's; give one or the other`);
        }
        const headers = role === 'root' ? { role } : { role, gun };
        const what = role === 'root' ? 'root key' : `${role} key of ${gun}`;
        const keys = await ctx.openKeys('root');
        if (!serverManaged && (role === 'targets' || role === 'snapshot')) {
            // The new key is kept under the repository passphrase: it must be the one that opens
            // this repository's keys already in the directory, if there are any.
            try {
                (await ctx.openKeys('signing', gun)).dispose();
            }
            catch (e) {
                keys.dispose();
                throw e;
            }
        }
        try {
            const out = await rotateKey({
                ...adminOptions(ctx, repo),
                role,
                keys,
                ...(serverManaged ? { serverManaged } : {}),
                newKey: async () => {
                    if (keyFile === undefined)
                        return generateStoredKey(ctx, headers, what);
                    const { key } = await readPrivateKeyFile(ctx, keyFile, role);
                    await storeKey(ctx, key, headers, what);
                    return key;
                },
            }).catch((e) => {
                if ((0,errors/* isDctError */.AE)(e, 'ROOT_KEY_MISSING')) {
                    throw new errors/* DctError */.sY(e.code, `${e.message.replace(/the keys given are/, `the root keys in ${ctx.keyStore.dir} are`)}; restore the root key file there from your backup first`, { cause: e });
                }
                throw e;
            });
            ctx.out(`Successfully rotated ${role} key for repository ${repo}`);
            ctx.out(`New ${role} key ID: ${out.newKeyId}${out.serverManaged ? ' (held by the server)' : ''}`);
            if (out.certificateExpires !== undefined) {
                ctx.out(`Root certificate valid until ${out.certificateExpires.toISOString()}`);
            }
        }
        finally {
            keys.dispose();
        }
    },
});

;// CONCATENATED MODULE: ./src/cli/commands/delete.ts
/**
 * `dct delete --remote REPO` (CLI.md, notary's `delete --remote`): the seed's "reset the
 * repository state" after a lost root key. The server's trust data goes, the local TUF cache
 * of the repository is forgotten, and what every consumer must do is printed.
 */







register({
    name: 'delete',
    usage: 'REPOSITORY',
    summary: "Delete a repository's trust data on the server (after a lost root key)",
    flags: [
        booleanFlag('remote', "Delete the server's trust data (required: that is all this command does)"),
        booleanFlag('yes', 'Do not ask for confirmation', 'y'),
    ],
    args: { min: 1, max: 1 },
    async run(ctx, { args, booleans }) {
        const repo = args[0];
        const ref = parseRepositoryRef(repo);
        const local = (0,external_node_path_namespaceObject.dirname)(ctx.tufStore.metadataDir(ref.gun));
        if (!booleans.has('remote')) {
            throw new errors/* DctError */.sY('CLI_USAGE', `dct delete deletes the trust data of ${ref.gun} on the server and needs --remote to say so; nothing was deleted (to forget only the local copy, remove ${local})`);
        }
        const server = new URL(trustServerFor(ref, ctx.trustServer)).host;
        if (!booleans.has('yes')) {
            const answer = await ctx.confirm(`Delete all trust data of ${ref.gun} on ${server}? Every signature is lost and every consumer must forget its root`);
            if (answer === undefined) {
                throw new errors/* DctError */.sY('CONFIRMATION_NEEDED', `deleting the trust data of ${ref.gun} on ${server} needs a confirmation and there is no terminal to ask on; give --yes; nothing was deleted`);
            }
            if (!answer) {
                ctx.out('');
                ctx.out('Aborting action.');
                return;
            }
        }
        const out = await deleteRemoteTrust({
            ...ctx.connection([repo]),
            repository: repo,
            log: ctx.log,
            now: ctx.now,
        });
        await ctx.tufStore.forget(out.gun);
        if (!out.hadTrustData) {
            ctx.out(`${server} had no trust data for ${out.gun}; forgot the local copy (${local})`);
            return;
        }
        ctx.out(`Successfully deleted the trust data of ${out.gun} on ${server}`);
        ctx.out(`Forgot the local copy (${local})`);
        ctx.out('');
        ctx.out('What consumers must do now:');
        for (const step of out.consumerSteps)
            ctx.out(`- ${step}`);
    },
});

;// CONCATENATED MODULE: ./src/signer/inspect.ts
/**
 * What `docker trust inspect` shows of a verified repository (CLI.md): the released tags with
 * who signed them, the signers and their keys, the administrative keys, plus each role's
 * version and expiry. A pure function of a TrustedRepo, so `dct inspect` prints it and tests
 * compare it with docker's own output.
 */


/** Docker's name for a tag signed by `targets` or `targets/releases` and no other role. */
const REPO_ADMIN = 'Repo Admin';
const inspect_RELEASES = 'targets/releases';
/**
 * The targets roles in the order a Go client walks them (notary's WalkTargets: breadth-first
 * from `targets`, children in the order their parent lists them), limited to the roles whose
 * paths allow `tag` when one is given. A role that does not match is not descended into.
 */
function walkOrder(repo, tag) {
    const out = [];
    const queue = ['targets'];
    while (queue.length > 0) {
        const role = queue.shift();
        const file = repo.targets.get(role);
        if (file === undefined)
            continue;
        // The loader keeps a delegation entry for every role a loaded file lists (the first entry
        // of a name; each a direct child of that file's role), so a loaded role has one; and it
        // refuses a loaded role listed twice, so none is reached twice.
        if (role !== 'targets' && tag !== undefined && !models_pathsMatch(repo.delegation(role).role, tag)) {
            continue;
        }
        out.push(role);
        for (const child of file.signed.delegations.roles)
            queue.push(child.name);
    }
    return out;
}
/**
 * `targets/ci` -> `ci`; `targets/releases/x` -> `releases/x` (docker's notaryRoleToSigner), for
 * the delegations it is given (never `targets` itself).
 */
function signerOf(role) {
    return role.slice('targets/'.length);
}
const isReleased = (role) => role === 'targets' || role === inspect_RELEASES;
/**
 * docker's released-signature rows: one per (tag, digest) that targets or targets/releases
 * holds, with every other role listing the same tag and digest as a signer; sorted by tag
 * in natural order. Without `tag`, every target of every role is considered (as docker does).
 */
function releasedSignatures(repo, tag) {
    const found = walkOrder(repo, tag).flatMap((role) => {
        const targets = repo.targets.get(role).signed.targets;
        const names = tag === undefined ? Object.keys(targets) : has(targets, tag) ? [tag] : [];
        return names.map((name) => ({ role, name, digest: targetSha256(targets[name]) ?? '' }));
    });
    const rows = new Map();
    const key = (name, digest) => JSON.stringify([name, digest]);
    for (const f of found) {
        if (isReleased(f.role) && !rows.has(key(f.name, f.digest))) {
            rows.set(key(f.name, f.digest), { SignedTag: f.name, Digest: f.digest, Signers: [] });
        }
    }
    for (const f of found) {
        const row = rows.get(key(f.name, f.digest));
        if (row !== undefined && !isReleased(f.role))
            row.Signers.push(signerOf(f.role));
    }
    // Rows are unique by tag and digest, and natural order ties only equal tags.
    return [...rows.values()].sort((a, b) => naturalLess(a.SignedTag, b.SignedTag)
        ? -1
        : naturalLess(b.SignedTag, a.SignedTag)
            ? 1
            : a.Digest < b.Digest
                ? -1
                : 1);
}
function has(targets, name) {
    return Object.prototype.hasOwnProperty.call(targets, name);
}
/**
 * Every delegation some verified role lists, but targets/releases, by signer name, with its
 * keys as canonical IDs (a certificate's own public key), as docker's GetDelegationRoles
 * gives them. A later entry of the same name wins, as in docker's map.
 */
function signerKeys(repo) {
    const out = new Map();
    for (const role of walkOrder(repo)) {
        const { keys, roles } = repo.targets.get(role).signed.delegations;
        for (const entry of roles) {
            if (entry.name === inspect_RELEASES)
                continue;
            const ids = [];
            for (const id of entry.keyids) {
                const key = keys[id];
                // docker drops the whole list when a key ID cannot be translated.
                if (key === undefined)
                    return new Map();
                try {
                    ids.push(canonicalKeyId(key));
                }
                catch {
                    return new Map();
                }
            }
            out.set(signerOf(entry.name), { keys: ids, role: entry.name });
        }
    }
    return out;
}
function trustInfo(repo, tag) {
    const root = repo.root.signed;
    const withExpiry = (info, expires) => expires === undefined ? info : { ...info, Expires: expires };
    const signers = [...signerKeys(repo)].map(([name, { keys, role }]) => withExpiry({ Name: name, Keys: keys.map((ID) => ({ ID })) }, repo.targets.get(role)?.signed.expires));
    // Names are unique (a map's keys).
    signers.sort((a, b) => (a.Name < b.Name ? 1 : -1));
    const administrativeKeys = [
        withExpiry({ Name: 'Root', Keys: root.roles['root'].keyids.map((ID) => ({ ID })) }, root.expires),
        withExpiry({ Name: 'Repository', Keys: root.roles['targets'].keyids.map((ID) => ({ ID })) }, 
        // Every loaded repository has its targets file.
        repo.targets.get('targets').signed.expires),
    ];
    const status = (role, s) => ({
        role,
        version: s.version,
        expires: s.expires,
    });
    const roles = [
        status('root', root),
        ...walkOrder(repo)
            .slice(0, 1)
            .map((role) => status(role, repo.targets.get(role).signed)),
        status('snapshot', repo.snapshot.signed),
        status('timestamp', repo.timestamp.signed),
        ...walkOrder(repo)
            .slice(1)
            .map((role) => status(role, repo.targets.get(role).signed)),
    ];
    return { signedTags: releasedSignatures(repo, tag), signers, administrativeKeys, roles };
}
/**
 * Docker's JSON for one repository (cli/command/trust: trustRepo). A tag signed by no role
 * but targets or targets/releases shows `Repo Admin` as its signer; `Keys` is left out when
 * empty (Go's `omitempty`). `Expires` is ours.
 */
function dockerTrustJson(name, info) {
    const keysOf = (r) => {
        const out = { Name: r.Name };
        if (r.Keys.length > 0)
            out.Keys = r.Keys;
        if (r.Expires !== undefined)
            out.Expires = r.Expires;
        return out;
    };
    return {
        Name: name,
        SignedTags: info.signedTags.map((t) => ({
            SignedTag: t.SignedTag,
            Digest: t.Digest,
            Signers: t.Signers.length > 0 ? t.Signers : [REPO_ADMIN],
        })),
        Signers: info.signers.map(keysOf),
        AdministrativeKeys: info.administrativeKeys.map(keysOf),
    };
}
/**
 * Docker's `inspect` output: the elements as one JSON array indented by four spaces (Go's
 * json.Indent), `[]` when there are none. `<`, `>` and `&` are escaped as Go's encoder does.
 */
function formatInspectJson(elements) {
    const text = JSON.stringify(elements, null, 4)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');
    return `${text}\n`;
}
/**
 * Natural order as docker sorts tags and signers (fvbommel/sortorder): runs of digits compare
 * by value, then by fewer leading zeros; everything else bytewise.
 */
function naturalLess(a, b) {
    const digit = (c) => c >= 0x30 && c <= 0x39;
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
        const dx = digit(x[i]);
        const dy = digit(y[j]);
        if (dx !== dy)
            return dx;
        if (!dx) {
            if (x[i] !== y[j])
                return x[i] < y[j];
            i++;
            j++;
            continue;
        }
        // Past the end a byte reads undefined: neither '0' nor a digit.
        while (x[i] === 0x30)
            i++;
        while (y[j] === 0x30)
            j++;
        const si = i;
        const sj = j;
        while (digit(x[i]))
            i++;
        while (digit(y[j]))
            j++;
        if (i - si !== j - sj)
            return i - si < j - sj;
        const nx = x.subarray(si, i).toString('latin1');
        const ny = y.subarray(sj, j).toString('latin1');
        if (nx !== ny)
            return nx < ny;
        if (si !== sj)
            return si < sj;
    }
    return x.length < y.length;
}
/**
 * Go's text/tabwriter as docker's table formatter sets it up (minimum width 10, padding 3,
 * spaces): every column but the last padded to its widest cell plus 3.
 */
function formatTable(rows) {
    const columns = Math.max(...rows.map((r) => r.length));
    const widths = [];
    for (let c = 0; c < columns - 1; c++) {
        widths.push(Math.max(10, ...rows.map((r) => (r[c] ?? '').length + 3)));
    }
    return rows
        .map((r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('') + '\n')
        .join('');
}

;// CONCATENATED MODULE: ./src/cli/commands/inspect.ts
/**
 * `dct inspect [--pretty] IMAGE[:TAG]...` (CLI.md): `docker trust inspect`'s JSON or text for
 * each repository, read and verified as `sign` reads it (fail-closed, with docker's TUF cache
 * as the trusted state), plus each role's version and expiry.
 */









/** Docker's text for a repository it cannot read; our reason follows it. */
const NO_SIGNATURES = 'no signatures or cannot access';
async function loadRepositories(ctx, inputs) {
    const opts = ctx.connection(inputs);
    const http = new HttpClient({
        caPem: opts.caPem,
        timeoutMs: opts.timeoutMs,
        requestLog: opts.requestLog,
    });
    const byGun = new Map();
    const load = async (ref) => {
        const conn = await connectRepo(ref, { ...opts, http, write: false });
        const repo = await loadRepo({ conn, rootKeyIds: [] }, await ctx.tufStore.load(conn.gun));
        warnIfRootExpiring(repo, ctx.log, ctx.now());
        warnIfExpiring(repo, ctx.log, { now: ctx.now() });
        await saveTrust({ conn, trustStore: ctx.tufStore, log: ctx.log }, repo);
        return repo;
    };
    try {
        const results = await Promise.all(inputs.map(async (input) => {
            try {
                const ref = parseRepositoryRef(input);
                let pending = byGun.get(ref.gun);
                if (pending === undefined) {
                    pending = load(ref);
                    byGun.set(ref.gun, pending);
                }
                return [input, { ref, repo: await pending }];
            }
            catch (error) {
                return [input, { error }];
            }
        }));
        return new Map(results);
    }
    finally {
        await http.close();
    }
}
/** One line per repository that could not be inspected, docker's words first. */
function failureLine(input, error) {
    // The flows' advice on creating a repository speaks of the action; the server and the
    // repository it lacks are what matter here.
    const reason = (0,errors/* isDctError */.AE)(error, 'REPO_NOT_FOUND')
        ? error.message.split(';')[0]
        : (0,errors/* describeError */.Uc)(error);
    return `${NO_SIGNATURES} ${input}: ${reason}`;
}
/**
 * Docker's `--pretty` text for one repository, then its trust health: each role's version,
 * expiry, days left and signing keys (or the trust server, for the roles it renews).
 */
function prettyText(name, info, health = [], now = new Date()) {
    let out = '';
    if (info.signedTags.length > 0) {
        out += `\nSignatures for ${name}\n\n`;
        out += formatTable([
            ['SIGNED TAG', 'DIGEST', 'SIGNERS'],
            ...info.signedTags.map((t) => [
                t.SignedTag,
                t.Digest,
                t.Signers.length > 0 ? [...t.Signers].sort(byteOrder).join(', ') : `(${REPO_ADMIN})`,
            ]),
        ]);
    }
    else {
        out += `\nNo signatures for ${name}\n\n`;
    }
    if (info.signers.length > 0) {
        out += `\nList of signers and their keys for ${name}\n\n`;
        const signers = [...info.signers].sort((a, b) => naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0);
        out += formatTable([
            ['SIGNER', 'KEYS'],
            ...signers.map((s) => [
                s.Name,
                s.Keys.map((k) => k.ID)
                    .sort(byteOrder)
                    .map((id) => id.slice(0, 12))
                    .join(', '),
            ]),
        ]);
    }
    out += `\nAdministrative keys for ${name}\n\n`;
    // docker lists the targets role ("Repository Key") before root.
    for (const admin of [...info.administrativeKeys].reverse()) {
        const label = admin.Name === 'Root' ? 'Root Key' : 'Repository Key';
        out += `  ${label}:\t${admin.Keys.map((k) => k.ID)
            .sort(byteOrder)
            .join(', ')}\n`;
    }
    out += `\nRole versions and expiry for ${name}\n\n`;
    const byRole = new Map(health.map((h) => [h.role, h]));
    out += formatTable([
        ['ROLE', 'VERSION', 'EXPIRES', 'DAYS LEFT', 'SIGNED BY'],
        ...info.roles.map((r) => {
            const h = byRole.get(r.role);
            const by = h === undefined
                ? '?'
                : h.serverManaged
                    ? 'the trust server'
                    : h.keyIds.map((id) => id.slice(0, 12)).join(', ');
            return [r.role, String(r.version), r.expires, String(daysLeft(r.expires, now)), by];
        }),
    ]);
    return out;
}
const byteOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
register({
    name: 'inspect',
    usage: 'IMAGE[:TAG] [IMAGE[:TAG]...]',
    summary: 'Return low-level information about keys and signatures',
    flags: [booleanFlag('pretty', 'Print the information in a human friendly format')],
    args: { min: 1 },
    async run(ctx, { args, booleans }) {
        const loaded = await loadRepositories(ctx, args);
        const failures = [];
        const shown = [];
        for (const input of args) {
            const r = loaded.get(input);
            if ('error' in r) {
                failures.push(failureLine(input, r.error));
                continue;
            }
            shown.push({ name: input, info: trustInfo(r.repo, r.ref.tag), health: roleHealth(r.repo) });
        }
        if (booleans.has('pretty')) {
            ctx.io.stdout(shown.map((s) => prettyText(s.name, s.info, s.health, ctx.now())).join('\n\n'));
        }
        else {
            ctx.io.stdout(formatInspectJson(shown.map((s) => dockerTrustJson(s.name, s.info))));
        }
        if (failures.length > 0) {
            for (const line of failures.slice(0, -1))
                ctx.err(line);
            throw new errors/* DctError */.sY('INSPECT_FAILED', failures[failures.length - 1]);
        }
    },
});

;// CONCATENATED MODULE: ./src/signer/roles.ts
/**
 * Which roles a run signs into, as docker chooses them (notary-spec.md §6.3): every direct
 * `targets/*` delegation our keys may sign whose paths match the tag; `targets` when the
 * repository has no delegations. `signer` narrows the choice.
 */




const roles_RELEASES = 'targets/releases';
/** `ci` → `targets/ci`; `targets/ci` and `targets` stay as they are. */
function roles_signerRole(name) {
    return name === 'targets' || name.startsWith('targets/') ? name : `targets/${name}`;
}
/** `targets/ci` → `ci`; `targets/releases` → `releases`; `targets` → `targets`. */
function roles_signerName(role) {
    return role.startsWith('targets/') ? role.slice('targets/'.length) : role;
}
function signersFor(keys, keyids, known) {
    const out = [];
    for (const id of keyids) {
        const key = known[id];
        if (key === undefined)
            continue;
        const signer = keys.signerFor(id, key);
        if (signer !== undefined)
            out.push(signer);
    }
    return out;
}
/** The roles our keys can sign in this repository, narrowed by `wanted` signer names. */
function signableRoles(repo, keys, wanted, warn) {
    const root = repo.root.signed;
    const top = repo.targets.get('targets');
    if (top === undefined) {
        throw new errors/* DctError */.sY('TUF_BAD_METADATA', `${repo.gun}: the trust server returned no targets role`);
    }
    const targetsRole = root.roles['targets'];
    const targetsSigners = targetsRole === undefined ? [] : signersFor(keys, targetsRole.keyids, root.keys);
    const asTargets = {
        role: 'targets',
        signers: targetsSigners,
        threshold: targetsRole?.threshold ?? 1,
    };
    const wantedRoles = new Set(wanted.map(roles_signerRole));
    const delegations = top.signed.delegations.roles;
    const candidates = [];
    for (const d of delegations) {
        if (repo.listedTwice.has(d.name))
            continue;
        const signers = signersFor(keys, d.keyids, top.signed.delegations.keys);
        if (signers.length > 0) {
            candidates.push({ role: d.name, delegation: d, signers, threshold: d.threshold });
        }
    }
    // docker loads a role once per entry naming it and fails on the second load of a file that
    // verifies: whatever is signed into such a role, docker cannot read (TrustedRepo.listedTwice).
    const twice = [...repo.listedTwice].filter((r) => delegations.some((d) => d.name === r));
    for (const name of twice) {
        const why = `targets lists ${name} twice, and docker cannot read a repository whose ${name} file verifies then ("${name} has already been loaded")`;
        if (wantedRoles.has(name)) {
            throw new errors/* DctError */.sY('DELEGATION_LISTED_TWICE', `${repo.gun}: ${why}; fix the delegation`);
        }
        warn(`${repo.gun}: ${name} is not signed: ${why}`);
    }
    let chosen;
    if (wantedRoles.size > 0) {
        chosen = candidates.filter((c) => wantedRoles.has(c.role));
        // `targets/releases` comes along when the key that signs a wanted role may sign it too.
        const releases = candidates.find((c) => c.role === roles_RELEASES);
        if (releases !== undefined && !wantedRoles.has(roles_RELEASES)) {
            const ids = new Set(chosen.flatMap((c) => c.signers.map((s) => s.keyId)));
            if (releases.signers.some((s) => ids.has(s.keyId)))
                chosen.push(releases);
        }
        if (wantedRoles.has('targets')) {
            if (targetsSigners.length === 0)
                throw noKeys(repo, keys, ['targets']);
            chosen.push(asTargets);
        }
        const missing = [...wantedRoles].filter((r) => !chosen.some((c) => c.role === r));
        if (missing.length > 0) {
            const known = delegations.map((d) => d.name);
            // `targets` is never missing: it was chosen or refused above.
            const absent = missing.filter((m) => !known.includes(m));
            if (absent.length > 0) {
                throw new errors/* DctError */.sY('SIGNER_NOT_DELEGATED', `${repo.gun} has no delegation ${absent.join(', ')} (it has ${known.join(', ') || 'none'}); ` +
                    'add the signer (`signer-add`, or `dct signer add`) or fix `signer`');
            }
            throw noKeys(repo, keys, missing);
        }
    }
    else if (delegations.length === 0) {
        if (targetsSigners.length === 0)
            throw noKeys(repo, keys, ['targets']);
        chosen = [asTargets];
    }
    else if (candidates.length > 0) {
        chosen = candidates;
    }
    else if (targetsSigners.length > 0) {
        // Docker would refuse here; the repository key may still sign `targets`, but Docker
        // clients read `targets/releases` first, so say so.
        warn(`${repo.gun}: none of the keys may sign a delegation (${delegations.map((d) => d.name).join(', ')}); ` +
            'signing into `targets` with the repository key. Docker clients read `targets/releases` first.');
        chosen = [asTargets];
    }
    else {
        throw noKeys(repo, keys, delegations.map((d) => d.name));
    }
    // Report roles in the repository's own order (`targets` first, then delegations as listed).
    const order = (r) => delegations.findIndex((d) => d.name === r.role);
    chosen.sort((a, b) => order(a) - order(b));
    for (const c of chosen) {
        const expired = repo.expired.has(c.role) ? repo.targets.get(c.role) : undefined;
        if (expired !== undefined) {
            // Loaded despite its expiry because this run re-signs it (issue 15, defect 5): docker
            // starts such a role over and drops its tags; the ones its paths allow are kept.
            const kept = Object.keys(expired.signed.targets).filter((name) => c.delegation === undefined || models_pathsMatch(c.delegation, name)).length;
            warn(`${repo.gun}: ${c.role} expired at ${expired.signed.expires}; it is signed again now, keeping the ${kept} tags it holds (refresh re-signs roles before they expire: ${refreshHint(repo.gun)})`);
        }
        const invalid = repo.invalidDelegations.get(c.role);
        if (invalid !== undefined) {
            // Signed only by keys the role no longer lists (a removed signer, notary-spec.md §6.5):
            // no client trusts its entries, so it starts over (Go clients are stuck there). A bad
            // signature by a listed key (tampering) or an expired file is refused as before.
            const file = repo.invalidFiles.get(c.role);
            const listed = new Set(c.delegation?.keyids ?? []);
            const orphaned = invalid.code !== 'TUF_EXPIRED' &&
                file !== undefined &&
                file.signatures.every((sig) => !listed.has(sig.keyid));
            if (!orphaned) {
                throw new errors/* DctError */.sY('TUF_DELEGATION_INVALID', `${repo.gun}: ${c.role} cannot be signed on top of: ${invalid.message}`);
            }
            const entries = Object.keys(file.signed.targets).length;
            warn(`${repo.gun}: ${c.role} is signed by keys it no longer lists (a removed signer); its ${entries} entries are trusted by no client and are replaced by what this run signs`);
        }
        if (c.signers.length < c.threshold) {
            throw new errors/* DctError */.sY('SIGNING_BELOW_THRESHOLD', `${repo.gun}: ${c.role} needs ${c.threshold} signatures but the keys given can make ${c.signers.length}`);
        }
    }
    return chosen;
}
/**
 * For loading before `sign`: an expired delegation directly under `targets` that these keys
 * can sign is let through, to be signed again (issue 15, defect 5); nothing else expired is.
 */
function signableExpired(keys) {
    return (role, set) => role.startsWith('targets/') && !role.slice(8).includes('/') && canSign(keys, set);
}
/** The chosen roles whose paths allow this tag (notary-spec.md §4.2: prefix match). */
function rolesForTag(roles, tag) {
    return roles.filter((r) => r.delegation === undefined || models_pathsMatch(r.delegation, tag));
}
function noKeys(repo, keys, roles) {
    const held = keys.ids().map(shortId).join(', ') || 'none';
    return new errors/* DctError */.sY('NO_SIGNING_KEYS', `${repo.gun}: no valid signing keys for ${roles.join(', ')}; the keys given have IDs ${held}. ` +
        'Pass the key of a signer delegated in this repository (add one with `signer-add`, or `dct signer add`)');
}

;// CONCATENATED MODULE: ./src/signer/targets.ts

function toTargetFile(t) {
    return targetFile(t.digest.slice('sha256:'.length), t.size);
}
/** The target's digest as `sha256:<hex>`, or undefined when it carries no sha256. */
function digestOf(file) {
    const b64 = file.hashes['sha256'];
    if (typeof b64 !== 'string')
        return undefined;
    const raw = Buffer.from(b64, 'base64');
    return raw.length === 32 ? `sha256:${raw.toString('hex')}` : undefined;
}
function sameTarget(file, t) {
    return file !== undefined && digestOf(file) === t.digest && file.length === t.size;
}
function lookup(meta, tag) {
    if (meta === undefined)
        return undefined;
    return Object.prototype.hasOwnProperty.call(meta.targets, tag) ? meta.targets[tag] : undefined;
}

;// CONCATENATED MODULE: ./src/signer/revoke.ts





function revokeImages(opts) {
    return perRepository(opts, true, (conn, group, prepared) => revokeGroup(conn, group.refs, prepared, opts), 
    // Every repository is verified and planned (each tag signed, keys allowed) first.
    async (conn, group) => {
        const repo = await loadRepo({ conn, rootKeyIds: opts.rootKeyIds }, await opts.trustStore?.load(conn.gun));
        const planner = revokePlanner(group.refs, opts);
        planner.plan(repo);
        return { repo, planner };
    });
}
async function revokeGroup(conn, refs, { repo, planner }, opts) {
    await publishChange({ ...opts, conn, log: opts.log }, planner.plan, planner.confirm, repo);
    return refs.map((ref) => {
        // plan() records every tag it removes and refuses the group if any is in no role.
        const r = planner.removed.get(ref);
        opts.log.info(`revoked ${ref.input} (${r.digest}) from ${r.roles.join(', ')}`);
        return { image: ref.input, gun: ref.gun, tag: ref.tag, ...r };
    });
}
/** The change `revoke` makes, as a pure function of a verified repository. */
function revokePlanner(refs, opts) {
    // What each tag was signed as, from the first read (the output reports it).
    const removed = new Map();
    const plan = (repo) => {
        const roles = signableRoles(repo, opts.keys, opts.signers, (m) => opts.log.warning(m));
        const edits = new Map();
        const notSigned = [];
        for (const ref of refs) {
            const forTag = rolesForTag(roles, ref.tag);
            const holding = forTag.filter((r) => lookup(repo.targets.get(r.role)?.signed, ref.tag));
            const prev = removed.get(ref);
            if (holding.length === 0) {
                if (prev === undefined)
                    notSigned.push(ref);
                continue;
            }
            const file = lookup(repo.targets.get(holding[0].role).signed, ref.tag);
            removed.set(ref, {
                digest: digestOf(file) ?? 'unknown',
                size: file.length,
                roles: [...new Set([...(prev?.roles ?? []), ...holding.map((r) => r.role)])],
            });
            for (const r of holding) {
                const e = edits.get(r.role) ?? {
                    role: r.role,
                    signers: r.signers,
                    tags: [],
                    edit: (t) => {
                        for (const tag of e.tags)
                            delete t.targets[tag];
                    },
                };
                e.tags.push(ref.tag);
                edits.set(r.role, e);
            }
        }
        if (notSigned.length > 0) {
            throw new GroupImagesError(notSigned.map((ref) => ({
                image: ref.input,
                code: 'NOT_SIGNED',
                message: `no signed tag to remove: ${ref.tag} is in no role the keys may sign`,
            })));
        }
        return [...edits.values()];
    };
    const confirm = (repo) => {
        for (const ref of refs) {
            // confirm() runs after plan(), which recorded every tag.
            for (const role of removed.get(ref).roles) {
                if (lookup(repo.targets.get(role)?.signed, ref.tag) !== undefined) {
                    return `${ref.tag} is still listed in ${role}`;
                }
            }
        }
        return undefined;
    };
    return { plan, confirm, removed };
}

;// CONCATENATED MODULE: ./src/cosign/image.ts
/**
 * The image cosign keeps an image's signatures in: an OCI image manifest stored under the tag
 * `sha256-<hex>.sig` beside the signed manifest, one layer per signature whose blob is the
 * payload and whose `dev.cosignproject.cosign/signature` annotation is the base64 signature
 * (cosign `pkg/oci/static`, `pkg/oci/empty`). The config is go-containerregistry's for an
 * empty image with those layers appended: one diff_id and one history entry per layer.
 * Appending keeps every byte-level field of the existing manifest and config we do not touch.
 */


const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** cosign refuses to read a signature image with more layers (pkg/oci/remote maxLayers). */
const image_MAX_SIGNATURE_LAYERS = 1000;
/** The tag cosign stores the signatures of `digest` under. */
function image_signatureTag(digest) {
    return `${digest.replace(':', '-')}.sig`;
}
const image_sha256 = (bytes) => `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
function isDescriptor(v) {
    if (typeof v !== 'object' || v === null)
        return false;
    const d = v;
    const ann = d.annotations;
    return (typeof d.mediaType === 'string' &&
        typeof d.digest === 'string' &&
        /^sha256:[0-9a-f]{64}$/.test(d.digest) &&
        Number.isSafeInteger(d.size) &&
        d.size >= 0 &&
        (ann === undefined ||
            (typeof ann === 'object' &&
                ann !== null &&
                Object.values(ann).every((x) => typeof x === 'string'))));
}
/** Parses the manifest under a `.sig` tag; COSIGN_BAD_SIGNATURE_IMAGE when it is not one. */
function image_parseSignatureManifest(bytes, where) {
    let doc;
    try {
        doc = JSON.parse(bytes.toString('utf8'));
    }
    catch (e) {
        throw badImage(where, 'it is not JSON', e);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        throw badImage(where, 'it is not a JSON object');
    }
    const m = doc;
    if (m.schemaVersion !== 2)
        throw badImage(where, 'its schemaVersion is not 2');
    // cosign writes Docker media types under COSIGN_DOCKER_MEDIA_TYPES=1.
    if (m.mediaType !== undefined &&
        m.mediaType !== OCI_MANIFEST &&
        m.mediaType !== DOCKER_MANIFEST) {
        throw badImage(where, `it is a ${JSON.stringify(m.mediaType)}, not an OCI image manifest`);
    }
    if (!isDescriptor(m.config))
        throw badImage(where, 'its config descriptor is malformed');
    if (!Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
        throw badImage(where, 'its layers are malformed');
    }
    return { doc: m };
}
function badImage(where, why, cause) {
    return new errors/* DctError */.sY('COSIGN_BAD_SIGNATURE_IMAGE', `${where} is not a cosign signature image: ${why}`, { cause });
}
/** The base64 signature a layer carries, if any. */
function image_layerSignature(layer) {
    return layer.annotations?.[SIGNATURE_ANNOTATION];
}
/** A layer descriptor for a signature: the payload blob and its signature annotation. */
function signatureLayer(payload, mediaType, b64sig) {
    return {
        mediaType,
        size: payload.length,
        digest: image_sha256(payload),
        annotations: { [SIGNATURE_ANNOTATION]: b64sig },
    };
}
/** go-containerregistry's zero time, as its empty image's config and history carry it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';
/**
 * The signature image with `layers` appended to `base` (or to an empty one): the manifest
 * and config bytes to upload. `baseConfig` is the existing config blob.
 */
function appendSignatureLayers(base, baseConfig, layers) {
    let config;
    if (baseConfig === undefined) {
        // Field order of go-containerregistry's v1.ConfigFile, as cosign writes it.
        config = {
            architecture: '',
            created: ZERO_TIME,
            history: [],
            os: '',
            rootfs: { type: 'layers', diff_ids: [] },
            config: {},
        };
    }
    else {
        try {
            config = JSON.parse(baseConfig.toString('utf8'));
        }
        catch (e) {
            throw badImage('the signature image config', 'it is not JSON', e);
        }
        if (typeof config !== 'object' || config === null || Array.isArray(config)) {
            throw badImage('the signature image config', 'it is not a JSON object');
        }
    }
    const rootfs = (config.rootfs ??= { type: 'layers', diff_ids: [] });
    const diffIds = Array.isArray(rootfs.diff_ids) ? [...rootfs.diff_ids] : [];
    const history = Array.isArray(config.history) ? [...config.history] : [];
    for (const layer of layers) {
        // The payload is stored uncompressed: its diff_id is its digest.
        diffIds.push(layer.digest);
        history.push({ created: ZERO_TIME });
    }
    rootfs.diff_ids = diffIds;
    config.history = history;
    const configBytes = Buffer.from(JSON.stringify(config), 'utf8');
    const configDesc = {
        ...(base?.doc.config ?? {}),
        mediaType: base?.doc.config.mediaType ?? OCI_CONFIG,
        size: configBytes.length,
        digest: image_sha256(configBytes),
    };
    delete configDesc.data; // an inlined copy of the old config would now be wrong
    const doc = base === undefined
        ? { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers }
        : { ...base.doc, config: configDesc, layers: [...base.doc.layers, ...layers] };
    if (doc.layers.length > image_MAX_SIGNATURE_LAYERS) {
        throw new errors/* DctError */.sY('COSIGN_TOO_MANY_SIGNATURES', `the signature image would hold more than ${image_MAX_SIGNATURE_LAYERS} signatures, which cosign refuses to read`);
    }
    return { manifest: Buffer.from(JSON.stringify(doc), 'utf8'), config: configBytes };
}

;// CONCATENATED MODULE: ./src/cosign/payload.ts
/**
 * cosign's signed payload: the "simple signing" JSON that names the repository and the manifest
 * digest (sigstore `pkg/signature/payload`, the format of containers/image's "atomic"
 * signatures). cosign writes it with Go's encoding/json in struct order and `"optional":null`;
 * the bytes are what is signed, so ours are written the same way.
 */

const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
/** Docker Hub as go-containerregistry names it in `docker-reference` (name.DefaultRegistry). */
const HUB = 'index.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const payload_DIGEST = /^sha256:[0-9a-f]{64}$/;
/**
 * The repository as cosign's `sign` names it: go-containerregistry's `Repository.Name()`,
 * the registry (Docker Hub as `index.docker.io`) and the path, without tag or digest.
 */
function dockerReference(ref) {
    const registry = HUB_ALIASES.has(ref.registry) ? HUB : ref.registry;
    return `${registry}/${ref.repository}`;
}
/** The payload bytes for `digest` in the repository `reference`. */
function simpleSigningPayload(reference, digest) {
    if (!payload_DIGEST.test(digest))
        throw new TypeError(`not a sha256 digest: ${digest}`);
    return Buffer.from(JSON.stringify({
        critical: {
            identity: { 'docker-reference': reference },
            image: { 'docker-manifest-digest': digest },
            type: COSIGN_SIGNATURE_TYPE,
        },
        optional: null,
    }), 'utf8');
}
/** What a payload claims; throws COSIGN_BAD_PAYLOAD when it is not a cosign image payload. */
function payload_parsePayload(bytes) {
    let doc;
    try {
        doc = JSON.parse(bytes.toString('utf8'));
    }
    catch (e) {
        throw new DctError('COSIGN_BAD_PAYLOAD', 'the signed payload is not JSON', { cause: e });
    }
    const critical = doc?.critical;
    const identity = critical?.identity;
    const image = critical?.image;
    const type = critical?.type;
    const reference = identity?.['docker-reference'];
    const digest = image?.['docker-manifest-digest'];
    if (type !== COSIGN_SIGNATURE_TYPE) {
        throw new DctError('COSIGN_BAD_PAYLOAD', `the signed payload is not a cosign image signature (type ${JSON.stringify(type)})`);
    }
    if (typeof reference !== 'string' || typeof digest !== 'string') {
        throw new DctError('COSIGN_BAD_PAYLOAD', 'the signed payload names no docker-reference or docker-manifest-digest');
    }
    return { dockerReference: reference, digest };
}
/**
 * Whether a payload's `docker-reference` names the repository: the same registry (Docker
 * Hub's names as one) and path, a tag or digest on it allowed (cosign's `--sign-container-identity`
 * and newer payloads may carry one), as podman's `matchRepository` compares them.
 */
function payload_namesRepository(claimed, ref) {
    let name = claimed;
    const at = name.indexOf('@');
    if (at >= 0)
        name = name.slice(0, at);
    const slash = name.lastIndexOf('/');
    const colon = name.lastIndexOf(':');
    if (colon > slash)
        name = name.slice(0, colon);
    const first = name.indexOf('/');
    if (first < 0)
        return false;
    const host = name.slice(0, first);
    const path = name.slice(first + 1);
    const sameHost = host === ref.registry || (HUB_ALIASES.has(host) && HUB_ALIASES.has(ref.registry));
    return sameHost && path === ref.repository;
}

;// CONCATENATED MODULE: ./src/cosign/sign.ts
/**
 * Writing cosign key-based signatures (no certificate, no transparency log) the way
 * `cosign sign --key … --tlog-upload=false` does: an ECDSA P-256 / SHA-256 signature, ASN.1
 * DER and base64, over the payload; the payload blob uploaded; a layer appended to the
 * digest's `.sig` image. The registry API has no compare-and-swap, so a concurrent writer
 * can replace the manifest with one built on what it read before our write: every write is
 * read back after a pause longer than such a writer's read-to-write gap, and re-applied on
 * top of whatever is there when a signature of ours went missing.
 */






/** The ASN.1 DER ECDSA signature over SHA-256 that cosign's signer makes, in base64. */
function cosignSignature(key, payload) {
    return sign(key, payload, 'der').sig.toString('base64');
}
/** Whether `b64sig` is a valid cosign signature of `payload` under the public `key`. */
function sign_verifyCosignSignature(key, payload, b64sig) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64sig))
        return false;
    return verifySignature('ecdsa', key, payload, Buffer.from(b64sig, 'base64'), 'der');
}
/**
 * Signs `digest` of `ref`'s repository with `signer` and uploads the payload blob: the
 * first write, invisible until a manifest names it, and the one that finds out whether the
 * credentials may push.
 */
async function prepareSignature(registry, ref, digest, signer) {
    const payload = simpleSigningPayload(dockerReference(ref), digest);
    const b64sig = cosignSignature(signer.key, payload);
    await registry.pushBlob(ref, payload);
    return {
        digest,
        payload,
        layer: signatureLayer(payload, SIMPLE_SIGNING_MEDIA_TYPE, b64sig),
        publicKey: (0,external_node_crypto_.createPublicKey)(signer.key),
        label: signer.label,
    };
}
const DEFAULT_SETTLE_MS = 1000;
const sign_DEFAULT_ATTEMPTS = 8;
const MAX_CONFIG_BYTES = 1 << 20;
const sign_defaultSleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Between writes of the signature manifest while the registry settles. */
const WRITE_BACKOFF = { baseMs: 100, maxMs: 2_000, jitter: 'around' };
/**
 * Whether `image` already holds `sig`: the layer we wrote, or one with the same payload whose
 * signature verifies under the same key (cosign's duplicate rule, pkg/cosign/remote), so
 * signing again adds nothing.
 */
function holds(image, sig) {
    const ours = image_layerSignature(sig.layer);
    return (image?.doc.layers ?? []).some((l) => {
        if (l.digest !== sig.layer.digest)
            return false;
        const theirs = image_layerSignature(l);
        if (theirs === undefined)
            return false;
        return theirs === ours || sign_verifyCosignSignature(sig.publicKey, sig.payload, theirs);
    });
}
/**
 * Puts `sigs` (all for `digest`) into the digest's `.sig` image, appending to what is there.
 * Returns how many layers were added (0 when every signature was there already).
 */
async function attachSignatures(registry, ref, digest, sigs, opts = {}) {
    const tag = image_signatureTag(digest);
    const where = `${ref.registry}/${ref.repository}:${tag}`;
    const sleep = opts.sleep ?? sign_defaultSleep;
    const maxAttempts = opts.maxAttempts ?? sign_DEFAULT_ATTEMPTS;
    let writes = 0;
    let added = 0;
    for (;;) {
        const current = await registry.fetchManifest(ref, tag);
        const image = current && image_parseSignatureManifest(current.bytes, where);
        const missing = sigs.filter((s) => !holds(image, s));
        if (missing.length === 0)
            return added;
        if (writes >= maxAttempts) {
            throw new errors/* DctError */.sY('COSIGN_WRITE_LOST', `${where}: other writers replaced the signature image ${writes} times; run the job again`);
        }
        if (writes > 0) {
            opts.log?.(`${where}: a concurrent write replaced our signature; adding it again`);
            await sleep(backoff(writes, WRITE_BACKOFF));
        }
        const config = image === undefined
            ? undefined
            : await registry.getBlob(ref, image.doc.config.digest, MAX_CONFIG_BYTES);
        const next = appendSignatureLayers(image, config, missing.map((s) => s.layer));
        await registry.pushBlob(ref, next.config);
        await opts.beforeWrite?.();
        const mediaType = image === undefined ? OCI_MANIFEST : current?.mediaType || OCI_MANIFEST;
        await registry.putManifest(ref, tag, mediaType, next.manifest);
        writes++;
        added = missing.length;
        // Read back after a pause: a writer that read before our write may still replace it.
        await sleep(opts.settleMs ?? DEFAULT_SETTLE_MS);
    }
}

;// CONCATENATED MODULE: ./src/cosign/verify.ts




/** cosign reads payloads up to 128 MiB; a simple-signing payload is a few hundred bytes. */
const MAX_PAYLOAD_BYTES = (/* unused pure expression or super */ null && (1 << 20));
const PARALLEL = 8;
const MAX_PROBLEMS = 5;
async function verify_findCosignSignatures(registry, ref, digest, keys) {
    const tag = signatureTag(digest);
    const findings = { tag, signatures: 0, validBy: new Set(), problems: [] };
    const found = await registry.fetchManifest(ref, tag);
    if (found === undefined)
        return findings;
    const image = parseSignatureManifest(found.bytes, `${ref.registry}/${ref.repository}:${tag}`);
    const layers = image.doc.layers;
    findings.signatures = layers.length;
    if (layers.length > MAX_SIGNATURE_LAYERS) {
        findings.problems.push(`it holds ${layers.length} layers, more than cosign reads`);
        return findings;
    }
    const problem = (i, why) => {
        if (findings.problems.length < MAX_PROBLEMS)
            findings.problems.push(`layer ${i + 1}: ${why}`);
    };
    const check = async (layer, i) => {
        const b64sig = layerSignature(layer);
        if (b64sig === undefined)
            return problem(i, 'no signature annotation');
        if (layer.size > MAX_PAYLOAD_BYTES)
            return problem(i, `a ${layer.size}-byte payload`);
        let payload;
        try {
            payload = await registry.getBlob(ref, layer.digest, MAX_PAYLOAD_BYTES);
        }
        catch (e) {
            return problem(i, `payload unreadable: ${describeError(e)}`);
        }
        let claims;
        try {
            claims = parsePayload(payload);
        }
        catch (e) {
            return problem(i, describeError(e));
        }
        if (claims.digest !== digest)
            return problem(i, `the payload is for ${claims.digest}`);
        if (!namesRepository(claims.dockerReference, ref)) {
            return problem(i, `the payload names ${claims.dockerReference}, another repository`);
        }
        const owners = keys.filter((k) => verifyCosignSignature(k.key, payload, b64sig));
        if (owners.length === 0)
            return problem(i, 'the signature is not by any of the keys');
        for (const k of owners)
            findings.validBy.add(k.owner);
    };
    for (let i = 0; i < layers.length; i += PARALLEL) {
        await Promise.all(layers.slice(i, i + PARALLEL).map((l, j) => check(l, i + j)));
    }
    return findings;
}

;// CONCATENATED MODULE: ./src/signer/cosign.ts








const INDEX_TYPES = new Set([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MAX_INDEX_DEPTH = 4;
/** The ECDSA P-256 keys behind the roles a tag goes into, one per key. */
function cosign_signerKeys(repo, keys, roles) {
    const out = new Map();
    for (const role of roles) {
        const listed = repo.keysOf(role);
        if (listed === undefined)
            continue;
        for (const id of keys.heldAmong(listed.keyids, listed.keys)) {
            const held = keys.find(id, listed.keys[id]);
            if (held === undefined || out.has(held.id))
                continue;
            const label = `the ${roles_signerName(role)} key ${shortId(held.id)}`;
            try {
                assertP256(held.key, label);
            }
            catch (e) {
                throw new errors/* DctError */.sY('COSIGN_KEY_UNSUPPORTED', `${(0,errors/* describeError */.Uc)(e)}; give a cosign key as \`cosign-key\` to sign with it instead`, { cause: e });
            }
            out.set(held.id, { key: held.key, label });
        }
    }
    return [...out.values()];
}
/** `digest` and, for an index, every manifest it lists (depth-first, each once). */
async function digestsUnder(conn, ref, digest, seen, depth = 0) {
    if (seen.has(digest))
        return [];
    seen.add(digest);
    const m = await conn.registry.fetchManifest(ref, digest);
    if (m === undefined) {
        throw new errors/* DctError */.sY('REGISTRY_MANIFEST_NOT_FOUND', `manifest ${digest} not found in the registry`);
    }
    const out = [digest];
    let doc;
    try {
        doc = JSON.parse(m.bytes.toString('utf8'));
    }
    catch {
        return out; // not JSON: nothing listed to sign
    }
    const isIndex = INDEX_TYPES.has(m.mediaType) || INDEX_TYPES.has(String(doc.mediaType));
    if (!isIndex || !Array.isArray(doc.manifests) || depth >= MAX_INDEX_DEPTH)
        return out;
    for (const child of doc.manifests) {
        const d = child?.digest;
        if (typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d))
            continue;
        out.push(...(await digestsUnder(conn, ref, d, seen, depth + 1)));
    }
    return out;
}
/**
 * Before anything is published: the keys (P-256), the digests, every signature made and its
 * payload uploaded. A registry that refuses the push stops the run here, with nothing signed.
 */
async function prepareCosignSign(conn, refs, targets, repo, rolesOf, keys, settings) {
    const given = settings.key;
    const byDigest = new Map();
    const digestsOf = new Map();
    const wanted = new Map();
    const listed = new Map();
    for (const ref of refs) {
        const signers = given !== undefined
            ? [{ key: given, label: 'the `cosign-key`' }]
            : cosign_signerKeys(repo, keys, rolesOf(ref));
        const top = targets.get(ref).digest;
        let digests = listed.get(top);
        if (digests === undefined) {
            digests = await digestsUnder(conn, ref, top, new Set());
            listed.set(top, digests);
        }
        digestsOf.set(ref, digests);
        for (const d of digests) {
            const forDigest = wanted.get(d) ?? new Map();
            for (const s of signers)
                forDigest.set(s.key, s);
            wanted.set(d, forDigest);
        }
    }
    const ref = refs[0];
    await Promise.all([...wanted].map(async ([digest, signers]) => {
        const sigs = await Promise.all([...signers.values()].map((s) => prepareSignature(conn.registry, ref, digest, s)));
        byDigest.set(digest, sigs);
    }));
    return { byDigest, digestsOf };
}
/**
 * After the DCT publish: puts every signature into its `.sig` image. When some cannot be
 * written, the error names, per tag, which signatures it carries now.
 */
async function writeCosignSignatures(conn, refs, plan, signed, settings, log) {
    const failed = new Map();
    await Promise.all([...plan.byDigest].map(async ([digest, sigs]) => {
        try {
            const added = await attachSignatures(conn.registry, refs[0], digest, sigs, {
                log: (m) => log.warning(m),
                ...settings.attach,
            });
            const by = sigs.map((s) => s.label).join(', ');
            log.info(added > 0
                ? `cosign-signed ${conn.gun}@${digest} with ${by}`
                : `${conn.gun}@${digest} already had a cosign signature by ${by}`);
        }
        catch (e) {
            failed.set(digest, e);
        }
    }));
    if (failed.size === 0)
        return;
    const failures = [];
    const done = [];
    for (const tag of signed) {
        const ref = refs.find((r) => r.input === tag.image);
        const digests = (ref && plan.digestsOf.get(ref)) ?? [];
        const lost = digests.filter((d) => failed.has(d));
        if (lost.length === 0) {
            done.push(tag);
            continue;
        }
        const err = failed.get(lost[0]);
        const kept = digests.filter((d) => !failed.has(d));
        failures.push({
            image: tag.image,
            code: (0,errors/* isDctError */.AE)(err) ? err.code : 'COSIGN_WRITE_FAILED',
            message: `has its DCT signature (${tag.roles.join(', ')}, ${tag.digest}) but no cosign signature for ` +
                `${lost.join(', ')}${kept.length > 0 ? ` (cosign-signed: ${kept.join(', ')})` : ''}: ${(0,errors/* describeError */.Uc)(err)}; ` +
                'run the step again to add it',
        });
    }
    throw new GroupImagesError(failures, done);
}
/** The public keys the trust data gives a signer (a delegation) or, for `targets`, root. */
function cosign_roleKeys(repo, role) {
    const listed = repo.keysOf(role);
    if (listed === undefined)
        return [];
    const owner = signerName(role);
    const out = [];
    for (const id of listed.keyids) {
        const k = listed.keys[id];
        if (k === undefined)
            continue;
        try {
            out.push({ owner, key: publicKeyOf(k) });
        }
        catch {
            // a key type Node cannot load signs nothing here
        }
    }
    return out;
}
/**
 * For `verify`: a valid cosign signature of the tag's digest by a key of every required
 * signer, or, without required signers, by a key of any signer whose paths allow the tag
 * (or of the repository's targets role).
 */
async function checkCosign(conn, repo, ref, target, required) {
    const roles = required.length > 0
        ? required.map(signerRole)
        : [
            'targets',
            ...repo.delegationNames().filter((r) => pathsMatch(repo.delegation(r).role, ref.tag)),
        ];
    const keys = roles.flatMap((r) => cosign_roleKeys(repo, r));
    const found = await findCosignSignatures(conn.registry, ref, target.digest, keys);
    if (found.signatures === 0) {
        throw new DctError('COSIGN_NOT_SIGNED', `has no cosign signature: the registry holds no ${found.tag} for ${target.digest} ` +
            '(only a DCT signature); sign it with `cosign: true`');
    }
    const missing = required.length > 0
        ? required.filter((s) => !found.validBy.has(signerName(signerRole(s))))
        : found.validBy.size > 0
            ? []
            : ['any signer the trust data delegates to'];
    if (missing.length > 0) {
        const detail = found.problems.length > 0 ? `: ${found.problems.join('; ')}` : '';
        throw new DctError('COSIGN_NOT_VALID', `no valid cosign signature for ${target.digest} by a key of ${missing.join(', ')} ` +
            `(${found.signatures} signature(s) in ${found.tag}${detail})`);
    }
}

;// CONCATENATED MODULE: ./src/signer/sign.ts
/**
 * `sign`: resolve each tag's manifest in the registry, then add the tags to every role the
 * keys may sign, one publish per repository, repositories in parallel.
 */









function signImages(opts) {
    return perRepository(opts, true, (conn, group, prepared) => signGroup(conn, group.refs, prepared, opts), 
    // Every repository is resolved, verified and planned before any is published.
    (conn, group) => prepareSign(conn, group.refs, opts));
}
/** Resolves every tag of one repository; any failure stops the repository before publishing. */
async function resolveTargets(conn, refs, digest) {
    const { targets, failures } = await resolveEach(conn, refs, digest, 'sign');
    if (failures.length > 0) {
        // The other tags of this repository are fine but are not published alone: say so.
        for (const ref of refs) {
            if (!failures.some((f) => f.image === ref.input)) {
                failures.push({
                    image: ref.input,
                    code: 'NOT_PUBLISHED',
                    message: 'not signed because another tag of the same repository failed',
                });
            }
        }
        throw new GroupImagesError(failures);
    }
    return targets;
}
/** Resolves each tag on its own: what each holds, or why it could not be resolved. */
async function resolveEach(conn, refs, digest, command) {
    const targets = new Map();
    const failures = [];
    await Promise.all(refs.map(async (ref) => {
        try {
            targets.set(ref, await resolveTarget(conn, ref, expectedDigest(ref, digest), command));
        }
        catch (e) {
            failures.push(imageFailure(ref.input, e));
        }
    }));
    return { targets, failures };
}
async function resolveTarget(conn, ref, want, command) {
    // The manifest under the expected digest is asked for with the tag's, and read only once
    // the tag is known to hold that digest (its failure counts only then).
    const tagFetch = conn.registry.resolveTag(ref);
    const pinnedFetch = want === undefined ? undefined : conn.registry.getManifest(ref, want);
    pinnedFetch?.catch(() => undefined);
    const current = await tagFetch;
    if (pinnedFetch === undefined) {
        return { digest: current.digest, size: current.size };
    }
    if (current.digest !== want) {
        const moved = `the registry's tag ${ref.tag} now points to ${current.digest}, not the expected ${want}; the tag was pushed again after that build.`;
        throw new errors/* DctError */.sY('TAG_MOVED', command === 'sign'
            ? `${moved} Nothing was signed: sign the digest the tag holds, or build and push again`
            : `${moved} The image a pull would get is not the expected one: check who pushed the tag, or verify the digest it holds now`);
    }
    // The size comes from the manifest stored under the digest itself.
    const pinned = await pinnedFetch;
    return { digest: pinned.digest, size: pinned.size };
}
function signPlanner(refs, targets, opts) {
    let rolesByTag = new Map();
    const plan = (repo) => {
        const roles = signableRoles(repo, opts.keys, opts.signers, (m) => opts.log.warning(m));
        rolesByTag = new Map();
        const edits = new Map();
        const unsignable = [];
        // A role that has expired is signed again even when every tag is already in it; the
        // entries its paths do not allow are dropped (no client trusts them).
        for (const r of roles.filter((x) => repo.expired.has(x.role))) {
            const e = {
                role: r.role,
                signers: r.signers,
                tags: [],
                edit: (t) => {
                    for (const name of Object.keys(t.targets)) {
                        if (r.delegation !== undefined && !models_pathsMatch(r.delegation, name)) {
                            delete t.targets[name];
                        }
                    }
                    for (const [tag, tt] of e.tags)
                        t.targets[tag] = toTargetFile(tt);
                },
            };
            edits.set(r.role, e);
        }
        for (const ref of refs) {
            const target = targets.get(ref);
            const forTag = rolesForTag(roles, ref.tag);
            if (forTag.length === 0) {
                unsignable.push({
                    image: ref.input,
                    code: 'TAG_OUTSIDE_PATHS',
                    message: `no role the keys may sign allows the tag ${ref.tag} (delegation paths)`,
                });
                continue;
            }
            rolesByTag.set(ref, forTag.map((r) => r.role));
            for (const r of forTag) {
                if (sameTarget(lookup(repo.targets.get(r.role)?.signed, ref.tag), target))
                    continue;
                const e = edits.get(r.role) ?? {
                    role: r.role,
                    signers: r.signers,
                    tags: [],
                    edit: (t) => {
                        for (const [tag, tt] of e.tags)
                            t.targets[tag] = toTargetFile(tt);
                    },
                };
                e.tags.push([ref.tag, target]);
                edits.set(r.role, e);
            }
        }
        if (unsignable.length > 0)
            throw new GroupImagesError(unsignable);
        return [...edits.values()];
    };
    const confirm = (repo) => {
        // After plan(), which gave every tag its roles or refused the group.
        for (const ref of refs) {
            for (const role of rolesByTag.get(ref)) {
                if (!sameTarget(lookup(repo.targets.get(role)?.signed, ref.tag), targets.get(ref))) {
                    return `${ref.tag} is not listed in ${role} with ${targets.get(ref).digest}`;
                }
            }
        }
        return undefined;
    };
    return { plan, confirm, rolesOf: (ref) => rolesByTag.get(ref) };
}
/**
 * Everything that can fail before publishing: the tags in the registry, the trust data, and
 * a dry run of the change (keys, delegations, paths, thresholds).
 */
async function prepareSign(conn, refs, opts) {
    // The trusted state first: awaited inside the array, it would leave the registry's
    // rejection unhandled while a slow store (the CLI's files) is read.
    const trusted = await opts.trustStore?.load(conn.gun);
    const [targets, repo] = await Promise.all([
        resolveTargets(conn, refs, opts.digest),
        loadRepo({ conn, rootKeyIds: opts.rootKeyIds, mayExpire: signableExpired(opts.keys) }, trusted),
    ]);
    const planner = signPlanner(refs, targets, opts);
    planner.plan(repo);
    if (opts.cosign === undefined)
        return { targets, repo, planner };
    const cosign = await prepareCosignSign(conn, refs, targets, repo, planner.rolesOf, opts.keys, opts.cosign);
    return { targets, repo, planner, cosign };
}
async function signGroup(conn, refs, { targets, repo, planner, cosign }, opts) {
    const published = await publishChange({ ...opts, conn, keys: opts.keys, log: opts.log, mayExpire: signableExpired(opts.keys) }, planner.plan, planner.confirm, repo);
    warnIfExpiring(repo, opts.log, { skip: published.keys() });
    opts.onHealth?.(healthAfter(repo, published, opts.keys));
    for (const ref of refs) {
        const roles = planner.rolesOf(ref);
        opts.log.info(`signed ${ref.input} (${targets.get(ref).digest}) in ${roles.join(', ')}`);
        if (!roles.includes('targets/releases') && !roles.includes('targets')) {
            // notary-spec.md §8: `verify` with `required-signers` counts it, docker pull does not.
            opts.log.warning(`${ref.input}: signed in ${roles.join(', ')} only; docker pull reads targets/releases, then targets, so it does not use this signature`);
        }
    }
    const signed = refs.map((ref) => ({
        image: ref.input,
        gun: ref.gun,
        tag: ref.tag,
        digest: targets.get(ref).digest,
        size: targets.get(ref).size,
        roles: planner.rolesOf(ref),
    }));
    if (cosign !== undefined) {
        await writeCosignSignatures(conn, refs, cosign, signed, opts.cosign ?? {}, opts.log);
    }
    return signed;
}

;// CONCATENATED MODULE: ./src/cli/commands/sign.ts
/**
 * `dct sign IMAGE:TAG` and `dct revoke [--yes] IMAGE[:TAG]` (CLI.md): the action's sign and
 * revoke flows with the signer keys of the key directory, docker's TUF cache as the trusted
 * state, and docker's messages. `sign` signs the digest the registry holds for the tag: no
 * daemon, no local image.
 */









/**
 * An IMAGE[:TAG] argument: docker's grammar; a digest only after a tag (`name:tag@sha256:…`
 * pins what the tag must hold), never instead of one.
 */
function parseImageArg(input) {
    const at = input.indexOf('@');
    const ref = parseRepositoryRef(at >= 0 ? input.slice(0, at) : input);
    if (at >= 0) {
        if (ref.tag === undefined) {
            throw new errors/* DctError */.sY('IMAGE_REF_INVALID', `cannot use a digest reference for IMAGE:TAG (${input}); name the tag`);
        }
        parseImageRef(input); // the digest's own form
    }
    return ref;
}
/** The flows report each tag as it goes; the command prints docker's lines instead. */
function flowLog(ctx) {
    return {
        info: (m) => ctx.log.debug(m),
        warning: (m) => ctx.log.warning(m),
        debug: (m) => ctx.log.debug(m),
    };
}
/** The flows' advice names the action's inputs; on the command line it is the key directory. */
function cliFailures(ctx, e, keys) {
    const held = keys.ids().map(shortId).join(', ');
    const reword = (code, message) => {
        if (code === 'NO_SIGNING_KEYS') {
            return message.replace(/; the keys given have IDs .*$/, `; the key directory ${ctx.keyStore.dir} holds ${held === '' ? 'no signing key for it' : `keys ${held}`}. ` +
                "Load a signer's key (`dct key load`) or have yours added (`dct signer add`)");
        }
        if (code === 'REPO_NOT_FOUND') {
            return message.replace(/; create the repository first.*$/, '; create it first (`dct signer add --key NAME.pub NAME REPOSITORY`)');
        }
        return message;
    };
    if (e instanceof errors/* ImagesError */.xd) {
        // The line names the image already; a repository-wide reason need not name it again.
        const failures = e.failures.map((f) => ({
            ...f,
            message: reword(f.code, (0,errors/* reasonOf */.A3)(f)),
        }));
        return new errors/* ImagesError */.xd(failures, e.done);
    }
    if (e instanceof errors/* DctError */.sY) {
        const message = reword(e.code, e.message);
        return message === e.message ? e : new errors/* DctError */.sY(e.code, message, { cause: e });
    }
    return e;
}
register({
    name: 'sign',
    usage: 'IMAGE:TAG',
    summary: 'Sign an image (the digest the registry holds for the tag)',
    flags: [
        booleanFlag('cosign', 'Also write a cosign signature of the digest with the same signer key, as the action does with cosign: true'),
    ],
    args: { min: 1, max: 1 },
    async run(ctx, { args, booleans }) {
        const input = args[0];
        const ref = parseImageArg(input);
        if (ref.tag === undefined) {
            throw new errors/* DctError */.sY('IMAGE_REF_INVALID', `no tag specified for ${input}; dct sign signs a tag: IMAGE:TAG`);
        }
        const keys = await ctx.openKeys('signing', ref.gun);
        const cosign = booleans.has('cosign');
        let signed;
        try {
            signed = await signImages({
                ...ctx.connection([input]),
                images: [input],
                keys,
                signers: [],
                rootKeyIds: [],
                trustStore: ctx.tufStore,
                log: flowLog(ctx),
                ...(cosign ? { cosign: {} } : {}),
            });
        }
        catch (e) {
            throw cliFailures(ctx, e, keys);
        }
        finally {
            keys.dispose();
        }
        ctx.out(`Signing and pushing trust metadata for ${input}`);
        ctx.out(`Successfully signed ${ref.gun}:${ref.tag}`);
        if (cosign) {
            for (const digest of new Set(signed.map((t) => t.digest))) {
                ctx.out(`Successfully wrote the cosign signature of ${ref.gun}@${digest}`);
            }
        }
    },
});
/** Every tag name our keys may remove: held by a role they can sign whose paths allow it. */
async function signedTags(ctx, input, keys) {
    const loaded = (await loadRepositories(ctx, [input])).get(input);
    if ('error' in loaded)
        throw loaded.error;
    const roles = signableRoles(loaded.repo, keys, [], (m) => ctx.log.warning(m));
    const names = new Set();
    for (const r of roles) {
        for (const name of Object.keys(loaded.repo.targets.get(r.role)?.signed.targets ?? {})) {
            if (rolesForTag([r], name).length === 0)
                continue;
            try {
                parseImageRef(`${loaded.ref.gun}:${name}`);
                names.add(name);
            }
            catch {
                ctx.log.warning(`${input}: ${r.role} lists "${name}", which is not an image tag; left as it is`);
            }
        }
    }
    return [...names].sort();
}
register({
    name: 'revoke',
    usage: 'IMAGE[:TAG]',
    summary: 'Remove trust for an image (every signed tag when no tag is given)',
    flags: [booleanFlag('yes', 'Do not prompt for confirmation', 'y')],
    args: { min: 1, max: 1 },
    async run(ctx, { args, booleans }) {
        const input = args[0];
        const ref = parseImageArg(input);
        if (ref.tag === undefined && !booleans.has('yes')) {
            const yes = await ctx.confirm(`Confirm you would like to delete all signature data for ${input}?`);
            if (yes === undefined) {
                throw new errors/* DctError */.sY('CONFIRMATION_NEEDED', `revoking every signed tag of ${input} needs a confirmation and there is no terminal to ask on; add --yes`);
            }
            if (!yes)
                throw new errors/* DctError */.sY('CANCELLED', 'trust revoke has been cancelled');
        }
        const keys = await ctx.openKeys('signing', ref.gun);
        try {
            let images = [input];
            if (ref.tag === undefined) {
                const tags = await signedTags(ctx, input, keys);
                if (tags.length === 0) {
                    throw new errors/* DctError */.sY('NOT_SIGNED', `could not remove signature for ${input}: no signed tags to remove`);
                }
                images = tags.map((t) => `${ref.gun}:${t}`);
            }
            await revokeImages({
                ...ctx.connection([input]),
                images,
                keys,
                signers: [],
                rootKeyIds: [],
                trustStore: ctx.tufStore,
                log: flowLog(ctx),
            });
        }
        catch (e) {
            throw cliFailures(ctx, e, keys);
        }
        finally {
            keys.dispose();
        }
        ctx.out(`Successfully deleted signature for ${input}`);
    },
});

;// CONCATENATED MODULE: ./src/signer/refresh.ts
/**
 * `refresh` (issue 11): in each repository, every role the keys can sign that expires within
 * the window is signed again, content unchanged, with the next version and the role's usual
 * lifetime from now (notary-spec.md §4). One publish per repository; repositories are
 * independent, and one that fails publishes nothing.
 *
 * A role that has already expired can be repaired: loading lets through the expiry of exactly
 * the roles these keys re-sign (`TrustOptions.mayExpire`), and checks everything else.
 */






const UNITS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
/** A window beyond this re-signs everything every time: surely a typo. */
const MAX_WINDOW_DAYS = 20 * 365;
/**
 * `90d`, `12h`, `2w` → milliseconds. `input` names where the value came from in the error
 * (the action's `expires-within`, the CLI's `--expires-within`).
 */
function parseDuration(value, input = '`expires-within`') {
    const m = /^(\d{1,6})([hdw])$/i.exec(value.trim());
    const ms = m === null ? NaN : Number(m[1]) * UNITS[m[2].toLowerCase()];
    if (!Number.isFinite(ms) || ms > MAX_WINDOW_DAYS * UNITS.d) {
        const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
        throw new errors/* DctError */.sY('INPUT_INVALID', `${input} must be a whole number of hours, days or weeks up to ${MAX_WINDOW_DAYS} days, such as 90d, 12h or 2w; got ${shown}`);
    }
    return ms;
}
/**
 * Refreshes every repository at once; then one ImagesError naming each that failed (with
 * the others' results in `done`), after all have finished.
 */
async function refreshRepositories(opts) {
    if (opts.repositories.length === 0) {
        throw new errors/* DctError */.sY('INPUT_INVALID', 'no repository to refresh was given');
    }
    return eachRepository(opts.repositories, (ref) => refreshOne(ref, opts));
}
/**
 * The roles that expire before `deadline`, in publishing order (root, targets, delegations
 * parents first, snapshot). The timestamp is the server's; a snapshot these keys cannot
 * sign is the server's too (or its holder's), and the server renews its own.
 */
function dueRoles(repo, keys, deadline) {
    const out = [];
    const consider = (role, expires) => {
        if (parseExpires(expires).getTime() > deadline)
            return;
        out.push({ role, expires, signable: canSign(keys, repo.keysOf(role)) });
    };
    consider('root', repo.root.signed.expires);
    for (const [role, env] of repo.targets)
        consider(role, env.signed.expires);
    if (canSign(keys, repo.keysOf('snapshot')))
        consider('snapshot', repo.snapshot.signed.expires);
    return out;
}
async function refreshOne(ref, opts) {
    const window = opts.expiresWithinMs;
    return repo_withRepository({ ...opts, repository: ref.gun }, async (conn) => {
        const ctx = {
            conn,
            keys: opts.keys,
            rootKeyIds: opts.rootKeyIds ?? [],
            log: opts.log,
            // The roles these keys re-sign may already have expired; the timestamp is the server's.
            mayExpire: (role, keys) => role !== 'timestamp' && canSign(opts.keys, keys),
        };
        if (opts.trustStore !== undefined)
            ctx.trustStore = opts.trustStore;
        if (opts.now !== undefined)
            ctx.now = opts.now;
        const now = () => opts.now?.() ?? new Date();
        const repo = await loadRepo(ctx, await opts.trustStore?.load(conn.gun));
        const due = (r) => dueRoles(r, opts.keys, now().getTime() + window);
        const warned = new Set();
        const plan = (r) => {
            const change = { roles: [] };
            for (const d of due(r)) {
                if (!d.signable) {
                    if (!warned.has(d.role)) {
                        warned.add(d.role);
                        opts.log.warning(`${conn.gun}: ${d.role} expires at ${d.expires} but the keys given cannot sign it, so it is not refreshed; ${whoSigns(d.role)}`);
                    }
                    continue;
                }
                const signers = heldSigners(opts.keys, r.keysOf(d.role));
                if (d.role === 'root')
                    change.root = { signers, edit: () => undefined };
                else if (d.role === 'snapshot')
                    change.snapshot = true;
                else
                    change.roles.push({ role: d.role, signers, edit: () => undefined });
            }
            return change;
        };
        const confirm = (r) => {
            const left = due(r).filter((d) => d.signable);
            return left.length === 0
                ? undefined
                : `${left.map((d) => d.role).join(', ')} still expires at ${left[0].expires}`;
        };
        warnExpiredUnsignable(repo, opts.log);
        const published = await publishChange(ctx, plan, confirm, repo);
        const health = healthAfter(repo, published, opts.keys);
        // In the repository's order (root, targets, delegations, snapshot).
        const refreshed = health.changed.map((role) => ({
            gun: conn.gun,
            role,
            version: published.get(role).version,
            expires: published.get(role).expires,
        }));
        opts.log.info(refreshed.length === 0
            ? `${conn.gun}: nothing the keys can sign expires within the window; nothing was published`
            : `${conn.gun}: refreshed ${refreshed.map((r) => `${r.role} (v${r.version}, until ${r.expires})`).join(', ')}`);
        return {
            repository: ref.input,
            gun: conn.gun,
            server: conn.server,
            refreshed,
            roles: health.roles,
        };
    });
}
/** Expired delegations these keys cannot sign stay skipped by every client: say so. */
function warnExpiredUnsignable(repo, log) {
    for (const [role, e] of repo.invalidDelegations) {
        if (e.code !== 'TUF_EXPIRED')
            continue;
        log.warning(`${repo.gun}: ${role} has expired and the keys given cannot sign it, so clients keep ignoring its signatures; ${whoSigns(role)}`);
    }
}
function whoSigns(role) {
    if (role === 'root')
        return 'add the root key to the keys and give its passphrase';
    if (role === 'targets')
        return 'add the repository (targets) key to the keys';
    return `refresh with the key of ${role}`;
}

;// CONCATENATED MODULE: ./src/cli/commands/refresh.ts
/**
 * `dct refresh [--expires-within DURATION] REPO...` (CLI.md): re-signs what the keys of the
 * key directory can sign and what expires within the window (default 90 days), as the
 * action's `command: refresh` does. Root keys take part only when the root passphrase is in
 * DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: a scheduled job should not stop to ask for it.
 */








function report(ctx, r, window) {
    if (r.refreshed.length === 0) {
        ctx.err(`${r.gun}: nothing the keys can sign expires within ${window}`);
    }
    for (const role of r.refreshed) {
        ctx.out(`${r.gun}\t${role.role}\tversion ${role.version}\texpires ${role.expires}`);
    }
    const now = ctx.now();
    for (const role of r.roles) {
        if (r.refreshed.some((x) => x.role === role.role))
            continue;
        const left = daysLeft(role.expires, now);
        ctx.log.debug(`${r.gun}: ${role.role} v${role.version} expires ${role.expires} (${left} days)${role.serverManaged ? ', renewed by the server' : ''}`);
    }
}
register({
    name: 'refresh',
    usage: 'REPOSITORY...',
    summary: 'Re-sign the roles your keys can sign that expire soon (trust data that never expires)',
    flags: [
        valueFlag('string', 'expires-within', 'duration', 'Re-sign what expires within this long: hours, days or weeks (default 90d)'),
    ],
    args: { min: 1 },
    async run(ctx, { args, strings }) {
        const window = strings.get('expires-within') ?? '90d';
        const expiresWithinMs = parseDuration(window, '--expires-within');
        const withRoot = Boolean(ctx.env[ROOT_PASSPHRASE_VAR]);
        const failures = [];
        // One repository at a time, each with its own keys: another repository's keys, perhaps
        // under another passphrase, are never opened for it.
        for (const repository of args) {
            let keys;
            try {
                const gun = parseRepositoryRef(repository).gun;
                keys = await ctx.openKeys(withRoot ? 'all' : 'signing', gun);
                const [result] = await refreshRepositories({
                    ...ctx.connection([repository]),
                    repositories: [repository],
                    keys,
                    expiresWithinMs,
                    trustStore: ctx.tufStore,
                    log: ctx.log,
                    now: ctx.now,
                });
                if (result !== undefined)
                    report(ctx, result, window);
            }
            catch (e) {
                if (e instanceof errors/* ImagesError */.xd)
                    failures.push(...e.failures);
                else
                    failures.push(imageFailure(repository, e));
            }
            finally {
                keys?.dispose();
            }
        }
        if (failures.length > 0)
            throw new errors/* ImagesError */.xd(failures);
    },
});

;// CONCATENATED MODULE: ./src/cli/commands/index.ts








;// CONCATENATED MODULE: ./src/cli/run.ts
/**
 * `dct`'s one error boundary: finds the command, parses its flags, runs it, and turns
 * whatever is thrown into lines on stderr (one per failing item) and an exit code: 0 on
 * success, 1 otherwise. Also answers docker's plugin protocol (`docker-cli-plugin-metadata`).
 */






const VERSION = '1.0.0';
/** What docker asks a CLI plugin for (docker/cli cli-plugins/metadata). */
function pluginMetadata() {
    return JSON.stringify({
        SchemaVersion: '0.1.0',
        Vendor: 'dct',
        Version: VERSION,
        ShortDescription: 'Manage trust on Docker images (Docker Content Trust, without Docker)',
    });
}
function flagHelp(flags) {
    return flags.map((f) => {
        const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.kind === 'boolean' ? '' : ` ${f.value ?? 'string'}`}`;
        return `  ${name.padEnd(30)} ${f.description}`;
    });
}
function commandHelp(prog, c) {
    return [
        `Usage:  ${prog} ${c.name}${c.flags.length ? ' [OPTIONS]' : ''}${c.usage ? ` ${c.usage}` : ''}`,
        '',
        c.summary,
        '',
        'Options:',
        ...flagHelp([...c.flags, ...GLOBAL_FLAGS]),
        '',
    ].join('\n');
}
function overview(prog, group) {
    const list = allCommands().filter((c) => group === undefined || c.name.startsWith(`${group} `));
    const width = Math.max(...list.map((c) => c.name.length), 8);
    return [
        `Usage:  ${prog} ${group ? `${group} ` : ''}COMMAND`,
        '',
        'Docker Content Trust (Notary v1) keys, signatures and repositories, as `docker trust` did.',
        '',
        'Commands:',
        ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
        '',
        `Run '${prog} ${group ? `${group} ` : ''}COMMAND --help' for more information on a command.`,
        '',
    ].join('\n');
}
/** One line per problem, from anything a command threw. */
function errorLines(e) {
    // Before cliKeyError: a reworded error is a plain DctError, without the failures.
    if (e instanceof errors/* ImagesError */.xd && e.failures.length > 0) {
        return e.failures.map((f) => `${f.image}: ${flatLine(cliWording(f.message))}`);
    }
    const err = cliKeyError(e);
    if (err instanceof errors/* DctError */.sY)
        return [flatLine(err.message)];
    return [`unexpected error: ${flatLine((0,errors/* describeError */.Uc)(err))}`];
}
const flatLine = (s) => (0,errors/* oneLine */.TN)(s, { breaksOnly: true });
/**
 * Runs one invocation. `argv` is what follows the program name; `program` is how it was called
 * (`dct`, or `docker-trust` as a plugin, where docker passes the plugin's name first).
 */
async function runCli(argv, io, program = 'dct') {
    let args = argv;
    let prog = 'dct';
    const base = (0,external_node_path_namespaceObject.basename)(program).replace(/\.(c|m)?js$/, '');
    if (base.startsWith('docker-')) {
        const plugin = base.slice('docker-'.length);
        if (args[0] === 'docker-cli-plugin-metadata') {
            io.stdout(`${pluginMetadata()}\n`);
            return 0;
        }
        if (args[0] === plugin)
            args = args.slice(1);
        prog = `docker ${plugin}`;
    }
    else if (args[0] === 'docker-cli-plugin-metadata') {
        io.stdout(`${pluginMetadata()}\n`);
        return 0;
    }
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
        io.stdout(overview(prog));
        return 0;
    }
    if (args[0] === '--version' || args[0] === 'version') {
        io.stdout(`dct ${VERSION}\n`);
        return 0;
    }
    const { command, rest, group } = findCommand(args);
    if (command === undefined) {
        if (group !== undefined && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
            io.stdout(overview(prog, group));
            return 0;
        }
        const what = group !== undefined ? `${group} ${rest[0] ?? ''}`.trim() : args[0];
        io.stderr(`${prog}: '${what}' is not a ${prog} command.\nSee '${prog} --help'\n`);
        return 1;
    }
    let ctx;
    try {
        const parsed = parseArgs(rest, command.flags, command.name);
        if (parsed.booleans.has('help')) {
            io.stdout(commandHelp(prog, command));
            return 0;
        }
        const { min, max } = command.args;
        const n = parsed.args.length;
        if (n < min || (max !== undefined && n > max)) {
            const want = max === min
                ? `exactly ${min} argument${min === 1 ? '' : 's'}`
                : max === undefined
                    ? `at least ${min} argument${min === 1 ? '' : 's'}`
                    : `${min} to ${max} arguments`;
            throw new errors/* DctError */.sY('CLI_USAGE', `"${prog} ${command.name}" requires ${want}; usage: ${prog} ${command.name} ${command.usage}`.trim());
        }
        ctx = new CliContext(io, parsed.booleans.has('debug'));
        await command.run(ctx, parsed);
        return 0;
    }
    catch (e) {
        const redact = (s) => ctx?.redactor.redact(s) ?? s;
        for (const line of errorLines(e))
            io.stderr(`${redact(line)}\n`);
        if (ctx?.debug && e instanceof Error && !(e instanceof errors/* DctError */.sY) && e.stack) {
            io.stderr(`${redact(e.stack)}\n`);
        }
        return 1;
    }
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A3: () => (/* binding */ reasonOf),
/* harmony export */   AE: () => (/* binding */ isDctError),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   Uc: () => (/* binding */ describeError),
/* harmony export */   sY: () => (/* binding */ DctError),
/* harmony export */   xd: () => (/* binding */ ImagesError)
/* harmony export */ });
/**
 * The one error type every module throws. `code` is stable and asserted by tests; `message`
 * is one line a user can act on and never holds secret bytes; `cause` keeps the original.
 */
class DctError extends Error {
    name = 'DctError';
    code;
    constructor(code, message, options) {
        super(message, options?.cause === undefined ? undefined : { cause: options.cause });
        this.code = code;
    }
}
function isDctError(e, code) {
    return e instanceof DctError && (code === undefined || e.code === code);
}
/** A readable one-line text for anything thrown, `Error` or not. */
function describeError(e) {
    if (e instanceof Error)
        return e.message;
    if (typeof e === 'string')
        return e;
    try {
        return `non-error thrown: ${JSON.stringify(e)}`;
    }
    catch {
        return 'non-error thrown';
    }
}
/**
 * `s` on one line: each run of whitespace becomes one space (with `breaksOnly`, only line
 * breaks and the blanks around them), trimmed, and cut to `max` characters with "…".
 */
function oneLine(s, opts = {}) {
    const flat = s.replace(opts.breaksOnly === true ? /\s*[\r\n]+\s*/g : /\s+/g, ' ').trim();
    const max = opts.max ?? Infinity;
    return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
/**
 * A failure's reason without its leading `<repository>: ` when the image it is reported for
 * names that repository already (a repository-wide reason on the line of one of its tags).
 */
function reasonOf(f) {
    const gun = /^(.+?): /.exec(f.message)?.[1];
    if (gun === undefined)
        return f.message;
    const named = f.image === gun || f.image.startsWith(`${gun}:`) || f.image.startsWith(`${gun}@`);
    return named ? f.message.slice(gun.length + 2) : f.message;
}
/**
 * Thrown by a flow when one or more images failed; the action prints one line per image.
 * Images of other repositories may have succeeded (`done` lists them) — never a repository
 * that was half-published.
 */
class ImagesError extends DctError {
    failures;
    done;
    constructor(failures, done = []) {
        super(failures.length === 1 ? failures[0].code : 'IMAGES_FAILED', failures.map((f) => `${f.image}: ${f.message}`).join('\n'));
        this.failures = failures;
        this.done = done;
    }
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(2957);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map