/**
 * How TUF code signs without holding private keys (the tuf-js habit): the key ring hands out
 * a `TufSigner` per key, and metadata code calls it with the canonical bytes.
 */
export interface TufSigner {
  /** The TUF key ID written in the signature (for root: the certificate key's ID). */
  readonly keyId: string;
  /** Signs the message; `method` is notary's lowercase name: ecdsa | rsapss | eddsa. */
  sign(message: Uint8Array): { method: string; sig: Buffer };
}
