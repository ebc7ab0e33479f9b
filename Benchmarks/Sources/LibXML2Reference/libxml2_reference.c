#include "libxml2_reference.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <string.h>

void libxml2_reference_init(void) { xmlInitParser(); }

// Where the text lengths go, so the compiler cannot drop the reads of the values.
static volatile size_t text_seen;

long libxml2_reference_walk(const uint8_t *xml, size_t length) {
    // No network, no DTD loading: the same stance as the phone's parser.
    xmlTextReaderPtr reader = xmlReaderForMemory((const char *)xml, (int)length, NULL, NULL, XML_PARSE_NONET);
    if (!reader) return -1;
    long elements = 0;
    size_t text = 0;
    int status;
    while ((status = xmlTextReaderRead(reader)) == 1) {
        switch (xmlTextReaderNodeType(reader)) {
        case XML_READER_TYPE_ELEMENT: {
            const xmlChar *name = xmlTextReaderConstLocalName(reader);
            if (name) elements += 1;
            break;
        }
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA: {
            const xmlChar *value = xmlTextReaderConstValue(reader);
            if (value) text += strlen((const char *)value);
            break;
        }
        default:
            break;
        }
    }
    xmlFreeTextReader(reader);
    text_seen = text;
    return status == 0 ? elements : -1;
}
