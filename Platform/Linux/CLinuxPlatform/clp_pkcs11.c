// The PKCS#11 token (clp_pkcs11.h). Bounded everywhere: the slot list, the objects found,
// every attribute read; a module that answers past a bound is refused, not trusted.
#include "clp_pkcs11.h"
#include "external_key.h"

#include <dlfcn.h>
#include <p11-kit-1/p11-kit/pkcs11.h>
#include <stdlib.h>
#include <string.h>

const uint32_t CLP_CKR_PIN_INCORRECT = CKR_PIN_INCORRECT, CLP_CKR_PIN_LOCKED = CKR_PIN_LOCKED,
               CLP_CKR_PIN_LEN_RANGE = CKR_PIN_LEN_RANGE, CLP_CKR_TOKEN_NOT_PRESENT = CKR_TOKEN_NOT_PRESENT,
               CLP_CKR_DEVICE_REMOVED = CKR_DEVICE_REMOVED, CLP_CKR_DEVICE_ERROR = CKR_DEVICE_ERROR,
               CLP_CKR_DEVICE_MEMORY = CKR_DEVICE_MEMORY, CLP_CKR_SESSION_CLOSED = CKR_SESSION_CLOSED,
               CLP_CKR_SESSION_HANDLE_INVALID = CKR_SESSION_HANDLE_INVALID,
               CLP_CKR_USER_NOT_LOGGED_IN = CKR_USER_NOT_LOGGED_IN;
const uint64_t CLP_CKA_ID = CKA_ID, CLP_CKA_LABEL = CKA_LABEL, CLP_CKA_MODULUS = CKA_MODULUS,
               CLP_CKA_PUBLIC_EXPONENT = CKA_PUBLIC_EXPONENT, CLP_CKA_EC_POINT = CKA_EC_POINT,
               CLP_CKA_EC_PARAMS = CKA_EC_PARAMS, CLP_CKA_KEY_TYPE = CKA_KEY_TYPE, CLP_CKA_SENSITIVE = CKA_SENSITIVE,
               CLP_CKA_EXTRACTABLE = CKA_EXTRACTABLE;

struct clp_token {
    void *library;
    CK_FUNCTION_LIST *f;
    CK_SESSION_HANDLE session;
    int uses;  // the token itself, and each key made with clp_token_key
};

// The modules this code initialized, and how many open tokens use each: a module is
// initialized once per process, so only the last of them to close finalizes it (never one
// another user of the process initialized).
static struct { void *library; int users; } initialized[8];

static void use(void *library, CK_RV initialize_result) {
    for (size_t i = 0; i < sizeof initialized / sizeof initialized[0]; i++)
        if (initialized[i].library == library && initialized[i].users > 0) {
            initialized[i].users++;
            return;
        }
    if (initialize_result != CKR_OK) return;  // initialized by someone else: theirs to finalize
    for (size_t i = 0; i < sizeof initialized / sizeof initialized[0]; i++)
        if (initialized[i].users == 0) {
            initialized[i].library = library;
            initialized[i].users = 1;
            return;
        }
}

static void unuse(void *library, CK_FUNCTION_LIST *f) {
    for (size_t i = 0; i < sizeof initialized / sizeof initialized[0]; i++)
        if (initialized[i].library == library && initialized[i].users > 0) {
            if (--initialized[i].users == 0) f->C_Finalize(NULL);
            return;
        }
}

// A list a module hands back is trusted only as far as it is checked: a version this code
// was written for, and every function it calls present.
static int usable(const CK_FUNCTION_LIST *f) {
    if (f->version.major != 2 && f->version.major != 3) return 0;
    return f->C_Initialize && f->C_Finalize && f->C_GetSlotList && f->C_GetTokenInfo && f->C_OpenSession &&
           f->C_CloseSession && f->C_Login && f->C_GenerateKeyPair && f->C_CreateObject && f->C_DestroyObject &&
           f->C_SetAttributeValue && f->C_GetAttributeValue && f->C_FindObjectsInit && f->C_FindObjects &&
           f->C_FindObjectsFinal && f->C_SignInit && f->C_Sign && f->C_DecryptInit && f->C_Decrypt;
}

// A module's own codes (CKR_VENDOR_DEFINED and above) all read as CKR_VENDOR_DEFINED, so
// none can pass for one of the CLP_P11_* codes this file returns itself.
static uint32_t ckr(CK_RV rv) { return rv >= CKR_VENDOR_DEFINED ? (uint32_t)CKR_VENDOR_DEFINED : (uint32_t)rv; }

static void release(clp_token *token) {
    if (--token->uses > 0) return;
    token->f->C_CloseSession(token->session);
    unuse(token->library, token->f);
    dlclose(token->library);
    free(token);
}

// Token labels are 32 bytes padded with blanks (PKCS#11 §3.2, CK_TOKEN_INFO).
static int label_is(const unsigned char field[32], const char *label) {
    size_t length = strlen(label);
    if (length > 32 || memcmp(field, label, length) != 0) return 0;
    for (size_t i = length; i < 32; i++)
        if (field[i] != ' ') return 0;
    return 1;
}

uint32_t clp_token_open(const char *module, const char *label, const uint8_t *pin, size_t pin_length, clp_token **out) {
    *out = NULL;
    void *library = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return CLP_P11_NOT_LOADABLE;
    CK_C_GetFunctionList get_list = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
    CK_FUNCTION_LIST *f = NULL;
    if (get_list == NULL || get_list(&f) != CKR_OK || f == NULL || !usable(f)) {
        dlclose(library);
        return CLP_P11_NOT_A_MODULE;
    }
    CK_RV rv = f->C_Initialize(NULL);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        dlclose(library);
        return ckr(rv);
    }
    use(library, rv);
    CK_SLOT_ID slots[64];
    CK_ULONG count = 64;
    uint32_t failure = ckr(f->C_GetSlotList(CK_TRUE, slots, &count));
    if (failure == 0 && count > 64) failure = CLP_P11_MALFORMED;
    CK_SLOT_ID *found = NULL;
    for (CK_ULONG i = 0; failure == 0 && i < count && found == NULL; i++) {
        CK_TOKEN_INFO info;
        if (f->C_GetTokenInfo(slots[i], &info) == CKR_OK && label_is(info.label, label)) found = &slots[i];
    }
    if (failure == 0 && found == NULL) failure = CLP_P11_NO_TOKEN;
    CK_SESSION_HANDLE session = 0;
    if (failure == 0) failure = ckr(f->C_OpenSession(*found, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session));
    if (failure == 0) {
        rv = f->C_Login(session, CKU_USER, (CK_UTF8CHAR *)pin, pin_length);
        failure = rv == CKR_USER_ALREADY_LOGGED_IN ? 0 : ckr(rv);
        if (failure != 0) f->C_CloseSession(session);
    }
    if (failure != 0) {
        unuse(library, f);
        dlclose(library);
        return failure;
    }
    clp_token *token = calloc(1, sizeof *token);
    if (token == NULL) {
        f->C_CloseSession(session);
        unuse(library, f);
        dlclose(library);
        return CKR_HOST_MEMORY;
    }
    *token = (clp_token){.library = library, .f = f, .session = session, .uses = 1};
    *out = token;
    return 0;
}

void clp_token_close(clp_token *token) {
    if (token != NULL) release(token);
}

uint32_t clp_token_generate(clp_token *token, int type, uint32_t bits, const uint8_t *ec_params, size_t ec_params_length,
                            const char *label, uint64_t *private_key, uint64_t *public_key) {
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG modulus_bits = bits;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    // The public half is a token object only because tpm2-pkcs11 refuses a pair whose
    // halves differ in CKA_TOKEN; the caller reads it and destroys it at once. It carries
    // the label so that one a power cut leaves is found (clp_token_destroy_public).
    CK_ATTRIBUTE public_template[5] = {
        {CKA_TOKEN, &yes, sizeof yes}, {CKA_VERIFY, &yes, sizeof yes}, {CKA_LABEL, (void *)label, strlen(label)}};
    CK_ULONG public_count = 3;
    CK_MECHANISM mechanism = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
    if (type == CLP_KEY_RSA) {
        public_template[public_count++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &modulus_bits, sizeof modulus_bits};
        public_template[public_count++] = (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, exponent, sizeof exponent};
    } else {
        mechanism.mechanism = CKM_EC_KEY_PAIR_GEN;
        public_template[public_count++] = (CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)ec_params, ec_params_length};
    }
    CK_ATTRIBUTE private_template[7] = {
        {CKA_TOKEN, &yes, sizeof yes},     {CKA_PRIVATE, &yes, sizeof yes}, {CKA_SENSITIVE, &yes, sizeof yes},
        {CKA_EXTRACTABLE, &no, sizeof no}, {CKA_SIGN, &yes, sizeof yes},    {CKA_LABEL, (void *)label, strlen(label)},
    };
    CK_ULONG private_count = 6;
    // Only RSA keys decrypt (the .enc.sgn key is wrapped with RSA).
    if (type == CLP_KEY_RSA) private_template[private_count++] = (CK_ATTRIBUTE){CKA_DECRYPT, &yes, sizeof yes};
    CK_OBJECT_HANDLE public_handle = 0, private_handle = 0;
    CK_RV rv = token->f->C_GenerateKeyPair(token->session, &mechanism, public_template, public_count, private_template,
                                           private_count, &public_handle, &private_handle);
    *private_key = private_handle;
    *public_key = public_handle;
    return ckr(rv);
}

uint32_t clp_token_import(clp_token *token, int type, const uint8_t *const *parts, const size_t *lengths, size_t count,
                          const char *label, const uint8_t *id, size_t id_length, uint64_t *private_key) {
    static const CK_ATTRIBUTE_TYPE rsa_parts[] = {CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
                                                  CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT};
    static const CK_ATTRIBUTE_TYPE ec_parts[] = {CKA_EC_PARAMS, CKA_VALUE};
    if (count != (type == CLP_KEY_RSA ? 8u : 2u)) return CKR_ARGUMENTS_BAD;
    CK_OBJECT_CLASS class = CKO_PRIVATE_KEY;
    CK_KEY_TYPE key_type = type == CLP_KEY_RSA ? CKK_RSA : CKK_EC;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE template[20] = {
        {CKA_CLASS, &class, sizeof class},    {CKA_KEY_TYPE, &key_type, sizeof key_type},
        {CKA_TOKEN, &yes, sizeof yes},        {CKA_PRIVATE, &yes, sizeof yes},
        {CKA_SENSITIVE, &yes, sizeof yes},    {CKA_EXTRACTABLE, &no, sizeof no},
        {CKA_SIGN, &yes, sizeof yes},         {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_length},
    };
    CK_ULONG used = 9;
    if (type == CLP_KEY_RSA) template[used++] = (CK_ATTRIBUTE){CKA_DECRYPT, &yes, sizeof yes};
    for (size_t i = 0; i < count; i++)
        template[used++] = (CK_ATTRIBUTE){type == CLP_KEY_RSA ? rsa_parts[i] : ec_parts[i], (void *)parts[i], lengths[i]};
    CK_OBJECT_HANDLE handle = 0;
    CK_RV rv = token->f->C_CreateObject(token->session, template, used, &handle);
    *private_key = handle;
    return ckr(rv);
}

uint32_t clp_token_set_id(clp_token *token, uint64_t object, const uint8_t *id, size_t id_length) {
    CK_ATTRIBUTE attribute = {CKA_ID, (void *)id, id_length};
    return ckr(token->f->C_SetAttributeValue(token->session, object, &attribute, 1));
}

static uint32_t find(clp_token *token, CK_OBJECT_CLASS class, const char *label, const uint8_t *id, size_t id_length,
                     uint64_t *objects, size_t capacity, size_t *count) {
    CK_ATTRIBUTE template[] = {
        {CKA_CLASS, &class, sizeof class}, {CKA_LABEL, (void *)label, strlen(label)}, {CKA_ID, (void *)id, id_length}};
    *count = 0;
    CK_RV rv = token->f->C_FindObjectsInit(token->session, template, id != NULL ? 3 : 2);
    if (rv != CKR_OK) return ckr(rv);
    CK_OBJECT_HANDLE handles[16];
    CK_ULONG found = 0;
    if (capacity > 16) capacity = 16;
    rv = token->f->C_FindObjects(token->session, handles, capacity, &found);
    token->f->C_FindObjectsFinal(token->session);
    if (rv != CKR_OK) return ckr(rv);
    if (found > capacity) return CLP_P11_MALFORMED;
    for (CK_ULONG i = 0; i < found; i++) objects[i] = handles[i];
    *count = found;
    return 0;
}

uint32_t clp_token_find(clp_token *token, const char *label, const uint8_t *id, size_t id_length, uint64_t *objects,
                        size_t capacity, size_t *count) {
    return find(token, CKO_PRIVATE_KEY, label, id, id_length, objects, capacity, count);
}

uint32_t clp_token_destroy_public(clp_token *token, const char *label, size_t *destroyed) {
    uint64_t objects[16];
    size_t count = 0;
    *destroyed = 0;
    uint32_t code = find(token, CKO_PUBLIC_KEY, label, NULL, 0, objects, 16, &count);
    for (size_t i = 0; code == 0 && i < count; i++) {
        code = ckr(token->f->C_DestroyObject(token->session, objects[i]));
        if (code == 0) (*destroyed)++;
    }
    return code;
}

uint32_t clp_token_attribute(clp_token *token, uint64_t object, uint64_t type, uint8_t *value, size_t capacity,
                             size_t *length) {
    CK_ATTRIBUTE attribute = {type, NULL, 0};
    CK_RV rv = token->f->C_GetAttributeValue(token->session, object, &attribute, 1);
    if (rv != CKR_OK) return ckr(rv);
    if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION || attribute.ulValueLen > capacity) return CLP_P11_MALFORMED;
    attribute.pValue = value;
    CK_ULONG asked = attribute.ulValueLen;
    rv = token->f->C_GetAttributeValue(token->session, object, &attribute, 1);
    if (rv != CKR_OK) return ckr(rv);
    if (attribute.ulValueLen > asked) return CLP_P11_MALFORMED;
    *length = attribute.ulValueLen;
    return 0;
}

uint32_t clp_token_destroy(clp_token *token, uint64_t object) {
    return ckr(token->f->C_DestroyObject(token->session, object));
}

// MARK: Keys for mbedTLS (external_key.h)

typedef struct {
    clp_token *token;
    CK_OBJECT_HANDLE object;
    CK_MECHANISM_TYPE mechanism;
} token_key;

void *clp_token_key(clp_token *token, uint64_t object, int ec) {
    token_key *key = calloc(1, sizeof *key);
    if (key == NULL) return NULL;
    token->uses++;
    *key = (token_key){.token = token, .object = object, .mechanism = ec ? CKM_ECDSA : CKM_RSA_PKCS};
    return key;
}

// One operation: init, then the single-part call; its output must fit what was given.
static unsigned long run(CK_RV (*init)(CK_SESSION_HANDLE, CK_MECHANISM *, CK_OBJECT_HANDLE),
                         CK_RV (*call)(CK_SESSION_HANDLE, CK_BYTE *, CK_ULONG, CK_BYTE *, CK_ULONG *), token_key *key,
                         CK_MECHANISM_TYPE mechanism, const unsigned char *input, size_t length, unsigned char *out,
                         size_t capacity, size_t *written) {
    CK_MECHANISM chosen = {mechanism, NULL, 0};
    CK_RV rv = init(key->token->session, &chosen, key->object);
    if (rv != CKR_OK) return ckr(rv);
    CK_ULONG produced = capacity;
    rv = call(key->token->session, (CK_BYTE *)input, length, out, &produced);
    if (rv != CKR_OK) return ckr(rv);
    if (produced > capacity) return CLP_P11_MALFORMED;
    *written = produced;
    return 0;
}

static int store_failed(unsigned long code) {
    switch (code) {
    case CKR_HOST_MEMORY: case CKR_DEVICE_ERROR: case CKR_DEVICE_MEMORY: case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT: case CKR_TOKEN_NOT_RECOGNIZED: case CKR_SESSION_CLOSED:
    case CKR_SESSION_HANDLE_INVALID: case CKR_USER_NOT_LOGGED_IN: case CKR_PIN_INCORRECT: case CKR_PIN_LOCKED:
    case CKR_PIN_EXPIRED: case CKR_KEY_HANDLE_INVALID: case CKR_CRYPTOKI_NOT_INITIALIZED:
        return 1;
    default:
        return code >= CKR_VENDOR_DEFINED;  // the module's own codes, and this file's CLP_P11_*
    }
}

static unsigned long key_sign(void *context, const unsigned char *input, size_t length, unsigned char *out, size_t capacity,
                              size_t *written) {
    token_key *key = context;
    return run(key->token->f->C_SignInit, key->token->f->C_Sign, key, key->mechanism, input, length, out, capacity, written);
}

static unsigned long key_decrypt(void *context, const unsigned char *input, size_t length, unsigned char *out,
                                 size_t capacity, size_t *written) {
    token_key *key = context;
    unsigned long code = run(key->token->f->C_DecryptInit, key->token->f->C_Decrypt, key, CKM_RSA_PKCS, input, length,
                             out, capacity, written);
    // Only the answers of a token that cannot work (gone, broken, full, its session or
    // login lost, its own codes, an answer past its bound) are the store failing. Any other
    // refusal is the ciphertext's: made for another key, the cluster's doing, which the
    // boot treats as a key in memory's bad padding (enrol again, once). SoftHSM2 answers
    // CKR_GENERAL_ERROR for a padding that does not check, others CKR_ENCRYPTED_DATA_INVALID.
    if (code != 0 && !store_failed(code)) return PHONE_EXTERNAL_KEY_REFUSED_INPUT;
    return code;
}

static void key_release(void *context) {
    token_key *key = context;
    release(key->token);
    free(key);
}

static const phone_external_key_ops token_key_ops = {key_sign, key_decrypt, key_release};

const void *clp_token_key_ops(void) { return &token_key_ops; }
