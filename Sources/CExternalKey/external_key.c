#include "external_key.h"

#include <mbedtls/asn1write.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pk_internal.h>
#include <mbedtls/rsa.h>
#include <stdlib.h>
#include <string.h>

struct phone_external_key {
    const phone_external_key_ops *ops;
    void *key;
    size_t length;  // RSA: the modulus in bytes; EC: one coordinate in bytes
};

static int platform_error(unsigned long code) {
    return PHONE_EXTERNAL_KEY_ERROR_BASE - (int)(code > 0xFFFF ? 0xFFFF : code);
}

// MARK: RSA (rsa_alt)

static size_t rsa_length(void *context) { return ((phone_external_key *)context)->length; }

static int rsa_sign(void *context, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, int mode,
                    mbedtls_md_type_t md_alg, unsigned int hash_length, const unsigned char *hash,
                    unsigned char *signature) {
    (void)f_rng; (void)p_rng; (void)mode;
    phone_external_key *external = context;
    // CKM_RSA_PKCS pads what it is given: a DigestInfo, or (MD_NONE) CAPF's bare hash.
    unsigned char input[19 + 64];
    size_t length = 0;
    if (md_alg == MBEDTLS_MD_NONE) {
        if (hash_length > sizeof input) return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        memcpy(input, hash, hash_length);
        length = hash_length;
    } else {
        const char *oid;
        size_t oid_length;
        const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_alg);
        if (md == NULL || mbedtls_md_get_size(md) != hash_length || mbedtls_oid_get_oid_by_md(md_alg, &oid, &oid_length) != 0 ||
            oid_length > 9)
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        // DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING hash } (RFC 8017 §9.2).
        unsigned char *p = input;
        *p++ = 0x30; *p++ = (unsigned char)(8 + oid_length + hash_length);
        *p++ = 0x30; *p++ = (unsigned char)(4 + oid_length);
        *p++ = 0x06; *p++ = (unsigned char)oid_length;
        memcpy(p, oid, oid_length); p += oid_length;
        *p++ = 0x05; *p++ = 0x00;
        *p++ = 0x04; *p++ = (unsigned char)hash_length;
        memcpy(p, hash, hash_length); p += hash_length;
        length = (size_t)(p - input);
    }
    size_t written = 0;
    unsigned long code = external->ops->sign(external->key, input, length, signature, external->length, &written);
    if (code != 0) return platform_error(code);
    return written == external->length ? 0 : PHONE_EXTERNAL_KEY_BAD_LENGTH;
}

static int rsa_decrypt(void *context, int mode, size_t *output_length, const unsigned char *input, unsigned char *output,
                       size_t capacity) {
    (void)mode;
    phone_external_key *external = context;
    size_t written = 0;
    unsigned long code = external->ops->decrypt(external->key, input, external->length, output, capacity, &written);
    if (code == PHONE_EXTERNAL_KEY_REFUSED_INPUT) return MBEDTLS_ERR_RSA_INVALID_PADDING;
    if (code != 0) return platform_error(code);
    // PKCS#1 v1.5 leaves at most the modulus less 11 bytes of padding.
    if (written > capacity || written + 11 > external->length) return PHONE_EXTERNAL_KEY_BAD_LENGTH;
    *output_length = written;
    return 0;
}

// MARK: EC (ECKEY whose signature goes out)

typedef struct {
    mbedtls_ecp_keypair keypair;  // first: ECKEY's own functions see the public half
    phone_external_key *external;
} external_ec;

static void *ec_alloc(void) {
    external_ec *context = calloc(1, sizeof *context);
    if (context != NULL) mbedtls_ecp_keypair_init(&context->keypair);
    return context;
}

static void ec_free(void *context) {
    mbedtls_ecp_keypair_free(&((external_ec *)context)->keypair);
    free(context);
}

static int ec_sign(void *context, mbedtls_md_type_t md_alg, const unsigned char *hash, size_t hash_length,
                   unsigned char *signature, size_t *signature_length, int (*f_rng)(void *, unsigned char *, size_t),
                   void *p_rng) {
    (void)md_alg; (void)f_rng; (void)p_rng;
    phone_external_key *external = ((external_ec *)context)->external;
    unsigned char raw[2 * 66];
    size_t written = 0;
    unsigned long code = external->ops->sign(external->key, hash, hash_length, raw, sizeof raw, &written);
    if (code != 0) return platform_error(code);
    if (written != 2 * external->length) return PHONE_EXTERNAL_KEY_BAD_LENGTH;
    // mbedTLS wants ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }; the token gives r || s.
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    unsigned char der[MBEDTLS_ECDSA_MAX_LEN];
    unsigned char *p = der + sizeof der;
    size_t length = 0;
    int result = mbedtls_mpi_read_binary(&r, raw, external->length);
    if (result == 0) result = mbedtls_mpi_read_binary(&s, raw + external->length, external->length);
    int added;
    if (result == 0 && (added = mbedtls_asn1_write_mpi(&p, der, &s)) >= 0) length += (size_t)added; else if (result == 0) result = added;
    if (result == 0 && (added = mbedtls_asn1_write_mpi(&p, der, &r)) >= 0) length += (size_t)added; else if (result == 0) result = added;
    if (result == 0 && (added = mbedtls_asn1_write_len(&p, der, length)) >= 0) length += (size_t)added; else if (result == 0) result = added;
    if (result == 0 && (added = mbedtls_asn1_write_tag(&p, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) >= 0)
        length += (size_t)added;
    else if (result == 0) result = added;
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    if (result != 0) return result;
    memcpy(signature, p, length);
    *signature_length = length;
    return 0;
}

// The pair matches when the public points are equal (the private half never leaves the token).
static int ec_check_pair(const void *public_half, const void *private_half) {
    const mbedtls_ecp_keypair *pub = public_half, *prv = private_half;
    return pub->grp.id == prv->grp.id && mbedtls_ecp_point_cmp(&pub->Q, &prv->Q) == 0 ? 0 : MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
}

static mbedtls_pk_info_t external_ec_info;

// MARK: Setup

phone_external_key *phone_external_key_setup(void *pk_pointer, const void *public_pointer,
                                             const phone_external_key_ops *ops, void *key) {
    mbedtls_pk_context *pk = pk_pointer;
    const mbedtls_pk_context *public_key = public_pointer;
    phone_external_key *external = calloc(1, sizeof *external);
    if (external == NULL) {
        ops->release(key);
        return NULL;
    }
    external->ops = ops;
    external->key = key;
    int result = -1;
    switch (mbedtls_pk_get_type(public_key)) {
    case MBEDTLS_PK_RSA:
        external->length = mbedtls_pk_get_len(public_key);
        result = mbedtls_pk_setup_rsa_alt(pk, external, rsa_decrypt, rsa_sign, rsa_length);
        break;
    case MBEDTLS_PK_ECKEY: {
        if (external_ec_info.type == MBEDTLS_PK_NONE) {
            external_ec_info = *mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY);
            external_ec_info.sign_func = ec_sign;
            external_ec_info.check_pair_func = ec_check_pair;
            external_ec_info.ctx_alloc_func = ec_alloc;
            external_ec_info.ctx_free_func = ec_free;
            external_ec_info.decrypt_func = NULL;
        }
        const mbedtls_ecp_keypair *source = mbedtls_pk_ec(*public_key);
        external->length = (source->grp.pbits + 7) / 8;
        result = mbedtls_pk_setup(pk, &external_ec_info);
        if (result == 0) {
            external_ec *context = pk->pk_ctx;
            context->external = external;
            result = mbedtls_ecp_group_load(&context->keypair.grp, source->grp.id);
            if (result == 0) result = mbedtls_ecp_copy(&context->keypair.Q, &source->Q);
        }
        break;
    }
    default:
        break;
    }
    if (result != 0) {
        mbedtls_pk_free(pk);
        mbedtls_pk_init(pk);
        phone_external_key_free(external);
        return NULL;
    }
    return external;
}

void phone_external_key_free(phone_external_key *handle) {
    if (handle == NULL) return;
    handle->ops->release(handle->key);
    free(handle);
}
