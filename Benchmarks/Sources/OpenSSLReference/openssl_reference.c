// The .enc.sgn steps on OpenSSL's libcrypto (EVP), as a C program would do them: the
// fastest general-purpose library on this CPU, for scale.
#include "openssl_reference.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

struct openssl_reference {
    EVP_PKEY *signer_key;
    EVP_PKEY *private_key;
    EVP_MD_CTX *digest;
    EVP_CIPHER_CTX *cipher;
};

static EVP_PKEY *public_key_of(const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return NULL;
    X509 *certificate = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!certificate) return NULL;
    EVP_PKEY *key = X509_get_pubkey(certificate);
    X509_free(certificate);
    return key;
}

static EVP_PKEY *private_key_of(const uint8_t *pem, size_t length) {
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    if (!bio) return NULL;
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    return key;
}

openssl_reference *openssl_reference_create(const uint8_t *certificate_pem, size_t certificate_length,
                                            const uint8_t *key_pem, size_t key_length) {
    openssl_reference *reference = calloc(1, sizeof *reference);
    if (!reference) return NULL;
    reference->signer_key = public_key_of(certificate_pem, certificate_length);
    reference->private_key = private_key_of(key_pem, key_length);
    reference->digest = EVP_MD_CTX_new();
    reference->cipher = EVP_CIPHER_CTX_new();
    if (!reference->signer_key || !reference->private_key || !reference->digest || !reference->cipher) {
        openssl_reference_free(reference);
        return NULL;
    }
    return reference;
}

void openssl_reference_free(openssl_reference *reference) {
    if (!reference) return;
    EVP_CIPHER_CTX_free(reference->cipher);
    EVP_MD_CTX_free(reference->digest);
    EVP_PKEY_free(reference->private_key);
    EVP_PKEY_free(reference->signer_key);
    free(reference);
}

long openssl_reference_decrypt(openssl_reference *reference, const uint8_t *file, const enc_sgn_layout *layout,
                               uint8_t *out, size_t out_capacity) {
    EVP_MD_CTX *digest = reference->digest;
    if (EVP_MD_CTX_reset(digest) != 1
        || EVP_DigestVerifyInit(digest, NULL, EVP_sha1(), NULL, reference->signer_key) != 1
        || EVP_DigestVerifyUpdate(digest, file + layout->head_start, layout->head_end - layout->head_start) != 1
        || EVP_DigestVerifyUpdate(digest, file + layout->tail_start, layout->tail_end - layout->tail_start) != 1
        || EVP_DigestVerifyFinal(digest, file + layout->signature_start, layout->signature_length) != 1) return -2;

    unsigned char key[512];
    size_t key_length = sizeof key;
    EVP_PKEY_CTX *unwrap = EVP_PKEY_CTX_new(reference->private_key, NULL);
    if (!unwrap) return -3;
    int unwrapped = EVP_PKEY_decrypt_init(unwrap) == 1
        && EVP_PKEY_CTX_set_rsa_padding(unwrap, RSA_PKCS1_PADDING) == 1
        && EVP_PKEY_decrypt(unwrap, key, &key_length, file + layout->wrapped_key_start,
                            layout->wrapped_key_length) == 1
        && key_length == 16;
    EVP_PKEY_CTX_free(unwrap);
    if (!unwrapped) return -3;

    if (out_capacity < layout->body_length || layout->padding_count > layout->body_length) return -4;
    EVP_CIPHER_CTX *cipher = reference->cipher;
    int written = 0;
    int decrypted = EVP_DecryptInit_ex(cipher, EVP_aes_128_cbc(), NULL, key, file + layout->iv_start) == 1
        && EVP_CIPHER_CTX_set_padding(cipher, 0) == 1
        && EVP_DecryptUpdate(cipher, out, &written, file + layout->body_start, (int)layout->body_length) == 1
        && (size_t)written == layout->body_length;
    OPENSSL_cleanse(key, sizeof key);
    if (!decrypted) return -5;

    unsigned char hash[SHA_DIGEST_LENGTH];
    size_t plaintext_length = layout->body_length - layout->padding_count;
    SHA1(out, plaintext_length, hash);
    if (CRYPTO_memcmp(hash, file + layout->digest_start, sizeof hash) != 0) return -7;
    return (long)plaintext_length;
}
