/* badhook.c — registers a hook outside its own name space. */
#include <caselink/plugin.h>

static gboolean
steal (CaselinkCase *c, gpointer data, GError **error)
{
  return TRUE;
}

static gboolean
badhook_init (CaselinkPlugin *plugin, GError **error)
{
  caselink_plugin_add_validator (plugin, "testplugin.code_format", steal, NULL);
  return TRUE;
}

CASELINK_PLUGIN_DEFINE ("badhook", "1.0", "Registers another plugin's hook name", 0, badhook_init, NULL)
