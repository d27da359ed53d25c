/* badabi.c — a descriptor for an ABI this caselinkd does not have. */
#include <caselink/plugin.h>

static gboolean
badabi_init (CaselinkPlugin *plugin, GError **error)
{
  g_error ("badabi: init must never run");
  return FALSE;
}

CASELINK_PLUGIN_EXPORT extern const CaselinkPluginDescriptor caselink_plugin_descriptor;
CASELINK_PLUGIN_EXPORT const CaselinkPluginDescriptor caselink_plugin_descriptor = {
  999, "badabi", "1.0", "Built for ABI 999", 0, badabi_init, NULL,
};
