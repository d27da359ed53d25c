/* ctl-as.c — caselinkctl run as another uid (setpriv) in the workflow tests
 * that check who may take each step. */
#include <json-glib/json-glib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "ctl-as.h"

gboolean
ctl_as_prerequisites (void)
{
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");

  if (getuid () != 0)
    {
      g_test_skip ("needs root to run clients under other uids");
      return FALSE;
    }
  if (setpriv == NULL)
    {
      g_test_skip ("setpriv is not installed");
      return FALSE;
    }
  return TRUE;
}

/* caselinkctl --address A --json @args as @uid; the exit status, and
 * stdout in @out when non-NULL. */
int
ctl_argv (ClHarness *h, const char *uid, char **out, GPtrArray *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *so = NULL, *se = NULL;
  int status = 0;

  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%s", uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%s", uid));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("CASELINKCTL")));
  g_ptr_array_add (argv, g_strdup ("--address"));
  g_ptr_array_add (argv, g_strdup (cl_harness_address (h)));
  g_ptr_array_add (argv, g_strdup ("--json"));
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_strdup (g_ptr_array_index (args, i)));
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &so, &se, &status, &error);
  g_assert_no_error (error);
  g_test_message ("caselinkctl as uid %s -> %d\n%s%s", uid, status, so, se);
  if (out != NULL)
    *out = g_steal_pointer (&so);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

/* The same with the arguments given as a NULL-terminated list. */
int
ctl_as (ClHarness *h, const char *uid, char **out, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *a;
  va_list ap;

  va_start (ap, out);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  return ctl_argv (h, uid, out, args);
}

/* A string member of the JSON object printed by caselinkctl --json. */
char *
ctl_json_member (const char *text, const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (o, member));
  return g_strdup (json_object_get_string_member (o, member));
}

/* caselinkctl create WORKFLOW ARGS... as @uid, asserting success; the
 * new case's id. */
char *
ctl_create_as (ClHarness *h, const char *uid, const char *workflow, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  const char *a;
  va_list ap;

  g_ptr_array_add (args, (char *) "create");
  g_ptr_array_add (args, (char *) workflow);
  va_start (ap, workflow);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_assert_cmpint (ctl_argv (h, uid, &out, args), ==, 0);
  return ctl_json_member (out, "id");
}

/* The object path of case @id. */
char *
ctl_path_of (ClHarness *h, const char *id)
{
  g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                           g_variant_new ("(s)", id));
  char *path = NULL;

  g_variant_get (r, "(o)", &path);
  return path;
}
