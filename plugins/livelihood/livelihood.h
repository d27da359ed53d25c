/* livelihood.h — shared by the livelihood plugin's files (plugins/livelihood/). */
#pragma once

#include <caselink/case.h>
#include "plugin-fields.h"
#include <caselink/plugin.h>

/* The [plugin.livelihood] settings, parsed once at init (livelihood.c). */
typedef struct {
  double wage_single_min;         /* one worker: yuan, within 5,000–20,000 */
  double wage_group_min;          /* ten or more workers: yuan, within 30,000–100,000 */
  GHashTable *tag_weights;        /* vulnerable group -> weight 0..1000 (GINT_TO_POINTER) */
  GHashTable *area_base;          /* sub_area -> base priority 0..1000 (GINT_TO_POINTER) */
  char **uscc_fields;             /* string fields checked as GB 32100 codes */
} LhSettings;

extern LhSettings lh_settings;

/* The five sub-areas (procedures.md §5, Livelihoods), NULL-terminated. */
extern const char *const lh_sub_areas[];

/* Field readers: plugin-fields.h; and: */
/* vulnerable_groups as a NULL-terminated array (a list, or one string); never NULL. */
char **lh_field_tags (CaselinkCase *c, const char *name);

/* The priority the case's sub_area and vulnerable_groups call for. */
gint64 lh_priority_floor (CaselinkCase *c);

/* wages.c: 拒不支付劳动报酬 (wage arrears) */
gboolean lh_wage_order_expired (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);
gboolean lh_wage_meets_threshold (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);
gboolean lh_wage_check_fields (CaselinkCase *c, GError **error);
