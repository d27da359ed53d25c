/* inspection.c — enterprise-related administrative inspections (涉企行政检查)
 * and compulsory measures against an enterprise's property.
 *
 * 国办发〔2024〕54号 (严格规范涉企行政检查): routine inspections (日常检查) of
 * one enterprise are capped per year, the cap set by each province; targeted
 * inspections (专项检查) follow a concrete clue and are not counted. Each
 * inspection case is one inspection; the register is the cases of the
 * workflow itself:
 *
 * - guard business.inspection_cap, on the transition that carries out the
 *   inspection (enterprise_inspection: enter, 扫码入企): counts this year's
 *   routine inspections of the enterprise (same uscc, inspection_conducted
 *   true; with cap_scope=agency, by the same agency too) and refuses one
 *   beyond [plugin.business] annual_inspection_cap;
 * - action business.register_inspection, on the same transition: marks the
 *   inspection conducted and numbers it (inspection_ordinal) in the year.
 *
 * Seizing, sealing up or freezing (查封、扣押、冻结) an enterprise's property
 * must be necessary and proportionate, to minimise the impact on its
 * business (行政强制法 arts.5, 23; Qinghai's implementing opinion):
 *
 * - guard business.seizure_justified: a justification of at least
 *   seizure_justification_min characters, and a seized value no more than
 *   max_seizure_ratio times the amount involved (no 超标的查封).
 */
#include "business.h"

/* {uscc, inspection_conducted: true, inspection_kind: routine[, agency]} */
static GVariant *
routine_filter (CaselinkCase *c, const char *uscc)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "uscc", "s", uscc);
  g_variant_dict_insert (&dict, "inspection_conducted", "b", TRUE);
  g_variant_dict_insert (&dict, "inspection_kind", "s", "routine");
  if (biz_settings.cap_per_agency)
    {
      g_autofree char *agency = pl_field_string (c, biz_settings.agency_field);
      g_variant_dict_insert (&dict, biz_settings.agency_field, "s",
                             agency != NULL ? agency : caselink_case_get_actor_agency (c));
    }
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static gboolean
is_targeted (CaselinkCase *c)
{
  g_autofree char *kind = pl_field_string (c, "inspection_kind");
  return g_strcmp0 (kind, "targeted") == 0;
}

/* Routine inspections of the enterprise carried out this year. */
static gboolean
count_routine (CaselinkCase *c, const char *uscc, guint64 *count, GError **error)
{
  g_autoptr(GVariant) filter = routine_filter (c, uscc);

  return caselink_query_count (c, caselink_case_get_workflow (c), filter, caselink_case_get_year_start (c), count,
                               error);
}

gboolean
biz_inspection_cap (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  g_autofree char *uscc = pl_field_string (c, "uscc");
  g_autofree char *name = pl_field_string (c, "enterprise_name");
  g_autoptr(GError) error = NULL;
  guint64 count = 0;

  if (uscc == NULL)
    {
      *reason = g_strdup ("the inspected enterprise's unified social credit code (uscc) is not set: the "
                          "inspection register counts inspections by it");
      return FALSE;
    }
  if (is_targeted (c))
    return TRUE;
  if (!count_routine (c, uscc, &count, &error))
    {
      *reason = g_strdup_printf ("cannot count this year's inspections: %s", error->message);
      return FALSE;
    }
  if ((gint64) count < biz_settings.annual_cap)
    return TRUE;
  *reason = g_strdup_printf ("%s (%s) has had %" G_GUINT64_FORMAT " routine inspection%s%s this year, the annual "
                             "cap ([plugin.business] annual_inspection_cap=%" G_GINT64_FORMAT ", 国办发〔2024〕54号): "
                             "no further routine inspection (日常检查) this year; an inspection on a concrete clue "
                             "is a targeted one (inspection_kind targeted, with its trigger)",
                             name != NULL ? name : "the enterprise", uscc, count, count == 1 ? "" : "s",
                             biz_settings.cap_per_agency ? " by this agency" : "", biz_settings.annual_cap);
  return FALSE;
}

gboolean
biz_register_inspection (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  g_autofree char *uscc = pl_field_string (c, "uscc");
  g_autofree char *kind = pl_field_string (c, "inspection_kind");
  guint64 count = 0;

  if (uscc == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "the inspected enterprise's uscc is not set");
      return FALSE;
    }
  if (kind == NULL && !caselink_case_set_field (c, "inspection_kind", g_variant_new_string ("routine"), error))
    return FALSE;
  if (!is_targeted (c))
    {
      if (!count_routine (c, uscc, &count, error)
          || !caselink_case_set_field (c, "inspection_ordinal", g_variant_new_int64 ((gint64) count + 1), error))
        return FALSE;
    }
  return caselink_case_set_field (c, "inspection_conducted", g_variant_new_boolean (TRUE), error);
}

gboolean
biz_seizure_justified (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  g_autofree char *justification = pl_field_string (c, "seizure_justification");
  glong length = 0;
  double value, amount;

  if (justification != NULL)
    length = g_utf8_strlen (g_strstrip (justification), -1);
  if (length == 0)
    {
      *reason = g_strdup ("seizing, sealing up or freezing an enterprise's property (查封、扣押、冻结) needs "
                          "seizure_justification: why the measure is necessary and why a lighter one will not do, "
                          "so as to minimise the impact on the enterprise's normal business");
      return FALSE;
    }
  if (length < biz_settings.justification_min)
    {
      *reason = g_strdup_printf ("seizure_justification has %ld characters; at least %" G_GINT64_FORMAT
                                 " are needed ([plugin.business] seizure_justification_min): say why the measure is "
                                 "necessary and why a lighter one will not do",
                                 length, biz_settings.justification_min);
      return FALSE;
    }
  if (pl_field_number (c, "seizure_value", &value) && pl_field_number (c, "amount", &amount)
      && value > amount * biz_settings.max_seizure_ratio)
    {
      *reason = g_strdup_printf ("the property to seize or freeze (seizure_value %.2f) exceeds %.2f, %g times the "
                                 "amount involved (amount %.2f; [plugin.business] max_seizure_ratio): no seizure "
                                 "beyond what the case needs (超标的查封)",
                                 value, amount * biz_settings.max_seizure_ratio, biz_settings.max_seizure_ratio,
                                 amount);
      return FALSE;
    }
  return TRUE;
}
