export const id = 337;
export const ids = [337,295];
export const modules = {

/***/ 6337:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  addSignerToImages: () => (/* binding */ addSignerToImages),
  fromKeyRing: () => (/* binding */ fromKeyRing),
  removeSignerFromImages: () => (/* binding */ removeSignerFromImages)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/keys/keyid.ts
var keyid = __webpack_require__(318);
// EXTERNAL MODULE: ./src/signer/images.ts
var signer_images = __webpack_require__(486);
// EXTERNAL MODULE: ./src/signer/publish.ts + 1 modules
var publish = __webpack_require__(4049);
;// CONCATENATED MODULE: ./src/signer/admin/delegations.ts
const RELEASES = 'targets/releases';
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

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/keys/der.ts
var keys_der = __webpack_require__(5247);
// EXTERNAL MODULE: ./src/keys/pem.ts
var keys_pem = __webpack_require__(2722);
// EXTERNAL MODULE: ./src/keys/rules.ts
var rules = __webpack_require__(3987);
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
    const name = (0,keys_der/* derSequence */.xy)((0,keys_der/* tlv */.t)(keys_der/* TAG */.Dk.SET, (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(keys_der/* OID */.Vx.commonName), directoryString(gun))));
    const extensions = [
        // digitalSignature (bit 0) | keyEncipherment (bit 2): 0b101 in 3 bits.
        extension(OIDS.keyUsage, true, (0,keys_der/* derBitString */.UQ)(Buffer.from([0xa0]), 5)),
        extension(OIDS.extKeyUsage, false, (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(OIDS.codeSigning))),
        extension(OIDS.basicConstraints, true, (0,keys_der/* derSequence */.xy)()),
    ];
    const tbs = (0,keys_der/* derSequence */.xy)((0,keys_der/* tlv */.t)(0xa0, (0,keys_der/* derSmallInt */.Sk)(2)), // v3
    (0,keys_der/* derUnsigned */.dV)((0,external_node_crypto_.randomBytes)(16)), alg.id, name, (0,keys_der/* derSequence */.xy)((0,keys_der/* derTime */.tm)(notBefore), (0,keys_der/* derTime */.tm)(notAfter)), name, (0,external_node_crypto_.createPublicKey)(key).export({ type: 'spki', format: 'der' }), (0,keys_der/* tlv */.t)(0xa3, (0,keys_der/* derSequence */.xy)(...extensions)));
    const signature = (0,external_node_crypto_.sign)(alg.hash, tbs, key);
    const der = (0,keys_der/* derSequence */.xy)(tbs, alg.id, (0,keys_der/* derBitString */.UQ)(signature));
    const pem = (0,keys_pem/* encodePem */.TS)({ type: 'CERTIFICATE', headers: {}, der });
    const tufKey = (0,keyid/* certTufKey */.Lj)(pem, key);
    return {
        pem,
        tufKey,
        keyId: (0,keyid/* keyIdOf */.yg)(tufKey),
        canonicalId: (0,keyid/* keyIdOf */.yg)((0,keyid/* tufKeyFromKeyObject */.rr)(key)),
        notBefore,
        notAfter,
    };
}
function signatureAlgorithm(key) {
    if (key.asymmetricKeyType === 'rsa') {
        return { id: (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(OIDS.sha256WithRsa), (0,keys_der/* derNull */.f7)()), hash: 'sha256' };
    }
    const hash = (0,rules/* curveOf */.Fi)(key)?.certHash;
    if (hash === undefined) {
        const what = key.asymmetricKeyType === 'ec'
            ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}`
            : `a ${String(key.asymmetricKeyType)} key`;
        throw new errors/* DctError */.sY('KEY_UNSUPPORTED', `a root key must be ECDSA (P-256, P-384, P-521) or RSA to carry a certificate; this is ${what}`);
    }
    return { id: (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(ECDSA_WITH[hash])), hash };
}
function extension(oid, critical, value) {
    return critical
        ? (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(oid), (0,keys_der/* derBoolean */.cl)(true), (0,keys_der/* derOctets */.KU)(value))
        : (0,keys_der/* derSequence */.xy)((0,keys_der/* derOid */._2)(oid), (0,keys_der/* derOctets */.KU)(value));
}
/**
 * Go's asn1 writes a string as PrintableString when every character allows it, else as
 * UTF8String (so a `_` in a GUN gives UTF8String).
 */
function directoryString(s) {
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
    return (0,keys_der/* tlv */.t)(printable ? keys_der/* TAG */.Dk.PRINTABLE_STRING : keys_der/* TAG */.Dk.UTF8_STRING, Buffer.from(s, 'utf8'));
}

// EXTERNAL MODULE: ./src/tuf/canonical.ts
var canonical = __webpack_require__(5493);
// EXTERNAL MODULE: ./src/tuf/envelope.ts
var envelope = __webpack_require__(4843);
// EXTERNAL MODULE: ./src/tuf/models.ts
var models = __webpack_require__(9525);
// EXTERNAL MODULE: ./src/tuf/time.ts
var time = __webpack_require__(9130);
// EXTERNAL MODULE: ./src/tuf/load.ts + 2 modules
var load = __webpack_require__(4687);
// EXTERNAL MODULE: ./src/signer/admin/repo.ts
var admin_repo = __webpack_require__(5820);
// EXTERNAL MODULE: ./src/signer/admin/signer-keys.ts
var signer_keys = __webpack_require__(295);
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
 * trust data for it (nothing is changed), and whatever the key sources throw.
 */
async function initRepository(opts) {
    if (opts.signer !== undefined)
        checkSigner(opts.signer.name, opts.signer.keys);
    return withRepository(opts, async (conn) => {
        if ((await loadIfExists(conn, opts)) !== undefined) {
            throw new DctError('REPO_EXISTS', `${conn.server} already has trust data for ${conn.gun}; nothing was changed`);
        }
        return (await createRepository(conn, opts, opts.newRepository, opts.signer)).init;
    });
}
function checkSigner(name, keys) {
    (0,signer_keys/* validateSignerName */._)(name);
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
    const targetsKey = (0,keyid/* tufKeyFromKeyObject */.rr)(repoKey);
    const targetsId = (0,keyid/* keyIdOf */.yg)(targetsKey);
    if (targetsId === cert.canonicalId) {
        throw new errors/* DctError */.sY('KEY_REUSED', `${conn.gun}: the repository key must not be the root key (${(0,keyid/* shortId */.m_)(targetsId)}); give a key of its own`);
    }
    for (const k of signer?.keys ?? [])
        checkNotAdminKey(conn.gun, k, [cert.canonicalId, targetsId]);
    const ids = {
        root: cert.keyId,
        targets: targetsId,
        timestamp: (0,keyid/* keyIdOf */.yg)(timestampKey),
        snapshot: (0,keyid/* keyIdOf */.yg)(snapshotKey),
    };
    const root = newRoot({
        [ids.root]: cert.tufKey,
        [ids.targets]: targetsKey,
        [ids.timestamp]: timestampKey,
        [ids.snapshot]: snapshotKey,
    }, ids, now);
    const rootFile = (0,envelope/* signEnvelope */.Yj)(root, [(0,admin_repo/* keySigner */.Ye)(ids.root, rootKey)]);
    const targets = (0,models/* updatedTargets */.wo)(undefined, (t) => {
        if (signer === undefined)
            return;
        // docker stages targets/<name> before targets/releases (§6.4): that is the list order.
        addDelegationKeys(t, `targets/${signer.name}`, signer.keys);
        addDelegationKeys(t, RELEASES, signer.keys);
    }, now);
    const targetsFile = (0,envelope/* signEnvelope */.Yj)(targets, [(0,admin_repo/* keySigner */.Ye)(ids.targets, repoKey)]);
    // Root must come with the first publish; snapshot is the server's (§5.3).
    await conn.notary.publish(new Map([
        ['root', rootFile.bytes],
        ['targets', targetsFile.bytes],
    ]));
    const repo = await (0,load/* loadTrustedRepo */._)(conn.notary, { gun: conn.gun, now: opts.now?.() });
    if (repo === undefined || !repo.root.bytes.equals(rootFile.bytes)) {
        throw new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', `${conn.gun}: after creating the repository the server shows ${repo === undefined ? 'no trust data' : 'another root'}; another client may have created it at the same time`);
    }
    const top = repo.targets.get('targets')?.signed;
    if (signer !== undefined) {
        const keyIds = signer.keys.map((k) => k.id);
        for (const role of [`targets/${signer.name}`, RELEASES]) {
            if (top === undefined || !hasDelegationKeys(top, role, keyIds)) {
                throw new errors/* DctError */.sY('PUBLISH_UNCONFIRMED', `${conn.gun}: the server does not show ${role} after creating the repository`);
            }
        }
    }
    await (0,publish/* saveTrust */.O1)({ conn, trustStore: opts.trustStore, log: opts.log }, repo);
    opts.log.info(`${conn.gun}: created with root key ${(0,keyid/* shortId */.m_)(cert.canonicalId)} (certificate ${(0,keyid/* shortId */.m_)(ids.root)}, valid until ${cert.notAfter.toISOString()}) and repository key ${(0,keyid/* shortId */.m_)(ids.targets)}; the server holds the timestamp and snapshot keys`);
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
    const keyMap = (0,canonical/* bareObject */.A6)();
    Object.assign(keyMap, keys);
    return (0,models/* asRoot */.tE)({
        _type: 'Root',
        consistent_snapshot: false,
        expires: (0,time/* goTime */.ud)((0,time/* addDays */.fi)(now, models/* ROOT_EXPIRY_DAYS */.$d)),
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
        throw new errors/* DctError */.sY('SIGNER_KEY_IN_USE', `${key.source} is a key ${gun} already uses as its root or repository key (${(0,keyid/* shortId */.m_)(key.canonicalId)}); a signer needs a key of its own (\`dct key generate NAME\`)`);
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
    return (0,admin_repo/* withRepository */.Bq)(opts, async (conn) => {
        let repo = await (0,admin_repo/* loadIfExists */.oi)(conn, opts);
        if (repo === undefined) {
            if (opts.newRepository === undefined)
                throw notFound(conn.server, conn.gun, opts);
            try {
                const created = await createRepository(conn, opts, opts.newRepository, {
                    name: opts.name,
                    keys: opts.signerKeys,
                });
                opts.log.info(`${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(keyid/* shortId */.m_).join(', ')})`);
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
                repo = await (0,admin_repo/* loadIfExists */.oi)(conn, opts);
                if (repo === undefined)
                    throw e;
                opts.log.info(`${conn.gun}: another client created the repository meanwhile; adding the signer to it`);
            }
        }
        let after;
        const plan = (r) => {
            const signers = (0,admin_repo/* baseRoleSigners */.D6)(r, opts.keys, 'targets');
            for (const k of opts.signerKeys)
                checkNotAdminKey(r.gun, k, (0,admin_repo/* baseKeyIds */.Tw)(r));
            const top = r.targets.get('targets').signed;
            after = top.delegations;
            if (hasDelegationKeys(top, role, keyIds) && hasDelegationKeys(top, RELEASES, keyIds))
                return [];
            const edit = (t) => {
                addDelegationKeys(t, role, opts.signerKeys);
                addDelegationKeys(t, RELEASES, opts.signerKeys);
                after = t.delegations;
            };
            return [{ role: 'targets', signers, edit }];
        };
        const confirm = (r) => {
            const top = r.targets.get('targets').signed;
            for (const name of [role, RELEASES]) {
                if (!hasDelegationKeys(top, name, keyIds))
                    return `${name} does not list the signer's keys`;
            }
            return undefined;
        };
        // Everything that can fail (keys, the signer keys' own roles) fails before publishing.
        const changed = plan(repo).length > 0;
        await (0,publish/* publishChange */.YD)((0,admin_repo/* publishContext */.HO)(conn, opts.keys, opts), plan, confirm, repo);
        opts.log.info(changed
            ? `${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(keyid/* shortId */.m_).join(', ')})`
            : `${conn.gun}: signer ${opts.name} already had these keys; nothing to publish`);
        const idsOf = (name) => after?.roles.find((d) => d.name === name)?.keyids ?? [];
        return {
            gun: conn.gun,
            server: conn.server,
            role,
            keyIds: [...idsOf(role)],
            releasesKeyIds: [...idsOf(RELEASES)],
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
    (0,signer_keys/* validateSignerName */._)(opts.name);
    const role = `targets/${opts.name}`;
    return (0,admin_repo/* withRepository */.Bq)(opts, async (conn) => {
        const repo = await (0,admin_repo/* loadIfExists */.oi)(conn, opts);
        if (repo === undefined)
            throw notFound(conn.server, conn.gun);
        const top = repo.targets.get('targets').signed;
        const entry = top.delegations.roles.find((d) => d.name === role);
        if (entry === undefined) {
            const names = top.delegations.roles
                .map((d) => d.name)
                .filter((n) => n !== RELEASES && /^targets\/[^/]+$/.test(n))
                .map((n) => n.slice('targets/'.length));
            throw new errors/* DctError */.sY('SIGNER_NOT_FOUND', `${conn.gun} has no signer ${opts.name} (signers: ${names.join(', ') || 'none'})`);
        }
        (0,admin_repo/* baseRoleSigners */.D6)(repo, opts.keys, 'targets'); // the repository key, before any question
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
                removeDelegationKeys(next, RELEASES, ids);
            };
            return [{ role: 'targets', signers: (0,admin_repo/* baseRoleSigners */.D6)(r, opts.keys, 'targets'), edit }];
        };
        const confirm = (r) => {
            const t = r.targets.get('targets').signed;
            if (t.delegations.roles.some((d) => d.name === role))
                return `${role} is still delegated`;
            if (releasesKeys(t).some((id) => removed.includes(id))) {
                return `${RELEASES} still lists the keys of ${opts.name}`;
            }
            return undefined;
        };
        await (0,publish/* publishChange */.YD)((0,admin_repo/* publishContext */.HO)(conn, opts.keys, opts), plan, confirm, repo);
        opts.log.info(`${conn.gun}: removed signer ${opts.name}`);
        return warning === undefined ? { ...base, removed: true } : { ...base, removed: true, warning };
    });
}
function releasesKeys(t) {
    return t.delegations.roles.find((d) => d.name === RELEASES)?.keyids ?? [];
}
/** The signer's keys to take out of `targets/releases`: those no other signer still uses. */
function keysToRemove(t, role, keyIds) {
    const others = t.delegations.roles.filter((d) => d.name !== role && d.name !== RELEASES);
    return keyIds.filter((id) => !others.some((d) => d.keyids.includes(id)));
}
/**
 * Why removing `removed` from `targets/releases` would hurt (docker asks the same before it
 * removes the signer of the last release): fewer keys than its threshold remain, or the
 * tags in its current file are signed by too few of the remaining keys.
 */
function lastSignerProblem(repo, name, removed) {
    const top = repo.targets.get('targets').signed;
    const releases = top.delegations.roles.find((d) => d.name === RELEASES);
    if (releases === undefined || !releases.keyids.some((id) => removed.includes(id)))
        return undefined;
    const remaining = releases.keyids.filter((id) => !removed.includes(id));
    const file = repo.targets.get(RELEASES);
    const tags = file === undefined ? 0 : Object.keys(file.signed.targets).length;
    const tagText = `${tags} tag${tags === 1 ? '' : 's'}`;
    if (remaining.length < releases.threshold) {
        return `signer ${name} is the last signer of ${RELEASES} in ${repo.gun}: without it no key can sign releases${tags > 0 ? `, and the ${tagText} released there stop verifying` : ''}`;
    }
    if (file !== undefined && tags > 0) {
        const signedBy = new Set(file.signatures.map((s) => s.keyid).filter((id) => remaining.includes(id)));
        if (signedBy.size < releases.threshold) {
            return `signer ${name} signed the current ${RELEASES} of ${repo.gun}: without it the ${tagText} released there stop verifying until another signer signs again`;
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

;// CONCATENATED MODULE: ./src/signer/admin/images.ts
/**
 * The action's `signer-add` and `signer-remove` (ACTION.md): one signer, each repository of
 * `images`, one line per failed image. Repositories are independent: each is verified and
 * published on its own, and one failing never leaves another half-published.
 */




function addSignerToImages(opts) {
    return (0,signer_images/* eachRepository */._4)(opts.images, async (ref) => {
        const out = await addSigner({
            ...opts,
            repository: ref.gun,
            name: opts.signer,
            signerKeys: opts.signerKeys,
            newRepository: fromKeyRing(opts.keys, ref.gun),
        });
        return {
            image: ref.input,
            gun: ref.gun,
            signer: opts.signer,
            keyIds: opts.signerKeys.map((k) => k.id),
            result: out.changed ? 'added' : 'unchanged',
            created: out.initialized !== undefined,
        };
    });
}
function removeSignerFromImages(opts) {
    return (0,signer_images/* eachRepository */._4)(opts.images, async (ref) => {
        const out = await removeSigner({ ...opts, repository: ref.gun, name: opts.signer });
        return {
            image: ref.input,
            gun: ref.gun,
            signer: opts.signer,
            keyIds: out.keyIds,
            result: out.removed ? 'removed' : 'unchanged',
            created: false,
        };
    });
}
/**
 * A new repository from the keys the action was given: the first root key (docker's choice,
 * by ID) and the repository key for this GUN (`role: targets`, `gun:` this repository or none).
 */
function fromKeyRing(keys, gun) {
    const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return {
        rootKey: () => {
            const root = keys
                .held()
                .filter((k) => k.role === 'root')
                .sort(byId)[0];
            if (root === undefined) {
                throw new errors/* DctError */.sY('ROOT_KEY_MISSING', `${gun} has no trust data yet; to create it, \`keys\` must hold a root key (opened with \`root-passphrase\`) and a repository key (\`role: targets\`)`);
            }
            return root.key;
        },
        repositoryKey: () => {
            const fit = keys
                .held()
                .filter((k) => k.role === 'targets' && (k.gun === undefined || k.gun === gun))
                .sort((a, b) => Number(a.gun !== gun) - Number(b.gun !== gun) || byId(a, b));
            if (fit[0] === undefined) {
                const others = keys.held().filter((k) => k.role === 'targets');
                throw new errors/* DctError */.sY('REPOSITORY_KEY_MISSING', `${gun} has no trust data yet; to create it, \`keys\` must hold a repository key for it (a key file with \`role: targets\` and \`gun: ${gun}\`, or no gun)${others.length > 0 ? `; the targets keys given are for ${others.map((k) => `${k.gun ?? '?'} (${(0,keyid/* shortId */.m_)(k.id)})`).join(', ')}` : ''}`);
            }
            return fit[0].key;
        },
    };
}


/***/ }),

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

//# sourceMappingURL=337.index.js.map