/*
 * The C API's refusals, through the installed header and library (toolchain/capi-check.sh
 * runs it against the lab on the host and under QEMU):
 *   bad input (NULL, wrong lengths, an unknown enum) is an error code, never an abort;
 *   undersized buffers say so and how much is needed; nothing is lost by a small read;
 *   the trust decision the boot makes, as the rest of the firmware asks it: the ITL's
 *   CallManager for configurations, the same certificate as a trust-list signer on TVS's
 *   word, a stranger refused on TVS's;
 *   a call manager the phone does not trust is refused before any byte is sent;
 *   a REGISTER over the MIC only, or naming another device, gets 403 from the lab;
 *   a closed channel stays closed; the channel table is bounded.
 *
 *   capi-refusals --state DIR --mic-only-state DIR --mac MAC --sip HOST:PORT --evil-sip HOST:PORT
 *                 --tvs HOST:PORT --ccm DER --stranger DER
 *
 * Prints one line per check ("ok: …" or "FAIL: …"); exits 1 when any failed.
 * PHONE_CHECK_BREAK (see check below) breaks checks on purpose.
 */
#include <phonesec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

/* PHONE_CHECK_BREAK=TEXT turns the checks whose description contains TEXT into their
 * opposite, as toolchain/lib.sh's check does: capi-check.sh watches this program fail. */
static void check(int condition, const char *what, const phonesec_message *message) {
    const char *broken = getenv("PHONE_CHECK_BREAK");
    if (broken && broken[0] && strstr(what, broken)) condition = !condition;
    printf("%s: %s", condition ? "ok" : "FAIL", what);
    if (message && message->text[0]) printf(" [%s]", message->text);
    printf("\n");
    if (!condition) failures++;
}

static void split(const char *text, char *host, size_t size, uint16_t *port) {
    const char *colon = strrchr(text, ':');
    size_t length = colon ? (size_t)(colon - text) : strlen(text);
    if (length >= size) length = size - 1;
    memcpy(host, text, length);
    host[length] = 0;
    *port = colon ? (uint16_t)atoi(colon + 1) : 0;
}

/* A REGISTER naming `device`; the status code of the answer (0: none). */
static int sip_register(phonesec_phone *phone, phonesec_channel channel, const char *device, phonesec_message *message) {
    char request[512];
    int length = snprintf(request, sizeof request,
        "REGISTER sip:lab SIP/2.0\r\nVia: SIP/2.0/TLS phone.invalid;branch=z9hG4bKtest\r\nFrom: <sip:%s@lab>;tag=1\r\n"
        "To: <sip:%s@lab>\r\nCall-ID: refusals@phone.invalid\r\nCSeq: 1 REGISTER\r\n"
        "Contact: <sip:%s@phone.invalid;transport=tls>;+u.sip!devicename.ccm.cisco.com=\"%s\"\r\nContent-Length: 0\r\n\r\n",
        device, device, device, device);
    if (phonesec_channel_write(phone, channel, (const uint8_t *)request, (size_t)length, message) != PHONESEC_OK) return 0;
    /* One byte at a time: whatever did not fit a read must come with the next. */
    char response[1024];
    size_t used = 0, got = 0;
    while (used + 1 < sizeof response) {
        if (phonesec_channel_read(phone, channel, (uint8_t *)response + used, 1, &got, 5000, message) != PHONESEC_OK) return 0;
        used += got;
        response[used] = 0;
        if (strstr(response, "\r\n\r\n")) break;
    }
    int code = 0;
    return sscanf(response, "SIP/2.0 %d", &code) == 1 ? code : 0;
}

/* The whole of a small file (a certificate's DER) into buffer; its length, 0 when unreadable. */
static size_t read_file(const char *path, uint8_t *buffer, size_t capacity) {
    FILE *file = fopen(path, "rb");
    if (!file) return 0;
    size_t length = fread(buffer, 1, capacity, file);
    int whole = feof(file) && !ferror(file);
    fclose(file);
    return whole ? length : 0;
}

int main(int argc, char **argv) {
    const char *state = NULL, *mic_only = NULL, *mac = NULL, *sip = NULL, *evil = NULL, *tvs = NULL, *ccm = NULL, *stranger = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--state")) state = argv[i + 1];
        else if (!strcmp(argv[i], "--mic-only-state")) mic_only = argv[i + 1];
        else if (!strcmp(argv[i], "--mac")) mac = argv[i + 1];
        else if (!strcmp(argv[i], "--sip")) sip = argv[i + 1];
        else if (!strcmp(argv[i], "--evil-sip")) evil = argv[i + 1];
        else if (!strcmp(argv[i], "--tvs")) tvs = argv[i + 1];
        else if (!strcmp(argv[i], "--ccm")) ccm = argv[i + 1];
        else if (!strcmp(argv[i], "--stranger")) stranger = argv[i + 1];
    }
    if (!state || !mic_only || !mac || !sip || !evil || !tvs || !ccm || !stranger) {
        fprintf(stderr, "usage: capi-refusals --state DIR --mic-only-state DIR --mac MAC --sip HOST:PORT --evil-sip HOST:PORT\n"
                        "                     --tvs HOST:PORT --ccm DER --stranger DER\n");
        return 2;
    }
    char host[256], evil_host[256], tvs_host[256];
    uint16_t port, evil_port, tvs_port;
    split(sip, host, sizeof host, &port);
    split(evil, evil_host, sizeof evil_host, &evil_port);
    split(tvs, tvs_host, sizeof tvs_host, &tvs_port);
    phonesec_message message;

    /* Bad input. */
    phonesec_phone *phone = (phonesec_phone *)&message; /* must be overwritten with NULL */
    check(phonesec_phone_open(NULL, &phone, &message) == PHONESEC_ERR_ARGUMENT && phone == NULL, "phone_open(NULL options)", &message);
    phonesec_phone_options options = { .state_directory = state, .mac = "not-a-mac" };
    check(phonesec_phone_open(&options, &phone, &message) == PHONESEC_ERR_ARGUMENT, "phone_open with a bad MAC", &message);
    options.mac = mac;
    check(phonesec_phone_open(&options, NULL, NULL) == PHONESEC_ERR_ARGUMENT, "phone_open(…, NULL handle address, NULL message)", NULL);
    static phonesec_boot_result boot;
    check(phonesec_boot(NULL, NULL, &boot, &message) == PHONESEC_ERR_ARGUMENT && boot.configured == 0, "boot(NULL phone)", &message);
    check(phonesec_trust_check(NULL, NULL, 0, PHONESEC_PURPOSE_CALL_CONTROL, NULL, &message) == PHONESEC_ERR_ARGUMENT,
          "trust_check(NULL …)", &message);
    check(strcmp(phonesec_status_name(PHONESEC_ERR_NOT_TRUSTED), "PHONESEC_ERR_NOT_TRUSTED") == 0
          && strcmp(phonesec_status_name((phonesec_status)999), "PHONESEC_UNKNOWN_STATUS") == 0, "status names", NULL);
    phonesec_phone_close(NULL);

    check(phonesec_phone_open(&options, &phone, &message) == PHONESEC_OK && phone != NULL, "phone_open of the enrolled phone", &message);
    const char *servers[] = { "127.0.0.1:1" };
    phonesec_boot_options boot_options = { .servers = servers, .server_count = 0 };
    check(phonesec_boot(phone, &boot_options, &boot, &message) == PHONESEC_ERR_ARGUMENT, "boot with server_count 0", &message);
    boot_options.server_count = 1;
    boot_options.transport = (phonesec_transport)7;
    check(phonesec_boot(phone, &boot_options, &boot, &message) == PHONESEC_ERR_ARGUMENT, "boot with an unknown transport", &message);

    /* Identity, and an undersized buffer. */
    static phonesec_phone_info info;
    check(phonesec_phone_info_get(phone, &info, &message) == PHONESEC_OK && info.lsc.present && strlen(info.lsc.md5) == 32
          && info.mic.present && info.trust_list_count >= 1, "phone_info_get: MIC, LSC with its MD5, a trust list", &message);
    uint8_t small[8], der[8192];
    size_t length = 0;
    check(phonesec_certificate_der(phone, PHONESEC_CERTIFICATE_LSC, small, sizeof small, &length, &message)
          == PHONESEC_ERR_BUFFER_TOO_SMALL && length > sizeof small, "certificate_der into 8 bytes says how many it needs", &message);
    check(phonesec_certificate_der(phone, PHONESEC_CERTIFICATE_LSC, der, sizeof der, &length, &message) == PHONESEC_OK
          && der[0] == 0x30, "certificate_der with room: the LSC's DER", &message);
    size_t unused = 0;
    check(phonesec_certificate_der(phone, (phonesec_certificate_which)9, der, sizeof der, &unused, &message) == PHONESEC_ERR_ARGUMENT,
          "certificate_der of an unknown certificate", &message);

    /* Trust: bad input, and the phone's own LSC is no call manager. */
    phonesec_trust_result trust;
    check(phonesec_trust_check(phone, der, length, (phonesec_purpose)99, &trust, &message) == PHONESEC_ERR_ARGUMENT,
          "trust_check with an unknown purpose", &message);
    check(phonesec_trust_check(phone, der, 3, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message) == PHONESEC_ERR_ARGUMENT,
          "trust_check of 3 bytes that are no certificate", &message);
    phonesec_status status = phonesec_trust_check(phone, der, length, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message);
    check(status == PHONESEC_ERR_NOT_TRUSTED && !trust.trusted && trust.source == PHONESEC_SOURCE_NONE,
          "trust_check: the phone's own LSC is not trusted for call control", &message);

    /* The decision the boot makes, asked as the rest of the firmware asks it. */
    static uint8_t ccm_der[8192], stranger_der[8192];
    size_t ccm_length = read_file(ccm, ccm_der, sizeof ccm_der), stranger_length = read_file(stranger, stranger_der, sizeof stranger_der);
    status = phonesec_trust_check(phone, ccm_der, ccm_length, PHONESEC_PURPOSE_CONFIGURATION, &trust, &message);
    check(status == PHONESEC_OK && trust.trusted && trust.source == PHONESEC_SOURCE_ITL && !strcmp(trust.role, "CCM+TFTP")
          && trust.tvs_servers_asked == 0, "trust_check: the ITL holds the CallManager as a configuration signer", &message);
    status = phonesec_trust_check(phone, ccm_der, ccm_length, PHONESEC_PURPOSE_TRUST_LIST_SIGNER, &trust, &message);
    check(status == PHONESEC_OK && trust.trusted && trust.source == PHONESEC_SOURCE_TVS && !strcmp(trust.role, "CCM+TFTP")
          && trust.ttl_seconds == 3600 && !strcmp(trust.tvs.host, tvs_host) && trust.tvs.port == tvs_port,
          "trust_check: TVS vouches for the CallManager as a trust-list signer", &message);
    status = phonesec_trust_check(phone, stranger_der, stranger_length, PHONESEC_PURPOSE_HTTPS_SERVICE, &trust, &message);
    check(status == PHONESEC_ERR_NOT_TRUSTED && !trust.trusted && trust.refusal == PHONESEC_REFUSAL_TVS_SAYS_INVALID
          && trust.tvs_servers_asked == 1 && !strcmp(trust.tvs.host, tvs_host) && trust.tvs.port == tvs_port,
          "trust_check: TVS says a stranger is invalid, and it is not trusted", &message);

    /* A call manager the phone does not trust: refused before any byte is sent. */
    phonesec_channel channel = 12345;
    status = phonesec_channel_open(phone, evil_host, evil_port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &trust, &message);
    check(status == PHONESEC_ERR_NOT_TRUSTED && channel == 0 && !trust.trusted && strstr(trust.subject, "CN=stranger"),
          "channel_open to a call manager no list holds and TVS does not vouch for", &message);
    check(phonesec_channel_open(phone, NULL, port, PHONESEC_PURPOSE_CALL_CONTROL, 0, &channel, NULL, &message) == PHONESEC_ERR_ARGUMENT,
          "channel_open(NULL host)", &message);

    /* This phone's LSC, registering as another device: 403. */
    check(phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, &trust, &message) == PHONESEC_OK
          && trust.trusted && trust.source == PHONESEC_SOURCE_ITL, "channel_open to the lab's call manager (trusted by the ITL)", &message);
    check(sip_register(phone, channel, "SEP000000000099", &message) == 403, "REGISTER as another device of the lab over this phone's LSC: 403", &message);

    /* Closed stays closed; zero-capacity reads; NULL data. */
    uint8_t byte;
    size_t got = 1;
    check(phonesec_channel_read(phone, channel, &byte, 0, &got, 100, &message) == PHONESEC_ERR_BUFFER_TOO_SMALL && got == 0,
          "channel_read into 0 bytes", &message);
    check(phonesec_channel_write(phone, channel, NULL, 4, &message) == PHONESEC_ERR_ARGUMENT, "channel_write(NULL data)", &message);
    check(phonesec_channel_close(phone, channel, &message) == PHONESEC_OK, "channel_close", &message);
    check(phonesec_channel_write(phone, channel, (const uint8_t *)"x", 1, &message) == PHONESEC_ERR_CLOSED, "write after close", &message);
    check(phonesec_channel_read(phone, channel, &byte, 1, &got, 100, &message) == PHONESEC_ERR_CLOSED, "read after close", &message);
    check(phonesec_channel_close(phone, channel, &message) == PHONESEC_ERR_CLOSED, "close after close", &message);
    check(phonesec_channel_write(phone, 0, (const uint8_t *)"x", 1, &message) == PHONESEC_ERR_CLOSED, "channel 0 is never open", &message);

    /* Bounded: PHONESEC_MAX_CHANNELS at once, and a closed number stays invalid after its slot is reused. */
    phonesec_channel open[PHONESEC_MAX_CHANNELS];
    int opened = 0;
    for (int i = 0; i < PHONESEC_MAX_CHANNELS; i++) {
        if (phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &open[i], NULL, &message) == PHONESEC_OK) opened++;
    }
    phonesec_channel extra = 0;
    check(opened == PHONESEC_MAX_CHANNELS
          && phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &extra, NULL, &message)
             == PHONESEC_ERR_TOO_MANY_CHANNELS && extra == 0, "the ninth channel is refused", &message);
    check(phonesec_channel_write(phone, channel, (const uint8_t *)"x", 1, &message) == PHONESEC_ERR_CLOSED,
          "a closed channel's number stays closed when its slot is reused", &message);
    phonesec_phone_close(phone); /* closes the eight */

    /* The MIC only: the lab answers 403. */
    options.state_directory = mic_only;
    check(phonesec_phone_open(&options, &phone, &message) == PHONESEC_OK, "phone_open of the phone without an LSC", &message);
    check(phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, NULL, &message) == PHONESEC_OK,
          "channel_open presenting the MIC", &message);
    check(sip_register(phone, channel, info.device, &message) == 403, "REGISTER over the MIC only, naming the phone itself: 403",
          &message);
    phonesec_channel_close(phone, channel, NULL);
    phonesec_phone_close(phone);

    printf("capi-refusals: %d failed\n", failures);
    return failures ? 1 : 0;
}
