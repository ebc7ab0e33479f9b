/*
 * The library as a phone keeps it: up for months. One process, one phone handle:
 * QUERIES trust checks and CHANNELS secure channels (open, REGISTER, answer, close)
 * against the lab; the heap in use (glibc's mallinfo2, bytes handed out and not freed)
 * after a warm-up and at the end must be equal within 1 KB. Run it with glibc's per-thread
 * cache off (GLIBC_TUNABLES=glibc.malloc.tcache_count=0, as soak.sh does): chunks that cache
 * keeps after free() still count as in use, which would hide what the library holds.
 *
 *   soak --state DIR --certificate DER --sip HOST:PORT [--queries N] [--channels N]
 *
 * Prints key=value lines; exits 1 when the heap grew by more than 1024 bytes or a call failed.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <phonesec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t heap_in_use(void) { return mallinfo2().uordblks; }

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

/* Open, REGISTER, read the answer's head, close: 1 on 200 OK. */
static int one_channel(phonesec_phone *phone, const char *host, uint16_t port, const char *device, phonesec_message *message) {
    phonesec_channel channel = 0;
    if (phonesec_channel_open(phone, host, port, PHONESEC_PURPOSE_CALL_CONTROL, 5000, &channel, NULL, message) != PHONESEC_OK) return 0;
    char request[512], response[1024];
    int length = snprintf(request, sizeof request,
        "REGISTER sip:lab SIP/2.0\r\nVia: SIP/2.0/TLS phone.invalid;branch=z9hG4bKsoak\r\nFrom: <sip:%s@lab>;tag=1\r\n"
        "To: <sip:%s@lab>\r\nCall-ID: soak@phone.invalid\r\nCSeq: 1 REGISTER\r\n"
        "Contact: <sip:%s@phone.invalid;transport=tls>;+u.sip!devicename.ccm.cisco.com=\"%s\"\r\nContent-Length: 0\r\n\r\n",
        device, device, device, device);
    size_t used = 0, got = 0;
    int ok = phonesec_channel_write(phone, channel, (const uint8_t *)request, (size_t)length, message) == PHONESEC_OK;
    while (ok && used + 1 < sizeof response) {
        ok = phonesec_channel_read(phone, channel, (uint8_t *)response + used, sizeof response - 1 - used, &got, 5000, message)
             == PHONESEC_OK;
        used += got;
        response[used] = 0;
        if (strstr(response, "\r\n\r\n")) break;
    }
    phonesec_channel_close(phone, channel, NULL);
    return ok && strncmp(response, "SIP/2.0 200", 11) == 0;
}

int main(int argc, char **argv) {
    const char *state = NULL, *certificate = NULL, *sip = NULL;
    long queries = 10000, channels = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--state")) state = argv[i + 1];
        else if (!strcmp(argv[i], "--certificate")) certificate = argv[i + 1];
        else if (!strcmp(argv[i], "--sip")) sip = argv[i + 1];
        else if (!strcmp(argv[i], "--queries")) queries = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--channels")) channels = atol(argv[i + 1]);
    }
    if (!state || !certificate || !sip) {
        fprintf(stderr, "usage: soak --state DIR --certificate DER --sip HOST:PORT [--queries N] [--channels N]\n");
        return 2;
    }
    static uint8_t der[16384];
    FILE *file = fopen(certificate, "rb");
    size_t der_length = file ? fread(der, 1, sizeof der, file) : 0;
    if (file) fclose(file);
    char host[256];
    const char *colon = strrchr(sip, ':');
    if (!der_length || !colon || (size_t)(colon - sip) >= sizeof host) { fprintf(stderr, "soak: bad --certificate or --sip\n"); return 2; }
    memcpy(host, sip, (size_t)(colon - sip));
    host[colon - sip] = 0;
    uint16_t port = (uint16_t)atoi(colon + 1);

    phonesec_message message;
    phonesec_phone *phone = NULL;
    phonesec_phone_options options = { .state_directory = state, .mac = "A45630BBFA40" };
    if (phonesec_phone_open(&options, &phone, &message) != PHONESEC_OK) { fprintf(stderr, "soak: %s\n", message.text); return 1; }
    static phonesec_phone_info info;
    phonesec_phone_info_get(phone, &info, NULL);

    /* Warm-up: a check and two channels, so one-time allocations are not counted (the second
     * channel still adds 256 bytes once; from the third on, none). */
    phonesec_trust_result trust;
    int failures = 0;
    failures += phonesec_trust_check(phone, der, der_length, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message) != PHONESEC_OK;
    for (int i = 0; i < 2; i++) failures += !one_channel(phone, host, port, info.device, &message);
    size_t heap_start = heap_in_use();
    size_t heap_peak = heap_start;

    double started = seconds();
    for (long i = 0; i < queries; i++) {
        failures += phonesec_trust_check(phone, der, der_length, PHONESEC_PURPOSE_CALL_CONTROL, &trust, &message) != PHONESEC_OK;
    }
    double queries_done = seconds();
    for (long i = 0; i < channels; i++) {
        failures += !one_channel(phone, host, port, info.device, &message);
        size_t heap = heap_in_use();
        if (heap > heap_peak) heap_peak = heap;
    }
    double channels_done = seconds();
    size_t heap_end = heap_in_use();
    phonesec_phone_close(phone);
    size_t heap_closed = heap_in_use();

    long growth = (long)heap_end - (long)heap_start;
    printf("trust_queries=%ld\n", queries);
    printf("trust_query_us=%.1f\n", (queries_done - started) * 1e6 / (queries ? queries : 1));
    printf("channels=%ld\n", channels);
    printf("channel_ms=%.2f\n", (channels_done - queries_done) * 1e3 / (channels ? channels : 1));
    printf("failed_calls=%d\n", failures);
    printf("heap_start_bytes=%zu\n", heap_start);
    printf("heap_peak_bytes=%zu\n", heap_peak);
    printf("heap_end_bytes=%zu\n", heap_end);
    printf("heap_growth_bytes=%ld\n", growth);
    printf("heap_after_close_bytes=%zu\n", heap_closed);
    if (failures) fprintf(stderr, "soak: %d calls failed; last: %s\n", failures, message.text);
    return failures || growth > 1024 || growth < -1024 ? 1 : 0;
}
