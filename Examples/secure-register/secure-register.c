/*
 * secure-register: a C firmware's view of the security core. Boots the phone through
 * libphonesec (trust lists, configuration, CAPF enrolment, decryption), opens the secure
 * channel to the call manager its configuration names (SIP over TLS, the LSC as client
 * certificate, the call manager accepted only when the phone trusts it for call
 * control), sends a SIP REGISTER and reports the answer.
 *
 *   secure-register --server HOST:PORT --mac MAC --state DIR [--mic PEM] [--transport http|tftp]
 *
 * Prints "registered" and exits 0 on 200 OK. Otherwise exits with the boot's exit code
 * (what `phone boot` would use: 1 rejected, 3 unreachable, 4 enrolment failed, 5 needs an
 * authentication string), or 7 when the channel was refused or failed, or 8 when the
 * call manager answered the REGISTER with anything but 200.
 *
 * Build: cc secure-register.c $(pkg-config --cflags --libs phonesec) -o secure-register
 */
#include <phonesec.h>
#include <stdio.h>
#include <string.h>

static void on_event(void *context, const phonesec_event *event) {
    (void)context;
    /* Typed data: a firmware would drive its UI from the kind and fields. */
    fprintf(stderr, "event %d state=%s file=%s\n", (int)event->kind, event->state ? event->state : "-",
            event->file ? event->file : "-");
}

/* The response's status code ("SIP/2.0 200 OK" → 200), 0 when there is none. */
static int sip_status(const char *response) {
    int code = 0;
    return sscanf(response, "SIP/2.0 %d", &code) == 1 ? code : 0;
}

int main(int argc, char **argv) {
    const char *server = NULL, *mac = NULL, *state = NULL, *mic = NULL, *transport = "http";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--server")) server = argv[i + 1];
        else if (!strcmp(argv[i], "--mac")) mac = argv[i + 1];
        else if (!strcmp(argv[i], "--state")) state = argv[i + 1];
        else if (!strcmp(argv[i], "--mic")) mic = argv[i + 1];
        else if (!strcmp(argv[i], "--transport")) transport = argv[i + 1];
        else { fprintf(stderr, "secure-register: unknown option %s\n", argv[i]); return 2; }
    }
    if (!server || !mac || !state || (argc % 2) == 0) {
        fprintf(stderr, "usage: secure-register --server HOST:PORT --mac MAC --state DIR [--mic PEM] [--transport http|tftp]\n");
        return 2;
    }

    phonesec_message message;
    phonesec_phone *phone = NULL;
    phonesec_phone_options phone_options = { .state_directory = state, .mac = mac, .mic_pem_path = mic };
    if (phonesec_phone_open(&phone_options, &phone, &message) != PHONESEC_OK) {
        fprintf(stderr, "secure-register: %s\n", message.text);
        return 2;
    }

    /* The boot: what `phone boot` does, with each event as data. */
    static phonesec_boot_result result; /* large (servers by value): not on the stack */
    const char *servers[] = { server };
    phonesec_boot_options boot = {
        .servers = servers, .server_count = 1,
        .transport = strcmp(transport, "tftp") ? PHONESEC_TRANSPORT_HTTP : PHONESEC_TRANSPORT_TFTP,
        .on_event = on_event,
    };
    if (phonesec_boot(phone, &boot, &result, &message) != PHONESEC_OK) {
        fprintf(stderr, "secure-register: boot: %s\n", message.text);
        phonesec_phone_close(phone);
        return 1;
    }
    printf("configured: %s, security mode %d\n", result.device, (int)result.security_mode);

    /* The call manager of the highest priority that offers SIP over TLS. */
    const phonesec_call_manager *manager = NULL;
    for (size_t i = 0; i < result.call_manager_count; i++) {
        const phonesec_call_manager *candidate = &result.call_managers[i];
        if (candidate->secured_sip_port && (!manager || candidate->priority < manager->priority)) manager = candidate;
    }
    if (!manager) {
        fprintf(stderr, "secure-register: the configuration names no call manager with a securedSipPort\n");
        phonesec_phone_close(phone);
        return 7;
    }

    phonesec_channel channel = 0;
    phonesec_trust_result trust;
    if (phonesec_channel_open(phone, manager->host, manager->secured_sip_port, PHONESEC_PURPOSE_CALL_CONTROL, 0, &channel,
                              &trust, &message) != PHONESEC_OK) {
        fprintf(stderr, "secure-register: %s\n", message.text);
        phonesec_phone_close(phone);
        return 7;
    }
    printf("call manager %s:%u trusted: %s\n", manager->host, (unsigned)manager->secured_sip_port, trust.verdict);

    /* A REGISTER as Cisco phones send it: the device named in the Contact. */
    char request[1024];
    int length = snprintf(request, sizeof request,
        "REGISTER sip:%s SIP/2.0\r\n"
        "Via: SIP/2.0/TLS phone.invalid;branch=z9hG4bK%s1\r\n"
        "From: <sip:%s@%s>;tag=%s\r\n"
        "To: <sip:%s@%s>\r\n"
        "Call-ID: %s-register@phone.invalid\r\n"
        "CSeq: 101 REGISTER\r\n"
        "Contact: <sip:%s@phone.invalid;transport=tls>;+u.sip!devicename.ccm.cisco.com=\"%s\"\r\n"
        "Expires: 3600\r\n"
        "Content-Length: 0\r\n\r\n",
        manager->host, result.device, result.device, manager->host, result.device, result.device, manager->host,
        result.device, result.device, result.device);
    int code = 0;
    char response[2048];
    size_t used = 0, got = 0;
    phonesec_status status = phonesec_channel_write(phone, channel, (const uint8_t *)request, (size_t)length, &message);
    while (status == PHONESEC_OK && used + 1 < sizeof response) {
        status = phonesec_channel_read(phone, channel, (uint8_t *)response + used, sizeof response - 1 - used, &got, 0, &message);
        used += got;
        response[used] = 0;
        if (strstr(response, "\r\n\r\n")) break;
    }
    if (status != PHONESEC_OK) {
        fprintf(stderr, "secure-register: %s\n", message.text);
        phonesec_phone_close(phone);
        return 7;
    }
    code = sip_status(response);
    phonesec_channel_close(phone, channel, NULL);
    phonesec_phone_close(phone);
    if (code != 200) {
        fprintf(stderr, "secure-register: the call manager answered: %.*s\n", (int)strcspn(response, "\r\n"), response);
        return 8;
    }
    printf("registered\n");
    return 0;
}
