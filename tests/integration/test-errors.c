/* test-errors.c — every refusal carries the documented error name, a
 * message naming what was wrong, and leaves nothing behind. */
#include <stdarg.h>
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

#define DBUS_INVALID_ARGS "org.freedesktop.DBus.Error.InvalidArgs"

/* Call and assert it fails with @name and a message containing every
 * string of the NULL-terminated list. */
static void
expect_error (DBusConnection *c, const char *path, const char *iface,
              const char *method, GVariant *args, const char *name, ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = cl_test_call (c, path, iface, method, args, &error);
  const char *part;
  va_list ap;

  if (reply != NULL)
    g_error ("%s.%s succeeded (%s), expected %s", iface, method,
             g_variant_print (reply, TRUE), name);
  g_test_message ("%s.%s -> %s", iface, method, error->message);
  va_start (ap, name);
  while ((part = va_arg (ap, const char *)) != NULL)
    if (strstr (error->message, part) == NULL)
      g_error ("error \"%s\" does not mention \"%s\"", error->message, part);
  va_end (ap);
  cl_assert_dbus_error (error, name);
}

static GVariant *
create_args (const char *workflow, GVariant *fields)
{
  return g_variant_new ("(s@a{sv})", workflow, fields);
}

static GVariant *
advance_args (const char *transition, GVariant *fields)
{
  return g_variant_new ("(s@a{sv}s)", transition,
                        fields != NULL ? fields : cl_test_fields (NULL, NULL), "");
}

static GVariant *
title (const char *t)
{
  return cl_test_fields ("title", g_variant_new_string (t), NULL);
}

/* A refused call must not have changed the case. */
static void
assert_case_unchanged (DBusConnection *c, const char *path, const char *state,
                       gsize n_history)
{
  g_autofree char *s = cl_test_case_state (c, path);
  g_autoptr(GVariant) history = cl_test_history (c, path);

  g_assert_cmpstr (s, ==, state);
  g_assert_cmpuint (g_variant_n_children (history), ==, n_history);
}

static guint64
case_count (DBusConnection *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = cl_test_get_property (c, CL_MANAGER_PATH,
                                                CL_MANAGER_IFACE, "CaseCount",
                                                &error);

  g_assert_no_error (error);
  return g_variant_get_uint64 (v);
}

static void
test_missing_field (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *state = NULL;
  g_autoptr(GError) error = NULL;

  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                create_args ("reverse_connection",
                             cl_test_fields ("domain", g_variant_new_string ("ecology"),
                                             NULL)),
                "org.caselink.Error.MissingField", "title", NULL);
  /* An empty string counts as missing. */
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                create_args ("reverse_connection", title ("")),
                "org.caselink.Error.MissingField", "title", NULL);
  g_assert_cmpuint (case_count (c), ==, 0);

  id = cl_test_create_case (c, "reverse_connection", title ("t"), &path);
  expect_error (c, path, CL_CASE_IFACE, "Advance", advance_args ("handoff", NULL),
                "org.caselink.Error.MissingField", "np_decision_no", NULL);
  assert_case_unchanged (c, path, "non_prosecuted", 1);

  /* Walk to reviewing, where issue_opinion requires two fields. */
  state = cl_test_advance (c, path, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string ("N-1"), NULL),
                           "", &error);
  g_assert_no_error (error);
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (c, path, "review", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "reviewing");

  expect_error (c, path, CL_CASE_IFACE, "Advance",
                advance_args ("issue_opinion", NULL),
                "org.caselink.Error.MissingField", "opinion_no",
                "competent_agency", NULL);
  /* `requires` is checked after the merge: the given one is not missing. */
  {
    g_autoptr(GVariant) reply = NULL;

    reply = cl_test_call (c, path, CL_CASE_IFACE, "Advance",
                          advance_args ("issue_opinion",
                                        cl_test_fields ("opinion_no",
                                                        g_variant_new_string ("O-1"),
                                                        NULL)),
                          &error);
    g_assert_null (reply);
    g_assert_nonnull (strstr (error->message, "competent_agency"));
    g_assert_null (strstr (error->message, "opinion_no"));
    cl_assert_dbus_error (error, "org.caselink.Error.MissingField");
  }
  assert_case_unchanged (c, path, "reviewing", 3);

  /* A required field can never be cleared. */
  expect_error (c, path, CL_CASE_IFACE, "Update",
                g_variant_new ("(@a{sv}s)", title (""), ""),
                "org.caselink.Error.MissingField", "title", NULL);
  assert_case_unchanged (c, path, "reviewing", 3);

  cl_harness_free (h);
}

static void
test_invalid_transition (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL;

  id = cl_test_create_case (c, "reverse_connection", title ("t"), &path);
  /* Exists, but does not leave non_prosecuted: the message names the state
   * and the transitions that do leave it. */
  expect_error (c, path, CL_CASE_IFACE, "Advance", advance_args ("review", NULL),
                "org.caselink.Error.InvalidTransition", "non_prosecuted",
                "handoff", NULL);
  expect_error (c, path, CL_CASE_IFACE, "Advance", advance_args ("fly", NULL),
                "org.caselink.Error.InvalidTransition", "non_prosecuted", NULL);
  /* The transition is checked before the fields are. */
  expect_error (c, path, CL_CASE_IFACE, "Advance",
                advance_args ("review",
                              cl_test_fields ("domain", g_variant_new_string ("space"),
                                              NULL)),
                "org.caselink.Error.InvalidTransition", NULL);
  assert_case_unchanged (c, path, "non_prosecuted", 1);

  cl_harness_free (h);
}

static void
test_not_found (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  /* A well-formed path of a case that does not exist. */
  const char *ghost = "/org/caselink/case/FX_2d1999_2d000999";

  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                g_variant_new ("(s)", "FX-1999-000999"),
                "org.caselink.Error.NotFound", NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                create_args ("no_such_workflow", title ("t")),
                "org.caselink.Error.NotFound", "no_such_workflow", NULL);
  expect_error (c, ghost, CL_CASE_IFACE, "History", NULL,
                "org.caselink.Error.NotFound", NULL);
  expect_error (c, ghost, CL_CASE_IFACE, "Advance", advance_args ("handoff", NULL),
                "org.caselink.Error.NotFound", NULL);
  expect_error (c, ghost, CL_CASE_IFACE, "Comment", g_variant_new ("(s)", "x"),
                "org.caselink.Error.NotFound", NULL);
  g_assert_cmpuint (case_count (c), ==, 0);

  cl_harness_free (h);
}

/* A call whose signature does not match the method. */
static void
test_wrong_signature (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL;

  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                g_variant_new ("(s)", "reverse_connection"), DBUS_INVALID_ARGS, NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                g_variant_new ("(ss)", "reverse_connection", "title"),
                DBUS_INVALID_ARGS, NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase", NULL,
                DBUS_INVALID_ARGS, NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                g_variant_new ("(u)", 1), DBUS_INVALID_ARGS, NULL);
  g_assert_cmpuint (case_count (c), ==, 0);

  id = cl_test_create_case (c, "reverse_connection", title ("t"), &path);
  expect_error (c, path, CL_CASE_IFACE, "Advance",
                g_variant_new ("(s)", "handoff"), DBUS_INVALID_ARGS, NULL);
  expect_error (c, path, CL_CASE_IFACE, "Comment",
                g_variant_new ("(ss)", "a", "b"), DBUS_INVALID_ARGS, NULL);
  assert_case_unchanged (c, path, "non_prosecuted", 1);

  cl_harness_free (h);
}

/* Bad field values: org.caselink.Error.InvalidArgs naming the field. */
static void
test_bad_field_values (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *long_title = NULL;
  const char *ia = "org.caselink.Error.InvalidArgs";
  struct { const char *field; GVariant *value; } bad[] = {
    { "count", g_variant_new_string ("abc") },
    { "count", g_variant_new_string ("12abc") },
    { "count", g_variant_new_string ("99999999999999999999") },
    { "count", g_variant_new_boolean (TRUE) },
    { "amount", g_variant_new_string ("lots") },
    { "urgent", g_variant_new_string ("maybe") },
    { "due", g_variant_new_string ("2026-13-45") },
    { "due", g_variant_new_string ("01/02/2026") },
    { "level", g_variant_new_string ("medium") },
    { "title", g_variant_new_string ("123456789012345678901") },
    { "tags", g_variant_new_strv ((const char *[]) { "a", "b", "c", "d" }, 4) },
    { "person", g_variant_new_string ("110105194912310021") },
    { "company", g_variant_new_string ("91350100M000100Y44") },
    { "colour", g_variant_new_string ("red") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GVariant *fields = g_strcmp0 (bad[i].field, "title") == 0
        ? cl_test_fields ("title", bad[i].value, NULL)
        : cl_test_fields ("title", g_variant_new_string ("t"),
                          bad[i].field, bad[i].value, NULL);

      g_test_message ("bad %s", bad[i].field);
      expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                    create_args ("all_types", fields), ia, bad[i].field, NULL);
    }

  /* The shipped workflow: enum value not in values, max characters. */
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                create_args ("reverse_connection",
                             cl_test_fields ("title", g_variant_new_string ("t"),
                                             "domain", g_variant_new_string ("space"),
                                             NULL)),
                ia, "domain", NULL);
  long_title = g_strnfill (201, 'x');
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                create_args ("reverse_connection", title (long_title)), ia,
                "title", NULL);
  g_assert_cmpuint (case_count (c), ==, 0);

  /* The same checks apply to Advance and Update. */
  id = cl_test_create_case (c, "reverse_connection", title ("t"), &path);
  expect_error (c, path, CL_CASE_IFACE, "Advance",
                advance_args ("handoff",
                              cl_test_fields ("np_decision_no", g_variant_new_string ("N"),
                                              "party_heard", g_variant_new_string ("perhaps"),
                                              NULL)),
                ia, "party_heard", NULL);
  expect_error (c, path, CL_CASE_IFACE, "Update",
                g_variant_new ("(@a{sv}s)",
                               cl_test_fields ("colour", g_variant_new_string ("red"),
                                               NULL), ""),
                ia, "colour", NULL);
  expect_error (c, path, CL_CASE_IFACE, "Comment", g_variant_new ("(s)", ""), ia,
                NULL);
  /* One field twice in a dictionary: refused, not the last one silently. */
  {
    GVariantBuilder b;

    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
    g_variant_builder_add (&b, "{sv}", "title", g_variant_new_string ("x"));
    g_variant_builder_add (&b, "{sv}", "title", g_variant_new_string ("y"));
    expect_error (c, path, CL_CASE_IFACE, "Update", g_variant_new ("(a{sv}s)", &b, ""), ia,
                  "field 'title' is given twice", NULL);
  }
  /* Control characters, as in text fields: refused but for newline, tab, CR. */
  expect_error (c, path, CL_CASE_IFACE, "Comment", g_variant_new ("(s)", "bell\a"), ia,
                "control character (U+0007 at byte 4)", NULL);
  expect_error (c, path, CL_CASE_IFACE, "Update",
                g_variant_new ("(@a{sv}s)", cl_test_fields ("title", g_variant_new_string ("t2"), NULL),
                               "esc\033[2J"), ia, "U+001B", NULL);
  assert_case_unchanged (c, path, "non_prosecuted", 1);
  {
    g_autoptr(GVariant) r = cl_test_call_ok (c, path, CL_CASE_IFACE, "Comment",
                                             g_variant_new ("(s)", "line one\r\n\tline two"));
  }

  cl_harness_free (h);
}

/* Bad filters and cursors of the manager's queries. */
static void
test_bad_queries (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  const char *ia = "org.caselink.Error.InvalidArgs";

  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                g_variant_new ("(@a{sv})",
                               cl_test_fields ("colour", g_variant_new_string ("red"),
                                               NULL)),
                ia, "colour", NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                g_variant_new ("(@a{sv})",
                               cl_test_fields ("after",
                                               g_variant_new_string ("FX-1999-000999"),
                                               NULL)),
                ia, NULL);
  expect_error (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                g_variant_new ("(@a{sv}s)", cl_test_fields (NULL, NULL), "colour"),
                ia, "colour", NULL);

  cl_harness_free (h);
}

static void
test_properties_errors (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL;
  const char *props = "org.freedesktop.DBus.Properties";

  id = cl_test_create_case (c, "reverse_connection", title ("t"), &path);
  expect_error (c, path, props, "Get", g_variant_new ("(ss)", CL_CASE_IFACE, "Colour"),
                "org.freedesktop.DBus.Error.UnknownProperty", NULL);
  expect_error (c, path, props, "Set",
                g_variant_new ("(ssv)", CL_CASE_IFACE, "State",
                               g_variant_new_string ("closed")),
                "org.freedesktop.DBus.Error.PropertyReadOnly", "change cases with Advance or Update", NULL);
  assert_case_unchanged (c, path, "non_prosecuted", 1);
  /* Elsewhere no hint about cases. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) r = cl_test_call (c, CL_MANAGER_PATH, props, "Set",
                                          g_variant_new ("(ssv)", CL_MANAGER_IFACE, "Version",
                                                         g_variant_new_string ("9")), &error);

    cl_test_assert_error (&error, "org.freedesktop.DBus.Error.PropertyReadOnly",
                          "org.caselink.Manager1.Version is read-only");
    g_assert_null (strstr (error != NULL ? error->message : "", "Advance"));
  }

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/errors/missing-field", test_missing_field);
  g_test_add_func ("/errors/invalid-transition", test_invalid_transition);
  g_test_add_func ("/errors/not-found", test_not_found);
  g_test_add_func ("/errors/wrong-signature", test_wrong_signature);
  g_test_add_func ("/errors/bad-field-values", test_bad_field_values);
  g_test_add_func ("/errors/bad-queries", test_bad_queries);
  g_test_add_func ("/errors/properties", test_properties_errors);
  return g_test_run ();
}
