/* daemon-config.h — caselinkd's settings: command line over caselink.conf over
 * built-in defaults. */
#pragma once

#include "store.h"
#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *config_path;       /* NULL when running on defaults */
  char *db_path;
  char **workflow_dirs;
  char *plugins_dir;
  char *actors_path;       /* NULL = no actors file */
  char *timezone_name;
  GTimeZone *tz;
  char *language;
  char *calendar;          /* default calendar of deadlines */
  GHashTable *deadline_overrides;  /* "workflow.state" -> "N UNIT" ([deadlines]) */
  GHashTable *plugin_settings;     /* plugin name -> GHashTable key -> value ([plugin.NAME]);
                                   * "enabled" normalised to "true"/"false" */
  CLSyncMode sync;
  gboolean test_clock;     /* --test-clock: Testing1.SetTime moves "now" */
} CLConfig;

/* Reads @path (NULL = the default file, which may be missing). Values
 * already set in @cfg (from the command line) are kept. */
gboolean cl_config_load (CLConfig *cfg, const char *path, gboolean path_given, GError **error);
void cl_config_clear (CLConfig *cfg);

G_END_DECLS
