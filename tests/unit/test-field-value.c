/* Field coercion: strings and native D-Bus types become the field's
 * canonical type, anything else is refused naming the field. */
#include "cl-errors.h"
#include "field-value.h"

#include <string.h>

static CLField *
field (CLFieldType type)
{
  static CLField f;
  static char *values[] = { "penalised", "not_penalised", NULL };

  f.name = "f";
  f.type = type;
  f.max = 0;
  f.values = type == CL_FIELD_ENUM ? values : NULL;
  return &f;
}

static void
accepts (CLFieldType type, GVariant *in, const char *expected_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (in);
  g_autoptr(GVariant) out = cl_field_coerce (field (type), owned, NULL, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = g_variant_print (out, TRUE);
  g_assert_cmpstr (text, ==, expected_text);
}

/* Refused with a message that says @why (NULL: anything). */
static void
refuses_because (CLFieldType type, GVariant *in, const char *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = g_variant_ref_sink (in);
  g_autoptr(GVariant) out = cl_field_coerce (field (type), owned, NULL, NULL, &error);

  g_assert_null (out);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS);
  g_assert_true (g_str_has_prefix (error->message, "field 'f'"));
  if (why != NULL && strstr (error->message, why) == NULL)
    g_error ("expected '%s' in: %s", why, error->message);
}

static void
refuses (CLFieldType type, GVariant *in)
{
  refuses_because (type, in, NULL);
}

static void
test_integer (void)
{
  accepts (CL_FIELD_INTEGER, g_variant_new_string ("42"), "int64 42");
  accepts (CL_FIELD_INTEGER, g_variant_new_string ("-7"), "int64 -7");
  accepts (CL_FIELD_INTEGER, g_variant_new_int32 (5), "int64 5");
  accepts (CL_FIELD_INTEGER, g_variant_new_byte (5), "int64 5");
  accepts (CL_FIELD_INTEGER, g_variant_new_uint64 (G_MAXINT64), "int64 9223372036854775807");
  refuses (CL_FIELD_INTEGER, g_variant_new_uint64 ((guint64) G_MAXINT64 + 1));
  refuses (CL_FIELD_INTEGER, g_variant_new_string ("abc"));
  refuses (CL_FIELD_INTEGER, g_variant_new_string ("4 2"));
  accepts (CL_FIELD_INTEGER, g_variant_new_string (""), "''");   /* clears the field */
  refuses_because (CL_FIELD_INTEGER, g_variant_new_string ("99999999999999999999"), "is out of range");
  refuses_because (CL_FIELD_INTEGER, g_variant_new_string ("9223372036854775808"), "is out of range");
  refuses_because (CL_FIELD_INTEGER, g_variant_new_string ("0x10"), "is not a whole number");
  refuses (CL_FIELD_INTEGER, g_variant_new_double (1.0));
  refuses (CL_FIELD_INTEGER, g_variant_new_boolean (TRUE));
}

static void
test_number (void)
{
  accepts (CL_FIELD_NUMBER, g_variant_new_string ("12.5"), "12.5");
  accepts (CL_FIELD_NUMBER, g_variant_new_int64 (3), "3.0");
  accepts (CL_FIELD_NUMBER, g_variant_new_double (0.25), "0.25");
  refuses (CL_FIELD_NUMBER, g_variant_new_string ("nan"));
  refuses (CL_FIELD_NUMBER, g_variant_new_string ("inf"));
  refuses_because (CL_FIELD_NUMBER, g_variant_new_string ("1e999"), "out of range");
  refuses_because (CL_FIELD_NUMBER, g_variant_new_string ("1e-400"), "out of range");
  refuses_because (CL_FIELD_NUMBER, g_variant_new_string ("0x10"), "is not a number");
  refuses_because (CL_FIELD_NUMBER, g_variant_new_string ("infinity"), "is not a number");
  accepts (CL_FIELD_NUMBER, g_variant_new_string ("-1.5e3"), "-1500.0");
  refuses (CL_FIELD_NUMBER, g_variant_new_string ("12,5"));
  refuses (CL_FIELD_NUMBER, g_variant_new_string (" 1"));
}

static void
test_boolean (void)
{
  accepts (CL_FIELD_BOOLEAN, g_variant_new_string ("yes"), "true");
  accepts (CL_FIELD_BOOLEAN, g_variant_new_string ("0"), "false");
  accepts (CL_FIELD_BOOLEAN, g_variant_new_string ("TRUE"), "true");
  accepts (CL_FIELD_BOOLEAN, g_variant_new_boolean (FALSE), "false");
  refuses (CL_FIELD_BOOLEAN, g_variant_new_string ("maybe"));
  refuses (CL_FIELD_BOOLEAN, g_variant_new_int32 (1));
}

static void
test_strings (void)
{
  CLField *f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) in = g_variant_ref_sink (g_variant_new_string ("一二三四五六"));
  g_autoptr(GVariant) out = NULL;

  accepts (CL_FIELD_STRING, g_variant_new_string ("O'Brien; DROP TABLE cases"), "\"O'Brien; DROP TABLE cases\"");
  refuses (CL_FIELD_STRING, g_variant_new_int32 (1));
  refuses (CL_FIELD_STRING, g_variant_new_string ("two\nlines"));
  accepts (CL_FIELD_TEXT, g_variant_new_string ("two\nlines"), "'two\\nlines'");
  refuses (CL_FIELD_TEXT, g_variant_new_string ("bell\a"));
  accepts (CL_FIELD_ENUM, g_variant_new_string ("penalised"), "'penalised'");
  accepts (CL_FIELD_ENUM, g_variant_new_string (""), "''");
  refuses (CL_FIELD_ENUM, g_variant_new_string ("fined"));
  accepts (CL_FIELD_DATE, g_variant_new_string ("2026-02-28"), "'2026-02-28'");
  refuses (CL_FIELD_DATE, g_variant_new_string ("2026-02-29"));
  refuses (CL_FIELD_DATE, g_variant_new_string ("2026-2-1"));
  accepts (CL_FIELD_PERSON_ID, g_variant_new_string ("11010519491231002X"), "'11010519491231002X'");
  refuses (CL_FIELD_PERSON_ID, g_variant_new_string ("110105194912310021"));
  refuses (CL_FIELD_PERSON_ID, g_variant_new_string ("11010519491331002X"));
  accepts (CL_FIELD_USCC, g_variant_new_string ("91350100M000100Y43"), "'91350100M000100Y43'");
  refuses (CL_FIELD_USCC, g_variant_new_string ("91350100M000100Y44"));
  refuses (CL_FIELD_USCC, g_variant_new_string ("91350100I000100Y43"));

  /* max counts characters, not bytes */
  f = field (CL_FIELD_STRING);
  f->max = 6;
  out = cl_field_coerce (f, in, NULL, NULL, &error);
  g_assert_no_error (error);
  f->max = 5;
  g_clear_pointer (&out, g_variant_unref);
  out = cl_field_coerce (f, in, NULL, NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS);
  f->max = 0;
}

static gboolean
only_psb (const char *id, gpointer data)
{
  return g_str_equal (id, "xn-psb");
}

static void
test_agency (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) good = g_variant_ref_sink (g_variant_new_string ("xn-psb"));
  g_autoptr(GVariant) bad = g_variant_ref_sink (g_variant_new_string ("nowhere"));
  g_autoptr(GVariant) out = cl_field_coerce (field (CL_FIELD_AGENCY), good, only_psb, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_null (cl_field_coerce (field (CL_FIELD_AGENCY), bad, only_psb, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS);
}

static void
test_list (void)
{
  const char *items[] = { "a", "b", NULL };
  GVariantBuilder b;

  accepts (CL_FIELD_LIST, g_variant_new_strv (items, -1), "['a', 'b']");
  accepts (CL_FIELD_LIST, g_variant_new_string ("one"), "['one']");
  accepts (CL_FIELD_LIST, g_variant_new_string (""), "@as []");
  refuses (CL_FIELD_LIST, g_variant_new_int32 (1));
  g_variant_builder_init (&b, G_VARIANT_TYPE ("as"));
  for (int i = 0; i <= CL_FIELD_MAX_ITEMS; i++)
    g_variant_builder_add (&b, "s", "x");
  refuses (CL_FIELD_LIST, g_variant_builder_end (&b));
}

static void
test_nested (void)
{
  refuses (CL_FIELD_STRING, g_variant_new_variant (g_variant_new_string ("x")));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/field/integer", test_integer);
  g_test_add_func ("/field/number", test_number);
  g_test_add_func ("/field/boolean", test_boolean);
  g_test_add_func ("/field/strings", test_strings);
  g_test_add_func ("/field/agency", test_agency);
  g_test_add_func ("/field/list", test_list);
  g_test_add_func ("/field/nested", test_nested);
  return g_test_run ();
}
