#ifndef ENC_SGN_FLOOR_H
#define ENC_SGN_FLOOR_H
#include <stddef.h>
#include <stdint.h>

/// Where each field of one .enc.sgn lies, found once by the benchmark's setup so the
/// floor and the reference do no parsing. Offsets into the file; ranges are half-open.
typedef struct {
    size_t head_start, head_end;      // signed bytes before the signature element
    size_t tail_start, tail_end;      // signed bytes after it (the rest of the file)
    size_t signature_start, signature_length;
    size_t wrapped_key_start, wrapped_key_length;
    size_t iv_start;                  // 16 bytes
    size_t body_start, body_length;   // AES-128-CBC ciphertext, whole blocks
    size_t digest_start;              // SHA-1 of the plaintext, 20 bytes
    size_t padding_count;
} enc_sgn_layout;

/// Parsed keys and a seeded CTR-DRBG, made once.
typedef struct enc_sgn_floor enc_sgn_floor;

/// PEM texts, NUL-terminated lengths included (as mbedTLS wants them). NULL on failure.
enc_sgn_floor *enc_sgn_floor_create(const uint8_t *signer_certificate_pem, size_t certificate_length,
                                    const uint8_t *private_key_pem, size_t key_length);
void enc_sgn_floor_free(enc_sgn_floor *floor);

/// The .enc.sgn steps on bare mbedTLS primitives, SHA-1 signer and digest: hash the
/// signed ranges, verify the RSA signature, unwrap the AES key, decrypt into `out`
/// (at least body_length bytes), hash the plaintext and compare. Returns the plaintext
/// length, or a negative step number on failure.
long enc_sgn_floor_decrypt(enc_sgn_floor *floor, const uint8_t *file, const enc_sgn_layout *layout,
                           uint8_t *out, size_t out_capacity);
#endif
