/* ctl-run.c — caselinkctl run as a whole process (see the header). */
#include "ctl-run.h"

#include <stdarg.h>
#include <sys/wait.h>

void
cl_ctl_run_clear (ClCtlRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

gboolean
cl_ctl_available (void)
{
  const char *ctl_path = g_getenv ("CASELINKCTL");

  if (ctl_path == NULL || !g_file_test (ctl_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("SKIP: CASELINKCTL is not set to an executable caselinkctl\n");
      return FALSE;
    }
  return TRUE;
}

void
cl_ctl_argv (ClCtlRun *r, const char *cwd, char **envp, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  int status = 0;

  cl_ctl_run_clear (r);
  g_ptr_array_add (argv, (char *) g_getenv ("CASELINKCTL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (cwd, (char **) argv->pdata, envp, G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, &r->out, &r->err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  r->status = WEXITSTATUS (status);
  shown = g_strjoinv (" ", (char **) args);
  g_test_message ("caselinkctl %s -> %d\nstdout: %sstderr: %s", shown, r->status,
                  r->out, r->err);
}

void
cl_ctl_at (ClCtlRun *r, const char *address, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (char *) "--address");
  g_ptr_array_add (args, (char *) address);
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  cl_ctl_argv (r, NULL, NULL, (const char *const *) args->pdata);
}
