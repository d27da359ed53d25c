/* restoration.c — the ecology plugin's restoration rules.
 *
 * - guard ecology.restoration_verified: no closing while the restoration
 *   is pending verification (修复待验收);
 * - action ecology.record_leniency: restoration done (verified) is a
 *   sentencing factor for the linked criminal case under 认罪认罚从宽
 *   (刑事诉讼法 art.15): recorded on this case and, keyed by the criminal
 *   case's id, in the plugin's store;
 * - action ecology.import_leniency: on the criminal case, copies what was
 *   recorded for it into its own plea_leniency_factor.
 *
 * The SDK lets an action write only the case it runs on, so the factor
 * reaches the criminal case through the key-value store: the criminal
 * case's workflow names ecology.import_leniency (see README.md).
 */
#include "ecology.h"

#include <string.h>

#define KV_PREFIX "leniency/"

gboolean
eco_restoration_verified (CaselinkCase *c, const char *transition, gpointer user_data, char **reason)
{
  g_autofree char *status = pl_field_string (c, "restoration_status");

  if (g_strcmp0 (status, "pending_verification") != 0)
    return TRUE;
  *reason = g_strdup ("the restoration is pending verification (修复待验收): record the verification "
                      "(restoration_status verified, with its verification_report) or send it back for more work "
                      "(in_progress) before closing the case");
  return FALSE;
}

static gboolean
restoration_done (CaselinkCase *c)
{
  g_autofree char *status = pl_field_string (c, "restoration_status");

  return g_strcmp0 (status, "verified") == 0 || pl_field_bool (c, "restoration_done") == 1;
}

static void
add_unique (GPtrArray *ids, const char *id)
{
  if (*id == '\0')
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (ids->pdata[i], id))
      return;
  g_ptr_array_add (ids, g_strdup (id));
}

/* The criminal cases this case is about: the ids in criminal_case_id (one
 * or more, separated by commas, semicolons or spaces; a caselink case id or
 * another system's number) and the cases linked under one of the
 * [plugin.ecology] criminal_relations. */
static GPtrArray *
criminal_cases (CaselinkCase *c)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *field = pl_field_string (c, "criminal_case_id");
  g_autoptr(GVariant) links = caselink_case_get_links (c);
  GVariantIter iter;
  const char *relation, *other;

  if (field != NULL)
    {
      g_auto(GStrv) parts = g_regex_split_simple ("[,;，；、\\s]+", field, 0, 0);
      for (guint i = 0; parts[i] != NULL; i++)
        add_unique (ids, parts[i]);
    }
  g_variant_iter_init (&iter, links);
  while (g_variant_iter_next (&iter, "(&s&s)", &relation, &other))
    if (g_strv_contains ((const char *const *) eco_settings.criminal_relations, relation))
      add_unique (ids, other);
  return ids;
}

static char *
factor_text (CaselinkCase *c, GPtrArray *criminal)
{
  g_autoptr(GVariant) measures = caselink_case_get_field (c, "restoration_measures");
  g_autofree char *report = pl_field_string (c, "verification_report");
  g_autofree char *targets = NULL;
  GString *s = g_string_new ("生态修复已完成并经验收");
  double amount;

  if (measures != NULL && g_variant_is_of_type (measures, G_VARIANT_TYPE_STRING_ARRAY)
      && g_variant_n_children (measures) > 0)
    {
      g_autofree const char **list = g_variant_get_strv (measures, NULL);
      g_autofree char *joined = g_strjoinv ("、", (char **) list);
      g_string_append_printf (s, "（修复措施：%s）", joined);
    }
  if (report != NULL)
    g_string_append_printf (s, "，修复效果评估报告%s", report);
  if (pl_field_number (c, "damage_amount", &amount))
    g_string_append_printf (s, "，生态环境损害数额%.2f元", amount);
  g_ptr_array_add (criminal, NULL);
  targets = g_strjoinv ("、", (char **) criminal->pdata);
  g_ptr_array_remove_index (criminal, criminal->len - 1);
  g_string_append_printf (s, "；依刑事诉讼法第十五条作为认罪认罚从宽情节，供%s量刑时考虑（%s）", targets,
                          caselink_case_get_id (c));
  return g_string_free (s, FALSE);
}

/* Set @name if the workflow has such a field; a workflow without it is fine. */
static gboolean
set_if_present (CaselinkCase *c, const char *name, GVariant *value, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (caselink_case_set_field (c, name, value, &local))
    return TRUE;
  if (g_error_matches (local, CASELINK_ERROR, CASELINK_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* Store (this case, factor, now) under leniency/CRIMINAL_ID, replacing an
 * earlier entry of this case. */
static gboolean
store_factor (CaselinkCase *c, const char *criminal_id, const char *factor, GError **error)
{
  g_autofree char *key = g_strconcat (KV_PREFIX, criminal_id, NULL);
  g_autoptr(GVariant) old = caselink_kv_get (c, key);
  const char *self_id = caselink_case_get_id (c);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ssx)"));
  if (old != NULL && g_variant_is_of_type (old, G_VARIANT_TYPE ("a(ssx)")))
    {
      GVariantIter iter;
      const char *eco_id, *text;
      gint64 when;

      g_variant_iter_init (&iter, old);
      while (g_variant_iter_next (&iter, "(&s&sx)", &eco_id, &text, &when))
        if (!g_str_equal (eco_id, self_id))
          g_variant_builder_add (&b, "(ssx)", eco_id, text, when);
    }
  g_variant_builder_add (&b, "(ssx)", self_id, factor, caselink_case_get_now (c));
  return caselink_kv_set (c, key, g_variant_builder_end (&b), error);
}

gboolean
eco_record_leniency (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  g_autoptr(GPtrArray) criminal = NULL;
  g_autofree char *factor = NULL;

  if (!restoration_done (c))
    return TRUE;
  criminal = criminal_cases (c);
  if (criminal->len == 0)
    return TRUE;
  factor = factor_text (c, criminal);
  if (!set_if_present (c, "plea_leniency_factor", g_variant_new_string (factor), error)
      || !set_if_present (c, "plea_leniency_considered", g_variant_new_boolean (TRUE), error))
    return FALSE;
  for (guint i = 0; i < criminal->len; i++)
    if (!store_factor (c, criminal->pdata[i], factor, error))
      return FALSE;
  return TRUE;
}

static gboolean
linked_to (GVariant *links, const char *id)
{
  GVariantIter iter;
  const char *relation, *other;

  g_variant_iter_init (&iter, links);
  while (g_variant_iter_next (&iter, "(&s&s)", &relation, &other))
    if (g_str_equal (other, id))
      return TRUE;
  return FALSE;
}

/* On the criminal case: what ecology.record_leniency stored for it becomes
 * its plea_leniency_factor (one line per ecological case), and the cases it
 * came from are linked (relation restoration) unless they already are. */
gboolean
eco_import_leniency (CaselinkCase *c, const char *transition, gpointer user_data, GError **error)
{
  g_autofree char *key = g_strconcat (KV_PREFIX, caselink_case_get_id (c), NULL);
  g_autoptr(GVariant) entries = caselink_kv_get (c, key);
  g_autoptr(GVariant) links = caselink_case_get_links (c);
  g_autoptr(GString) text = g_string_new (NULL);
  GVariantIter iter;
  const char *eco_id, *factor;
  gint64 when;

  if (entries == NULL || !g_variant_is_of_type (entries, G_VARIANT_TYPE ("a(ssx)")))
    return TRUE;
  g_variant_iter_init (&iter, entries);
  while (g_variant_iter_next (&iter, "(&s&sx)", &eco_id, &factor, &when))
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, factor);
      if (!linked_to (links, eco_id) && !caselink_case_link (c, eco_id, "restoration", error))
        return FALSE;
    }
  if (text->len == 0)
    return TRUE;
  return caselink_case_set_field (c, "plea_leniency_factor", g_variant_new_string (text->str), error)
         && set_if_present (c, "plea_leniency_considered", g_variant_new_boolean (TRUE), error);
}
