/* plugin-hooks.c — the engine's calls into plugins: validators, guards,
 * actions; and the redactors behind every Fields the daemon serves. */
#define G_LOG_DOMAIN "caselink-plugins"

#include "plugin-case.h"
#include "case-history.h"
#include "cl-errors.h"
#include "field-value.h"

#include <string.h>

void
cl_hook_scope_init (CLHookScope *scope, CLEngine *engine, CLCaseRecord *rec, const CLWorkflow *wf,
                    GHashTable *merged, const CLIdentity *who, const char *role, const CLTransition *t,
                    const char *next_state, GPtrArray *signals, const CLHookScope *parent)
{
  cl_hook_scope_clear (scope);
  scope->engine = engine;
  scope->rec = rec;
  scope->wf = wf;
  scope->merged = merged;
  scope->who = who;
  scope->role = role;
  scope->t = t;
  scope->state = g_strdup (rec != NULL ? rec->state : wf->initial->name);
  scope->next_state = g_strdup (next_state != NULL ? next_state : scope->state);
  scope->signals = signals;
  scope->parent = parent;
}

void
cl_hook_scope_clear (CLHookScope *scope)
{
  g_clear_pointer (&scope->state, g_free);
  g_clear_pointer (&scope->next_state, g_free);
  g_clear_pointer (&scope->set_fields, g_hash_table_unref);
  memset (scope, 0, sizeof *scope);
}

const CLIdentity *
cl_plugins_no_one (void)
{
  static char *no_roles[] = { NULL };
  static CLIdentity no_one = {
    .uid = G_MAXUINT32, .user = (char *) "", .agency = (char *) "", .roles = no_roles,
  };
  return &no_one;
}

static gboolean
any_plugins (CLDaemon *d)
{
  return d->plugins != NULL && cl_plugins_loaded (d->plugins)->len > 0;
}

static const char *
merged_domain (const CLHookScope *scope)
{
  GVariant *v = g_hash_table_lookup (scope->merged, "domain");
  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ? g_variant_get_string (v, NULL) : "";
}

static void
case_for_scope (CaselinkCase *c, CLDaemon *d, const CLHookScope *scope)
{
  memset (c, 0, sizeof *c);
  c->d = d;
  c->scope = scope;
  c->wf = scope->wf;
  c->who = scope->who;
}

/* A hook a workflow names; a stored older version may name one that is
 * gone, which the load-time check could not see. */
static const CLHook *
named_hook (CLDaemon *d, const CLHookScope *scope, const CLHookRef *ref, CLHookKind kind, GError **error)
{
  const CLHook *h = cl_plugins_hook (d->plugins, ref->name);

  if (h == NULL || h->kind != kind)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "workflow %s version %u names %s %s, which no loaded plugin provides; "
                   "ask the administrator to install or enable its plugin",
                   scope->wf->name, scope->wf->version, cl_hook_kind_to_string (kind), ref->name);
      return NULL;
    }
  return h;
}

gboolean
cl_plugins_validate (CLDaemon *d, const CLHookScope *scope, GError **error)
{
  const char *domain;
  GPtrArray *loaded;
  CaselinkCase c;

  if (!any_plugins (d))
    return TRUE;
  domain = merged_domain (scope);
  if (*domain == '\0')
    return TRUE;
  loaded = cl_plugins_loaded (d->plugins);
  case_for_scope (&c, d, scope);
  for (guint i = 0; i < loaded->len; i++)
    {
      CaselinkPlugin *p = loaded->pdata[i];
      GPtrArray *hooks;

      if (!cl_plugin_serves (p, domain))
        continue;
      hooks = cl_plugin_hooks (p);
      c.plugin = p;
      for (guint j = 0; j < hooks->len; j++)
        {
          CLHook *h = hooks->pdata[j];
          g_autoptr(GError) local = NULL;

          if (h->kind != CL_HOOK_VALIDATOR)
            continue;
          if (!h->func.validator (&c, h->user_data, &local))
            {
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "plugin %s (%s): %s", p->name, h->name,
                           local != NULL ? local->message : "the fields are refused (no reason given)");
              return FALSE;
            }
          if (local != NULL)
            g_warning ("plugin %s: validator %s set an error but returned TRUE: %s", p->name, h->name, local->message);
        }
    }
  return TRUE;
}

gboolean
cl_plugins_guard (CLDaemon *d, const CLHookScope *scope, GError **error)
{
  GPtrArray *refs = scope->t != NULL ? scope->t->guards : NULL;
  CaselinkCase c;

  if (refs == NULL || refs->len == 0)
    return TRUE;
  case_for_scope (&c, d, scope);
  for (guint i = 0; i < refs->len; i++)
    {
      const CLHook *h = named_hook (d, scope, refs->pdata[i], CL_HOOK_GUARD, error);
      g_autofree char *reason = NULL;

      if (h == NULL)
        return FALSE;
      c.plugin = h->plugin;
      if (!h->func.guard (&c, scope->t->name, h->user_data, &reason))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_REJECTED, "plugin %s refused transition %s: %s", h->plugin->name,
                       scope->t->name, reason != NULL && *reason != '\0' ? reason : "(no reason given)");
          return FALSE;
        }
    }
  return TRUE;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GVariant *
sorted_fields (GHashTable *t)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, t);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < keys->len; i++)
    g_variant_builder_add (&b, "{sv}", (char *) keys->pdata[i], g_hash_table_lookup (t, keys->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* The history entry of what actions set: after the change's own entry and
 * any link notes the actions made, so the record reads in order. */
static gboolean
note_set_fields (CLDaemon *d, CLHookScope *scope, GPtrArray *refs, GError **error)
{
  g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);
  g_autoptr(GString) names = g_string_new ("set by ");

  for (guint i = 0; i < refs->len; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", ((CLHookRef *) refs->pdata[i])->name);
  h->time = cl_daemon_now (d);
  h->uid = scope->who->uid;
  h->user = g_strdup (scope->who->user);
  h->agency = g_strdup (scope->who->agency);
  h->role = g_strdup (scope->role ? scope->role : "");
  h->action = g_strdup ("plugin");
  h->transition = g_strdup (scope->t != NULL ? scope->t->name : "");
  h->from_state = g_strdup (scope->rec->state);
  h->to_state = g_strdup (scope->rec->state);
  h->comment = g_string_free (g_steal_pointer (&names), FALSE);
  h->fields = sorted_fields (scope->set_fields);
  return cl_store_append_history (d->store, scope->rec, h, error);
}

gboolean
cl_plugins_act (CLDaemon *d, CLHookScope *scope, GError **error)
{
  GPtrArray *refs = scope->t != NULL ? scope->t->actions : scope->creating ? scope->wf->actions : NULL;
  CaselinkCase c;

  if (refs == NULL || refs->len == 0)
    return TRUE;
  case_for_scope (&c, d, scope);
  c.writable = scope;
  for (guint i = 0; i < refs->len; i++)
    {
      const CLHook *h = named_hook (d, scope, refs->pdata[i], CL_HOOK_ACTION, error);
      g_autoptr(GError) local = NULL;

      if (h == NULL)
        return FALSE;
      c.plugin = h->plugin;
      if (!h->func.action (&c, scope->t != NULL ? scope->t->name : NULL, h->user_data, &local))
        {
          gboolean internal = local != NULL && local->domain == CASELINK_ERROR && local->code == CASELINK_ERROR_FAILED;
          g_autofree char *when = scope->t != NULL ? g_strdup_printf ("on transition %s", scope->t->name)
                                                   : g_strdup ("at creation");
          g_set_error (error, CL_ERROR, internal ? CL_ERROR_FAILED : CL_ERROR_REJECTED,
                       "plugin %s: action %s %s failed: %s", h->plugin->name, h->name, when,
                       local != NULL ? local->message : "(no reason given)");
          if (local == NULL)
            g_warning ("plugin %s: action %s failed without saying why", h->plugin->name, h->name);
          return FALSE;
        }
    }
  if (scope->set_fields == NULL || g_hash_table_size (scope->set_fields) == 0)
    return TRUE;
  /* What actions wrote must pass the same checks as what callers write. */
  return cl_plugins_validate (d, scope, error) && note_set_fields (d, scope, refs, error);
}

GVariant *
cl_plugins_history_fields (GVariant *given, GHashTable *set_fields)
{
  g_autoptr(GHashTable) t = NULL;
  GHashTableIter it;
  GVariantIter vi;
  gpointer k, v;
  char *name;
  GVariant *value;

  if (set_fields == NULL || g_hash_table_size (set_fields) == 0)
    return g_variant_ref (given);
  t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_variant_iter_init (&vi, given);
  while (g_variant_iter_next (&vi, "{sv}", &name, &value))
    g_hash_table_replace (t, name, value);
  g_hash_table_iter_init (&it, set_fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_replace (t, g_strdup (k), g_variant_ref (v));
  return sorted_fields (t);
}

/* ---- redaction ------------------------------------------------------------ */

GVariant *
cl_plugins_redact (CLDaemon *d, const CLCaseRecord *rec, const CLWorkflow *wf, const CLIdentity *who,
                   GVariant *fields)
{
  g_autoptr(GPtrArray) redactors = NULL;
  GPtrArray *loaded;
  GVariantBuilder b;
  GVariantIter it;
  const char *name;
  GVariant *value;
  CaselinkCase c = { 0 };

  if (!any_plugins (d) || rec->domain == NULL || *rec->domain == '\0')
    return g_variant_ref (fields);
  loaded = cl_plugins_loaded (d->plugins);
  redactors = g_ptr_array_new ();
  for (guint i = 0; i < loaded->len; i++)
    {
      CaselinkPlugin *p = loaded->pdata[i];
      GPtrArray *hooks = cl_plugin_hooks (p);

      if (!cl_plugin_serves (p, rec->domain))
        continue;
      for (guint j = 0; j < hooks->len; j++)
        if (((CLHook *) hooks->pdata[j])->kind == CL_HOOK_REDACTOR)
          g_ptr_array_add (redactors, hooks->pdata[j]);
    }
  if (redactors->len == 0)
    return g_variant_ref (fields);

  c.d = d;
  c.rec = rec;
  c.wf = wf;
  c.who = who;
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_iter_init (&it, fields);
  while (g_variant_iter_next (&it, "{&sv}", &name, &value))
    {
      gboolean visible = TRUE;

      for (guint i = 0; i < redactors->len && visible; i++)
        {
          CLHook *h = redactors->pdata[i];
          c.plugin = h->plugin;
          visible = h->func.redactor (&c, name, h->user_data);
        }
      if (visible)
        g_variant_builder_add (&b, "{sv}", name, value);
      g_variant_unref (value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

void
cl_plugins_redact_record (CLDaemon *d, CLCaseRecord *rec, const CLIdentity *who)
{
  GVariant *visible;

  if (!any_plugins (d))
    return;
  visible = cl_plugins_redact (d, rec, cl_registry_version (d->registry, rec->workflow, rec->version), who,
                               rec->fields);
  g_variant_unref (rec->fields);
  rec->fields = visible;
}
