/**
 * How TUF code signs without holding private keys: a `TufSigner` per key, handed out by the
 * key ring. The interface lives in `keys/` (below `tuf/`), so the key ring need not import up.
 */
export type { TufSigner } from '../keys/sign.js';
