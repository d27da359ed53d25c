/* checks.c — validator business.check_fields, for every case of the
 * "business" domain whatever its workflow:
 *
 * - every field named uscc or *_uscc holds a well-formed unified social
 *   credit code (uscc.c: GB 32100 structure, GB 11714 check of the
 *   organisation code), whether the workflow types it uscc or string;
 * - a code comes with the enterprise's name (uscc → enterprise_name,
 *   liable_party_uscc → liable_party);
 * - a targeted inspection (专项检查) names the concrete clue it follows
 *   (trigger): routine ones are the capped kind (国办发〔2024〕54号);
 * - amounts are not negative.
 */
#include "business.h"

#include <math.h>

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

static gboolean
is_code_field (const char *name)
{
  return g_str_equal (name, "uscc") || g_str_has_suffix (name, "_uscc");
}

/* The name field that goes with code field @name. */
static const char *
name_field (const char *name)
{
  if (g_str_equal (name, "uscc"))
    return "enterprise_name";
  if (g_str_equal (name, "liable_party_uscc"))
    return "liable_party";
  return NULL;
}

gboolean
biz_check_fields (CaselinkCase *c, gpointer user_data, GError **error)
{
  static const char *const amounts[] = { "amount", "seizure_value", NULL };
  g_autoptr(GVariant) fields = caselink_case_get_fields (c);
  g_autofree char *kind = pl_field_string (c, "inspection_kind");
  g_autofree char *trigger = pl_field_string (c, "trigger");
  GVariantIter iter;
  const char *name;
  GVariant *value;

  g_variant_iter_init (&iter, fields);
  while (g_variant_iter_next (&iter, "{&sv}", &name, &value))
    {
      g_autoptr(GVariant) v = value;
      const char *code, *other;
      g_autofree char *problem = NULL;
      g_autofree char *enterprise = NULL;

      if (!is_code_field (name) || !g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        continue;
      code = g_variant_get_string (v, NULL);
      if (*code == '\0')
        continue;
      problem = biz_uscc_problem (code);
      if (problem != NULL)
        return refuse (error, "%s '%s' is not a valid unified social credit code (统一社会信用代码): its %s", name,
                       code, problem);
      other = name_field (name);
      enterprise = other != NULL ? pl_field_string (c, other) : NULL;
      if (other != NULL && enterprise == NULL)
        return refuse (error, "%s '%s' is given without the enterprise's name: set %s as registered (企业名称)", name,
                       code, other);
    }

  if (g_strcmp0 (kind, "targeted") == 0 && trigger == NULL)
    return refuse (error,
                   "a targeted inspection (专项检查) follows a concrete clue — a complaint or report, a matter "
                   "referred or assigned, a data alert: describe it in trigger; without one, inspect as routine "
                   "(日常检查, counted against the annual cap)");

  for (guint i = 0; amounts[i] != NULL; i++)
    {
      double amount;
      if (pl_field_number (c, amounts[i], &amount) && !(isfinite (amount) && amount >= 0))
        return refuse (error, "%s %.2f: an amount cannot be negative", amounts[i], amount);
    }
  return TRUE;
}
