/*
 * sha256.c — SHA-256 for session tokens, through libcrypto's EVP
 * interface (OpenSSL 3 in Debian 12; already loaded by libwebsockets and
 * libmosquitto for TLS), instead of a hand-written implementation.
 */
#include <openssl/evp.h>

#include "auth/sha256.h"

/* SHA-256 of len bytes at data into out (32 bytes the caller owns).
 * EVP_Digest only fails when libcrypto cannot allocate its context: a
 * token that cannot be hashed must never match, so out is then zeroed
 * and nothing hashes to it. */
void sha256_sum(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32) {
		for (int i = 0; i < 32; i++)
			out[i] = 0;
	}
}
