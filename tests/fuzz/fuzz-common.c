/* fuzz-common.c — set-up shared by the fuzz targets. */
#include "fuzz.h"

#include <glib.h>
#include <stdlib.h>

static void
quiet_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  /* Warnings are expected for bad input; criticals and errors are bugs:
   * a g_return_if_fail() tripped by input is a crash for our purposes. */
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_printerr ("%s-CRITICAL: %s\n", domain ? domain : "(null)", message);
      abort ();
    }
}

void
cl_fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_default_handler (quiet_log, NULL);
}
