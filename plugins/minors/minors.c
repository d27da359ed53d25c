/* minors.c — the minors plugin: cases of the "minors" domain (未成年人保护).
 *
 * Privacy by default (未成年人保护法 art.103: no disclosure of a minor's
 * name, image, address, school or anything identifying): every field a
 * workflow marks `pii: true` in a case of the minors domain is shown only to
 * callers holding the handler role ([plugin.minors] handler_role, default
 * minors_handler) — in Case1.Fields, History entries, QuerySealed answers
 * and (redacted for a reader with no roles) PropertiesChanged signals. A
 * title, which is never redacted (ListCases, Title), may not carry any of
 * those values. Records sealed under 犯罪记录封存 (sealing.c) vanish for
 * everyone without the sealing_query role.
 *
 * Hooks: redactor minors.hide_pii, validator minors.check_fields (every
 * minors case), actions minors.claim_domain, minors.seal_record and
 * minors.unseal_record. See README.md.
 */
#include "minors.h"

#include <string.h>

MnSettings mn_settings;

/* ---- redaction -------------------------------------------------------------------- */

/* Redactor: a pii field only for the handler role (root holds every role).
 * The view for no one in particular — the text of signals, which goes to
 * every subscriber allowed to see the case — shows nothing of a sealed
 * record but its title and domain (which the signal carries anyway): its
 * content is read only through QuerySealed. */
static gboolean
hide_pii (CaselinkCase *c, const char *field, gpointer user_data)
{
  const char *user = caselink_case_get_actor_user (c);

  if (caselink_case_is_sealed (c) && (user == NULL || *user == '\0') && !g_str_equal (field, "title")
      && !g_str_equal (field, "domain"))
    return FALSE;
  if (!caselink_case_field_is_pii (c, field))
    return TRUE;
  return caselink_case_actor_has_role (c, mn_settings.handler_role);
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

/* Does @title contain @value (at least two characters: a one-character
 * value would match by chance)? */
static gboolean
title_contains (const char *title, const char *value)
{
  return value != NULL && g_utf8_strlen (value, -1) >= 2 && strstr (title, value) != NULL;
}

/* The title (which no redactor hides: ListCases, Title, the text filter)
 * carries no value of a pii field; ID numbers in plain string fields are
 * valid (GB 11643); the minor's age is under 18. Messages name fields, never
 * their values: they may end up in a log. */
static gboolean
check_fields (CaselinkCase *c, gpointer user_data, GError **error)
{
  g_autoptr(GVariant) title_v = caselink_case_get_field (c, "title");
  g_autoptr(GVariant) fields = caselink_case_get_fields (c);
  const char *title = title_v != NULL && g_variant_is_of_type (title_v, G_VARIANT_TYPE_STRING)
                        ? g_variant_get_string (title_v, NULL)
                        : "";
  GVariantIter it;
  const char *name;
  GVariant *value;
  gint64 age;

  g_variant_iter_init (&it, fields);
  while (g_variant_iter_next (&it, "{&sv}", &name, &value))
    {
      g_autoptr(GVariant) v = value;
      gboolean leaked = FALSE;

      if (g_str_equal (name, "title") || !caselink_case_field_is_pii (c, name))
        continue;
      if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
        leaked = title_contains (title, g_variant_get_string (v, NULL));
      else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **items = g_variant_get_strv (v, NULL);
          for (guint i = 0; items[i] != NULL && !leaked; i++)
            leaked = title_contains (title, items[i]);
        }
      if (leaked)
        return refuse (error,
                       "the title contains the value of %s, which is personal data of a minor: titles are shown "
                       "to every caller and in every list, so name the case without it (未成年人保护法 art.103)",
                       name);
    }

  for (char **f = mn_settings.id_fields; f != NULL && *f != NULL; f++)
    {
      g_autoptr(GVariant) v = caselink_case_get_field (c, *f);
      if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING)
          && !caselink_person_id_is_valid (g_variant_get_string (v, NULL)))
        return refuse (error,
                       "%s is not a valid resident identity number (GB 11643: 18 characters, check digit)", *f);
    }

  if (pl_field_int (c, "minor_age", &age) && (age < 0 || age >= 18))
    return refuse (error, "minor_age %" G_GINT64_FORMAT ": a minor is under 18 (未成年人保护法 art.2)", age);
  return TRUE;
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
  return strlen (s) <= 64;
}

static void
clear_settings (void)
{
  g_clear_pointer (&mn_settings.id_fields, g_strfreev);
}

static gboolean
parse_settings (CaselinkPlugin *plugin, GError **error)
{
  const char *const *keys = caselink_plugin_get_settings_keys (plugin);
  const char *ids = caselink_plugin_get_setting (plugin, "id_fields");

  clear_settings ();
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_str_equal (keys[i], "handler_role") && !g_str_equal (keys[i], "id_fields")
        && !g_str_equal (keys[i], "sealed_field"))
      {
        g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                     "[plugin.minors] unknown key '%s' (known: handler_role, id_fields, sealed_field)", keys[i]);
        return FALSE;
      }

  mn_settings.handler_role = caselink_plugin_get_setting (plugin, "handler_role");
  if (mn_settings.handler_role == NULL)
    mn_settings.handler_role = "minors_handler";
  mn_settings.sealed_field = caselink_plugin_get_setting (plugin, "sealed_field");
  if (mn_settings.sealed_field == NULL)
    mn_settings.sealed_field = "sealed";
  if (!is_name (mn_settings.handler_role) || !is_name (mn_settings.sealed_field))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "[plugin.minors] handler_role and sealed_field are names: a lowercase letter, then lowercase "
                   "letters, digits and _");
      return FALSE;
    }

  mn_settings.id_fields = g_strsplit (ids != NULL ? ids : "minor_id_number,subject_id_number", ",", -1);
  for (char **f = mn_settings.id_fields; *f != NULL; f++)
    {
      g_strstrip (*f);
      if (!is_name (*f))
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                       "[plugin.minors] id_fields=%s: expected field names separated by commas", ids);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
minors_init (CaselinkPlugin *plugin, GError **error)
{
  if (!parse_settings (plugin, error))
    {
      clear_settings ();
      return FALSE;
    }
  return caselink_plugin_serve_domain (plugin, "minors")
         && caselink_plugin_add_redactor (plugin, "minors.hide_pii", hide_pii, NULL)
         && caselink_plugin_add_validator (plugin, "minors.check_fields", check_fields, NULL)
         && caselink_plugin_add_action (plugin, "minors.claim_domain", mn_claim_domain, NULL)
         && caselink_plugin_add_action (plugin, "minors.seal_record", mn_seal_record, NULL)
         && caselink_plugin_add_action (plugin, "minors.unseal_record", mn_unseal_record, NULL);
}

static void
minors_exit (CaselinkPlugin *plugin)
{
  clear_settings ();
}

CASELINK_PLUGIN_DEFINE ("minors", "1.0",
                        "Minors' cases (未成年人保护): personal data hidden by default, sealed criminal records",
                        CASELINK_PLUGIN_PRIORITY_DEFAULT, minors_init, minors_exit)
