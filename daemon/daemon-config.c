/* daemon-config.c — caselink.conf (GKeyFile). */
#define G_LOG_DOMAIN "caselink"

#include "daemon-config.h"
#include "calendar.h"
#include "cl-errors.h"
#include "cl-yaml.h"
#include "workflow.h"

#include <config.h>
#include <string.h>

static const char *const known_daemon_keys[] = {
  "database", "workflows", "plugins", "actors", "timezone", "language", "calendar", NULL
};
static const char *const known_store_keys[] = { "synchronous", NULL };

/* Paths in the file are relative to the file's directory. */
static char *
resolve (const char *base_dir, const char *value)
{
  if (value == NULL || g_path_is_absolute (value) || base_dir == NULL)
    return g_strdup (value);
  return g_build_filename (base_dir, value, NULL);
}

static gboolean
check_keys (GKeyFile *kf, const char *group, const char *const *known, const char *path, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    if (!g_strv_contains (known, *k))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "%s: unknown key '%s' in [%s]", path, *k, group);
        return FALSE;
      }
  return TRUE;
}

/* [deadlines] workflow.state = N UNIT: a deployment's own time limits where
 * the law sets none or leaves the figure to local rules. */
static gboolean
load_deadline_overrides (CLConfig *cfg, GKeyFile *kf, const char *path, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, "deadlines", NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *v = g_key_file_get_string (kf, "deadlines", *k, NULL);
      g_auto(GStrv) parts = g_strsplit (*k, ".", 2);
      gint n;
      CLDeadlineUnit unit;

      if (g_strv_length (parts) != 2 || !cl_name_is_valid (parts[0]) || !cl_name_is_valid (parts[1]))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                       "%s: [deadlines] key '%s' must be WORKFLOW.STATE", path, *k);
          return FALSE;
        }
      if (v == NULL || !cl_deadline_unit_parse (g_strstrip (v), &n, &unit))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                       "%s: [deadlines] %s=%s: expected an amount such as '3 working_days' or '24 hours'",
                       path, *k, v ? v : "");
          return FALSE;
        }
      g_hash_table_replace (cfg->deadline_overrides, g_strdup (*k), g_strdup (v));
    }
  return TRUE;
}

/* [plugin.NAME]: the plugin's own settings, plus enabled=false to leave it
 * out. The keys are the plugin's business; only enabled is checked here. */
static gboolean
load_plugin_group (CLConfig *cfg, GKeyFile *kf, const char *group, const char *path, GError **error)
{
  const char *name = group + strlen ("plugin.");
  g_auto(GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);
  GHashTable *settings;

  if (!cl_name_is_valid (name))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "%s: [%s]: '%s' is not a plugin name (lowercase letters, digits and _)", path, group, name);
      return FALSE;
    }
  settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (cfg->plugin_settings, g_strdup (name), settings);
  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *v = NULL;

      if (g_str_equal (*k, "enabled"))
        {
          g_autoptr(GError) local = NULL;
          gboolean on = g_key_file_get_boolean (kf, group, *k, &local);
          if (local != NULL)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "%s: [%s] enabled: use true or false", path, group);
              return FALSE;
            }
          v = g_strdup (on ? "true" : "false");
        }
      else
        v = g_key_file_get_string (kf, group, *k, NULL);
      g_hash_table_replace (settings, g_strdup (*k), g_steal_pointer (&v));
    }
  return TRUE;
}

/* A zone of the zone database (Area/Location: letters, digits, _ + -) or
 * an offset (+08, +0800, +08:00). GLib reads any path it is given as a
 * zone file, and complains loudly about one that is not. */
static gboolean
timezone_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64)
    return FALSE;
  if (g_regex_match_simple ("^[+-][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?$", name, 0, 0))
    return TRUE;
  return g_regex_match_simple ("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", name, 0, 0)
         && g_ascii_isalpha (name[0]);
}

/* caselink.conf holds a few dozen keys. */
#define MAX_CONFIG_FILE (1024 * 1024)

gboolean
cl_config_load (CLConfig *cfg, const char *path, gboolean path_given, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) err = NULL;
  g_autofree char *dir = NULL;
  g_auto(GStrv) groups = NULL;

  if (cfg->deadline_overrides == NULL)
    cfg->deadline_overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (cfg->plugin_settings == NULL)
    cfg->plugin_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_hash_table_unref);
  if (!path_given && !g_file_test (path, G_FILE_TEST_EXISTS))
    goto defaults;
  {
    g_autoptr(GPtrArray) read_errors = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *data = NULL;
    gsize len = 0;

    /* Read as the workflow files are (a regular file, of a sane size);
     * GKeyFile would take a file of binary junk, stopping at its first NUL
     * byte, for an empty configuration. */
    if (!cl_yaml_read_file (path, MAX_CONFIG_FILE, &data, &len, read_errors))
      {
        g_autofree char *prefix = g_strconcat (path, ":1:1: ", NULL);
        const char *why = read_errors->pdata[0];

        if (g_str_has_prefix (why, prefix))
          why += strlen (prefix);
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot read %s: %s", path, why);
        return FALSE;
      }
    if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize) len, NULL))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot read %s: not a text file (a NUL byte, or not UTF-8)",
                     path);
        return FALSE;
      }
    if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &err))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot read %s: %s", path, err->message);
        return FALSE;
      }
  }
  cfg->config_path = g_strdup (path);
  dir = g_path_get_dirname (path);

  groups = g_key_file_get_groups (kf, NULL);
  for (char **g = groups; *g != NULL; g++)
    {
      if (g_str_equal (*g, "daemon"))
        {
          if (!check_keys (kf, *g, known_daemon_keys, path, error))
            return FALSE;
        }
      else if (g_str_equal (*g, "store"))
        {
          if (!check_keys (kf, *g, known_store_keys, path, error))
            return FALSE;
        }
      else if (g_str_has_prefix (*g, "plugin."))
        {
          if (!load_plugin_group (cfg, kf, *g, path, error))
            return FALSE;
        }
      else if (!g_str_equal (*g, "deadlines"))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                       "%s: unknown group [%s] (known: daemon, store, deadlines, plugin.NAME)", path, *g);
          return FALSE;
        }
    }

  if (cfg->db_path == NULL)
    {
      g_autofree char *v = g_key_file_get_string (kf, "daemon", "database", NULL);
      cfg->db_path = resolve (dir, v);
    }
  if (cfg->workflow_dirs == NULL && g_key_file_has_key (kf, "daemon", "workflows", NULL))
    {
      g_auto(GStrv) list = g_key_file_get_string_list (kf, "daemon", "workflows", NULL, NULL);
      GStrvBuilder *b = g_strv_builder_new ();
      for (char **d = list; d != NULL && *d != NULL; d++)
        {
          g_autofree char *resolved = resolve (dir, *d);
          g_strv_builder_add (b, resolved);
        }
      cfg->workflow_dirs = g_strv_builder_end (b);
      g_strv_builder_unref (b);
    }
  if (cfg->plugins_dir == NULL)
    {
      g_autofree char *v = g_key_file_get_string (kf, "daemon", "plugins", NULL);
      cfg->plugins_dir = resolve (dir, v);
    }
  {
    g_autofree char *v = g_key_file_get_string (kf, "daemon", "actors", NULL);
    if (v != NULL && *v != '\0')
      cfg->actors_path = resolve (dir, v);
  }
  cfg->timezone_name = g_key_file_get_string (kf, "daemon", "timezone", NULL);
  if (cfg->timezone_name != NULL && *cfg->timezone_name == '\0')
    g_clear_pointer (&cfg->timezone_name, g_free);   /* the default */
  if (cfg->timezone_name != NULL && !timezone_name_is_valid (cfg->timezone_name))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "%s: [daemon] timezone=%s: not a time zone name (a zone such as Asia/Shanghai, UTC, or an "
                   "offset such as +08:00)", path, cfg->timezone_name);
      return FALSE;
    }
  cfg->calendar = g_key_file_get_string (kf, "daemon", "calendar", NULL);
  if (!load_deadline_overrides (cfg, kf, path, error))
    return FALSE;
  cfg->language = g_key_file_get_string (kf, "daemon", "language", NULL);
  {
    g_autofree char *v = g_key_file_get_string (kf, "store", "synchronous", NULL);
    if (v != NULL && !cl_store_parse_sync_mode (v, &cfg->sync))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                     "%s: [store] synchronous=%s: use full, normal or off", path, v);
        return FALSE;
      }
  }

defaults:
  if (cfg->db_path == NULL)
    cfg->db_path = g_strdup (CASELINK_DB_PATH);
  if (cfg->workflow_dirs == NULL)
    {
      const char *defaults[] = { CASELINK_WORKFLOWS_DIR, CASELINK_LOCAL_WORKFLOWS_DIR, NULL };
      cfg->workflow_dirs = g_strdupv ((char **) defaults);
    }
  if (cfg->plugins_dir == NULL)
    cfg->plugins_dir = g_strdup (CASELINK_PLUGINS_DIR);
  if (cfg->language == NULL)
    cfg->language = g_strdup ("zh");
  if (cfg->timezone_name == NULL)
    cfg->timezone_name = g_strdup ("Asia/Shanghai");
  if (cfg->calendar == NULL)
    cfg->calendar = g_strdup ("cn");
  cfg->tz = g_time_zone_new_identifier (cfg->timezone_name);
  if (cfg->tz == NULL)
    {
      g_warning ("time zone '%s' is not in the zone database; using a fixed +08:00", cfg->timezone_name);
      cfg->tz = g_time_zone_new_offset (8 * 3600);
    }
  return TRUE;
}

void
cl_config_clear (CLConfig *cfg)
{
  g_free (cfg->config_path);
  g_free (cfg->db_path);
  g_strfreev (cfg->workflow_dirs);
  g_free (cfg->plugins_dir);
  g_free (cfg->actors_path);
  g_free (cfg->timezone_name);
  g_clear_pointer (&cfg->tz, g_time_zone_unref);
  g_free (cfg->language);
  g_free (cfg->calendar);
  g_clear_pointer (&cfg->deadline_overrides, g_hash_table_unref);
  g_clear_pointer (&cfg->plugin_settings, g_hash_table_unref);
}
