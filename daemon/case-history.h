/* case-history.h — appending notes (deadline events, links) to a case's
 * hash-chained history, on behalf of a caller or of the system. */
#pragma once

#include "actors.h"
#include "store.h"

G_BEGIN_DECLS

/* The actor recorded for what the daemon does by itself (expiries,
 * on_expire transitions, recomputations after a calendar change). */
const CLIdentity *cl_system_identity (void);

/* Append an entry with @action and @comment (no fields, no transition);
 * the caller then writes the case row (history_count/head changed). */
gboolean cl_case_note (CLStore *store, CLCaseRecord *rec, const CLIdentity *who, const char *role,
                       const char *action, const char *comment, gint64 now, GError **error);

G_END_DECLS
