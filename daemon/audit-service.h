/* audit-service.h — verifying the history chains from the daemon. */
#pragma once

#include "daemon.h"

G_BEGIN_DECLS

/* Reply to @call with (b ok, s report) once the walk is done; @head is ""
 * or "COUNT:HASH". */
void cl_audit_verify_call (CLDaemon *d, CLCall *call, const char *head);
/* Walk everything once in the background and log what was found. */
void cl_audit_check_at_startup (CLDaemon *d);

G_END_DECLS
