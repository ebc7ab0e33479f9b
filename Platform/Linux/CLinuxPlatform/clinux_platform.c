#include "clinux_platform.h"
int clp_placeholder(void) { return 0; }
