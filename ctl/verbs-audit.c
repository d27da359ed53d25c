/* verbs-audit.c — audit verify and audit head: the tamper evidence of the
 * case history (common/audit-chain.h, docs/security.md).
 *
 * audit verify asks caselinkd (Manager1.VerifyAudit), or with --db reads
 * the database file itself, read-only and without a bus, running the same
 * verifier the daemon runs. Either way the report names the first broken
 * row; with --head (a COUNT:HASH recorded earlier from audit head) rows
 * deleted from the end are found too.
 */
#include "ctl.h"

#include "audit-chain.h"
#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>

/* Rows per verifier step offline: only bounds the work between checks. */
#define OFFLINE_ROWS_PER_STEP 5000
/* A daemon writing the same file holds its lock only briefly. */
#define OFFLINE_BUSY_TIMEOUT_MS 10000

/* Print the verdict: the report line, or {"ok", "report"}; a broken chain
 * is exit 1 with nothing more printed. */
static gboolean
print_verdict (CtlContext *ctx, gboolean ok, const char *report, GError **error)
{
  if (ctx->json)
    {
      g_autoptr(CtlJson) root = ctl_json_object_new ();

      ctl_json_object_set_boolean (root, "ok", ok);
      ctl_json_object_set_string (root, "report", report);
      ctl_print_json (root, FALSE);
    }
  else
    {
      /* The report may quote what a tampered database holds (case ids). */
      g_autofree char *shown = ctl_sanitize (report);

      printf ("%s%s\n", ok ? "" : "BROKEN: ", shown);
    }
  if (!ok)
    {
      ctl_set_error (error, CTL_ERROR_REPORTED, CTL_EXIT_FAILURE,
                     "the history has been tampered with");
      return FALSE;
    }
  return TRUE;
}

static gboolean
verify_on_bus (CtlContext *ctx, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *report;
  gboolean ok;

  reply = ctl_bus_call_long (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "VerifyAudit",
                             g_variant_new ("(s)", ctx->audit_head != NULL ? ctx->audit_head : ""),
                             "(bs)", CTL_AUDIT_TIMEOUT_MS, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(b&s)", &ok, &report);
  return print_verdict (ctx, ok, report, error);
}

/* Whether "@path@suffix" exists (a log or journal beside the database). */
static gboolean
beside_exists (const char *path, const char *suffix)
{
  g_autofree char *name = g_strconcat (path, suffix, NULL);
  GStatBuf st;

  return g_lstat (name, &st) == 0;
}

/* Open @path read-only, as a caselink database; NULL with @error set. */
static sqlite3 *
open_database (const char *path, GError **error)
{
  g_autofree char *shown = g_filename_display_name (path);
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *probe = NULL;
  GStatBuf st;
  int rc;

  /* sqlite3 only says "unable to open database file": name the cause. */
  if (g_stat (path, &st) != 0)
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot read the database %s: %s", shown, g_strerror (errno));
      return NULL;
    }
  if (S_ISDIR (st.st_mode))
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "%s is a directory, not a caselink database", shown);
      return NULL;
    }
  /* Without a log or journal beside it (a backup copy, a database whose
   * daemon stopped cleanly) nothing can be writing the file: opened as
   * immutable, SQLite creates no -wal or -shm next to it, so read-only
   * media and directories work too. With a log, its commits must be read,
   * which takes SQLite's shared index (-shm). */
  if (!beside_exists (path, "-wal") && !beside_exists (path, "-journal"))
    {
      g_autofree char *absolute = g_canonicalize_filename (path, NULL);
      g_autofree char *file_uri = g_filename_to_uri (absolute, NULL, NULL);

      if (file_uri != NULL)
        uri = g_strconcat (file_uri, "?immutable=1", NULL);
    }
  if (uri != NULL)
    rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  else
    rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot open the database %s: %s", shown,
                     db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, OFFLINE_BUSY_TIMEOUT_MS);
  rc = sqlite3_prepare_v2 (db, "SELECT case_seq, seq, hash, gseq, ghash FROM history LIMIT 0", -1, &probe, NULL);
  if (rc != SQLITE_OK)
    {
      /* Only a file SQLite reads but finds no history in is "not a
       * caselink database"; anything else (a log it may not index, a lock)
       * is said as SQLite says it. */
      if (rc == SQLITE_NOTADB || (rc == SQLITE_ERROR && sqlite3_extended_errcode (db) == SQLITE_ERROR))
        ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                       "%s is not a caselink database (%s)", shown, sqlite3_errmsg (db));
      else
        ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                       "cannot read the database %s: %s%s", shown, sqlite3_errmsg (db),
                       beside_exists (path, "-wal")
                         ? " (its log, -wal, holds commits that can be read only where SQLite may create or "
                           "write the -shm file beside it: check as a user who may, or copy the database "
                           "with its -wal)"
                         : "");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_finalize (probe);
  return db;
}

static gboolean
verify_file (CtlContext *ctx, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(CLAuditVerifier) verifier = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *report = NULL;
  const char *text;
  guint64 count = 0;
  sqlite3 *db;
  gboolean ok;

  /* Checked before: cannot fail here. */
  if (ctx->audit_head != NULL && !cl_audit_parse_head (ctx->audit_head, &count, &hash, &parse_error))
    {
      ctl_error_adopt (error, g_steal_pointer (&parse_error));
      return FALSE;
    }
  db = open_database (ctx->db_path, error);
  if (db == NULL)
    return FALSE;
  /* One read transaction: a daemon appending meanwhile cannot make the
   * per-case and the global walk see different histories. */
  if (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_autofree char *shown = g_filename_display_name (ctx->db_path);
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot read the database %s: %s", shown, sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  verifier = cl_audit_verifier_new (db, count, hash);
  while (!cl_audit_verifier_step (verifier, OFFLINE_ROWS_PER_STEP))
    ;
  ok = cl_audit_verifier_result (verifier, &text);
  report = g_strdup (text);
  g_clear_pointer (&verifier, cl_audit_verifier_free);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  return print_verdict (ctx, ok, report, error);
}

gboolean
ctl_verb_audit_verify (CtlContext *ctx, char **args, GError **error)
{
  if (ctx->db_path != NULL)
    return verify_file (ctx, error);
  return verify_on_bus (ctx, error);
}

gboolean
ctl_verb_audit_head (CtlContext *ctx, char **args, GError **error)
{
  g_autoptr(GVariant) head = NULL;
  const char *hash;
  guint64 count;

  head = ctl_bus_get_property (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "AuditHead",
                               "(ts)", error);
  if (head == NULL)
    return FALSE;
  g_variant_get (head, "(t&s)", &count, &hash);
  if (ctx->json)
    {
      g_autoptr(CtlJson) root = ctl_json_object_new ();

      ctl_json_object_set_int (root, "count", (gint64) count);
      ctl_json_object_set_string (root, "hash", hash);
      ctl_print_json (root, FALSE);
    }
  else
    printf ("%" G_GUINT64_FORMAT ":%s\n", count, hash);
  return TRUE;
}
