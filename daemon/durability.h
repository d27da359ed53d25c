/* durability.h — replies and signals leave only once what they report is on
 * disk, without stopping the main loop for the disk.
 *
 * With `[store] synchronous=full` SQLite commits without syncing
 * (synchronous=NORMAL: a crash may lose the newest commits, never corrupts)
 * and this module syncs the write-ahead log itself. While a commit is not
 * yet synced, every reply and signal the daemon sends waits in order; a
 * worker thread runs fdatasync() on the log while the main loop goes on
 * executing the calls that arrive meanwhile (the next group commit). When
 * no call is waiting to be read, the sync runs at once on the main thread,
 * so a lone caller pays no thread hand-over. Checkpoints, which copy the
 * log into the database and sync both, run on the worker too, one at a
 * time; the short tail committed meanwhile is copied on the main
 * connection before the next transaction, which then starts the log over
 * (cl_durability_before_write). Either way a reply reaches its
 * caller only after the change it reports is durable, exactly as with
 * SQLite's own synchronous=FULL, and nobody reads a change that a power
 * failure could still take back.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLDurability CLDurability;

struct sqlite3;

/* Syncs the log ("-wal" file, which must exist) of @db's main database,
 * counts @db's commits through its WAL hook and checkpoints the log on a
 * connection of its own when it grows (the hook replaces SQLite's
 * automatic checkpoint). NULL with @error set when the log or the second
 * connection cannot be opened. */
CLDurability *cl_durability_new (struct sqlite3 *db, GError **error);
/* Syncs and sends whatever still waits, stops the worker. */
void cl_durability_free (CLDurability *dur);

/* Where messages go (@send; NULL drops them), and whether calls are
 * waiting to be read (then a sync runs on the worker; without @busy every
 * sync runs inline). The worker's completions run on @context (NULL: the
 * default one). */
typedef void (*CLDurableSendFunc) (DBusMessage *msg, gpointer data);
void cl_durability_attach (CLDurability *dur, CLDurableSendFunc send, gpointer send_data, GMainContext *context,
                           gboolean (*busy) (gpointer data), gpointer busy_data);

/* A write transaction is about to begin (outside any transaction): lets
 * the log start over once a checkpoint has copied it. */
void cl_durability_before_write (CLDurability *dur);

/* A COMMIT has just returned: what it wrote is not durable yet. FALSE
 * when it was synced at once and that failed (the changes are written but
 * may not survive a power failure: answer them Failed). */
gboolean cl_durability_committed (CLDurability *dur, GError **error);

/* TRUE while the log is long and the worker is copying it; call outside
 * a transaction. A writer that can wait (the deadline scheduler's batches)
 * waits and asks again: commits landing during every copy keep the log
 * from starting over, until at CHECKPOINT_PAGES_MAX the main thread must
 * copy all of it at once, holding the loop (≈ 100 ms for 10,000 pages on a
 * slow disk). Looks at a finished copy as cl_durability_before_write()
 * does, asking the worker for another round when its tail is long. Calls
 * from clients are not held. */
gboolean cl_durability_log_behind (CLDurability *dur);

/* TRUE (with @error set) once a sync has failed: from then on changes are
 * refused until the daemon restarts (Linux reports a writeback error only
 * once, so no later sync can vouch for the log). */
gboolean cl_durability_broken (CLDurability *dur, GError **error);

/* Send @msg now, or after the commits before it are durable. Takes no
 * reference from the caller. */
void cl_durability_send (CLDurability *dur, DBusMessage *msg);

/* Sends what a sync the worker has finished released, now rather than
 * when the main loop next runs (called between the changes of a batch, so
 * callers hear of the last commit while the next one executes). */
void cl_durability_poll (CLDurability *dur);

/* Testing1.InjectFault("sync"): every sync from now on reports @err
 * (0: syncs work again, and changes are taken again). */
void cl_durability_inject_failure (CLDurability *dur, int err);

/* Sync now, on this thread, and send everything held (shutdown). */
void cl_durability_drain (CLDurability *dur);

G_END_DECLS
