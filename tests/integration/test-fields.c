/* test-fields.c — field values are accepted as strings and as native D-Bus
 * types, and always read back in the field type's native D-Bus type. */
#include "cl-errors.h"
#include "harness.h"

/* The case's Fields property. */
static GVariant *
case_fields (DBusConnection *c, const char *path)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = cl_test_get_property (c, path, CL_CASE_IFACE, "Fields", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{sv}");
  return v;
}

static void
assert_strv (GVariant *fields, const char *key, const char *const *want)
{
  g_autoptr(GVariant) v = cl_test_dict_get (fields, key, "as");
  g_autofree const char **got = g_variant_get_strv (v, NULL);

  g_assert_cmpstrv (got, want);
}

static void
test_strings_coerced (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *s = NULL;
  g_autoptr(GVariant) f = NULL, v = NULL;

  id = cl_test_create_case (c, "all_types",
                            cl_test_fields ("title", g_variant_new_string ("strings"),
                                            "notes", g_variant_new_string ("多行\n文本"),
                                            "count", g_variant_new_string ("42"),
                                            "amount", g_variant_new_string ("12.5"),
                                            "urgent", g_variant_new_string ("yes"),
                                            "due", g_variant_new_string ("2026-03-01"),
                                            "level", g_variant_new_string ("high"),
                                            "tags", g_variant_new_string ("one"),
                                            "holder", g_variant_new_string ("xn-psb"),
                                            "person", g_variant_new_string ("11010519491231002X"),
                                            "company", g_variant_new_string ("91350100M000100Y43"),
                                            NULL), &path);
  g_assert_true (g_str_has_prefix (id, "AT-"));
  f = case_fields (c, path);

  g_assert_cmpint (cl_test_dict_int64 (f, "count"), ==, 42);
  v = cl_test_dict_get (f, "amount", "d");
  g_assert_cmpfloat (g_variant_get_double (v), ==, 12.5);
  g_clear_pointer (&v, g_variant_unref);
  v = cl_test_dict_get (f, "urgent", "b");
  g_assert_true (g_variant_get_boolean (v));
  g_clear_pointer (&v, g_variant_unref);
  s = cl_test_dict_string (f, "due");
  g_assert_cmpstr (s, ==, "2026-03-01");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (f, "level");
  g_assert_cmpstr (s, ==, "high");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (f, "notes");
  g_assert_cmpstr (s, ==, "多行\n文本");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (f, "holder");
  g_assert_cmpstr (s, ==, "xn-psb");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (f, "person");
  g_assert_cmpstr (s, ==, "11010519491231002X");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (f, "company");
  g_assert_cmpstr (s, ==, "91350100M000100Y43");
  g_clear_pointer (&s, g_free);
  /* A single string is a one-element list. */
  assert_strv (f, "tags", (const char *[]) { "one", NULL });

  cl_harness_free (h);
}

static void
test_native_types (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *path2 = NULL, *id2 = NULL;
  g_autoptr(GVariant) f = NULL, v = NULL;
  const char *tags[] = { "污染", "water", NULL };

  id = cl_test_create_case (c, "all_types",
                            cl_test_fields ("title", g_variant_new_string ("native"),
                                            "count", g_variant_new_int64 (-7),
                                            "amount", g_variant_new_double (3.25),
                                            "urgent", g_variant_new_boolean (FALSE),
                                            "tags", g_variant_new_strv (tags, -1),
                                            NULL), &path);
  f = case_fields (c, path);
  g_assert_cmpint (cl_test_dict_int64 (f, "count"), ==, -7);
  v = cl_test_dict_get (f, "amount", "d");
  g_assert_cmpfloat (g_variant_get_double (v), ==, 3.25);
  g_clear_pointer (&v, g_variant_unref);
  v = cl_test_dict_get (f, "urgent", "b");
  g_assert_false (g_variant_get_boolean (v));
  g_clear_pointer (&v, g_variant_unref);
  assert_strv (f, "tags", tags);
  g_clear_pointer (&f, g_variant_unref);

  /* Any integer type in range for integer and number. */
  id2 = cl_test_create_case (c, "all_types",
                             cl_test_fields ("title", g_variant_new_string ("ints"),
                                             "count", g_variant_new_uint32 (4000000000u),
                                             "amount", g_variant_new_int32 (5),
                                             NULL), &path2);
  f = case_fields (c, path2);
  g_assert_cmpint (cl_test_dict_int64 (f, "count"), ==, 4000000000);
  v = cl_test_dict_get (f, "amount", "d");
  g_assert_cmpfloat (g_variant_get_double (v), ==, 5.0);

  cl_harness_free (h);
}

/* Every spelling of a boolean, through Update, read back as b. */
static void
test_boolean_spellings (void)
{
  static const struct { const char *text; gboolean value; } spellings[] = {
    { "true", TRUE }, { "false", FALSE }, { "yes", TRUE }, { "no", FALSE },
    { "1", TRUE }, { "0", FALSE },
  };
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL;

  id = cl_test_create_case (c, "all_types",
                            cl_test_fields ("title", g_variant_new_string ("b"), NULL),
                            &path);
  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autoptr(GVariant) reply = NULL, f = NULL, v = NULL;

      reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Update",
                               g_variant_new ("(@a{sv}s)",
                                              cl_test_fields ("urgent",
                                                              g_variant_new_string (spellings[i].text),
                                                              NULL), ""));
      f = case_fields (c, path);
      v = cl_test_dict_get (f, "urgent", "b");
      g_assert_cmpint (g_variant_get_boolean (v), ==, spellings[i].value);
    }

  cl_harness_free (h);
}

/* "" clears a field of every type, integer, number and boolean included:
 * it is no longer in Fields (docs/dbus-api.md). */
static void
test_empty_clears (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *title = NULL;
  g_autoptr(GVariant) reply = NULL, f = NULL;
  const char *cleared[] = { "count", "amount", "urgent", "due", "tags" };

  id = cl_test_create_case (c, "all_types",
                            cl_test_fields ("title", g_variant_new_string ("to clear"),
                                            "count", g_variant_new_int64 (3),
                                            "amount", g_variant_new_double (1.5),
                                            "urgent", g_variant_new_boolean (TRUE),
                                            "due", g_variant_new_string ("2026-03-01"),
                                            "tags", g_variant_new_string ("one"),
                                            NULL), &path);
  reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Update",
                           g_variant_new ("(@a{sv}s)",
                                          cl_test_fields ("count", g_variant_new_string (""),
                                                          "amount", g_variant_new_string (""),
                                                          "urgent", g_variant_new_string (""),
                                                          "due", g_variant_new_string (""),
                                                          "tags", g_variant_new_string (""),
                                                          NULL), "cleared"));
  f = case_fields (c, path);
  for (guint i = 0; i < G_N_ELEMENTS (cleared); i++)
    {
      g_autoptr(GVariant) v = g_variant_lookup_value (f, cleared[i], NULL);
      g_assert_null (v);
    }
  title = cl_test_dict_string (f, "title");
  g_assert_cmpstr (title, ==, "to clear");

  cl_harness_free (h);
}

/* Transition fields and history entries carry native types too. */
static void
test_native_in_history (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *state = NULL, *s = NULL;
  g_autoptr(GVariant) history = NULL, e = NULL, f = NULL;
  g_autoptr(GError) error = NULL;

  id = cl_test_create_case (c, "all_types",
                            cl_test_fields ("title", g_variant_new_string ("h"), NULL),
                            &path);
  state = cl_test_advance (c, path, "finish",
                           cl_test_fields ("count", g_variant_new_string ("3"),
                                           "level", g_variant_new_string ("low"),
                                           NULL), "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "done");

  history = cl_test_history (c, path);
  g_assert_cmpuint (g_variant_n_children (history), ==, 2);
  e = g_variant_get_child_value (history, 1);
  f = cl_test_dict_get (e, "fields", "a{sv}");
  g_assert_cmpint (cl_test_dict_int64 (f, "count"), ==, 3);
  s = cl_test_dict_string (f, "level");
  g_assert_cmpstr (s, ==, "low");

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/fields/strings-coerced", test_strings_coerced);
  g_test_add_func ("/fields/native-types", test_native_types);
  g_test_add_func ("/fields/boolean-spellings", test_boolean_spellings);
  g_test_add_func ("/fields/native-in-history", test_native_in_history);
  g_test_add_func ("/fields/empty-clears", test_empty_clears);
  return g_test_run ();
}
