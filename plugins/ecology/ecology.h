/* ecology.h — shared by the ecology plugin's files (plugins/ecology/). */
#pragma once

#include <caselink/case.h>
#include "plugin-fields.h"
#include <caselink/plugin.h>

/* The [plugin.ecology] settings, parsed once at init (ecology.c). */
typedef struct {
  const char *route_field;        /* agency field route_circuit sets */
  char **criminal_relations;      /* link relations naming the criminal case */
} EcoSettings;

extern EcoSettings eco_settings;

/* Field readers: plugin-fields.h. */
/* The case's region: eco_region, or region (eco_damage_compensation). */
char *eco_case_region (CaselinkCase *c);

/* restoration.c */
gboolean eco_restoration_verified (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);
gboolean eco_record_leniency (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
gboolean eco_import_leniency (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);
