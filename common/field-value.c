/* field-value.c — strict coercion of field values. */
#include "field-value.h"
#include "cl-errors.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static gboolean
fail (GError **error, const CLField *f, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const CLField *f, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "field '%s' (%s): %s",
               f->name, cl_field_type_to_string (f->type), msg);
  return FALSE;
}

gboolean
cl_date_is_valid (const char *s)
{
  int y, m, d;

  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  return y >= 1 && m >= 1 && m <= 12 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

gboolean
cl_person_id_is_valid (const char *s)
{
  static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
  static const char checks[] = "10X98765432";
  char birth[11];
  int sum = 0;

  if (strlen (s) != 18)
    return FALSE;
  for (int i = 0; i < 17; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      sum += (s[i] - '0') * weights[i];
    }
  /* Characters 7–14 are the date of birth. */
  g_snprintf (birth, sizeof birth, "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
  if (!cl_date_is_valid (birth))
    return FALSE;
  return g_ascii_toupper (s[17]) == checks[sum % 11];
}

gboolean
cl_uscc_is_valid (const char *s)
{
  /* GB 32100-2015: digits and capitals without I, O, Z, S, V. */
  static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int weights[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
  int sum = 0, check;
  const char *p;

  if (strlen (s) != 18)
    return FALSE;
  for (int i = 0; i < 17; i++)
    {
      p = strchr (charset, s[i]);
      if (s[i] == '\0' || p == NULL)
        return FALSE;
      sum += (int) (p - charset) * weights[i];
    }
  check = 31 - sum % 31;
  if (check == 31)
    check = 0;
  return s[17] == charset[check];
}

const char *
cl_text_find_control (const char *s, gboolean multiline)
{
  for (const char *c = s; *c != '\0'; c++)
    if ((guchar) *c < 0x20 && !(multiline && (*c == '\n' || *c == '\t' || *c == '\r')))
      return c;
  return NULL;
}

static gboolean
check_text (const CLField *f, const char *s, gboolean multiline, GError **error)
{
  glong n = g_utf8_strlen (s, -1);
  gint64 max = f->max > 0 ? f->max : CL_FIELD_MAX_CHARS;
  const char *c;

  if (n > max)
    return fail (error, f, "%ld characters, at most %" G_GINT64_FORMAT " allowed", n, max);
  c = cl_text_find_control (s, multiline);
  if (c != NULL)
    return fail (error, f, "control character U+%04X not allowed%s", (guint) (guchar) *c,
                 multiline ? "" : " (use a text field for several lines)");
  return TRUE;
}

/* The rejected value as errors show it: never for personal data, which
 * would otherwise travel into replies and logs. */
static const char *
shown (const CLField *f, const char *s)
{
  return (f->pii || f->type == CL_FIELD_PERSON_ID) ? "(value withheld: personal data)" : s;
}

static GVariant *
coerce_string (const CLField *f, GVariant *v,
               gboolean (*agency_ok) (const char *, gpointer), gpointer agency_data, GError **error)
{
  const char *s;

  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    return fail (error, f, "expected a string, got D-Bus type '%s'", g_variant_get_type_string (v)), NULL;
  s = g_variant_get_string (v, NULL);
  if (!check_text (f, s, f->type == CL_FIELD_TEXT, error))
    return NULL;
  if (*s == '\0')
    return g_variant_ref_sink (g_variant_new_string (""));

  switch (f->type)
    {
    case CL_FIELD_ENUM:
      /* A definition with no values (refused at load) may still be asked. */
      if (f->values == NULL || !g_strv_contains ((const char *const *) f->values, s))
        {
          g_autofree char *allowed = f->values ? g_strjoinv (", ", f->values) : g_strdup ("(none defined)");
          return fail (error, f, "'%s' is not one of: %s", shown (f, s), allowed), NULL;
        }
      break;
    case CL_FIELD_DATE:
      if (!cl_date_is_valid (s))
        return fail (error, f, "'%s' is not a date in the form YYYY-MM-DD", shown (f, s)), NULL;
      break;
    case CL_FIELD_PERSON_ID:
      if (!cl_person_id_is_valid (s))
        return fail (error, f, "'%s' is not a valid resident identity number (GB 11643: 18 characters, check digit)", shown (f, s)), NULL;
      break;
    case CL_FIELD_USCC:
      if (!cl_uscc_is_valid (s))
        return fail (error, f, "'%s' is not a valid unified social credit code (GB 32100: 18 characters, check character)", s), NULL;
      break;
    case CL_FIELD_AGENCY:
      if (agency_ok != NULL && !agency_ok (s, agency_data))
        return fail (error, f, "unknown agency '%s'", s), NULL;
      break;
    default:
      break;
    }
  return g_variant_ref_sink (g_variant_new_string (s));
}

/* Any D-Bus integer type as a signed 64-bit value. */
static gboolean
integer_of (GVariant *v, gint64 *out, gboolean *overflow)
{
  *overflow = FALSE;
  switch (g_variant_classify (v))
    {
    case G_VARIANT_CLASS_BYTE: *out = g_variant_get_byte (v); return TRUE;
    case G_VARIANT_CLASS_INT16: *out = g_variant_get_int16 (v); return TRUE;
    case G_VARIANT_CLASS_UINT16: *out = g_variant_get_uint16 (v); return TRUE;
    case G_VARIANT_CLASS_INT32: *out = g_variant_get_int32 (v); return TRUE;
    case G_VARIANT_CLASS_UINT32: *out = g_variant_get_uint32 (v); return TRUE;
    case G_VARIANT_CLASS_INT64: *out = g_variant_get_int64 (v); return TRUE;
    case G_VARIANT_CLASS_UINT64:
      if (g_variant_get_uint64 (v) > (guint64) G_MAXINT64)
        return (*overflow = TRUE), FALSE;
      *out = (gint64) g_variant_get_uint64 (v);
      return TRUE;
    default:
      return FALSE;
    }
}

static GVariant *
coerce_integer (const CLField *f, GVariant *v, GError **error)
{
  gint64 n;
  gboolean overflow;

  if (integer_of (v, &n, &overflow))
    return g_variant_ref_sink (g_variant_new_int64 (n));
  if (overflow)
    return fail (error, f, "value out of range"), NULL;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      const char *s = g_variant_get_string (v, NULL);
      g_autoptr(GError) e = NULL;
      const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;

      if (*digits != '\0' && strspn (digits, "0123456789") == strlen (digits))
        {
          if (g_ascii_string_to_signed (s, 10, G_MININT64, G_MAXINT64, &n, &e))
            return g_variant_ref_sink (g_variant_new_int64 (n));
          return fail (error, f, "'%.64s' is out of range (a whole number from %" G_GINT64_FORMAT " to %"
                       G_GINT64_FORMAT ")", s, G_MININT64, G_MAXINT64), NULL;
        }
      return fail (error, f, "'%.64s' is not a whole number", s), NULL;
    }
  return fail (error, f, "expected an integer, got D-Bus type '%s'", g_variant_get_type_string (v)), NULL;
}

static GVariant *
coerce_number (const CLField *f, GVariant *v, GError **error)
{
  gint64 n;
  gboolean overflow;
  double d;

  if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    d = g_variant_get_double (v);
  else if (integer_of (v, &n, &overflow))
    d = (double) n;
  else if (overflow)
    d = (double) g_variant_get_uint64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      const char *s = g_variant_get_string (v, NULL);
      char *end = NULL;

      /* decimal only: strtod also takes hex (0x10), inf and nan */
      if (*s == '\0' || strspn (s, "0123456789+-.eE") != strlen (s))
        return fail (error, f, "'%.64s' is not a number", s), NULL;
      errno = 0;
      d = g_ascii_strtod (s, &end);
      if (end == NULL || *end != '\0')
        return fail (error, f, "'%.64s' is not a number", s), NULL;
      if (errno == ERANGE)
        return fail (error, f, "'%.64s' is out of range for a number", s), NULL;
    }
  else
    return fail (error, f, "expected a number, got D-Bus type '%s'", g_variant_get_type_string (v)), NULL;

  if (!isfinite (d))
    return fail (error, f, "the number must be finite"), NULL;
  return g_variant_ref_sink (g_variant_new_double (d));
}

static GVariant *
coerce_boolean (const CLField *f, GVariant *v, GError **error)
{
  static const char *const yes[] = { "true", "yes", "1", NULL };
  static const char *const no[] = { "false", "no", "0", NULL };

  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_ref_sink (g_variant_new_boolean (g_variant_get_boolean (v)));
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      g_autofree char *s = g_ascii_strdown (g_variant_get_string (v, NULL), -1);
      if (g_strv_contains (yes, s))
        return g_variant_ref_sink (g_variant_new_boolean (TRUE));
      if (g_strv_contains (no, s))
        return g_variant_ref_sink (g_variant_new_boolean (FALSE));
      return fail (error, f, "'%s' is not true/false/yes/no/1/0", g_variant_get_string (v, NULL)), NULL;
    }
  return fail (error, f, "expected a boolean, got D-Bus type '%s'", g_variant_get_type_string (v)), NULL;
}

static GVariant *
coerce_list (const CLField *f, GVariant *v, GError **error)
{
  gint64 max = f->max > 0 ? f->max : CL_FIELD_MAX_ITEMS;
  CLField elem = *f;

  elem.max = 0;
  elem.type = CL_FIELD_STRING;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    {
      const char *s = g_variant_get_string (v, NULL);
      if (!check_text (&elem, s, FALSE, error))
        return NULL;
      if (*s == '\0')
        return g_variant_ref_sink (g_variant_new_strv (NULL, 0));
      return g_variant_ref_sink (g_variant_new_strv (&s, 1));
    }
  if (!g_variant_is_of_type (v, G_VARIANT_TYPE_STRING_ARRAY))
    return fail (error, f, "expected a list of strings (as), got D-Bus type '%s'", g_variant_get_type_string (v)), NULL;
  if ((gint64) g_variant_n_children (v) > max)
    return fail (error, f, "%zu elements, at most %" G_GINT64_FORMAT " allowed", g_variant_n_children (v), max), NULL;
  for (gsize i = 0; i < g_variant_n_children (v); i++)
    {
      const char *s = NULL;
      g_variant_get_child (v, i, "&s", &s);
      if (!check_text (&elem, s, FALSE, error))
        return NULL;
    }
  /* g_variant_get_normal_form() returns a full reference. */
  return g_variant_get_normal_form (v);
}

GVariant *
cl_field_coerce (const CLField *field, GVariant *value,
                 gboolean (*agency_ok) (const char *id, gpointer data),
                 gpointer agency_data, GError **error)
{
  g_return_val_if_fail (value != NULL, NULL);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    return fail (error, field, "nested variants are not accepted"), NULL;
  /* "" clears a field of any type (required fields refuse it later). */
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) && *g_variant_get_string (value, NULL) == '\0'
      && field->type != CL_FIELD_LIST)
    return g_variant_ref_sink (g_variant_new_string (""));

  switch (field->type)
    {
    case CL_FIELD_INTEGER: return coerce_integer (field, value, error);
    case CL_FIELD_NUMBER: return coerce_number (field, value, error);
    case CL_FIELD_BOOLEAN: return coerce_boolean (field, value, error);
    case CL_FIELD_LIST: return coerce_list (field, value, error);
    default: return coerce_string (field, value, agency_ok, agency_data, error);
    }
}

gboolean
cl_field_value_is_empty (GVariant *value)
{
  if (value == NULL)
    return TRUE;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_get_string (value, NULL)[0] == '\0';
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY))
    return g_variant_n_children (value) == 0;
  return FALSE;
}
