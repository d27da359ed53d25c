/* audit.h — hashing a history record into the case's chain (the bytes are
 * defined in common/audit-chain.c and docs/security.md). */
#pragma once

#include "audit-chain.h"
#include "store.h"

G_BEGIN_DECLS

char *cl_audit_hash (const char *prev_hash, const char *case_id, const CLHistoryRecord *h,
                     const char *fields_text);

G_END_DECLS
