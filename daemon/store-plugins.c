/* store-plugins.c — what plugins keep (plugin_kv) and the read-only case
 * scan behind caselink_query_count()/caselink_query_list().
 *
 * As everywhere in the store, SQL text is assembled only from constant
 * fragments; every value is a bound parameter.
 */
#define G_LOG_DOMAIN "caselink-store"

#include "store-private.h"
#include "cl-errors.h"

char *
cl_store_kv_get (CLStore *store, const char *plugin, const char *key, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, "SELECT value FROM plugin_kv WHERE plugin = ?1 AND key = ?2", error);
  char *value = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, plugin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    cl_store_fail (store, error, "reading a plugin's value");
  sqlite3_reset (stmt);
  return value;
}

gboolean
cl_store_kv_set (CLStore *store, const char *plugin, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt;

  if (value != NULL)
    stmt = cl_store_stmt (store,
                          "INSERT INTO plugin_kv (plugin, key, value) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value",
                          error);
  else
    stmt = cl_store_stmt (store, "DELETE FROM plugin_kv WHERE plugin = ?1 AND key = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, plugin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return cl_store_fail (store, error, "writing a plugin's value");
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* More needles than this are not worth a longer statement. */
#define MAX_NEEDLES 8

gboolean
cl_store_scan_cases (CLStore *store, const char *workflow, gint64 created_since, const char *const *needles,
                     CLCaseVisitFunc visit, gpointer data, GError **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT id, fields FROM cases WHERE workflow = ? AND created >= ?");
  sqlite3_stmt *stmt;
  guint n = 0;
  int rc, i = 1;

  for (; needles != NULL && needles[n] != NULL && n < MAX_NEEDLES; n++)
    g_string_append (sql, " AND instr(fields, ?) > 0");
  g_string_append (sql, " ORDER BY seq");
  stmt = cl_store_stmt (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, i++, workflow, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, i++, created_since);
  for (guint k = 0; k < n; k++)
    sqlite3_bind_text (stmt, i++, needles[k], -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) fields = cl_store_fields_from_text ((const char *) sqlite3_column_text (stmt, 1));
      if (!visit ((const char *) sqlite3_column_text (stmt, 0), fields, data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return cl_store_fail (store, error, "querying cases for a plugin");
  return TRUE;
}
