// The one part of the C API written in C: names of the status codes, static strings, so
// any thread may ask for one at any time.
#include "phonesec.h"

const char *phonesec_status_name(phonesec_status status) {
    switch (status) {
    case PHONESEC_OK: return "PHONESEC_OK";
    case PHONESEC_ERR_ARGUMENT: return "PHONESEC_ERR_ARGUMENT";
    case PHONESEC_ERR_BUFFER_TOO_SMALL: return "PHONESEC_ERR_BUFFER_TOO_SMALL";
    case PHONESEC_ERR_CLOSED: return "PHONESEC_ERR_CLOSED";
    case PHONESEC_ERR_STORAGE: return "PHONESEC_ERR_STORAGE";
    case PHONESEC_ERR_REJECTED: return "PHONESEC_ERR_REJECTED";
    case PHONESEC_ERR_UNREACHABLE: return "PHONESEC_ERR_UNREACHABLE";
    case PHONESEC_ERR_ENROLLMENT: return "PHONESEC_ERR_ENROLLMENT";
    case PHONESEC_ERR_NEEDS_AUTH_STRING: return "PHONESEC_ERR_NEEDS_AUTH_STRING";
    case PHONESEC_ERR_NOT_TRUSTED: return "PHONESEC_ERR_NOT_TRUSTED";
    case PHONESEC_ERR_NO_IDENTITY: return "PHONESEC_ERR_NO_IDENTITY";
    case PHONESEC_ERR_TLS: return "PHONESEC_ERR_TLS";
    case PHONESEC_ERR_TIMEOUT: return "PHONESEC_ERR_TIMEOUT";
    case PHONESEC_ERR_TOO_MANY_CHANNELS: return "PHONESEC_ERR_TOO_MANY_CHANNELS";
    case PHONESEC_ERR_INTERNAL: return "PHONESEC_ERR_INTERNAL";
    case PHONESEC_ERR_KEY_STORE: return "PHONESEC_ERR_KEY_STORE";
    }
    return "PHONESEC_UNKNOWN_STATUS";
}
