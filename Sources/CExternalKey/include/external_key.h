// A private key that lives outside the process (a PKCS#11 token's), made usable by
// mbedTLS 2.28 wherever a `mbedtls_pk_context` is: TLS client signatures, CAPF's
// signatures, the `.enc.sgn` key unwrap. This file and external_key.c are the one place
// that knows how: RSA through `mbedtls_pk_setup_rsa_alt`, EC through a copy of mbedTLS's
// ECKEY `mbedtls_pk_info_t` (2.28 installs pk_internal.h) whose signing goes out. A move
// to mbedTLS 3.6 replaces these two files with PSA opaque keys.
#ifndef PHONE_EXTERNAL_KEY_H
#define PHONE_EXTERNAL_KEY_H

#include <stddef.h>

/// What the platform does with a key it holds. Each returns 0; or
/// `PHONE_EXTERNAL_KEY_REFUSED_INPUT` when the input cannot be right for this key (a
/// ciphertext that does not decrypt with it), which mbedTLS sees as its own error for the
/// same case with a key in memory (`MBEDTLS_ERR_RSA_INVALID_PADDING`); or the key store's
/// own nonzero code (a PKCS#11 CKR value): the store itself failed.
typedef struct phone_external_key_ops {
    /// RSA: PKCS#1 v1.5 type-1 padding of `input` (a DigestInfo, or CAPF's bare hash),
    /// raised to the private exponent (CKM_RSA_PKCS). EC: ECDSA of the hash, r || s.
    unsigned long (*sign)(void *key, const unsigned char *input, size_t length,
                          unsigned char *out, size_t capacity, size_t *written);
    /// RSA PKCS#1 v1.5 decryption (CKM_RSA_PKCS).
    unsigned long (*decrypt)(void *key, const unsigned char *input, size_t length,
                             unsigned char *out, size_t capacity, size_t *written);
    /// The key is no longer used.
    void (*release)(void *key);
} phone_external_key_ops;

/// The mbedTLS error code a failure of the platform's comes back as:
/// `PHONE_EXTERNAL_KEY_ERROR_BASE - code` (codes above 0xFFFF as 0xFFFF).
#define PHONE_EXTERNAL_KEY_ERROR_BASE (-0x10000)

/// The input cannot be right for the key: not a failure of the key store.
#define PHONE_EXTERNAL_KEY_REFUSED_INPUT 0x7FFFFFFFUL  /* no PKCS#11 code: theirs are small, or vendor ones from 0x80000000 */

/// A signature or plaintext the platform returned of a length that cannot be right.
#define PHONE_EXTERNAL_KEY_BAD_LENGTH (-0x20000)

typedef struct phone_external_key phone_external_key;

/// Sets up `pk` (initialized, empty) as the key whose public half is `public_key`'s and
/// whose private operations go to `ops` with `key`. Returns the handle to free with
/// `phone_external_key_free` after `mbedtls_pk_free(pk)`, or NULL (then `ops->release`
/// was called). `public_key` is a `const mbedtls_pk_context *`.
phone_external_key *phone_external_key_setup(void *pk, const void *public_key,
                                             const phone_external_key_ops *ops, void *key);
void phone_external_key_free(phone_external_key *handle);

#endif
