/* store-deadlines.c — the deadlines index and links between cases. */
#define G_LOG_DOMAIN "caselink-store"

#include "store-private.h"
#include "cl-errors.h"

void
cl_deadline_row_free (CLDeadlineRow *row)
{
  if (row == NULL)
    return;
  g_free (row->state);
  g_free (row->calendar);
  g_free (row->spec);
  g_free (row);
}

/* When the scheduler must look at this row next; 0 = never (paused or done). */
static gint64
next_at (const CLDeadlineRow *row)
{
  gint64 next = 0;

  if (row->paused_at != 0)
    return 0;
  if (row->warn_at > 0 && !row->warned)
    next = row->warn_at;
  if (!row->fired && (next == 0 || row->due < next))
    next = row->due;
  return next;
}

gboolean
cl_store_put_deadline (CLStore *store, const CLDeadlineRow *row, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 next = next_at (row);

  stmt = cl_store_stmt (store,
                        /* in place when the case has one: REPLACE deletes and re-inserts */
                        "INSERT INTO deadlines (case_seq, state, due, warn_at, warned, fired, failed, "
                        "paused_at, calendar, spec, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                        "ON CONFLICT (case_seq) DO UPDATE SET state = ?2, due = ?3, warn_at = ?4, warned = ?5, "
                        "fired = ?6, failed = ?7, paused_at = ?8, calendar = ?9, spec = ?10, next_at = ?11",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row->case_seq);
  sqlite3_bind_text (stmt, 2, row->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, row->due);
  sqlite3_bind_int64 (stmt, 4, row->warn_at);
  sqlite3_bind_int (stmt, 5, row->warned);
  sqlite3_bind_int (stmt, 6, row->fired);
  sqlite3_bind_int (stmt, 7, row->failed);
  sqlite3_bind_int64 (stmt, 8, row->paused_at);
  sqlite3_bind_text (stmt, 9, row->calendar, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, row->spec, -1, SQLITE_TRANSIENT);
  if (next != 0)
    sqlite3_bind_int64 (stmt, 11, next);
  else
    sqlite3_bind_null (stmt, 11);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "writing a deadline");
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
cl_store_delete_deadline (CLStore *store, gint64 case_seq, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, "DELETE FROM deadlines WHERE case_seq = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, case_seq);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "removing a deadline");
  sqlite3_reset (stmt);
  return TRUE;
}

#define DEADLINE_COLUMNS "case_seq, state, due, warn_at, warned, fired, failed, paused_at, calendar, spec"

static CLDeadlineRow *
row_from (sqlite3_stmt *stmt)
{
  CLDeadlineRow *row = g_new0 (CLDeadlineRow, 1);

  row->case_seq = sqlite3_column_int64 (stmt, 0);
  row->state = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->due = sqlite3_column_int64 (stmt, 2);
  row->warn_at = sqlite3_column_int64 (stmt, 3);
  row->warned = sqlite3_column_int (stmt, 4) != 0;
  row->fired = sqlite3_column_int (stmt, 5) != 0;
  row->failed = sqlite3_column_int (stmt, 6) != 0;
  row->paused_at = sqlite3_column_int64 (stmt, 7);
  row->calendar = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  row->spec = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  return row;
}

CLDeadlineRow *
cl_store_get_deadline (CLStore *store, gint64 case_seq, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, "SELECT " DEADLINE_COLUMNS " FROM deadlines WHERE case_seq = ?1", error);
  CLDeadlineRow *row = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row = row_from (stmt);
  else if (rc != SQLITE_DONE)
    cl_store_fail (store, error, "reading a deadline");
  sqlite3_reset (stmt);
  return row;
}

static GPtrArray *
collect (CLStore *store, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_deadline_row_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, row_from (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      cl_store_fail (store, error, "reading deadlines");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
cl_store_due_deadlines (CLStore *store, gint64 now, guint limit, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store,
                                      "SELECT " DEADLINE_COLUMNS " FROM deadlines "
                                      "WHERE next_at IS NOT NULL AND next_at <= ?1 ORDER BY next_at LIMIT ?2",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  return collect (store, stmt, error);
}

gboolean
cl_store_next_deadline (CLStore *store, gint64 *when, gboolean *any, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, "SELECT min(next_at) FROM deadlines WHERE next_at IS NOT NULL", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return cl_store_fail (store, error, "reading the next deadline");
    }
  *any = sqlite3_column_type (stmt, 0) != SQLITE_NULL;
  *when = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

GPtrArray *
cl_store_deadlines_by_calendar (CLStore *store, const char *calendar, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store,
                                      "SELECT " DEADLINE_COLUMNS " FROM deadlines WHERE calendar = ?1 AND fired = 0",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, calendar, -1, SQLITE_TRANSIENT);
  return collect (store, stmt, error);
}

gboolean
cl_store_add_link (CLStore *store, gint64 case_seq, const char *relation, gint64 other_seq, gboolean *added,
                   GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store,
                                      "INSERT OR IGNORE INTO links (case_seq, relation, other_seq) VALUES (?1, ?2, ?3)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, case_seq);
  sqlite3_bind_text (stmt, 2, relation, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, other_seq);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "linking cases");
  sqlite3_reset (stmt);
  if (added != NULL)
    *added = sqlite3_changes (store->db) > 0;
  return TRUE;
}

GVariant *
cl_store_links (CLStore *store, gint64 case_seq, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store,
                                      "SELECT l.relation, c.id FROM links l JOIN cases c ON c.seq = l.other_seq "
                                      "WHERE l.case_seq = ?1 ORDER BY l.rowid",
                                      error);
  GVariantBuilder b;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_seq);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ss)"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&b, "(ss)", (const char *) sqlite3_column_text (stmt, 0),
                           (const char *) sqlite3_column_text (stmt, 1));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&b);
      cl_store_fail (store, error, "reading links");
      return NULL;
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}
