/*
 * phonesec.h — the phone's security core for C firmware (C99).
 *
 * What the core knows — the phone's identity (MIC, LSC) and what the cluster trusts
 * (CTL, ITL, TVS) — for a SIP stack, a UI or a provisioning daemon: the whole boot, the
 * identity and status, the one trust decision, and a TLS channel that presents the
 * phone's certificate. The private keys stay inside the library; no call hands one out.
 *
 * Conventions
 * - Every call returns a phonesec_status (PHONESEC_OK is 0). Bad input — NULL where a
 *   value is needed, a wrong length, a closed channel — is an error code, never an abort.
 * - The last parameter of most calls, `message`, may be NULL; when given, it receives a
 *   NUL-terminated sentence the caller can print (empty on success). It never holds a
 *   secret (no key, no authentication string, no configuration content).
 * - Buffers: every pointer the caller passes stays the caller's; the library copies what
 *   it keeps. Strings in result structures are NUL-terminated and cut to their array's
 *   size. Every pointer field of a phonesec_event is valid only during the callback.
 * - Threads: the library is not thread-safe. Make all calls — on every handle — from one
 *   thread at a time (serialise them with your own lock if several threads use it).
 *   Callbacks run on the calling thread, inside phonesec_boot, and must not call back
 *   into the library, nor leave it other than by returning (no longjmp, no C++
 *   exception: the library has no unwind tables and would leave a boot half-done).
 *   phonesec_status_name may be called from any thread at any time.
 * - Time: calls block; each network call is bounded by its timeout.
 */
#ifndef PHONESEC_H
#define PHONESEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: phonesec_boot_result has no exit_code (the command line's exit codes are not the
 * library's: a caller reads the status and result->failure); phonesec_refusal gained
 * KEY_NOT_ALLOWED and CERTIFICATE_CHANGED. */
/* 3: phonesec_event has one named field per fact, each meaning the same in every event
 * (no `value`, `subject`, `server` or `delay_ms` whose meaning depends on the kind), and
 * enums for trust lists, transports, TVS answers and CAPF results (README, "The C API"). */
/* 4: phonesec_phone_options gained pkcs11_module, token_label and pin_file (the private keys
 * on a PKCS#11 token); PHONESEC_ERR_KEY_STORE and PHONESEC_FAILURE_KEY_STORE. */
/* 5: phonesec_event carries every fact of the JSON log (docs/c-api-versions.md); its trust
 * decision is a phonesec_trust_result (verdict->source, verdict->refusal). */
/* 6: firmware loads: phonesec_boot_options.slots_directory, phonesec_boot_result's
 * load_staged, reset_asked (gone in 7), staged_load and staged_slot, phonesec_event's load, slot and
 * images, PHONESEC_EVENT_LOAD_STAGED and PHONESEC_EVENT_LOAD_NOT_STAGED. */
/* 7: phonesec_boot_result's reset_asked is gone: it always equalled load_staged, which
 * says it (a load staged: reset the board). */
#define PHONESEC_API_VERSION 7
/* Most servers of one kind a configuration lists (call managers, TVS, CAPF). */
#define PHONESEC_MAX_SERVERS 16
/* Most channels one phone handle holds open at once. */
#define PHONESEC_MAX_CHANNELS 8

typedef enum phonesec_status {
    PHONESEC_OK = 0,
    /* A NULL, empty or malformed argument (MAC, HOST:PORT, purpose, a zero length). */
    PHONESEC_ERR_ARGUMENT = 1,
    /* The caller's buffer is too small; where a length is returned it says how much is needed. */
    PHONESEC_ERR_BUFFER_TOO_SMALL = 2,
    /* The channel was closed (by phonesec_channel_close or by its server), or never opened. */
    PHONESEC_ERR_CLOSED = 3,
    /* The state directory or a key file could not be read or written. */
    PHONESEC_ERR_STORAGE = 4,
    /* The boot ended without a configuration: the trust failed (a signature, a signer, decryption). */
    PHONESEC_ERR_REJECTED = 5,
    /* No server answered. */
    PHONESEC_ERR_UNREACHABLE = 6,
    /* CAPF enrolment did not complete. */
    PHONESEC_ERR_ENROLLMENT = 7,
    /* capfAuthMode 1 and no authentication string was given or entered. */
    PHONESEC_ERR_NEEDS_AUTH_STRING = 8,
    /* The certificate (or a channel's server) is not trusted for the purpose. */
    PHONESEC_ERR_NOT_TRUSTED = 9,
    /* The phone holds neither an LSC nor a MIC. */
    PHONESEC_ERR_NO_IDENTITY = 10,
    /* TLS failed after the server was accepted, or the connection broke. */
    PHONESEC_ERR_TLS = 11,
    /* Nothing arrived within the read timeout (the channel stays open). */
    PHONESEC_ERR_TIMEOUT = 12,
    /* PHONESEC_MAX_CHANNELS are open on this phone handle. */
    PHONESEC_ERR_TOO_MANY_CHANNELS = 13,
    /* A defect of the library itself: report it. */
    PHONESEC_ERR_INTERNAL = 14,
    /* The key store cannot be used: the module, the token or the PIN; an identity whose key is
     * on a token and no token given; the token failing under an operation. */
    PHONESEC_ERR_KEY_STORE = 15
} phonesec_status;

/* A sentence for a log or a user, NUL-terminated. */
typedef struct phonesec_message {
    char text[256];
} phonesec_message;

/* A stable name for a status ("PHONESEC_ERR_NOT_TRUSTED"); never NULL. Any thread. */
const char *phonesec_status_name(phonesec_status status);

/* ---- The phone ------------------------------------------------------------------ */

/* One phone: its state directory (the flash: trust lists, LSC, MIC, TVS servers), its
 * MAC and its MIC. Opaque; made by phonesec_phone_open, freed by phonesec_phone_close. */
typedef struct phonesec_phone phonesec_phone;

typedef struct phonesec_phone_options {
    const char *state_directory; /* required; created (owner-only) when missing */
    const char *mac;             /* required: 12 hex digits, with or without SEP or colons */
    const char *mic_pem_path;    /* optional: the MIC and its key (PEM), or with a token the MIC's certificate alone; copied into the state directory */
    const char *model;           /* optional: four digits ("8841") when the MIC names no model */
    /* Optional, all three or none: the private keys on a PKCS#11 token (docs/key-store.md):
     * the module's path (loaded with dlopen), the token's label, and a file whose first
     * line is the user PIN. The boot, the channels and the identity calls use its keys. */
    const char *pkcs11_module;
    const char *token_label;
    const char *pin_file;
} phonesec_phone_options;

/* Opens the state directory and reads what it holds. On success *phone is a new handle
 * (the caller closes it); on failure *phone is NULL. */
phonesec_status phonesec_phone_open(const phonesec_phone_options *options, phonesec_phone **phone,
                                    phonesec_message *message);

/* Closes the phone's open channels (close_notify) and frees the handle. NULL is allowed.
 * The handle must not be used afterwards. */
void phonesec_phone_close(phonesec_phone *phone);

/* ---- Boot --------------------------------------------------------------------------- */

typedef enum phonesec_transport {
    PHONESEC_TRANSPORT_HTTP = 0, /* port 6970 unless HOST:PORT says otherwise */
    PHONESEC_TRANSPORT_TFTP = 1  /* port 69 */
} phonesec_transport;

/* Why a boot ended without a configuration (BootFailure). */
typedef enum phonesec_failure {
    PHONESEC_FAILURE_NONE = 0,
    PHONESEC_FAILURE_UNREACHABLE = 1,
    PHONESEC_FAILURE_CONFIG_NOT_FOUND = 2,
    PHONESEC_FAILURE_CONFIG_REJECTED = 3,
    PHONESEC_FAILURE_CONFIG_MALFORMED = 4,
    PHONESEC_FAILURE_PARTIAL_CONFIG_WITHOUT_TRUST_LIST = 5,
    PHONESEC_FAILURE_PARTIAL_CONFIG_WITHOUT_ENCRYPTION = 6,
    PHONESEC_FAILURE_NO_CAPF_SERVER = 7,
    PHONESEC_FAILURE_UNSUPPORTED_CAPF_AUTH_MODE = 8,
    PHONESEC_FAILURE_NO_CERTIFICATE_FOR_CAPF = 9,
    PHONESEC_FAILURE_CAPF_REFUSED = 10,
    PHONESEC_FAILURE_ENCRYPTED_CONFIG_UNAVAILABLE = 11,
    PHONESEC_FAILURE_DECRYPTION_FAILED = 12,
    PHONESEC_FAILURE_TOO_MANY_RESETS = 13,
    PHONESEC_FAILURE_INTERNAL_FAULT = 14,
    /* Not a failure of the machine: it waits for a string nobody gave. */
    PHONESEC_FAILURE_NEEDS_AUTH_STRING = 15,
    /* The phone's key store (a PKCS#11 token) failed during the boot: removed, broken, full. */
    PHONESEC_FAILURE_KEY_STORE = 16
} phonesec_failure;

/* What the phone does after a step (BootNext). */
typedef enum phonesec_next {
    PHONESEC_NEXT_NONE = 0,
    PHONESEC_NEXT_FETCH = 1,            /* next_file */
    PHONESEC_NEXT_FETCH_OVER_HTTPS = 2, /* next_file, next_port */
    PHONESEC_NEXT_CAPF = 3,             /* next_host, next_port */
    PHONESEC_NEXT_ASK_FOR_AUTH_STRING = 4,
    PHONESEC_NEXT_RESET = 5,
    PHONESEC_NEXT_RETRY_CAPF = 6,       /* next_delay_ms */
    PHONESEC_NEXT_RETRY_CAPF_LATER = 7, /* next_delay_ms */
    PHONESEC_NEXT_ASK_AGAIN = 8,        /* next_delay_ms */
    PHONESEC_NEXT_STOP = 9              /* next_failure */
} phonesec_next;

/* What decided a trust question (the trust check, a channel, an event), or why nothing did. */
typedef enum phonesec_trust_source {
    PHONESEC_SOURCE_NONE = 0,    /* not trusted */
    PHONESEC_SOURCE_CTL = 1,
    PHONESEC_SOURCE_ITL = 2,
    PHONESEC_SOURCE_TVS = 3,     /* a TVS server vouched just now */
    PHONESEC_SOURCE_TVS_CACHE = 4 /* a TVS answer still within its TTL */
} phonesec_trust_source;

typedef enum phonesec_refusal {
    PHONESEC_REFUSAL_NONE = 0,
    PHONESEC_REFUSAL_NO_TVS_SERVER = 1,      /* not listed, and no configuration named a TVS */
    PHONESEC_REFUSAL_NO_TVS_CERTIFICATE = 2, /* not listed, and no list holds a TVS record */
    PHONESEC_REFUSAL_NO_DEVICE_NAME = 3,     /* not listed, and the phone's model is unknown */
    PHONESEC_REFUSAL_TVS_SAYS_INVALID = 4,
    PHONESEC_REFUSAL_ROLES_DO_NOT_FIT = 5,   /* TVS vouched, but not for this purpose */
    PHONESEC_REFUSAL_UNANSWERED = 6,         /* not listed, and no TVS answered */
    PHONESEC_REFUSAL_KEY_NOT_ALLOWED = 7,    /* a channel: the server's certificate does not parse */
    PHONESEC_REFUSAL_CERTIFICATE_CHANGED = 8 /* a channel: after TVS vouched for one certificate, the server showed another */
} phonesec_refusal;

/* One kind per event of the boot, of the board and of a CAPF session (the JSON log's
 * "event", in camel case: PHONESEC_EVENT_CAPF_LSC_STORED is "capfLSCStored"). */
typedef enum phonesec_event_kind {
    PHONESEC_EVENT_STARTED = 1,
    PHONESEC_EVENT_TRUST_LIST_INSTALLED = 2,
    PHONESEC_EVENT_TRUST_LIST_REJECTED = 3,
    PHONESEC_EVENT_ASKING_TVS = 4,
    PHONESEC_EVENT_TRUST_LIST_NOT_VOUCHED = 5,
    PHONESEC_EVENT_FILE_NOT_FOUND = 6,
    PHONESEC_EVENT_FETCH_FAILED = 7,
    PHONESEC_EVENT_NO_TRUST_LIST = 8,
    PHONESEC_EVENT_CONFIG_APPLIED = 9,
    PHONESEC_EVENT_HTTPS_CONFIG_APPLIED = 10,
    PHONESEC_EVENT_ASKING_TVS_ABOUT_HTTPS_SERVER = 11,
    PHONESEC_EVENT_HTTPS_SERVER_VOUCHED = 12,
    PHONESEC_EVENT_HTTPS_CONFIG_FALLBACK = 13,
    PHONESEC_EVENT_PARTIAL_CONFIG = 14,
    PHONESEC_EVENT_DIRECT_DECRYPT_FAILED = 15,
    PHONESEC_EVENT_DECRYPTION_FAILED = 16,
    PHONESEC_EVENT_CAPF_STARTING = 17,
    PHONESEC_EVENT_CAPF_ENDED = 18,
    PHONESEC_EVENT_AUTH_STRING_REFUSED = 19,
    PHONESEC_EVENT_RESUMED = 20,
    PHONESEC_EVENT_STILL_WAITING = 21,
    PHONESEC_EVENT_FAILED = 22,
    PHONESEC_EVENT_IGNORED = 23,
    PHONESEC_EVENT_FETCHING = 24,
    PHONESEC_EVENT_TVS_ASKED = 25,
    PHONESEC_EVENT_STORAGE_FAILED = 26,
    PHONESEC_EVENT_RESET = 27,
    PHONESEC_EVENT_KEY_LOG_ON = 28,
    PHONESEC_EVENT_CAPF_TLS_ESTABLISHED = 29,
    PHONESEC_EVENT_CAPF_RECEIVED = 30,
    PHONESEC_EVENT_CAPF_SENT = 31,
    PHONESEC_EVENT_CAPF_INSTALL_REQUESTED = 32,
    PHONESEC_EVENT_CAPF_CERTIFICATE_RECEIVED = 33,
    PHONESEC_EVENT_CAPF_CERTIFICATE_REFUSED = 34,
    PHONESEC_EVENT_CAPF_LSC_STORED = 35,
    PHONESEC_EVENT_LOAD_STAGED = 36,         /* the load is in the inactive slot, marked to try: the phone resets */
    PHONESEC_EVENT_LOAD_NOT_STAGED = 37      /* cause: why; the phone keeps the load it runs */
} phonesec_event_kind;

typedef enum phonesec_trust_list {
    PHONESEC_TRUST_LIST_NONE = 0,
    PHONESEC_TRUST_LIST_CTL = 1,
    PHONESEC_TRUST_LIST_ITL = 2
} phonesec_trust_list;

/* How a trust list was taken (PhoneTrust's TrustListUpdate.Outcome). */
typedef enum phonesec_trust_list_outcome {
    PHONESEC_TRUST_LIST_OUTCOME_NONE = 0,
    PHONESEC_TRUST_LIST_FIRST_USE = 1,      /* nothing was installed before */
    PHONESEC_TRUST_LIST_UPDATED = 2,        /* signed by a certificate the installed list holds */
    PHONESEC_TRUST_LIST_UNCHANGED = 3,
    PHONESEC_TRUST_LIST_VOUCHED_BY_TVS = 4  /* a new signer a TVS vouched for */
} phonesec_trust_list_outcome;

/* How a file is fetched (events only; phonesec_transport chooses the boot's). */
typedef enum phonesec_file_transport {
    PHONESEC_FILE_TRANSPORT_NONE = 0,
    PHONESEC_FILE_TRANSPORT_HTTP = 1,
    PHONESEC_FILE_TRANSPORT_TFTP = 2,
    PHONESEC_FILE_TRANSPORT_HTTPS = 3
} phonesec_file_transport;

typedef enum phonesec_tvs_answer {
    PHONESEC_TVS_ANSWER_NONE = 0,
    PHONESEC_TVS_ANSWER_VALID = 1,
    PHONESEC_TVS_ANSWER_INVALID = 2,
    PHONESEC_TVS_ANSWER_FAILED = 3          /* no answer: not reachable, TLS refused, malformed */
} phonesec_tvs_answer;

/* How a CAPF session ended. */
typedef enum phonesec_capf_result {
    PHONESEC_CAPF_RESULT_NONE = 0,
    PHONESEC_CAPF_RESULT_INSTALLED = 1,     /* a new LSC (issued_certificate) */
    PHONESEC_CAPF_RESULT_DELETED = 2,
    PHONESEC_CAPF_RESULT_FETCHED = 3,
    PHONESEC_CAPF_RESULT_NOTHING_SCHEDULED = 4,
    PHONESEC_CAPF_RESULT_RETRY_LATER = 5,
    PHONESEC_CAPF_RESULT_INVALID_AUTHENTICATION = 6,
    PHONESEC_CAPF_RESULT_UNKNOWN_DEVICE = 7,
    PHONESEC_CAPF_RESULT_FAILED = 8         /* no answer */
} phonesec_capf_result;

/* One event, as data: each field means the same in every event that sets it; fields an
 * event does not set are NULL or 0. The JSON log (`phone boot --json`) is made from the
 * same description, field by field, and this carries every fact it has
 * (docs/json-log.md): codes as C enums and numbers, names as strings, and where the JSON
 * has words (a cause, a CAPF mode, a failure's reason) the same words. A verdict's answers
 * server by server come as their own TVS_ASKED events. */
struct phonesec_trust_result;
typedef struct phonesec_event {
    phonesec_event_kind kind;
    uint64_t elapsed_ms;               /* since the boot started */
    const char *state;                 /* the boot state the step entered ("fetchingConfig", …), or NULL */
    /* The boot as a whole. */
    const char *device;                /* STARTED: the phone's name (SEP and its MAC) */
    int32_t resets;                    /* resets so far in this boot */
    uint32_t installed;                /* STARTED: the lists installed, PHONESEC_INSTALLED(PHONESEC_TRUST_LIST_CTL) | … */
    /* The file the event is about (KEY_LOG_ON: the key log), and its trust. */
    const char *file;
    phonesec_trust_list trust_list;
    phonesec_trust_list_outcome trust_list_outcome;
    const char *signer;                /* subject of the certificate that signed the file (a new signer TVS is asked about) */
    int32_t encrypted;                 /* 1: the configuration applied was encrypted */
    /* PARTIAL_CONFIG: the configuration's certHash against the phone's own certificate's. */
    const char *cert_hash;
    const char *own_hash;              /* NULL: the phone holds no certificate */
    const char *own_certificate;       /* "LSC", "MIC" or "none" */
    int32_t hash_matches;              /* 1: they match */
    /* Where the phone talks to. */
    phonesec_file_transport transport;
    const char *host;                  /* the server: a file server, CAPF or TVS */
    uint16_t port;
    int32_t file_server;               /* which configured file server, from 1 */
    int32_t next_file_server;          /* the one tried next, from 1; 0: none left */
    /* TLS servers and trust. */
    const char *server_certificate;    /* subject of a TLS server's certificate (HTTPS 6971) */
    int32_t pinned;                    /* certificates a TLS connection is pinned to */
    const char *client_certificate;    /* subject of the certificate the phone presents */
    int32_t vouched_by_tvs;            /* 1: a TVS vouched for the server */
    int32_t tvs_servers;               /* TVS servers about to be asked */
    phonesec_tvs_answer tvs_answer;
    const char *tvs_answer_detail;     /* the answer in words: its roles and TTL, or why none came */
    const struct phonesec_trust_result *verdict; /* a trust decision, as phonesec_trust_check reports one; NULL: none */
    /* CAPF. */
    const char *capf_mode;             /* how the phone authenticates (capfAuthMode in words) */
    const char *capf_reason;           /* why it enrols */
    phonesec_capf_result capf_result;
    const char *capf_detail;           /* how the session ended, in words */
    int32_t capf_command;              /* CAPF_RECEIVED, CAPF_SENT: the message's command (the protocol's byte) */
    const uint8_t *skipped_tags;       /* CAPF_RECEIVED: tags of elements the codec does not know */
    size_t skipped_tag_count;
    const char *key;                   /* CAPF_INSTALL_REQUESTED: the key to make ("RSA-2048", "EC P-256") */
    const char *issued_certificate;    /* subject of the certificate CAPF issued */
    int32_t lsc_stored;                /* 1: the new LSC and its key were stored */
    /* Firmware loads. */
    const char *load;                  /* the load a configuration names (its file: LOAD.loads) */
    const char *slot;                  /* LOAD_STAGED: the slot written, "A" or "B" */
    int32_t images;                    /* LOAD_STAGED: the load's images, every one checked */
    /* Why, and what next. */
    const char *cause;                 /* why a file, a list or a download was not used, in words */
    phonesec_failure failure;          /* the failure the event reports: FAILED the boot's end, DIRECT_DECRYPT_FAILED the step's */
    const char *reason;                /* that failure in words */
    const char *stored_item;           /* STORAGE_FAILED: what the board could not store, in words */
    uint64_t until_ms;                 /* a wait lasts until then (monotonic ms) */
    const char *ignored_input;         /* IGNORED: the input ("fileArrived", …) */
    const char *ignored_state;         /* IGNORED: the state it came in */
    phonesec_next next;                /* what the phone does after this step */
    const char *next_file;
    uint64_t next_delay_ms;            /* RETRY_CAPF, RETRY_CAPF_LATER, ASK_AGAIN: in how long */
    const char *next_host;             /* CAPF: the server the phone enrols with */
    uint16_t next_port;                /* CAPF: its port; FETCH_OVER_HTTPS: the HTTPS port */
    const char *next_capf_mode;        /* CAPF: how it will authenticate, in words */
    const char *next_capf_reason;      /* CAPF: why it enrols, in words */
    int32_t next_retry;                /* ASK_FOR_AUTH_STRING: 1 when the last string was refused */
    int32_t next_round;                /* RETRY_CAPF: the round about to start, of next_rounds */
    int32_t next_rounds;
    const char *next_cause;            /* ASK_AGAIN: why the configuration is asked for again, in words */
    phonesec_failure next_failure;     /* STOP: what the boot stops with */
    const char *next_reason;           /* STOP: that failure in words */
} phonesec_event;

/* A bit of phonesec_event.installed. */
#define PHONESEC_INSTALLED(list) (1u << (list))

typedef void (*phonesec_event_fn)(void *context, const phonesec_event *event);

/* Asked when CAPF wants an authentication string (capfAuthMode 1); `retry` is 1 when
 * the last one was refused. Write 4 to 16 digits into `digits` (capacity bytes, no NUL
 * needed) and return how many; return -1 when nobody can answer. The library zeroes its
 * copy once used. */
typedef int (*phonesec_auth_string_fn)(void *context, int retry, char *digits, size_t capacity);

typedef struct phonesec_boot_options {
    const char *const *servers;  /* required: "HOST" or "HOST:PORT" ("[v6]:PORT"), tried in order */
    size_t server_count;         /* 1 to PHONESEC_MAX_SERVERS */
    phonesec_transport transport;
    const char *auth_string;     /* optional: 4 to 16 digits */
    phonesec_auth_string_fn ask_auth_string; /* optional: asked when no auth_string was given */
    void *ask_context;
    phonesec_event_fn on_event;  /* optional: every event of the boot, in order */
    void *event_context;
    uint16_t https_port;         /* 0: 6971 */
    uint32_t backoff_ms;         /* 0: 30000 (the base of the CAPF and config back-offs) */
    const char *key_log_path;    /* optional, debug builds only (a release library refuses it: PHONESEC_ERR_ARGUMENT): appends each TLS session's secrets (NSS format) for Wireshark */
    const char *slots_directory; /* optional: the board's A/B load slots; a full configuration naming another load
                                    stages it there (checked against the image-signing certificate the library carries) */
} phonesec_boot_options;

typedef struct phonesec_server {
    char host[256];
    uint16_t port;
} phonesec_server;

typedef struct phonesec_call_manager {
    int32_t priority;
    char host[256];
    uint16_t sip_port;           /* 0 when the configuration gives none */
    uint16_t secured_sip_port;   /* SIP over TLS; 0 when none */
} phonesec_call_manager;

/* How a boot ended: configured, with what `phone boot` prints; or why not. */
typedef struct phonesec_boot_result {
    int32_t configured;          /* 1 configured, 0 not */
    phonesec_failure failure;
    char reason[256];            /* the failure in words, as `phone boot` prints it */
    char device[16];             /* SEP<MAC> */
    char load_information[128];
    int32_t security_mode;       /* 1 non-secure, 2 authenticated, 3 encrypted, 0 not said */
    int32_t transport_layer_protocol; /* 4: TLS, 0 not said */
    char version_stamp[128];
    size_t call_manager_count;
    phonesec_call_manager call_managers[PHONESEC_MAX_SERVERS];
    size_t tvs_count;
    phonesec_server tvs[PHONESEC_MAX_SERVERS];
    size_t capf_count;
    phonesec_server capf[PHONESEC_MAX_SERVERS];
    /* With options.slots_directory: a new load staged in the inactive slot and marked to
     * try. The phone is configured (PHONESEC_OK); the board's reset alone starts the load,
     * so a staged load asks the caller to reset the board. */
    int32_t load_staged;         /* 1: staged, reset the board now */
    char staged_load[64];        /* its load ID */
    char staged_slot[2];         /* "A" or "B" */
} phonesec_boot_result;

/* The whole boot: trust lists, configuration (HTTPS 6971 when the ITL says so), CAPF,
 * decryption, and with options.slots_directory the firmware load the configuration names
 * — what `phone boot` does. `result` is always filled (also on failure).
 * Returns PHONESEC_OK when configured, else why not (result->failure says which step failed). */
phonesec_status phonesec_boot(phonesec_phone *phone, const phonesec_boot_options *options, phonesec_boot_result *result,
                              phonesec_message *message);

/* ---- Identity and status --------------------------------------------------------- */

typedef struct phonesec_certificate_info {
    int32_t present;             /* 0: the phone holds none */
    char subject[256];
    char serial[80];             /* hex */
    char md5[33];                /* MD5 of the DER, lowercase hex: the device table's md5hash */
    char key_type[16];           /* "RSA-2048", "EC P-256" */
} phonesec_certificate_info;

typedef struct phonesec_trust_list_info {
    char kind[4];                /* "CTL" or "ITL" */
    char file[64];
    char signer[256];
    uint32_t records;
} phonesec_trust_list_info;

typedef struct phonesec_phone_info {
    char device[16];
    phonesec_certificate_info mic;
    phonesec_certificate_info lsc;
    size_t trust_list_count;
    phonesec_trust_list_info trust_lists[2];
    int32_t last_config_encrypted;
    size_t tvs_count;            /* the TVS servers of the last configuration */
    phonesec_server tvs[PHONESEC_MAX_SERVERS];
} phonesec_phone_info;

/* What the phone holds now (re-read from the state directory). */
phonesec_status phonesec_phone_info_get(phonesec_phone *phone, phonesec_phone_info *info, phonesec_message *message);

typedef enum phonesec_certificate_which {
    PHONESEC_CERTIFICATE_MIC = 1,
    PHONESEC_CERTIFICATE_LSC = 2
} phonesec_certificate_which;

/* Copies the certificate's DER into buffer. *length receives its size — also when the
 * buffer is too small (PHONESEC_ERR_BUFFER_TOO_SMALL) — and 0 when the phone holds none
 * (PHONESEC_ERR_NO_IDENTITY). Never the key. */
phonesec_status phonesec_certificate_der(phonesec_phone *phone, phonesec_certificate_which which, uint8_t *buffer,
                                         size_t capacity, size_t *length, phonesec_message *message);

/* ---- Trust ---------------------------------------------------------------------------- */

typedef enum phonesec_purpose {
    PHONESEC_PURPOSE_CALL_CONTROL = 1,  /* the call manager's SIP-TLS (CCM, CCM+TFTP) */
    PHONESEC_PURPOSE_CONFIGURATION = 2, /* a configuration signer or server (TFTP, CCM+TFTP) */
    PHONESEC_PURPOSE_HTTPS_SERVICE = 3, /* an HTTPS service (APP-SERVER) */
    PHONESEC_PURPOSE_TRUST_LIST_SIGNER = 4
} phonesec_purpose;

typedef struct phonesec_trust_result {
    int32_t trusted;
    phonesec_trust_source source;
    phonesec_refusal refusal;
    char subject[256];           /* of the certificate */
    char role[16];               /* the fitting role ("CCM+TFTP"), empty when not trusted */
    phonesec_server tvs;         /* the TVS server that answered (host empty: none) */
    uint32_t ttl_seconds;        /* of a TVS answer */
    int32_t tvs_servers_asked;
    char verdict[256];           /* the decision in words, for a log */
} phonesec_trust_result;

/* Is this certificate (DER) trusted for this purpose? The decision the boot makes: the
 * installed lists, then a cached TVS answer, then the TVS servers of the last
 * configuration. PHONESEC_OK trusted; PHONESEC_ERR_NOT_TRUSTED not; PHONESEC_ERR_UNREACHABLE
 * when it needed a TVS and none answered. `result` is filled in all three cases. */
phonesec_status phonesec_trust_check(phonesec_phone *phone, const uint8_t *der, size_t der_length, phonesec_purpose purpose,
                                     phonesec_trust_result *result, phonesec_message *message);

/* ---- Secure channel ------------------------------------------------------------------- */

/* A channel of one phone handle; 0 is never a channel. A closed channel's number stays
 * invalid (PHONESEC_ERR_CLOSED) for the life of the phone handle. */
typedef uint32_t phonesec_channel;

/* TLS 1.2 to HOST:PORT, presenting the LSC (else the MIC) as client certificate; the
 * server is accepted only when the trust decision accepts its certificate for `purpose`
 * (`server`, optional, receives how). A refused server gets no application byte:
 * PHONESEC_ERR_NOT_TRUSTED. timeout_ms bounds the connect and each handshake read
 * (0: 10 s). */
phonesec_status phonesec_channel_open(phonesec_phone *phone, const char *host, uint16_t port, phonesec_purpose purpose,
                                      uint32_t timeout_ms, phonesec_channel *channel, phonesec_trust_result *server,
                                      phonesec_message *message);

/* Sends all `length` bytes (one TLS write). */
phonesec_status phonesec_channel_write(phonesec_phone *phone, phonesec_channel channel, const uint8_t *data, size_t length,
                                       phonesec_message *message);

/* Receives up to `capacity` bytes into buffer; *received says how many (at least 1 on
 * PHONESEC_OK). Bytes that did not fit are kept for the next read. Waits up to
 * timeout_ms (0: 10 s): PHONESEC_ERR_TIMEOUT. When the server has closed:
 * PHONESEC_ERR_CLOSED with *received 0. */
phonesec_status phonesec_channel_read(phonesec_phone *phone, phonesec_channel channel, uint8_t *buffer, size_t capacity,
                                      size_t *received, uint32_t timeout_ms, phonesec_message *message);

/* Sends close_notify and frees the channel. Closing a closed channel: PHONESEC_ERR_CLOSED. */
phonesec_status phonesec_channel_close(phonesec_phone *phone, phonesec_channel channel, phonesec_message *message);

#ifdef __cplusplus
}
#endif

#endif /* PHONESEC_H */
