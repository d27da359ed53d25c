/* failinit.c — init fails; exit must then not run. Its version,
 * description and error are not UTF-8 (a careless plugin's strings), which
 * ListPlugins must still carry. */
#include <caselink/plugin.h>

static gboolean
failinit_init (CaselinkPlugin *plugin, GError **error)
{
  caselink_plugin_serve_domain (plugin, "testdomain");
  g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "no licence file \xff");
  return FALSE;
}

static void
failinit_exit (CaselinkPlugin *plugin)
{
  g_error ("failinit: exit after a failed init");
}

CASELINK_PLUGIN_DEFINE ("failinit", "1.0\xff", "Its init fails \xc3", CASELINK_PLUGIN_PRIORITY_DEFAULT, failinit_init,
                        failinit_exit)
