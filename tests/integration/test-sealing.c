/* test-sealing.c — sealed records (犯罪记录封存): once a plugin action seals a
 * case it disappears from lists, counts and lookups for everyone without
 * the sealing_query role; with it, the case is found but its content is
 * read only through Case1.QuerySealed(reason), which is recorded in the
 * case's history before the answer goes out. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

static guint
count_listed (ClHarness *h, DBusConnection *c)
{
  g_autoptr(GVariant) list = cl_test_list_cases (c, NULL);
  return (guint) g_variant_n_children (list);
}

static void
test_sealing (void)
{
  g_autofree char *wf = cl_test_srcdir_path ("tests/data/workflows-plugins");
  const char *dirs[] = { wf, NULL };
  const char *args[] = { "--plugins", g_getenv ("CASELINK_TEST_PLUGINS"), NULL };
  ClHarness *h = cl_harness_new_with_args (dirs, args);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *id = NULL, *path = NULL, *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) fields = NULL, record = NULL, hist = NULL, rec_fields = NULL, rec_hist = NULL, r = NULL;

  id = cl_test_create_case (c, "sealable",
                            cl_test_fields ("title", g_variant_new_string ("少年案件"),
                                            "person", g_variant_new_string ("张某"), NULL), &path);
  g_assert_cmpuint (count_listed (h, c), ==, 1);
  state = cl_test_advance (c, path, "seal", cl_test_fields (NULL, NULL), "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "sealed");

  /* root holds every role, sealing_query included: it finds the case, but
   * its fields and history are withheld. */
  {
    g_autoptr(GVariant) sealed = cl_test_get_property (c, path, CL_CASE_IFACE, "Sealed", &error);
    g_assert_no_error (error);
    g_assert_true (g_variant_get_boolean (sealed));
  }
  fields = cl_test_get_property (c, path, CL_CASE_IFACE, "Fields", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (fields), ==, 0);
  r = cl_test_call (c, path, CL_CASE_IFACE, "History", NULL, &error);
  g_assert_nonnull (strstr (error->message, "QuerySealed"));
  cl_assert_dbus_error (error, "org.caselink.Error.PermissionDenied");

  /* A reason is required, and the read is recorded. */
  g_clear_pointer (&r, g_variant_unref);
  r = cl_test_call (c, path, CL_CASE_IFACE, "QuerySealed", g_variant_new ("(s)", " "), &error);
  cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  record = cl_test_call_ok (c, path, CL_CASE_IFACE, "QuerySealed",
                            g_variant_new ("(s)", "入伍政审 (military enlistment check), 青检〔2026〕5号"));
  g_assert_cmpstr (g_variant_get_type_string (record), ==, "(a{sv})");
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (record, 0);
    const char *who = NULL;
    rec_fields = g_variant_lookup_value (dict, "fields", G_VARIANT_TYPE_VARDICT);
    rec_hist = g_variant_lookup_value (dict, "history", G_VARIANT_TYPE ("aa{sv}"));
    g_assert_true (g_variant_lookup (rec_fields, "person", "&s", &who));
    g_assert_cmpstr (who, ==, "张某");
  }
  {
    g_autoptr(GVariant) last = g_variant_get_child_value (rec_hist, g_variant_n_children (rec_hist) - 1);
    g_autofree char *action = cl_test_dict_string (last, "action");
    g_autofree char *comment = cl_test_dict_string (last, "comment");
    g_assert_cmpstr (action, ==, "sealed_query");
    g_assert_nonnull (strstr (comment, "military enlistment"));
  }

  /* Without sealing_query the record is gone: lists, counts, lookups. */
  if (getuid () == 0 && cl_test_have_program ("setpriv"))
    {
      g_autofree char *bus = g_strdup_printf ("--address=%s", cl_harness_address (h));
      const char *show[] = { "setpriv", "--reuid=2", "--regid=2", "--clear-groups", g_getenv ("CASELINKCTL"), bus,
                             "show", id, NULL };
      const char *list[] = { "setpriv", "--reuid=2", "--regid=2", "--clear-groups", g_getenv ("CASELINKCTL"), bus,
                             "list", NULL };
      g_autofree char *out = NULL;
      int status = 0;

      /* bin is proc_chief (sees: all) in tests/data/actors.yaml, without sealing_query */
      g_assert_true (g_spawn_sync (NULL, (char **) show, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
      g_assert_cmpint (WEXITSTATUS (status), ==, 3);
      g_assert_true (g_spawn_sync (NULL, (char **) list, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_assert_null (strstr (out, id));
    }
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/sealing/seal-and-query", test_sealing);
  return g_test_run ();
}
