/* scheduler.c — deadline expiry and warnings. */
#define G_LOG_DOMAIN "caselink-deadline"

#include "scheduler.h"
#include "case-history.h"
#include "case-path.h"
#include "cl-errors.h"
#include "deadline.h"
#include "durability.h"
#include "engine.h"

struct _CLScheduler {
  CLDaemon *d;
  guint timer_id;
  guint batch_id;
  gint64 held_since;   /* monotonic µs since batches began to wait for a long
                        * log (the stretch it stays long), or 0 */
};

CLScheduler *
cl_scheduler_new (CLDaemon *d)
{
  CLScheduler *s = g_new0 (CLScheduler, 1);
  s->d = d;
  return s;
}

void
cl_scheduler_free (CLScheduler *s)
{
  if (s == NULL)
    return;
  if (s->timer_id != 0)
    g_source_remove (s->timer_id);
  if (s->batch_id != 0)
    g_source_remove (s->batch_id);
  g_free (s);
}

static char *
lateness (gint64 us)
{
  gint64 s = us / G_USEC_PER_SEC;

  if (s < 1)
    return g_strdup ("on time");
  if (s < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s late", s);
  if (s < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min %" G_GINT64_FORMAT " s late", s / 60, s % 60);
  if (s < 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min late", s / 3600, (s % 3600) / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT " h late", s / 86400, (s % 86400) / 3600);
}

/* One due row: its warning, its expiry, its on_expire transition. */
static gboolean
handle (CLScheduler *s, CLDeadlineRow *row, gint64 now, GPtrArray *signals, GError **error)
{
  CLDaemon *d = s->d;
  g_autoptr(CLCaseRecord) rec = cl_store_get_case_by_seq (d->store, row->case_seq, error);
  g_autofree char *path = NULL;
  CLWorkflow *wf;
  const CLState *state;
  const char *on_expire = NULL;
  gboolean expired = FALSE;

  if (rec == NULL)
    return FALSE;
  path = cl_case_path_for_id (rec->id);
  wf = cl_registry_version (d->registry, rec->workflow, rec->version);
  state = wf ? cl_workflow_state (wf, row->state) : NULL;
  if (state != NULL && state->deadline != NULL)
    on_expire = state->deadline->on_expire;

  if (row->warn_at > 0 && !row->warned && row->warn_at <= now)
    {
      row->warned = TRUE;
      if (row->due > now)
        cl_signal_queue_add (signals, CL_MANAGER_PATH, CL_MANAGER_IFACE, "DeadlineApproaching",
                             g_variant_new ("(sosx)", rec->id, path, row->state, row->due));
    }
  if (!row->fired && row->due <= now)
    {
      g_autofree char *due = cl_deadline_format (d, row->due);
      g_autofree char *late = lateness (now - row->due);
      g_autofree char *note = g_strdup_printf ("deadline of state %s missed: it was due %s; processed %s", row->state,
                                               due, late);
      row->fired = TRUE;
      row->warned = TRUE;
      rec->overdue = TRUE;
      expired = TRUE;
      if (!cl_case_note (d->store, rec, cl_system_identity (), "system", "deadline", note, now, error))
        return FALSE;
      cl_signal_queue_add (signals, CL_MANAGER_PATH, CL_MANAGER_IFACE, "DeadlineMissed",
                           g_variant_new ("(sosx)", rec->id, path, row->state, row->due));
    }
  if (!cl_store_put_deadline (d->store, row, error) || !cl_store_update_case (d->store, rec, error))
    return FALSE;

  if (expired && on_expire != NULL && !row->failed)
    {
      g_autoptr(GError) why = NULL;
      g_autoptr(GPtrArray) fired_signals = cl_signal_queue_new ();

      if (!cl_store_savepoint (d->store, error))
        return FALSE;
      if (cl_engine_fire_system (d->engine, rec, on_expire, fired_signals, &why))
        {
          if (!cl_store_release (d->store, error))
            {
              /* the inner savepoint is still open: the caller's rollback
               * would undo only it and leave this row's changes in */
              cl_store_rollback_savepoint (d->store, NULL);
              return FALSE;
            }
          for (guint i = 0; i < fired_signals->len; i++)
            g_ptr_array_add (signals, g_ptr_array_steal_index (fired_signals, i--));
          return TRUE;
        }
      /* The case stays overdue; the failure is recorded once, not retried. */
      if (!cl_store_rollback_savepoint (d->store, error))
        return FALSE;
      {
        g_autoptr(CLCaseRecord) again = cl_store_get_case_by_seq (d->store, row->case_seq, error);
        g_autofree char *note = g_strdup_printf ("on expiry, transition %s could not fire: %s", on_expire,
                                                 why->message);
        if (again == NULL)
          return FALSE;
        row->failed = TRUE;
        if (!cl_store_put_deadline (d->store, row, error)
            || !cl_case_note (d->store, again, cl_system_identity (), "system", "deadline", note, now, error)
            || !cl_store_update_case (d->store, again, error))
          return FALSE;
        g_message ("case %s: %s", again->id, note);
        rec->history_count = again->history_count;
      }
    }
  /* Reading the case back is only worth it when someone listens. */
  if (expired && g_hash_table_size (d->subscribers) > 0)
    {
      g_autoptr(CLCaseRecord) fresh = cl_store_get_case_by_seq (d->store, row->case_seq, NULL);
      if (fresh != NULL && expired)
        cl_signal_queue_add (signals, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                             g_variant_new ("(s@a{sv}@as)", CL_CASE_IFACE, cl_engine_changed_properties (d, fresh),
                                            g_variant_new_strv (NULL, 0)));
    }
  return TRUE;
}

static gboolean process_batch (gpointer data);
static gboolean timer_fired (gpointer data);

static void
schedule_batch (CLScheduler *s)
{
  if (s->batch_id == 0)
    /* The engine's idle priority, not lower: under a steady stream of
     * changes its transactions re-arm back to back, and a legal time limit
     * must not wait for a quiet moment. Calls on the bus still go first. */
    s->batch_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, process_batch, s, NULL);
}

static gboolean
process_batch (gpointer data)
{
  CLScheduler *s = data;
  CLDaemon *d = s->d;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) signals = cl_signal_queue_new ();
  gint64 now, started = g_get_monotonic_time ();
  guint done = 0;
  gboolean more = FALSE;

  s->batch_id = 0;
  if (d->stopping)
    return G_SOURCE_REMOVE;
  if (cl_store_durability (d->store) != NULL && cl_durability_log_behind (cl_store_durability (d->store)))
    {
      /* A burst lets the worker finish copying the log first (durability.h),
       * but not for long: while clients keep the log long, batches wait one
       * second in all, then write on until the log is short again. The
       * timer replaces one set for a later deadline, which the batch after
       * the pause arms again. */
      if (s->held_since == 0)
        s->held_since = started;
      if (started - s->held_since < CL_SCHEDULER_HOLD_MAX_US)
        {
          if (s->timer_id != 0)
            g_source_remove (s->timer_id);
          s->timer_id = g_timeout_add (CL_SCHEDULER_YIELD_MS, timer_fired, s);
          return G_SOURCE_REMOVE;
        }
    }
  else
    s->held_since = 0;
  cl_engine_flush (d->engine);
  now = cl_daemon_now (d);
  rows = cl_store_due_deadlines (d->store, now, CL_SCHEDULER_BATCH, &error);
  if (rows == NULL || !cl_store_begin (d->store, &error))
    goto fail;
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(GError) item_error = NULL;
      guint before = signals->len;

      /* Bounded by time as well as count: the bus must not wait long. */
      if (i > 0 && g_get_monotonic_time () - started > CL_SCHEDULER_SLICE_US)
        {
          more = TRUE;
          break;
        }

      if (!cl_store_savepoint (d->store, &error))
        break;
      if (handle (s, g_ptr_array_index (rows, i), now, signals, &item_error))
        {
          if (cl_store_release (d->store, &error))
            done++;
          else
            break;
        }
      else
        {
          g_ptr_array_set_size (signals, before);
          if (!cl_store_rollback_savepoint (d->store, &error))
            break;
          g_warning ("deadline of case #%" G_GINT64_FORMAT ": %s", ((CLDeadlineRow *) rows->pdata[i])->case_seq,
                     item_error->message);
        }
    }
  if (error != NULL || !cl_store_commit (d->store, &error))
    {
      cl_store_rollback (d->store);
      goto fail;
    }
  cl_daemon_emit_queue (d, signals);
  if (done > 0)
    g_debug ("processed %u due deadlines", done);
  if (more || rows->len == CL_SCHEDULER_BATCH)
    schedule_batch (s);
  else
    cl_scheduler_rearm (s);
  return G_SOURCE_REMOVE;

fail:
  /* Storage trouble (disk full…): try again on the next timer. */
  g_warning ("processing deadlines failed: %s", error ? error->message : "?");
  if (s->timer_id == 0)
    s->timer_id = g_timeout_add_seconds (5, (GSourceFunc) (void (*) (void)) cl_scheduler_rearm, s);
  return G_SOURCE_REMOVE;
}

static gboolean
timer_fired (gpointer data)
{
  CLScheduler *s = data;
  s->timer_id = 0;
  schedule_batch (s);
  return G_SOURCE_REMOVE;
}

void
cl_scheduler_rearm (CLScheduler *s)
{
  CLDaemon *d = s->d;
  g_autoptr(GError) error = NULL;
  gint64 next = 0, delay_us;
  gboolean any = FALSE;

  if (s->timer_id != 0)
    {
      g_source_remove (s->timer_id);
      s->timer_id = 0;
    }
  if (d->stopping || s->batch_id != 0)
    return;
  if (!cl_store_next_deadline (d->store, &next, &any, &error))
    {
      g_warning ("%s", error->message);
      s->timer_id = g_timeout_add_seconds (5, timer_fired, s);
      return;
    }
  if (!any)
    return;
  delay_us = next - cl_daemon_now (d);
  if (delay_us <= 0)
    {
      schedule_batch (s);
      return;
    }
  s->held_since = 0;   /* nothing due: the next burst may wait again */
  /* Wall-clock instants: wake at least every minute to notice clock changes. */
  s->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                    (guint) MIN ((delay_us + 999) / 1000, (gint64) CL_SCHEDULER_MAX_SLEEP_MS),
                                    timer_fired, s, NULL);
}
