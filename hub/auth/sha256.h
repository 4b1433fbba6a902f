/*
 * sha256.h — SHA-256 (libcrypto EVP), used for session tokens.
 */
#ifndef MLAB_SHA256_H
#define MLAB_SHA256_H

#include <stddef.h>

/* SHA-256 of len bytes at data into out. */
void sha256_sum(const void *data, size_t len, unsigned char out[32]);

#endif
