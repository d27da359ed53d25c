/* audit.c — a CLHistoryRecord as an audit row. */
#include "audit.h"

char *
cl_audit_hash (const char *prev_hash, const char *case_id, const CLHistoryRecord *h, const char *fields_text)
{
  CLAuditRow row = {
    case_id, h->seq, h->time, h->uid, h->user, h->agency, h->role, h->action, h->transition,
    h->from_state, h->to_state, h->comment, fields_text,
  };
  return cl_audit_row_hash (prev_hash, &row);
}
