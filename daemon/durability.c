/* durability.c — replies and signals wait for the commits they report to be
 * durable; the write-ahead log is synced off the main loop (see the header). */
#define G_LOG_DOMAIN "caselink-store"

#include "durability.h"
#include "cl-errors.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

/* Checkpoint once the log holds this many pages (SQLite's own default). */
#define CHECKPOINT_PAGES 1000

typedef struct {
  guint64 gen;       /* durable once this many commits are */
  DBusMessage *msg;
} Held;

struct _CLDurability {
  int fd;
  CLDurableSendFunc send;
  gpointer send_data;
  GMainContext *context;
  gboolean (*busy) (gpointer data);
  gpointer busy_data;

  /* main thread only */
  guint64 committed;        /* commits so far */
  guint64 synced;           /* how many of them are durable */
  gboolean in_flight;       /* the worker is syncing */
  int injected;             /* Testing1: errno every sync reports, 0: none */
  GQueue held;              /* Held, in the order they were sent */

  /* shared with the worker, under @lock */
  GMutex lock;
  GCond cond;
  GThread *thread;
  gboolean quit;
  gboolean requested;       /* a sync is asked for, covering request_gen */
  gboolean checkpoint;      /* a checkpoint is asked for */
  sqlite3 *ckpt_db;         /* the worker's own connection, for checkpoints */
  sqlite3 *main_db;         /* whose WAL hook calls wal_grew(); not owned */
  guint64 request_gen;
  gboolean done;            /* a sync finished, not yet handled */
  guint64 done_gen;
  int done_errno;
  GSource *done_source;     /* the idle that hands it to the main loop */
};

static void finish (CLDurability *dur, guint64 gen, int err);
static int start_sync (CLDurability *dur);

static gboolean
sync_done (gpointer data)
{
  CLDurability *dur = data;
  guint64 gen;
  int err;

  g_mutex_lock (&dur->lock);
  g_clear_pointer (&dur->done_source, g_source_unref);
  if (!dur->done)
    {
      g_mutex_unlock (&dur->lock);
      return G_SOURCE_REMOVE;
    }
  dur->done = FALSE;
  gen = dur->done_gen;
  err = dur->done_errno;
  g_mutex_unlock (&dur->lock);
  dur->in_flight = FALSE;
  finish (dur, gen, err);
  return G_SOURCE_REMOVE;
}

/* Copies the log into the database on the worker's own connection, so the
 * main loop never waits for it (the main connection's automatic
 * checkpoints are off). PASSIVE: writers go on meanwhile; what is still
 * being read is left for the next one. */
static void
run_checkpoint (CLDurability *dur)
{
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2 (dur->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);

  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    g_message ("checkpoint: %s", sqlite3_errmsg (dur->ckpt_db));
  else
    g_debug ("checkpoint: %d of %d log pages copied", done, log);
}

static gpointer
worker (gpointer data)
{
  CLDurability *dur = data;

  g_mutex_lock (&dur->lock);
  for (;;)
    {
      guint64 gen;
      int err;

      while (!dur->quit && !dur->requested && !dur->checkpoint)
        g_cond_wait (&dur->cond, &dur->lock);
      if (!dur->requested && dur->checkpoint)
        {
          dur->checkpoint = FALSE;
          g_mutex_unlock (&dur->lock);
          run_checkpoint (dur);
          g_mutex_lock (&dur->lock);
          continue;
        }
      if (!dur->requested)
        break;
      gen = dur->request_gen;
      dur->requested = FALSE;
      g_mutex_unlock (&dur->lock);
          err = fdatasync (dur->fd) == 0 ? 0 : errno;
      g_mutex_lock (&dur->lock);
      if (err == 0 && dur->injected != 0)
        err = dur->injected;
      dur->done = TRUE;
      dur->done_gen = gen;
      dur->done_errno = err;
      g_cond_broadcast (&dur->cond);
      if (dur->context != NULL && dur->done_source == NULL)
        {
          dur->done_source = g_idle_source_new ();
          g_source_set_priority (dur->done_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (dur->done_source, sync_done, dur, NULL);
          g_source_set_name (dur->done_source, "[caselink] log synced");
          g_source_attach (dur->done_source, dur->context);
        }
    }
  g_mutex_unlock (&dur->lock);
  return NULL;
}

/* After every commit of the main connection: ask for a checkpoint once the
 * log is long (this replaces SQLite's automatic one). */
static int
wal_grew (void *data, sqlite3 *db, const char *name, int pages)
{
  CLDurability *dur = data;

  if (pages >= CHECKPOINT_PAGES)
    {
      g_mutex_lock (&dur->lock);
      dur->checkpoint = TRUE;
      g_cond_broadcast (&dur->cond);
      g_mutex_unlock (&dur->lock);
    }
  return SQLITE_OK;
}

CLDurability *
cl_durability_new (sqlite3 *db, const char *db_path, GError **error)
{
  CLDurability *dur;
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  sqlite3 *ckpt = NULL;
  int fd = open (wal_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot open %s: %s", wal_path, g_strerror (saved));
      return NULL;
    }
  /* A first read makes the connection find the log (it checkpoints nothing
   * before). */
  if (sqlite3_open_v2 (db_path, &ckpt, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK
      || sqlite3_exec (ckpt, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot open %s for checkpoints: %s", db_path,
                   ckpt != NULL ? sqlite3_errmsg (ckpt) : "out of memory");
      sqlite3_close (ckpt);
      close (fd);
      return NULL;
    }
  dur = g_new0 (CLDurability, 1);
  dur->fd = fd;
  dur->ckpt_db = ckpt;
  g_queue_init (&dur->held);
  g_mutex_init (&dur->lock);
  g_cond_init (&dur->cond);
  dur->thread = g_thread_new ("caselink-sync", worker, dur);
  dur->main_db = db;
  sqlite3_wal_hook (db, wal_grew, dur);
  return dur;
}

void
cl_durability_attach (CLDurability *dur, CLDurableSendFunc send, gpointer send_data, GMainContext *context,
                      gboolean (*busy) (gpointer data), gpointer busy_data)
{
  dur->send = send;
  dur->send_data = send_data;
  g_mutex_lock (&dur->lock);
  dur->context = context != NULL ? context : g_main_context_default ();
  g_mutex_unlock (&dur->lock);
  dur->busy = busy;
  dur->busy_data = busy_data;
}

static void
send_now (CLDurability *dur, DBusMessage *msg)
{
  if (dur->send != NULL)
    dur->send (msg, dur->send_data);
}

/* The sync failed: a success reply would promise what the disk did not
 * keep, so callers get Failed and the signals are dropped. */
static void
fail_held (CLDurability *dur, guint64 gen, int err)
{
  for (GList *l = dur->held.head; l != NULL; l = l->next)
    {
      Held *h = l->data;
      DBusMessage *error_reply;
      g_autofree char *text = NULL;
      const char *ctext;

      if (h->gen > gen)
        break;
      if (dbus_message_get_type (h->msg) == DBUS_MESSAGE_TYPE_ERROR)
        continue;
      if (dbus_message_get_type (h->msg) != DBUS_MESSAGE_TYPE_METHOD_RETURN)
        {
          dbus_message_unref (h->msg);
          h->msg = NULL;
          continue;
        }
      text = g_strdup_printf ("storage error: the change was written but could not be synced to disk (%s); "
                              "it may not survive a power failure", g_strerror (err));
      ctext = text;
      error_reply = dbus_message_new (DBUS_MESSAGE_TYPE_ERROR);
      if (error_reply == NULL
          || !dbus_message_set_error_name (error_reply, cl_error_to_dbus_name (CL_ERROR_FAILED))
          || !dbus_message_set_reply_serial (error_reply, dbus_message_get_reply_serial (h->msg))
          || !dbus_message_set_destination (error_reply, dbus_message_get_destination (h->msg))
          || !dbus_message_append_args (error_reply, DBUS_TYPE_STRING, &ctext, DBUS_TYPE_INVALID))
        g_error ("out of memory");
      dbus_message_unref (h->msg);
      h->msg = error_reply;
    }
}

static void
release (CLDurability *dur)
{
  Held *h;

  while ((h = g_queue_peek_head (&dur->held)) != NULL && h->gen <= dur->synced)
    {
      g_queue_pop_head (&dur->held);
      if (h->msg != NULL)
        {
          send_now (dur, h->msg);
          dbus_message_unref (h->msg);
        }
      g_free (h);
    }
}

/* Returns the errno of a sync run here (0: none, or handed to the worker). */
static int
start_sync (CLDurability *dur)
{
  if (dur->busy == NULL || !dur->busy (dur->busy_data))
    {
      /* Nothing else to do meanwhile: a hand-over would only add latency. */
      int err = fdatasync (dur->fd) == 0 ? 0 : errno;

      if (err == 0 && dur->injected != 0)
        err = dur->injected;
      finish (dur, dur->committed, err);
      return err;
    }
  dur->in_flight = TRUE;
  g_mutex_lock (&dur->lock);
  dur->requested = TRUE;
  dur->request_gen = dur->committed;
  g_cond_broadcast (&dur->cond);
  g_mutex_unlock (&dur->lock);
  return 0;
}

static void
finish (CLDurability *dur, guint64 gen, int err)
{
  if (err != 0)
    {
      g_warning ("syncing the database's log failed: %s; the changes waiting for it are answered Failed",
                  g_strerror (err));
      fail_held (dur, gen, err);
    }
  dur->synced = MAX (dur->synced, gen);
  release (dur);
  if (dur->synced < dur->committed && !dur->in_flight)
    start_sync (dur);
}

gboolean
cl_durability_committed (CLDurability *dur, GError **error)
{
  int err = 0;

  dur->committed++;
  if (!dur->in_flight)
    err = start_sync (dur);
  if (err != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "storage error: the change was written but could not be synced to disk (%s); "
                   "it may not survive a power failure", g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

void
cl_durability_send (CLDurability *dur, DBusMessage *msg)
{
  Held *h;

  if (dur->synced == dur->committed && g_queue_is_empty (&dur->held))
    {
      send_now (dur, msg);
      return;
    }
  h = g_new0 (Held, 1);
  h->gen = dur->committed;
  h->msg = dbus_message_ref (msg);
  g_queue_push_tail (&dur->held, h);
}

void
cl_durability_inject_failure (CLDurability *dur, int err)
{
  g_mutex_lock (&dur->lock);
  dur->injected = err;
  g_mutex_unlock (&dur->lock);
}

void
cl_durability_drain (CLDurability *dur)
{
  dur->busy = NULL;  /* from now on every sync runs here */
  if (dur->in_flight)
    {
      guint64 gen;
      int err;

      g_mutex_lock (&dur->lock);
      while (!dur->done)
        g_cond_wait (&dur->cond, &dur->lock);
      dur->done = FALSE;
      gen = dur->done_gen;
      err = dur->done_errno;
      if (dur->done_source != NULL)
        {
          g_source_destroy (dur->done_source);
          g_clear_pointer (&dur->done_source, g_source_unref);
        }
      g_mutex_unlock (&dur->lock);
      dur->in_flight = FALSE;
      finish (dur, gen, err);
    }
  if (dur->synced < dur->committed)
    start_sync (dur);
  release (dur);
}

void
cl_durability_free (CLDurability *dur)
{
  Held *h;

  if (dur == NULL)
    return;
  cl_durability_drain (dur);
  sqlite3_wal_hook (dur->main_db, NULL, NULL);
  g_mutex_lock (&dur->lock);
  dur->quit = TRUE;
  g_cond_broadcast (&dur->cond);
  g_mutex_unlock (&dur->lock);
  g_thread_join (dur->thread);
  if (dur->done_source != NULL)
    {
      g_source_destroy (dur->done_source);
      g_source_unref (dur->done_source);
    }
  while ((h = g_queue_pop_head (&dur->held)) != NULL)
    {
      if (h->msg != NULL)
        dbus_message_unref (h->msg);
      g_free (h);
    }
  sqlite3_close (dur->ckpt_db);
  close (dur->fd);
  g_mutex_clear (&dur->lock);
  g_cond_clear (&dur->cond);
  g_free (dur);
}
