/* daemon.c — services the D-Bus objects share: identity, subscriber
 * signals, reload, time. */
#define G_LOG_DOMAIN "caselink"

#include "daemon.h"
#include "reply-cache.h"
#include "case-path.h"
#include "cl-errors.h"
#include "deadline.h"
#include "engine.h"
#include "plugin-loader.h"
#include "scheduler.h"

#include <string.h>

const CLIdentity *
cl_daemon_identify (CLDaemon *d, CLCall *call)
{
  return cl_actors_identify (d->actors, cl_call_caller (call)->uid);
}

gboolean
cl_daemon_may_see (CLDaemon *d, const CLIdentity *who, const CLCaseRecord *rec)
{
  gboolean visible = FALSE;
  g_autoptr(GError) error = NULL;

  /* A sealed record (犯罪记录封存) is gone for everyone but sealing_query. */
  if (rec->sealed && !cl_identity_has_role (who, CL_SEALING_ROLE))
    return FALSE;
  if (who->sees_all)
    return TRUE;
  if (!cl_store_case_visible_to (d->store, rec->seq, who->agency, &visible, &error))
    g_warning ("%s", error->message);
  return visible;
}

const char *
cl_daemon_party (const CLIdentity *who)
{
  return who->sees_all ? NULL : who->agency;
}

/* The case a signal is about: Case1 paths, or the id that Manager1's case
 * signals carry first. NULL for signals about no case (Reloaded). */
static CLCaseRecord *
signal_case (CLDaemon *d, const char *path, const char *iface, GVariant *args)
{
  g_autofree char *id = NULL;

  if (g_str_has_prefix (path, CL_CASE_PATH_PREFIX "/"))
    id = cl_case_path_unescape (path + strlen (CL_CASE_PATH_PREFIX "/"));
  else if (g_str_equal (iface, CL_MANAGER_IFACE) && g_str_has_prefix (g_variant_get_type_string (args), "(s"))
    g_variant_get_child (args, 0, "s", &id);
  return id ? cl_store_get_case (d->store, id, NULL) : NULL;
}

void
cl_daemon_emit_to_subscribers (CLDaemon *d, const char *path, const char *iface, const char *member,
                               GVariant *args)
{
  GHashTableIter it;
  gpointer name;
  g_autoptr(GVariant) owned = g_variant_take_ref (args);
  g_autoptr(CLCaseRecord) rec = NULL;

  if (g_hash_table_size (d->subscribers) == 0)
    return;
  rec = signal_case (d, path, iface, owned);
  g_hash_table_iter_init (&it, d->subscribers);
  while (g_hash_table_iter_next (&it, &name, NULL))
    {
      guint32 uid;

      /* No signal about a case reaches a connection that may not see it. */
      if (rec != NULL && (!cl_bus_known_uid (d->bus, name, &uid)
                          || !cl_daemon_may_see (d, cl_actors_identify (d->actors, uid), rec)))
        continue;
      cl_bus_emit (d->bus, name, path, iface, member, g_variant_ref (owned));
    }
}

/* Lines in a refused Reload's answer (each a file:line:column message). */
#define MAX_RELOAD_ERRORS 1000

gboolean
cl_daemon_reload (CLDaemon *d, GError **error)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CLActors) actors = NULL;

  /* Nothing may be half-committed against the old definitions. */
  cl_engine_flush (d->engine);
  if (d->config.actors_path != NULL)
    actors = cl_actors_load (d->config.actors_path, errors);
  /* Strict: the registry keeps its set unless every file loads. With a
   * broken actors file the workflows are still checked, so one Reload
   * reports every error; but nothing is swapped. */
  if (errors->len == 0)
    cl_registry_load (d->registry, (const char *const *) d->config.workflow_dirs, d->config.calendar, TRUE, errors,
                      changed);
  else
    {
      g_autoptr(CLRegistry) probe = cl_registry_new_probe (d->store);
      cl_registry_set_hooks (probe, d->plugins != NULL ? cl_plugins_hook_kinds (d->plugins) : NULL);
      cl_registry_load (probe, (const char *const *) d->config.workflow_dirs, d->config.calendar, TRUE, errors, NULL);
    }
  if (errors->len > 0)
    {
      g_autofree char *joined = NULL;

      /* Each file lists at most CL_YAML_MAX_ERRORS; many bad files could
       * still make an answer larger than the bus carries. */
      if (errors->len > MAX_RELOAD_ERRORS)
        {
          guint more = errors->len - MAX_RELOAD_ERRORS;

          g_ptr_array_set_size (errors, MAX_RELOAD_ERRORS);
          g_ptr_array_add (errors, g_strdup_printf ("and %u more, not listed (check the files with caselinkctl "
                                                    "workflow validate)", more));
        }
      g_ptr_array_add (errors, NULL);
      joined = g_strjoinv ("\n", (char **) errors->pdata);
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "reload refused, the old set stays:\n%s", joined);
      g_warning ("%s", (*error)->message);
      return FALSE;
    }
  if (d->config.actors_path != NULL)
    {
      cl_actors_free (d->actors);
      d->actors = g_steal_pointer (&actors);
    }
  for (guint i = 0; i < changed->len; i++)
    {
      g_autoptr(GError) local = NULL;
      guint n = 0;

      if (!cl_store_begin (d->store, &local)
          || !cl_deadline_recompute_calendar (d, changed->pdata[i], &n, &local)
          || !cl_store_commit (d->store, &local))
        {
          cl_store_rollback (d->store);
          g_warning ("recomputing deadlines of calendar %s failed: %s", (char *) changed->pdata[i], local->message);
        }
      else
        g_message ("calendar %s changed: %u pending deadlines recomputed", (char *) changed->pdata[i], n);
    }
  if (d->scheduler != NULL)
    cl_scheduler_rearm (d->scheduler);
  cl_daemon_warn_unheld_roles (d);
  if (d->replies != NULL)
    cl_reply_cache_clear (d->replies);
  g_message ("reloaded workflows, calendars and actors");
  cl_bus_emit (d->bus, NULL, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reloaded", NULL);
  return TRUE;
}

static void
warn_roles (CLDaemon *d, CLWorkflow *wf, char **roles, const char *where, GHashTable *warned)
{
  for (char **r = roles; r != NULL && *r != NULL; r++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%s", wf->name, *r);
      /* "system" is caselinkd's own role (on_expire): no actor should hold it. */
      if (g_str_equal (*r, "system"))
        continue;
      if (!cl_actors_role_held (d->actors, *r) && g_hash_table_add (warned, g_steal_pointer (&key)))
        g_warning ("%s: role %s (needed by %s) is held by no actor in %s", wf->source_path, *r, where,
                   d->config.actors_path);
    }
}

/* [deadlines] overrides naming no state with a deadline would be silently
 * ignored otherwise. */
static void
warn_unused_overrides (CLDaemon *d)
{
  GHashTableIter it;
  gpointer key;

  g_hash_table_iter_init (&it, d->config.deadline_overrides);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      g_auto(GStrv) parts = g_strsplit (key, ".", 2);
      CLWorkflow *wf = cl_registry_newest (d->registry, parts[0]);
      const CLState *st = wf ? cl_workflow_state (wf, parts[1]) : NULL;
      gint n;
      CLDeadlineUnit unit;

      if (st == NULL || st->deadline == NULL)
        g_warning ("%s: [deadlines] %s names %s, so it changes nothing", d->config.config_path, (char *) key,
                   wf == NULL ? "no loaded workflow" : st == NULL ? "no state of that workflow" : "a state without a deadline");
      else if (st->deadline->has_warn
               && cl_deadline_unit_parse (g_hash_table_lookup (d->config.deadline_overrides, key), &n, &unit)
               && unit == st->deadline->warn_unit && st->deadline->warn_n >= n)
        g_warning ("%s: [deadlines] %s is not longer than the state's warn_before (%d %s): no warning is sent",
                   d->config.config_path, (char *) key, st->deadline->warn_n,
                   cl_deadline_unit_to_string (st->deadline->warn_unit));
    }
}

void
cl_daemon_warn_unheld_roles (CLDaemon *d)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) warned = NULL;

  warn_unused_overrides (d);
  if (d->actors == NULL)
    return;
  list = cl_registry_list (d->registry);
  warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < list->len; i++)
    {
      CLWorkflow *wf = g_ptr_array_index (list, i);
      warn_roles (d, wf, wf->created_by, "created_by", warned);
      for (guint j = 0; j < wf->transitions->len; j++)
        {
          CLTransition *t = g_ptr_array_index (wf->transitions, j);
          g_autofree char *where = g_strdup_printf ("transition %s", t->name);
          warn_roles (d, wf, t->by, where, warned);
        }
    }
}

gint64
cl_daemon_now (CLDaemon *d)
{
  return d->test_now != 0 ? d->test_now : g_get_real_time ();
}

static void
pending_signal_free (gpointer p)
{
  CLPendingSignal *s = p;
  g_free (s->path);
  g_variant_unref (s->args);
  g_free (s);
}

GPtrArray *
cl_signal_queue_new (void)
{
  return g_ptr_array_new_with_free_func (pending_signal_free);
}

void
cl_signal_queue_add (GPtrArray *queue, const char *path, const char *iface, const char *member, GVariant *args)
{
  CLPendingSignal *s = g_new0 (CLPendingSignal, 1);

  s->path = g_strdup (path);
  s->iface = iface;
  s->member = member;
  s->args = g_variant_ref_sink (args);
  g_ptr_array_add (queue, s);
}

void
cl_daemon_emit_queue (CLDaemon *d, GPtrArray *queue)
{
  for (guint i = 0; i < queue->len; i++)
    {
      CLPendingSignal *s = g_ptr_array_index (queue, i);
      cl_daemon_emit_to_subscribers (d, s->path, s->iface, s->member, g_variant_ref (s->args));
    }
  g_ptr_array_set_size (queue, 0);
}
