/* plugin-loader.c — plugins: find, check, init by priority, exit in reverse;
 * the SDK's registration functions (caselink_plugin_*). */
#define G_LOG_DOMAIN "caselink-plugins"

#include "plugin-private.h"
#include <caselink/case.h>
#include "field-value.h"
#include "workflow.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _CLPlugins {
  GPtrArray *all;              /* CaselinkPlugin*, owned: loaded or not, sorted by name */
  GPtrArray *loaded;           /* CaselinkPlugin*, borrowed: init order */
  GHashTable *hooks;           /* name -> CLHook* (borrowed from its plugin) */
  GHashTable *kinds;           /* name -> static kind string */
  gboolean probe;
};

static const char *const kind_names[] = {
  [CL_HOOK_VALIDATOR] = "validator",
  [CL_HOOK_GUARD] = "guard",
  [CL_HOOK_ACTION] = "action",
  [CL_HOOK_REDACTOR] = "redactor",
};

const char *
cl_hook_kind_to_string (CLHookKind kind)
{
  return kind_names[kind];
}

G_DEFINE_QUARK (caselink-error-quark, caselink_error)

/* ---- the SDK: registration -------------------------------------------- */

static void
hook_free (gpointer p)
{
  CLHook *h = p;
  g_free (h->name);
  g_free (h);
}

static void
registration_error (CaselinkPlugin *p, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
registration_error (CaselinkPlugin *p, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_warning ("plugin %s (%s): %s", p->name, p->file, msg);
  if (p->registration_errors == NULL)
    p->registration_errors = g_string_new (NULL);
  if (p->registration_errors->len > 0)
    g_string_append (p->registration_errors, "; ");
  g_string_append (p->registration_errors, msg);
}

static gboolean
check_in_init (CaselinkPlugin *p, const char *what)
{
  if (p->in_init)
    return TRUE;
  /* Too late to refuse the plugin: say so and ignore the call. */
  g_warning ("plugin %s (%s): %s may only be called from init; ignored", p->name, p->file, what);
  return FALSE;
}

gboolean
caselink_plugin_serve_domain (CaselinkPlugin *p, const char *domain)
{
  if (p == NULL || !check_in_init (p, "caselink_plugin_serve_domain"))
    return FALSE;
  if (!cl_name_is_valid (domain))
    {
      registration_error (p, "serve_domain: '%s' is not a domain name (lowercase letters, digits and _)",
                          domain ? domain : "(null)");
      return FALSE;
    }
  for (guint i = 0; i < p->domains->len; i++)
    if (g_str_equal (p->domains->pdata[i], domain))
      return TRUE;
  g_ptr_array_add (p->domains, g_strdup (domain));
  return TRUE;
}

/* A new hook of @p, or NULL (the reason recorded) when it may not be. */
static CLHook *
add_hook (CaselinkPlugin *p, CLHookKind kind, const char *name, gboolean has_func, gpointer user_data)
{
  gsize n;
  CLHook *h;

  if (p == NULL || !check_in_init (p, "caselink_plugin_add_*"))
    return NULL;
  n = strlen (p->name);
  if (name == NULL || strncmp (name, p->name, n) != 0 || name[n] != '.' || !cl_name_is_valid (name + n + 1))
    {
      registration_error (p, "%s '%s': hook names are '%s.NAME', NAME of lowercase letters, digits and _",
                          kind_names[kind], name ? name : "(null)", p->name);
      return NULL;
    }
  if (!has_func)
    {
      registration_error (p, "%s '%s' has no function", kind_names[kind], name);
      return NULL;
    }
  for (guint i = 0; i < p->hooks->len; i++)
    if (g_str_equal (((CLHook *) p->hooks->pdata[i])->name, name))
      {
        registration_error (p, "hook '%s' is registered twice", name);
        return NULL;
      }
  h = g_new0 (CLHook, 1);
  h->kind = kind;
  h->name = g_strdup (name);
  h->plugin = p;
  h->user_data = user_data;
  g_ptr_array_add (p->hooks, h);
  return h;
}

gboolean
caselink_plugin_add_validator (CaselinkPlugin *p, const char *name, CaselinkValidator func, gpointer user_data)
{
  CLHook *h = add_hook (p, CL_HOOK_VALIDATOR, name, func != NULL, user_data);
  if (h != NULL)
    h->func.validator = func;
  return h != NULL;
}

gboolean
caselink_plugin_add_guard (CaselinkPlugin *p, const char *name, CaselinkGuard func, gpointer user_data)
{
  CLHook *h = add_hook (p, CL_HOOK_GUARD, name, func != NULL, user_data);
  if (h != NULL)
    h->func.guard = func;
  return h != NULL;
}

gboolean
caselink_plugin_add_action (CaselinkPlugin *p, const char *name, CaselinkAction func, gpointer user_data)
{
  CLHook *h = add_hook (p, CL_HOOK_ACTION, name, func != NULL, user_data);
  if (h != NULL)
    h->func.action = func;
  return h != NULL;
}

gboolean
caselink_plugin_add_redactor (CaselinkPlugin *p, const char *name, CaselinkRedactor func, gpointer user_data)
{
  CLHook *h = add_hook (p, CL_HOOK_REDACTOR, name, func != NULL, user_data);
  if (h != NULL)
    h->func.redactor = func;
  return h != NULL;
}

const char *
caselink_plugin_get_name (CaselinkPlugin *p)
{
  return p != NULL ? p->name : NULL;
}

const char *
caselink_plugin_get_setting (CaselinkPlugin *p, const char *key)
{
  if (p == NULL || key == NULL || p->settings == NULL || g_str_equal (key, "enabled"))
    return NULL;
  return g_hash_table_lookup (p->settings, key);
}

const char *const *
caselink_plugin_get_settings_keys (CaselinkPlugin *p)
{
  static const char *const none[] = { NULL };

  if (p == NULL || p->setting_keys == NULL)
    return none;
  return (const char *const *) p->setting_keys;
}

gboolean
caselink_person_id_is_valid (const char *s)
{
  return s != NULL && cl_person_id_is_valid (s);
}

gboolean
caselink_uscc_is_valid (const char *s)
{
  return s != NULL && cl_uscc_is_valid (s);
}

/* ---- loading ------------------------------------------------------------ */

static void
plugin_free (gpointer data)
{
  CaselinkPlugin *p = data;

  if (p->module != NULL)
    g_module_close (p->module);
  g_free (p->file);
  g_free (p->name);
  g_free (p->version);
  g_free (p->description);
  g_ptr_array_unref (p->domains);
  g_ptr_array_unref (p->hooks);
  g_strfreev (p->setting_keys);
  g_free (p->error);
  if (p->registration_errors != NULL)
    g_string_free (p->registration_errors, TRUE);
  g_free (p);
}

/* The file name without directory and ".so": the name a plugin is listed
 * under when its descriptor cannot be trusted. */
static char *
file_stem (const char *file)
{
  g_autofree char *base = g_path_get_basename (file);
  if (g_str_has_suffix (base, ".so"))
    base[strlen (base) - 3] = '\0';
  return g_steal_pointer (&base);
}

static void
fail (CaselinkPlugin *p, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
fail (CaselinkPlugin *p, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_free (p->error);
  p->error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_warning ("plugin %s: not loaded: %s", p->file, p->error);
  /* Nothing of it may stay reachable once its code is gone. */
  g_ptr_array_set_size (p->hooks, 0);
  g_ptr_array_set_size (p->domains, 0);
  g_clear_pointer (&p->module, g_module_close);
  p->desc = NULL;
}

/* Open @file and read its descriptor; the result is listed whatever happens. */
static CaselinkPlugin *
open_plugin (const char *file, gboolean probe)
{
  CaselinkPlugin *p = g_new0 (CaselinkPlugin, 1);
  gpointer sym = NULL;
  const CaselinkPluginDescriptor *desc;

  p->file = g_strdup (file);
  p->name = file_stem (file);
  p->version = g_strdup ("");
  p->description = g_strdup ("");
  p->domains = g_ptr_array_new_with_free_func (g_free);
  p->hooks = g_ptr_array_new_with_free_func (hook_free);

  /* Plugins run with the daemon's privileges: only code that the daemon's
   * user (or root) owns and nobody else may change is loaded. */
  {
    GStatBuf st;
    if (g_stat (file, &st) != 0)
      {
        fail (p, "cannot stat: %s", g_strerror (errno));
        return p;
      }
    if ((st.st_uid != 0 && st.st_uid != getuid ()) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
      {
        fail (p, "unsafe file: owned by uid %u with mode %04o; a plugin must belong to root (or the daemon's user) "
              "and be writable by nobody else", (guint) st.st_uid, (guint) (st.st_mode & 07777));
        return p;
      }
  }

  /* Immediate binding in the daemon: a plugin calling an SDK function this
   * caselinkd lacks (built against a newer SDK) fails here, with the name
   * of the missing symbol, instead of in the middle of a change. */
  p->module = g_module_open (file, G_MODULE_BIND_LOCAL | (probe ? G_MODULE_BIND_LAZY : 0));
  if (p->module == NULL)
    {
      fail (p, "cannot load: %s", g_module_error ());
      return p;
    }
  if (!g_module_symbol (p->module, "caselink_plugin_descriptor", &sym) || sym == NULL)
    {
      fail (p, "no caselink_plugin_descriptor symbol: not a caselink plugin (build it with CASELINK_PLUGIN_DEFINE)");
      return p;
    }
  desc = sym;
  if (desc->abi != CASELINK_SDK_ABI)
    {
      fail (p, "built for plugin ABI %u, but this caselinkd has ABI %u: rebuild it against the caselink %s SDK",
            desc->abi, (guint) CASELINK_SDK_ABI, CASELINK_VERSION);
      return p;
    }
  if (desc->name == NULL || !cl_name_is_valid (desc->name))
    {
      fail (p, "invalid plugin name '%s' in its descriptor (lowercase letters, digits and _)",
            desc->name ? desc->name : "(null)");
      return p;
    }
  g_free (p->name);
  p->name = g_strdup (desc->name);
  g_free (p->version);
  p->version = g_strdup (desc->version ? desc->version : "");
  g_free (p->description);
  p->description = g_strdup (desc->description ? desc->description : "");
  p->priority = desc->priority;
  if (desc->init == NULL)
    {
      fail (p, "its descriptor has no init function");
      return p;
    }
  p->desc = desc;
  return p;
}

static void
collect_dir (const char *dir, GPtrArray *files, gboolean descend)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;

      if (entry[0] == '.')
        continue;
      path = g_build_filename (dir, entry, NULL);
      if (g_str_has_suffix (entry, ".so") && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&path));
      else if (descend && g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_dir (path, files, FALSE);
    }
}

static gint
cmp_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gint
cmp_init_order (gconstpointer a, gconstpointer b)
{
  const CaselinkPlugin *pa = *(CaselinkPlugin *const *) a;
  const CaselinkPlugin *pb = *(CaselinkPlugin *const *) b;

  if (pa->priority != pb->priority)
    return pa->priority > pb->priority ? -1 : 1;
  if (strcmp (pa->name, pb->name) != 0)
    return strcmp (pa->name, pb->name);
  return strcmp (pa->file, pb->file);
}

static gint
cmp_listing (gconstpointer a, gconstpointer b)
{
  const CaselinkPlugin *pa = *(CaselinkPlugin *const *) a;
  const CaselinkPlugin *pb = *(CaselinkPlugin *const *) b;
  int c = strcmp (pa->name, pb->name);

  return c != 0 ? c : strcmp (pa->file, pb->file);
}

static void
attach_settings (CaselinkPlugin *p, GHashTable *settings)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;

  p->settings = settings != NULL ? g_hash_table_lookup (settings, p->name) : NULL;
  if (p->settings != NULL)
    {
      g_hash_table_iter_init (&it, p->settings);
      while (g_hash_table_iter_next (&it, &k, NULL))
        if (!g_str_equal (k, "enabled"))
          g_ptr_array_add (keys, g_strdup (k));
    }
  g_ptr_array_sort (keys, cmp_paths);
  g_ptr_array_add (keys, NULL);
  p->setting_keys = (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);
}

static void
init_plugin (CLPlugins *plugins, CaselinkPlugin *p)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  p->in_init = TRUE;
  ok = p->desc->init (p, &error);
  p->in_init = FALSE;
  if (!ok)
    {
      /* exit() is not called after a failed init. */
      fail (p, "init failed: %s", error != NULL ? error->message : "(no reason given)");
      return;
    }
  if (p->registration_errors != NULL)
    {
      g_autofree char *why = g_strdup (p->registration_errors->str);
      if (p->desc->exit != NULL)
        p->desc->exit (p);
      fail (p, "init registered what it may not: %s", why);
      return;
    }
  p->loaded = TRUE;
  g_ptr_array_add (plugins->loaded, p);
  for (guint i = 0; i < p->hooks->len; i++)
    {
      CLHook *h = p->hooks->pdata[i];
      g_hash_table_insert (plugins->hooks, h->name, h);
      g_hash_table_insert (plugins->kinds, h->name, (gpointer) kind_names[h->kind]);
    }
  {
    g_autoptr(GString) what = g_string_new (NULL);
    for (guint i = 0; i < p->domains->len; i++)
      g_string_append_printf (what, "%s%s", i ? ", " : " serving ", (char *) p->domains->pdata[i]);
    g_message ("plugin %s %s loaded from %s%s with %u hooks", p->name, p->version, p->file, what->str,
               p->hooks->len);
  }
}

CLPlugins *
cl_plugins_load (const char *dir, GHashTable *settings, gboolean probe)
{
  CLPlugins *plugins = g_new0 (CLPlugins, 1);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  plugins->all = g_ptr_array_new_with_free_func (plugin_free);
  plugins->loaded = g_ptr_array_new ();
  plugins->hooks = g_hash_table_new (g_str_hash, g_str_equal);
  plugins->kinds = g_hash_table_new (g_str_hash, g_str_equal);
  plugins->probe = probe;
  if (dir == NULL)
    return plugins;
  if (!g_module_supported ())
    {
      g_warning ("this system cannot load modules: no plugins");
      return plugins;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    g_debug ("no plugin directory %s", dir);
  collect_dir (dir, files, TRUE);
  g_ptr_array_sort (files, cmp_paths);

  for (guint i = 0; i < files->len; i++)
    {
      CaselinkPlugin *p = open_plugin (files->pdata[i], probe);
      g_ptr_array_add (plugins->all, p);
      if (p->desc != NULL)
        g_ptr_array_add (order, p);
    }
  g_ptr_array_sort (order, cmp_init_order);
  for (guint i = 0; i < order->len; i++)
    {
      CaselinkPlugin *p = order->pdata[i];
      CaselinkPlugin *other = g_hash_table_lookup (names, p->name);
      const char *enabled;

      if (other != NULL)
        {
          fail (p, "another plugin named %s comes first (%s)", p->name, other->file);
          continue;
        }
      attach_settings (p, settings);
      enabled = p->settings != NULL ? g_hash_table_lookup (p->settings, "enabled") : NULL;
      if (g_strcmp0 (enabled, "false") == 0)
        {
          g_free (p->error);
          p->error = g_strdup_printf ("disabled in caselink.conf ([plugin.%s] enabled=false)", p->name);
          g_message ("plugin %s: %s", p->file, p->error);
          g_clear_pointer (&p->module, g_module_close);
          p->desc = NULL;
          continue;
        }
      g_hash_table_insert (names, p->name, p);
      init_plugin (plugins, p);
    }
  g_ptr_array_sort (plugins->all, cmp_listing);
  return plugins;
}

void
cl_plugins_free (CLPlugins *plugins)
{
  if (plugins == NULL)
    return;
  for (guint i = plugins->loaded->len; i > 0; i--)
    {
      CaselinkPlugin *p = plugins->loaded->pdata[i - 1];
      if (p->desc->exit != NULL)
        p->desc->exit (p);
      p->loaded = FALSE;
    }
  g_hash_table_unref (plugins->hooks);
  g_hash_table_unref (plugins->kinds);
  g_ptr_array_unref (plugins->loaded);
  g_ptr_array_unref (plugins->all);
  g_free (plugins);
}

const CLHook *
cl_plugins_hook (CLPlugins *plugins, const char *name)
{
  return plugins != NULL ? g_hash_table_lookup (plugins->hooks, name) : NULL;
}

GHashTable *
cl_plugins_hook_kinds (CLPlugins *plugins)
{
  return plugins->kinds;
}

GPtrArray *
cl_plugins_loaded (CLPlugins *plugins)
{
  return plugins->loaded;
}

gboolean
cl_plugin_serves (CaselinkPlugin *plugin, const char *domain)
{
  if (domain == NULL || *domain == '\0')
    return FALSE;
  for (guint i = 0; i < plugin->domains->len; i++)
    if (g_str_equal (plugin->domains->pdata[i], domain))
      return TRUE;
  return FALSE;
}

GPtrArray *
cl_plugin_hooks (CaselinkPlugin *plugin)
{
  return plugin->hooks;
}

/* A plugin's own strings (version, description, its init's error) and a
 * file name need not be UTF-8; a GVariant string must be. */
static GVariant *
text_variant (const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    s = "";
  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);
  return g_variant_new_string (s);
}

GVariant *
cl_plugins_describe (CLPlugins *plugins)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; plugins != NULL && i < plugins->all->len; i++)
    {
      CaselinkPlugin *p = plugins->all->pdata[i];
      GVariantBuilder hooks;

      g_variant_builder_init (&hooks, G_VARIANT_TYPE_STRING_ARRAY);
      for (guint j = 0; j < p->hooks->len; j++)
        g_variant_builder_add (&hooks, "s", ((CLHook *) p->hooks->pdata[j])->name);
      g_variant_builder_open (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "name", text_variant (p->name));
      g_variant_builder_add (&b, "{sv}", "version", text_variant (p->version));
      g_variant_builder_add (&b, "{sv}", "description", text_variant (p->description));
      g_variant_builder_add (&b, "{sv}", "domains",
                             g_variant_new_strv ((const char *const *) p->domains->pdata, p->domains->len));
      g_variant_builder_add (&b, "{sv}", "hooks", g_variant_builder_end (&hooks));
      g_variant_builder_add (&b, "{sv}", "loaded", g_variant_new_boolean (p->loaded));
      g_variant_builder_add (&b, "{sv}", "error", text_variant (p->error));
      g_variant_builder_add (&b, "{sv}", "file", text_variant (p->file));
      g_variant_builder_close (&b);
    }
  return g_variant_builder_end (&b);
}
