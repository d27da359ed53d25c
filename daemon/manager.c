/* manager.c — org.caselink.Manager1 at /org/caselink. */
#define G_LOG_DOMAIN "caselink"

#include "objects.h"
#include "case-path.h"
#include "cl-errors.h"
#include "audit-service.h"
#include "engine.h"
#include "plugin-loader.h"

#include <config.h>
#include <string.h>

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 10000

static gboolean
deny_unless_admin (CLDaemon *d, CLCall *call, const char *what)
{
  const CLIdentity *who = cl_daemon_identify (d, call);

  if (cl_identity_is_admin (who))
    return FALSE;
  cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_PERMISSION_DENIED),
                      "%s needs the admin role (user %s, uid %u, does not hold it)", what, who->user, who->uid);
  return TRUE;
}

static void
create_case (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *workflow;
  g_autoptr(GVariant) fields = NULL;

  g_variant_get (args, "(&s@a{sv})", &workflow, &fields);
  cl_engine_create (d->engine, call, workflow, fields);
}

static void
get_case (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *id;
  g_autoptr(GError) error = NULL;
  g_autoptr(CLCaseRecord) rec = NULL;
  g_autofree char *path = NULL;

  g_variant_get (args, "(&s)", &id);
  cl_engine_flush (d->engine);
  rec = cl_store_get_case (d->store, id, &error);
  if (rec == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  /* A case the caller may not see does not exist for them. */
  if (!cl_daemon_may_see (d, cl_daemon_identify (d, call), rec))
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_NOT_FOUND), "no case '%.64s'", id);
      return;
    }
  path = cl_case_path_for_id (rec->id);
  cl_call_return (call, g_variant_new ("(o)", path));
}

/* Parse the ListCases/CountCases filter; strings in @filter stay owned by @dict. */
/* Filter strings are names and search words, never documents. */
#define MAX_FILTER_CHARS 1024

static gboolean
parse_filter (GVariant *dict, CLCaseFilter *f, GError **error)
{
  GVariantIter it;
  const char *key;
  GVariant *value;
  static const struct { const char *key; const char *type; } keys[] = {
    { "workflow", "s" }, { "state", "s" }, { "domain", "s" }, { "agency", "s" },
    { "overdue", "b" }, { "text", "s" }, { "limit", "u" }, { "after", "s" }, { "priority", "x" },
  };

  memset (f, 0, sizeof *f);
  f->limit = DEFAULT_LIMIT;
  g_variant_iter_init (&it, dict);
  while (g_variant_iter_next (&it, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) v = value;
      const char *want = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        if (g_str_equal (key, keys[i].key))
          want = keys[i].type;
      if (want == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                       "unknown filter '%.64s' (known: workflow, state, domain, agency, overdue, text, limit, after, priority)", key);
          return FALSE;
        }
      /* priority: any integer type, for busctl users typing i or u */
      if (g_str_equal (key, "priority") && !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64)
          && (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32) || g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32)))
        {
          f->has_priority = TRUE;
          f->priority = g_variant_is_of_type (v, G_VARIANT_TYPE_INT32) ? (gint64) g_variant_get_int32 (v)
                                                                       : (gint64) g_variant_get_uint32 (v);
          continue;
        }
      if (!g_variant_is_of_type (v, G_VARIANT_TYPE (want)))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "filter '%s' must be of D-Bus type '%s', not '%s'",
                       key, want, g_variant_get_type_string (v));
          return FALSE;
        }
      if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) && g_utf8_strlen (g_variant_get_string (v, NULL), -1) > MAX_FILTER_CHARS)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "filter '%s' is too long (at most %d characters)", key,
                       MAX_FILTER_CHARS);
          return FALSE;
        }
      /* The strings live as long as @dict, which the caller holds. */
      if (g_str_equal (key, "workflow"))
        f->workflow = g_variant_get_string (v, NULL);
      else if (g_str_equal (key, "state"))
        f->state = g_variant_get_string (v, NULL);
      else if (g_str_equal (key, "domain"))
        f->domain = g_variant_get_string (v, NULL);
      else if (g_str_equal (key, "agency"))
        f->agency = g_variant_get_string (v, NULL);
      else if (g_str_equal (key, "text"))
        f->text = g_variant_get_string (v, NULL);
      else if (g_str_equal (key, "after"))
        {
          /* "" is the usual way to say "no cursor yet": the first page */
          const char *after = g_variant_get_string (v, NULL);
          f->after = *after != '\0' ? after : NULL;
        }
      else if (g_str_equal (key, "overdue"))
        {
          f->has_overdue = TRUE;
          f->overdue = g_variant_get_boolean (v);
        }
      else if (g_str_equal (key, "priority"))
        {
          f->has_priority = TRUE;
          f->priority = g_variant_get_int64 (v);
        }
      else if (g_str_equal (key, "limit"))
        {
          guint32 n = g_variant_get_uint32 (v);
          f->limit = n == 0 ? DEFAULT_LIMIT : MIN (n, MAX_LIMIT);
        }
    }
  return TRUE;
}

/* `after` must name a case the caller sees, or it would tell which ids
 * exist; answered like a missing id. */
static gboolean
check_after (CLDaemon *d, CLCall *call, const CLCaseFilter *f, GError **error)
{
  g_autoptr(CLCaseRecord) rec = NULL;

  if (f->after == NULL)
    return TRUE;
  rec = cl_store_get_case (d->store, f->after, NULL);
  if (rec == NULL || !cl_daemon_may_see (d, cl_daemon_identify (d, call), rec))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "filter 'after': no case '%.64s' (give the last id of the previous page)", f->after);
      return FALSE;
    }
  return TRUE;
}

static void
list_cases (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GVariant) dict = g_variant_get_child_value (args, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CLCaseFilter f;
  GVariantBuilder b;

  if (!parse_filter (dict, &f, &error))
    {
      cl_call_error (call, error);
      return;
    }
  f.party = cl_daemon_party (cl_daemon_identify (d, call));
  f.hide_sealed = !cl_identity_has_role (cl_daemon_identify (d, call), CL_SEALING_ROLE);
  cl_engine_flush (d->engine);
  if (!check_after (d, call, &f, &error))
    {
      cl_call_error (call, error);
      return;
    }
  rows = cl_store_list_cases (d->store, &f, &error);
  if (rows == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < rows->len; i++)
    {
      CLCaseRecord *rec = g_ptr_array_index (rows, i);
      g_autofree char *path = cl_case_path_for_id (rec->id);

      g_variant_builder_open (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "id", g_variant_new_string (rec->id));
      g_variant_builder_add (&b, "{sv}", "path", g_variant_new_object_path (path));
      g_variant_builder_add (&b, "{sv}", "workflow", g_variant_new_string (rec->workflow));
      g_variant_builder_add (&b, "{sv}", "state", g_variant_new_string (rec->state));
      g_variant_builder_add (&b, "{sv}", "title", g_variant_new_string (rec->title));
      g_variant_builder_add (&b, "{sv}", "domain", g_variant_new_string (rec->domain));
      g_variant_builder_add (&b, "{sv}", "agency", g_variant_new_string (rec->agency));
      g_variant_builder_add (&b, "{sv}", "created", g_variant_new_int64 (rec->created));
      g_variant_builder_add (&b, "{sv}", "updated", g_variant_new_int64 (rec->updated));
      g_variant_builder_add (&b, "{sv}", "deadline", g_variant_new_int64 (rec->deadline));
      g_variant_builder_add (&b, "{sv}", "overdue", g_variant_new_boolean (rec->overdue));
      if (rec->sealed)
        g_variant_builder_add (&b, "{sv}", "sealed", g_variant_new_boolean (TRUE));
      {
        gint64 priority = 0;
        if (g_variant_lookup (rec->fields, "priority", "x", &priority))
          g_variant_builder_add (&b, "{sv}", "priority", g_variant_new_int64 (priority));
      }
      g_variant_builder_close (&b);
    }
  cl_call_return (call, g_variant_new ("(aa{sv})", &b));
}

static void
count_cases (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GVariant) dict = g_variant_get_child_value (args, 0);
  const char *group_by;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = NULL;
  CLCaseFilter f;
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k, v;

  g_variant_get_child (args, 1, "&s", &group_by);
  if (!parse_filter (dict, &f, &error))
    {
      cl_call_error (call, error);
      return;
    }
  f.party = cl_daemon_party (cl_daemon_identify (d, call));
  f.hide_sealed = !cl_identity_has_role (cl_daemon_identify (d, call), CL_SEALING_ROLE);
  cl_engine_flush (d->engine);
  if (!check_after (d, call, &f, &error))
    {
      cl_call_error (call, error);
      return;
    }
  counts = cl_store_count_cases (d->store, &f, group_by, &error);
  if (counts == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{st}"));
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_variant_builder_add (&b, "{st}", (const char *) k, *(guint64 *) v);
  cl_call_return (call, g_variant_new ("(a{st})", &b));
}

static void
list_workflows (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GPtrArray) list = cl_registry_list (d->registry);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < list->len; i++)
    {
      CLWorkflow *wf = g_ptr_array_index (list, i);
      g_autofree char *path = g_strconcat (CL_WORKFLOW_PATH_PREFIX "/", wf->name, NULL);
      g_autoptr(GStrvBuilder) states = g_strv_builder_new ();
      g_auto(GStrv) state_names = NULL;

      for (guint s = 0; s < wf->states->len; s++)
        g_strv_builder_add (states, ((CLState *) g_ptr_array_index (wf->states, s))->name);
      state_names = g_strv_builder_end (states);
      g_variant_builder_open (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "name", g_variant_new_string (wf->name));
      g_variant_builder_add (&b, "{sv}", "version", g_variant_new_uint32 (wf->version));
      g_variant_builder_add (&b, "{sv}", "title", g_variant_new_string (cl_daemon_title (d, wf->titles, wf->name)));
      g_variant_builder_add (&b, "{sv}", "titles", cl_daemon_titles (d, wf->titles, wf->name));
      g_variant_builder_add (&b, "{sv}", "path", g_variant_new_object_path (path));
      g_variant_builder_add (&b, "{sv}", "states", g_variant_new_strv ((const char *const *) state_names, -1));
      g_variant_builder_close (&b);
    }
  cl_call_return (call, g_variant_new ("(aa{sv})", &b));
}

static void
list_plugins (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;

  /* Loaded or not, with why not (plugin-loader.h). */
  cl_call_return (call, g_variant_new ("(@aa{sv})", cl_plugins_describe (d->plugins)));
}

static void
reload (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GError) error = NULL;

  if (deny_unless_admin (d, call, "Reload"))
    return;
  if (!cl_daemon_reload (d, &error))
    {
      cl_call_error (call, error);
      return;
    }
  cl_call_return (call, NULL);
}

static void
subscribe (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *who = cl_call_caller (call)->unique_name;

  if (!g_hash_table_contains (d->subscribers, who) && g_hash_table_size (d->subscribers) >= CL_MAX_SUBSCRIBERS)
    {
      cl_call_error_name (call, DBUS_ERROR_LIMITS_EXCEEDED, "too many subscribers (at most %d)", CL_MAX_SUBSCRIBERS);
      return;
    }
  g_hash_table_add (d->subscribers, g_strdup (who));
  cl_call_return (call, NULL);
}

static void
unsubscribe (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_hash_table_remove (d->subscribers, cl_call_caller (call)->unique_name);
  cl_call_return (call, NULL);
}

static void
verify_audit (CLCall *call, GVariant *args, gpointer data)
{
  const char *head;

  const CLIdentity *who = cl_daemon_identify (data, call);

  /* The report names cases: for administrators and roles that see all. */
  if (!cl_identity_is_admin (who) && !who->sees_all)
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_PERMISSION_DENIED),
                          "VerifyAudit needs the admin role or a role that sees all cases (user %s, uid %u); "
                          "anyone may read AuditHead to record a checkpoint", who->user, who->uid);
      return;
    }
  g_variant_get (args, "(&s)", &head);
  cl_audit_verify_call (data, call, head);
}

static gboolean
manager_properties (CLCall *call, const char *name, GVariantBuilder *b, gpointer data, GError **error)
{
  CLDaemon *d = data;

  if (name == NULL || g_str_equal (name, "Version"))
    g_variant_builder_add (b, "{sv}", "Version", g_variant_new_string (PACKAGE_VERSION));
  if (name == NULL || g_str_equal (name, "CaseCount"))
    {
      guint64 n = 0;
      const CLIdentity *who = cl_daemon_identify (d, call);
      const char *party = cl_daemon_party (who);
      gboolean hide_sealed = !cl_identity_has_role (who, CL_SEALING_ROLE);
      cl_engine_flush (d->engine);
      if (party == NULL && !hide_sealed)
        {
          if (!cl_store_count_all (d->store, &n, error))
            return FALSE;
        }
      else
        {
          CLCaseFilter f = { .party = party, .hide_sealed = hide_sealed };
          g_autoptr(GHashTable) counts = cl_store_count_cases (d->store, &f, "", error);
          guint64 *total = counts ? g_hash_table_lookup (counts, "") : NULL;
          if (counts == NULL)
            return FALSE;
          n = total ? *total : 0;
        }
      g_variant_builder_add (b, "{sv}", "CaseCount", g_variant_new_uint64 (n));
    }
  if (name == NULL || g_str_equal (name, "AuditHead"))
    {
      guint64 count = 0;
      g_autofree char *hash = NULL;
      cl_engine_flush (d->engine);
      if (!cl_store_audit_head (d->store, &count, &hash, error))
        return FALSE;
      g_variant_builder_add (b, "{sv}", "AuditHead", g_variant_new ("(ts)", count, hash));
    }
  return TRUE;
}

static const CLMethod manager_methods[] = {
  { "CreateCase", "sa{sv}", "workflow fields", "so", "id path", create_case },
  { "GetCase", "s", "id", "o", "path", get_case },
  { "ListCases", "a{sv}", "filter", "aa{sv}", "cases", list_cases },
  { "CountCases", "a{sv}s", "filter group_by", "a{st}", "counts", count_cases },
  { "ListWorkflows", "", "", "aa{sv}", "workflows", list_workflows },
  { "ListPlugins", "", "", "aa{sv}", "plugins", list_plugins },
  { "Reload", "", "", "", "", reload },
  { "Subscribe", "", "", "", "", subscribe },
  { "Unsubscribe", "", "", "", "", unsubscribe },
  { "VerifyAudit", "s", "head", "bs", "ok report", verify_audit },
  { NULL },
};

static const CLProperty manager_props[] = {
  { "Version", "s", "const" },
  { "CaseCount", "t", "false" },
  { "AuditHead", "(ts)", "false" },
  { NULL },
};

static const CLSignal manager_signals[] = {
  { "CaseCreated", "sos", "id path workflow" },
  { "CaseAdvanced", "sosss", "id path transition from to" },
  { "DeadlineMissed", "sosx", "id path state deadline" },
  { "DeadlineApproaching", "sosx", "id path state deadline" },
  { "Reloaded", "", "" },
  { NULL },
};

static const CLInterface manager_iface = {
  CL_MANAGER_IFACE, manager_methods, manager_props, manager_signals, manager_properties,
};

static const CLInterface *const manager_ifaces[] = { &manager_iface, NULL };
static const CLInterface *const manager_test_ifaces[] = { &manager_iface, &cl_testing_iface, NULL };

void
cl_manager_register (CLDaemon *d)
{
  cl_bus_register (d->bus, CL_MANAGER_PATH, FALSE, d->config.test_clock ? manager_test_ifaces : manager_ifaces, d,
                   NULL, NULL);
}
