/* test-plugin-livelihood.c — the livelihood plugin (plugins/livelihood/)
 * through D-Bus, with the workflows of tests/data/plugin-workflows-2/livelihood:
 * it loads (alone, and with every plugin of the build tree as ./run.sh does);
 * sub_area and vulnerable_groups are checked, and the tags raise the
 * priority that ListCases filters on, with weights from caselink.conf; a
 * wage-arrears case is not transferred before the rectification order's
 * deadline has passed by the daemon's clock (--test-clock) in the
 * deployment's time zone, nor below the criminal threshold, whose figures
 * come from caselink.conf and must lie within the 2013 SPC interpretation's
 * ranges or the plugin does not load. */
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

/* A valid unified social credit code (GB 32100). */
#define EMPLOYER_USCC "91630100MA7520001B"

static const char *
built_plugins (void)
{
  return g_getenv ("CASELINK_PLUGINS_DIR");
}

static char *
livelihood_dir (void)
{
  return g_build_filename (built_plugins (), "livelihood", NULL);
}

static ClHarness *
start_in (const char *plugins)
{
  g_autofree char *wf = cl_test_srcdir_path ("tests/data/plugin-workflows-2/livelihood");
  const char *dirs[] = { wf, NULL };
  const char *args[] = { "--plugins", plugins, "--test-clock", NULL };

  return cl_harness_new_with_args (dirs, args);
}

static ClHarness *
start (void)
{
  g_autofree char *dir = livelihood_dir ();
  return start_in (dir);
}

/* Restart the daemon with the harness' caselink.conf plus @extra. */
static void
restart_with (ClHarness *h, const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL, *text = NULL;
  g_autofree char *orig = g_strconcat (cl_harness_config_path (h), ".orig", NULL);

  if (!g_file_get_contents (orig, &base, NULL, NULL))
    {
      g_file_get_contents (cl_harness_config_path (h), &base, NULL, &error);
      g_assert_no_error (error);
      g_file_set_contents (orig, base, -1, &error);
      g_assert_no_error (error);
    }
  text = g_strconcat (base, extra, NULL);
  cl_harness_stop_daemon (h);
  g_file_set_contents (cl_harness_config_path (h), text, -1, &error);
  g_assert_no_error (error);
  cl_harness_start_daemon (h);
}

/* The daemon's clock at @iso (an ISO 8601 instant with its offset). */
static void
set_time (ClHarness *h, const char *iso)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr(GVariant) r = NULL;

  g_assert_nonnull (t);
  r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                       g_variant_new ("(x)", g_date_time_to_unix (t) * G_USEC_PER_SEC));
}

/* The ListPlugins entry of @name (new ref), or NULL. */
static GVariant *
plugin_entry (DBusConnection *conn, const char *name)
{
  g_autoptr(GVariant) list = cl_test_list_plugins (conn);

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *n = cl_test_dict_string (e, "name");
      if (g_str_equal (n, name))
        return g_steal_pointer (&e);
    }
  return NULL;
}

static gboolean
plugin_loaded (DBusConnection *conn, const char *name)
{
  g_autoptr(GVariant) e = plugin_entry (conn, name);
  g_autoptr(GVariant) loaded = NULL;

  g_assert_nonnull (e);
  loaded = cl_test_dict_get (e, "loaded", "b");
  return g_variant_get_boolean (loaded);
}

static gint64
priority_of (DBusConnection *conn, const char *path)
{
  g_autoptr(GVariant) fields = cl_test_case_fields (conn, path);
  gint64 p = -1;

  g_assert_true (g_variant_lookup (fields, "priority", "x", &p));
  return p;
}

/* CreateCase expected to fail. */
static GError *
create_fails (DBusConnection *conn, const char *workflow, GVariant *fields)
{
  GError *error = NULL;
  g_autoptr(GVariant) r = cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                        g_variant_new ("(s@a{sv})", workflow, fields), &error);
  g_assert_null (r);
  return error;
}

static GError *
update_fails (DBusConnection *conn, const char *path, GVariant *fields)
{
  GError *error = NULL;
  g_autoptr(GVariant) r = cl_test_call (conn, path, CL_CASE_IFACE, "Update", g_variant_new ("(@a{sv}s)", fields, ""),
                                        &error);
  g_assert_null (r);
  return error;
}

static void
update_ok (DBusConnection *conn, const char *path, GVariant *fields)
{
  g_autoptr(GVariant) r = cl_test_call_ok (conn, path, CL_CASE_IFACE, "Update", g_variant_new ("(@a{sv}s)", fields, ""));
}

static GVariant *
tags (const char *first, ...)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *t = first; t != NULL; t = va_arg (ap, const char *))
    g_ptr_array_add (a, (gpointer) t);
  va_end (ap);
  return g_variant_new_strv ((const char *const *) a->pdata, (gssize) a->len);
}

static char *
new_clue (DBusConnection *conn, const char *title, const char *area, GVariant *groups, char **path)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "title", "s", title);
  g_variant_dict_insert (&d, "domain", "s", "livelihood");
  g_variant_dict_insert (&d, "sub_area", "s", area);
  if (groups != NULL)
    g_variant_dict_insert_value (&d, "vulnerable_groups", groups);
  return cl_test_create_case (conn, "livelihood_case", g_variant_dict_end (&d), path);
}

/* ---- loading ---------------------------------------------------------------- */

static void
test_loading (void)
{
  /* With every plugin of the build tree, as ./run.sh loads them. */
  ClHarness *h = start_in (built_plugins ());
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) e = NULL, hooks = NULL, domains = NULL;
  g_autofree const char **names = NULL;
  g_autofree char *file = NULL;

  g_assert_true (plugin_loaded (conn, "livelihood"));
  g_assert_true (plugin_loaded (conn, "minors"));
  e = plugin_entry (conn, "livelihood");
  hooks = cl_test_dict_get (e, "hooks", "as");
  domains = cl_test_dict_get (e, "domains", "as");
  file = cl_test_dict_string (e, "file");
  names = g_variant_get_strv (hooks, NULL);
  g_assert_true (g_str_has_suffix (file, "/livelihood/livelihood.so"));
  g_assert_true (g_strv_contains (names, "livelihood.check_fields"));
  g_assert_true (g_strv_contains (names, "livelihood.set_priority"));
  g_assert_true (g_strv_contains (names, "livelihood.wage_order_expired"));
  g_assert_true (g_strv_contains (names, "livelihood.meets_threshold"));
  {
    g_autoptr(GVariant) d0 = g_variant_get_child_value (domains, 0);
    g_assert_cmpuint (g_variant_n_children (domains), ==, 1);
    g_assert_cmpstr (g_variant_get_string (d0, NULL), ==, "livelihood");
  }
  g_assert_true (cl_test_workflow_listed (conn, "wage_arrears"));
  g_assert_true (cl_test_workflow_listed (conn, "livelihood_case"));
  cl_harness_free (h);
}

/* Thresholds outside the SPC ranges, bad weights, unknown keys: the plugin
 * declines to load, says why, and takes the workflows naming it along. */
static void
test_bad_config (void)
{
  static const struct {
    const char *conf;
    const char *why;
  } cases[] = {
    { "wage_single_min=3000\n", "wage_single_min=3000: expected an amount in yuan from 5000 to 20000" },
    { "wage_single_min=20001\n", "wage_single_min=20001" },
    { "wage_group_min=120000\n", "wage_group_min=120000: expected an amount in yuan from 30000 to 100000" },
    { "wage_group_min=lots\n", "wage_group_min=lots" },
    { "weight.elderly=-1\n", "weight.elderly=-1: expected a whole number from 0 to 1000" },
    { "base.moon=1\n", "base.moon: 'moon' is not a sub-area" },
    { "wage_singel_min=6000\n", "unknown key 'wage_singel_min'" },
  };
  ClHarness *h = start ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *conf = g_strconcat ("[plugin.livelihood]\n", cases[i].conf, NULL);
      g_autoptr(GVariant) e = NULL;
      g_autofree char *error = NULL;
      DBusConnection *conn;

      restart_with (h, conf);
      conn = cl_harness_connection (h);
      e = plugin_entry (conn, "livelihood");
      g_assert_nonnull (e);
      error = cl_test_dict_string (e, "error");
      g_test_message ("%s -> %s", cases[i].conf, error);
      g_assert_false (plugin_loaded (conn, "livelihood"));
      g_assert_nonnull (strstr (error, "init failed: "));
      if (strstr (error, cases[i].why) == NULL)
        g_error ("expected '%s' in: %s", cases[i].why, error);
      g_assert_false (cl_test_workflow_listed (conn, "wage_arrears"));
    }
  /* The ends of the ranges are fine. */
  restart_with (h, "[plugin.livelihood]\nwage_single_min=20000\nwage_group_min=30000\n");
  g_assert_true (plugin_loaded (cl_harness_connection (h), "livelihood"));
  g_assert_true (cl_test_workflow_listed (cl_harness_connection (h), "wage_arrears"));
  cl_harness_free (h);
}

/* ---- sub-areas, tags and priority ------------------------------------------------ */

static void
test_priority (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *p_old = NULL, *p_plain = NULL, *p_dup = NULL, *p_food = NULL;
  g_autofree char *id_old = NULL, *id_plain = NULL, *id_dup = NULL, *id_food = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) high = NULL, some = NULL;
  g_autofree char *state = NULL;

  /* Default weights: elderly 2, disabled 2; a tag counts once. */
  id_old = new_clue (conn, "养老机构克扣残疾老人补贴", "vulnerable_groups", tags ("elderly", "disabled", NULL), &p_old);
  g_assert_cmpint (priority_of (conn, p_old), ==, 4);
  id_dup = new_clue (conn, "重复标签", "vulnerable_groups", tags ("elderly", "elderly", NULL), &p_dup);
  g_assert_cmpint (priority_of (conn, p_dup), ==, 2);
  id_plain = new_clue (conn, "农资质量问题", "agriculture", NULL, &p_plain);
  g_assert_cmpint (priority_of (conn, p_plain), ==, 0);

  /* ListCases filters on it and shows it. */
  high = cl_test_list_cases (conn, cl_test_fields ("priority", g_variant_new_int64 (3), NULL));
  g_assert_cmpuint (g_variant_n_children (high), ==, 1);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (high, 0);
    g_autofree char *id = cl_test_dict_string (first, "id");
    g_assert_cmpstr (id, ==, id_old);
    g_assert_cmpint (cl_test_dict_int64 (first, "priority"), ==, 4);
  }

  /* Unknown groups, and a vulnerable_groups case naming none, are refused
   * naming the plugin. */
  error = create_fails (conn, "livelihood_case",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("livelihood"),
                                        "vulnerable_groups", tags ("aliens", NULL), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin livelihood (livelihood.check_fields): vulnerable_groups: 'aliens' is not a known vulnerable "
                "group (known: disabled, elderly, migrant_workers, minors, women;");
  error = create_fails (conn, "livelihood_case",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("livelihood"),
                                        "sub_area", g_variant_new_string ("vulnerable_groups"), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin livelihood (livelihood.check_fields): sub_area is vulnerable_groups: name the group(s)");
  /* A priority below what the tags call for, at creation or later. */
  error = create_fails (conn, "livelihood_case",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("livelihood"),
                                        "vulnerable_groups", tags ("women", NULL), "priority", g_variant_new_int64 (0),
                                        NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "priority 0 is below 1");
  error = update_fails (conn, p_plain, cl_test_fields ("vulnerable_groups", tags ("migrant_workers", NULL), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin livelihood (livelihood.check_fields): priority 0 is below 2, what the case's sub_area and "
                "vulnerable_groups call for: give priority=2");
  update_ok (conn, p_plain,
             cl_test_fields ("vulnerable_groups", tags ("migrant_workers", NULL), "priority", g_variant_new_int64 (2),
                             NULL));
  error = update_fails (conn, p_old, cl_test_fields ("priority", g_variant_new_int64 (1), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "priority 1 is below 4");

  /* Raised by hand, it stays: the plugin never lowers a priority. */
  update_ok (conn, p_dup, cl_test_fields ("priority", g_variant_new_int64 (9), NULL));
  state = cl_test_advance (conn, p_dup, "handle", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpint (priority_of (conn, p_dup), ==, 9);
  some = cl_test_list_cases (conn, cl_test_fields ("priority", g_variant_new_int64 (2), NULL));
  g_assert_cmpuint (g_variant_n_children (some), ==, 3);

  /* Weights and sub-area bases from caselink.conf; a configured group is
   * known from then on. */
  restart_with (h, "[plugin.livelihood]\nweight.elderly=5\nweight.pregnant_women=3\nbase.food_drug=10\n");
  conn = cl_harness_connection (h);
  id_food = new_clue (conn, "孕妇奶粉质量问题", "food_drug", tags ("elderly", "pregnant_women", NULL), &p_food);
  g_assert_cmpint (priority_of (conn, p_food), ==, 18);
  /* An old case's priority is now below its floor: a transition raises it. */
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, p_old, "handle", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpint (priority_of (conn, p_old), ==, 7);
  cl_harness_free (h);
}

/* ---- wage arrears ------------------------------------------------------------------ */

static char *
new_wage_case (DBusConnection *conn, const char *title, char **path)
{
  return cl_test_create_case (conn, "wage_arrears",
                              cl_test_fields ("title", g_variant_new_string (title),
                                              "domain", g_variant_new_string ("livelihood"),
                                              "sub_area", g_variant_new_string ("labour_rights"),
                                              "vulnerable_groups", tags ("migrant_workers", NULL),
                                              "employer", g_variant_new_string ("某建筑劳务公司"),
                                              "employer_uscc", g_variant_new_string (EMPLOYER_USCC), NULL),
                              path);
}

static void
order (DBusConnection *conn, const char *path, const char *deadline)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (conn, path, "issue_order",
                                            cl_test_fields ("order_no", g_variant_new_string ("青人社限改〔2026〕12号"),
                                                            "order_deadline", g_variant_new_string (deadline), NULL),
                                            "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "ordered");
}

static void
transfer_refused (DBusConnection *conn, const char *path, GVariant *fields, const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (conn, path, "transfer",
                                            fields != NULL ? fields : cl_test_fields ("transfer_no", g_variant_new_string ("T-1"), NULL),
                                            "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected", part);
  state = cl_test_case_state (conn, path);
  g_assert_cmpstr (state, ==, "ordered");
}

static void
test_wage_transfer (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *path = NULL, *state = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  set_time (h, "2026-03-02T09:00:00+08:00");
  id = new_wage_case (conn, "某工地拖欠农民工工资案", &path);
  g_assert_cmpint (priority_of (conn, path), ==, 2);
  error = create_fails (conn, "wage_arrears",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("livelihood"),
                                        "arrears_total", g_variant_new_double (1000),
                                        "arrears_single_max", g_variant_new_double (2000), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin livelihood (livelihood.check_fields): arrears_single_max ¥2000 is more than arrears_total ¥1000");
  order (conn, path, "2026-03-10");

  /* The order's last day is still running (23:00 in Xining). */
  set_time (h, "2026-03-10T23:00:00+08:00");
  transfer_refused (conn, path, NULL,
                    "plugin livelihood refused transition transfer: the rectification order's deadline 2026-03-10 "
                    "has not passed: non-payment is established only after it (2013 SPC interpretation art.4); "
                    "the case may be transferred from 2026-03-11 on");

  /* 00:30 on the 11th in Xining is still the 10th in UTC: the deployment's
   * day counts. The period is over; now the threshold decides. */
  set_time (h, "2026-03-11T00:30:00+08:00");
  transfer_refused (conn, path, NULL,
                    "plugin livelihood refused transition transfer: the arrears do not reach the criminal threshold "
                    "(数额较大, 2013 SPC interpretation art.3): one worker owed 3 months' wages or more and ¥5000 or "
                    "more ([plugin.livelihood] wage_single_min), or 10 workers or more owed ¥30000 or more in all "
                    "(wage_group_min); this case: workers_owed not recorded");
  transfer_refused (conn, path,
                    cl_test_fields ("transfer_no", g_variant_new_string ("T-1"),
                                    "workers_owed", g_variant_new_int64 (12),
                                    "arrears_total", g_variant_new_double (29000), NULL),
                    "this case: workers_owed 12, arrears_total ¥29000");
  /* The guards see the call's fields: twelve workers, ¥31,000. */
  state = cl_test_advance (conn, path, "transfer",
                           cl_test_fields ("transfer_no", g_variant_new_string ("T-1"),
                                           "workers_owed", g_variant_new_int64 (12),
                                           "arrears_total", g_variant_new_double (31000), NULL),
                           "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "transferred");
  cl_harness_free (h);
}

/* One worker, three months, ¥8,000: over the default ¥5,000, under a
 * province's ¥10,000. A cleared order deadline stops the transfer too. */
static void
test_wage_threshold_config (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  GVariant *one_worker;
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *state = NULL;
  g_autofree char *id1 = NULL, *id2 = NULL, *id3 = NULL;
  g_autoptr(GError) error = NULL;

  set_time (h, "2026-04-01T10:00:00+08:00");
  id1 = new_wage_case (conn, "单人欠薪一", &p1);
  id2 = new_wage_case (conn, "单人欠薪二", &p2);
  id3 = new_wage_case (conn, "无期限", &p3);
  order (conn, p1, "2026-04-10");
  order (conn, p2, "2026-04-10");
  order (conn, p3, "2026-04-10");
  set_time (h, "2026-04-20T10:00:00+08:00");

  one_worker = cl_test_fields ("transfer_no", g_variant_new_string ("T-2"), "workers_owed", g_variant_new_int64 (1),
                               "arrears_total", g_variant_new_double (8000), "arrears_months", g_variant_new_int64 (3),
                               NULL);
  g_variant_ref_sink (one_worker);
  state = cl_test_advance (conn, p1, "transfer", one_worker, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "transferred");

  update_ok (conn, p3, cl_test_fields ("order_deadline", g_variant_new_string (""), NULL));
  transfer_refused (conn, p3, one_worker,
                    "plugin livelihood refused transition transfer: no rectification order deadline is recorded "
                    "(order_deadline)");

  restart_with (h, "[plugin.livelihood]\nwage_single_min=10000\nwage_group_min=50000\n");
  conn = cl_harness_connection (h);
  set_time (h, "2026-04-20T10:00:00+08:00");
  transfer_refused (conn, p2, one_worker,
                    "one worker owed 3 months' wages or more and ¥10000 or more ([plugin.livelihood] "
                    "wage_single_min), or 10 workers or more owed ¥50000 or more in all (wage_group_min); this case: "
                    "workers_owed 1, arrears_total ¥8000, arrears_months 3, arrears_single_max ¥8000");
  g_variant_unref (one_worker);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (built_plugins () == NULL)
    {
      g_printerr ("CASELINK_PLUGINS_DIR is not set (run under meson test)\n");
      return 77;
    }
  g_test_add_func ("/plugin-livelihood/loading", test_loading);
  g_test_add_func ("/plugin-livelihood/bad-config", test_bad_config);
  g_test_add_func ("/plugin-livelihood/priority", test_priority);
  g_test_add_func ("/plugin-livelihood/wage-transfer", test_wage_transfer);
  g_test_add_func ("/plugin-livelihood/wage-threshold-config", test_wage_threshold_config);
  return g_test_run ();
}
