/* sealing.c — sealed criminal records (犯罪记录封存) in the minors plugin.
 *
 * 刑事诉讼法 art.286, 预防未成年人犯罪法 art.59, 两高两部《关于未成年人犯罪
 * 记录封存的实施办法》 (2022): the record of an offence committed under 18
 * with a sentence of at most five years (and records of non-prosecution,
 * conditional non-prosecution and coercive measures) is sealed; it is then
 * disclosed only on an authorised query. caselinkd does the hiding: a case
 * an action seals (caselink_case_set_sealed) vanishes for everyone without
 * the sealing_query role and is read only through Case1.QuerySealed, which
 * is recorded. These actions decide when: a workflow names
 * minors.seal_record on its seal transition and minors.unseal_record on its
 * unseal transition. minors.claim_domain puts the cases of a workflow into
 * the minors domain, where the plugin's redactor and validator apply.
 */
#include "minors.h"

/* Keep the workflow's boolean sealed field (if it has one) in step with
 * the record's sealed state. */
static gboolean
set_sealed_field (CaselinkCase *c, gboolean sealed, GError **error)
{
  GError *local = NULL;

  if (caselink_case_set_field (c, mn_settings.sealed_field, g_variant_new_boolean (sealed), &local))
    return TRUE;
  if (g_error_matches (local, CASELINK_ERROR, CASELINK_ERROR_NOT_FOUND))
    {
      g_error_free (local);   /* the workflow has no such field: nothing to keep in step */
      return TRUE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

/* Action: the case belongs to the minors domain. An unset domain becomes
 * "minors"; another domain is refused, since the case would then escape the
 * redactor. Named at creation (top-level actions:) of a workflow whose
 * cases hold minors' personal data. */
gboolean
mn_claim_domain (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  const char *domain = caselink_case_get_domain (c);

  if (g_str_equal (domain, "minors"))
    return TRUE;
  if (*domain != '\0')
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_REJECTED,
                   "cases of workflow %s hold minors' personal data and belong to the minors domain, not '%s' "
                   "(未成年人保护法 art.103): leave domain unset or give minors",
                   caselink_case_get_workflow (c), domain);
      return FALSE;
    }
  return caselink_case_set_field (c, "domain", g_variant_new_string ("minors"), error);
}

/* Action: seal the record. An offence committed at 18 or older
 * (age_at_offence) is not sealed under art.286, whatever the workflow's own
 * conditions say. */
gboolean
mn_seal_record (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  gint64 age;

  if (pl_field_int (c, "age_at_offence", &age) && age >= 18)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_REJECTED,
                   "age_at_offence %" G_GINT64_FORMAT ": only records of offences committed under 18 are sealed "
                   "(刑事诉讼法 art.286)",
                   age);
      return FALSE;
    }
  return caselink_case_set_sealed (c, TRUE, error) && set_sealed_field (c, TRUE, error);
}

/* Action: lift the seal (a new offence, or an earlier one found, with a
 * combined sentence over five years: 封存实施办法 (2022)). */
gboolean
mn_unseal_record (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  return caselink_case_set_sealed (c, FALSE, error) && set_sealed_field (c, FALSE, error);
}
