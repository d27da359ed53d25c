/* test-plugin-minors.c — the minors plugin (plugins/minors/) through D-Bus,
 * with the shipped workflows and plugins/minors/workflows:
 *
 *  - privacy by default: the pii fields of a minors' case (name, ID number,
 *    address, school, guardian) are hidden from a caller without
 *    minors_handler — in Case1.Fields, History entries, what caselinkctl
 *    prints and exports as JSON, PropertiesChanged signals (for every
 *    subscriber, root included), and never in ListCases or the daemon's log
 *    — and shown to a caller with it; the role is configurable;
 *  - a title may not carry those values (titles are never redacted);
 *  - minors.claim_domain keeps a workflow's cases in the minors domain;
 *  - sealing (犯罪记录封存) end to end: minors.seal_record seals the record,
 *    which then vanishes for a user without sealing_query (caselinkctl show
 *    exits 3, list leaves it out), is read through QuerySealed (recorded
 *    in the history; pii still hidden from a reader without minors_handler),
 *    and minors.unseal_record brings it back.
 *
 * Clients run under other uids with setpriv, as test-roles does; the actors
 * file is written here: user daemon (uid 1) is minors_handler, bin (uid 2)
 * proc_chief (sees every case, no minors_handler, no sealing_query), sys
 * (uid 3) proc_chief and sealing_query without minors_handler. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

#define HANDLER_UID "1"   /* daemon */
#define CHIEF_UID "2"     /* bin */
#define SEALQ_UID "3"     /* sys */

/* The minor's personal data in the mandatory report. */
#define MINOR_NAME "王小明"
#define MINOR_ID "630102201203151236"
#define MINOR_ADDRESS "西宁市城中区南大街1号"
#define MINOR_SCHOOL "西宁市第一实验小学"
#define MINOR_SCHOOL_2 "西宁市第二实验小学"
#define GUARDIAN "王父 13800000000"

/* The subject of the sealed record. */
#define SUBJECT_NAME "李小华"
#define SUBJECT_ID "630102200906010021"
#define SUBJECT_SCHOOL "西宁市第五中学"
#define DECISION_NO "(2026)青0102刑初12号"

static const char actors_yaml[] =
  "roles:\n"
  "  proc_chief: {sees: all}\n"
  "  minors_handler: {sees: all}\n"
  "agencies:\n"
  "  - {id: qh-proc, name: 青海省人民检察院, kind: procuratorate}\n"
  "  - {id: xn-psb, name: 西宁市公安局, kind: public_security}\n"
  "members:\n"
  "  - {user: daemon, agency: qh-proc, roles: [proc_minor, minors_handler]}\n"
  "  - {user: bin, agency: qh-proc, roles: [proc_chief]}\n"
  "  - {user: sys, agency: qh-proc, roles: [proc_chief, sealing_query]}\n";

static char *actors_path;

static ClHarness *
start (void)
{
  g_autofree char *shipped = cl_test_srcdir_path ("workflows");
  g_autofree char *wf = cl_test_srcdir_path ("plugins/minors/workflows");
  g_autofree char *plugins = g_build_filename (g_getenv ("CASELINK_PLUGINS_DIR"), "minors", NULL);
  const char *dirs[] = { shipped, wf, NULL };
  const char *args[] = { "--plugins", plugins, NULL };

  return cl_harness_new_full (dirs, args, actors_path);
}

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

static gboolean
other_uids_possible (void)
{
  return getuid () == 0 && cl_test_have_program ("setpriv") && cl_test_have_program ("dbus-send");
}

/* Run @argv as @uid; exit status, stdout+stderr in @out. */
static int
run_as (const char *uid, const char *const *argv, char **out)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  int status = 0;

  cl_test_argv_setpriv (full, uid);
  for (const char *const *a = argv; *a != NULL; a++)
    g_ptr_array_add (full, g_strdup (*a));
  g_ptr_array_add (full, NULL);
  g_spawn_sync (NULL, (char **) full->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text, &stderr_text,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s as uid %s -> %d\n%s%s", argv[0], uid, status, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_strconcat (stdout_text, stderr_text, NULL);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

/* caselinkctl --address A --json VERB [ARG] as @uid. */
static int
ctl_as (ClHarness *h, const char *uid, const char *verb, const char *arg, char **out)
{
  const char *argv[] = { g_getenv ("CASELINKCTL"), "--address", cl_harness_address (h), "--json", verb, arg, NULL };
  return run_as (uid, argv, out);
}

/* Case1.QuerySealed(@reason) on @path as @uid, through dbus-send. */
static int
query_sealed_as (ClHarness *h, const char *uid, const char *path, const char *reason, char **out)
{
  g_autofree char *bus = g_strdup_printf ("--bus=%s", cl_harness_address (h));
  g_autofree char *arg = g_strdup_printf ("string:%s", reason);
  const char *argv[] = { "dbus-send", bus, "--print-reply", "--dest=org.caselink", path,
                         "org.caselink.Case1.QuerySealed", arg, NULL };
  return run_as (uid, argv, out);
}

static void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("expected '%s' in:\n%s", part, text);
}

static void
assert_lacks (const char *text, const char *part)
{
  if (strstr (text, part) != NULL)
    g_error ("'%s' must not appear in:\n%s", part, text);
}

static void
assert_no_minor_pii (const char *text)
{
  assert_lacks (text, MINOR_NAME);
  assert_lacks (text, MINOR_ID);
  assert_lacks (text, MINOR_ADDRESS);
  assert_lacks (text, MINOR_SCHOOL);
  assert_lacks (text, MINOR_SCHOOL_2);
  assert_lacks (text, GUARDIAN);
  assert_lacks (text, "minor_name");
  assert_lacks (text, "minor_id_number");
}

static char *
new_report (DBusConnection *conn, char **path)
{
  return cl_test_create_case (conn, "minor_mandatory_report",
                              cl_test_fields ("title", g_variant_new_string ("某小学学生遭受侵害案"),
                                              "domain", g_variant_new_string ("minors"),
                                              "receiving_psb", g_variant_new_string ("xn-psb"),
                                              "minor_name", g_variant_new_string (MINOR_NAME),
                                              "minor_id_number", g_variant_new_string (MINOR_ID),
                                              "minor_address", g_variant_new_string (MINOR_ADDRESS),
                                              "minor_school", g_variant_new_string (MINOR_SCHOOL),
                                              "guardian_contact", g_variant_new_string (GUARDIAN),
                                              "minor_age", g_variant_new_int64 (13),
                                              "harm_type", g_variant_new_string ("abuse"), NULL),
                              path);
}

/* ---- loading ------------------------------------------------------------------ */

static void
test_loading (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  gboolean found = FALSE;

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *name = cl_test_dict_string (e, "name");
      g_autoptr(GVariant) loaded = NULL, hooks = NULL, domains = NULL;
      g_autofree const char **hook_names = NULL;
      g_autofree const char **domain_names = NULL;

      if (!g_str_equal (name, "minors"))
        continue;
      found = TRUE;
      loaded = cl_test_dict_get (e, "loaded", "b");
      hooks = cl_test_dict_get (e, "hooks", "as");
      domains = cl_test_dict_get (e, "domains", "as");
      hook_names = g_variant_get_strv (hooks, NULL);
      domain_names = g_variant_get_strv (domains, NULL);
      g_assert_true (g_variant_get_boolean (loaded));
      g_assert_cmpuint (g_strv_length ((char **) domain_names), ==, 1);
      g_assert_cmpstr (domain_names[0], ==, "minors");
      g_assert_true (g_strv_contains (hook_names, "minors.hide_pii"));
      g_assert_true (g_strv_contains (hook_names, "minors.check_fields"));
      g_assert_true (g_strv_contains (hook_names, "minors.claim_domain"));
      g_assert_true (g_strv_contains (hook_names, "minors.seal_record"));
      g_assert_true (g_strv_contains (hook_names, "minors.unseal_record"));
    }
  g_assert_true (found);

  /* An unknown key, or a role that is not a name, and it does not load. */
  restart_with (h, "[plugin.minors]\nhandler_rolle=x\n");
  {
    g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE,
                                             "ListPlugins", NULL);
    g_autofree char *text = g_variant_print (r, FALSE);
    assert_contains (text, "init failed: [plugin.minors] unknown key 'handler_rolle'");
  }
  cl_harness_free (h);
}

/* ---- privacy by default ---------------------------------------------------------- */

static void
test_redaction (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  DBusConnection *sub = cl_harness_connect (h);
  g_autofree char *path = NULL, *out = NULL, *log = NULL;
  g_autofree char *id = new_report (conn, &path);
  g_autoptr(GVariant) fields = cl_test_case_fields (conn, path);
  g_autoptr(GVariant) signal_fields = NULL, list = NULL, history = NULL, r = NULL;
  g_autofree char *list_text = NULL, *signal_text = NULL;
  const char *s = NULL;
  static const char *const metadata[] = { "id", "path", "workflow", "state", "title", "domain", "agency",
                                          "created", "updated", "deadline", "overdue", "sealed", "priority", NULL };

  /* Root holds every role, minors_handler included. */
  g_assert_true (g_variant_lookup (fields, "minor_name", "&s", &s));
  g_assert_cmpstr (s, ==, MINOR_NAME);
  g_assert_true (g_variant_lookup (fields, "minor_id_number", "&s", &s));

  /* Signals go out for a reader with no roles: no pii, for every
   * subscriber, root included. */
  r = cl_test_call_ok (sub, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe", NULL);
  g_clear_pointer (&r, g_variant_unref);
  r = cl_test_call_ok (conn, path, CL_CASE_IFACE, "Update",
                       g_variant_new ("(@a{sv}s)",
                                      cl_test_fields ("minor_school", g_variant_new_string (MINOR_SCHOOL_2), NULL), ""));
  signal_fields = cl_test_wait_properties_fields (sub, path);
  signal_text = g_variant_print (signal_fields, FALSE);
  g_test_message ("signal Fields: %s", signal_text);
  assert_contains (signal_text, "harm_type");
  assert_no_minor_pii (signal_text);
  assert_lacks (signal_text, "minor_school");
  cl_test_disconnect (sub);

  /* ListCases carries no field values at all. */
  list = cl_test_list_cases (conn, NULL);
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      GVariantIter it;
      const char *key;
      GVariant *v;

      g_variant_iter_init (&it, e);
      while (g_variant_iter_next (&it, "{&sv}", &key, &v))
        {
          if (!g_strv_contains (metadata, key))
            g_error ("ListCases entry has '%s', which is not case metadata", key);
          g_variant_unref (v);
        }
    }
  list_text = g_variant_print (list, FALSE);
  assert_no_minor_pii (list_text);

  /* Root's History has the pii the changes set. */
  history = cl_test_history (conn, path);
  {
    g_autofree char *text = g_variant_print (history, FALSE);
    assert_contains (text, MINOR_NAME);
    assert_contains (text, MINOR_SCHOOL_2);
  }

  if (!other_uids_possible ())
    {
      g_test_skip ("needs root, setpriv and dbus-send to read as other users");
      cl_harness_free (h);
      return;
    }

  /* bin sees every case (proc_chief) but holds no minors_handler: Fields,
   * History and the list, as caselinkctl shows and exports them, have no
   * pii; what is not personal data is there. */
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, &out), ==, 0);
  assert_contains (out, "harm_type");
  assert_contains (out, "abuse");
  assert_contains (out, "minor_age");
  assert_no_minor_pii (out);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "history", id, &out), ==, 0);
  assert_contains (out, "created");
  assert_contains (out, "harm_type");
  assert_no_minor_pii (out);
  assert_lacks (out, "minor_school");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "list", NULL, &out), ==, 0);
  assert_contains (out, id);
  assert_no_minor_pii (out);
  g_clear_pointer (&out, g_free);

  /* daemon holds minors_handler: it sees them. */
  g_assert_cmpint (ctl_as (h, HANDLER_UID, "show", id, &out), ==, 0);
  assert_contains (out, MINOR_NAME);
  assert_contains (out, MINOR_ID);
  assert_contains (out, MINOR_SCHOOL_2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_as (h, HANDLER_UID, "history", id, &out), ==, 0);
  assert_contains (out, MINOR_ADDRESS);
  assert_contains (out, MINOR_SCHOOL_2);
  g_clear_pointer (&out, g_free);

  /* The role is configurable: with handler_role=proc_chief, bin sees them
   * and daemon does not. */
  restart_with (h, "[plugin.minors]\nhandler_role=proc_chief\n");
  g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, &out), ==, 0);
  assert_contains (out, MINOR_NAME);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_as (h, HANDLER_UID, "show", id, &out), ==, 0);
  assert_contains (out, "harm_type");
  assert_no_minor_pii (out);
  g_clear_pointer (&out, g_free);

  /* The daemon's log never carried them. */
  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  assert_no_minor_pii (log);
  cl_harness_free (h);
}

/* ---- validation ------------------------------------------------------------------ */

static GError *
create_fails (DBusConnection *conn, const char *workflow, GVariant *fields)
{
  GError *error = NULL;
  g_autoptr(GVariant) r = cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                        g_variant_new ("(s@a{sv})", workflow, fields), &error);
  g_assert_null (r);
  return error;
}

static void
test_validation (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *id = NULL, *log = NULL;

  /* A title is shown to everyone: it may not carry the minor's name. The
   * refusal names the field, not the value. */
  error = create_fails (conn, "minor_mandatory_report",
                        cl_test_fields ("title", g_variant_new_string ("王小明遭受家暴案"),
                                        "domain", g_variant_new_string ("minors"),
                                        "receiving_psb", g_variant_new_string ("xn-psb"),
                                        "minor_name", g_variant_new_string (MINOR_NAME), NULL));
  assert_lacks (error->message, MINOR_NAME);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin minors (minors.check_fields): the title contains the value of minor_name, which is personal "
                "data of a minor");
  /* Nor gain it later. */
  id = new_report (conn, &path);
  {
    g_autoptr(GVariant) r = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                                          g_variant_new ("(@a{sv}s)",
                                                         cl_test_fields ("title",
                                                                         g_variant_new_string ("就读于" MINOR_SCHOOL "的学生"),
                                                                         NULL),
                                                         ""),
                                          &error);
    g_assert_null (r);
    cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "the title contains the value of minor_school");
  }
  /* A minor is under 18. */
  error = create_fails (conn, "minor_mandatory_report",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("minors"),
                                        "receiving_psb", g_variant_new_string ("xn-psb"),
                                        "minor_age", g_variant_new_int64 (19), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "plugin minors (minors.check_fields): minor_age 19");
  /* person_id fields are checked (GB 11643 check digit) by the daemon. */
  error = create_fails (conn, "minor_mandatory_report",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("minors"),
                                        "receiving_psb", g_variant_new_string ("xn-psb"),
                                        "minor_id_number", g_variant_new_string ("630102201203151230"), NULL));
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "GB 11643");
  /* ...and by the plugin, through the SDK, in plain string fields named in
   * id_fields. */
  restart_with (h, "[plugin.minors]\nid_fields=minor_address\n");
  conn = cl_harness_connection (h);
  error = create_fails (conn, "minor_mandatory_report",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("minors"),
                                        "receiving_psb", g_variant_new_string ("xn-psb"),
                                        "minor_address", g_variant_new_string (MINOR_ADDRESS), NULL));
  assert_lacks (error->message, MINOR_ADDRESS);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs",
                "plugin minors (minors.check_fields): minor_address is not a valid resident identity number");
  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  assert_no_minor_pii (log);
  cl_harness_free (h);
}

/* ---- sealing ------------------------------------------------------------------------ */

static void
test_sealing (void)
{
  ClHarness *h = start ();
  DBusConnection *conn = cl_harness_connection (h);
  DBusConnection *sub = cl_harness_connect (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *state = NULL, *out = NULL, *log = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GVariant) fields = NULL, record = NULL, sealed = NULL, signal_fields = NULL, r = NULL, domain = NULL;

  /* The case falls into the minors domain by itself... */
  id = cl_test_create_case (conn, "minor_record_sealing",
                            cl_test_fields ("title", g_variant_new_string ("某未成年人盗窃案犯罪记录封存"),
                                            "subject_name", g_variant_new_string (SUBJECT_NAME),
                                            "subject_id_number", g_variant_new_string (SUBJECT_ID),
                                            "subject_school", g_variant_new_string (SUBJECT_SCHOOL),
                                            "age_at_offence", g_variant_new_int64 (16),
                                            "disposition", g_variant_new_string ("sentenced"),
                                            "sentence_months", g_variant_new_int64 (6),
                                            "decision_no", g_variant_new_string (DECISION_NO), NULL),
                            &path);
  domain = cl_test_get_property (conn, path, CL_CASE_IFACE, "Domain", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (domain, NULL), ==, "minors");
  /* ...and cannot be put elsewhere, out of the redactor's reach. */
  error = create_fails (conn, "minor_record_sealing",
                        cl_test_fields ("title", g_variant_new_string ("x"), "domain", g_variant_new_string ("general"),
                                        NULL));
  cl_test_assert_error (&error, "org.caselink.Error.Rejected",
                "plugin minors: action minors.claim_domain");
  {
    g_autoptr(GVariant) all = cl_test_list_cases (conn, NULL);
    g_assert_cmpuint (g_variant_n_children (all), ==, 1);
  }

  if (other_uids_possible ())
    {
      /* Before sealing: bin finds it, without the pii. */
      g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, &out), ==, 0);
      assert_contains (out, DECISION_NO);
      assert_lacks (out, SUBJECT_NAME);
      assert_lacks (out, SUBJECT_ID);
      g_clear_pointer (&out, g_free);
    }

  /* Seal through the plugin's action. */
  r = cl_test_call_ok (sub, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe", NULL);
  state = cl_test_advance (conn, path, "seal",
                           cl_test_fields ("sealing_notice_no", g_variant_new_string ("青检封〔2026〕3号"), NULL), "",
                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "sealed");
  sealed = cl_test_get_property (conn, path, CL_CASE_IFACE, "Sealed", &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_get_boolean (sealed));
  /* The signal about it shows nothing of the record but its title. */
  signal_fields = cl_test_wait_properties_fields (sub, path);
  {
    g_autofree char *text = g_variant_print (signal_fields, FALSE);
    g_test_message ("signal Fields: %s", text);
    assert_lacks (text, SUBJECT_NAME);
    assert_lacks (text, DECISION_NO);
    assert_lacks (text, "age_at_offence");
  }
  cl_test_disconnect (sub);
  /* Root (sealing_query) finds it, but its content only via QuerySealed. */
  fields = cl_test_case_fields (conn, path);
  g_assert_cmpuint (g_variant_n_children (fields), ==, 0);
  record = cl_test_call_ok (conn, path, CL_CASE_IFACE, "QuerySealed",
                            g_variant_new ("(s)", "入伍政审 (military enlistment check), 青检〔2026〕5号"));
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (record, 0);
    g_autoptr(GVariant) rec_fields = g_variant_lookup_value (dict, "fields", G_VARIANT_TYPE_VARDICT);
    g_autoptr(GVariant) rec_hist = g_variant_lookup_value (dict, "history", G_VARIANT_TYPE ("aa{sv}"));
    g_autoptr(GVariant) last = g_variant_get_child_value (rec_hist, g_variant_n_children (rec_hist) - 1);
    g_autofree char *action = cl_test_dict_string (last, "action");
    gboolean flag = FALSE;
    const char *who = NULL;

    g_assert_true (g_variant_lookup (rec_fields, "subject_name", "&s", &who));
    g_assert_cmpstr (who, ==, SUBJECT_NAME);
    /* The action kept the workflow's sealed field in step. */
    g_assert_true (g_variant_lookup (rec_fields, "sealed", "b", &flag));
    g_assert_true (flag);
    g_assert_cmpstr (action, ==, "sealed_query");
  }

  if (other_uids_possible ())
    {
      g_autoptr(GVariant) again = NULL;
      int seen = 0;

      /* Without sealing_query the record is gone. */
      g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, &out), ==, 3);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (ctl_as (h, CHIEF_UID, "list", NULL, &out), ==, 0);
      assert_lacks (out, id);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (query_sealed_as (h, CHIEF_UID, path, "好奇", &out), !=, 0);
      assert_contains (out, "org.caselink.Error");
      assert_lacks (out, SUBJECT_NAME);
      g_clear_pointer (&out, g_free);

      /* sys holds sealing_query but not minors_handler: its authorised
       * query gets the record without the pii. */
      g_assert_cmpint (query_sealed_as (h, SEALQ_UID, path, "司法机关办案需要，青公刑〔2026〕88号", &out), ==, 0);
      assert_contains (out, "decision_no");
      assert_contains (out, DECISION_NO);
      assert_lacks (out, SUBJECT_NAME);
      assert_lacks (out, SUBJECT_ID);
      assert_lacks (out, SUBJECT_SCHOOL);
      g_clear_pointer (&out, g_free);

      /* Both reads are in the record's history, with who and why. */
      again = cl_test_call_ok (conn, path, CL_CASE_IFACE, "QuerySealed", g_variant_new ("(s)", "复核查询记录"));
      {
        g_autoptr(GVariant) dict = g_variant_get_child_value (again, 0);
        g_autoptr(GVariant) hist = g_variant_lookup_value (dict, "history", G_VARIANT_TYPE ("aa{sv}"));

        for (gsize i = 0; i < g_variant_n_children (hist); i++)
          {
            g_autoptr(GVariant) e = g_variant_get_child_value (hist, i);
            g_autofree char *action = cl_test_dict_string (e, "action");
            g_autofree char *user = cl_test_dict_string (e, "user");
            g_autofree char *comment = cl_test_dict_string (e, "comment");

            if (!g_str_equal (action, "sealed_query"))
              continue;
            seen++;
            if (g_str_equal (user, "sys"))
              assert_contains (comment, "青公刑〔2026〕88号");
          }
        g_assert_cmpint (seen, ==, 3);
      }
    }

  /* Unsealed, the case is back for everyone allowed to see it (still
   * without the pii for bin). */
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, path, "unseal",
                           cl_test_fields ("unseal_reason", g_variant_new_string ("再犯新罪，合并刑罚超过五年"), NULL), "",
                           &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "unsealed");
  g_clear_pointer (&sealed, g_variant_unref);
  sealed = cl_test_get_property (conn, path, CL_CASE_IFACE, "Sealed", &error);
  g_assert_no_error (error);
  g_assert_false (g_variant_get_boolean (sealed));
  g_clear_pointer (&fields, g_variant_unref);
  fields = cl_test_case_fields (conn, path);
  {
    gboolean flag = TRUE;
    g_assert_true (g_variant_lookup (fields, "sealed", "b", &flag));
    g_assert_false (flag);
  }
  if (other_uids_possible ())
    {
      g_assert_cmpint (ctl_as (h, CHIEF_UID, "show", id, &out), ==, 0);
      assert_contains (out, DECISION_NO);
      assert_lacks (out, SUBJECT_NAME);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (ctl_as (h, CHIEF_UID, "list", NULL, &out), ==, 0);
      assert_contains (out, id);
      g_clear_pointer (&out, g_free);
    }
  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  assert_lacks (log, SUBJECT_NAME);
  assert_lacks (log, SUBJECT_ID);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int fd, rc;

  cl_test_init (&argc, &argv);
  if (g_getenv ("CASELINK_PLUGINS_DIR") == NULL)
    {
      g_printerr ("CASELINK_PLUGINS_DIR is not set (run under meson test)\n");
      return 77;
    }
  /* The actors file: readable by the daemon, removed at the end. */
  fd = g_file_open_tmp ("caselink-minors-actors-XXXXXX.yaml", &actors_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (actors_path, actors_yaml, -1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/plugin-minors/loading", test_loading);
  g_test_add_func ("/plugin-minors/redaction", test_redaction);
  g_test_add_func ("/plugin-minors/validation", test_validation);
  g_test_add_func ("/plugin-minors/sealing", test_sealing);
  rc = g_test_run ();
  g_unlink (actors_path);
  g_free (actors_path);
  return rc;
}
