// Debian's libmbedtls-dev 2.28 LTS. Only the headers the core uses.
#ifndef PHONE_MBEDTLS_UMBRELLA_H
#define PHONE_MBEDTLS_UMBRELLA_H

#include <mbedtls/aes.h>
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/md5.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_csr.h>
#include <mbedtls/x509_crt.h>

#endif
