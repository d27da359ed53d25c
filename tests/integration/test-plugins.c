/* test-plugins.c — the plugin loader and every hook kind, against the real
 * caselinkd with the plugins of tests/plugins/ (CASELINK_TEST_PLUGINS):
 * what loads and what does not (and why), priority order of init and exit,
 * validators, guards, actions and their rollback, redaction, settings,
 * disabling by configuration, and workflows naming unknown hooks. */
#include <string.h>
#include <unistd.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

static const char *
plugins_dir (void)
{
  return g_getenv ("CASELINK_TEST_PLUGINS");
}

static ClHarness *
start (void)
{
  g_autofree char *wf = cl_test_srcdir_path ("tests/data/workflows-plugins");
  const char *dirs[] = { wf, NULL };
  const char *args[] = { "--plugins", plugins_dir (), NULL };

  return cl_harness_new_with_args (dirs, args);
}

/* Restart the daemon with @base + @extra as its caselink.conf. */
static void
restart_with_config (ClHarness *h, const char *base, const char *extra)
{
  g_autofree char *text = g_strconcat (base, extra, NULL);
  g_autoptr(GError) error = NULL;

  cl_harness_stop_daemon (h);
  g_file_set_contents (cl_harness_config_path (h), text, -1, &error);
  g_assert_no_error (error);
  cl_harness_start_daemon (h);
}

/* The ListPlugins entry named @name (new ref), asserting it is there. */
static GVariant *
plugin_entry (GVariant *list, const char *name)
{
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *n = cl_test_dict_string (e, "name");
      if (g_str_equal (n, name))
        return g_steal_pointer (&e);
    }
  g_error ("no plugin %s in ListPlugins", name);
  return NULL;
}

static gboolean
entry_loaded (GVariant *e)
{
  g_autoptr(GVariant) v = cl_test_dict_get (e, "loaded", "b");
  return g_variant_get_boolean (v);
}

static void
assert_not_loaded (GVariant *list, const char *name, const char *why)
{
  g_autoptr(GVariant) e = plugin_entry (list, name);
  g_autofree char *error = cl_test_dict_string (e, "error");

  g_assert_false (entry_loaded (e));
  if (strstr (error, why) == NULL)
    g_error ("plugin %s: expected '%s' in its error: %s", name, why, error);
}

static char *
field_string (GVariant *fields, const char *name)
{
  const char *s = NULL;
  if (!g_variant_lookup (fields, name, "&s", &s))
    return NULL;
  return g_strdup (s);
}

static char *
new_case (DBusConnection *conn, const char *title, GVariant *extra, char **path)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, extra);
  g_variant_dict_insert (&dict, "title", "s", title);
  g_variant_dict_insert (&dict, "domain", "s", "testdomain");
  if (extra != NULL)
    g_variant_unref (g_variant_ref_sink (extra));
  return cl_test_create_case (conn, "plugtest", g_variant_dict_end (&dict), path);
}

static guint64
count_cases (DBusConnection *conn, const char *workflow)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                                               g_variant_new ("(@a{sv}s)",
                                                              cl_test_fields ("workflow", g_variant_new_string (workflow),
                                                                              NULL),
                                                              ""));
  g_autoptr(GVariant) counts = g_variant_get_child_value (reply, 0);
  guint64 n = 0;

  g_variant_lookup (counts, "", "t", &n);
  return n;
}

/* ---- loading ---------------------------------------------------------- */

static void
test_loading (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) list = cl_test_list_plugins (conn);
  g_autoptr(GVariant) tp = plugin_entry (list, "testplugin");
  g_autoptr(GVariant) early = plugin_entry (list, "early");
  g_autoptr(GVariant) domains = cl_test_dict_get (tp, "domains", "as");
  g_autoptr(GVariant) hooks = cl_test_dict_get (tp, "hooks", "as");
  g_autofree char *version = cl_test_dict_string (tp, "version");
  g_autofree char *file = cl_test_dict_string (tp, "file");
  g_autofree char *tp_error = cl_test_dict_string (tp, "error");
  g_autofree const char **hook_names = g_variant_get_strv (hooks, NULL);
  g_autofree char *log = NULL;
  char *init_early, *init_tp, *exit_early, *exit_tp;

  g_assert_true (entry_loaded (tp));
  g_assert_true (entry_loaded (early));
  g_assert_cmpstr (version, ==, "1.2.3");
  g_assert_cmpstr (tp_error, ==, "");
  /* Found one directory down, as in a build tree's plugins/NAME/. */
  g_assert_true (g_str_has_suffix (file, "/testplugin/testplugin.so"));
  g_assert_cmpuint (g_variant_n_children (domains), ==, 1);
  g_assert_true (g_strv_contains (hook_names, "testplugin.code_format"));
  g_assert_true (g_strv_contains (hook_names, "testplugin.not_on_hold"));
  g_assert_true (g_strv_contains (hook_names, "testplugin.stamp"));
  g_assert_true (g_strv_contains (hook_names, "testplugin.hide_secret"));

  assert_not_loaded (list, "badabi", "built for plugin ABI 999");
  assert_not_loaded (list, "failinit", "init failed: no licence file");
  assert_not_loaded (list, "badhook", "hook names are 'badhook.NAME'");
  assert_not_loaded (list, "nodescriptor", "no caselink_plugin_descriptor");
  {
    /* What does not load has no hooks and serves nothing. */
    g_autoptr(GVariant) fi = plugin_entry (list, "failinit");
    g_autoptr(GVariant) fd = cl_test_dict_get (fi, "domains", "as");
    g_autofree char *fv = cl_test_dict_string (fi, "version");
    g_autofree char *fdesc = cl_test_dict_string (fi, "description");
    g_assert_cmpuint (g_variant_n_children (fd), ==, 0);
    /* its strings that are not UTF-8 arrive mended, not dropped */
    g_assert_true (g_str_has_prefix (fv, "1.0"));
    g_assert_true (g_str_has_prefix (fdesc, "Its init fails"));
  }

  /* Unknown hooks, and hooks of the wrong kind, refuse the workflow at
   * load, with file:line:column; the others load. */
  g_assert_true (cl_test_workflow_listed (conn, "plugtest"));
  g_assert_true (cl_test_workflow_listed (conn, "plugchild"));
  g_assert_false (cl_test_workflow_listed (conn, "badhook"));

  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "badhook.yaml:12:20: transition 'close' names guard 'testplugin.nope', "
                                 "which no loaded plugin provides (unknown hook)"));
  g_assert_nonnull (strstr (log, "badhook.yaml:12:37: transition 'close' names 'testplugin.code_format' as a guard, "
                                 "but that hook is a validator"));
  /* Each failure is logged with its file and reason. */
  g_assert_nonnull (strstr (log, "badabi.so: not loaded: built for plugin ABI 999"));
  g_assert_nonnull (strstr (log, "failinit.so: not loaded: init failed: no licence file"));
  /* Init by priority (early is HIGH), exit in reverse. */
  init_early = strstr (log, "early init");
  init_tp = strstr (log, "testplugin init");
  exit_tp = strstr (log, "testplugin exit");
  exit_early = strstr (log, "early exit");
  g_assert_nonnull (init_early);
  g_assert_nonnull (init_tp);
  g_assert_nonnull (exit_tp);
  g_assert_nonnull (exit_early);
  g_assert_true (init_early < init_tp);
  g_assert_true (init_tp < exit_tp);
  g_assert_true (exit_tp < exit_early);
  cl_harness_free (h);
}

/* ---- validators --------------------------------------------------------- */

static void
test_validator (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *id = NULL, *path = NULL, *other = NULL, *other_path = NULL;

  reply = cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                        g_variant_new ("(s@a{sv})", "plugtest",
                                       cl_test_fields ("title", g_variant_new_string ("bad code"),
                                                       "domain", g_variant_new_string ("testdomain"),
                                                       "code", g_variant_new_string ("X-1"), NULL)),
                        &error);
  g_assert_null (reply);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin testplugin (testplugin.code_format): code 'X-1' must start with T-");
  g_assert_cmpuint (count_cases (conn, "plugtest"), ==, 0);

  /* Only cases of the plugin's domains are its business. */
  other = cl_test_create_case (conn, "plugtest",
                               cl_test_fields ("title", g_variant_new_string ("elsewhere"),
                                               "domain", g_variant_new_string ("general"),
                                               "code", g_variant_new_string ("X-1"), NULL),
                               &other_path);

  /* Updates are validated too, on the merged fields. */
  id = new_case (conn, "good code", cl_test_fields ("code", g_variant_new_string ("T-1"), NULL), &path);
  reply = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                        g_variant_new ("(@a{sv}s)", cl_test_fields ("code", g_variant_new_string ("Y-2"), NULL), ""),
                        &error);
  g_assert_null (reply);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "code 'Y-2' must start with T-");
  reply = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                        g_variant_new ("(@a{sv}s)", cl_test_fields ("code", g_variant_new_string ("T-2"), NULL), ""),
                        &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  cl_harness_free (h);
}

/* ---- guards and actions ------------------------------------------------------ */

static void
test_create_action (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *path = NULL;
  g_autofree char *id = new_case (conn, "noted", NULL, &path);
  g_autoptr(GVariant) fields = cl_test_case_fields (conn, path);
  g_autoptr(GVariant) history = cl_test_history (conn, path);
  g_autofree char *note = field_string (fields, "created_note");
  g_autofree char *expected = g_strdup_printf ("created by %s as %s in open", cl_test_user_name (), id);
  g_autoptr(GVariant) first = NULL, second = NULL, set = NULL;
  g_autofree char *action0 = NULL, *action1 = NULL, *comment1 = NULL;

  g_assert_cmpstr (note, ==, expected);
  /* "created" stays first; what the creation action set follows. */
  g_assert_cmpuint (g_variant_n_children (history), ==, 2);
  first = g_variant_get_child_value (history, 0);
  second = g_variant_get_child_value (history, 1);
  action0 = cl_test_dict_string (first, "action");
  action1 = cl_test_dict_string (second, "action");
  comment1 = cl_test_dict_string (second, "comment");
  g_assert_cmpstr (action0, ==, "created");
  g_assert_cmpstr (action1, ==, "plugin");
  g_assert_cmpstr (comment1, ==, "set by testplugin.on_create");
  set = cl_test_dict_get (second, "fields", "a{sv}");
  g_assert_true (g_variant_lookup (set, "created_note", "s", NULL));
  cl_harness_free (h);
}

static void
test_guard (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *state = NULL;
  g_autofree char *id = new_case (conn, "held", cl_test_fields ("hold", g_variant_new_boolean (TRUE), NULL), &path);

  state = cl_test_advance (conn, path, "close", NULL, "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected",
                "plugin testplugin refused transition close: the case is on hold");
  state = cl_test_case_state (conn, path);
  g_assert_cmpstr (state, ==, "open");
  g_clear_pointer (&state, g_free);

  /* The guard sees the call's fields, merged before the checks. */
  state = cl_test_advance (conn, path, "close", cl_test_fields ("hold", g_variant_new_boolean (FALSE), NULL), "",
                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "closed");
  cl_harness_free (h);
}

static void
test_action (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *path2 = NULL, *state = NULL, *stamp = NULL, *stamp2 = NULL;
  g_autofree char *child_id = NULL, *child_path = NULL, *origin = NULL, *relation = NULL;
  g_autofree char *id = new_case (conn, "to close", NULL, &path);
  g_autofree char *id2 = NULL;
  g_autoptr(GVariant) fields = NULL, fields2 = NULL, links = NULL, link = NULL, child_fields = NULL;
  g_autoptr(GVariant) child_links = NULL, history = NULL, last = NULL;
  g_autofree char *expected = NULL;
  gint64 children = 0;

  state = cl_test_advance (conn, path, "close", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "closed");

  /* Set fields land in the same row... */
  fields = cl_test_case_fields (conn, path);
  stamp = field_string (fields, "stamp");
  g_assert_cmpstr (stamp, ==, "hello #1 (close: open -> closed)");
  g_assert_true (g_variant_lookup (fields, "children", "x", &children));
  g_assert_cmpint (children, ==, 1);
  /* ...and in history, after the transition entry and the link note. */
  history = cl_test_history (conn, path);
  last = g_variant_get_child_value (history, g_variant_n_children (history) - 1);
  {
    g_autofree char *action = cl_test_dict_string (last, "action");
    g_autofree char *transition = cl_test_dict_string (last, "transition");
    g_autoptr(GVariant) set = cl_test_dict_get (last, "fields", "a{sv}");
    g_autoptr(GVariant) prev = g_variant_get_child_value (history, g_variant_n_children (history) - 3);
    g_autofree char *prev_action = cl_test_dict_string (prev, "action");
    g_assert_cmpstr (action, ==, "plugin");
    g_assert_cmpstr (transition, ==, "close");
    g_assert_true (g_variant_lookup (set, "stamp", "s", NULL));
    g_assert_true (g_variant_lookup (set, "children", "x", NULL));
    g_assert_cmpstr (prev_action, ==, "transition");
  }

  /* The created case is linked both ways. */
  links = cl_test_get_property (conn, path, CL_CASE_IFACE, "Links", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (links), ==, 1);
  link = g_variant_get_child_value (links, 0);
  g_variant_get (link, "(sss)", &relation, &child_id, NULL);
  g_assert_cmpstr (relation, ==, "follow_up");
  g_assert_true (g_str_has_prefix (child_id, "PC-"));
  {
    g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                                 g_variant_new ("(s)", child_id));
    g_variant_get (reply, "(o)", &child_path);
  }
  child_fields = cl_test_case_fields (conn, child_path);
  origin = field_string (child_fields, "origin");
  g_assert_cmpstr (origin, ==, id);
  child_links = cl_test_get_property (conn, child_path, CL_CASE_IFACE, "Links", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (child_links), ==, 1);
  {
    g_autoptr(GVariant) back = g_variant_get_child_value (child_links, 0);
    g_autofree char *rel = NULL, *other = NULL;
    g_variant_get (back, "(sss)", &rel, &other, NULL);
    g_assert_cmpstr (rel, ==, "follow_up_of");
    g_assert_cmpstr (other, ==, id);
  }

  /* The plugin's counter lives across changes. */
  id2 = new_case (conn, "second", NULL, &path2);
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, path2, "close", NULL, "", &error);
  g_assert_no_error (error);
  fields2 = cl_test_case_fields (conn, path2);
  stamp2 = field_string (fields2, "stamp");
  expected = g_strdup ("hello #2 (close: open -> closed)");
  g_assert_cmpstr (stamp2, ==, expected);
  cl_harness_free (h);
}

static void
test_action_rollback (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *state = NULL, *stamp = NULL, *path2 = NULL;
  g_autofree char *id = new_case (conn, "fails", cl_test_fields ("fail_action", g_variant_new_boolean (TRUE), NULL),
                                  &path);
  g_autofree char *id2 = NULL;
  g_autoptr(GVariant) before = cl_test_history_all (conn, path);
  g_autoptr(GVariant) after = NULL, fields = NULL, links = NULL, fields2 = NULL;

  state = cl_test_advance (conn, path, "close", NULL, "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected",
                "plugin testplugin: action testplugin.stamp on transition close failed: asked to fail after writing PC-");

  /* Nothing of the transition was written: state, fields, history, links,
   * the case the action created, the plugin's counter. */
  state = cl_test_case_state (conn, path);
  g_assert_cmpstr (state, ==, "open");
  fields = cl_test_case_fields (conn, path);
  g_assert_false (g_variant_lookup (fields, "stamp", "s", NULL));
  after = cl_test_history_all (conn, path);
  g_assert_cmpuint (g_variant_n_children (after), ==, g_variant_n_children (before));
  links = cl_test_get_property (conn, path, CL_CASE_IFACE, "Links", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (links), ==, 0);
  g_assert_cmpuint (count_cases (conn, "plugchild"), ==, 0);

  id2 = new_case (conn, "next", NULL, &path2);
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, path2, "close", NULL, "", &error);
  g_assert_no_error (error);
  fields2 = cl_test_case_fields (conn, path2);
  stamp = field_string (fields2, "stamp");
  g_assert_cmpstr (stamp, ==, "hello #1 (close: open -> closed)");
  g_assert_cmpuint (count_cases (conn, "plugchild"), ==, 1);
  cl_harness_free (h);
}

/* An action that ignores a failed caselink_case_create: the case whose
 * creation failed leaves nothing (it once stayed half-made, its row and
 * first history entry written, and every later change of it failed). */
static void
test_swallowed_create (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *state = NULL;
  g_autofree char *id = new_case (conn, "careless", cl_test_fields ("swallow_child", g_variant_new_boolean (TRUE), NULL),
                                  &path);
  g_autoptr(GVariant) list = NULL;

  g_assert_cmpuint (count_cases (conn, "plugtest"), ==, 1);
  state = cl_test_advance (conn, path, "close", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "closed");
  g_assert_cmpuint (count_cases (conn, "plugtest"), ==, 1);
  g_assert_cmpuint (count_cases (conn, "plugchild"), ==, 1);
  /* every case there is can still change */
  list = cl_test_list_cases (conn, NULL);
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (list, i);
      g_autofree char *case_id = cl_test_dict_string (entry, "id");
      g_autoptr(GVariant) r = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                               g_variant_new ("(s)", case_id));
      const char *case_path;
      g_autoptr(GVariant) done = NULL;

      g_variant_get (r, "(&o)", &case_path);
      done = cl_test_call_ok (conn, case_path, CL_CASE_IFACE, "Comment", g_variant_new ("(s)", "still writable"));
    }
  cl_harness_free (h);
}

/* ---- redaction ---------------------------------------------------------------- */

static void
test_redaction (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  DBusConnection *sub = cl_harness_connect (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = new_case (conn, "secretive", NULL, &path);
  g_autoptr(GVariant) reply = NULL, signal_fields = NULL, fields = NULL;

  reply = cl_test_call_ok (sub, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe", NULL);
  g_clear_pointer (&reply, g_variant_unref);
  reply = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                        g_variant_new ("(@a{sv}s)",
                                       cl_test_fields ("secret", g_variant_new_string ("s3cret"),
                                                       "person", g_variant_new_string ("11010519491231002X"), NULL),
                                       ""),
                        &error);
  g_assert_no_error (error);

  /* Signals go out for the most restrictive view: no pii, no secret. */
  signal_fields = cl_test_wait_properties_fields (sub, path);
  g_assert_true (g_variant_lookup (signal_fields, "title", "s", NULL));
  g_assert_false (g_variant_lookup (signal_fields, "secret", "s", NULL));
  g_assert_false (g_variant_lookup (signal_fields, "person", "s", NULL));

  /* The caller (root, or a test user holding proc_chief) sees them. */
  fields = cl_test_case_fields (conn, path);
  g_assert_true (g_variant_lookup (fields, "secret", "s", NULL));
  g_assert_true (g_variant_lookup (fields, "person", "s", NULL));
  cl_test_disconnect (sub);
  cl_harness_free (h);
}

/* ---- settings, and disabling by configuration ------------------------------------ */

static void
test_settings_and_disable (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *state = NULL, *stamp = NULL, *open_path = NULL, *conf = NULL;
  g_autofree char *id = NULL, *open_id = NULL;
  g_autoptr(GVariant) fields = NULL, history = NULL, list = NULL;
  g_autofree char *base = NULL;

  g_file_get_contents (cl_harness_config_path (h), &base, NULL, &error);
  g_assert_no_error (error);
  conf = g_strdup_printf ("[plugin.testplugin]\ngreeting=bonjour\nhide_from_user=%s\n", cl_test_user_name ());
  restart_with_config (h, base, conf);
  conn = cl_harness_connection (h);
  id = new_case (conn, "configured", cl_test_fields ("secret", g_variant_new_string ("s3cret"), NULL), &path);
  state = cl_test_advance (conn, path, "close", NULL, "", &error);
  g_assert_no_error (error);
  fields = cl_test_case_fields (conn, path);
  stamp = field_string (fields, "stamp");
  g_assert_cmpstr (stamp, ==, "bonjour #1 (close: open -> closed)");
  /* Hidden from this user in Fields and in every history entry. */
  g_assert_false (g_variant_lookup (fields, "secret", "s", NULL));
  history = cl_test_history (conn, path);
  for (gsize i = 0; i < g_variant_n_children (history); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (history, i);
      g_autoptr(GVariant) f = cl_test_dict_get (e, "fields", "a{sv}");
      g_assert_false (g_variant_lookup (f, "secret", "s", NULL));
    }
  open_id = new_case (conn, "left open", NULL, &open_path);

  /* enabled=false: listed with why, its hooks gone, so the workflow naming
   * them is refused at load; a running case of it cannot move. */
  restart_with_config (h, base, "[plugin.testplugin]\nenabled=false\n");
  conn = cl_harness_connection (h);
  list = cl_test_list_plugins (conn);
  assert_not_loaded (list, "testplugin", "disabled in caselink.conf ([plugin.testplugin] enabled=false)");
  g_assert_false (cl_test_workflow_listed (conn, "plugtest"));
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, open_path, "close", NULL, "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Failed",
                "names guard testplugin.not_on_hold, which no loaded plugin provides");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (plugins_dir () == NULL)
    {
      g_printerr ("CASELINK_TEST_PLUGINS is not set (run under meson test)\n");
      return 77;
    }
  g_test_add_func ("/plugins/loading", test_loading);
  g_test_add_func ("/plugins/validator", test_validator);
  g_test_add_func ("/plugins/create-action", test_create_action);
  g_test_add_func ("/plugins/guard", test_guard);
  g_test_add_func ("/plugins/action", test_action);
  g_test_add_func ("/plugins/action-rollback", test_action_rollback);
  g_test_add_func ("/plugins/swallowed-create", test_swallowed_create);
  g_test_add_func ("/plugins/redaction", test_redaction);
  g_test_add_func ("/plugins/settings-and-disable", test_settings_and_disable);
  return g_test_run ();
}
