/* plugin-private.h — what the plugin loader, the SDK implementation
 * (plugin-api.c) and the hook dispatch (plugin-hooks.c) share. */
#pragma once

#include "plugin-loader.h"

#include <gmodule.h>

struct _CaselinkPlugin {
  char *file;
  char *name;
  char *version;
  char *description;
  int priority;
  const CaselinkPluginDescriptor *desc;
  GModule *module;
  GPtrArray *domains;          /* char* */
  GPtrArray *hooks;            /* CLHook*, owned */
  GHashTable *settings;        /* key -> value, borrowed from the configuration; may be NULL */
  char **setting_keys;         /* sorted, without "enabled" */
  gboolean in_init;
  gboolean loaded;             /* init returned TRUE: hooks are live */
  char *error;                 /* why it is not loaded */
  GString *registration_errors;
};
