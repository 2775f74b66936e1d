/** The key rules notary applies, in one place for every module that checks a key. */

/** Go refuses RSA keys below this size (notary.MinRSABitSize): signing, verifying, certificates. */
export const MIN_RSA_BITS = 2048;
