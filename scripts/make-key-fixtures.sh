#!/usr/bin/env bash
# Regenerates __tests__/fixtures/keys/ with the real notary CLI (0.7, /usr/bin/notary) and
# openssl. Every key ID in manifest.json is the one notary itself computed (its file name in
# the trust dir), so the tests check our key IDs against notary's, not against our own code.
#
#   scripts/make-key-fixtures.sh            # writes __tests__/fixtures/keys/
set -euo pipefail

OUT="$(cd "$(dirname "$0")/.." && pwd)/__tests__/fixtures/keys"
ROOT_PASS='root-Pass-2718'
REPO_PASS='repo-Pass-3141'
GUN='docker.io/acme/app'
LEGACY_GUN='docker.io/acme/legacy'
# > 100 characters, so GNU tar needs ././@LongLink and pax a `path` record.
LONG_GUN='registry.example.com:5000/a-team-with-a-rather-long-name/and-a-deeply-nested/repository-path-that-goes-on'

W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
TD="$W/trust"
export NOTARY_ROOT_PASSPHRASE="$ROOT_PASS" NOTARY_TARGETS_PASSPHRASE="$REPO_PASS" \
  NOTARY_SNAPSHOT_PASSPHRASE="$REPO_PASS" NOTARY_DELEGATION_PASSPHRASE="$REPO_PASS"

rm -rf "$OUT"
mkdir -p "$OUT/trust-private" "$OUT/legacy" "$OUT/plain"
MANIFEST="$W/manifest.jsonl"
: >"$MANIFEST"

# record FILE ID ROLE GUN TYPE PASS-INPUT
record() {
  jq -nc --arg file "$1" --arg id "$2" --arg role "$3" --arg gun "$4" --arg type "$5" \
    --arg pass "$6" '{file:$file,id:$id,role:$role,gun:$gun,type:$type,passphrase:$pass}' \
    >>"$MANIFEST"
}

# newest_key DIR: the file notary just wrote (its base name is notary's key ID)
new_key() {
  local before="$1"
  comm -13 <(echo "$before") <(ls "$TD/private" | sort) | head -1
}

# notary_import FILE ROLE [GUN] -> prints the key ID notary gave the (unencrypted) key
notary_import() {
  local before
  before="$(ls "$TD/private" 2>/dev/null | sort || true)"
  if [ -n "${3:-}" ]; then
    notary -d "$TD" key import -r "$2" -g "$3" "$1" >/dev/null
  else
    notary -d "$TD" key import -r "$2" "$1" >/dev/null
  fi
  new_key "$before" | sed 's/\.key$//'
}

# notary_id FILE ROLE: notary's ID of an unencrypted key, from a scratch trust dir
notary_id() {
  local scratch="$W/scratch-$RANDOM"
  mkdir -p "$scratch/private"
  notary -d "$scratch" key import -r "$2" "$1" >/dev/null
  ls "$scratch/private" | sed 's/\.key$//'
}

# --- keys written by notary itself (flat layout, ENCRYPTED PRIVATE KEY + role/gun headers) ---
mkdir -p "$TD/private"
before="$(ls "$TD/private" | sort)"
notary -d "$TD" key generate ecdsa --role root >/dev/null
ROOT_ID="$(new_key "$before" | sed 's/\.key$//')"
record "trust-private/$ROOT_ID.key" "$ROOT_ID" root '' ecdsa root-passphrase
# The x509 certificate root.json would list for that key (keytype ecdsa-x509, §2), made by
# openssl, which reads notary's PBES2 file once the PEM headers are gone (§1.2, §1.4).
grep -v -e '^role:' -e '^gun:' -e '^$' "$TD/private/$ROOT_ID.key" |
  openssl pkcs8 -passin "pass:$ROOT_PASS" -out "$W/root.plain.pem"
openssl req -x509 -new -key "$W/root.plain.pem" -subj "/CN=${GUN//\//\\/}" -days 3650 -sha256 \
  -out "$OUT/root-cert.pem"

before="$(ls "$TD/private" | sort)"
notary -d "$TD" key generate ecdsa --role targets/releases >/dev/null
REL_ID="$(new_key "$before" | sed 's/\.key$//')"
record "trust-private/$REL_ID.key" "$REL_ID" targets/releases '' ecdsa passphrase

# Imported unencrypted keys are encrypted by notary in its own PKCS#8 form (§1.3).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/targets.pem" 2>/dev/null
TGT_ID="$(notary_import "$W/targets.pem" targets "$GUN")"
record "trust-private/$TGT_ID.key" "$TGT_ID" targets "$GUN" ecdsa passphrase

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$W/snapshot.pem" 2>/dev/null
SNAP_ID="$(notary_import "$W/snapshot.pem" snapshot "$GUN")"
record "trust-private/$SNAP_ID.key" "$SNAP_ID" snapshot "$GUN" ecdsa passphrase

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$W/p521.pem" 2>/dev/null
P521_ID="$(notary_import "$W/p521.pem" targets/p521)"
record "trust-private/$P521_ID.key" "$P521_ID" targets/p521 '' ecdsa passphrase

openssl genrsa -out "$W/rsa.pem" 2048 2>/dev/null
RSA_ID="$(notary_import "$W/rsa.pem" targets/rsa)"
record "trust-private/$RSA_ID.key" "$RSA_ID" targets/rsa '' rsa passphrase

# Ed25519: notary reads its legacy raw form (pub ‖ seed ‖ pub) and writes its own PKCS#8 OID.
openssl genpkey -algorithm ed25519 -out "$W/ed.pem"
openssl pkey -in "$W/ed.pem" -outform DER | tail -c 32 >"$W/ed.seed"
openssl pkey -in "$W/ed.pem" -pubout -outform DER | tail -c 32 >"$W/ed.pub"
{
  echo '-----BEGIN ED25519 PRIVATE KEY-----'
  cat "$W/ed.pub" "$W/ed.seed" "$W/ed.pub" | base64 -w 64
  echo '-----END ED25519 PRIVATE KEY-----'
} >"$W/ed-raw.pem"
ED_ID="$(notary_import "$W/ed-raw.pem" targets/ed)"
record "trust-private/$ED_ID.key" "$ED_ID" targets/ed '' ed25519 passphrase

cp "$TD"/private/*.key "$OUT/trust-private/"
# What `notary key export` writes: every block with a `path:` header naming its key ID.
notary -d "$TD" key export -o "$OUT/notary-export.pem" >/dev/null

# --- legacy OpenSSL "Proc-Type: 4,ENCRYPTED" PEM (§1.5) ---
openssl ecparam -name prime256v1 -genkey -noout -out "$W/legacy-ec.plain.pem"
LEC_ID="$(notary_id "$W/legacy-ec.plain.pem" targets/legacy)"
openssl ec -in "$W/legacy-ec.plain.pem" -aes256 -passout "pass:$REPO_PASS" 2>/dev/null |
  sed '/^DEK-Info:/a role: targets/legacy' >"$OUT/legacy/ec-aes256.pem"
record legacy/ec-aes256.pem "$LEC_ID" targets/legacy '' ecdsa passphrase

openssl genrsa -out "$W/legacy-rsa.plain.pem" 2048 2>/dev/null
LRSA_ID="$(notary_id "$W/legacy-rsa.plain.pem" targets/legacyrsa)"
openssl rsa -in "$W/legacy-rsa.plain.pem" -traditional -aes256 -passout "pass:$REPO_PASS" \
  -out "$OUT/legacy/rsa-aes256.pem" 2>/dev/null
record legacy/rsa-aes256.pem "$LRSA_ID" '' '' rsa passphrase

# --- unencrypted keys (accepted with a warning) ---
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/plain/pkcs8.pem" 2>/dev/null
record plain/pkcs8.pem "$(notary_id "$OUT/plain/pkcs8.pem" targets/plain)" '' '' ecdsa ''
openssl ecparam -name prime256v1 -genkey -noout -out "$OUT/plain/sec1.pem"
record plain/sec1.pem "$(notary_id "$OUT/plain/sec1.pem" targets/plain)" '' '' ecdsa ''
# A public key as `docker trust key generate` writes it: ignored with a note.
openssl pkey -in "$OUT/plain/pkcs8.pem" -pubout | sed '1a role: ci\n' >"$OUT/plain/public.pem"

# --- a backup of the private folder, with the legacy sub-folders of old notary versions ---
P="$W/tree/home/runner/.docker/trust/private"
mkdir -p "$P/root_keys" "$P/tuf_keys/$LEGACY_GUN" "$P/tuf_keys/$LONG_GUN"
cp "$TD"/private/*.key "$P/"
# legacy root: Proc-Type encrypted, no headers; role comes from root_keys/<id>_root.key
openssl ecparam -name prime256v1 -genkey -noout -out "$W/lroot.plain.pem"
LROOT_ID="$(notary_id "$W/lroot.plain.pem" root)"
openssl ec -in "$W/lroot.plain.pem" -aes256 -passout "pass:$ROOT_PASS" \
  -out "$P/root_keys/${LROOT_ID}_root.key" 2>/dev/null
record "tar:root_keys/${LROOT_ID}_root.key" "$LROOT_ID" root '' ecdsa root-passphrase
# legacy targets key: role and gun from tuf_keys/<gun>/<id>_targets.key
openssl ecparam -name prime256v1 -genkey -noout -out "$W/ltgt.plain.pem"
LTGT_ID="$(notary_id "$W/ltgt.plain.pem" targets/x)"
openssl ec -in "$W/ltgt.plain.pem" -aes256 -passout "pass:$REPO_PASS" \
  -out "$P/tuf_keys/$LEGACY_GUN/${LTGT_ID}_targets.key" 2>/dev/null
record "tar:tuf_keys/$LEGACY_GUN/${LTGT_ID}_targets.key" "$LTGT_ID" targets "$LEGACY_GUN" ecdsa passphrase
# a notary-encrypted key under a path longer than 100 characters
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/long.pem" 2>/dev/null
LONG_TD="$W/long-trust"
mkdir -p "$LONG_TD/private"
notary -d "$LONG_TD" key import -r snapshot -g "$LONG_GUN" "$W/long.pem" >/dev/null
LONG_ID="$(ls "$LONG_TD/private" | sed 's/\.key$//')"
sed '/^gun:/d; /^role:/d' "$LONG_TD/private/$LONG_ID.key" | sed '1{n;/^$/d}' \
  >"$P/tuf_keys/$LONG_GUN/${LONG_ID}_snapshot.key"
record "tar:tuf_keys/$LONG_GUN/${LONG_ID}_snapshot.key" "$LONG_ID" snapshot "$LONG_GUN" ecdsa passphrase

# GNU format (the default), as `tar -zcvf backup.tar.gz ~/.docker/trust/private` makes it
tar -C "$W/tree" --format=gnu -czf "$OUT/backup-gnu.tar.gz" home/runner/.docker/trust/private
# pax format, relative to the trust dir
tar -C "$W/tree/home/runner/.docker/trust" --format=pax -czf "$OUT/backup-pax.tar.gz" private

jq -s --arg root "$ROOT_PASS" --arg repo "$REPO_PASS" --arg gun "$GUN" \
  '{rootPassphrase:$root, passphrase:$repo, gun:$gun, keys:.}' "$MANIFEST" >"$OUT/manifest.json"
cat >"$OUT/README.md" <<'README'
# Key fixtures

Made by `scripts/make-key-fixtures.sh` (which also writes this file) with the real notary CLI
0.7 (`/usr/bin/notary`) and openssl; `manifest.json` lists every key with the key ID **notary**
computed (its file name in notary's trust dir), its role, gun, type and which passphrase opens
it. Test keys only.

- `trust-private/` — notary's own `ENCRYPTED PRIVATE KEY` files: root and targets/releases from
  `notary key generate`; targets (P-256), snapshot (P-384), targets/p521, targets/rsa (RSA-2048)
  and targets/ed (Ed25519, notary's OID form) encrypted by `notary key import`.
- `notary-export.pem` — `notary key export` of that trust dir (blocks with `path:` headers).
- `legacy/` — OpenSSL `Proc-Type: 4,ENCRYPTED` / AES-256-CBC PEM (EC with a notary 0.3 style
  `role:` header after `DEK-Info`, and RSA).
- `plain/` — unencrypted PKCS#8 and SEC1 keys, and a `PUBLIC KEY` with a `role:` header.
- `root-cert.pem` — an x509 certificate (CN = the gun) for the root key, made by openssl.
- `backup-gnu.tar.gz` (`home/runner/.docker/trust/private/…`, GNU format with `././@LongLink`)
  and `backup-pax.tar.gz` (`private/…`, pax): the flat keys plus legacy `root_keys/<id>_root.key`
  and `tuf_keys/<gun>/<id>_<role>.key` files, one under a path longer than 100 characters.
README
echo "wrote $OUT"
