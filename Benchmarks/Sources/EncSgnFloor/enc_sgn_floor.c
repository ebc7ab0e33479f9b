// The floor: what the .enc.sgn pipeline costs on mbedTLS with nothing else — no parsing
// (the layout is precomputed), no copies, no allocation per call, keys parsed once.
#include "enc_sgn_floor.h"

#include <mbedtls/aes.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/x509_crt.h>
#include <stdlib.h>
#include <string.h>

struct enc_sgn_floor {
    mbedtls_x509_crt signer;
    mbedtls_pk_context private_key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

enc_sgn_floor *enc_sgn_floor_create(const uint8_t *certificate_pem, size_t certificate_length,
                                    const uint8_t *key_pem, size_t key_length) {
    enc_sgn_floor *floor = calloc(1, sizeof *floor);
    if (!floor) return NULL;
    mbedtls_x509_crt_init(&floor->signer);
    mbedtls_pk_init(&floor->private_key);
    mbedtls_entropy_init(&floor->entropy);
    mbedtls_ctr_drbg_init(&floor->drbg);
    if (mbedtls_x509_crt_parse(&floor->signer, certificate_pem, certificate_length) != 0
        || mbedtls_pk_parse_key(&floor->private_key, key_pem, key_length, NULL, 0) != 0
        || mbedtls_ctr_drbg_seed(&floor->drbg, mbedtls_entropy_func, &floor->entropy,
                                 (const unsigned char *)"floor", 5) != 0) {
        enc_sgn_floor_free(floor);
        return NULL;
    }
    return floor;
}

void enc_sgn_floor_free(enc_sgn_floor *floor) {
    if (!floor) return;
    mbedtls_ctr_drbg_free(&floor->drbg);
    mbedtls_entropy_free(&floor->entropy);
    mbedtls_pk_free(&floor->private_key);
    mbedtls_x509_crt_free(&floor->signer);
    free(floor);
}

long enc_sgn_floor_decrypt(enc_sgn_floor *floor, const uint8_t *file, const enc_sgn_layout *layout,
                           uint8_t *out, size_t out_capacity) {
    unsigned char hash[20];
    mbedtls_sha1_context sha;
    mbedtls_sha1_init(&sha);
    if (mbedtls_sha1_starts_ret(&sha) != 0
        || mbedtls_sha1_update_ret(&sha, file + layout->head_start, layout->head_end - layout->head_start) != 0
        || mbedtls_sha1_update_ret(&sha, file + layout->tail_start, layout->tail_end - layout->tail_start) != 0
        || mbedtls_sha1_finish_ret(&sha, hash) != 0) {
        mbedtls_sha1_free(&sha);
        return -1;
    }
    mbedtls_sha1_free(&sha);
    if (mbedtls_pk_verify(&floor->signer.pk, MBEDTLS_MD_SHA1, hash, sizeof hash,
                          file + layout->signature_start, layout->signature_length) != 0) return -2;

    unsigned char key[512];
    size_t key_length = 0;
    if (mbedtls_pk_decrypt(&floor->private_key, file + layout->wrapped_key_start, layout->wrapped_key_length,
                           key, &key_length, sizeof key, mbedtls_ctr_drbg_random, &floor->drbg) != 0
        || key_length != 16) return -3;

    if (out_capacity < layout->body_length || layout->padding_count > layout->body_length) return -4;
    unsigned char iv[16];
    memcpy(iv, file + layout->iv_start, sizeof iv);
    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int result = mbedtls_aes_setkey_dec(&aes, key, 128);
    if (result == 0) {
        result = mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_DECRYPT, layout->body_length, iv,
                                       file + layout->body_start, out);
    }
    mbedtls_aes_free(&aes);
    mbedtls_platform_zeroize(key, sizeof key);
    if (result != 0) return -5;

    size_t plaintext_length = layout->body_length - layout->padding_count;
    if (mbedtls_sha1_ret(out, plaintext_length, hash) != 0) return -6;
    if (memcmp(hash, file + layout->digest_start, sizeof hash) != 0) return -7;
    return (long)plaintext_length;
}
