/* livelihood.c — the livelihood plugin: cases of the "livelihood" domain (民生).
 *
 * procedures.md §5, Livelihoods: a livelihood case belongs to one sub-area
 * (agriculture, food and drug, social-security funds, labour rights,
 * vulnerable groups) and may be tagged with the vulnerable groups it
 * concerns (disabled, elderly, women, migrant workers, minors, …). Tags
 * raise the case's integer `priority` field — which ListCases filters on
 * (`priority`: at least N) — by weights from [plugin.livelihood]. Wage
 * arrears (拒不支付劳动报酬罪) are transferred to public security only after
 * the rectification order's deadline has passed and when the arrears meet
 * the criminal threshold the province chose (wages.c).
 *
 * Hooks: validator livelihood.check_fields (every livelihood case), action
 * livelihood.set_priority, guards livelihood.wage_order_expired and
 * livelihood.meets_threshold. See README.md.
 */
#include "livelihood.h"

#include <math.h>
#include <string.h>

LhSettings lh_settings;

const char *const lh_sub_areas[] = {
  "agriculture", "food_drug", "social_security_funds", "labour_rights", "vulnerable_groups", NULL,
};

/* Default weights of the vulnerable groups (procedures.md §5: disabled,
 * elderly, women, migrant workers; minors added). [M]: a deployment sets
 * its own with weight.NAME=N, and adds groups the same way. */
static const struct {
  const char *tag;
  int weight;
} default_weights[] = {
  { "disabled", 2 }, { "elderly", 2 }, { "women", 1 }, { "migrant_workers", 2 }, { "minors", 2 },
};

#define MAX_WEIGHT 1000

/* ---- field readers ---------------------------------------------------------- */

char **
lh_field_tags (CaselinkCase *c, const char *name)
{
  g_autoptr(GVariant) v = caselink_case_get_field (c, name);

  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
    return g_variant_dup_strv (v, NULL);
  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) && *g_variant_get_string (v, NULL) != '\0')
    {
      char **one = g_new0 (char *, 2);
      one[0] = g_variant_dup_string (v, NULL);
      return one;
    }
  return g_new0 (char *, 1);
}

/* ---- priority ------------------------------------------------------------------- */

/* base.SUB_AREA (0 unless configured) plus the weight of every distinct
 * vulnerable group tagged. Unknown groups count nothing (the validator
 * refuses them). */
gint64
lh_priority_floor (CaselinkCase *c)
{
  g_autofree char *area = pl_field_string (c, "sub_area");
  g_auto(GStrv) tags = lh_field_tags (c, "vulnerable_groups");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gpointer w;
  gint64 floor = 0;

  if (area != NULL && g_hash_table_lookup_extended (lh_settings.area_base, area, NULL, &w))
    floor += GPOINTER_TO_INT (w);
  for (char **t = tags; *t != NULL; t++)
    if (g_hash_table_add (seen, *t) && g_hash_table_lookup_extended (lh_settings.tag_weights, *t, NULL, &w))
      floor += GPOINTER_TO_INT (w);
  return floor;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (a, b);
}

static char *
known_tags (void)
{
  GList *keys = g_list_sort (g_hash_table_get_keys (lh_settings.tag_weights), compare_names);
  GString *s = g_string_new (NULL);

  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (s, "%s%s", l != keys ? ", " : "", (const char *) l->data);
  g_list_free (keys);
  return g_string_free (s, FALSE);
}

/* Action: priority := the floor its tags call for, unless it is already
 * higher (a supervisor may raise it by hand; the plugin never lowers it).
 * Named at creation (top-level actions:) and on transitions. */
static gboolean
set_priority (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  gint64 floor = lh_priority_floor (c);
  gint64 current = 0;

  if (pl_field_int (c, "priority", &current) && current >= floor)
    return TRUE;
  return caselink_case_set_field (c, "priority", g_variant_new_int64 (floor), error);
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

/* The sub-area is one of the five; the vulnerable groups are known ones,
 * and a case of the vulnerable_groups sub-area names at least one; the
 * priority is not below what the tags call for; codes given in plain string
 * fields are valid USCCs; then the wage-arrears figures (wages.c). Fields a
 * workflow does not have are simply unset: nothing to check. */
static gboolean
check_fields (CaselinkCase *c, gpointer user_data, GError **error)
{
  g_autofree char *area = pl_field_string (c, "sub_area");
  g_auto(GStrv) tags = lh_field_tags (c, "vulnerable_groups");
  gint64 priority;

  if (area != NULL && !g_strv_contains (lh_sub_areas, area))
    {
      g_autofree char *all = g_strjoinv (", ", (char **) lh_sub_areas);
      return refuse (error, "sub_area '%s' is not a livelihood sub-area (one of: %s)", area, all);
    }
  for (char **t = tags; *t != NULL; t++)
    if (!g_hash_table_contains (lh_settings.tag_weights, *t))
      {
        g_autofree char *known = known_tags ();
        return refuse (error,
                       "vulnerable_groups: '%s' is not a known vulnerable group (known: %s; "
                       "[plugin.livelihood] weight.NAME=N adds one)",
                       *t, known);
      }
  if (g_strcmp0 (area, "vulnerable_groups") == 0 && tags[0] == NULL)
    return refuse (error, "sub_area is vulnerable_groups: name the group(s) concerned in vulnerable_groups");
  if (pl_field_int (c, "priority", &priority))
    {
      gint64 floor = lh_priority_floor (c);
      if (priority < floor)
        return refuse (error,
                       "priority %" G_GINT64_FORMAT " is below %" G_GINT64_FORMAT
                       ", what the case's sub_area and vulnerable_groups call for: give priority=%" G_GINT64_FORMAT
                       " (or more) with the change",
                       priority, floor, floor);
    }
  for (char **f = lh_settings.uscc_fields; f != NULL && *f != NULL; f++)
    {
      g_autofree char *code = pl_field_string (c, *f);
      if (code != NULL && !caselink_uscc_is_valid (code))
        return refuse (error, "%s '%s' is not a valid unified social credit code (GB 32100: 18 characters, check character)",
                       *f, code);
    }
  return lh_wage_check_fields (c, error);
}

/* ---- settings and init ------------------------------------------------------------ */

static gboolean
is_name (const char *s)
{
  if (s == NULL || !g_ascii_islower (*s))
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* An amount in yuan within [lo, hi]; @fallback when unset. */
static gboolean
parse_amount (CaselinkPlugin *plugin, const char *key, double fallback, double lo, double hi, const char *basis,
              double *out, GError **error)
{
  const char *text = caselink_plugin_get_setting (plugin, key);
  char *end = NULL;
  double v;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v) || v < lo || v > hi)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "[plugin.livelihood] %s=%s: expected an amount in yuan from %.0f to %.0f (%s)", key, text, lo, hi,
                   basis);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_weight (const char *key, const char *text, int *out, GError **error)
{
  char *end = NULL;
  gint64 v = g_ascii_strtoll (text, &end, 10);

  if (end == text || *end != '\0' || v < 0 || v > MAX_WEIGHT)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "[plugin.livelihood] %s=%s: expected a whole number from 0 to %d", key, text, MAX_WEIGHT);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

static void
clear_settings (void)
{
  g_clear_pointer (&lh_settings.tag_weights, g_hash_table_unref);
  g_clear_pointer (&lh_settings.area_base, g_hash_table_unref);
  g_clear_pointer (&lh_settings.uscc_fields, g_strfreev);
}

static gboolean
parse_settings (CaselinkPlugin *plugin, GError **error)
{
  const char *const *keys = caselink_plugin_get_settings_keys (plugin);
  const char *uscc = caselink_plugin_get_setting (plugin, "uscc_fields");

  clear_settings ();
  lh_settings.tag_weights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lh_settings.area_base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (default_weights); i++)
    g_hash_table_insert (lh_settings.tag_weights, g_strdup (default_weights[i].tag),
                         GINT_TO_POINTER (default_weights[i].weight));

  /* 2013 SPC interpretation on 拒不支付劳动报酬 art.3: the province picks
   * its figures within these ranges. */
  if (!parse_amount (plugin, "wage_single_min", 5000, 5000, 20000,
                     "one worker: ¥5,000–20,000, 2013 SPC interpretation art.3 (1)", &lh_settings.wage_single_min,
                     error)
      || !parse_amount (plugin, "wage_group_min", 30000, 30000, 100000,
                        "ten or more workers: ¥30,000–100,000, 2013 SPC interpretation art.3 (2)",
                        &lh_settings.wage_group_min, error))
    return FALSE;

  lh_settings.uscc_fields = g_strsplit (uscc != NULL ? uscc : "employer_uscc", ",", -1);
  for (char **f = lh_settings.uscc_fields; *f != NULL; f++)
    {
      g_strstrip (*f);
      if (!is_name (*f))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.livelihood] uscc_fields=%s: expected field names separated by commas", uscc);
          return FALSE;
        }
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = caselink_plugin_get_setting (plugin, keys[i]);
      GHashTable *table = NULL;
      const char *name = NULL;
      int weight;

      if (g_str_has_prefix (keys[i], "weight."))
        table = lh_settings.tag_weights, name = keys[i] + strlen ("weight.");
      else if (g_str_has_prefix (keys[i], "base."))
        table = lh_settings.area_base, name = keys[i] + strlen ("base.");
      else if (g_str_equal (keys[i], "wage_single_min") || g_str_equal (keys[i], "wage_group_min")
               || g_str_equal (keys[i], "uscc_fields"))
        continue;
      else
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.livelihood] unknown key '%s' (known: wage_single_min, wage_group_min, "
                       "weight.GROUP, base.SUB_AREA, uscc_fields)",
                       keys[i]);
          return FALSE;
        }
      if (!is_name (name))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.livelihood] %s: expected %s followed by a name such as %s", keys[i],
                       table == lh_settings.tag_weights ? "weight." : "base.",
                       table == lh_settings.tag_weights ? "elderly" : "food_drug");
          return FALSE;
        }
      if (table == lh_settings.area_base && !g_strv_contains (lh_sub_areas, name))
        {
          g_autofree char *all = g_strjoinv (", ", (char **) lh_sub_areas);
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.livelihood] %s: '%s' is not a sub-area (one of: %s)", keys[i], name, all);
          return FALSE;
        }
      if (!parse_weight (keys[i], value, &weight, error))
        return FALSE;
      g_hash_table_replace (table, g_strdup (name), GINT_TO_POINTER (weight));
    }
  return TRUE;
}

static gboolean
livelihood_init (CaselinkPlugin *plugin, GError **error)
{
  if (!parse_settings (plugin, error))
    {
      clear_settings ();
      return FALSE;
    }
  return caselink_plugin_serve_domain (plugin, "livelihood")
         && caselink_plugin_add_validator (plugin, "livelihood.check_fields", check_fields, NULL)
         && caselink_plugin_add_action (plugin, "livelihood.set_priority", set_priority, NULL)
         && caselink_plugin_add_guard (plugin, "livelihood.wage_order_expired", lh_wage_order_expired, NULL)
         && caselink_plugin_add_guard (plugin, "livelihood.meets_threshold", lh_wage_meets_threshold, NULL);
}

static void
livelihood_exit (CaselinkPlugin *plugin)
{
  clear_settings ();
}

CASELINK_PLUGIN_DEFINE ("livelihood", "1.0",
                        "Livelihood cases (民生): sub-areas, vulnerable-group priority, wage-arrears transfer rules",
                        CASELINK_PLUGIN_PRIORITY_DEFAULT, livelihood_init, livelihood_exit)
