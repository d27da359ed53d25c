/* store.c — SQLite connection, schema migrations, case and history rows. */
#define G_LOG_DOMAIN "caselink-store"

#include "store.h"
#include "store-private.h"
#include "audit.h"
#include "cl-errors.h"
#include "durability.h"
#include "fields-text.h"
#include "wal-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

/* Each entry upgrades the schema by one version; they run in order inside
 * one transaction, and never change once released. */
static const char *const migration_sql[] = {
  /* 1: the spine */
  "CREATE TABLE workflows ("
  "  name TEXT NOT NULL, version INTEGER NOT NULL, source TEXT NOT NULL,"
  "  path TEXT NOT NULL DEFAULT '', stored INTEGER NOT NULL,"
  "  PRIMARY KEY (name, version)) WITHOUT ROWID;"
  "CREATE TABLE counters ("
  "  prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,"
  "  PRIMARY KEY (prefix, year)) WITHOUT ROWID;"
  "CREATE TABLE cases ("
  "  seq INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  workflow TEXT NOT NULL, version INTEGER NOT NULL,"
  "  state TEXT NOT NULL, previous_state TEXT NOT NULL DEFAULT '',"
  "  title TEXT NOT NULL DEFAULT '', domain TEXT NOT NULL DEFAULT '',"
  "  agency TEXT NOT NULL DEFAULT '', creator_agency TEXT NOT NULL DEFAULT '',"
  "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
  "  deadline INTEGER NOT NULL DEFAULT 0, overdue INTEGER NOT NULL DEFAULT 0,"
  "  fields TEXT NOT NULL DEFAULT '@a{sv} {}',"
  "  history_count INTEGER NOT NULL DEFAULT 0, history_head TEXT NOT NULL DEFAULT '');"
  "CREATE INDEX cases_workflow ON cases (workflow, seq);"
  "CREATE INDEX cases_state ON cases (state, seq);"
  "CREATE INDEX cases_domain ON cases (domain, seq);"
  "CREATE INDEX cases_agency ON cases (agency, seq);"
  "CREATE INDEX cases_overdue ON cases (overdue, seq);"
  "CREATE INDEX cases_state_deadline ON cases (state, deadline);"
  "CREATE INDEX cases_deadline ON cases (deadline) WHERE deadline > 0;"
  "CREATE TABLE history ("
  "  case_seq INTEGER NOT NULL REFERENCES cases (seq), seq INTEGER NOT NULL,"
  "  time INTEGER NOT NULL, uid INTEGER NOT NULL, user TEXT NOT NULL,"
  "  agency TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
  "  transition TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
  "  comment TEXT NOT NULL, fields TEXT NOT NULL, hash TEXT NOT NULL,"
  "  PRIMARY KEY (case_seq, seq)) WITHOUT ROWID;",

  /* 2: deadlines (one running deadline per case) and links between cases */
  "CREATE TABLE deadlines ("
  "  case_seq INTEGER PRIMARY KEY REFERENCES cases (seq),"
  "  state TEXT NOT NULL, due INTEGER NOT NULL,"
  "  warn_at INTEGER NOT NULL DEFAULT 0, warned INTEGER NOT NULL DEFAULT 0,"
  "  fired INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
  "  paused_at INTEGER NOT NULL DEFAULT 0,"
  "  calendar TEXT NOT NULL, spec TEXT NOT NULL,"
  "  next_at INTEGER);"
  "CREATE INDEX deadlines_next ON deadlines (next_at) WHERE next_at IS NOT NULL;"
  "CREATE INDEX deadlines_calendar ON deadlines (calendar) WHERE fired = 0;"
  "CREATE TABLE links ("
  "  case_seq INTEGER NOT NULL REFERENCES cases (seq), relation TEXT NOT NULL,"
  "  other_seq INTEGER NOT NULL REFERENCES cases (seq),"
  "  PRIMARY KEY (case_seq, relation, other_seq));",

  /* 3: the global audit chain, and every agency that created or held a case */
  "ALTER TABLE history ADD COLUMN gseq INTEGER;"
  "ALTER TABLE history ADD COLUMN ghash TEXT NOT NULL DEFAULT '';"
  "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, hash TEXT NOT NULL);"
  "INSERT INTO audit_head VALUES (1, 0, '');"
  "CREATE TABLE case_agencies ("
  "  agency TEXT NOT NULL, case_seq INTEGER NOT NULL REFERENCES cases (seq),"
  "  PRIMARY KEY (agency, case_seq)) WITHOUT ROWID;"
  "INSERT OR IGNORE INTO case_agencies SELECT agency, seq FROM cases WHERE agency != '';"
  "INSERT OR IGNORE INTO case_agencies SELECT creator_agency, seq FROM cases WHERE creator_agency != '';",

  /* 4: each plugin's own key-value store (values as GVariant text) */
  "CREATE TABLE plugin_kv ("
  "  plugin TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
  "  PRIMARY KEY (plugin, key)) WITHOUT ROWID;",

  /* 5: sealed records (犯罪记录封存): hidden from everyone without the
   * sealing_query role, read only through Case1.QuerySealed */
  "ALTER TABLE cases ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;",

  /* 6: a case's priority (its integer `priority` field, 0 without one), for
   * ListCases' priority filter */
  ("ALTER TABLE cases ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
   "CREATE INDEX cases_priority ON cases (priority, seq);"),

  /* 7: no index of running deadlines by calendar. Nearly every deadline
   * counts in the deployment's one calendar, so when a calendar changes it
   * skipped only the rows already fired (the reload then re-evaluates each
   * deadline it finds anyway), while every deadline started or stopped
   * rewrote it: ≈ 6 % of the log pages of an Advance (docs/performance.md). */
  "DROP INDEX IF EXISTS deadlines_calendar;",

  /* 8: overdue cases in a state (ListCases and CountCases with both
   * filters) from one index. The planner took cases_overdue for a page
   * (every overdue case walked in order, 0.24 s on 1M cases for a state
   * with none) and cases_state_deadline for a count (0.41 s); with this
   * index both take under 20 ms (docs/performance.md; test-store
   * /store/query-plans checks the plans). No query reads the (state,
   * deadline) or (deadline) indexes, which every transition rewrote. */
  ("DROP INDEX IF EXISTS cases_state_deadline;"
   "DROP INDEX IF EXISTS cases_deadline;"
   "CREATE INDEX IF NOT EXISTS cases_state_overdue ON cases (state, overdue, seq);"),
};

static gboolean backfill_global_chain (CLStore *store, GError **error);
static gboolean backfill_priority (CLStore *store, GError **error);

/* Code that a migration needs beyond SQL (NULL: none). */
static gboolean (*const migration_fixup[]) (CLStore *, GError **) = {
  NULL,
  NULL,
  backfill_global_chain,
  NULL,
  NULL,
  backfill_priority,
};

/* Indexes created after the fixups of the same version. */
static const char *const migration_after[] = {
  NULL,
  NULL,
  "CREATE UNIQUE INDEX history_gseq ON history (gseq);"
  /* A legal record: rows are only ever added (an attacker with the file can
   * drop these, which the hash chains then reveal). */
  "CREATE TRIGGER history_append_only_update BEFORE UPDATE ON history "
  "BEGIN SELECT RAISE (ABORT, 'case history is append-only'); END;"
  "CREATE TRIGGER history_append_only_delete BEFORE DELETE ON history "
  "BEGIN SELECT RAISE (ABORT, 'case history is append-only'); END;",
};

int
cl_store_latest_schema (void)
{
  return (int) G_N_ELEMENTS (migration_sql);
}

gboolean
cl_store_fail (CLStore *store, GError **error, const char *what)
{
  int code = sqlite3_extended_errcode (store->db);
  const char *hint = "";

  if ((code & 0xff) == SQLITE_FULL)
    hint = " (the disk is full)";
  else if ((code & 0xff) == SQLITE_READONLY)
    hint = " (the database is read-only)";
  else if ((code & 0xff) == SQLITE_BUSY)
    hint = " (the database is locked by another process)";
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "storage error while %s: %s%s",
               what, sqlite3_errmsg (store->db), hint);
  return FALSE;
}

sqlite3_stmt *
cl_store_stmt (CLStore *store, const char *sql, GError **error)
{
  guint slot = (guint) (((guintptr) sql >> 3) % G_N_ELEMENTS (store->recent));
  sqlite3_stmt *stmt = NULL;
  char *key = NULL;

  /* the same address may hold other text by now (a freed, built query) */
  if (store->recent[slot].sql == sql && strcmp (store->recent[slot].key, sql) == 0)
    stmt = store->recent[slot].stmt;
  else
    {
      if (!g_hash_table_lookup_extended (store->stmts, sql, (gpointer *) &key, (gpointer *) &stmt))
        {
          if (sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
            {
              cl_store_fail (store, error, "preparing a statement");
              return NULL;
            }
          key = g_strdup (sql);
          g_hash_table_insert (store->stmts, key, stmt);
        }
      store->recent[slot].sql = sql;
      store->recent[slot].key = key;
      store->recent[slot].stmt = stmt;
    }
  /* harmless on a fresh statement */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return stmt;
}

static gboolean
exec (CLStore *store, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "storage error: %s", msg ? msg : sqlite3_errmsg (store->db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Like exec() for the statements every change runs (BEGIN, SAVEPOINT,
 * RELEASE, COMMIT): prepared once instead of parsed each time. */
static gboolean
exec_cached (CLStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "storage error: %s", sqlite3_errmsg (store->db));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static int
read_schema_version (CLStore *store)
{
  sqlite3_stmt *stmt = NULL;
  int version = 0;

  if (sqlite3_prepare_v2 (store->db, "SELECT version FROM schema_version", -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
migrate (CLStore *store, GError **error)
{
  int version;

  if (!exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!exec (store, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", error))
    goto fail;
  version = read_schema_version (store);
  if (version > cl_store_latest_schema ())
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "the database has schema version %d, newer than this caselinkd understands (%d); "
                   "run a newer caselinkd or restore a backup", version, cl_store_latest_schema ());
      goto fail;
    }
  for (int v = version; v < cl_store_latest_schema (); v++)
    {
      g_debug ("applying schema migration %d", v + 1);
      if (!exec (store, migration_sql[v], error))
        goto fail;
      if (v < (int) G_N_ELEMENTS (migration_fixup) && migration_fixup[v] != NULL && !migration_fixup[v] (store, error))
        goto fail;
      if (v < (int) G_N_ELEMENTS (migration_after) && migration_after[v] != NULL && !exec (store, migration_after[v], error))
        goto fail;
    }
  if (version < cl_store_latest_schema ())
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)",
                                              cl_store_latest_schema ());
      if (!exec (store, sql, error))
        goto fail;
    }
  return exec (store, "COMMIT", error);

fail:
  exec (store, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
cl_store_parse_sync_mode (const char *s, CLSyncMode *out)
{
  if (g_ascii_strcasecmp (s, "full") == 0)
    *out = CL_SYNC_FULL;
  else if (g_ascii_strcasecmp (s, "normal") == 0)
    *out = CL_SYNC_NORMAL;
  else if (g_ascii_strcasecmp (s, "off") == 0)
    *out = CL_SYNC_OFF;
  else
    return FALSE;
  return TRUE;
}

/* The database holds case files: only the daemon's user may read it. */
static gboolean
create_private_file (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot open %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);
  return TRUE;
}

/* The audit head as a savepoint found it: rolling back to the savepoint
 * puts it back. The row itself is written once, at COMMIT. */
typedef struct {
  gboolean known;
  gboolean dirty;
  guint64 count;
  char *hash;
} HeadSnapshot;

static void
head_snapshot_clear (gpointer p)
{
  g_free (((HeadSnapshot *) p)->hash);
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
free_gstring (gpointer s)
{
  g_string_free (s, TRUE);
}

CLStore *
cl_store_open (const char *path, CLSyncMode sync, GError **error)
{
  g_autoptr(CLStore) store = g_new0 (CLStore, 1);
  static const char *const sync_sql[] = {
    [CL_SYNC_OFF] = "PRAGMA synchronous=OFF",
    [CL_SYNC_NORMAL] = "PRAGMA synchronous=NORMAL",
    [CL_SYNC_FULL] = "PRAGMA synchronous=FULL",
  };

  static gsize configured = 0;

  /* Before SQLite initialises: its allocation statistics take a global
   * mutex on every malloc, for figures nobody reads. Refused (harmlessly)
   * if something in this process already used SQLite. */
  if (g_once_init_enter (&configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&configured, 1);
    }
  store->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
  store->head_saved = g_array_new (FALSE, FALSE, sizeof (HeadSnapshot));
  g_array_set_clear_func (store->head_saved, head_snapshot_clear);
  store->update_sql = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, free_gstring);
  store->cases = cl_case_cache_new ();
  store->path = g_strdup (path);
  if (!create_private_file (path, error))
    return NULL;
  /* cl_wal_vfs_name(): each commit reaches the log in one write */
  if (sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       cl_wal_vfs_name ())
      != SQLITE_OK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot open database %s: %s", path,
                   store->db ? sqlite3_errmsg (store->db) : "out of memory");
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  /* More small allocations served from the connection's own slots: a
   * change runs a dozen statements. */
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 1200, 512);
  sqlite3_busy_timeout (store->db, 5000);
  if (!exec (store, "PRAGMA journal_mode=WAL", error)
      || !exec (store, sync_sql[sync], error)
      || !exec (store, "PRAGMA foreign_keys=ON", error)
      /* FAST: deleted content is zeroed in the pages a change writes
       * anyway; ON also rewrites every freed page, doubling some commits. */
      || !exec (store, "PRAGMA secure_delete=FAST", error)
      /* Savepoint journals in memory, not a temporary file per commit. */
      || !exec (store, "PRAGMA temp_store=MEMORY", error))
    return NULL;
  if (!migrate (store, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  if (sync == CL_SYNC_FULL)
    {
      /* Commits stay durable before anything reports them (durability.h),
       * but the sync runs off the main loop, and so do checkpoints (its WAL
       * hook replaces SQLite's automatic one). Without the log file (never
       * seen) SQLite keeps syncing itself. */
      g_autoptr(GError) local = NULL;

      store->durable = cl_durability_new (store->db, &local);
      if (store->durable == NULL)
        g_message ("syncing commits in SQLite: %s", local->message);
      else if (!exec (store, "PRAGMA synchronous=NORMAL", error))
        return NULL;
    }
  return g_steal_pointer (&store);
}

CLDurability *
cl_store_durability (CLStore *store)
{
  return store->durable;
}

void
cl_store_close (CLStore *store)
{
  if (store == NULL)
    return;
  g_clear_pointer (&store->durable, cl_durability_free);
  g_hash_table_unref (store->stmts);
  g_hash_table_unref (store->update_sql);
  g_array_unref (store->head_saved);
  cl_case_cache_free (store->cases);
  if (store->db != NULL)
    sqlite3_close (store->db);
  g_free (store->head_hash);
  g_free (store->path);
  g_free (store);
}

gboolean
cl_store_inject_fault (CLStore *store, const char *kind, GError **error)
{
  if (g_str_equal (kind, "none"))
    {
      if (store->durable != NULL)
        cl_durability_inject_failure (store->durable, 0);
      return exec (store, "PRAGMA max_page_count = 4294967294; PRAGMA query_only = OFF", error);
    }
  if (g_str_equal (kind, "sync"))
    {
      /* the disk takes the write but fails to sync it (EIO) */
      if (store->durable == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "the 'sync' fault needs [store] synchronous=full");
          return FALSE;
        }
      cl_durability_inject_failure (store->durable, EIO);
      return TRUE;
    }
  if (g_str_equal (kind, "full"))
    {
      /* SQLite clamps this to the current size: any growth fails as on a full disk. */
      return exec (store, "PRAGMA max_page_count = 1", error);
    }
  if (g_str_equal (kind, "readonly"))
    return exec (store, "PRAGMA query_only = ON", error);
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "unknown fault '%s' (none, full, readonly, sync)", kind);
  return FALSE;
}

struct sqlite3 *
cl_store_db (CLStore *store)
{
  return store->db;
}

int
cl_store_schema_version (CLStore *store)
{
  return read_schema_version (store);
}

/* ---- transactions ----------------------------------------------------- */

static gboolean flush_audit_head (CLStore *store, GError **error);
static void set_rolled_back (CLStore *store, GError **error);
static gboolean transaction_lost (CLStore *store, GError **error);

/* After a rollback: the cached head and cases may hold what is gone. */
static void
forget_cached (CLStore *store)
{
  store->head_known = FALSE;
  store->head_dirty = FALSE;
  g_array_set_size (store->head_saved, 0);
  cl_case_cache_clear (store->cases);
}

gboolean
cl_store_begin (CLStore *store, GError **error)
{
  if (store->durable != NULL)
    {
      if (cl_durability_broken (store->durable, error))
        return FALSE;
      cl_durability_before_write (store->durable);
    }
  if (!exec_cached (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  store->in_tx = TRUE;
  return TRUE;
}

gboolean
cl_store_commit (CLStore *store, GError **error)
{
  if (!flush_audit_head (store, error) || !exec_cached (store, "COMMIT", error))
    {
      cl_store_rollback (store);
      return FALSE;
    }
  store->in_tx = FALSE;
  if (store->durable != NULL)
    return cl_durability_committed (store->durable, error);
  return TRUE;
}

void
cl_store_rollback (CLStore *store)
{
  forget_cached (store);
  if (!sqlite3_get_autocommit (store->db))
    exec_cached (store, "ROLLBACK", NULL);
  store->in_tx = FALSE;
}

gboolean
cl_store_in_transaction (CLStore *store)
{
  return store->in_tx;
}

gboolean
cl_store_savepoint (CLStore *store, GError **error)
{
  HeadSnapshot snap;

  if (transaction_lost (store, error) || !exec_cached (store, "SAVEPOINT item", error))
    return FALSE;
  snap.known = store->head_known;
  snap.dirty = store->head_dirty;
  snap.count = store->head_count;
  snap.hash = g_strdup (store->head_hash);
  g_array_append_val (store->head_saved, snap);
  return TRUE;
}

gboolean
cl_store_release (CLStore *store, GError **error)
{
  if (transaction_lost (store, error) || !exec_cached (store, "RELEASE item", error))
    return FALSE;
  if (store->head_saved->len > 0)
    g_array_set_size (store->head_saved, store->head_saved->len - 1);
  return TRUE;
}

gboolean
cl_store_rollback_savepoint (CLStore *store, GError **error)
{
  HeadSnapshot *snap;

  if (sqlite3_get_autocommit (store->db))
    {
      forget_cached (store);
      store->in_tx = FALSE;
      set_rolled_back (store, error);
      return FALSE;
    }
  if (store->head_saved->len == 0)
    {
      /* no savepoint of ours is open: the head it saved is unknown, and
       * only rolling back everything keeps it consistent */
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "storage error: no savepoint to roll back to");
      cl_store_rollback (store);
      return FALSE;
    }
  exec_cached (store, "ROLLBACK TO item", NULL);
  exec_cached (store, "RELEASE item", NULL);
  cl_case_cache_clear (store->cases);
  /* the head as this savepoint found it: the changes before it stand */
  snap = &g_array_index (store->head_saved, HeadSnapshot, store->head_saved->len - 1);
  store->head_known = snap->known;
  store->head_dirty = snap->dirty;
  store->head_count = snap->count;
  g_free (store->head_hash);
  store->head_hash = g_steal_pointer (&snap->hash);
  g_array_set_size (store->head_saved, store->head_saved->len - 1);
  return TRUE;
}

/* ---- counters --------------------------------------------------------- */

gboolean
cl_store_next_number (CLStore *store, const char *prefix, int year, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = cl_store_stmt (store,
                        "INSERT INTO counters (prefix, year, last) VALUES (?1, ?2, 1) "
                        "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, prefix, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, year);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return cl_store_fail (store, error, "allocating a case number");
  *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

/* ---- cases ------------------------------------------------------------ */

void
cl_case_record_free (CLCaseRecord *rec)
{
  if (rec == NULL)
    return;
  g_free (rec->id);
  g_free (rec->workflow);
  g_free (rec->state);
  g_free (rec->previous_state);
  g_free (rec->title);
  g_free (rec->domain);
  g_free (rec->agency);
  g_free (rec->creator_agency);
  g_clear_pointer (&rec->fields, g_variant_unref);
  g_free (rec->history_head);
  g_free (rec);
}

GHashTable *
cl_store_filled_fields (CLStore *store, const CLCaseRecord *rec)
{
  return cl_case_cache_filled (store->cases, rec);
}

CLCaseRecord *
cl_case_record_copy (const CLCaseRecord *rec)
{
  CLCaseRecord *c = g_new0 (CLCaseRecord, 1);

  *c = *rec;
  c->id = g_strdup (rec->id);
  c->workflow = g_strdup (rec->workflow);
  c->state = g_strdup (rec->state);
  c->previous_state = g_strdup (rec->previous_state);
  c->title = g_strdup (rec->title);
  c->domain = g_strdup (rec->domain);
  c->agency = g_strdup (rec->agency);
  c->creator_agency = g_strdup (rec->creator_agency);
  c->fields = rec->fields != NULL ? g_variant_ref (rec->fields) : NULL;
  c->history_head = g_strdup (rec->history_head);
  return c;
}

void
cl_history_record_free (CLHistoryRecord *h)
{
  if (h == NULL)
    return;
  g_free (h->user);
  g_free (h->agency);
  g_free (h->role);
  g_free (h->action);
  g_free (h->transition);
  g_free (h->from_state);
  g_free (h->to_state);
  g_free (h->comment);
  g_clear_pointer (&h->fields, g_variant_unref);
  g_free (h->hash);
  g_free (h);
}

char *
cl_store_fields_to_text (GVariant *fields)
{
  return cl_fields_to_text (fields);
}

GVariant *
cl_store_fields_from_text (const char *text)
{
  GVariant *v = NULL;

  if (text != NULL)
    v = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
  if (v == NULL)
    {
      g_warning ("unreadable fields in the database: %.80s", text ? text : "(null)");
      v = g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
    }
  /* g_variant_parse() already returns a full reference. */
  return g_variant_take_ref (v);
}

static char *
col_text (sqlite3_stmt *stmt, int i)
{
  const unsigned char *t = sqlite3_column_text (stmt, i);
  return g_strdup (t ? (const char *) t : "");
}

#define CASE_COLUMNS "seq, id, workflow, version, state, previous_state, title, domain, agency, " \
                     "creator_agency, created, updated, deadline, overdue, fields, history_count, history_head, sealed"

const char *
cl_store_case_columns (void)
{
  return CASE_COLUMNS;
}

CLCaseRecord *
cl_store_case_from_row (sqlite3_stmt *stmt)
{
  CLCaseRecord *rec = g_new0 (CLCaseRecord, 1);

  rec->seq = sqlite3_column_int64 (stmt, 0);
  rec->id = col_text (stmt, 1);
  rec->workflow = col_text (stmt, 2);
  rec->version = (guint) sqlite3_column_int64 (stmt, 3);
  rec->state = col_text (stmt, 4);
  rec->previous_state = col_text (stmt, 5);
  rec->title = col_text (stmt, 6);
  rec->domain = col_text (stmt, 7);
  rec->agency = col_text (stmt, 8);
  rec->creator_agency = col_text (stmt, 9);
  rec->created = sqlite3_column_int64 (stmt, 10);
  rec->updated = sqlite3_column_int64 (stmt, 11);
  rec->deadline = sqlite3_column_int64 (stmt, 12);
  rec->overdue = sqlite3_column_int (stmt, 13) != 0;
  rec->fields = cl_store_fields_from_text ((const char *) sqlite3_column_text (stmt, 14));
  rec->history_count = (guint64) sqlite3_column_int64 (stmt, 15);
  rec->history_head = col_text (stmt, 16);
  rec->sealed = sqlite3_column_int (stmt, 17) != 0;
  return rec;
}

/* The integer `priority` field, kept in its own indexed column. */
static gint64
case_priority (GVariant *fields)
{
  gsize n = fields != NULL ? g_variant_n_children (fields) : 0;

  /* by index: g_variant_lookup() parses a format string for every entry */
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (fields, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);

      if (strcmp (g_variant_get_string (key, NULL), "priority") == 0)
        {
          g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
          g_autoptr(GVariant) value = g_variant_get_variant (boxed);

          return g_variant_is_of_type (value, G_VARIANT_TYPE_INT64) ? g_variant_get_int64 (value) : 0;
        }
    }
  return 0;
}

/* Every caller steps and resets @stmt while @rec lives: no copies. */
static void
bind_case (sqlite3_stmt *stmt, const CLCaseRecord *rec, const char *fields_text, gint64 priority)
{
  sqlite3_bind_text (stmt, 1, rec->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, rec->workflow, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, rec->version);
  sqlite3_bind_text (stmt, 4, rec->state, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, rec->previous_state ? rec->previous_state : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, rec->title ? rec->title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, rec->domain ? rec->domain : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, rec->agency ? rec->agency : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, rec->creator_agency ? rec->creator_agency : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 10, rec->created);
  sqlite3_bind_int64 (stmt, 11, rec->updated);
  sqlite3_bind_int64 (stmt, 12, rec->deadline);
  sqlite3_bind_int (stmt, 13, rec->overdue ? 1 : 0);
  sqlite3_bind_text (stmt, 14, fields_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 15, (sqlite3_int64) rec->history_count);
  sqlite3_bind_text (stmt, 16, rec->history_head ? rec->history_head : "", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 18, rec->sealed ? 1 : 0);
  sqlite3_bind_int64 (stmt, 19, priority);
}

/* Every agency that created or held a case may see it ("party"). */
static gboolean
note_agencies (CLStore *store, const CLCaseRecord *rec, GError **error)
{
  const char *agencies[] = { rec->agency, rec->creator_agency };

  for (guint i = 0; i < G_N_ELEMENTS (agencies); i++)
    {
      sqlite3_stmt *stmt;

      if (agencies[i] == NULL || *agencies[i] == '\0')
        continue;
      stmt = cl_store_stmt (store, "INSERT OR IGNORE INTO case_agencies (agency, case_seq) VALUES (?1, ?2)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, agencies[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, rec->seq);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return cl_store_fail (store, error, "recording who holds a case");
      sqlite3_reset (stmt);
    }
  return TRUE;
}

gboolean
cl_store_case_visible_to (CLStore *store, gint64 case_seq, const char *agency, gboolean *visible, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *visible = FALSE;
  if (agency == NULL || *agency == '\0')
    return TRUE;
  stmt = cl_store_stmt (store, "SELECT 1 FROM case_agencies WHERE agency = ?1 AND case_seq = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, agency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, case_seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return cl_store_fail (store, error, "checking who may see a case");
  *visible = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
cl_store_insert_case (CLStore *store, CLCaseRecord *rec, GError **error)
{
  g_autofree char *fields_text = cl_store_fields_to_text (rec->fields);
  sqlite3_stmt *stmt;

  stmt = cl_store_stmt (store,
                        "INSERT INTO cases (id, workflow, version, state, previous_state, title, domain, agency, "
                        "creator_agency, created, updated, deadline, overdue, fields, history_count, history_head, sealed, priority) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?18, ?19)",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_case (stmt, rec, fields_text, case_priority (rec->fields));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "creating a case");
  rec->seq = sqlite3_last_insert_rowid (store->db);
  sqlite3_reset (stmt);
  cl_case_cache_put (store->cases, rec, fields_text);
  return note_agencies (store, rec, error);
}

/* The columns an update may write, with bind_case's parameter numbers. */
static const struct {
  const char *assign;  /* "name = ?param" */
  gboolean text;
} case_columns[] = {
  { "id = ?1", TRUE }, { "workflow = ?2", TRUE }, { "version = ?3", FALSE }, { "state = ?4", TRUE },
  { "previous_state = ?5", TRUE }, { "title = ?6", TRUE }, { "domain = ?7", TRUE }, { "agency = ?8", TRUE },
  { "creator_agency = ?9", TRUE }, { "created = ?10", FALSE }, { "updated = ?11", FALSE }, { "deadline = ?12", FALSE },
  { "overdue = ?13", FALSE }, { "fields = ?14", TRUE }, { "history_count = ?15", FALSE },
  { "history_head = ?16", TRUE }, { "sealed = ?18", FALSE }, { "priority = ?19", FALSE },
};

#define CASE_FIELDS_COLUMN 13
#define CASE_PRIORITY_COLUMN 17
#define CASE_AGENCY_COLUMNS ((1 << 7) | (1 << 8))

/* @rec's values in case_columns order: the text columns in @texts, the
 * integer ones in @ints (priority is left 0: it derives from the fields). */
static void
column_values (const CLCaseRecord *rec, const char *fields_text, const char *texts[], gint64 ints[])
{
  const char *t[G_N_ELEMENTS (case_columns)] = {
    rec->id, rec->workflow, NULL, rec->state, rec->previous_state, rec->title, rec->domain, rec->agency,
    rec->creator_agency, NULL, NULL, NULL, NULL, fields_text, NULL, rec->history_head, NULL, NULL,
  };
  const gint64 n[G_N_ELEMENTS (case_columns)] = {
    0, 0, rec->version, 0, 0, 0, 0, 0, 0, rec->created, rec->updated, rec->deadline, rec->overdue ? 1 : 0, 0,
    (gint64) rec->history_count, 0, rec->sealed ? 1 : 0, 0,
  };

  memcpy (texts, t, sizeof t);
  memcpy (ints, n, sizeof n);
}

/* Which columns of the stored case differ from @rec (bit i: case_columns[i]);
 * -1 with @error set when the row cannot be read. The cached row serves
 * when there is one. @priority: @rec's, when its bit is set. */
static gint64
changed_columns (CLStore *store, const CLCaseRecord *rec, const char *fields_text, gint64 *priority,
                 GError **error)
{
  const char *texts[G_N_ELEMENTS (case_columns)], *old_texts[G_N_ELEMENTS (case_columns)];
  gint64 ints[G_N_ELEMENTS (case_columns)], old_ints[G_N_ELEMENTS (case_columns)];
  const char *old_fields = NULL;
  const CLCaseRecord *old = cl_case_cache_get_seq (store->cases, rec->seq, &old_fields);
  sqlite3_stmt *stmt = NULL;
  gint64 mask = 0;

  column_values (rec, fields_text, texts, ints);
  if (old != NULL)
    column_values (old, old_fields, old_texts, old_ints);
  else
    {
      int rc;

      stmt = cl_store_stmt (store,
                            "SELECT id, workflow, version, state, previous_state, title, domain, agency, creator_agency, "
                            "created, updated, deadline, overdue, fields, history_count, history_head, sealed, priority "
                            "FROM cases WHERE seq = ?1",
                            error);
      if (stmt == NULL)
        return -1;
      sqlite3_bind_int64 (stmt, 1, rec->seq);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          if (rc == SQLITE_DONE)
            g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no case number %" G_GINT64_FORMAT, rec->seq);
          else
            cl_store_fail (store, error, "reading a case");
          sqlite3_reset (stmt);
          return -1;
        }
      for (guint i = 0; i < G_N_ELEMENTS (case_columns); i++)
        {
          if (case_columns[i].text)
            old_texts[i] = (const char *) sqlite3_column_text (stmt, (int) i);
          else if (sqlite3_column_type (stmt, (int) i) == SQLITE_INTEGER)
            old_ints[i] = sqlite3_column_int64 (stmt, (int) i);
          else
            old_ints[i] = G_MININT64;  /* never equal: rewrite it */
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (case_columns); i++)
    {
      gboolean same;

      if (i == CASE_PRIORITY_COLUMN)
        {
          /* derived from the fields: the same fields, the same priority */
          if (!(mask & ((gint64) 1 << CASE_FIELDS_COLUMN)) && old != NULL)
            continue;
          ints[i] = case_priority (rec->fields);
          if (old != NULL)
            old_ints[i] = case_priority (old->fields);
        }
      if (case_columns[i].text)
        same = g_strcmp0 (old_texts[i] ? old_texts[i] : "", texts[i] ? texts[i] : "") == 0;
      else
        same = old_ints[i] == ints[i];
      if (!same)
        mask |= (gint64) 1 << i;
    }
  *priority = (mask & ((gint64) 1 << CASE_PRIORITY_COLUMN)) ? ints[CASE_PRIORITY_COLUMN] : 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return mask;
}

/* The UPDATE that sets the columns in @mask, built once per set: the same
 * text at the same address finds its statement without hashing it. */
static const char *
update_sql (CLStore *store, gint64 mask)
{
  GString *sql = g_hash_table_lookup (store->update_sql, &mask);

  if (sql == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = mask;
      sql = g_string_new ("UPDATE cases SET ");
      for (guint i = 0; i < G_N_ELEMENTS (case_columns); i++)
        if (mask & ((gint64) 1 << i))
          {
            if (sql->str[sql->len - 1] != ' ')
              g_string_append (sql, ", ");
            g_string_append (sql, case_columns[i].assign);
          }
      g_string_append (sql, " WHERE seq = ?17");
      g_hash_table_insert (store->update_sql, key, sql);
    }
  return sql->str;
}

/* Only the columns that changed are written: SQLite rewrites the entries of
 * every index on a column named in SET, so naming all of them dirtied a
 * dozen index pages per transition where two or three change. */
gboolean
cl_store_update_case (CLStore *store, const CLCaseRecord *rec, GError **error)
{
  g_autofree char *fields_text = NULL;
  sqlite3_stmt *stmt;
  const char *stored_text = NULL;
  const char *sql;
  const CLCaseRecord *stored = cl_case_cache_get_seq (store->cases, rec->seq, &stored_text);
  gint64 mask, priority = 0;

  /* Printing the fields is the dearest part of a write; most changes leave
   * them as they were. */
  if (stored != NULL && stored->fields != NULL && rec->fields != NULL
      && (stored->fields == rec->fields || g_variant_equal (stored->fields, rec->fields)))
    fields_text = g_strdup (stored_text);
  else
    fields_text = cl_store_fields_to_text (rec->fields);
  mask = changed_columns (store, rec, fields_text, &priority, error);
  if (mask < 0)
    return FALSE;
  if (mask == 0)
    return TRUE;
  /* Before the row changes: a failure below may leave either version. */
  cl_case_cache_forget (store->cases, rec->seq);
  sql = update_sql (store, mask);
  stmt = cl_store_stmt (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_case (stmt, rec, fields_text, priority);
  sqlite3_bind_int64 (stmt, 17, rec->seq);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "updating a case");
  sqlite3_reset (stmt);
  cl_case_cache_put (store->cases, rec, fields_text);
  if (mask & CASE_AGENCY_COLUMNS)
    return note_agencies (store, rec, error);
  return TRUE;
}

/* The case in the row @stmt stands on, remembered in the cache. */
static CLCaseRecord *
case_from_row_cached (CLStore *store, sqlite3_stmt *stmt)
{
  CLCaseRecord *rec = cl_store_case_from_row (stmt);
  const char *fields_text = (const char *) sqlite3_column_text (stmt, 14);

  cl_case_cache_put (store->cases, rec, fields_text != NULL ? fields_text : "");
  return rec;
}

CLCaseRecord *
cl_store_get_case_by_seq (CLStore *store, gint64 seq, GError **error)
{
  const CLCaseRecord *cached = cl_case_cache_get_seq (store->cases, seq, NULL);
  sqlite3_stmt *stmt;
  CLCaseRecord *rec = NULL;
  int rc;

  if (cached != NULL)
    return cl_case_record_copy (cached);
  stmt = cl_store_stmt (store, "SELECT " CASE_COLUMNS " FROM cases WHERE seq = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    rec = case_from_row_cached (store, stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no case number %" G_GINT64_FORMAT, seq);
  else
    cl_store_fail (store, error, "reading a case");
  sqlite3_reset (stmt);
  return rec;
}

CLCaseRecord *
cl_store_get_case (CLStore *store, const char *id, GError **error)
{
  const CLCaseRecord *cached = cl_case_cache_get_id (store->cases, id, NULL);
  sqlite3_stmt *stmt;
  CLCaseRecord *rec;
  int rc;

  if (cached != NULL)
    return cl_case_record_copy (cached);
  stmt = cl_store_stmt (store, "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no case '%.64s'", id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      cl_store_fail (store, error, "reading a case");
      sqlite3_reset (stmt);
      return NULL;
    }
  rec = case_from_row_cached (store, stmt);
  sqlite3_reset (stmt);
  return rec;
}

/* ---- history ---------------------------------------------------------- */

/* The global head is cached; any rollback makes it unknown again. */
static gboolean
read_audit_head (CLStore *store, GError **error)
{
  if (store->head_known)
    return TRUE;
  g_clear_pointer (&store->head_hash, g_free);
  if (!cl_store_audit_head (store, &store->head_count, &store->head_hash, error))
    return FALSE;
  store->head_known = TRUE;
  return TRUE;
}

static gboolean
write_audit_head (CLStore *store, GError **error)
{
  sqlite3_stmt *stmt = cl_store_stmt (store, "UPDATE audit_head SET count = ?1, hash = ?2 WHERE id = 1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) store->head_count);
  sqlite3_bind_text (stmt, 2, store->head_hash, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      store->head_known = FALSE;
      return cl_store_fail (store, error, "writing the audit head");
    }
  sqlite3_reset (stmt);
  store->head_dirty = FALSE;
  return TRUE;
}

static void
set_rolled_back (CLStore *store, GError **error)
{
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "storage error: the database rolled the whole batch back (%s)",
               sqlite3_errmsg (store->db));
}

/* SQLite rolled the whole transaction back by itself (a full disk, no
 * memory): the cached head counts rows that are gone, and a write now
 * would commit on its own. */
static gboolean
transaction_lost (CLStore *store, GError **error)
{
  if (!store->in_tx || !sqlite3_get_autocommit (store->db))
    return FALSE;
  forget_cached (store);
  set_rolled_back (store, error);
  return TRUE;
}

static gboolean
flush_audit_head (CLStore *store, GError **error)
{
  if (transaction_lost (store, error))
    return FALSE;
  return !store->head_dirty || write_audit_head (store, error);
}

gboolean
cl_store_audit_head (CLStore *store, guint64 *count, char **hash, GError **error)
{
  /* What is committed, read without touching the cached head (which may
   * be ahead of it inside a transaction). */
  sqlite3_stmt *stmt = cl_store_stmt (store, "SELECT count, hash FROM audit_head WHERE id = 1", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return cl_store_fail (store, error, "reading the audit head");
    }
  *count = (guint64) sqlite3_column_int64 (stmt, 0);
  *hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_reset (stmt);
  return TRUE;
}

/* Migration 6: priority from the fields already stored. */
static gboolean
backfill_priority (CLStore *store, GError **error)
{
  sqlite3_stmt *rows = NULL, *upd = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db, "SELECT seq, fields FROM cases WHERE instr(fields, 'priority') > 0", -1, &rows,
                          NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (store->db, "UPDATE cases SET priority = ?1 WHERE seq = ?2", -1, &upd, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (rows);
      return cl_store_fail (store, error, "recording priorities");
    }
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      g_autoptr(GVariant) fields = cl_store_fields_from_text ((const char *) sqlite3_column_text (rows, 1));
      sqlite3_bind_int64 (upd, 1, case_priority (fields));
      sqlite3_bind_int64 (upd, 2, sqlite3_column_int64 (rows, 0));
      if (sqlite3_step (upd) != SQLITE_DONE)
        break;
      sqlite3_reset (upd);
    }
  sqlite3_finalize (rows);
  sqlite3_finalize (upd);
  return rc == SQLITE_DONE ? TRUE : cl_store_fail (store, error, "recording priorities");
}

/* Migration 3: number the existing rows in the order they were written and
 * chain them. */
static gboolean
backfill_global_chain (CLStore *store, GError **error)
{
  sqlite3_stmt *rows = NULL, *upd = NULL;
  g_autofree char *ghash = g_strdup ("");
  guint64 n = 0;
  int rc;

  if (sqlite3_prepare_v2 (store->db, "SELECT case_seq, seq, hash FROM history ORDER BY time, case_seq, seq", -1, &rows,
                          NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (store->db, "UPDATE history SET gseq = ?1, ghash = ?2 WHERE case_seq = ?3 AND seq = ?4", -1,
                             &upd, NULL) != SQLITE_OK)
    {
      sqlite3_finalize (rows);
      return cl_store_fail (store, error, "numbering history");
    }
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      char *next = cl_audit_global_hash (ghash, (const char *) sqlite3_column_text (rows, 2));
      g_free (ghash);
      ghash = next;
      sqlite3_bind_int64 (upd, 1, (sqlite3_int64) ++n);
      sqlite3_bind_text (upd, 2, ghash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (upd, 3, sqlite3_column_int64 (rows, 0));
      sqlite3_bind_int64 (upd, 4, sqlite3_column_int64 (rows, 1));
      if (sqlite3_step (upd) != SQLITE_DONE)
        break;
      sqlite3_reset (upd);
    }
  sqlite3_finalize (rows);
  sqlite3_finalize (upd);
  if (rc != SQLITE_DONE)
    return cl_store_fail (store, error, "numbering history");
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE audit_head SET count = %" G_GUINT64_FORMAT ", hash = '%s'", n, ghash);
    return exec (store, sql, error);
  }
}

gboolean
cl_store_append_history (CLStore *store, CLCaseRecord *rec, CLHistoryRecord *h, GError **error)
{
  g_autofree char *fields_text = cl_store_fields_to_text (h->fields);
  g_autofree char *head_hash = NULL;
  guint64 head_count;
  sqlite3_stmt *stmt;

  if (transaction_lost (store, error))
    return FALSE;
  h->seq = rec->history_count + 1;
  g_free (h->hash);
  h->hash = cl_audit_hash (rec->history_head, rec->id, h, fields_text);

  if (!read_audit_head (store, error))
    return FALSE;
  /* the head moves only once the row is in: a failed INSERT leaves it */
  head_hash = cl_audit_global_hash (store->head_hash, h->hash);
  head_count = store->head_count + 1;

  stmt = cl_store_stmt (store,
                        "INSERT INTO history (case_seq, seq, time, uid, user, agency, role, action, transition, "
                        "from_state, to_state, comment, fields, hash, gseq, ghash) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rec->seq);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) h->seq);
  sqlite3_bind_int64 (stmt, 3, h->time);
  sqlite3_bind_int64 (stmt, 4, h->uid);
  sqlite3_bind_text (stmt, 5, h->user ? h->user : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, h->agency ? h->agency : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, h->role ? h->role : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, h->action ? h->action : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, h->transition ? h->transition : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, h->from_state ? h->from_state : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, h->to_state ? h->to_state : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 12, h->comment ? h->comment : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, fields_text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 14, h->hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 15, (sqlite3_int64) head_count);
  sqlite3_bind_text (stmt, 16, head_hash, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "writing history");
  sqlite3_reset (stmt);
  g_free (store->head_hash);
  store->head_hash = g_steal_pointer (&head_hash);
  store->head_count = head_count;
  /* In a transaction the head row is written once, at COMMIT (a savepoint
   * rolled back restores the head it saved). */
  if (!sqlite3_get_autocommit (store->db))
    store->head_dirty = TRUE;
  else if (!write_audit_head (store, error))
    return FALSE;

  rec->history_count = h->seq;
  g_free (rec->history_head);
  rec->history_head = g_strdup (h->hash);
  return TRUE;
}

GPtrArray *
cl_store_history (CLStore *store, const CLCaseRecord *rec, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_history_record_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = cl_store_stmt (store,
                        "SELECT seq, time, uid, user, agency, role, action, transition, from_state, to_state, "
                        "comment, fields, hash FROM history WHERE case_seq = ?1 ORDER BY seq",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, rec->seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CLHistoryRecord *h = g_new0 (CLHistoryRecord, 1);
      h->seq = (guint64) sqlite3_column_int64 (stmt, 0);
      h->time = sqlite3_column_int64 (stmt, 1);
      h->uid = (guint32) sqlite3_column_int64 (stmt, 2);
      h->user = col_text (stmt, 3);
      h->agency = col_text (stmt, 4);
      h->role = col_text (stmt, 5);
      h->action = col_text (stmt, 6);
      h->transition = col_text (stmt, 7);
      h->from_state = col_text (stmt, 8);
      h->to_state = col_text (stmt, 9);
      h->comment = col_text (stmt, 10);
      h->fields = cl_store_fields_from_text ((const char *) sqlite3_column_text (stmt, 11));
      h->hash = col_text (stmt, 12);
      g_ptr_array_add (rows, h);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      cl_store_fail (store, error, "reading history");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* ---- workflow versions ------------------------------------------------ */

gboolean
cl_store_put_workflow (CLStore *store, const char *name, guint version, const char *source,
                       const char *path, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = cl_store_stmt (store,
                        "INSERT INTO workflows (name, version, source, path, stored) VALUES (?1, ?2, ?3, ?4, ?5) "
                        "ON CONFLICT (name, version) DO UPDATE SET source = excluded.source, path = excluded.path",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, path ? path : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return cl_store_fail (store, error, "storing a workflow definition");
  sqlite3_reset (stmt);
  return TRUE;
}

char *
cl_store_workflow_source (CLStore *store, const char *name, guint version, GError **error)
{
  sqlite3_stmt *stmt;
  char *source = NULL;
  int rc;

  stmt = cl_store_stmt (store, "SELECT source FROM workflows WHERE name = ?1 AND version = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, version);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    source = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    cl_store_fail (store, error, "reading a workflow definition");
  sqlite3_reset (stmt);
  return source;
}

GVariant *
cl_store_workflows (CLStore *store, GError **error)
{
  GVariantBuilder b;
  sqlite3_stmt *stmt;
  int rc;

  stmt = cl_store_stmt (store, "SELECT name, version, source, path FROM workflows ORDER BY name, version", error);
  if (stmt == NULL)
    return NULL;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(suss)"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_variant_builder_add (&b, "(suss)", (const char *) sqlite3_column_text (stmt, 0),
                           (guint32) sqlite3_column_int64 (stmt, 1),
                           (const char *) sqlite3_column_text (stmt, 2),
                           (const char *) sqlite3_column_text (stmt, 3));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_variant_builder_clear (&b);
      cl_store_fail (store, error, "reading workflow definitions");
      return NULL;
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}
