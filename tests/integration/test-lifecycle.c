/* test-lifecycle.c — create → advance → history over D-Bus, and what the
 * manager and case objects report about it. */
#include <string.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

#define TITLE "某公司非法排污案"
#define DECISION_NO "青西检刑不诉〔2026〕1号"

static gboolean
is_sha256_hex (const char *s)
{
  if (strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static gboolean
has_key (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, NULL);

  return v != NULL;
}

/* Who did it, as every history entry must record it. */
static void
assert_entry_actor (GVariant *entry, const char *role)
{
  g_autoptr(GVariant) uid = cl_test_dict_get (entry, "uid", "u");
  g_autofree char *user = cl_test_dict_string (entry, "user");
  g_autofree char *agency = cl_test_dict_string (entry, "agency");
  g_autofree char *entry_role = cl_test_dict_string (entry, "role");
  g_autofree char *actor = cl_test_dict_string (entry, "actor");

  g_assert_cmpuint (g_variant_get_uint32 (uid), ==, getuid ());
  g_assert_cmpstr (user, ==, cl_test_user_name ());
  g_assert_cmpstr (agency, ==, cl_test_user_agency ());
  g_assert_cmpstr (entry_role, ==, role);
  /* Display name "user (role@agency)": only its start is pinned down. */
  g_assert_true (g_str_has_prefix (actor, cl_test_user_name ()));
}

static void
assert_entry (GVariant *entry, guint64 seq, const char *action,
              const char *transition, const char *from, const char *to,
              const char *comment, gint64 after, gint64 before)
{
  g_autoptr(GVariant) seq_v = cl_test_dict_get (entry, "seq", "t");
  g_autofree char *action_v = cl_test_dict_string (entry, "action");
  g_autofree char *transition_v = cl_test_dict_string (entry, "transition");
  g_autofree char *from_v = cl_test_dict_string (entry, "from");
  g_autofree char *to_v = cl_test_dict_string (entry, "to");
  g_autofree char *comment_v = cl_test_dict_string (entry, "comment");
  g_autofree char *hash = cl_test_dict_string (entry, "hash");
  gint64 time = cl_test_dict_int64 (entry, "time");

  g_assert_cmpuint (g_variant_get_uint64 (seq_v), ==, seq);
  g_assert_cmpstr (action_v, ==, action);
  g_assert_cmpstr (transition_v, ==, transition);
  g_assert_cmpstr (from_v, ==, from);
  g_assert_cmpstr (to_v, ==, to);
  g_assert_cmpstr (comment_v, ==, comment);
  g_assert_true (is_sha256_hex (hash));
  g_assert_cmpint (time, >=, after);
  g_assert_cmpint (time, <=, before);
}

static void
test_create_advance_history (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  gint64 t0 = g_get_real_time ();
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *want_id = cl_test_case_id ("FX", 1);
  g_autofree char *want_path = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) history = NULL;
  g_autoptr(GVariant) e0 = NULL, e1 = NULL, f0 = NULL, f1 = NULL;
  g_autofree char *h0 = NULL, *h1 = NULL, *v = NULL;
  const char *got_path;
  gint64 t1;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string (TITLE),
                                            NULL),
                            &path);
  g_assert_cmpstr (id, ==, want_id);
  /* Every byte outside [A-Za-z0-9] becomes _xx. */
  want_path = g_strdup_printf ("/org/caselink/case/FX_2d%d_2d000001",
                               cl_test_current_year ());
  g_assert_cmpstr (path, ==, want_path);

  state = cl_test_case_state (c, path);
  g_assert_cmpstr (state, ==, "non_prosecuted");
  g_clear_pointer (&state, g_free);

  reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                           g_variant_new ("(s)", id));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(o)");
  g_variant_get (reply, "(&o)", &got_path);
  g_assert_cmpstr (got_path, ==, path);

  state = cl_test_advance (c, path, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string (DECISION_NO),
                                           NULL),
                           "移送行政检察部门", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "registered");
  g_clear_pointer (&state, g_free);
  state = cl_test_case_state (c, path);
  g_assert_cmpstr (state, ==, "registered");
  t1 = g_get_real_time ();

  history = cl_test_history (c, path);
  g_assert_cmpuint (g_variant_n_children (history), ==, 2);
  e0 = g_variant_get_child_value (history, 0);
  e1 = g_variant_get_child_value (history, 1);

  assert_entry (e0, 1, "created", "", "", "non_prosecuted", "", t0, t1);
  assert_entry_actor (e0, "proc_criminal");
  f0 = cl_test_dict_get (e0, "fields", "a{sv}");
  v = cl_test_dict_string (f0, "title");
  g_assert_cmpstr (v, ==, TITLE);
  g_clear_pointer (&v, g_free);

  assert_entry (e1, 3, "transition", "handoff", "non_prosecuted", "registered",
                "移送行政检察部门", t0, t1);
  assert_entry_actor (e1, "proc_criminal");
  /* The transition records only what it set. */
  f1 = cl_test_dict_get (e1, "fields", "a{sv}");
  g_assert_cmpuint (g_variant_n_children (f1), ==, 1);
  v = cl_test_dict_string (f1, "np_decision_no");
  g_assert_cmpstr (v, ==, DECISION_NO);

  /* A chain: each entry's hash differs from the one before. */
  h0 = cl_test_dict_string (e0, "hash");
  h1 = cl_test_dict_string (e1, "hash");
  g_assert_cmpstr (h0, !=, h1);

  g_clear_pointer (&reply, g_variant_unref);
  reply = cl_test_call (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                        g_variant_new ("(s)", "FX-1999-000999"), &error);
  g_assert_null (reply);
  cl_assert_dbus_error (error, "org.caselink.Error.NotFound");

  cl_harness_free (h);
}

static void
test_list_and_count (void)
{
  static const char *const keys[] = { "id", "path", "workflow", "state",
    "title", "domain", "agency", "created", "updated", "deadline", "overdue" };
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path1 = NULL, *path2 = NULL, *id1 = NULL, *id2 = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GVariant) list = NULL, entry = NULL, count = NULL, reply = NULL;
  g_autoptr(GVariant) p = NULL, overdue = NULL, counts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  guint64 n = 0;

  count = cl_test_get_property (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                "CaseCount", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (count), ==, "t");
  g_assert_cmpuint (g_variant_get_uint64 (count), ==, 0);
  g_clear_pointer (&count, g_variant_unref);

  id1 = cl_test_create_case (c, "reverse_connection",
                             cl_test_fields ("title", g_variant_new_string (TITLE),
                                             "domain", g_variant_new_string ("ecology"),
                                             NULL), &path1);
  id2 = cl_test_create_case (c, "reverse_connection",
                             cl_test_fields ("title", g_variant_new_string ("second"),
                                             NULL), &path2);
  state = cl_test_advance (c, path2, "handoff",
                           cl_test_fields ("np_decision_no",
                                           g_variant_new_string ("N-2"), NULL),
                           "", &error);
  g_assert_no_error (error);

  list = cl_test_list_cases (c, NULL);
  g_assert_cmpuint (g_variant_n_children (list), ==, 2);
  /* Oldest first, and exactly the documented keys. */
  entry = g_variant_get_child_value (list, 0);
  g_assert_cmpuint (g_variant_n_children (entry), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!has_key (entry, keys[i]))
      g_error ("ListCases entry lacks \"%s\"", keys[i]);
  s = cl_test_dict_string (entry, "id");
  g_assert_cmpstr (s, ==, id1);
  g_clear_pointer (&s, g_free);
  p = cl_test_dict_get (entry, "path", "o");
  g_assert_cmpstr (g_variant_get_string (p, NULL), ==, path1);
  s = cl_test_dict_string (entry, "workflow");
  g_assert_cmpstr (s, ==, "reverse_connection");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (entry, "state");
  g_assert_cmpstr (s, ==, "non_prosecuted");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (entry, "title");
  g_assert_cmpstr (s, ==, TITLE);
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (entry, "domain");
  g_assert_cmpstr (s, ==, "ecology");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (entry, "agency");
  g_assert_cmpstr (s, ==, cl_test_user_agency ());
  g_clear_pointer (&s, g_free);
  g_assert_cmpint (cl_test_dict_int64 (entry, "created"), >, 0);
  g_assert_cmpint (cl_test_dict_int64 (entry, "updated"), >=,
                   cl_test_dict_int64 (entry, "created"));
  /* non_prosecuted runs a 3-working-day deadline: at least 3 days ahead */
  g_assert_cmpint (cl_test_dict_int64 (entry, "deadline"), >, cl_test_dict_int64 (entry, "created") + 3 * G_TIME_SPAN_DAY);
  overdue = cl_test_dict_get (entry, "overdue", "b");
  g_assert_false (g_variant_get_boolean (overdue));
  g_clear_pointer (&entry, g_variant_unref);

  entry = g_variant_get_child_value (list, 1);
  s = cl_test_dict_string (entry, "state");
  g_assert_cmpstr (s, ==, "registered");
  g_clear_pointer (&s, g_free);
  g_clear_pointer (&entry, g_variant_unref);
  g_clear_pointer (&list, g_variant_unref);

  /* Filters: state, and the keyset cursor. */
  list = cl_test_list_cases (c, cl_test_fields ("state",
                                                g_variant_new_string ("registered"),
                                                NULL));
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  g_clear_pointer (&list, g_variant_unref);
  list = cl_test_list_cases (c, cl_test_fields ("after", g_variant_new_string (id1),
                                                NULL));
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  entry = g_variant_get_child_value (list, 0);
  s = cl_test_dict_string (entry, "id");
  g_assert_cmpstr (s, ==, id2);
  g_clear_pointer (&s, g_free);
  g_clear_pointer (&list, g_variant_unref);
  g_clear_pointer (&entry, g_variant_unref);
  /* An empty cursor is no cursor: the first page. */
  list = cl_test_list_cases (c, cl_test_fields ("after", g_variant_new_string (""), NULL));
  g_assert_cmpuint (g_variant_n_children (list), ==, 2);
  entry = g_variant_get_child_value (list, 0);
  s = cl_test_dict_string (entry, "id");
  g_assert_cmpstr (s, ==, id1);
  g_clear_pointer (&s, g_free);
  g_clear_pointer (&list, g_variant_unref);
  list = cl_test_list_cases (c, cl_test_fields ("limit", g_variant_new_uint32 (1),
                                                NULL));
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);

  count = cl_test_get_property (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                "CaseCount", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_get_uint64 (count), ==, 2);

  reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                           g_variant_new ("(@a{sv}s)",
                                          cl_test_fields (NULL, NULL), "state"));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(a{st})");
  counts = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (counts, "non_prosecuted", "t", &n));
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (g_variant_lookup (counts, "registered", "t", &n));
  g_assert_cmpuint (n, ==, 1);
  g_clear_pointer (&counts, g_variant_unref);
  g_clear_pointer (&reply, g_variant_unref);
  reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases",
                           g_variant_new ("(@a{sv}s)",
                                          cl_test_fields (NULL, NULL), ""));
  counts = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (counts), ==, 1);
  g_assert_true (g_variant_lookup (counts, "", "t", &n));
  g_assert_cmpuint (n, ==, 2);

  cl_harness_free (h);
}

static void
test_case_properties (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *s = NULL;
  g_autoptr(GVariant) reply = NULL, all = NULL, fields = NULL, v = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_real_time (), t1;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string (TITLE),
                                            "domain", g_variant_new_string ("minors"),
                                            NULL), &path);
  t1 = g_get_real_time ();

  reply = cl_test_call_ok (c, path, "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new ("(s)", CL_CASE_IFACE));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(a{sv})");
  all = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (all), ==, 14);   /* 12 of API v1, Links and Sealed */

  s = cl_test_dict_string (all, "Id");
  g_assert_cmpstr (s, ==, id);
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (all, "Workflow");
  g_assert_cmpstr (s, ==, "reverse_connection");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (all, "State");
  g_assert_cmpstr (s, ==, "non_prosecuted");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (all, "Title");
  g_assert_cmpstr (s, ==, TITLE);
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (all, "Domain");
  g_assert_cmpstr (s, ==, "minors");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (all, "Agency");
  g_assert_cmpstr (s, ==, cl_test_user_agency ());
  g_clear_pointer (&s, g_free);
  v = cl_test_dict_get (all, "WorkflowVersion", "u");
  g_assert_cmpuint (g_variant_get_uint32 (v), ==, 1);
  g_clear_pointer (&v, g_variant_unref);
  g_assert_cmpint (cl_test_dict_int64 (all, "Created"), >=, t0);
  g_assert_cmpint (cl_test_dict_int64 (all, "Created"), <=, t1);
  g_assert_cmpint (cl_test_dict_int64 (all, "Updated"), >=,
                   cl_test_dict_int64 (all, "Created"));
  g_assert_cmpint (cl_test_dict_int64 (all, "Deadline"), >, cl_test_dict_int64 (all, "Created") + 3 * G_TIME_SPAN_DAY);
  v = cl_test_dict_get (all, "Overdue", "b");
  g_assert_false (g_variant_get_boolean (v));
  g_clear_pointer (&v, g_variant_unref);
  fields = cl_test_dict_get (all, "Fields", "a{sv}");
  s = cl_test_dict_string (fields, "title");
  g_assert_cmpstr (s, ==, TITLE);
  g_clear_pointer (&s, g_free);

  /* Get agrees with GetAll. */
  v = cl_test_get_property (c, path, CL_CASE_IFACE, "Title", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, TITLE);
  g_clear_pointer (&v, g_variant_unref);

  /* The manager's properties. */
  v = cl_test_get_property (c, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Version",
                            &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "s");
  g_assert_cmpstr (g_variant_get_string (v, NULL), !=, "");

  cl_harness_free (h);
}

/* Transitions() for the caller: which leave the current state, and what is
 * still missing for each. */
static void
test_transitions (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *s = NULL;
  g_autoptr(GVariant) reply = NULL, list = NULL, t = NULL, missing = NULL;
  g_autoptr(GVariant) allowed = NULL;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string (TITLE),
                                            NULL), &path);
  reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Transitions", NULL);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(aa{sv})");
  list = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  t = g_variant_get_child_value (list, 0);
  s = cl_test_dict_string (t, "name");
  g_assert_cmpstr (s, ==, "handoff");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (t, "to");
  g_assert_cmpstr (s, ==, "registered");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (t, "title");
  g_assert_cmpstr (s, !=, "");
  g_clear_pointer (&s, g_free);
  /* Root holds every role; a non-root test user is given every role. */
  allowed = cl_test_dict_get (t, "allowed", "b");
  g_assert_true (g_variant_get_boolean (allowed));
  missing = cl_test_dict_get (t, "missing", "as");
  g_assert_cmpuint (g_variant_n_children (missing), ==, 1);
  g_variant_get_child (missing, 0, "s", &s);
  g_assert_cmpstr (s, ==, "np_decision_no");
  g_clear_pointer (&s, g_free);

  /* The same answer reaches a second caller (replies are kept per
   * workflow, state and filled fields, and addressed to each caller)... */
  {
    DBusConnection *other = cl_harness_connect (h);
    g_autoptr(GVariant) again = cl_test_call_ok (other, path, CL_CASE_IFACE, "Transitions", NULL);

    g_assert_true (g_variant_equal (again, reply));
    cl_test_disconnect (other);
  }
  /* ...and once the field is set, nothing is missing any more. */
  g_variant_unref (cl_test_call_ok (c, path, CL_CASE_IFACE, "Update",
                                    g_variant_new ("(@a{sv}s)", cl_test_fields ("np_decision_no", g_variant_new_string ("NP-1"), NULL), "")));
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&list, g_variant_unref);
  g_clear_pointer (&t, g_variant_unref);
  g_clear_pointer (&missing, g_variant_unref);
  reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Transitions", NULL);
  list = g_variant_get_child_value (reply, 0);
  t = g_variant_get_child_value (list, 0);
  missing = cl_test_dict_get (t, "missing", "as");
  g_assert_cmpuint (g_variant_n_children (missing), ==, 0);

  cl_harness_free (h);
}

static void
test_update_and_comment (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL, *id = NULL, *s = NULL;
  g_autoptr(GVariant) reply = NULL, history = NULL, e = NULL, f = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GError) error = NULL;

  id = cl_test_create_case (c, "reverse_connection",
                            cl_test_fields ("title", g_variant_new_string (TITLE),
                                            NULL), &path);
  reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Update",
                           g_variant_new ("(@a{sv}s)",
                                          cl_test_fields ("np_person",
                                                          g_variant_new_string ("张三"),
                                                          NULL),
                                          "补充当事人"));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "()");
  g_clear_pointer (&reply, g_variant_unref);
  reply = cl_test_call_ok (c, path, CL_CASE_IFACE, "Comment",
                           g_variant_new ("(s)", "已电话联系"));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "()");

  history = cl_test_history (c, path);
  g_assert_cmpuint (g_variant_n_children (history), ==, 3);
  e = g_variant_get_child_value (history, 1);
  s = cl_test_dict_string (e, "action");
  g_assert_cmpstr (s, ==, "update");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (e, "comment");
  g_assert_cmpstr (s, ==, "补充当事人");
  g_clear_pointer (&s, g_free);
  f = cl_test_dict_get (e, "fields", "a{sv}");
  s = cl_test_dict_string (f, "np_person");
  g_assert_cmpstr (s, ==, "张三");
  g_clear_pointer (&s, g_free);
  g_clear_pointer (&e, g_variant_unref);
  e = g_variant_get_child_value (history, 2);
  s = cl_test_dict_string (e, "action");
  g_assert_cmpstr (s, ==, "comment");
  g_clear_pointer (&s, g_free);
  s = cl_test_dict_string (e, "comment");
  g_assert_cmpstr (s, ==, "已电话联系");
  g_clear_pointer (&s, g_free);
  /* Neither changes the state. */
  s = cl_test_case_state (c, path);
  g_assert_cmpstr (s, ==, "non_prosecuted");
  g_clear_pointer (&s, g_free);

  fields = cl_test_get_property (c, path, CL_CASE_IFACE, "Fields", &error);
  g_assert_no_error (error);
  s = cl_test_dict_string (fields, "np_person");
  g_assert_cmpstr (s, ==, "张三");

  cl_harness_free (h);
}

static void
test_workflows (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autoptr(GVariant) reply = NULL, list = NULL, wf = NULL, v = NULL;
  g_autoptr(GVariant) states = NULL, titles = NULL;
  gboolean found = FALSE;
  const char *zh = NULL;

  reply = cl_test_call_ok (c, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                           "ListWorkflows", NULL);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(aa{sv})");
  list = g_variant_get_child_value (reply, 0);
  for (gsize i = 0; i < g_variant_n_children (list) && !found; i++)
    {
      g_autofree char *name = NULL;

      g_clear_pointer (&wf, g_variant_unref);
      wf = g_variant_get_child_value (list, i);
      name = cl_test_dict_string (wf, "name");
      found = g_strcmp0 (name, "reverse_connection") == 0;
    }
  g_assert_true (found);
  v = cl_test_dict_get (wf, "version", "u");
  g_assert_cmpuint (g_variant_get_uint32 (v), ==, 1);
  titles = cl_test_dict_get (wf, "titles", "a{ss}");
  g_assert_true (g_variant_lookup (titles, "zh", "&s", &zh));
  g_assert_cmpstr (zh, ==, "行刑反向衔接");
  states = cl_test_dict_get (wf, "states", "as");
  g_assert_cmpuint (g_variant_n_children (states), ==, 9);

  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/lifecycle/create-advance-history", test_create_advance_history);
  g_test_add_func ("/lifecycle/list-and-count", test_list_and_count);
  g_test_add_func ("/lifecycle/case-properties", test_case_properties);
  g_test_add_func ("/lifecycle/transitions", test_transitions);
  g_test_add_func ("/lifecycle/update-and-comment", test_update_and_comment);
  g_test_add_func ("/lifecycle/workflows", test_workflows);
  return g_test_run ();
}
