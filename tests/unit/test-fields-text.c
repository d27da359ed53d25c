/* test-fields-text.c — the stored text of a case's fields is byte for byte
 * g_variant_print (fields, TRUE), whatever the values: the audit chains
 * hash it, so the faster printer may never differ from GLib's. */
#include <glib.h>
#include <string.h>

#include "fields-text.h"

static void
assert_same (GVariant *fields)
{
  g_autofree char *expected = g_variant_print (fields, TRUE);
  g_autofree char *got = cl_fields_to_text (fields);

  g_assert_cmpstr (got, ==, expected);
}

static GVariant *
dict1 (const char *key, GVariant *value)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", key, value);
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/* Strings that take each branch of GLib's quoting and escaping. */
static const char *const strings[] = {
  "", "plain", "青检刑不诉〔2026〕1号", "it's", "say \"hi\"", "both ' and \"", "back\\slash", "\\'\"",
  "tab\there", "new\nline", "bell\a", "del\x7f", "esc\x1b[0m", "nbsp\xc2\xa0x", "zero\xe2\x80\x8bwidth",
  "emoji \xf0\x9f\x98\x80", "private \xee\x80\x80", "bom \xef\xbb\xbf", "combining e\xcc\x81", "rtl \xe2\x80\x8f",
  "line sep \xe2\x80\xa8", "ideographic space \xe3\x80\x80", "~`!@#$%^&*()_+-={}[]|:;<>,.?/", "end\\",
};

static void
test_strings (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autoptr(GVariant) as_value = dict1 ("title", g_variant_new_string (strings[i]));
      g_autoptr(GVariant) as_key = NULL;

      assert_same (as_value);
      if (*strings[i] != '\0')
        {
          as_key = dict1 (strings[i], g_variant_new_string ("v"));
          assert_same (as_key);
        }
    }
}

static void
test_types (void)
{
  const char *strv[] = { "a", "b'c", NULL };
  GVariant *values[] = {
    g_variant_new_int64 (0),
    g_variant_new_int64 (G_MAXINT64),
    g_variant_new_int64 (G_MININT64),
    g_variant_new_int64 (-42),
    g_variant_new_boolean (TRUE),
    g_variant_new_boolean (FALSE),
    g_variant_new_double (1.0),
    g_variant_new_double (0.1),
    g_variant_new_double (-3.5e-300),
    g_variant_new_strv (strv, -1),
    g_variant_new_strv (NULL, 0),
    g_variant_new_int32 (7),
    g_variant_new_uint64 (7),
    g_variant_new_byte (7),
    g_variant_new_object_path ("/a/b"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GVariant) d = dict1 ("x", values[i]);
      assert_same (d);
    }
  {
    g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
    g_autofree char *null_text = cl_fields_to_text (NULL);

    assert_same (empty);
    g_assert_cmpstr (null_text, ==, "@a{sv} {}");
  }
}

/* Many dictionaries of random keys and values, built and parsed back (a
 * stored case's fields come from the parser, serialised). */
static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (20261127);

  for (int round = 0; round < 2000; round++)
    {
      GVariantBuilder b;
      int n = g_rand_int_range (rand, 1, 12);
      g_autoptr(GVariant) built = NULL, parsed = NULL;
      g_autofree char *text = NULL;

      g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%s_%d", strings[g_rand_int_range (rand, 1, 4)], i);
          GVariant *v;

          switch (g_rand_int_range (rand, 0, 5))
            {
            case 0:
              v = g_variant_new_int64 ((gint64) g_rand_int (rand) * (g_rand_boolean (rand) ? -1 : 1));
              break;
            case 1:
              v = g_variant_new_boolean (g_rand_boolean (rand));
              break;
            case 2:
              v = g_variant_new_double (g_rand_double_range (rand, -1e6, 1e6));
              break;
            default:
              v = g_variant_new_string (strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
              break;
            }
          g_variant_builder_add (&b, "{sv}", key, v);
        }
      built = g_variant_ref_sink (g_variant_builder_end (&b));
      assert_same (built);
      text = g_variant_print (built, TRUE);
      parsed = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL);
      g_assert_nonnull (parsed);
      assert_same (parsed);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fields-text/strings", test_strings);
  g_test_add_func ("/fields-text/types", test_types);
  g_test_add_func ("/fields-text/random", test_random);
  return g_test_run ();
}
