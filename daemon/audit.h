/* audit.h — the hash chain over each case's history (tamper evidence). */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* SHA-256 (lowercase hex) of the previous row's hash and the canonical bytes
 * of @h for case @case_id; @fields_text is the stored text of h->fields. */
char *cl_audit_hash (const char *prev_hash, const char *case_id, const CLHistoryRecord *h,
                     const char *fields_text);

G_END_DECLS
