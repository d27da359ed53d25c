/* test-durability.c — replies and signals wait for the commits before them
 * to be synced, in order; a failed sync turns waiting replies into Failed
 * errors and drops waiting signals; drain sends everything at once. */
#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "durability.h"

typedef struct {
  char *dir;
  char *path;
  sqlite3 *db;
  CLDurability *dur;
  GPtrArray *sent;   /* DBusMessage, in the order they left */
  gboolean busy;     /* what the "are calls waiting" question answers */
} Fixture;

static void
record (DBusMessage *msg, gpointer data)
{
  Fixture *fx = data;
  g_ptr_array_add (fx->sent, dbus_message_ref (msg));
}

static gboolean
is_busy (gpointer data)
{
  Fixture *fx = data;
  return fx->busy;
}

static void
setup (Fixture *fx, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("caselink-durability-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "db", NULL);
  g_assert_cmpint (sqlite3_open (fx->path, &fx->db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (fx->db, "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  fx->dur = cl_durability_new (fx->db, &error);
  g_assert_no_error (error);
  fx->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) dbus_message_unref);
  cl_durability_attach (fx->dur, record, fx, NULL, is_busy, fx);
}

static void
teardown (Fixture *fx, gconstpointer unused)
{
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fx->path, "-shm", NULL);

  cl_durability_free (fx->dur);
  sqlite3_close (fx->db);
  g_ptr_array_unref (fx->sent);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (fx->path);
  g_rmdir (fx->dir);
  g_free (fx->path);
  g_free (fx->dir);
}

static DBusMessage *
signal_named (const char *member)
{
  return dbus_message_new_signal ("/org/caselink/Manager", "org.caselink.Manager1", member);
}

/* A method return for serial @serial, as the daemon builds them. */
static DBusMessage *
reply_to (dbus_uint32_t serial)
{
  DBusMessage *r = dbus_message_new (DBUS_MESSAGE_TYPE_METHOD_RETURN);

  dbus_message_set_reply_serial (r, serial);
  dbus_message_set_destination (r, ":1.42");
  return r;
}

/* A real commit of the main connection (counted by the WAL hook), then
 * what the store does after COMMIT. */
static gboolean
commit (Fixture *fx, GError **error)
{
  g_assert_cmpint (sqlite3_exec (fx->db, "INSERT INTO t VALUES (2)", NULL, NULL, NULL), ==, SQLITE_OK);
  return cl_durability_committed (fx->dur, error);
}

static void
send_and_drop (Fixture *fx, DBusMessage *msg)
{
  cl_durability_send (fx->dur, msg);
  dbus_message_unref (msg);
}

static void
wait_for (Fixture *fx, guint n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (fx->sent->len < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fx->sent->len, ==, n);
}

static const char *
member_of (Fixture *fx, guint i)
{
  return dbus_message_get_member (g_ptr_array_index (fx->sent, i));
}

/* Nothing waits to be read: the sync runs at once, nothing is held. */
static void
test_inline (Fixture *fx, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;

  fx->busy = FALSE;
  send_and_drop (fx, signal_named ("Before"));
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_true (commit (fx, &error));
  g_assert_no_error (error);
  send_and_drop (fx, signal_named ("After"));
  g_assert_cmpuint (fx->sent->len, ==, 2);
}

/* Calls are waiting: the worker syncs, messages wait and leave in order. */
static void
test_async_order (Fixture *fx, gconstpointer unused)
{
  fx->busy = TRUE;
  g_assert_true (commit (fx, NULL));
  send_and_drop (fx, signal_named ("A"));
  g_assert_true (commit (fx, NULL));
  send_and_drop (fx, signal_named ("B"));
  /* Held, whatever the worker has done yet: only the loop sends. */
  g_assert_cmpuint (fx->sent->len, ==, 0);
  wait_for (fx, 2);
  g_assert_cmpstr (member_of (fx, 0), ==, "A");
  g_assert_cmpstr (member_of (fx, 1), ==, "B");
  /* Everything durable again: straight through. */
  send_and_drop (fx, signal_named ("C"));
  g_assert_cmpuint (fx->sent->len, ==, 3);
}

/* Between the changes of a batch the engine polls: what the worker has
 * synced goes out then, without the main loop running. */
static void
test_poll (Fixture *fx, gconstpointer unused)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  fx->busy = TRUE;
  g_assert_true (commit (fx, NULL));
  send_and_drop (fx, signal_named ("A"));
  cl_durability_poll (fx->dur);   /* nothing yet, or A: never more */
  g_assert_cmpuint (fx->sent->len, <=, 1);
  while (fx->sent->len == 0 && g_get_monotonic_time () < end)
    {
      g_usleep (1000);
      cl_durability_poll (fx->dur);
    }
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpstr (member_of (fx, 0), ==, "A");
  /* The loop's own completion finds nothing left to do. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fx->sent->len, ==, 1);
}

/* The sync fails: the reply becomes Failed for the same call, the signal
 * is not sent, an error reply stays as it was. */
static void
test_async_failure (Fixture *fx, gconstpointer unused)
{
  DBusMessage *r;

  fx->busy = TRUE;
  cl_durability_inject_failure (fx->dur, EIO);
  g_test_expect_message ("caselink-store", G_LOG_LEVEL_WARNING, "*syncing the database's log failed*");
  g_assert_true (commit (fx, NULL));
  send_and_drop (fx, reply_to (7));
  send_and_drop (fx, signal_named ("Dropped"));
  r = dbus_message_new (DBUS_MESSAGE_TYPE_ERROR);
  dbus_message_set_error_name (r, "org.caselink.Error.NotFound");
  dbus_message_set_reply_serial (r, 8);
  send_and_drop (fx, r);
  wait_for (fx, 2);
  r = g_ptr_array_index (fx->sent, 0);
  g_assert_cmpint (dbus_message_get_type (r), ==, DBUS_MESSAGE_TYPE_ERROR);
  g_assert_cmpstr (dbus_message_get_error_name (r), ==, "org.caselink.Error.Failed");
  g_assert_cmpuint (dbus_message_get_reply_serial (r), ==, 7);
  g_assert_cmpstr (dbus_message_get_destination (r), ==, ":1.42");
  r = g_ptr_array_index (fx->sent, 1);
  g_assert_cmpstr (dbus_message_get_error_name (r), ==, "org.caselink.Error.NotFound");
  g_test_assert_expected_messages ();
}

/* A sync run at once that fails is reported to the committer. */
static void
test_inline_failure (Fixture *fx, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;

  fx->busy = FALSE;
  cl_durability_inject_failure (fx->dur, EIO);
  g_test_expect_message ("caselink-store", G_LOG_LEVEL_WARNING, "*syncing the database's log failed*");
  g_assert_false (commit (fx, &error));
  g_test_assert_expected_messages ();
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "could not be synced"));
  g_clear_error (&error);
  /* Sticky: no later sync can vouch for the log. */
  cl_durability_inject_failure (fx->dur, EIO);
  g_assert_true (cl_durability_broken (fx->dur, &error));
  g_clear_error (&error);
  cl_durability_inject_failure (fx->dur, 0);
  g_assert_false (cl_durability_broken (fx->dur, NULL));
  g_assert_true (commit (fx, NULL));
}

/* A commit the store did not announce (a statement in autocommit mode) is
 * still synced before anything after it leaves. */
static void
test_unannounced_commit (Fixture *fx, gconstpointer unused)
{
  fx->busy = TRUE;
  g_assert_cmpint (sqlite3_exec (fx->db, "INSERT INTO t VALUES (3)", NULL, NULL, NULL), ==, SQLITE_OK);
  send_and_drop (fx, signal_named ("AfterIt"));
  g_assert_cmpuint (fx->sent->len, ==, 0);
  wait_for (fx, 1);
  g_assert_cmpstr (member_of (fx, 0), ==, "AfterIt");
}

/* Shutdown: drain sends what waits without the loop running. */
static void
test_drain (Fixture *fx, gconstpointer unused)
{
  fx->busy = TRUE;
  g_assert_true (commit (fx, NULL));
  send_and_drop (fx, signal_named ("Last"));
  cl_durability_drain (fx->dur);
  g_assert_cmpuint (fx->sent->len, ==, 1);
  g_assert_cmpstr (member_of (fx, 0), ==, "Last");
}

/* A long log is copied into the database by the worker: the writer's own
 * automatic checkpoint is off, yet the database file grows to hold it. */
static void
test_checkpoint (Fixture *fx, gconstpointer unused)
{
  GStatBuf st = { 0 };
  gint64 end;

  g_assert_cmpint (sqlite3_exec (fx->db, "BEGIN; CREATE TABLE big (b); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                                 "SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO big SELECT randomblob(2000) FROM n; "
                                 "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_stat (fx->path, &st) == 0 && st.st_size < 3000 * 2000 && g_get_monotonic_time () < end)
    g_usleep (20000);
  g_assert_cmpint (st.st_size, >=, 3000 * 2000);
}

/* Under a steady stream of commits the log still starts over: the worker's
 * checkpoint leaves a tail (the commits made while it copied), which is
 * copied before a later transaction, so the log stays near the threshold
 * instead of growing to the emergency limit (10,000 pages). */
static void
test_log_starts_over (Fixture *fx, gconstpointer busy)
{
  g_autofree char *wal = g_strconcat (fx->path, "-wal", NULL);
  GStatBuf st = { 0 };
  gint64 largest = 0;

  g_assert_cmpint (sqlite3_exec (fx->db, "CREATE TABLE rows (id INTEGER PRIMARY KEY, b); WITH RECURSIVE n(i) AS "
                                 "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO rows SELECT i, "
                                 "randomblob(3000) FROM n", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (cl_durability_committed (fx->dur, NULL));
  /* busy: the worker syncs, one sync after another while commits land
   * during each, and still takes its turn to copy the log */
  fx->busy = busy != NULL;
  /* 1,500 transactions of 8 changed pages each: 12,000 log pages in all */
  for (int i = 0; i < 1500; i++)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN IMMEDIATE; UPDATE rows SET b = randomblob(3000) WHERE id %% 25 "
                                              "= %d; COMMIT", i % 25);

      cl_durability_before_write (fx->dur);
      g_assert_cmpint (sqlite3_exec (fx->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
      g_assert_true (cl_durability_committed (fx->dur, NULL));
      cl_durability_poll (fx->dur);
      g_assert_cmpint (g_stat (wal, &st), ==, 0);
      largest = MAX (largest, (gint64) st.st_size);
    }
  /* 1,000 pages asked for, a tail of at most 64, one more transaction;
   * 4,096-byte pages plus a 24-byte header each */
  g_assert_cmpint (largest, <, 2000 * (4096 + 24) + 32);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/durability/inline", Fixture, NULL, setup, test_inline, teardown);
  g_test_add ("/durability/async-order", Fixture, NULL, setup, test_async_order, teardown);
  g_test_add ("/durability/poll", Fixture, NULL, setup, test_poll, teardown);
  g_test_add ("/durability/async-failure", Fixture, NULL, setup, test_async_failure, teardown);
  g_test_add ("/durability/inline-failure", Fixture, NULL, setup, test_inline_failure, teardown);
  g_test_add ("/durability/drain", Fixture, NULL, setup, test_drain, teardown);
  g_test_add ("/durability/unannounced-commit", Fixture, NULL, setup, test_unannounced_commit, teardown);
  g_test_add ("/durability/checkpoint", Fixture, NULL, setup, test_checkpoint, teardown);
  g_test_add ("/durability/log-starts-over", Fixture, NULL, setup, test_log_starts_over, teardown);
  g_test_add ("/durability/log-starts-over-busy", Fixture, "busy", setup, test_log_starts_over, teardown);
  return g_test_run ();
}
