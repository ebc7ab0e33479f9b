#ifndef OPENSSL_REFERENCE_H
#define OPENSSL_REFERENCE_H
#include <stddef.h>
#include <stdint.h>
#include "enc_sgn_floor.h"

/// Keys parsed once and contexts reused between calls.
typedef struct openssl_reference openssl_reference;

/// PEM texts (lengths without or with the NUL; both work). NULL on failure.
openssl_reference *openssl_reference_create(const uint8_t *signer_certificate_pem, size_t certificate_length,
                                            const uint8_t *private_key_pem, size_t key_length);
void openssl_reference_free(openssl_reference *reference);

/// The same .enc.sgn steps as enc_sgn_floor_decrypt, on OpenSSL's libcrypto.
long openssl_reference_decrypt(openssl_reference *reference, const uint8_t *file, const enc_sgn_layout *layout,
                               uint8_t *out, size_t out_capacity);
#endif
