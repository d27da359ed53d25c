/* verbs-graph.c — workflow graph: Workflow1.Graph() as DOT, or drawn by
 * Graphviz' dot into an SVG or PNG file. */
#include "ctl.h"

#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-output.h"
#include "workflow.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
ctl_graph_output_format (const char *file, GError **error)
{
  static const char *const formats[] = { "dot", "svg", "png" };
  const char *dot = strrchr (file, '.');
  const char *slash = strrchr (file, '/');

  if (dot != NULL && (slash == NULL || dot > slash) && dot[1] != '\0')
    {
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        {
          if (g_ascii_strcasecmp (dot + 1, formats[i]) == 0)
            return formats[i];
        }
    }
  {
    g_autofree char *shown = g_filename_display_name (file);
    ctl_set_usage_error (error, "-o needs a file ending in .svg, .png or .dot, not “%s”",
                         shown);
  }
  return NULL;
}

/* Write all of @data to @fd, on through EINTR. FALSE with errno set. */
static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* dot -T@format -o @output, fed @dot_text on its stdin. Its own messages
 * go to our stderr, where the user sees why it failed. */
static gboolean
run_dot (const char *dot_path, const char *format, const char *output,
         const char *dot_text, GError **error)
{
  g_autofree char *type_arg = g_strdup_printf ("-T%s", format);
  g_autofree char *shown = g_filename_display_name (output);
  const char *argv[] = { dot_path, type_arg, "-o", output, NULL };
  g_autoptr(GError) spawn_error = NULL;
  struct sigaction ignore = { 0 }, old_pipe;
  GPid pid;
  int in_fd = -1;
  int status = 0;
  int write_errno = 0;
  gboolean written;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, &pid, &in_fd, NULL, NULL, &spawn_error))
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot run %s: %s", dot_path, spawn_error->message);
      return FALSE;
    }

  /* If dot dies early, the write must fail with EPIPE, not kill us. */
  ignore.sa_handler = SIG_IGN;
  sigemptyset (&ignore.sa_mask);
  sigaction (SIGPIPE, &ignore, &old_pipe);
  written = write_all (in_fd, dot_text, strlen (dot_text));
  if (!written)
    write_errno = errno;
  close (in_fd);
  sigaction (SIGPIPE, &old_pipe, NULL);

  while (waitpid (pid, &status, 0) < 0)
    {
      if (errno != EINTR)
        {
          ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                         "cannot wait for dot: %s", g_strerror (errno));
          g_spawn_close_pid (pid);
          return FALSE;
        }
    }
  g_spawn_close_pid (pid);

  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      if (WIFEXITED (status))
        ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                       "dot failed (exit status %d) writing %s",
                       WEXITSTATUS (status), shown);
      else
        ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                       "dot was killed by signal %d writing %s",
                       WIFSIGNALED (status) ? WTERMSIG (status) : 0, shown);
      return FALSE;
    }
  if (!written)
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "cannot send the graph to dot: %s", g_strerror (write_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_output (CtlContext *ctx, const char *dot_text, GError **error)
{
  const char *format = ctl_graph_output_format (ctx->output, error);
  g_autofree char *shown = g_filename_display_name (ctx->output);
  g_autofree char *dot_path = NULL;
  g_autoptr(GError) local_error = NULL;

  if (format == NULL)
    return FALSE;
  if (strcmp (format, "dot") == 0)
    {
      if (!g_file_set_contents (ctx->output, dot_text, -1, &local_error))
        {
          ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                         "cannot write %s: %s", shown, local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  dot_path = g_find_program_in_path ("dot");
  if (dot_path == NULL)
    {
      ctl_set_error (error, CTL_ERROR_FAILED, CTL_EXIT_FAILURE,
                     "graphviz is not installed: apt-get install graphviz "
                     "(or use -o FILE.dot)");
      return FALSE;
    }
  return run_dot (dot_path, format, ctx->output, dot_text, error);
}

gboolean
ctl_verb_workflow_graph (CtlContext *ctx, char **args, GError **error)
{
  const char *name = args[0];
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *dot_text = NULL;

  /* Workflow names are valid object path elements; anything else cannot
   * name a workflow (and must not reach libdbus as a path). */
  if (!cl_name_is_valid (name))
    {
      ctl_set_error (error, cl_error_to_dbus_name (CL_ERROR_NOT_FOUND),
                     CTL_EXIT_NOT_FOUND, "no workflow named “%s” (see caselinkctl "
                     "workflows)", name);
      return FALSE;
    }
  path = g_strdup_printf ("%s/%s", CL_WORKFLOW_PATH_PREFIX, name);
  reply = ctl_bus_call (ctx->conn, path, CL_WORKFLOW_IFACE, "Graph", NULL, "(s)", error);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(s)", &dot_text);
  if (!g_str_has_suffix (dot_text, "\n"))
    {
      char *ended = g_strconcat (dot_text, "\n", NULL);
      g_free (dot_text);
      dot_text = ended;
    }

  if (ctx->output == NULL)
    {
      if (ctx->json)
        ctl_print_json_strings ("workflow", name, "dot", dot_text, NULL);
      else
        fputs (dot_text, stdout);
      return TRUE;
    }
  if (!write_output (ctx, dot_text, error))
    return FALSE;
  if (ctx->json)
    {
      g_autofree char *shown = g_filename_display_name (ctx->output);
      ctl_print_json_strings ("workflow", name, "file", shown, NULL);
    }
  return TRUE;
}
