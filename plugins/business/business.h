/* business.h — shared by the business plugin's files (plugins/business/). */
#pragma once

#include <caselink/case.h>
#include "plugin-fields.h"
#include <caselink/plugin.h>

/* The [plugin.business] settings, parsed once at init (business.c). */
typedef struct {
  gint64 annual_cap;                 /* annual_inspection_cap */
  gboolean cap_per_agency;           /* cap_scope=agency */
  const char *agency_field;          /* inspecting_agency_field */
  gint64 justification_min;          /* seizure_justification_min, characters */
  double max_seizure_ratio;          /* seizure value / amount involved */
  double transfer_threshold;         /* default amount for a transfer */
  char **ip_case_types;              /* case_type values with the lower bar */
  const char *registration_authorities;
  gboolean check_organisation_code;  /* GB 11714 check of positions 9–17 */
} BizSettings;

extern BizSettings biz_settings;

/* Field readers: plugin-fields.h. */
/* A number setting: TRUE with *out, FALSE (and @error) when malformed;
 * @fallback when the key is unset. */
gboolean biz_setting_number (CaselinkPlugin *p, const char *key, double fallback, double *out, GError **error);

/* uscc.c — GB 32100-2015 beyond caselinkd's own check: NULL when @code is
 * well formed, otherwise why not (g_free it). */
char *biz_uscc_problem (const char *code);

/* checks.c */
gboolean biz_check_fields (CaselinkCase *c, gpointer user_data, GError **error);

/* inspection.c */
gboolean biz_inspection_cap (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);
gboolean biz_register_inspection (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
gboolean biz_seizure_justified (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);

/* transfer.c */
gboolean biz_ip_reasonable_suspicion (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);
