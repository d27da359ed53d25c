/* durability.c — replies and signals wait for the commits they report to be
 * durable; the write-ahead log is synced off the main loop (see the header). */
#define G_LOG_DOMAIN "caselink-store"

#include "durability.h"
#include "cl-errors.h"
#include "wal-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

/* Checkpoint once the log holds this many pages (SQLite's own default)... */
#define CHECKPOINT_PAGES 1000
/* ...the tail committed while the worker copied is copied by the main
 * connection when it is at most this long, otherwise by another round... */
#define CHECKPOINT_TAIL 64
/* ...and on the main connection itself once it holds this many: commits
 * landing during every checkpoint of the worker keep the log from starting
 * over, and it must not grow without bound. */
#define CHECKPOINT_PAGES_MAX (10 * CHECKPOINT_PAGES)
/* Past this many, the deadline scheduler's batches wait while the worker
 * copies (cl_durability_log_behind), so the log starts over instead. */
#define CHECKPOINT_BEHIND (2 * CHECKPOINT_PAGES)

typedef struct {
  guint64 gen;       /* durable once this many commits are */
  DBusMessage *msg;
} Held;

struct _CLDurability {
  int fd;
  sqlite3 *main_db;         /* whose WAL hook calls wal_grew(); not owned */
  CLDurableSendFunc send;
  gpointer send_data;
  gboolean (*busy) (gpointer data);
  gpointer busy_data;

  /* main thread only */
  guint64 committed;        /* commits of the main connection so far */
  guint64 synced;           /* how many of them are settled (durable, or failed) */
  int wal_pages;            /* the log's length after the last commit */
  gboolean ckpt_asked;      /* the worker has a checkpoint to run or report */
  gboolean in_flight;       /* the worker is syncing */
  int broken;               /* errno of a failed sync: changes refused since */
  GQueue held;              /* Held, in the order they were sent */

  /* shared with the worker, under @lock */
  GMutex lock;
  GCond cond;
  GThread *thread;
  GMainContext *context;
  sqlite3 *ckpt_db;         /* the worker's own connection, for checkpoints */
  int injected;             /* Testing1: errno every sync reports, 0: none */
  gboolean quit;
  gboolean requested;       /* a sync is asked for, covering request_gen */
  guint64 request_gen;
  gboolean checkpoint;      /* a checkpoint is asked for */
  gboolean checkpointing;   /* the worker is running one */
  gboolean ckpt_finished;   /* it ran one, not yet looked at: */
  gboolean ckpt_ok;         /* ...whether it worked, */
  int ckpt_log, ckpt_done;  /* ...the log's length then and what it copied */
  gboolean done;            /* a sync finished, not yet handled */
  guint64 done_gen;
  int done_errno;
  GSource *done_source;     /* the idle that hands it to the main loop */
};

static void finish (CLDurability *dur, guint64 gen, int err);
static int start_sync (CLDurability *dur);

/* The worker's finished sync, taken under the lock: FALSE when there is
 * none (drain took it). Its idle is no longer needed either way. */
static gboolean
take_done (CLDurability *dur, guint64 *gen, int *err)
{
  gboolean done;

  g_mutex_lock (&dur->lock);
  done = dur->done;
  dur->done = FALSE;
  *gen = dur->done_gen;
  *err = dur->done_errno;
  if (dur->done_source != NULL)
    {
      g_source_destroy (dur->done_source);
      g_clear_pointer (&dur->done_source, g_source_unref);
    }
  g_mutex_unlock (&dur->lock);
  if (done)
    dur->in_flight = FALSE;
  return done;
}

void
cl_durability_poll (CLDurability *dur)
{
  guint64 gen;
  int err;

  if (dur->in_flight && take_done (dur, &gen, &err))
    finish (dur, gen, err);
}

static gboolean
sync_done (gpointer data)
{
  CLDurability *dur = data;
  guint64 gen;
  int err;

  if (take_done (dur, &gen, &err))
    finish (dur, gen, err);
  return G_SOURCE_REMOVE;
}

/* Copies the log into the database on @db. PASSIVE: writers go on
 * meanwhile; what is still being read is left for the next one. A failure
 * leaves the log as it is (still complete); BUSY means another connection
 * is checkpointing, and the next round tries again. */
static int
checkpoint (sqlite3 *db, int *log, int *done)
{
  int rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, log, done);

  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    g_warning ("checkpoint failed: %s", sqlite3_errmsg (db));
  else
    g_debug ("checkpoint: %d of %d log pages copied", *done, *log);
  return rc;
}

/* On the worker's own connection, so the main loop never waits for it. */
static void
run_checkpoint (CLDurability *dur)
{
  int log = 0, done = 0;
  int rc = checkpoint (dur->ckpt_db, &log, &done);

  g_mutex_lock (&dur->lock);
  dur->ckpt_finished = TRUE;
  dur->ckpt_ok = rc == SQLITE_OK;
  dur->ckpt_log = log;
  dur->ckpt_done = done;
  g_mutex_unlock (&dur->lock);
}

static void
ask_checkpoint (CLDurability *dur)
{
  dur->ckpt_asked = TRUE;
  g_mutex_lock (&dur->lock);
  dur->checkpoint = TRUE;
  g_cond_broadcast (&dur->cond);
  g_mutex_unlock (&dur->lock);
}

static int
sync_log (CLDurability *dur)
{
  int err = fdatasync (dur->fd) == 0 ? 0 : errno;
  int injected;

  g_mutex_lock (&dur->lock);
  injected = dur->injected;
  g_mutex_unlock (&dur->lock);
  return err != 0 ? err : injected;
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
          dur->checkpointing = TRUE;
          g_mutex_unlock (&dur->lock);
          run_checkpoint (dur);
          g_mutex_lock (&dur->lock);
          dur->checkpointing = FALSE;
          continue;
        }
      if (!dur->requested)
        break;
      gen = dur->request_gen;
      dur->requested = FALSE;
      g_mutex_unlock (&dur->lock);
      err = sync_log (dur);
      g_mutex_lock (&dur->lock);
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

/* Every commit of the main connection — COMMIT, an outermost RELEASE, a
 * statement outside any transaction — lands here (main thread, inside
 * sqlite3_step). It replaces SQLite's automatic checkpoint. */
static int
wal_grew (void *data, sqlite3 *db, const char *name, int pages)
{
  CLDurability *dur = data;

  dur->committed++;
  dur->wal_pages = pages;
  /* One at a time: asking on every commit while one runs would chain
   * checkpoints back to back, two flushes each, for a log that cannot
   * start over anyway while commits land behind them. */
  if (pages >= CHECKPOINT_PAGES && !dur->ckpt_asked)
    ask_checkpoint (dur);
  return SQLITE_OK;
}

/* SQLite starts the log over only at a write transaction that finds all of
 * it copied. Commits go on while the worker copies, so the worker never
 * finishes the log by itself: what was committed meanwhile (the tail) is
 * copied here, before the next transaction, when it is short; a long one
 * gets another round on the worker, each shorter than the last. */
void
cl_durability_before_write (CLDurability *dur)
{
  gboolean finished, ok;
  int log, done, tail;

  if (!dur->ckpt_asked)
    return;
  g_mutex_lock (&dur->lock);
  finished = dur->ckpt_finished;
  dur->ckpt_finished = FALSE;
  ok = dur->ckpt_ok;
  log = dur->ckpt_log;
  done = dur->ckpt_done;
  g_mutex_unlock (&dur->lock);
  if (!finished)
    return;
  dur->ckpt_asked = FALSE;
  /* Not all copied (a failure, a reader on an old snapshot): the next
   * commit past the threshold asks again. A log that started over since
   * (an autocommit write) is shorter than the one the worker saw. */
  tail = dur->wal_pages - log;
  if (!ok || done < log || tail <= 0)
    return;
  if (tail > CHECKPOINT_TAIL)
    {
      ask_checkpoint (dur);
      return;
    }
  checkpoint (dur->main_db, &log, &done);
}

CLDurability *
cl_durability_new (sqlite3 *db, GError **error)
{
  CLDurability *dur;
  const char *db_path = sqlite3_db_filename (db, "main");
  /* SQLite's own name for the log: next to the database a symlink points at */
  const char *wal_path = db_path != NULL ? sqlite3_filename_wal (db_path) : NULL;
  sqlite3 *ckpt = NULL;
  int fd;

  if (wal_path == NULL || *wal_path == '\0' || !sqlite3_threadsafe ())
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "no log file, or SQLite built without threads");
      return NULL;
    }
  /* read-write: POSIX lets fdatasync() refuse a read-only descriptor */
  fd = open (wal_path, O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot open %s: %s", wal_path, g_strerror (saved));
      return NULL;
    }
  /* A first read makes the connection find the log (it checkpoints nothing
   * before); NORMAL syncs the log before copying it and the database after,
   * whatever SQLite's built-in default. */
  if (sqlite3_open_v2 (db_path, &ckpt, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, cl_wal_vfs_name ()) != SQLITE_OK
      || sqlite3_exec (ckpt, "PRAGMA synchronous=NORMAL; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL)
           != SQLITE_OK)
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
  dur->main_db = db;
  g_queue_init (&dur->held);
  g_mutex_init (&dur->lock);
  g_cond_init (&dur->cond);
  dur->thread = g_thread_new ("caselink-sync", worker, dur);
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
 * keep, so every waiting reply becomes Failed and the signals are dropped. */
static void
fail_held (CLDurability *dur, int err)
{
  for (GList *l = dur->held.head; l != NULL; l = l->next)
    {
      Held *h = l->data;
      DBusMessage *error_reply;
      g_autofree char *text = NULL;
      const char *ctext;

      if (h->msg == NULL || dbus_message_get_type (h->msg) == DBUS_MESSAGE_TYPE_ERROR)
        continue;
      if (dbus_message_get_type (h->msg) != DBUS_MESSAGE_TYPE_METHOD_RETURN)
        {
          dbus_message_unref (h->msg);
          h->msg = NULL;
          continue;
        }
      text = g_strdup_printf ("storage error: the database's log could not be synced to disk (%s); what this "
                              "call did or read may not survive a power failure", g_strerror (err));
      ctext = text;
      error_reply = dbus_message_new (DBUS_MESSAGE_TYPE_ERROR);
      if (error_reply == NULL
          || !dbus_message_set_error_name (error_reply, cl_error_to_dbus_name (CL_ERROR_FAILED))
          || !dbus_message_set_reply_serial (error_reply, dbus_message_get_reply_serial (h->msg))
          || (dbus_message_get_destination (h->msg) != NULL
              && !dbus_message_set_destination (error_reply, dbus_message_get_destination (h->msg)))
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
  gboolean checkpointing;
  int err;

  g_mutex_lock (&dur->lock);
  checkpointing = dur->checkpointing;
  g_mutex_unlock (&dur->lock);
  /* Inline when nothing else waits (a hand-over would only add latency),
   * and while the worker copies the log (a sync must not queue behind it). */
  if (dur->busy != NULL && dur->busy (dur->busy_data) && !checkpointing)
    {
      dur->in_flight = TRUE;
      g_mutex_lock (&dur->lock);
      dur->requested = TRUE;
      dur->request_gen = dur->committed;
      g_cond_broadcast (&dur->cond);
      g_mutex_unlock (&dur->lock);
      return 0;
    }
  err = sync_log (dur);
  finish (dur, dur->committed, err);
  return err;
}

static void
finish (CLDurability *dur, guint64 gen, int err)
{
  if (err != 0)
    {
      /* Linux reports a writeback error once and marks the pages clean: a
       * later sync that succeeds proves nothing, and the log's checksum
       * chain loses every commit after a lost frame. So everything waiting
       * fails, and changes stay refused until caselinkd restarts. */
      if (dur->broken == 0)
        g_warning ("syncing the database's log failed: %s; the calls waiting for it are answered Failed and "
                   "changes are refused until caselinkd is restarted", g_strerror (err));
      dur->broken = err;
      fail_held (dur, err);
      dur->synced = dur->committed;
    }
  else
    dur->synced = MAX (dur->synced, gen);
  release (dur);
  if (dur->synced < dur->committed && !dur->in_flight)
    start_sync (dur);
}

gboolean
cl_durability_committed (CLDurability *dur, GError **error)
{
  if (dur->wal_pages >= CHECKPOINT_PAGES_MAX)
    {
      /* Between commits nothing else writes: this one copies it all, and
       * the next commit starts the log over. */
      int log = 0, done = 0;

      if (checkpoint (dur->main_db, &log, &done) == SQLITE_OK)
        dur->wal_pages = 0;
      g_message ("the log had grown to %d pages: checkpointed %d of them", log, done);
    }
  if (dur->synced < dur->committed && !dur->in_flight)
    start_sync (dur);
  return !cl_durability_broken (dur, error);
}

gboolean
cl_durability_log_behind (CLDurability *dur)
{
  gboolean copying;

  /* after a failed sync, writes are refused anyway */
  if (dur->wal_pages < CHECKPOINT_BEHIND || dur->broken != 0)
    return FALSE;
  /* A round the worker finished is looked at now, not at the next write:
   * the tail committed during it gets its own round before the writer
   * adds more, which is what lets a round finish with nothing behind it. */
  cl_durability_before_write (dur);
  if (!dur->ckpt_asked)
    return FALSE;
  g_mutex_lock (&dur->lock);
  copying = !dur->ckpt_finished;
  g_mutex_unlock (&dur->lock);
  return copying;
}

gboolean
cl_durability_broken (CLDurability *dur, GError **error)
{
  if (dur->broken == 0)
    return FALSE;
  g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
               "storage error: the database's log could not be synced to disk (%s); changes are refused until "
               "caselinkd is restarted", g_strerror (dur->broken));
  return TRUE;
}

void
cl_durability_send (CLDurability *dur, DBusMessage *msg)
{
  Held *h;

  /* A commit outside cl_store_commit (a statement in autocommit mode) is
   * synced before anything after it leaves. */
  if (dur->synced < dur->committed && !dur->in_flight)
    start_sync (dur);
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
  /* Only the test fault can be taken back without a restart. */
  if (err == 0)
    dur->broken = 0;
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
      g_mutex_unlock (&dur->lock);
      if (take_done (dur, &gen, &err))
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
