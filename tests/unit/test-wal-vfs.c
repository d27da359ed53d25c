/* test-wal-vfs.c — the log layer writes a commit's frames at once, and
 * nothing about what SQLite stores changes: every commit is in the file
 * before another connection can see it, survives the writer's death, and a
 * failed write fails its commit and nothing before it. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wal-vfs.h"

/* A row nearly fills a page of its own, so a row is a frame. */
#define ROW_BYTES 3000

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
setup (Fixture *fx, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("caselink-wal-vfs-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "db", NULL);
}

static void
teardown (Fixture *fx, gconstpointer unused)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (fx->path, suffixes[i], NULL);
      g_unlink (p);
    }
  g_rmdir (fx->dir);
  g_free (fx->path);
  g_free (fx->dir);
}

static void
exec_ok (sqlite3 *db, const char *sql)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, msg != NULL ? msg : sqlite3_errstr (rc));
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

/* The writer: through the layer, checkpoints only when asked. */
static sqlite3 *
open_layered (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_nonnull (cl_wal_vfs_name ());
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, cl_wal_vfs_name ()), ==,
                   SQLITE_OK);
  exec_ok (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;"
               "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
               "CREATE INDEX IF NOT EXISTS t_body ON t (substr(body, 1, 8), id)");
  return db;
}

/* Another reader, through SQLite's default VFS and its own descriptors. */
static sqlite3 *
open_plain (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

/* Rows [first, first + n) in one transaction; each row's body is known
 * from its id, so any stale or torn page shows in check_rows(). */
static int
insert_rows (sqlite3 *db, int first, int n)
{
  g_autofree char *sql = g_strdup_printf (
    "BEGIN; WITH RECURSIVE k(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
    "INSERT INTO t SELECT i, printf('%%.*c', %d, char(65 + i %% 26)) || i FROM k; COMMIT",
    first, first + n - 1, ROW_BYTES);

  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

static void
check_rows (sqlite3 *db, gint64 expected)
{
  g_autofree char *bad = g_strdup_printf (
    "SELECT count(*) FROM t WHERE body IS NOT printf('%%.*c', %d, char(65 + id %% 26)) || id", ROW_BYTES);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM t"), ==, expected);
  g_assert_cmpint (query_int (db, bad), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM t INDEXED BY t_body WHERE substr(body, 1, 8) > ''"), ==,
                   expected);
}

static void
assert_integrity (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
}

/* The forked writer exited 0 (any other status names the step that failed). */
static void
assert_child_ok (pid_t pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* A fresh connection of the default VFS reads @rows intact rows. */
static void
assert_reads (const char *path, gint64 rows)
{
  sqlite3 *reader = open_plain (path);

  check_rows (reader, rows);
  assert_integrity (reader);
  sqlite3_close (reader);
}

/* A commit of a dozen frames is one write; a bigger one a few. */
static void
test_one_write_per_commit (Fixture *fx, gconstpointer unused)
{
  sqlite3 *db = open_layered (fx->path);
  guint before;

  g_assert_cmpint (insert_rows (db, 1, 10), ==, SQLITE_OK);
  before = cl_wal_vfs_log_writes ();
  g_assert_cmpint (insert_rows (db, 11, 10), ==, SQLITE_OK);
  g_assert_cmpuint (cl_wal_vfs_log_writes () - before, ==, 1);

  /* about 100 frames, 400 KB: the default VFS takes under 128 KiB a call */
  before = cl_wal_vfs_log_writes ();
  g_assert_cmpint (insert_rows (db, 21, 100), ==, SQLITE_OK);
  g_assert_cmpuint (cl_wal_vfs_log_writes () - before, >=, 3);
  g_assert_cmpuint (cl_wal_vfs_log_writes () - before, <=, 5);
  check_rows (db, 120);
  sqlite3_close (db);
}

/* Each commit is readable, intact, by a connection with descriptors of its
 * own, the moment COMMIT returns: small ones, ones longer than a write,
 * and ones after the log started over (its header rewritten at 0). */
static void
test_visible_to_others (Fixture *fx, gconstpointer unused)
{
  sqlite3 *db = open_layered (fx->path);
  sqlite3 *reader = open_plain (fx->path);
  int next = 1;

  for (int round = 0; round < 60; round++)
    {
      int n = round % 10 == 9 ? 70 : 1 + round % 7;

      g_assert_cmpint (insert_rows (db, next, n), ==, SQLITE_OK);
      next += n;
      check_rows (reader, next - 1);
      if (round % 20 == 19)
        {
          int log = -1, done = -1;

          /* everything copied: the next commit starts the log over */
          g_assert_cmpint (sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done), ==,
                           SQLITE_OK);
          g_assert_cmpint (log, ==, done);
        }
    }
  assert_integrity (reader);
  sqlite3_close (reader);
  sqlite3_close (db);

  reader = open_plain (fx->path);
  check_rows (reader, next - 1);
  sqlite3_close (reader);
}

/* A transaction bigger than the page cache writes frames before COMMIT,
 * reads them back, and rewrites pages it already logged. */
static void
test_spill_and_rewrite (Fixture *fx, gconstpointer unused)
{
  sqlite3 *db = open_layered (fx->path);
  sqlite3 *reader = open_plain (fx->path);

  exec_ok (db, "PRAGMA cache_size=10");
  g_assert_cmpint (insert_rows (db, 1, 20), ==, SQLITE_OK);
  exec_ok (db, "BEGIN");
  for (int pass = 0; pass < 3; pass++)
    {
      g_autofree char *sql = g_strdup_printf (
        "WITH RECURSIVE k(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
        "INSERT INTO t SELECT i, printf('%%.*c', %d, char(65 + i %% 26)) || i FROM k",
        21 + pass * 100, 120 + pass * 100, ROW_BYTES);

      exec_ok (db, sql);
      /* rewrites every row written so far, spilled or not */
      exec_ok (db, "UPDATE t SET body = body");
      /* the other connection still sees the last commit only */
      check_rows (reader, 20);
    }
  exec_ok (db, "COMMIT");
  check_rows (reader, 320);
  check_rows (db, 320);
  assert_integrity (reader);
  sqlite3_close (reader);
  sqlite3_close (db);
}

/* The writer dies without closing, in the middle of a transaction: every
 * commit before is there, the half one is not. */
static void
test_writer_dies (Fixture *fx, gconstpointer unused)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      sqlite3 *db = open_layered (fx->path);

      for (int i = 0; i < 30; i++)
        if (insert_rows (db, 1 + i * 3, 3) != SQLITE_OK)
          _exit (2);
      if (sqlite3_exec (db, "BEGIN; INSERT INTO t SELECT id + 1000, body FROM t", NULL, NULL, NULL) != SQLITE_OK)
        _exit (3);
      _exit (0);
    }
  assert_child_ok (pid);
  assert_reads (fx->path, 90);
}

/* The disk refuses the bytes (here: the file size limit): the commit that
 * needed them fails with an I/O error, nothing committed before is lost,
 * the same connection goes on reading, and a commit that fits succeeds.
 * The failing transaction is longer than one gathered write, so the
 * failure comes from a write in its middle, not from its commit frame. */
static void
test_write_fails (Fixture *fx, gconstpointer unused)
{
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);
  pid_t pid;

  {
    sqlite3 *db = open_layered (fx->path);

    g_assert_cmpint (insert_rows (db, 1, 10), ==, SQLITE_OK);
    sqlite3_close (db); /* checkpoints and removes the log */
  }
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      sqlite3 *db = open_layered (fx->path);
      GStatBuf st;
      struct rlimit lim;
      sqlite3_stmt *count = NULL;
      int rc;

      if (insert_rows (db, 11, 5) != SQLITE_OK || g_stat (wal, &st) != 0)
        _exit (2);
      /* room for eight more pages of log: not for 60 rows (≈ 250 KB) */
      signal (SIGXFSZ, SIG_IGN);
      lim.rlim_cur = lim.rlim_max = (rlim_t) st.st_size + 8 * 4120;
      if (setrlimit (RLIMIT_FSIZE, &lim) != 0)
        _exit (3);
      rc = insert_rows (db, 16, 60);
      if ((rc & 0xff) != SQLITE_IOERR && (rc & 0xff) != SQLITE_FULL)
        _exit (4);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      if (sqlite3_get_autocommit (db) == 0)
        _exit (5);
      /* the failed frames are not retried at the next lock: reads work */
      if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t", -1, &count, NULL) != SQLITE_OK
          || sqlite3_step (count) != SQLITE_ROW || sqlite3_column_int (count, 0) != 15)
        _exit (6);
      sqlite3_finalize (count);
      /* one row fits under the limit */
      if (insert_rows (db, 16, 1) != SQLITE_OK)
        _exit (7);
      _exit (0);
    }
  assert_child_ok (pid);
  assert_reads (fx->path, 16);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/wal-vfs/one-write-per-commit", Fixture, NULL, setup, test_one_write_per_commit, teardown);
  g_test_add ("/wal-vfs/visible-to-others", Fixture, NULL, setup, test_visible_to_others, teardown);
  g_test_add ("/wal-vfs/spill-and-rewrite", Fixture, NULL, setup, test_spill_and_rewrite, teardown);
  g_test_add ("/wal-vfs/writer-dies", Fixture, NULL, setup, test_writer_dies, teardown);
  g_test_add ("/wal-vfs/write-fails", Fixture, NULL, setup, test_write_fails, teardown);
  return g_test_run ();
}
