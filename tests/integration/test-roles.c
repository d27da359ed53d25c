/* Roles from actors.yaml, driven by clients running under other unix uids
 * (setpriv): who may create, advance, comment and reload; what history
 * records about the real caller; only root acts without an actors file. */
#include "harness.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In tests/data/actors.yaml, user daemon (uid 1) is agency_head of xn-psb;
 * nobody is not listed. The bus needs passwd entries for connecting uids,
 * so these are system users every Debian machine has. */
#define HEAD_UID "1"
#define STRANGER_UID "65534"
#define CHIEF_UID "2"     /* bin: proc_chief of qh-proc, a role that sees all */

/* Run @argv (NULL-terminated) as @uid, or as ourselves when @uid is NULL;
 * returns the exit status, stdout in @out when non-NULL. */
static int
run_as (const char *uid, const char *const *argv, char **out)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  int status = 0;

  if (uid != NULL)
    {
      cl_test_argv_setpriv (full, uid);
    }
  for (const char *const *a = argv; *a != NULL; a++)
    g_ptr_array_add (full, g_strdup (*a));
  g_ptr_array_add (full, NULL);
  g_spawn_sync (NULL, (char **) full->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text, &stderr_text,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s as uid %s -> %d\n%s%s", argv[0], uid ? uid : "0", status, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_strconcat (stdout_text, stderr_text, NULL);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

/* caselinkctl --address A VERB ARGS... as @uid. */
static int
ctl_as (ClHarness *h, const char *uid, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  const char *a;

  g_ptr_array_add (argv, (char *) g_getenv ("CASELINKCTL"));
  g_ptr_array_add (argv, (char *) "--address");
  g_ptr_array_add (argv, (char *) cl_harness_address (h));
  va_start (ap, uid);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return run_as (uid, (const char *const *) argv->pdata, NULL);
}

/* Manager1.Reload as @uid through dbus-send; its output carries the error name. */
static int
reload_as (ClHarness *h, const char *uid, char **out)
{
  g_autofree char *bus = g_strdup_printf ("--bus=%s", cl_harness_address (h));
  const char *argv[] = { "dbus-send", bus, "--print-reply", "--dest=org.caselink", "/org/caselink",
                         "org.caselink.Manager1.Reload", NULL };
  return run_as (uid, argv, out);
}

/* A case in awaiting_reply, held by xn-psb, made by root. */
static char *
case_awaiting_reply (ClHarness *h, char **path)
{
  DBusConnection *conn = cl_harness_connection (h);
  char *id = cl_test_create_case (conn, "reverse_connection",
                                  cl_test_fields ("title", g_variant_new_string ("roles"), NULL), path);
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;

  s1 = cl_test_advance (conn, *path, "handoff", cl_test_fields ("np_decision_no", g_variant_new_string ("N-1"), NULL),
                        "", &error);
  g_assert_no_error (error);
  s2 = cl_test_advance (conn, *path, "review", cl_test_fields (NULL, NULL), "", &error);
  g_assert_no_error (error);
  s3 = cl_test_advance (conn, *path, "issue_opinion",
                        cl_test_fields ("opinion_no", g_variant_new_string ("O-1"),
                                        "competent_agency", g_variant_new_string ("xn-psb"), NULL),
                        "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s3, ==, "awaiting_reply");
  return id;
}

static gboolean
prerequisites (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("needs root to run clients under other uids");
      return FALSE;
    }
  if (!cl_test_have_program ("setpriv") || !cl_test_have_program ("dbus-send"))
    {
      g_test_skip ("setpriv or dbus-send is not installed");
      return FALSE;
    }
  return TRUE;
}

/* The newest history entry of @path. */
static GVariant *
last_entry (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) hist = cl_test_history (cl_harness_connection (h), path);
  return g_variant_get_child_value (hist, g_variant_n_children (hist) - 1);
}

static void
test_roles_and_history (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL, *user = NULL, *agency = NULL, *role = NULL;
  g_autoptr(GVariant) entry = NULL;
  g_autoptr(GVariant) uid = NULL;
  g_autoptr(GVariant) holder = NULL;
  g_autoptr(GError) error = NULL;

  if (!prerequisites ())
    return;
  h = cl_harness_new (NULL);
  id = case_awaiting_reply (h, &path);

  /* awaiting_reply is held by the competent agency. */
  holder = cl_test_get_property (cl_harness_connection (h), path, "org.caselink.Case1", "Agency", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (holder, NULL), ==, "xn-psb");

  /* Creating a reverse_connection case needs proc_criminal. */
  g_assert_cmpint (ctl_as (h, HEAD_UID, "create", "reverse_connection", "-f", "title=x", NULL), ==, 4);
  /* Visibility: a stranger does not see the case at all; the holder's
   * agency does; a role with sees: all does. */
  g_assert_cmpint (ctl_as (h, STRANGER_UID, "show", id, NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, HEAD_UID, "show", id, NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, NULL), ==, 0);
  /* Someone not in actors.yaml sees nothing: the case does not exist for them. */
  g_assert_cmpint (ctl_as (h, STRANGER_UID, "comment", id, "hello", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, STRANGER_UID, "advance", id, "reply", "-f", "penalty_decision=penalised", NULL), ==, 3);
  /* A known actor without the role of the transition. */
  g_assert_cmpint (ctl_as (h, HEAD_UID, "advance", id, "reply", NULL), ==, 5);   /* missing penalty_decision */
  g_assert_cmpint (ctl_as (h, HEAD_UID, "advance", id, "reply", "-f", "penalty_decision=penalised", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, HEAD_UID, "advance", id, "accept_reply", NULL), ==, 4);   /* proc_admin's */

  /* History names the real caller: uid, user, agency and the role used. */
  entry = last_entry (h, path);
  uid = cl_test_dict_get (entry, "uid", "u");
  user = cl_test_dict_string (entry, "user");
  agency = cl_test_dict_string (entry, "agency");
  role = cl_test_dict_string (entry, "role");
  g_assert_cmpuint (g_variant_get_uint32 (uid), ==, 1);
  g_assert_cmpstr (user, ==, "daemon");
  g_assert_cmpstr (agency, ==, "xn-psb");
  g_assert_cmpstr (role, ==, "agency_head");
  {
    g_autofree char *now_state = cl_test_case_state (cl_harness_connection (h), path);
    g_assert_cmpstr (now_state, ==, "evaluating");
  }

  /* Once held, always visible to that agency: evaluating is held by the
   * procuratorate again, yet xn-psb still sees the case. */
  g_assert_cmpint (ctl_as (h, HEAD_UID, "show", id, NULL), ==, 0);
  /* ...but only the holder (or a supervising role) may change it. */
  g_assert_cmpint (ctl_as (h, HEAD_UID, "comment", id, "still ours?", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "comment", id, "supervisor's note", NULL), ==, 0);

  /* Lists and counts show only what the caller sees. */
  {
    g_autofree char *other_path = NULL, *other = NULL, *head_list = NULL, *chief_list = NULL;
    g_autofree char *bus = g_strdup_printf ("--address=%s", cl_harness_address (h));
    const char *list[] = { g_getenv ("CASELINKCTL"), bus, "list", NULL };

    other = cl_test_create_case (cl_harness_connection (h), "reverse_connection",
                                 cl_test_fields ("title", g_variant_new_string ("not theirs"), NULL), &other_path);
    g_assert_cmpint (run_as (HEAD_UID, list, &head_list), ==, 0);
    g_assert_nonnull (strstr (head_list, id));
    g_assert_null (strstr (head_list, other));
    g_assert_cmpint (run_as (CHIEF_UID, list, &chief_list), ==, 0);
    g_assert_nonnull (strstr (chief_list, id));
    g_assert_nonnull (strstr (chief_list, other));
    g_assert_cmpint (ctl_as (h, HEAD_UID, "comment", other, "not mine", NULL), ==, 3);
  }

  /* Roles that nobody holds are worth a warning in the log, not an error. */
  {
    g_autofree char *log = cl_harness_read_log (h);
    g_assert_nonnull (strstr (log, "reverse_connection.yaml: role proc_admin (needed by transition review) is held by no actor"));
  }

  /* An agency field must name a known agency. */
  g_assert_cmpint (ctl_as (h, NULL, "update", id, "-f", "competent_agency=nowhere", NULL), ==, 5);
  cl_harness_free (h);
}

static void
test_reload_admin (void)
{
  ClHarness *h;
  g_autofree char *dir = NULL, *bad = NULL, *out = NULL;
  const char *dirs[3] = { NULL, NULL, NULL };
  g_autofree char *shipped = cl_test_srcdir_path ("workflows");
  g_autoptr(GVariant) before = NULL, after = NULL;

  if (!prerequisites ())
    return;
  dir = g_dir_make_tmp ("caselink-wf-XXXXXX", NULL);
  dirs[0] = shipped;
  dirs[1] = dir;
  h = cl_harness_new (dirs);
  before = cl_test_call_ok (cl_harness_connection (h), "/org/caselink", "org.caselink.Manager1", "ListWorkflows", NULL);

  /* Only an admin may reload. */
  g_assert_cmpint (reload_as (h, HEAD_UID, &out), !=, 0);
  g_assert_nonnull (strstr (out, "org.caselink.Error.PermissionDenied"));
  g_assert_nonnull (strstr (out, "admin"));
  g_clear_pointer (&out, g_free);

  /* A bad file refuses the whole reload, names file:line:column, and the
   * old set keeps serving. */
  bad = g_build_filename (dir, "bad.yaml", NULL);
  g_assert_true (g_file_set_contents (bad, "workflow: bad\nversion: 1\nid_prefix: BD\nstatez: {}\n", -1, NULL));
  g_assert_cmpint (reload_as (h, NULL, &out), !=, 0);
  g_assert_nonnull (strstr (out, "org.caselink.Error.Failed"));
  g_assert_nonnull (strstr (out, "bad.yaml:4:1:"));
  after = cl_test_call_ok (cl_harness_connection (h), "/org/caselink", "org.caselink.Manager1", "ListWorkflows", NULL);
  g_assert_true (g_variant_equal (before, after));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (g_unlink (bad), ==, 0);
  g_assert_cmpint (reload_as (h, NULL, &out), ==, 0);
  cl_harness_free (h);
  g_rmdir (dir);
}

static void
test_no_actors_only_root (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL;

  if (!prerequisites ())
    return;
  h = cl_harness_new (NULL);
  id = cl_test_create_case (cl_harness_connection (h), "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string ("no actors"), NULL), &path);
  cl_harness_stop_daemon (h);
  g_assert_true (g_file_set_contents (cl_harness_config_path (h), "[daemon]\ntimezone=Asia/Shanghai\n", -1, NULL));
  cl_harness_start_daemon (h);

  g_assert_cmpint (ctl_as (h, HEAD_UID, "comment", id, "hi", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, HEAD_UID, "advance", id, "handoff", "-f", "np_decision_no=1", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, HEAD_UID, "show", id, NULL), ==, 3);   /* only root sees anything */
  g_assert_cmpint (ctl_as (h, NULL, "comment", id, "root may", NULL), ==, 0);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/roles/roles-and-history", test_roles_and_history);
  g_test_add_func ("/roles/reload-admin", test_reload_admin);
  g_test_add_func ("/roles/no-actors-only-root", test_no_actors_only_root);
  return g_test_run ();
}
