/* transfer.c — guard business.ip_reasonable_suspicion: when an enterprise
 * case may go to the public security bureau.
 *
 * 行政执法机关移送涉嫌犯罪案件的规定 (Decree 310, rev. 2020) art.3 ¶1: a case
 * is transferred when the facts show a suspected crime — here, when the
 * amount involved reaches the prosecution threshold ([plugin.business]
 * threshold.CASE_TYPE, or transfer_threshold). Art.3 ¶2 lowers the bar for
 * intellectual-property cases ("双打": infringement, counterfeit and shoddy
 * goods): the agency transfers on a reasonable suspicion of a crime (合理
 * 嫌疑) when the PSB's measures are needed to establish whether the
 * threshold is reached. So an IP/counterfeit case (case_type in
 * ip_case_types, or ip_case true as in forward_transfer) goes with
 * reasonable_suspicion true and its basis stated, whatever the amount; any
 * other case needs the amount.
 */
#include "business.h"

static gboolean
is_ip_case (CaselinkCase *c, const char *type)
{
  return (type != NULL && g_strv_contains ((const char *const *) biz_settings.ip_case_types, type))
         || pl_field_bool (c, "ip_case") == 1;
}

static double
threshold_for (CaselinkCase *c, const char *type)
{
  g_autofree char *key = type != NULL ? g_strconcat ("threshold.", type, NULL) : NULL;
  double threshold = biz_settings.transfer_threshold;

  /* Checked at init: a malformed value never gets here. */
  if (key != NULL)
    biz_setting_number (caselink_case_get_plugin (c), key, threshold, &threshold, NULL);
  return threshold;
}

gboolean
biz_ip_reasonable_suspicion (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  g_autofree char *type = pl_field_string (c, "case_type");
  g_autofree char *basis = pl_field_string (c, "suspicion_basis");
  gboolean ip = is_ip_case (c, type);
  gboolean suspicion = pl_field_bool (c, "reasonable_suspicion") == 1;
  double threshold = threshold_for (c, type);
  g_autofree char *amount_text = NULL;
  gboolean has_amount;
  double amount = 0;

  if (basis == NULL)
    basis = pl_field_string (c, "facts");
  if (ip && suspicion)
    {
      if (basis != NULL)
        return TRUE;
      *reason = g_strdup ("a transfer on reasonable suspicion (合理嫌疑, Decree 310 art.3 ¶2) states what the "
                          "suspicion rests on: set suspicion_basis (or facts)");
      return FALSE;
    }
  has_amount = pl_field_number (c, "amount", &amount);
  if (has_amount && amount >= threshold)
    return TRUE;
  amount_text = has_amount ? g_strdup_printf ("%.2f", amount) : g_strdup ("not set");
  if (ip)
    *reason = g_strdup_printf ("the amount involved (%s) is below the threshold of %.2f; an IP-infringement or "
                               "counterfeit case (双打) may still be transferred on a reasonable suspicion of a crime "
                               "(Decree 310 art.3 ¶2): set reasonable_suspicion true and its suspicion_basis",
                               amount_text, threshold);
  else if (suspicion)
    *reason = g_strdup_printf ("reasonable suspicion lowers the bar only for IP-infringement and counterfeit cases "
                               "(Decree 310 art.3 ¶2); a %s case is transferred when the amount involved (%s) reaches "
                               "%.2f",
                               type != NULL ? type : "case without case_type", amount_text, threshold);
  else
    *reason = g_strdup_printf ("the amount involved (%s) is below the threshold of %.2f for transferring a %s case "
                               "to the public security bureau ([plugin.business] %s%s%s)",
                               amount_text, threshold, type != NULL ? type : "case without case_type",
                               type != NULL ? "threshold." : "", type != NULL ? type : "",
                               type != NULL ? " or transfer_threshold" : "transfer_threshold");
  return FALSE;
}
