/* verbs-manager.c — status, workflows, workflow show, plugins: what the
 * daemon as a whole offers (org.caselink.Manager1 and Workflow1). */
#include "ctl.h"

#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-dict.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <stdio.h>

/* Manager1 methods that take nothing and return aa{sv}. */
static GVariant *
call_list (CtlContext *ctx, const char *method, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = ctl_bus_call (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, method,
                        NULL, "(aa{sv})", error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

static char *
dict_value_text (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = ctl_dict_value (dict, key);

  return value != NULL ? ctl_format_value (value) : g_strdup ("");
}

gboolean
ctl_verb_status (CtlContext *ctx, char **args, GError **error)
{
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) workflows = NULL;
  g_autoptr(GVariant) plugins = NULL;
  gsize n_plugins, n_loaded = 0;

  props = ctl_bus_get_all (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, error);
  if (props == NULL)
    return FALSE;
  workflows = call_list (ctx, "ListWorkflows", error);
  if (workflows == NULL)
    return FALSE;
  plugins = call_list (ctx, "ListPlugins", error);
  if (plugins == NULL)
    return FALSE;

  n_plugins = g_variant_n_children (plugins);
  for (gsize i = 0; i < n_plugins; i++)
    {
      g_autoptr(GVariant) plugin = g_variant_get_child_value (plugins, i);
      if (ctl_dict_bool (plugin, "loaded"))
        n_loaded++;
    }

  if (ctx->json)
    {
      g_autoptr(CtlJson) object = ctl_json_from_variant (props);

      ctl_json_object_set_int (object, "Workflows", (gint64) g_variant_n_children (workflows));
      ctl_json_object_set_int (object, "Plugins", (gint64) n_plugins);
      ctl_json_object_set_int (object, "PluginsLoaded", (gint64) n_loaded);
      ctl_print_json (object, FALSE);
    }
  else
    {
      g_autoptr(CtlTable) table = ctl_table_new_plain (2);
      g_autofree char *cases = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                ctl_dict_int (props, "CaseCount"));
      g_autofree char *n_workflows = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                      g_variant_n_children (workflows));
      g_autofree char *plugin_text = NULL;

      if (n_loaded == n_plugins)
        plugin_text = g_strdup_printf ("%" G_GSIZE_FORMAT, n_plugins);
      else
        plugin_text = g_strdup_printf ("%" G_GSIZE_FORMAT " (%" G_GSIZE_FORMAT " not loaded)",
                                       n_plugins, n_plugins - n_loaded);

      ctl_table_add_row (table, "Version:", ctl_dict_string (props, "Version"));
      ctl_table_add_row (table, "Cases:", cases);
      ctl_table_add_row (table, "Workflows:", n_workflows);
      ctl_table_add_row (table, "Plugins:", plugin_text);
      ctl_table_print (table);
    }
  return TRUE;
}

gboolean
ctl_verb_workflows (CtlContext *ctx, char **args, GError **error)
{
  static const char *const headers[] = { "NAME", "VERSION", "TITLE", "STATES", NULL };
  g_autoptr(GVariant) workflows = NULL;
  g_autoptr(CtlTable) table = NULL;

  workflows = call_list (ctx, "ListWorkflows", error);
  if (workflows == NULL)
    return FALSE;
  if (ctx->json)
    {
      ctl_print_variant_json (workflows);
      return TRUE;
    }

  table = ctl_table_new (headers);
  for (gsize i = 0; i < g_variant_n_children (workflows); i++)
    {
      g_autoptr(GVariant) wf = g_variant_get_child_value (workflows, i);
      g_autofree char *version = dict_value_text (wf, "version");
      g_autofree char *states = dict_value_text (wf, "states");
      g_autoptr(GVariant) titles = ctl_dict_value (wf, "titles");
      g_autofree char *title = ctl_title_for_locale (titles, ctl_dict_string (wf, "title"));

      ctl_table_add_row (table, ctl_dict_string (wf, "name"), version, title, states);
    }
  if (ctl_table_get_n_rows (table) == 0)
    printf ("No workflows loaded.\n");
  else
    ctl_table_print (table);
  return TRUE;
}

gboolean
ctl_verb_workflow_show (CtlContext *ctx, char **args, GError **error)
{
  const char *name = args[0];
  g_autoptr(GVariant) workflows = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autofree char *path = NULL;

  /* Ask the list rather than guess at the object path: an unknown name is
   * then a clear NotFound, not an UnknownObject from the bus layer. */
  workflows = call_list (ctx, "ListWorkflows", error);
  if (workflows == NULL)
    return FALSE;
  for (gsize i = 0; i < g_variant_n_children (workflows) && path == NULL; i++)
    {
      g_autoptr(GVariant) wf = g_variant_get_child_value (workflows, i);

      if (g_strcmp0 (ctl_dict_string (wf, "name"), name) != 0)
        continue;
      path = g_strdup (ctl_dict_string (wf, "path"));
      if (!g_variant_is_object_path (path))
        {
          g_free (path);
          path = g_strdup_printf ("%s/%s", CL_WORKFLOW_PATH_PREFIX, name);
        }
    }
  if (path == NULL)
    {
      ctl_set_error (error, cl_error_to_dbus_name (CL_ERROR_NOT_FOUND),
                     CTL_EXIT_NOT_FOUND, "no workflow named “%s” is loaded "
                     "(see caselinkctl workflows)", name);
      return FALSE;
    }

  props = ctl_bus_get_all (ctx->conn, path, CL_WORKFLOW_IFACE, error);
  if (props == NULL)
    return FALSE;

  if (ctx->json)
    {
      g_autoptr(CtlJson) node = ctl_json_from_variant (props);

      ctl_json_object_set_string (node, "Path", path);
      ctl_print_json (node, FALSE);
    }
  else
    {
      g_autoptr(CtlTable) table = ctl_table_new_plain (2);
      g_autofree char *version = dict_value_text (props, "Version");
      g_autofree char *titles = dict_value_text (props, "Titles");
      g_autofree char *states = dict_value_text (props, "States");
      g_autoptr(GVariant) title_map = ctl_dict_value (props, "Titles");
      g_autofree char *title = ctl_title_for_locale (title_map, ctl_dict_string (props, "Title"));

      ctl_table_add_row (table, "Name:", ctl_dict_string (props, "Name"));
      ctl_table_add_row (table, "Title:", title);
      ctl_table_add_row (table, "Titles:", titles);
      ctl_table_add_row (table, "Version:", version);
      ctl_table_add_row (table, "Initial state:", ctl_dict_string (props, "InitialState"));
      ctl_table_add_row (table, "States:", states);
      ctl_table_add_row (table, "Path:", path);
      ctl_table_print (table);
    }
  return TRUE;
}

gboolean
ctl_verb_plugins (CtlContext *ctx, char **args, GError **error)
{
  static const char *const headers[] = { "NAME", "VERSION", "LOADED", "DOMAINS",
                                         "HOOKS", "ERROR", NULL };
  g_autoptr(GVariant) plugins = NULL;
  g_autoptr(CtlTable) table = NULL;

  plugins = call_list (ctx, "ListPlugins", error);
  if (plugins == NULL)
    return FALSE;
  if (ctx->json)
    {
      ctl_print_variant_json (plugins);
      return TRUE;
    }

  table = ctl_table_new (headers);
  for (gsize i = 0; i < g_variant_n_children (plugins); i++)
    {
      g_autoptr(GVariant) plugin = g_variant_get_child_value (plugins, i);
      g_autofree char *version = dict_value_text (plugin, "version");
      g_autofree char *domains = dict_value_text (plugin, "domains");
      g_autofree char *hooks = dict_value_text (plugin, "hooks");
      const char *err = ctl_dict_string (plugin, "error");

      ctl_table_add_row (table, ctl_dict_string (plugin, "name"), version,
                         ctl_format_bool (ctl_dict_bool (plugin, "loaded")),
                         *domains != '\0' ? domains : "-",
                         *hooks != '\0' ? hooks : "-",
                         *err != '\0' ? err : "-");
    }
  if (ctl_table_get_n_rows (table) == 0)
    printf ("No plugins.\n");
  else
    ctl_table_print (table);
  return TRUE;
}
