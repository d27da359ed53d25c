/* audit-chain.h — tamper evidence for case history.
 *
 * Every history row carries hash = SHA-256 over the previous row's hash of
 * the same case and the row's canonical bytes (per-case chain), and ghash =
 * SHA-256 over the previous row's ghash and the row's hash in the order
 * rows were written (global chain, numbered by gseq). docs/security.md
 * specifies the bytes. The verifier walks both chains in bounded steps so
 * the daemon can run it between D-Bus calls, and caselinkctl offline. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct {
  const char *case_id;
  guint64 seq;
  gint64 time;
  guint32 uid;
  const char *user;
  const char *agency;
  const char *role;
  const char *action;
  const char *transition;
  const char *from_state;
  const char *to_state;
  const char *comment;
  const char *fields_text;   /* the stored text of the row's fields */
} CLAuditRow;

/* Lowercase hex SHA-256. */
char *cl_audit_row_hash (const char *prev_hash, const CLAuditRow *row);
char *cl_audit_global_hash (const char *prev_global, const char *row_hash);

/* "" or "COUNT:HASH" (a head recorded earlier from AuditHead). */
gboolean cl_audit_parse_head (const char *text, guint64 *count, char **hash, GError **error);

typedef struct _CLAuditVerifier CLAuditVerifier;

/* @db is borrowed and must outlive the verifier. */
CLAuditVerifier *cl_audit_verifier_new (sqlite3 *db, guint64 head_count, const char *head_hash);
/* Check up to @max_rows more rows; TRUE when finished (or broken). */
gboolean cl_audit_verifier_step (CLAuditVerifier *v, guint max_rows);
/* After the last step: TRUE when everything holds. @report says what was
 * checked, or names the first broken row (case id, seq). */
gboolean cl_audit_verifier_result (CLAuditVerifier *v, const char **report);
void cl_audit_verifier_free (CLAuditVerifier *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLAuditVerifier, cl_audit_verifier_free)

G_END_DECLS
