/* minors.h — shared by the minors plugin's files (plugins/minors/). */
#pragma once

#include <caselink/case.h>
#include "plugin-fields.h"
#include <caselink/plugin.h>

/* The [plugin.minors] settings, parsed once at init (minors.c). Strings
 * owned by caselinkd's settings, id_fields by the plugin. */
typedef struct {
  const char *handler_role;   /* who sees pii fields (default minors_handler) */
  const char *sealed_field;   /* boolean field the sealing actions keep in step (default sealed) */
  char **id_fields;           /* string fields checked as GB 11643 identity numbers */
} MnSettings;

extern MnSettings mn_settings;

/* sealing.c: 犯罪记录封存 */
gboolean mn_claim_domain (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
gboolean mn_seal_record (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
gboolean mn_unseal_record (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
