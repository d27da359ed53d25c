/* store-private.h — what store.c shares with store-query.c. */
#pragma once

#include "store.h"
#include <sqlite3.h>

typedef struct _CLCaseCache CLCaseCache;

struct _CLStore {
  sqlite3 *db;
  char *path;
  GHashTable *stmts;   /* SQL text -> prepared statement, finalized at close */
  GHashTable *update_sql;  /* column mask (gint64) -> GString: its UPDATE */
  /* Recently used statements by the address of their SQL (mostly string
   * literals): hashing a long statement's text cost more than running some. */
  struct {
    const char *sql;     /* the caller's pointer */
    const char *key;     /* the text, as owned by @stmts */
    sqlite3_stmt *stmt;
  } recent[64];
  gboolean in_tx;
  /* the global audit chain's head, cached between appends */
  gboolean head_known;
  gboolean head_dirty;  /* audit_head not yet written: at COMMIT */
  guint64 head_count;
  char *head_hash;
  GArray *head_saved;   /* HeadSnapshot per open savepoint, innermost last */
  CLCaseCache *cases;  /* store-cache.c */
  struct _CLDurability *durable;  /* synchronous=full: syncs the log itself; NULL otherwise */
};

int cl_store_latest_schema (void);
gboolean cl_store_fail (CLStore *store, GError **error, const char *what);
/* A cached prepared statement, reset and unbound. */
sqlite3_stmt *cl_store_stmt (CLStore *store, const char *sql, GError **error);
const char *cl_store_case_columns (void);
CLCaseRecord *cl_store_case_from_row (sqlite3_stmt *stmt);
char *cl_store_fields_to_text (GVariant *fields);
GVariant *cl_store_fields_from_text (const char *text);

/* store-cache.c: cases as stored, refreshed by every write, emptied by any
 * rollback. Entries are borrowed; copy before changing one. */
CLCaseCache *cl_case_cache_new (void);
void cl_case_cache_free (CLCaseCache *cache);
void cl_case_cache_clear (CLCaseCache *cache);
void cl_case_cache_forget (CLCaseCache *cache, gint64 seq);
void cl_case_cache_put (CLCaseCache *cache, const CLCaseRecord *rec, const char *fields_text);
const CLCaseRecord *cl_case_cache_get_seq (CLCaseCache *cache, gint64 seq, const char **fields_text);
const CLCaseRecord *cl_case_cache_get_id (CLCaseCache *cache, const char *id, const char **fields_text);
GHashTable *cl_case_cache_filled (CLCaseCache *cache, const CLCaseRecord *rec);
