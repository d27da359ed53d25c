/* wf-lib2.c — what test-wf-pil.c, test-wf-minors.c and test-wf-other.c
 * share: a daemon with the shipped workflows, the test clock and
 * tests/data/actors-library-2.yaml; due instants; steps and refusals;
 * expiries; links; caselinkctl under other uids. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "wf-lib2.h"
static const char *const test_clock[] = { "--test-clock", NULL };

ClHarness *
start (void)
{
  g_autofree char *wf = cl_test_srcdir_path ("workflows");
  g_autofree char *actors = cl_test_srcdir_path ("tests/data/actors-library-2.yaml");
  const char *dirs[] = { wf, NULL };

  return cl_harness_new_full (dirs, test_clock, actors);
}

char *
agency_of (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) v = cl_test_case_prop (h, path, "Agency");
  return g_variant_dup_string (v, NULL);
}

char *
field_of (ClHarness *h, const char *path, const char *name)
{
  g_autoptr(GVariant) fields = cl_test_case_prop (h, path, "Fields");
  char *s = NULL;
  g_assert_true (g_variant_lookup (fields, name, "s", &s));
  return s;
}

/* Take @transition and expect the D-Bus error @name; nothing changes. */
void
refused (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *name)
{
  GError *error = NULL;
  g_autofree char *before = cl_test_case_state (cl_harness_connection (h), path);
  g_autofree char *state = cl_test_advance (cl_harness_connection (h), path, transition,
                                            fields != NULL ? fields : NO_FIELDS, "", &error);
  g_assert_null (state);
  g_test_message ("%s refused: %s", transition, error ? error->message : "?");
  cl_assert_dbus_error (error, name);
  assert_state (h, path, before);
}

/* Move the clock to @us and wait until on_expire has taken @path into
 * @state; the newest transition in its history must be @transition, taken
 * by caselinkd as the system actor. */
void
expire (ClHarness *h, gint64 us, const char *path, const char *transition, const char *state)
{
  g_autoptr(GVariant) all = NULL;
  g_autofree char *user = NULL, *role = NULL, *name = NULL, *comment = NULL;

  cl_test_set_time (h, us);
  cl_test_wait_for (h, path, state, -1);
  all = cl_test_history_all (cl_harness_connection (h), path);
  for (gsize i = g_variant_n_children (all); i-- > 0;)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (all, i);
      g_autofree char *action = cl_test_dict_string (e, "action");
      if (!g_str_equal (action, "transition"))
        continue;
      user = cl_test_dict_string (e, "user");
      role = cl_test_dict_string (e, "role");
      name = cl_test_dict_string (e, "transition");
      comment = cl_test_dict_string (e, "comment");
      break;
    }
  g_assert_cmpstr (name, ==, transition);
  g_assert_cmpstr (user, ==, "caselinkd");
  g_assert_cmpstr (role, ==, "system");
  g_assert_nonnull (strstr (comment, "fired on expiry"));
}

/* The case @path links to under @relation (exactly one); its path in
 * @other_path. */
char *
linked (ClHarness *h, const char *path, const char *relation, char **other_path)
{
  g_autoptr(GVariant) links = cl_test_case_prop (h, path, "Links");
  char *found = NULL;

  g_assert_cmpstr (g_variant_get_type_string (links), ==, "a(sss)");
  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *rel, *other, *opath;
      g_variant_get_child (links, i, "(&s&s&s)", &rel, &other, &opath);
      if (!g_str_equal (rel, relation))
        continue;
      g_assert_null (found);
      found = g_strdup (other);
      if (other_path != NULL)
        *other_path = g_strdup (opath);
    }
  if (found == NULL)
    g_error ("%s has no link %s: %s", path, relation, g_variant_print (links, TRUE));
  return found;
}

/* @id spawned a case under @relation: returns its path, checking the link
 * back (relation_of) and the id prefix. */
char *
spawned (ClHarness *h, const char *id, const char *path, const char *relation, const char *prefix)
{
  g_autofree char *child = NULL, *child_path = NULL, *back = NULL, *back_path = NULL;
  g_autofree char *inverse = g_strconcat (relation, "_of", NULL);

  child = linked (h, path, relation, &child_path);
  g_assert_true (g_str_has_prefix (child, prefix));
  back = linked (h, child_path, inverse, &back_path);
  g_assert_cmpstr (back, ==, id);
  g_assert_cmpstr (back_path, ==, path);
  return g_steal_pointer (&child_path);
}

gboolean
can_switch_users (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("needs root to run clients under other uids");
      return FALSE;
    }
  if (!cl_test_have_program ("setpriv"))
    {
      g_test_skip ("setpriv is not installed");
      return FALSE;
    }
  return TRUE;
}

/* caselinkctl --address A ARGS... as @uid (setpriv); its exit status, its
 * stdout in @out when non-NULL. */
int
run_ctl (ClHarness *h, const char *uid, char **out, va_list ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL, *line = NULL;
  const char *a;
  int status = 0;

  cl_test_argv_setpriv (argv, uid);
  g_ptr_array_add (argv, g_strdup (g_getenv ("CASELINKCTL")));
  g_ptr_array_add (argv, g_strdup ("--address"));
  g_ptr_array_add (argv, g_strdup (cl_harness_address (h)));
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (a));
  g_ptr_array_add (argv, NULL);
  line = g_strjoinv (" ", (char **) argv->pdata + 7);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text, &stderr_text,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("caselinkctl %s as uid %s -> %d\n%s%s", line, uid, status, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_strdup (g_strstrip (stdout_text));
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

int
ctl_as (ClHarness *h, const char *uid, ...)
{
  va_list ap;
  int r;

  va_start (ap, uid);
  r = run_ctl (h, uid, NULL, ap);
  va_end (ap);
  return r;
}

/* caselinkctl create WORKFLOW ARGS... as @uid, asserting success: the new
 * case's id, its object path in @path. */
char *
ctl_create_as (ClHarness *h, const char *uid, char **path, ...)
{
  g_autoptr(GVariant) reply = NULL;
  char *id = NULL;
  va_list ap;
  int r;

  va_start (ap, path);
  r = run_ctl (h, uid, &id, ap);
  va_end (ap);
  g_assert_cmpint (r, ==, 0);
  reply = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                           g_variant_new ("(s)", id));
  g_variant_get (reply, "(o)", path);
  return id;
}

/* The role the newest transition of @path was taken with. */
char *
last_role (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) hist = cl_test_history (cl_harness_connection (h), path);
  g_autoptr(GVariant) e = g_variant_get_child_value (hist, g_variant_n_children (hist) - 1);
  return cl_test_dict_string (e, "role");
}
