/* test-versions.c — every loaded workflow version is kept in the database:
 * running cases stay on the version they started with, even when its file
 * is gone; new cases get the newest; a changed file under the same version
 * is refused (Reload) or left out with the stored definition serving
 * (start-up); comments and formatting do not count as changes. */
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

#define BASE \
  "workflow: versioned\n" \
  "version: %d\n" \
  "title: Versioned %s\n" \
  "id_prefix: VV\n" \
  "fields:\n" \
  "  title: {type: string, required: true}\n" \
  "states:\n" \
  "  open: {initial: true}\n" \
  "  done: {final: true}\n" \
  "transitions:\n" \
  "  finish: {from: open, to: done, by: [clerk]}\n"

static void
write_version (const char *path, int version, const char *label, const char *extra_comment)
{
  g_autofree char *text = g_strdup_printf (BASE, version, label);
  g_autofree char *full = g_strconcat (extra_comment ? extra_comment : "", text, NULL);
  g_assert_true (g_file_set_contents (path, full, -1, NULL));
}

static guint32
workflow_version_of (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) v = cl_test_get_property (cl_harness_connection (h), path, CL_CASE_IFACE, "WorkflowVersion", NULL);
  return g_variant_get_uint32 (v);
}

static guint32
served_version (ClHarness *h)
{
  g_autoptr(GVariant) v = cl_test_get_property (cl_harness_connection (h), "/org/caselink/workflow/versioned",
                                                "org.caselink.Workflow1", "Version", NULL);
  return g_variant_get_uint32 (v);
}

static GError *
reload (ClHarness *h)
{
  GError *error = NULL;
  g_autoptr(GVariant) r = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL,
                                        &error);
  return error;
}

static void
test_versions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("caselink-ver-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "versioned.yaml", NULL);
  g_autofree char *id1 = NULL, *path1 = NULL, *id2 = NULL, *path2 = NULL, *state = NULL, *log = NULL, *cmd = NULL;
  const char *dirs[] = { dir, NULL };
  GError *error = NULL;
  ClHarness *h;

  write_version (file, 1, "one", NULL);
  h = cl_harness_new (dirs);
  id1 = cl_test_create_case (cl_harness_connection (h), "versioned",
                             cl_test_fields ("title", g_variant_new_string ("first"), NULL), &path1);
  g_assert_cmpuint (workflow_version_of (h, path1), ==, 1);

  /* Comments and formatting are not changes. */
  write_version (file, 1, "one", "# a comment\n\n");
  error = reload (h);
  g_assert_no_error (error);

  /* The same version with a different definition is refused. */
  write_version (file, 1, "changed", NULL);
  error = reload (h);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "differs from the definition stored"));
  g_assert_nonnull (strstr (error->message, "raise version to 2"));
  cl_assert_dbus_error (error, "org.caselink.Error.Failed");
  g_assert_cmpuint (served_version (h), ==, 1);

  /* A new version: new cases get it, the running case keeps version 1. */
  write_version (file, 2, "two", NULL);
  error = reload (h);
  g_assert_no_error (error);
  g_assert_cmpuint (served_version (h), ==, 2);
  id2 = cl_test_create_case (cl_harness_connection (h), "versioned",
                             cl_test_fields ("title", g_variant_new_string ("second"), NULL), &path2);
  g_assert_cmpuint (workflow_version_of (h, path2), ==, 2);
  g_assert_cmpuint (workflow_version_of (h, path1), ==, 1);

  /* At start-up a changed file under a stored version is left out and the
   * stored definition keeps serving. */
  cl_harness_stop_daemon (h);
  write_version (file, 2, "changed again", NULL);
  cl_harness_start_daemon (h);
  g_assert_cmpuint (served_version (h), ==, 2);
  log = cl_harness_read_log (h);
  g_assert_nonnull (strstr (log, "versioned.yaml:1:1: workflow versioned version 2 differs"));

  /* Even with its file gone, running cases go on with their version. */
  cl_harness_stop_daemon (h);
  g_assert_cmpint (g_unlink (file), ==, 0);
  cl_harness_start_daemon (h);
  state = cl_test_advance (cl_harness_connection (h), path1, "finish", cl_test_fields (NULL, NULL), "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "done");
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (cl_harness_connection (h), path2, "finish", cl_test_fields (NULL, NULL), "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "done");
  /* ... but nobody can start a new case of a workflow no file defines. */
  {
    g_autoptr(GVariant) r = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                          g_variant_new ("(s@a{sv})", "versioned",
                                                         cl_test_fields ("title", g_variant_new_string ("x"), NULL)),
                                          &error);
    cl_assert_dbus_error (error, "org.caselink.Error.NotFound");
  }
  cl_harness_free (h);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_sighup_reload (void)
{
  g_autofree char *dir = g_dir_make_tmp ("caselink-hup-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "versioned.yaml", NULL);
  g_autofree char *cmd = NULL;
  const char *dirs[] = { dir, NULL };
  ClHarness *h;

  write_version (file, 1, "one", NULL);
  h = cl_harness_new (dirs);
  write_version (file, 3, "three", NULL);
  kill (cl_harness_daemon_pid (h), SIGHUP);
  for (int i = 0; i < 500 && served_version (h) != 3; i++)
    g_usleep (10000);
  g_assert_cmpuint (served_version (h), ==, 3);
  cl_harness_free (h);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* A broken actors file and a broken workflow: one refused Reload names
 * both, the actors file first, and the old set still serves. */
static void
test_reload_lists_all (void)
{
  g_autofree char *dir = g_dir_make_tmp ("caselink-ver-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "versioned.yaml", NULL);
  g_autofree char *actors = NULL, *good_actors = NULL;
  const char *dirs[] = { dir, NULL };
  const char *at_actors, *at_workflow;
  GError *error = NULL;
  ClHarness *h;

  write_version (file, 1, "one", NULL);
  h = cl_harness_new (dirs);
  actors = g_build_filename (cl_harness_tmpdir (h), "actors.yaml", NULL);
  g_assert_true (g_file_get_contents (actors, &good_actors, NULL, NULL));
  g_assert_true (g_file_set_contents (actors, "agencies: [\n", -1, NULL));
  g_assert_true (g_file_set_contents (file, "workflow: versioned\nversion: x\n", -1, NULL));
  error = reload (h);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  at_actors = strstr (error->message, "actors.yaml:");
  at_workflow = strstr (error->message, "versioned.yaml:");
  g_assert_nonnull (at_actors);
  g_assert_nonnull (at_workflow);
  g_assert_true (at_actors < at_workflow);
  g_clear_error (&error);
  g_assert_cmpuint (served_version (h), ==, 1);

  /* A small file whose alias repeats a bad mapping: the answer lists the
   * first errors and counts the rest (it once outgrew the bus's message
   * limit, and the bus dropped caselinkd). */
  g_assert_true (g_file_set_contents (actors, good_actors, -1, NULL));
  {
    g_autoptr(GString) amp = g_string_new ("workflow: versioned\nversion: 1\nid_prefix: VR\nfields:\n  f0: &bad {");

    for (int i = 0; i < 1000; i++)
      g_string_append_printf (amp, "%sk%d: 1", i > 0 ? ", " : "", i);
    g_string_append (amp, "}\n");
    for (int i = 1; i < 2000; i++)
      g_string_append_printf (amp, "  f%d: *bad\n", i);
    g_assert_true (g_file_set_contents (file, amp->str, -1, NULL));
  }
  error = reload (h);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "more errors, not listed"));
  g_assert_cmpuint (strlen (error->message), <, 64 * 1024);
  g_clear_error (&error);
  g_assert_cmpuint (served_version (h), ==, 1);

  /* A user "number" no uid can have is an error, not a user name. */
  write_version (file, 1, "one", NULL);
  {
    g_autofree char *text = g_strconcat (good_actors,
                                         "  - {user: '99999999999999999999', agency: qh-proc, roles: [proc_chief]}\n",
                                         NULL);
    g_assert_true (g_file_set_contents (actors, text, -1, NULL));
    error = reload (h);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "user 99999999999999999999 is out of range"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (actors, good_actors, -1, NULL));
  }

  error = reload (h);
  g_assert_no_error (error);
  cl_harness_free (h);
  g_unlink (file);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/versions/kept-and-refused", test_versions);
  g_test_add_func ("/versions/sighup", test_sighup_reload);
  g_test_add_func ("/versions/reload-lists-all", test_reload_lists_all);
  return g_test_run ();
}
