/* fields-text.c — a case's fields in their stored text form, which is
 * exactly g_variant_print (fields, TRUE): the audit chains hash that text,
 * so not one byte may differ from what earlier versions stored.
 *
 * g_variant_print() was the dearest step of a change that sets fields (it
 * appends character by character, through a format-free but general
 * printer). The types fields take almost always (strings, int64, booleans)
 * and the empty dictionary are printed here directly; anything else
 * (doubles, lists, a string with a character that needs an escape) goes to
 * g_variant_print() whole. test-fields-text compares both over many values. */
#include "fields-text.h"

#include <string.h>

/* GLib's form of a string: single quotes unless it holds one, then double;
 * the chosen quote and backslashes escaped. FALSE for a character GLib
 * would write as an escape (not printable): the caller falls back. */
static gboolean
append_string (GString *out, const char *s)
{
  char quote = strchr (s, '\'') != NULL ? '"' : '\'';

  g_string_append_c (out, quote);
  while (*s != '\0')
    {
      guchar c = (guchar) *s;

      if (c < 0x80)
        {
          if (c < 0x20 || c == 0x7f)
            return FALSE;
          if (c == (guchar) quote || c == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
          s++;
        }
      else
        {
          const char *next = g_utf8_next_char (s);

          /* GVariant strings are valid UTF-8: its bytes are GLib's output */
          if (!g_unichar_isprint (g_utf8_get_char (s)))
            return FALSE;
          g_string_append_len (out, s, next - s);
          s = next;
        }
    }
  g_string_append_c (out, quote);
  return TRUE;
}

static gboolean
append_value (GString *out, GVariant *v)
{
  switch (g_variant_classify (v))
    {
    case G_VARIANT_CLASS_STRING:
      return append_string (out, g_variant_get_string (v, NULL));
    case G_VARIANT_CLASS_INT64:
      g_string_append_printf (out, "int64 %" G_GINT64_FORMAT, g_variant_get_int64 (v));
      return TRUE;
    case G_VARIANT_CLASS_BOOLEAN:
      g_string_append (out, g_variant_get_boolean (v) ? "true" : "false");
      return TRUE;
    default:
      return FALSE;
    }
}

static char *
print_fast (GVariant *fields)
{
  gsize n = g_variant_n_children (fields);
  GString *out = g_string_sized_new (64 * n);

  g_string_append_c (out, '{');
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (fields, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);

      if (i > 0)
        g_string_append (out, ", ");
      if (!append_string (out, g_variant_get_string (key, NULL)))
        goto fallback;
      g_string_append (out, ": <");
      if (!append_value (out, value))
        goto fallback;
      g_string_append_c (out, '>');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);

fallback:
  g_string_free (out, TRUE);
  return NULL;
}

char *
cl_fields_to_text (GVariant *fields)
{
  char *text;

  if (fields == NULL)
    return g_strdup ("@a{sv} {}");
  if (g_variant_is_of_type (fields, G_VARIANT_TYPE_VARDICT))
    {
      /* most history rows set no fields */
      if (g_variant_n_children (fields) == 0)
        return g_strdup ("@a{sv} {}");
      if ((text = print_fast (fields)) != NULL)
        return text;
    }
  return g_variant_print (fields, TRUE);
}
