// A PKCS#11 module for tests that wraps a real one (SoftHSM2) and answers one function
// wrongly on purpose: what SoftHSM2 itself never does (lock a PIN, fill up, vanish in the
// middle of a boot, close a session under its user) and what a hostile module might send
// (an attribute longer than asked, a signature of the wrong length).
//
//   PHONE_FAULT_MODULE  the real module's path
//   PHONE_FAULT         FUNCTION:ANSWER[:AFTER] — FUNCTION is C_Login, C_GenerateKeyPair,
//                       C_Sign, C_Decrypt or C_GetAttributeValue; ANSWER a CKR name below,
//                       `oversized` (C_GetAttributeValue: a value longer than the buffer
//                       given) or `short` (C_Sign: one byte less than the real signature);
//                       AFTER how many calls of FUNCTION pass through first (default 0).
//
// Built by toolchain/token-check.sh; never part of the product.
#include <dlfcn.h>
#include <p11-kit-1/p11-kit/pkcs11.h>
#include <stdlib.h>
#include <string.h>

static CK_FUNCTION_LIST real, wrapped;
static char function[32];
static char answer[32];
static long pass_through;

static const struct { const char *name; CK_RV value; } answers[] = {
    {"CKR_PIN_LOCKED", CKR_PIN_LOCKED},           {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
    {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},   {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
    {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},   {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
};

// The fault to give now for `name`, or 0 to pass the call through.
static int faulty(const char *name) {
    if (strcmp(function, name) != 0) return 0;
    if (pass_through > 0) {
        pass_through--;
        return 0;
    }
    return 1;
}

static CK_RV answer_code(void) {
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
        if (strcmp(answer, answers[i].name) == 0) return answers[i].value;
    return CKR_GENERAL_ERROR;
}

static CK_RV login(CK_SESSION_HANDLE session, CK_USER_TYPE type, CK_UTF8CHAR *pin, CK_ULONG length) {
    return faulty("C_Login") ? answer_code() : real.C_Login(session, type, pin, length);
}

static CK_RV generate(CK_SESSION_HANDLE session, CK_MECHANISM *mechanism, CK_ATTRIBUTE *public_template,
                      CK_ULONG public_count, CK_ATTRIBUTE *private_template, CK_ULONG private_count,
                      CK_OBJECT_HANDLE *public_key, CK_OBJECT_HANDLE *private_key) {
    if (faulty("C_GenerateKeyPair")) return answer_code();
    return real.C_GenerateKeyPair(session, mechanism, public_template, public_count, private_template, private_count,
                                  public_key, private_key);
}

static CK_RV sign(CK_SESSION_HANDLE session, CK_BYTE *data, CK_ULONG length, CK_BYTE *signature, CK_ULONG *signature_length) {
    if (!faulty("C_Sign")) return real.C_Sign(session, data, length, signature, signature_length);
    if (strcmp(answer, "short") != 0) return answer_code();
    CK_RV rv = real.C_Sign(session, data, length, signature, signature_length);
    if (rv == CKR_OK && signature != NULL && *signature_length > 0) *signature_length -= 1;
    return rv;
}

static CK_RV decrypt(CK_SESSION_HANDLE session, CK_BYTE *data, CK_ULONG length, CK_BYTE *out, CK_ULONG *out_length) {
    return faulty("C_Decrypt") ? answer_code() : real.C_Decrypt(session, data, length, out, out_length);
}

static CK_RV get_attribute(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE *template, CK_ULONG count) {
    if (!faulty("C_GetAttributeValue")) return real.C_GetAttributeValue(session, object, template, count);
    if (strcmp(answer, "oversized") != 0) return answer_code();
    CK_RV rv = real.C_GetAttributeValue(session, object, template, count);
    // A length past the caller's buffer, as if the module had written beyond it.
    for (CK_ULONG i = 0; i < count; i++) template[i].ulValueLen += 4096;
    return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST **list) {
    const char *path = getenv("PHONE_FAULT_MODULE");
    void *library = path != NULL ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    CK_C_GetFunctionList get = library != NULL ? (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList") : NULL;
    CK_FUNCTION_LIST *inner = NULL;
    if (get == NULL || get(&inner) != CKR_OK || inner == NULL) return CKR_GENERAL_ERROR;
    real = *inner;
    wrapped = *inner;
    wrapped.C_Login = login;
    wrapped.C_GenerateKeyPair = generate;
    wrapped.C_Sign = sign;
    wrapped.C_Decrypt = decrypt;
    wrapped.C_GetAttributeValue = get_attribute;
    const char *fault = getenv("PHONE_FAULT");
    if (fault != NULL) {
        const char *colon = strchr(fault, ':');
        size_t length = colon != NULL ? (size_t)(colon - fault) : strlen(fault);
        if (length < sizeof function) memcpy(function, fault, length);
        if (colon != NULL) {
            const char *rest = colon + 1;
            const char *second = strchr(rest, ':');
            length = second != NULL ? (size_t)(second - rest) : strlen(rest);
            if (length < sizeof answer) memcpy(answer, rest, length);
            if (second != NULL) pass_through = strtol(second + 1, NULL, 10);
        }
    }
    *list = &wrapped;
    return CKR_OK;
}
