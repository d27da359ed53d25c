/* hello.c — the plugin of docs/plugin-guide.md: built out of tree with
 * pkg-config alone, against the installed caselink SDK. */
#include <caselink/case.h>
#include <caselink/plugin.h>

static CaselinkPlugin *self;

/* Validator: titles of "general" cases are not all capitals. */
static gboolean
no_shouting (CaselinkCase *c, gpointer user_data, GError **error)
{
  g_autoptr(GVariant) title = caselink_case_get_field (c, "title");
  const char *s = title != NULL ? g_variant_get_string (title, NULL) : "";
  guint upper = 0, lower = 0;

  for (const char *p = s; *p != '\0'; p++)
    {
      upper += g_ascii_isupper (*p);
      lower += g_ascii_islower (*p);
    }
  if (upper >= 4 && lower == 0)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "please do not shout in titles");
      return FALSE;
    }
  return TRUE;
}

/* Guard: [plugin.hello] frozen=true stops every transition that names it. */
static gboolean
not_frozen (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  if (g_strcmp0 (caselink_plugin_get_setting (self, "frozen"), "true") == 0)
    {
      *reason = g_strdup ("cases are frozen by the administrator");
      return FALSE;
    }
  return TRUE;
}

static gboolean
hello_init (CaselinkPlugin *plugin, GError **error)
{
  self = plugin;
  return caselink_plugin_serve_domain (plugin, "general")
         && caselink_plugin_add_validator (plugin, "hello.no_shouting", no_shouting, NULL)
         && caselink_plugin_add_guard (plugin, "hello.not_frozen", not_frozen, NULL);
}

CASELINK_PLUGIN_DEFINE ("hello", "1.0", "Says no to shouting", CASELINK_PLUGIN_PRIORITY_DEFAULT, hello_init, NULL)
