/* floor.c — the floor service (floor.h): caselinkd's I/O, none of its logic. */
#include "floor.h"
#include "advance-rows.h"
#include "cl-dbus-glue.h"
#include "cl-errors.h"
#include "durability.h"
#include "engine.h"
#include "store.h"

#include <dbus/dbus.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  DBusConnection *conn;
  CLStore *store;
  CLDurability *durable;
  BenchRows *rows;          /* BENCH_FLOOR_ADVANCE_ROWS */
  sqlite3_stmt *insert;     /* BENCH_FLOOR_ONE_ROW */
  GQueue queue;             /* DBusMessage *: Advance calls not yet run */
  guint idle_id;
  GMainLoop *loop;
} Floor;

static G_GNUC_NORETURN void
die (const char *what, const char *detail)
{
  fprintf (stderr, "caselink-bench floor service: %s: %s\n", what, detail ? detail : "");
  _exit (1);
}

static void
open_db (Floor *f, const char *path, BenchFloorRows rows)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  /* the daemon's store: schema, log layer, durability (replies wait for
   * the sync, which runs off the loop) */
  f->store = cl_store_open (path, CL_SYNC_FULL, &error);
  if (f->store == NULL)
    die (path, error->message);
  f->durable = cl_store_durability (f->store);
  if (f->durable == NULL)
    die (path, "the store runs without its durability layer (see the log above)");
  db = cl_store_db (f->store);
  if (rows == BENCH_FLOOR_ADVANCE_ROWS)
    {
      f->rows = bench_rows_attach (db, &error);
      if (f->rows == NULL)
        die (path, error->message);
      return;
    }
  if (sqlite3_exec (db, "CREATE TABLE IF NOT EXISTS bench_calls (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, "
                        "transition TEXT NOT NULL)", NULL, NULL, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db, "INSERT INTO bench_calls (at, transition) VALUES (?1, ?2)", -1, &f->insert, NULL)
           != SQLITE_OK)
    die (path, sqlite3_errmsg (db));
}

/* The index in bench_steps of the call's transition, and the case its
 * path names (which pages a group touches depends on which cases its calls
 * advance); -1 for a transition the workflow lacks or a path that names no
 * case. */
static int
call_step (DBusMessage *call, guint64 *case_number)
{
  const char *transition = NULL;
  const char *path = dbus_message_get_path (call);
  gsize prefix = strlen (BENCH_FLOOR_PATH "/");

  if (!g_str_equal (dbus_message_get_signature (call), "sa{sv}s")
      || !dbus_message_get_args (call, NULL, DBUS_TYPE_STRING, &transition, DBUS_TYPE_INVALID)
      || path == NULL || strncmp (path, BENCH_FLOOR_PATH "/", prefix) != 0
      || !g_ascii_string_to_unsigned (path + prefix, 10, 0, G_MAXUINT64, case_number, NULL))
    return -1;
  for (int i = 0; i < BENCH_N_STEPS; i++)
    if (g_str_equal (bench_steps[i].transition, transition))
      return i;
  return -1;
}

static gboolean
write_call (Floor *f, guint64 case_number, int step, GError **error)
{
  if (f->rows != NULL)
    return bench_rows_write (f->rows, case_number, step, error);
  sqlite3_reset (f->insert);
  sqlite3_bind_int64 (f->insert, 1, g_get_real_time ());
  sqlite3_bind_text (f->insert, 2, bench_steps[step].transition, -1, SQLITE_STATIC);
  if (sqlite3_step (f->insert) == SQLITE_DONE)
    return TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "%s", sqlite3_errmsg (cl_store_db (f->store)));
  return FALSE;
}

/* Replies go through the durability layer: held until their commit is
 * synced, like caselinkd's. */
static void
reply (Floor *f, DBusMessage *call, int step, const GError *error)
{
  const char *state = step >= 0 ? bench_steps[step].to : NULL;
  DBusMessage *r = step < 0 ? dbus_message_new_error (call, DBUS_ERROR_INVALID_ARGS,
                                                      "Advance(s transition, a{sv} fields, s comment) on "
                                                      BENCH_FLOOR_PATH "/N with a transition of "
                                                      "reverse_connection")
                   : error != NULL ? dbus_message_new_error (call, DBUS_ERROR_FAILED, error->message)
                                   : dbus_message_new_method_return (call);

  if (r == NULL || (step >= 0 && error == NULL
                    && !dbus_message_append_args (r, DBUS_TYPE_STRING, &state, DBUS_TYPE_INVALID)))
    die ("reply", "out of memory");
  cl_durability_send (f->durable, r);
  dbus_message_unref (r);
}

/* The first @max queued calls in one transaction, each its own savepoint,
 * as engine.c's flush_batch(). */
static void
commit_group (Floor *f, guint max)
{
  g_autoptr(GError) tx_error = NULL;
  GPtrArray *group = g_ptr_array_new ();
  int *steps;
  guint64 *cases;
  GError **errors;
  gboolean any_ok = FALSE;

  while (group->len < max && !g_queue_is_empty (&f->queue))
    g_ptr_array_add (group, g_queue_pop_head (&f->queue));
  if (group->len == 0)
    {
      g_ptr_array_unref (group);
      return;
    }
  steps = g_new0 (int, group->len);
  cases = g_new0 (guint64, group->len);
  errors = g_new0 (GError *, group->len);
  for (guint i = 0; i < group->len; i++)
    steps[i] = call_step (group->pdata[i], &cases[i]);
  if (cl_store_begin (f->store, &tx_error))
    {
      for (guint i = 0; i < group->len && tx_error == NULL; i++)
        {
          if (steps[i] < 0 || !cl_store_savepoint (f->store, &errors[i]))
            continue;
          if (write_call (f, cases[i], steps[i], &errors[i]) && cl_store_release (f->store, &errors[i]))
            any_ok = TRUE;
          else
            cl_store_rollback_savepoint (f->store, &tx_error);
          cl_durability_poll (f->durable);
        }
      if (tx_error == NULL && any_ok)
        cl_store_commit (f->store, &tx_error);
      else
        cl_store_rollback (f->store);
    }
  if (tx_error != NULL)
    g_printerr ("caselink-bench floor service: %s\n", tx_error->message);
  /* a call's own error wins over the transaction's, as in engine.c */
  for (guint i = 0; i < group->len; i++)
    {
      reply (f, group->pdata[i], steps[i], errors[i] != NULL ? errors[i] : tx_error);
      g_clear_error (&errors[i]);
      dbus_message_unref (group->pdata[i]);
    }
  g_free (errors);
  g_free (cases);
  g_free (steps);
  g_ptr_array_unref (group);
}

static gboolean
flush_idle (gpointer data)
{
  Floor *f = data;

  f->idle_id = 0;
  commit_group (f, MAX (CL_ENGINE_GROUP_MIN, (f->queue.length + 1) / 2));
  if (!g_queue_is_empty (&f->queue))
    f->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_idle, f, NULL);
  return G_SOURCE_REMOVE;
}

/* Seed(at cases): the cases a client will advance, in a transaction of
 * their own (one small row per call needs none). */
static void
seed (Floor *f, DBusMessage *call)
{
  g_autoptr(GError) error = NULL;
  DBusError derr = DBUS_ERROR_INIT;
  dbus_uint64_t *cases = NULL;
  int n = 0;
  DBusMessage *r;

  if (!dbus_message_get_args (call, &derr, DBUS_TYPE_ARRAY, DBUS_TYPE_UINT64, &cases, &n, DBUS_TYPE_INVALID))
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_INVALID_ARGS, "Seed(at cases): %s", derr.message);
      dbus_error_free (&derr);
    }
  else if (f->rows != NULL && cl_store_begin (f->store, &error))
    {
      G_STATIC_ASSERT (sizeof (dbus_uint64_t) == sizeof (guint64));
      if (bench_rows_seed (f->rows, (const guint64 *) cases, (guint) n, &error))
        cl_store_commit (f->store, &error);
      else
        cl_store_rollback (f->store);
    }
  r = error != NULL ? dbus_message_new_error (call, DBUS_ERROR_FAILED, error->message)
                    : dbus_message_new_method_return (call);
  if (r == NULL)
    die ("reply", "out of memory");
  cl_durability_send (f->durable, r);
  dbus_message_unref (r);
}

/* Peer.Ping never gets here: libdbus answers it before any filter. */
static DBusHandlerResult
on_message (DBusConnection *conn, DBusMessage *m, void *data)
{
  Floor *f = data;

  (void) conn;
  if (dbus_message_is_signal (m, DBUS_INTERFACE_LOCAL, "Disconnected"))
    {
      g_main_loop_quit (f->loop);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  if (dbus_message_is_method_call (m, BENCH_FLOOR_IFACE, "Seed"))
    {
      seed (f, m);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  if (!dbus_message_is_method_call (m, BENCH_FLOOR_IFACE, "Advance"))
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
  g_queue_push_tail (&f->queue, dbus_message_ref (m));
  if (f->queue.length >= CL_ENGINE_QUEUE_MAX)
    {
      while (!g_queue_is_empty (&f->queue))
        commit_group (f, CL_ENGINE_QUEUE_MAX);
      return DBUS_HANDLER_RESULT_HANDLED;
    }
  /* idle priority: every call already read joins the group */
  if (f->idle_id == 0)
    f->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_idle, f, NULL);
  return DBUS_HANDLER_RESULT_HANDLED;
}

static void
send_msg (DBusMessage *msg, gpointer conn)
{
  dbus_connection_send (conn, msg, NULL);
}

/* caselinkd's calls_waiting(): a sync runs inline only when nothing is. */
static gboolean
calls_waiting (gpointer data)
{
  Floor *f = data;
  struct pollfd p = { .events = POLLIN };

  if (!g_queue_is_empty (&f->queue)
      || dbus_connection_get_dispatch_status (f->conn) == DBUS_DISPATCH_DATA_REMAINS)
    return TRUE;
  return dbus_connection_get_socket (f->conn, &p.fd) && poll (&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

void
bench_floor_main (const char *bus_address, const char *db_path, BenchFloorRows rows, int ready_fd)
{
  g_autoptr(GError) error = NULL;
  DBusError err = DBUS_ERROR_INIT;
  Floor f = { 0 };

  f.conn = cl_dbus_open (bus_address, DBUS_BUS_SESSION, &error);
  if (f.conn == NULL)
    die (bus_address, error->message);
  if (dbus_bus_request_name (f.conn, BENCH_FLOOR_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err)
      != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
    die (BENCH_FLOOR_NAME, err.message ? err.message : "the name is taken");
  open_db (&f, db_path, rows);
  g_queue_init (&f.queue);
  f.loop = g_main_loop_new (NULL, FALSE);
  cl_durability_attach (f.durable, send_msg, f.conn, NULL, calls_waiting, &f);
  if (!dbus_connection_add_filter (f.conn, on_message, &f, NULL))
    die ("filter", "out of memory");
  cl_dbus_glue_attach (f.conn, NULL);
  if (write (ready_fd, "r", 1) != 1)
    die ("ready", "the benchmark went away");
  close (ready_fd);
  g_main_loop_run (f.loop);
  _exit (0);
}
