/* sha256.h — SHA-256 (FIPS 180-4) for the audit chains.
 *
 * Every history row is hashed twice when written and again by every audit
 * check; GChecksum's per-update overhead and plain-C rounds made that a
 * tenth of a transition's cost and most of a start-up check. This one uses
 * the CPU's SHA extensions when it has them (checked at run time) and
 * plain C otherwise; the bytes hashed and the digests are the same.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 h[8];
  guint64 length;      /* bytes hashed so far */
  guint8 block[64];
  guint fill;          /* bytes waiting in @block */
} ClSha256;

void cl_sha256_init (ClSha256 *s);
void cl_sha256_update (ClSha256 *s, const void *data, gsize len);
/* The digest as 64 lowercase hex digits and a NUL. */
void cl_sha256_hex (ClSha256 *s, char out[65]);

/* TRUE when the SHA extensions are used (for tests and benchmarks). */
gboolean cl_sha256_accelerated (void);
/* Tests: force the plain C rounds (FALSE) or the default choice (TRUE). */
void cl_sha256_allow_accelerated (gboolean allow);

G_END_DECLS
