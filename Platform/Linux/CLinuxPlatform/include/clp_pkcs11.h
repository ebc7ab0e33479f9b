// A PKCS#11 token, the phone's secure element: the module loaded with dlopen from a path,
// the token chosen by label, one logged-in session for the process. Fixed-width types only
// (Embedded Swift imports it unchanged); the PKCS#11 header stays in the .c file.
// Every call returns 0 or a PKCS#11 CKR value, or one of the CLP_P11_* codes below.
#ifndef CLP_PKCS11_H
#define CLP_PKCS11_H

#include <stddef.h>
#include <stdint.h>

/// dlopen failed: no such file, or not a shared library of this machine.
#define CLP_P11_NOT_LOADABLE 0x80000001u
/// The library has no C_GetFunctionList: not a PKCS#11 module.
#define CLP_P11_NOT_A_MODULE 0x80000002u
/// No slot holds a token with the label.
#define CLP_P11_NO_TOKEN 0x80000003u
/// The module answered with something that cannot be right (an attribute longer than
/// asked for, a length past its buffer, a count above the bound).
#define CLP_P11_MALFORMED 0x80000004u

/// The CKR values the Swift side tells apart (from the PKCS#11 header, in the .c file).
extern const uint32_t CLP_CKR_PIN_INCORRECT, CLP_CKR_PIN_LOCKED, CLP_CKR_PIN_LEN_RANGE, CLP_CKR_TOKEN_NOT_PRESENT,
    CLP_CKR_DEVICE_REMOVED, CLP_CKR_DEVICE_ERROR, CLP_CKR_DEVICE_MEMORY, CLP_CKR_SESSION_CLOSED,
    CLP_CKR_SESSION_HANDLE_INVALID, CLP_CKR_USER_NOT_LOGGED_IN;

typedef struct clp_token clp_token;

/// Loads `module`, finds the token labelled `label`, opens a read-write session and logs
/// the user in with `pin` (the caller zeroizes it). `*token` is NULL on failure.
uint32_t clp_token_open(const char *module, const char *label, const uint8_t *pin, size_t pin_length, clp_token **token);
/// The session closes and the module is finalized once no key uses it any more.
void clp_token_close(clp_token *token);

/// Key types of `clp_token_generate`.
#define CLP_KEY_RSA 0
#define CLP_KEY_EC 1

/// Generates a pair on the token: the private key a token object (sensitive, private,
/// never extractable, for signing and decrypting) labelled `label`; the public key a
/// session object. RSA: `bits`, exponent 65537; EC: `ec_params` (the curve's OID, DER).
uint32_t clp_token_generate(clp_token *token, int type, uint32_t bits, const uint8_t *ec_params, size_t ec_params_length,
                            const char *label, uint64_t *private_key, uint64_t *public_key);

/// Imports a private key (a factory step): RSA from its components in the order
/// modulus, public exponent, private exponent, prime 1, prime 2, exponent 1, exponent 2,
/// coefficient; EC from `ec_params` and the private value. Same attributes as a generated one.
uint32_t clp_token_import(clp_token *token, int type, const uint8_t *const *parts, const size_t *lengths, size_t count,
                          const char *label, const uint8_t *id, size_t id_length, uint64_t *private_key);

/// Sets CKA_ID of an object.
uint32_t clp_token_set_id(clp_token *token, uint64_t object, const uint8_t *id, size_t id_length);

/// Private keys with the label (and with the id, when `id` is not NULL); at most `capacity`.
uint32_t clp_token_find(clp_token *token, const char *label, const uint8_t *id, size_t id_length, uint64_t *objects,
                        size_t capacity, size_t *count);

/// Destroys the public keys with the label (at most 16): the halves of generated pairs a
/// power cut left between their generation and their destruction.
uint32_t clp_token_destroy_public(clp_token *token, const char *label, size_t *destroyed);

/// One attribute's value, at most `capacity` bytes (CLP_P11_MALFORMED when longer).
uint32_t clp_token_attribute(clp_token *token, uint64_t object, uint64_t attribute, uint8_t *value, size_t capacity,
                             size_t *length);
extern const uint64_t CLP_CKA_ID, CLP_CKA_LABEL, CLP_CKA_MODULUS, CLP_CKA_PUBLIC_EXPONENT, CLP_CKA_EC_POINT, CLP_CKA_EC_PARAMS,
    CLP_CKA_KEY_TYPE, CLP_CKA_SENSITIVE, CLP_CKA_EXTRACTABLE;

uint32_t clp_token_destroy(clp_token *token, uint64_t object);

/// A key of the token for `phone_external_key_setup` (external_key.h): its operations
/// (`clp_token_key_ops`) run in the token's session. `ec`: ECDSA, else RSA PKCS#1 v1.5.
void *clp_token_key(clp_token *token, uint64_t object, int ec);
/// A `const phone_external_key_ops *`.
const void *clp_token_key_ops(void);

#endif
