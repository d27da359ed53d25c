/* test-startup.c — how caselinkd starts: broken workflow files are left out
 * with a file:line:column message, and a second daemon on the same bus
 * gives up with exit status 1, before it touches any database. */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "harness.h"

static GStrv
workflow_names (DBusConnection *c)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                               "ListWorkflows", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) wf = g_variant_get_child_value (list, i);

      g_ptr_array_add (names, cl_test_dict_string (wf, "name"));
    }
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
assert_log_matches (const char *log, const char *pattern)
{
  if (!g_regex_match_simple (pattern, log, G_REGEX_MULTILINE, 0))
    g_error ("daemon log does not match /%s/:\n%s", pattern, log);
}

static void
test_bad_workflow_left_out (void)
{
  g_autofree char *bad = cl_test_srcdir_path ("tests/data/workflows-bad");
  const char *dirs[] = { bad, NULL };
  ClHarness *h = cl_harness_new (dirs);
  DBusConnection *c = cl_harness_connection (h);
  g_auto(GStrv) names = workflow_names (c);
  g_autofree char *log = NULL, *path = NULL, *id = NULL;

  /* Of the three files only the good one loads. */
  g_assert_true (g_strv_contains ((const char *const *) names, "good_one"));
  g_assert_cmpuint (g_strv_length (names), ==, 1);

  /* The good ones work. */
  id = cl_test_create_case (c, "good_one",
                            cl_test_fields ("title", g_variant_new_string ("ok"), NULL),
                            &path);
  g_assert_true (g_str_has_prefix (id, "GO-"));

  log = cl_harness_read_log (h);
  /* `colour:` sits on line 6 of the file. */
  assert_log_matches (log, "bad_unknown_key\\.yaml:6:[0-9]+:.*colour");
  assert_log_matches (log, "broken_syntax\\.yaml:[0-9]+:[0-9]+:");

  cl_harness_free (h);
}

static void
test_name_taken (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *db = g_build_filename (cl_harness_tmpdir (h), "second.db", NULL);
  g_autofree char *log_path = g_build_filename (cl_harness_tmpdir (h), "second.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *shipped = cl_test_srcdir_path ("workflows");
  const char *dirs[] = { shipped, NULL };
  g_autoptr(GVariant) reply = NULL;
  GPid pid;
  int status;

  pid = cl_harness_spawn_daemon (h, db, dirs, log_path);
  status = cl_test_wait_pid (pid, CL_TEST_START_TIMEOUT_MS);
  if (status == -1)
    {
      kill (pid, SIGKILL);
      cl_test_wait_pid (pid, CL_TEST_START_TIMEOUT_MS);
      g_error ("a second caselinkd on a taken name did not exit");
    }
  g_file_get_contents (log_path, &log, NULL, NULL);
  g_test_message ("second caselinkd said: %s", log);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (log);
  g_assert_nonnull (strstr (log, CL_DBUS_NAME));
  /* It gave up before opening (here: creating) any database. */
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));

  /* The first one is undisturbed. */
  reply = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH,
                           CL_MANAGER_IFACE, "ListWorkflows", NULL);
  cl_harness_free (h);
}

/* The movable test clock never reaches the system bus: refused with
 * --system (the default) and with the system bus socket's address. */
static void
test_test_clock_refused (void)
{
  const char *daemon = g_getenv ("CASELINKD");
  const char *with_system[] = { daemon, "--system", "--test-clock", NULL };
  const char *by_default[] = { daemon, "--test-clock", NULL };
  const char *by_address[] = { daemon, "--address", "unix:path=/run/dbus/system_bus_socket", "--test-clock", NULL };
  const char *const *cases[] = { with_system, by_default, by_address };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      int status = 0;
      g_assert_true (g_spawn_sync (NULL, (char **) cases[i], NULL, 0, NULL, NULL, NULL, &err, &status, NULL));
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_nonnull (strstr (err, "refused on the system bus"));
    }
}

/* [daemon] timezone must name a zone or an offset: a path (GLib would read
 * any file as a zone file) stops the daemon with a clear message. */
static void
test_bad_timezone (void)
{
  const char *daemon = g_getenv ("CASELINKD");
  g_autofree char *dir = g_dir_make_tmp ("caselink-tz-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "caselink.conf", NULL);
  g_autofree char *db = g_build_filename (dir, "db", NULL);
  const char *names[] = { "/etc/passwd", "../../etc/passwd", ":/etc/passwd", "Asia/../../etc/passwd" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *text = g_strdup_printf ("[daemon]\ntimezone=%s\n", names[i]);
      const char *argv[] = { daemon, "--address", "unix:path=/nonexistent/bus", "--db", db, "--config", conf, NULL };
      g_autofree char *err = NULL;
      int status = 0;

      g_assert_true (g_file_set_contents (conf, text, -1, NULL));
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, NULL));
      g_test_message ("timezone=%s: %s", names[i], err);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 1);
      g_assert_nonnull (strstr (err, "not a time zone name"));
      g_assert_null (strstr (err, "CRITICAL"));
    }
  /* Binary junk is not an empty configuration. */
  {
    const char *argv[] = { daemon, "--address", "unix:path=/nonexistent/bus", "--db", db, "--config", conf, NULL };
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_true (g_file_set_contents (conf, "\0\1\2garbage", 10, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err, &status, NULL));
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_nonnull (strstr (err, "not a text file"));
  }
  g_unlink (conf);
  g_rmdir (dir);
}

/* The test clock stays where dates exist: at or past 9000-01-01 it is
 * refused, just before it works, and the daemon keeps running. */
static void
test_test_clock_bounds (void)
{
  const char *args[] = { "--test-clock", NULL };
  ClHarness *h = cl_harness_new_with_args (NULL, args);
  DBusConnection *c = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = cl_test_call (c, CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                                        g_variant_new ("(x)", G_GINT64_CONSTANT (253402300799999999)), &error);

  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "before 9000-01-01");
  g_clear_pointer (&r, g_variant_unref);
  r = cl_test_call_ok (c, CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                       g_variant_new ("(x)", G_GINT64_CONSTANT (221845391999999999)));
  g_clear_pointer (&r, g_variant_unref);
  g_free (cl_test_create_case (c, "reverse_connection",
                               cl_test_fields ("title", g_variant_new_string ("far future"), NULL), NULL));
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/startup/bad-workflow-left-out", test_bad_workflow_left_out);
  g_test_add_func ("/startup/name-taken", test_name_taken);
  g_test_add_func ("/startup/test-clock-refused", test_test_clock_refused);
  g_test_add_func ("/startup/bad-timezone", test_bad_timezone);
  g_test_add_func ("/startup/test-clock-bounds", test_test_clock_bounds);
  return g_test_run ();
}
