export const id = 182;
export const ids = [182];
export const modules = {

/***/ 6182:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   revokeImages: () => (/* binding */ revokeImages)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3916);
/* harmony import */ var _connect_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1580);
/* harmony import */ var _images_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(486);
/* harmony import */ var _publish_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4049);
/* harmony import */ var _roles_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7331);
/* harmony import */ var _targets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(9340);
/**
 * `revoke`: remove the tags from every role the keys may sign (as `docker trust revoke`
 * did, notary-spec.md §6.8), publish, and confirm by reading back.
 */






function revokeImages(opts) {
    return (0,_connect_js__WEBPACK_IMPORTED_MODULE_1__/* .perRepository */ .U)(opts, true, (conn, group, prepared) => revokeGroup(conn, group.refs, prepared, opts), 
    // Every repository is verified and planned (each tag signed, keys allowed) first.
    async (conn, group) => {
        const repo = await (0,_publish_js__WEBPACK_IMPORTED_MODULE_3__/* .loadRepo */ .R0)({ conn, rootKeyIds: opts.rootKeyIds }, await opts.trustStore?.load(conn.gun));
        const planner = revokePlanner(group.refs, opts);
        planner.plan(repo);
        return { repo, planner };
    });
}
async function revokeGroup(conn, refs, { repo, planner }, opts) {
    await (0,_publish_js__WEBPACK_IMPORTED_MODULE_3__/* .publishChange */ .YD)({ ...opts, conn, log: opts.log }, planner.plan, planner.confirm, repo);
    return refs.map((ref) => {
        const r = planner.removed.get(ref);
        if (r === undefined)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .DctError */ .sY('NOT_SIGNED', `${ref.input}: nothing was removed`);
        opts.log.info(`revoked ${ref.input} (${r.digest}) from ${r.roles.join(', ')}`);
        return { image: ref.input, gun: ref.gun, tag: ref.tag, ...r };
    });
}
/** The change `revoke` makes, as a pure function of a verified repository. */
function revokePlanner(refs, opts) {
    // What each tag was signed as, from the first read (the output reports it).
    const removed = new Map();
    const plan = (repo) => {
        const roles = (0,_roles_js__WEBPACK_IMPORTED_MODULE_4__/* .signableRoles */ .V4)(repo, opts.keys, opts.signers, (m) => opts.log.warning(m));
        const edits = new Map();
        const notSigned = [];
        for (const ref of refs) {
            const forTag = (0,_roles_js__WEBPACK_IMPORTED_MODULE_4__/* .rolesForTag */ .lD)(roles, ref.tag);
            const holding = forTag.filter((r) => (0,_targets_js__WEBPACK_IMPORTED_MODULE_5__/* .lookup */ .$I)(repo.targets.get(r.role)?.signed, ref.tag));
            const prev = removed.get(ref);
            if (holding.length === 0) {
                if (prev === undefined)
                    notSigned.push(ref);
                continue;
            }
            const file = (0,_targets_js__WEBPACK_IMPORTED_MODULE_5__/* .lookup */ .$I)(repo.targets.get(holding[0].role)?.signed, ref.tag);
            removed.set(ref, {
                digest: (0,_targets_js__WEBPACK_IMPORTED_MODULE_5__/* .digestOf */ .ol)(file) ?? 'unknown',
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
            throw new _images_js__WEBPACK_IMPORTED_MODULE_2__/* .GroupImagesError */ .AT(notSigned.map((ref) => ({
                image: ref.input,
                code: 'NOT_SIGNED',
                message: `no signed tag to remove: ${ref.tag} is in no role the keys may sign`,
            })));
        }
        return [...edits.values()];
    };
    const confirm = (repo) => {
        for (const ref of refs) {
            for (const role of removed.get(ref)?.roles ?? []) {
                if ((0,_targets_js__WEBPACK_IMPORTED_MODULE_5__/* .lookup */ .$I)(repo.targets.get(role)?.signed, ref.tag) !== undefined) {
                    return `${ref.tag} is still listed in ${role}`;
                }
            }
        }
        return undefined;
    };
    return { plan, confirm, removed };
}


/***/ })

};

//# sourceMappingURL=182.index.js.map