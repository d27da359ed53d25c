/* ecology.c — the ecology plugin: cases of the "ecology" domain.
 *
 * Qinghai's ecological cases (procedures.md §5, Ecology): the region a case
 * lies in (三江源, 祁连山南麓, 青海湖, another protected area, none) and
 * the protected area; the damage; the restoration plan and its status.
 * Public-interest cases in a national-park region go to that region's
 * circuit procuratorate (巡回检察室, [plugin.ecology] region.NAME=AGENCY).
 * A case does not close while its restoration waits for verification, and
 * restoration done is recorded as a plea-leniency factor (认罪认罚从宽,
 * 刑事诉讼法 art.15) for the linked criminal case (restoration.c).
 *
 * Hooks: validator ecology.check_fields (every ecology case), action
 * ecology.route_circuit, guard ecology.restoration_verified, actions
 * ecology.record_leniency and ecology.import_leniency. See README.md.
 */
#include "ecology.h"

#include <math.h>
#include <string.h>

EcoSettings eco_settings;

/* ---- field readers ---------------------------------------------------------- */

char *
eco_case_region (CaselinkCase *c)
{
  char *region = pl_field_string (c, "eco_region");

  return region != NULL ? region : pl_field_string (c, "region");
}

/* ---- validator ---------------------------------------------------------------- */

static gboolean
refuse (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, message);
  return FALSE;
}

/* Region and protected area agree; the damage is not negative; a
 * restoration status has a plan behind it and agrees with restoration_done.
 * Fields a workflow does not have are simply unset: nothing to check. */
static gboolean
check_fields (CaselinkCase *c, gpointer user_data, GError **error)
{
  g_autofree char *region = eco_case_region (c);
  g_autofree char *area = pl_field_string (c, "protected_area");
  g_autofree char *status = pl_field_string (c, "restoration_status");
  g_autofree char *plan = pl_field_string (c, "restoration_plan");
  int done = pl_field_bool (c, "restoration_done");
  double amount;

  if (g_strcmp0 (region, "other_protected") == 0 && area == NULL)
    return refuse (error, "eco_region is other_protected: name the protected area in protected_area (自然保护地名称)");
  if (g_strcmp0 (region, "none") == 0 && area != NULL)
    return refuse (error,
                   "protected_area is '%s' but eco_region is none: choose the region the protected area lies in "
                   "(sanjiangyuan, qilianshan, qinghai_lake or other_protected)",
                   area);
  if (pl_field_number (c, "damage_amount", &amount) && !(isfinite (amount) && amount >= 0))
    return refuse (error, "damage_amount %.2f: the damage (损害数额, yuan) cannot be negative", amount);
  if (status != NULL && plan == NULL)
    return refuse (error, "restoration_status is %s but there is no restoration_plan (修复方案): record the plan first",
                   status);
  if (status != NULL && done == 1 && (g_str_equal (status, "planned") || g_str_equal (status, "in_progress")))
    return refuse (error, "restoration_done is true but restoration_status is %s: one of them is wrong", status);
  if (g_strcmp0 (status, "verified") == 0 && done == 0)
    return refuse (error, "restoration_status is verified but restoration_done is false: one of them is wrong");
  return TRUE;
}

/* ---- routing -------------------------------------------------------------------- */

/* Action: a public-interest case of the ecology domain (or of the PIL field
 * ecology_resources) in a region with a circuit procuratorate configured
 * ([plugin.ecology] region.NAME=AGENCY) is held by that procuratorate: the
 * agency field route_field (default circuit_procuratorate, the holder of
 * the workflow's states) is set to it. Other regions, other domains and
 * unconfigured regions leave the case where it is. */
static gboolean
route_circuit (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  CaselinkPlugin *self = caselink_case_get_plugin (c);
  g_autofree char *region = eco_case_region (c);
  g_autofree char *pil_field = pl_field_string (c, "pil_field");
  g_autofree char *key = NULL;
  g_autofree char *current = NULL;
  const char *agency;

  if (!g_str_equal (caselink_case_get_domain (c), "ecology") && g_strcmp0 (pil_field, "ecology_resources") != 0)
    return TRUE;
  if (region == NULL)
    return TRUE;
  key = g_strconcat ("region.", region, NULL);
  agency = caselink_plugin_get_setting (self, key);
  if (agency == NULL)
    return TRUE;
  current = pl_field_string (c, eco_settings.route_field);
  if (g_strcmp0 (current, agency) == 0)
    return TRUE;
  return caselink_case_set_field (c, eco_settings.route_field, g_variant_new_string (agency), error);
}

/* ---- settings and init ------------------------------------------------------------ */

static gboolean
is_name (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_settings (CaselinkPlugin *plugin, GError **error)
{
  const char *const *keys = caselink_plugin_get_settings_keys (plugin);
  const char *relations;

  eco_settings.route_field = caselink_plugin_get_setting (plugin, "route_field");
  if (eco_settings.route_field == NULL)
    eco_settings.route_field = "circuit_procuratorate";
  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = caselink_plugin_get_setting (plugin, keys[i]);

      if (g_str_has_prefix (keys[i], "region."))
        {
          if (!is_name (keys[i] + strlen ("region.")) || !is_name (value))
            {
              g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                           "[plugin.ecology] %s=%s: expected region.REGION=AGENCY_ID, e.g. "
                           "region.sanjiangyuan=qh-proc-sjy",
                           keys[i], value);
              return FALSE;
            }
        }
      else if (g_str_equal (keys[i], "route_field"))
        {
          if (!is_name (value))
            {
              g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                           "[plugin.ecology] route_field=%s: expected the name of an agency field", value);
              return FALSE;
            }
        }
      else if (!g_str_equal (keys[i], "criminal_relations"))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.ecology] has no key '%s' (known: region.REGION, route_field, criminal_relations)",
                       keys[i]);
          return FALSE;
        }
    }
  /* Allocated last: exit is not called when init fails. */
  relations = caselink_plugin_get_setting (plugin, "criminal_relations");
  g_strfreev (eco_settings.criminal_relations);
  eco_settings.criminal_relations = g_strsplit (relations != NULL ? relations : "criminal_case", ",", -1);
  for (char **r = eco_settings.criminal_relations; *r != NULL; r++)
    g_strstrip (*r);
  return TRUE;
}

static gboolean
ecology_init (CaselinkPlugin *plugin, GError **error)
{
  if (!parse_settings (plugin, error))
    return FALSE;
  if (caselink_plugin_serve_domain (plugin, "ecology")
      && caselink_plugin_add_validator (plugin, "ecology.check_fields", check_fields, NULL)
      && caselink_plugin_add_action (plugin, "ecology.route_circuit", route_circuit, NULL)
      && caselink_plugin_add_guard (plugin, "ecology.restoration_verified", eco_restoration_verified, NULL)
      && caselink_plugin_add_action (plugin, "ecology.record_leniency", eco_record_leniency, NULL)
      && caselink_plugin_add_action (plugin, "ecology.import_leniency", eco_import_leniency, NULL))
    return TRUE;
  g_clear_pointer (&eco_settings.criminal_relations, g_strfreev);
  g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "registering the ecology hooks failed");
  return FALSE;
}

static void
ecology_exit (CaselinkPlugin *plugin)
{
  g_clear_pointer (&eco_settings.criminal_relations, g_strfreev);
}

CASELINK_PLUGIN_DEFINE ("ecology", "1.0",
                        "Ecology: regions and circuit procuratorates, damage, restoration and plea leniency",
                        CASELINK_PLUGIN_PRIORITY_DEFAULT, ecology_init, ecology_exit)
