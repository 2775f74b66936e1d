export const id = 295;
export const ids = [295];
export const modules = {

/***/ 295:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ validateSignerName),
/* harmony export */   parseSignerKeys: () => (/* binding */ parseSignerKeys)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(318);
/* harmony import */ var _keys_pem_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2722);
/* harmony import */ var _keys_pkcs8_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9045);
/* harmony import */ var _keys_rules_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(3987);
/* harmony import */ var _tuf_rootcert_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(8081);
/**
 * Signer public keys and names as `docker trust signer add` takes them (notary-spec.md §2,
 * §6.4): `NAME.pub` files (a PUBLIC KEY block, with notary's `role:` header) or certificates.
 */







const SIGNER_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const DAY_MS = 86_400_000;
/** docker's rule: `^[a-z0-9][a-z0-9_-]*$`, and `releases` is reserved. Throws SIGNER_NAME_INVALID. */
function validateSignerName(name) {
    if (name === 'releases') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_NAME_INVALID', 'releases is a reserved signer name (targets/releases is shared by every signer); use a different name');
    }
    // The role name `targets/<name>` must stay under notary's 256 characters.
    if (!SIGNER_NAME.test(name) || name.length > 200) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_NAME_INVALID', `signer name ${JSON.stringify(name.slice(0, 80))} must start with a lowercase letter or digit and hold only lowercase letters, digits, "-" and "_" (at most 200 characters)`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_KEY_PRIVATE', `${source} holds a private key; a signer is added with its public key (the NAME.pub file \`dct key generate\` writes), and a private key must never be shared`);
    }
    let blocks;
    try {
        blocks = (0,_keys_pem_js__WEBPACK_IMPORTED_MODULE_3__/* .parsePem */ .oW)(text);
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
        if (key.role === undefined)
            delete key.role;
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_KEY_MISMATCH', `${source}: the certificate is for key ${(0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .shortId */ .m_)(certs[0].canonicalId)} but the public key beside it is ${(0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .shortId */ .m_)(plain[0].canonicalId)}; give the certificate of the signer's own key`);
    }
    return keys;
}
function readBlock(block, where, now) {
    const role = block.headers['role'];
    if (block.type === 'PUBLIC KEY') {
        let key;
        try {
            key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPublicKey)({ key: block.der, format: 'der', type: 'spki' });
        }
        catch (e) {
            throw invalid(where, 'holds a PUBLIC KEY block that does not parse', e);
        }
        checkKeyType(key, where);
        const tufKey = (0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .tufKeyFromKeyObject */ .rr)(key);
        const id = (0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .keyIdOf */ .yg)(tufKey);
        return { id, tufKey, canonicalId: id, source: where, ...(role ? { role } : {}) };
    }
    if (block.type === 'CERTIFICATE')
        return readCertificate(block, where, now);
    if (_keys_pkcs8_js__WEBPACK_IMPORTED_MODULE_4__/* .PRIVATE_KEY_TYPES */ .AA.has(block.type)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_KEY_PRIVATE', `${where} holds a private key; give the public key`);
    }
    throw invalid(where, `holds a ${block.type} block; expected PUBLIC KEY or CERTIFICATE`);
}
/** Go's `ValidateCertificate(cert, checkExpiry=true)` plus: a CA certificate is no signer. */
function readCertificate(block, where, now) {
    let cert;
    let info;
    try {
        cert = new node_crypto__WEBPACK_IMPORTED_MODULE_0__.X509Certificate(block.der);
        info = (0,_tuf_rootcert_js__WEBPACK_IMPORTED_MODULE_6__/* .readCert */ .tX)(block.der);
    }
    catch (e) {
        throw invalid(where, 'holds a CERTIFICATE that does not parse', e);
    }
    if (cert.ca)
        throw invalid(where, 'is a CA certificate; give the signer’s own (leaf) certificate');
    if (_tuf_rootcert_js__WEBPACK_IMPORTED_MODULE_6__/* .SHA1_SIG_OIDS */ .UY.has(info.sigAlg))
        throw invalid(where, 'is a certificate signed with SHA1');
    if (info.notBefore > info.notAfter)
        throw invalid(where, 'is a certificate with no valid period');
    if (now > info.notAfter || info.notBefore.getTime() > now.getTime() + DAY_MS) {
        const when = now > info.notAfter
            ? `expired at ${info.notAfter.toISOString()}`
            : `is not valid before ${info.notBefore.toISOString()}`;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_KEY_EXPIRED', `the certificate in ${where} (CN ${JSON.stringify(info.cn)}) ${when}; give a valid certificate or the NAME.pub public key`);
    }
    checkKeyType(cert.publicKey, where);
    const pem = (0,_keys_pem_js__WEBPACK_IMPORTED_MODULE_3__/* .encodePem */ .TS)({ type: 'CERTIFICATE', headers: {}, der: cert.raw });
    const tufKey = (0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .certTufKey */ .Lj)(pem, cert.publicKey);
    return {
        id: (0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .keyIdOf */ .yg)(tufKey),
        tufKey,
        canonicalId: (0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .keyIdOf */ .yg)((0,_keys_keyid_js__WEBPACK_IMPORTED_MODULE_2__/* .tufKeyFromKeyObject */ .rr)(cert.publicKey)),
        source: where,
        notAfter: info.notAfter,
    };
}
/** Go's `keyTypeForPublicKey`: ECDSA or RSA only (notary verifiers want RSA ≥ 2048). */
function checkKeyType(key, where) {
    const type = key.asymmetricKeyType;
    if (type === 'rsa') {
        const bits = (0,_keys_rules_js__WEBPACK_IMPORTED_MODULE_5__/* .rsaBits */ .Bo)(key);
        if (bits < _keys_rules_js__WEBPACK_IMPORTED_MODULE_5__/* .MIN_RSA_BITS */ .Hm)
            throw invalid(where, `holds a ${bits}-bit RSA key; notary needs ${_keys_rules_js__WEBPACK_IMPORTED_MODULE_5__/* .MIN_RSA_BITS */ .Hm} bits or more`);
        return;
    }
    if (type !== 'ec') {
        throw invalid(where, `holds a ${String(type)} key; signer keys are ECDSA (what \`dct key generate\` makes) or RSA`);
    }
}
function invalid(where, what, cause) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DctError */ .sY('SIGNER_KEY_INVALID', `${where} ${what}`, cause === undefined ? undefined : { cause });
}


/***/ })

};

//# sourceMappingURL=295.index.js.map