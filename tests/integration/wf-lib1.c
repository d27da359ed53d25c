/* wf-lib1.c — helpers of the workflow-library tests that use
 * tests/data/actors-library-1.yaml (test-wf-transfer, test-wf-suggestion):
 * the test clock, case reading and advancing, and caselinkctl run as
 * another uid. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "wf-lib1.h"

static const char *const test_clock[] = { "--test-clock", NULL };

/* ---- clock and case helpers -------------------------------------------- */

void
assert_agency (ClHarness *h, const char *path, const char *want)
{
  g_autoptr(GVariant) v = cl_test_case_prop (h, path, "Agency");
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, want);
}

void
assert_state (ClHarness *h, const char *path, const char *want)
{
  g_autofree char *s = cl_test_case_state (cl_harness_connection (h), path);
  g_assert_cmpstr (s, ==, want);
}

/* Assert @transition is refused with the D-Bus error @name, whose message
 * contains @needle (when not NULL), and that the state did not change. */
void
adv_refused (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *name,
             const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = cl_test_case_state (cl_harness_connection (h), path);
  g_autofree char *state = cl_test_advance (cl_harness_connection (h), path, transition,
                                            fields ? fields : cl_test_fields (NULL, NULL), "", &error);
  g_assert_null (state);
  g_assert_nonnull (error);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("%s: expected \"%s\" in: %s", transition, needle, error->message);
  cl_assert_dbus_error (error, name);
  assert_state (h, path, before);
}

/* The newest history entry for @transition, as (user, role). */
void
assert_taken_by (ClHarness *h, const char *path, const char *transition, const char *user, const char *role)
{
  g_autoptr(GVariant) hist = cl_test_history (cl_harness_connection (h), path);

  for (gsize i = g_variant_n_children (hist); i-- > 0;)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (hist, i);
      g_autofree char *a = cl_test_dict_string (e, "action");
      g_autofree char *t = cl_test_dict_string (e, "transition");
      if (g_str_equal (a, "transition") && g_str_equal (t, transition))
        {
          g_autofree char *u = cl_test_dict_string (e, "user");
          g_autofree char *r = cl_test_dict_string (e, "role");
          if (user != NULL)
            g_assert_cmpstr (u, ==, user);
          g_assert_cmpstr (r, ==, role);
          return;
        }
    }
  g_error ("%s: no history entry for transition %s", path, transition);
}

/* ---- the daemon -------------------------------------------------------- */

/* actors-library-1.yaml. When the test does not run as root, the harness
 * gives the current user proc_* roles and agency_head only; the main paths
 * need the other roles of these workflows too, so a copy with one more line
 * for the current user is used (roles of two entries add up). */
char *
actors_template (void)
{
  g_autofree char *src = cl_test_srcdir_path ("tests/data/actors-library-1.yaml");
  g_autofree char *text = NULL;
  g_autofree char *more = NULL;
  char *copy;
  int fd;

  if (getuid () == 0)
    return g_steal_pointer (&src);
  g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
  more = g_strdup_printf ("%s  - {user: \"%s\", roles: [agency_officer, psb, recipient, proc_pil, proc_minor]}\n",
                          text, g_get_user_name ());
  fd = g_file_open_tmp ("caselink-actors-XXXXXX.yaml", &copy, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (copy, more, -1, NULL));
  return copy;
}

ClHarness *
start (void)
{
  g_autofree char *actors = actors_template ();
  ClHarness *h = cl_harness_new_full (NULL, test_clock, actors);

  if (getuid () != 0)
    g_unlink (actors);
  return h;
}

/* ---- caselinkctl as another uid ----------------------------------------- */

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

  cl_test_argv_setpriv (argv, uid);
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
