/* wages.c — wage arrears (拒不支付劳动报酬罪, 刑法 art.276-1) in the
 * livelihood plugin.
 *
 * 最高人民法院《关于审理拒不支付劳动报酬刑事案件适用法律若干问题的解释》
 * (法释〔2013〕3号):
 *  - art.4: the offence needs an order to pay — a 限期整改指令书 (or another
 *    decision) of the human-resources/social-security department — and
 *    non-payment within the period it sets. So a case is not transferred to
 *    public security before that period has run out
 *    (livelihood.wage_order_expired).
 *  - art.3: "数额较大" is one worker owed three months' wages or more and
 *    ¥5,000–20,000 or more, or ten or more workers owed ¥30,000–100,000 or
 *    more in all; each province picks its figures within the ranges
 *    ([plugin.livelihood] wage_single_min, wage_group_min;
 *    livelihood.meets_threshold).
 *
 * The fields, all optional in the plugin's eyes (a workflow names what it
 * has): order_deadline (date), workers_owed (integer), arrears_total
 * (number, yuan), arrears_months (integer: months of wages owed to the
 * worker owed most), arrears_single_max (number: what that worker is owed).
 */
#include "livelihood.h"

#include <math.h>
#include <stdio.h>

/* Months of wages one worker must be owed (art.3 (1)): fixed by the
 * interpretation, not a provincial choice. */
#define WAGE_MONTHS_MIN 3
/* Workers for the group threshold (art.3 (2)). */
#define WAGE_WORKERS_MIN 10

static char *
yuan (double v)
{
  return v == floor (v) ? g_strdup_printf ("¥%.0f", v) : g_strdup_printf ("¥%.2f", v);
}

/* ---- the deployment's calendar day --------------------------------------------- */

/* The deployment's UTC offset in µs (local = UTC + offset), from the SDK's
 * local midnight of 1 January: the SDK gives no time zone, and the deadline
 * of an order is a local calendar day. Exact for zones without daylight
 * saving time (Asia/Shanghai). */
static gint64
local_offset_us (CaselinkCase *c)
{
  gint64 year_start = caselink_case_get_year_start (c);
  /* Local midnight is within ±14 hours of UTC midnight: +14 h lands in the
   * local year in UTC too. */
  g_autoptr(GDateTime) probe = g_date_time_new_from_unix_utc (year_start / G_USEC_PER_SEC + 14 * 3600);
  g_autoptr(GDateTime) naive = g_date_time_new_utc (g_date_time_get_year (probe), 1, 1, 0, 0, 0);

  return g_date_time_to_unix (naive) * G_USEC_PER_SEC - year_start;
}

/* "YYYY-MM-DD" as a GDate; FALSE if it is not one. */
static gboolean
parse_date (const char *s, GDate *out)
{
  guint y, m, d;
  char tail;

  if (s == NULL || sscanf (s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return TRUE;
}

/* ---- guards ---------------------------------------------------------------------- */

/* Guard: the period set by the rectification order (order_deadline, its
 * last day included) has run out by the daemon's clock in the deployment's
 * time zone: the case may go to public security from the next day on. */
gboolean
lh_wage_order_expired (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  g_autofree char *deadline = pl_field_string (c, "order_deadline");
  g_autoptr(GDateTime) local_now = NULL;
  GDate due, today;
  char first[16];

  if (deadline == NULL)
    {
      *reason = g_strdup ("no rectification order deadline is recorded (order_deadline): non-payment is "
                          "established only after the period a 限期整改指令书 sets has passed (2013 SPC "
                          "interpretation art.4)");
      return FALSE;
    }
  if (!parse_date (deadline, &due))
    {
      *reason = g_strdup_printf ("order_deadline '%s' is not a date (YYYY-MM-DD)", deadline);
      return FALSE;
    }
  local_now = g_date_time_new_from_unix_utc ((caselink_case_get_now (c) + local_offset_us (c)) / G_USEC_PER_SEC);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, (GDateDay) g_date_time_get_day_of_month (local_now),
                  (GDateMonth) g_date_time_get_month (local_now), (GDateYear) g_date_time_get_year (local_now));
  if (g_date_compare (&today, &due) > 0)
    return TRUE;
  g_date_add_days (&due, 1);
  g_date_strftime (first, sizeof first, "%Y-%m-%d", &due);
  *reason = g_strdup_printf ("the rectification order's deadline %s has not passed: non-payment is established only "
                             "after it (2013 SPC interpretation art.4); the case may be transferred from %s on",
                             deadline, first);
  return FALSE;
}

/* Guard: the arrears meet the criminal threshold (数额较大, art.3): one worker
 * owed ≥3 months' wages and ≥wage_single_min, or ≥10 workers owed
 * ≥wage_group_min in all. What one worker is owed is arrears_single_max,
 * or arrears_total when a single worker is owed. */
gboolean
lh_wage_meets_threshold (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  gint64 workers = 0, months = 0;
  double total = 0, single = 0;
  gboolean has_workers = pl_field_int (c, "workers_owed", &workers);
  gboolean has_total = pl_field_number (c, "arrears_total", &total);
  gboolean has_months = pl_field_int (c, "arrears_months", &months);
  gboolean has_single = pl_field_number (c, "arrears_single_max", &single);
  g_autofree char *single_min = yuan (lh_settings.wage_single_min);
  g_autofree char *group_min = yuan (lh_settings.wage_group_min);
  g_autofree char *total_text = NULL, *single_text = NULL, *workers_text = NULL, *months_text = NULL;

  if (!has_single && has_total && (!has_workers || workers <= 1))
    has_single = TRUE, single = total;
  if (has_single && has_months && months >= WAGE_MONTHS_MIN && single >= lh_settings.wage_single_min)
    return TRUE;
  if (has_workers && has_total && workers >= WAGE_WORKERS_MIN && total >= lh_settings.wage_group_min)
    return TRUE;

  total_text = has_total ? yuan (total) : g_strdup ("not recorded");
  single_text = has_single ? yuan (single) : g_strdup ("not recorded");
  workers_text = has_workers ? g_strdup_printf ("%" G_GINT64_FORMAT, workers) : g_strdup ("not recorded");
  months_text = has_months ? g_strdup_printf ("%" G_GINT64_FORMAT, months) : g_strdup ("not recorded");
  *reason = g_strdup_printf (
    "the arrears do not reach the criminal threshold (数额较大, 2013 SPC interpretation art.3): one worker owed "
    "%d months' wages or more and %s or more ([plugin.livelihood] wage_single_min), or %d workers or more owed %s "
    "or more in all (wage_group_min); this case: workers_owed %s, arrears_total %s, arrears_months %s, "
    "arrears_single_max %s",
    WAGE_MONTHS_MIN, single_min, WAGE_WORKERS_MIN, group_min, workers_text, total_text, months_text, single_text);
  return FALSE;
}

/* ---- validation -------------------------------------------------------------------- */

/* The figures are not negative and a worker is owed no more than all of
 * them together. */
gboolean
lh_wage_check_fields (CaselinkCase *c, GError **error)
{
  gint64 workers = 0, months = 0;
  double total = 0, single = 0;
  gboolean has_total = pl_field_number (c, "arrears_total", &total);
  gboolean has_single = pl_field_number (c, "arrears_single_max", &single);

  if (pl_field_int (c, "workers_owed", &workers) && workers < 1)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "workers_owed %" G_GINT64_FORMAT ": a wage-arrears case concerns at least one worker", workers);
      return FALSE;
    }
  if (pl_field_int (c, "arrears_months", &months) && (months < 0 || months > 1200))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "arrears_months %" G_GINT64_FORMAT ": expected the number of months of wages owed (0 to 1200)",
                   months);
      return FALSE;
    }
  if ((has_total && !(isfinite (total) && total >= 0)) || (has_single && !(isfinite (single) && single >= 0)))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "arrears_total and arrears_single_max are amounts in yuan and cannot be negative");
      return FALSE;
    }
  if (has_total && has_single && single > total)
    {
      g_autofree char *s = yuan (single), *t = yuan (total);
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "arrears_single_max %s is more than arrears_total %s: one worker cannot be owed more than all "
                   "of them together",
                   s, t);
      return FALSE;
    }
  return TRUE;
}
