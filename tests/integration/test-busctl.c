/* test-busctl.c — the daemon as a generic D-Bus tool sees it: the README's
 * busctl lines work against it. Skipped when busctl is not installed. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-errors.h"
#include "harness.h"

/* Run busctl --address=<bus> @args...; returns its exit status. */
static int
busctl (ClHarness *h, char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;
  int status = 0;

  g_ptr_array_add (argv, g_find_program_in_path ("busctl"));
  g_ptr_array_add (argv, g_strdup_printf ("--address=%s", cl_harness_address (h)));
  g_ptr_array_add (argv, g_strdup ("--no-pager"));
  g_ptr_array_add (argv, g_strdup ("--timeout=10"));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("busctl %s -> %d\n%s%s", first, status, *out, err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_busctl (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autofree char *out = NULL, *want = NULL, *id = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpint (busctl (h, &out, "call", CL_DBUS_NAME, CL_MANAGER_PATH,
                           CL_MANAGER_IFACE, "CreateCase", "sa{sv}",
                           "reverse_connection", "1", "title", "s", "busctl 案件",
                           NULL), ==, 0);
  id = cl_test_case_id ("FX", 1);
  path = g_strdup_printf ("/org/caselink/case/FX_2d%d_2d000001",
                          cl_test_current_year ());
  want = g_strdup_printf ("so \"%s\" \"%s\"\n", id, path);
  g_assert_cmpstr (out, ==, want);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (busctl (h, &out, "get-property", CL_DBUS_NAME, path,
                           CL_CASE_IFACE, "State", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "s \"non_prosecuted\"\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (busctl (h, &out, "call", CL_DBUS_NAME, path, CL_CASE_IFACE,
                           "Advance", "sa{sv}s", "handoff", "1",
                           "np_decision_no", "s", "N-1", "", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "s \"registered\"\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (busctl (h, &out, "call", CL_DBUS_NAME, CL_MANAGER_PATH,
                           CL_MANAGER_IFACE, "GetCase", "s", "FX-1999-000999",
                           NULL), !=, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (busctl (h, &out, "introspect", CL_DBUS_NAME, CL_MANAGER_PATH,
                           NULL), ==, 0);
  g_assert_nonnull (strstr (out, ".CreateCase"));

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  g_autofree char *busctl_path = NULL;

  cl_test_init (&argc, &argv);
  busctl_path = g_find_program_in_path ("busctl");
  if (busctl_path == NULL)
    {
      g_printerr ("SKIP: busctl not installed\n");
      return 77;
    }
  g_test_add_func ("/busctl/readme-lines", test_busctl);
  return g_test_run ();
}
