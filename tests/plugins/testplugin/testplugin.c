/* testplugin.c — every hook kind, for tests/integration/test-plugins.c.
 * Built only against the SDK (include/caselink/), as a department's plugin
 * would be, into its own subdirectory of the plugin directory. */
#include <caselink/case.h>
#include <caselink/plugin.h>

static CaselinkPlugin *self;

/* Validator: in the testdomain, a code starts with "T-". */
static gboolean
code_format (CaselinkCase *c, gpointer data, GError **error)
{
  g_autoptr(GVariant) code = caselink_case_get_field (c, "code");

  if (code != NULL && !g_str_has_prefix (g_variant_get_string (code, NULL), "T-"))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "code '%s' must start with T-",
                   g_variant_get_string (code, NULL));
      return FALSE;
    }
  return TRUE;
}

/* Guard: nothing moves while the case is on hold. */
static gboolean
not_on_hold (CaselinkCase *c, const char *transition, gpointer data, char **reason)
{
  g_autoptr(GVariant) hold = caselink_case_get_field (c, "hold");

  if (hold != NULL && g_variant_get_boolean (hold))
    {
      *reason = g_strdup ("the case is on hold");
      return FALSE;
    }
  return TRUE;
}

/* Creation action: note who created the case. */
static gboolean
on_create (CaselinkCase *c, const char *transition, gpointer data, GError **error)
{
  g_autofree char *note = NULL;

  g_autoptr(GVariant) fail = caselink_case_get_field (c, "fail_on_create");

  if (transition != NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "on_create ran on transition %s", transition);
      return FALSE;
    }
  if (fail != NULL && g_variant_get_boolean (fail))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_REJECTED, "asked to fail at creation");
      return FALSE;
    }
  note = g_strdup_printf ("created by %s as %s in %s", caselink_case_get_actor_user (c), caselink_case_get_id (c),
                          caselink_case_get_state (c));
  return caselink_case_set_field (c, "created_note", g_variant_new_string (note), error);
}

/* Transition action: count in the plugin's store, stamp the case, open a
 * follow-up case, link it, check the queries see it, and fail at the very
 * end when asked, so the test can see everything rolled back. */
static gboolean
stamp (CaselinkCase *c, const char *transition, gpointer data, GError **error)
{
  const char *id = caselink_case_get_id (c);
  const char *greeting = caselink_plugin_get_setting (self, "greeting");
  g_autoptr(GVariant) counter = caselink_kv_get (c, "stamps");
  g_autoptr(GVariant) fail = caselink_case_get_field (c, "fail_action");
  g_autoptr(GVariant) swallow = caselink_case_get_field (c, "swallow_child");
  g_autoptr(GVariant) equals = NULL;
  gint64 n = counter != NULL ? g_variant_get_int64 (counter) + 1 : 1;
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *child = NULL;
  g_autofree char *count_text = NULL;
  g_auto(GStrv) ids = NULL;
  guint64 count = 0;
  GVariantDict dict;

  if (!caselink_kv_set (c, "stamps", g_variant_new_int64 (n), error))
    return FALSE;
  /* A careless action: a case whose creation fails, the error ignored. */
  if (swallow != NULL && g_variant_get_boolean (swallow))
    {
      g_autoptr(GError) ignored = NULL;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "title", "s", "never made");
      g_variant_dict_insert (&dict, "fail_on_create", "b", TRUE);
      if (caselink_case_create (c, "plugtest", g_variant_dict_end (&dict), NULL, &ignored))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "a failing creation succeeded");
          return FALSE;
        }
    }
  text = g_strdup_printf ("%s #%" G_GINT64_FORMAT " (%s: %s -> %s)", greeting != NULL ? greeting : "hello", n,
                          transition, caselink_case_get_state (c), caselink_case_get_next_state (c));
  if (!caselink_case_set_field (c, "stamp", g_variant_new_string (text), error))
    return FALSE;

  title = g_strdup_printf ("follow-up of %s", id);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "title", "s", title);
  g_variant_dict_insert (&dict, "origin", "s", id);
  if (!caselink_case_create (c, "plugchild", g_variant_dict_end (&dict), &child, error)
      || !caselink_case_link (c, child, "follow_up", error))
    return FALSE;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "origin", "s", id);
  equals = g_variant_ref_sink (g_variant_dict_end (&dict));
  if (!caselink_query_count (c, "plugchild", equals, caselink_case_get_year_start (c), &count, error))
    return FALSE;
  ids = caselink_query_list (c, "plugchild", equals, 0, 10, error);
  if (ids == NULL)
    return FALSE;
  if (count != 1 || ids[0] == NULL || !g_str_equal (ids[0], child) || ids[1] != NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "the queries saw %" G_GUINT64_FORMAT " follow-ups",
                   count);
      return FALSE;
    }
  /* A string for an integer field: coerced like a D-Bus caller's value. */
  count_text = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
  if (!caselink_case_set_field (c, "children", g_variant_new_string (count_text), error))
    return FALSE;

  if (fail != NULL && g_variant_get_boolean (fail))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_REJECTED, "asked to fail after writing %s", child);
      return FALSE;
    }
  return TRUE;
}

/* Redactor: "secret" only for holders of secret_role (default proc_chief),
 * and never for the user named by hide_from_user; pii fields only for
 * proc_chief. */
static gboolean
hide_secret (CaselinkCase *c, const char *field, gpointer data)
{
  if (g_str_equal (field, "secret"))
    {
      const char *hide_from = caselink_plugin_get_setting (self, "hide_from_user");
      const char *role = caselink_plugin_get_setting (self, "secret_role");

      if (hide_from != NULL && g_str_equal (hide_from, caselink_case_get_actor_user (c)))
        return FALSE;
      return caselink_case_actor_has_role (c, role != NULL ? role : "proc_chief");
    }
  if (caselink_case_field_is_pii (c, field))
    return caselink_case_actor_has_role (c, "proc_chief");
  return TRUE;
}

/* Action: seal the case as a criminal record (犯罪记录封存). */
static gboolean
seal (CaselinkCase *c, const char *transition, gpointer data, GError **error)
{
  return caselink_case_set_sealed (c, TRUE, error);
}

static gboolean
test_init (CaselinkPlugin *plugin, GError **error)
{
  self = plugin;
  g_message ("testplugin init (after: %s)", caselink_plugin_get_setting (plugin, "greeting") ? "configured" : "defaults");
  return caselink_plugin_serve_domain (plugin, "testdomain")
         && caselink_plugin_add_validator (plugin, "testplugin.code_format", code_format, NULL)
         && caselink_plugin_add_guard (plugin, "testplugin.not_on_hold", not_on_hold, NULL)
         && caselink_plugin_add_action (plugin, "testplugin.on_create", on_create, NULL)
         && caselink_plugin_add_action (plugin, "testplugin.stamp", stamp, NULL)
         && caselink_plugin_add_action (plugin, "testplugin.seal", seal, NULL)
         && caselink_plugin_add_redactor (plugin, "testplugin.hide_secret", hide_secret, NULL);
}

static void
test_exit (CaselinkPlugin *plugin)
{
  g_message ("testplugin exit");
}

CASELINK_PLUGIN_DEFINE ("testplugin", "1.2.3", "Every hook kind, for the integration tests",
                        CASELINK_PLUGIN_PRIORITY_DEFAULT, test_init, test_exit)
