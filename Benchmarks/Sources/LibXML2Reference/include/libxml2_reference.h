#ifndef LIBXML2_REFERENCE_H
#define LIBXML2_REFERENCE_H
#include <stddef.h>
#include <stdint.h>

/// Once per process, before the first walk.
void libxml2_reference_init(void);

/// libxml2's streaming reader (xmlTextReader) over a document held in memory: every
/// node read, each element's local name and each text or CDATA value looked at, as a
/// consumer building a model would. Returns the number of elements, or -1 on an error.
long libxml2_reference_walk(const uint8_t *xml, size_t length);
#endif
