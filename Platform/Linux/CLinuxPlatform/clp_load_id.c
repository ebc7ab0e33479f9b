// The running load's ID (issue: firmware updates; docs/firmware-loads.md): 64 bytes in a
// section of their own, `.phone_load_id`, so that toolchain/set-load-id.sh gives a built
// firmware another load ID after the link (a test load costs no whole-program link). The
// ID is the text up to the first NUL. `volatile`: the compiler must read the bytes the
// file holds, never fold the initial text into the code that reads it.
#include "clinux_platform.h"

#ifndef PHONE_BUILT_LOAD_ID
#define PHONE_BUILT_LOAD_ID "phonesec-dev"
#endif

// The hardware compatibility level of the board this firmware is built for: a load whose
// `#HARDWARE_COMP_1` is lower does not drive it (formats.md §6). A build-time constant of
// the firmware, here; a board of a later revision builds with a higher one.
#ifndef PHONE_HARDWARE_LEVEL
#define PHONE_HARDWARE_LEVEL 1
#endif

int32_t clp_hardware_level(void) { return PHONE_HARDWARE_LEVEL; }

_Static_assert(sizeof(PHONE_BUILT_LOAD_ID) <= CLP_LOAD_ID_SIZE, "the built load ID must fit its section with its NUL");

__attribute__((section(".phone_load_id"), used, aligned(8)))
const volatile char clp_load_id_bytes[CLP_LOAD_ID_SIZE] = PHONE_BUILT_LOAD_ID;

size_t clp_load_id(char *out, size_t capacity) {
    size_t length = 0;
    while (length < CLP_LOAD_ID_SIZE && length + 1 < capacity && clp_load_id_bytes[length] != 0) {
        out[length] = clp_load_id_bytes[length];
        length += 1;
    }
    if (capacity > 0) out[length] = 0;
    return length;
}
