/* business.c — the business plugin: enterprise-related cases (涉企).
 *
 * procedures.md §5 (Enterprise-related) and the seed's business-environment
 * measures: enterprises identified by a well-formed unified social credit
 * code with their name (checks.c, uscc.c); an inspection register with an
 * annual cap per enterprise (国办发〔2024〕54号) and compulsory measures
 * only with a justification and within the amount involved (inspection.c);
 * IP-infringement and counterfeit cases ("双打") transferred to the PSB on
 * reasonable suspicion (transfer.c).
 *
 * Hooks: validator business.check_fields (every business case); guards
 * business.inspection_cap, business.seizure_justified,
 * business.ip_reasonable_suspicion; action business.register_inspection.
 * See README.md for the [plugin.business] keys.
 */
#include "business.h"

#include <math.h>
#include <string.h>

BizSettings biz_settings;

/* ---- settings ------------------------------------------------------------------- */

static gboolean
bad_setting (GError **error, const char *key, const char *value, const char *expected)
{
  g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "[plugin.business] %s=%s: expected %s", key, value,
               expected);
  return FALSE;
}

gboolean
biz_setting_number (CaselinkPlugin *p, const char *key, double fallback, double *out, GError **error)
{
  const char *value = caselink_plugin_get_setting (p, key);
  char *end = NULL;
  double d;

  if (value == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  d = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (d) || d < 0)
    return bad_setting (error, key, value, "a number, 0 or more");
  *out = d;
  return TRUE;
}

static gboolean
setting_count (CaselinkPlugin *p, const char *key, gint64 fallback, gint64 *out, GError **error)
{
  const char *value = caselink_plugin_get_setting (p, key);
  guint64 n;

  if (value == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32, &n, NULL))
    return bad_setting (error, key, value, "a whole number, 0 or more");
  *out = (gint64) n;
  return TRUE;
}

static gboolean
setting_choice (CaselinkPlugin *p, const char *key, const char *first, const char *second, gboolean *is_second,
                GError **error)
{
  const char *value = caselink_plugin_get_setting (p, key);
  g_autofree char *expected = NULL;

  *is_second = FALSE;
  if (value == NULL || g_str_equal (value, first))
    return TRUE;
  if (g_str_equal (value, second))
    {
      *is_second = TRUE;
      return TRUE;
    }
  expected = g_strdup_printf ("%s or %s", first, second);
  return bad_setting (error, key, value, expected);
}

static gboolean
parse_settings (CaselinkPlugin *p, GError **error)
{
  static const char *const known[] = {
    "annual_inspection_cap", "cap_scope", "inspecting_agency_field", "seizure_justification_min",
    "max_seizure_ratio", "transfer_threshold", "ip_case_types", "registration_authorities",
    "check_organisation_code", NULL,
  };
  const char *const *keys = caselink_plugin_get_settings_keys (p);
  const char *types = caselink_plugin_get_setting (p, "ip_case_types");
  gboolean skip_org = FALSE;

  /* 国办发〔2024〕54号 leaves the figure to each province: 2 until set. */
  if (!setting_count (p, "annual_inspection_cap", 2, &biz_settings.annual_cap, error)
      || !setting_choice (p, "cap_scope", "enterprise", "agency", &biz_settings.cap_per_agency, error)
      || !setting_count (p, "seizure_justification_min", 20, &biz_settings.justification_min, error)
      || !biz_setting_number (p, "max_seizure_ratio", 1.0, &biz_settings.max_seizure_ratio, error)
      || !biz_setting_number (p, "transfer_threshold", 50000, &biz_settings.transfer_threshold, error)
      || !setting_choice (p, "check_organisation_code", "true", "false", &skip_org, error))
    return FALSE;
  biz_settings.check_organisation_code = !skip_org;
  if (biz_settings.max_seizure_ratio <= 0)
    return bad_setting (error, "max_seizure_ratio", caselink_plugin_get_setting (p, "max_seizure_ratio"),
                        "a number above 0");
  biz_settings.agency_field = caselink_plugin_get_setting (p, "inspecting_agency_field");
  if (biz_settings.agency_field == NULL)
    biz_settings.agency_field = "transferring_agency";
  biz_settings.registration_authorities = caselink_plugin_get_setting (p, "registration_authorities");
  if (biz_settings.registration_authorities == NULL)
    biz_settings.registration_authorities = "123456789ANY";
  for (guint i = 0; keys[i] != NULL; i++)
    {
      double ignored;

      if (g_str_has_prefix (keys[i], "threshold."))
        {
          if (keys[i][strlen ("threshold.")] == '\0')
            return bad_setting (error, keys[i], caselink_plugin_get_setting (p, keys[i]),
                                "threshold.CASE_TYPE=AMOUNT");
          if (!biz_setting_number (p, keys[i], 0, &ignored, error))
            return FALSE;
        }
      else if (!g_strv_contains (known, keys[i]))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.business] has no key '%s' (known: annual_inspection_cap, cap_scope, "
                       "inspecting_agency_field, seizure_justification_min, max_seizure_ratio, transfer_threshold, "
                       "threshold.CASE_TYPE, ip_case_types, registration_authorities, check_organisation_code)",
                       keys[i]);
          return FALSE;
        }
    }
  /* Allocated last: exit is not called when init fails. */
  g_strfreev (biz_settings.ip_case_types);
  biz_settings.ip_case_types = g_strsplit (types != NULL ? types : "ip_counterfeit", ",", -1);
  for (char **t = biz_settings.ip_case_types; *t != NULL; t++)
    g_strstrip (*t);
  return TRUE;
}

static gboolean
business_init (CaselinkPlugin *plugin, GError **error)
{
  if (!parse_settings (plugin, error))
    return FALSE;
  if (caselink_plugin_serve_domain (plugin, "business")
      && caselink_plugin_add_validator (plugin, "business.check_fields", biz_check_fields, NULL)
      && caselink_plugin_add_guard (plugin, "business.inspection_cap", biz_inspection_cap, NULL)
      && caselink_plugin_add_action (plugin, "business.register_inspection", biz_register_inspection, NULL)
      && caselink_plugin_add_guard (plugin, "business.seizure_justified", biz_seizure_justified, NULL)
      && caselink_plugin_add_guard (plugin, "business.ip_reasonable_suspicion", biz_ip_reasonable_suspicion, NULL))
    return TRUE;
  g_clear_pointer (&biz_settings.ip_case_types, g_strfreev);
  g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_FAILED, "registering the business hooks failed");
  return FALSE;
}

static void
business_exit (CaselinkPlugin *plugin)
{
  g_clear_pointer (&biz_settings.ip_case_types, g_strfreev);
}

CASELINK_PLUGIN_DEFINE ("business", "1.0",
                        "Enterprise-related cases: credit codes, inspection caps, seizures, IP transfers",
                        CASELINK_PLUGIN_PRIORITY_DEFAULT, business_init, business_exit)
