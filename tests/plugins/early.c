/* early.c — a high-priority plugin: initialised before testplugin, exits
 * after it. */
#include <caselink/plugin.h>

static gboolean
early_init (CaselinkPlugin *plugin, GError **error)
{
  g_message ("early init");
  return TRUE;
}

static void
early_exit (CaselinkPlugin *plugin)
{
  g_message ("early exit");
}

CASELINK_PLUGIN_DEFINE ("early", "0.1", "Initialised first", CASELINK_PLUGIN_PRIORITY_HIGH, early_init, early_exit)
