/* test-plugin-ecology.c — the ecology plugin (plugins/ecology/) in the real
 * caselinkd, over D-Bus: its validator on every ecology case (InvalidArgs),
 * routing of public-interest clues to the circuit procuratorate of the
 * region from [plugin.ecology] region.NAME (Fields, Agency, History), the
 * guard that keeps a case with restoration pending verification open
 * (Rejected), restoration done recorded as a plea-leniency factor and
 * picked up by the criminal case, and its settings.
 *
 * The daemon loads the built plugins (CASELINK_PLUGINS_DIR), the shipped
 * workflows, plugins/ecology/workflows/ and the test stand-in of a criminal
 * case (tests/data/plugin-workflows/ecology/). */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

#define REGIONS                        \
  "[plugin.ecology]\n"                 \
  "region.sanjiangyuan=qh-proc-sjy\n"  \
  "region.qilianshan=qh-proc-qlm\n"    \
  "region.qinghai_lake=qh-proc-qhl\n"

/* ---- harness ------------------------------------------------------------------ */

/* Agencies of the Qinghai deployment (data/examples/qinghai), and this user
 * in qh-proc with the roles of the ecology workflows. */
static char *
write_actors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf (
    "roles:\n"
    "  proc_chief: {sees: all}\n"
    "  proc_pil: {sees: all}\n"
    "  proc_criminal: {sees: all}\n"
    "agencies:\n"
    "  - {id: qh-proc, name: 青海省人民检察院, kind: procuratorate}\n"
    "  - {id: qh-proc-sjy, name: 三江源地区生态环境公益诉讼巡回检察室, kind: procuratorate}\n"
    "  - {id: qh-proc-qlm, name: 祁连山南麓青海片区生态环境公益诉讼巡回检察室, kind: procuratorate}\n"
    "  - {id: qh-proc-qhl, name: 环青海湖区域生态环境公益诉讼巡回检察室, kind: procuratorate}\n"
    "  - {id: qh-forest, name: 青海省林业和草原局, kind: administrative}\n"
    "members:\n"
    "  - {user: \"%s\", agency: qh-proc, roles: [proc_pil, proc_criminal, proc_chief, eco_right_holder, "
    "agency_officer, agency_head]}\n",
    g_get_user_name ());
  char *path = NULL;
  int fd = g_file_open_tmp ("caselink-eco-actors-XXXXXX.yaml", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Restart the daemon with @extra appended to the harness' caselink.conf. */
static void
restart_with (ClHarness *h, const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;

  cl_harness_stop_daemon (h);
  g_file_get_contents (cl_harness_config_path (h), &base, NULL, &error);
  g_assert_no_error (error);
  text = g_strconcat (base, extra, NULL);
  g_file_set_contents (cl_harness_config_path (h), text, -1, &error);
  g_assert_no_error (error);
  cl_harness_start_daemon (h);
}

/* A daemon with the ecology workflows, and @conf (may be NULL) in its
 * caselink.conf. */
static ClHarness *
start (const char *conf)
{
  g_autofree char *shipped = cl_test_srcdir_path ("workflows");
  g_autofree char *plugin_wf = cl_test_srcdir_path ("plugins/ecology/workflows");
  g_autofree char *test_wf = cl_test_srcdir_path ("tests/data/plugin-workflows/ecology");
  g_autofree char *actors = write_actors ();
  const char *dirs[] = { shipped, plugin_wf, test_wf, NULL };
  const char *args[] = { "--plugins", g_getenv ("CASELINK_PLUGINS_DIR"), NULL };
  ClHarness *h = cl_harness_new_full (dirs, args, actors);

  g_unlink (actors);
  if (conf != NULL)
    restart_with (h, conf);
  return h;
}

/* ---- D-Bus helpers -------------------------------------------------------------- */

static char *
field_string (DBusConnection *conn, const char *path, const char *name)
{
  g_autoptr(GVariant) fields = cl_test_case_fields (conn, path);
  const char *s = NULL;

  return g_variant_lookup (fields, name, "&s", &s) ? g_strdup (s) : NULL;
}

static char *
case_agency (DBusConnection *conn, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = cl_test_get_property (conn, path, CL_CASE_IFACE, "Agency", &error);

  g_assert_no_error (error);
  return g_variant_dup_string (v, NULL);
}

static GVariant *
case_links (DBusConnection *conn, const char *path)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = cl_test_get_property (conn, path, CL_CASE_IFACE, "Links", &error);

  g_assert_no_error (error);
  return v;
}

/* The id linked under @relation, or NULL. */
static char *
linked (DBusConnection *conn, const char *path, const char *relation)
{
  g_autoptr(GVariant) links = case_links (conn, path);

  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *rel, *other;
      g_variant_get_child (links, i, "(&s&s&s)", &rel, &other, NULL);
      if (g_str_equal (rel, relation))
        return g_strdup (other);
    }
  return NULL;
}

static char *
path_of (DBusConnection *conn, const char *id)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                               g_variant_new ("(s)", id));
  char *path = NULL;

  g_variant_get (reply, "(o)", &path);
  return path;
}

/* Is there a history entry "plugin" with comment "set by @hook" setting @field? */
static gboolean
set_by (DBusConnection *conn, const char *path, const char *hook, const char *field)
{
  g_autoptr(GVariant) history = cl_test_history (conn, path);
  g_autofree char *comment = g_strdup_printf ("set by %s", hook);

  for (gsize i = 0; i < g_variant_n_children (history); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (history, i);
      g_autofree char *action = cl_test_dict_string (e, "action");
      g_autofree char *c = cl_test_dict_string (e, "comment");
      g_autoptr(GVariant) set = NULL;

      if (!g_str_equal (action, "plugin") || !g_str_equal (c, comment))
        continue;
      set = cl_test_dict_get (e, "fields", "a{sv}");
      {
        g_autoptr(GVariant) v = g_variant_lookup_value (set, field, NULL);
        if (v != NULL)
          return TRUE;
      }
    }
  return FALSE;
}

static GVariant *
create_call (DBusConnection *conn, const char *workflow, GVariant *fields, GError **error)
{
  return cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                       g_variant_new ("(s@a{sv})", workflow, fields), error);
}

static void
update (DBusConnection *conn, const char *path, GVariant *fields, GError **error)
{
  g_autoptr(GVariant) reply = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                                            g_variant_new ("(@a{sv}s)", fields, ""), error);
}

static void
advance_ok (DBusConnection *conn, const char *path, const char *transition, GVariant *fields, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (conn, path, transition, fields, "", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, expected);
}

static GVariant *
s (const char *v)
{
  return g_variant_new_string (v);
}

/* An eco_pil_clue in @region (NULL: none given). */
static char *
new_clue (DBusConnection *conn, const char *title, const char *domain, const char *region, char **path)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "title", "s", title);
  g_variant_dict_insert (&d, "domain", "s", domain);
  g_variant_dict_insert (&d, "clue_summary", "s", "非法采砂、破坏草场");
  if (region != NULL)
    g_variant_dict_insert (&d, "eco_region", "s", region);
  if (g_strcmp0 (region, "other_protected") == 0)
    g_variant_dict_insert (&d, "protected_area", "s", "青海可可西里国家级自然保护区");
  return cl_test_create_case (conn, "eco_pil_clue", g_variant_dict_end (&d), path);
}

/* An eco_restoration case in Sanjiangyuan, taken to verifying. */
static char *
restoration_in_verification (DBusConnection *conn, const char *criminal_case_id, char **path)
{
  GVariantDict d;
  const char *measures[] = { "补植复绿", "增殖放流", NULL };
  char *id;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "title", "s", "玛多县非法开采修复");
  g_variant_dict_insert (&d, "domain", "s", "ecology");
  g_variant_dict_insert (&d, "eco_region", "s", "sanjiangyuan");
  g_variant_dict_insert (&d, "damage_amount", "d", 1250000.0);
  g_variant_dict_insert (&d, "restoration_plan", "s", "三年内完成受损草场补植复绿，黄河源头增殖放流");
  g_variant_dict_insert (&d, "restoration_status", "s", "planned");
  if (criminal_case_id != NULL)
    g_variant_dict_insert (&d, "criminal_case_id", "s", criminal_case_id);
  id = cl_test_create_case (conn, "eco_restoration", g_variant_dict_end (&d), path);
  advance_ok (conn, *path, "start_restoration",
              cl_test_fields ("restoration_status", s ("in_progress"),
                              "restoration_measures", g_variant_new_strv (measures, -1), NULL),
              "restoring");
  advance_ok (conn, *path, "submit_for_verification",
              cl_test_fields ("restoration_status", s ("pending_verification"),
                              "progress_report", s ("补植 1200 亩，放流 50 万尾"), NULL),
              "verifying");
  return id;
}

/* ---- loading ----------------------------------------------------------------------- */

static void
test_loaded (void)
{
  ClHarness *h = start (REGIONS);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) wf_reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListWorkflows", NULL);
  g_autoptr(GVariant) workflows = g_variant_get_child_value (wf_reply, 0);
  gboolean found = FALSE;
  guint wf_found = 0;

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *name = cl_test_dict_string (e, "name");
      g_autoptr(GVariant) loaded = NULL, domains = NULL, hooks = NULL;
      g_autofree const char **hook_names = NULL;
      g_autofree const char **domain_names = NULL;

      if (!g_str_equal (name, "ecology"))
        continue;
      found = TRUE;
      loaded = cl_test_dict_get (e, "loaded", "b");
      g_assert_true (g_variant_get_boolean (loaded));
      domains = cl_test_dict_get (e, "domains", "as");
      domain_names = g_variant_get_strv (domains, NULL);
      g_assert_true (g_strv_contains (domain_names, "ecology"));
      hooks = cl_test_dict_get (e, "hooks", "as");
      hook_names = g_variant_get_strv (hooks, NULL);
      g_assert_true (g_strv_contains (hook_names, "ecology.check_fields"));
      g_assert_true (g_strv_contains (hook_names, "ecology.route_circuit"));
      g_assert_true (g_strv_contains (hook_names, "ecology.restoration_verified"));
      g_assert_true (g_strv_contains (hook_names, "ecology.record_leniency"));
      g_assert_true (g_strv_contains (hook_names, "ecology.import_leniency"));
    }
  g_assert_true (found);
  /* The workflows naming its hooks are accepted. */
  for (gsize i = 0; i < g_variant_n_children (workflows); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (workflows, i);
      g_autofree char *name = cl_test_dict_string (e, "name");
      wf_found += g_str_equal (name, "eco_pil_clue") || g_str_equal (name, "eco_restoration")
                  || g_str_equal (name, "eco_criminal_case");
    }
  g_assert_cmpuint (wf_found, ==, 3);
  cl_harness_free (h);
}

/* ---- validator ------------------------------------------------------------------------ */

static void
assert_refused (DBusConnection *conn, const char *workflow, GVariant *fields, const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = create_call (conn, workflow, fields, &error);
  g_autofree char *full = g_strconcat ("plugin ecology (ecology.check_fields): ", part, NULL);

  g_assert_null (reply);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", full);
}

static void
test_validator (void)
{
  ClHarness *h = start (REGIONS);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *other_path = NULL, *st_path = NULL;
  g_autofree char *id = NULL, *other = NULL, *st = NULL;

  /* Another protected area needs its name; none has none. */
  assert_refused (conn, "eco_restoration",
                  cl_test_fields ("title", s ("可可西里"), "domain", s ("ecology"),
                                  "eco_region", s ("other_protected"), NULL),
                  "eco_region is other_protected: name the protected area in protected_area");
  assert_refused (conn, "eco_pil_clue",
                  cl_test_fields ("title", s ("无区域"), "domain", s ("ecology"), "eco_region", s ("none"),
                                  "protected_area", s ("青海湖国家级自然保护区"), NULL),
                  "protected_area is '青海湖国家级自然保护区' but eco_region is none");
  /* Damage is not negative; a restoration status needs a plan. */
  assert_refused (conn, "eco_restoration",
                  cl_test_fields ("title", s ("负数"), "domain", s ("ecology"),
                                  "damage_amount", g_variant_new_double (-5.0), NULL),
                  "damage_amount -5.00: the damage (损害数额, yuan) cannot be negative");
  assert_refused (conn, "eco_restoration",
                  cl_test_fields ("title", s ("无方案"), "domain", s ("ecology"),
                                  "restoration_status", s ("planned"), NULL),
                  "restoration_status is planned but there is no restoration_plan");

  /* The validator serves the domain, whatever the workflow: the shipped
   * compensation workflow's cases are checked too. */
  assert_refused (conn, "eco_damage_compensation",
                  cl_test_fields ("title", s ("赔偿"), "domain", s ("ecology"),
                                  "damage_amount", g_variant_new_double (-1.0), NULL),
                  "damage_amount -1.00");
  st = cl_test_create_case (conn, "eco_damage_compensation",
                            cl_test_fields ("title", s ("赔偿"), "domain", s ("ecology"), "region", s ("other"),
                                            "damage_amount", g_variant_new_double (30000.0), NULL),
                            &st_path);

  /* ...and only the ecology domain's cases. */
  other = cl_test_create_case (conn, "eco_restoration",
                               cl_test_fields ("title", s ("别的领域"), "domain", s ("general"),
                                               "eco_region", s ("other_protected"),
                                               "damage_amount", g_variant_new_double (-5.0), NULL),
                               &other_path);

  /* Updates are checked on the merged fields, and change nothing when refused. */
  id = cl_test_create_case (conn, "eco_restoration",
                            cl_test_fields ("title", s ("可可西里"), "domain", s ("ecology"),
                                            "eco_region", s ("other_protected"),
                                            "protected_area", s ("青海可可西里国家级自然保护区"), NULL),
                            &path);
  update (conn, path, cl_test_fields ("protected_area", s (""), NULL), &error);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "eco_region is other_protected");
  {
    g_autofree char *area = field_string (conn, path, "protected_area");
    g_assert_cmpstr (area, ==, "青海可可西里国家级自然保护区");
  }
  update (conn, path, cl_test_fields ("restoration_status", s ("in_progress"), "restoration_plan", s ("封育"), NULL),
          &error);
  g_assert_no_error (error);
  cl_harness_free (h);
}

/* ---- routing ----------------------------------------------------------------------------- */

static void
assert_routed (DBusConnection *conn, const char *region, const char *agency)
{
  g_autofree char *path = NULL;
  g_autofree char *id = new_clue (conn, region, "ecology", region, &path);
  g_autofree char *field = field_string (conn, path, "circuit_procuratorate");
  g_autofree char *holder = case_agency (conn, path);

  g_assert_cmpstr (field, ==, agency);
  g_assert_cmpstr (holder, ==, agency);
  g_assert_true (set_by (conn, path, "ecology.route_circuit", "circuit_procuratorate"));
}

static void
test_routing (void)
{
  ClHarness *h = start (REGIONS);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *id = NULL, *field = NULL, *holder = NULL;
  g_autofree char *gpath = NULL, *gid = NULL, *pil_id = NULL, *pil_path = NULL, *back = NULL;

  /* Each national-park region to its circuit procuratorate. */
  assert_routed (conn, "sanjiangyuan", "qh-proc-sjy");
  assert_routed (conn, "qilianshan", "qh-proc-qlm");
  assert_routed (conn, "qinghai_lake", "qh-proc-qhl");

  /* Elsewhere the clue stays with the agency that opened it. */
  id = new_clue (conn, "可可西里", "ecology", "other_protected", &path);
  field = field_string (conn, path, "circuit_procuratorate");
  holder = case_agency (conn, path);
  g_assert_null (field);
  g_assert_cmpstr (holder, ==, "qh-proc");

  /* Not an ecology case: not routed, whatever the region. */
  gid = new_clue (conn, "三江源的另一个案件", "general", "sanjiangyuan", &gpath);
  g_clear_pointer (&field, g_free);
  field = field_string (conn, gpath, "circuit_procuratorate");
  g_assert_null (field);

  /* A corrected region is routed again by reroute. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&id, g_free);
  id = new_clue (conn, "祁连山", "ecology", "none", &path);
  g_clear_pointer (&holder, g_free);
  holder = case_agency (conn, path);
  g_assert_cmpstr (holder, ==, "qh-proc");
  advance_ok (conn, path, "reroute", cl_test_fields ("eco_region", s ("qilianshan"), NULL), "received");
  g_clear_pointer (&holder, g_free);
  holder = case_agency (conn, path);
  g_assert_cmpstr (holder, ==, "qh-proc-qlm");

  /* The circuit procuratorate opens the civil PIL case, linked. */
  advance_ok (conn, path, "open_civil",
              cl_test_fields ("pil_field", s ("ecology_resources"), "liable_party", s ("某矿业公司"), NULL),
              "opened_civil");
  pil_id = linked (conn, path, "pil_case");
  g_assert_nonnull (pil_id);
  g_assert_true (g_str_has_prefix (pil_id, "GM-"));
  pil_path = path_of (conn, pil_id);
  back = linked (conn, pil_path, "pil_case_of");
  g_assert_cmpstr (back, ==, id);
  cl_harness_free (h);
}

/* The map is configuration: another map routes elsewhere; an agency that
 * actors.yaml does not know fails the creation loudly; an unknown key keeps
 * the plugin (and the workflows naming its hooks) out. */
static void
test_routing_config (void)
{
  ClHarness *h = start ("[plugin.ecology]\nregion.sanjiangyuan=qh-proc-qhl\nregion.qilianshan=no-such-agency\n");
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *path = NULL, *holder = NULL, *log = NULL;
  g_autofree char *id = new_clue (conn, "三江源", "ecology", "sanjiangyuan", &path);

  holder = case_agency (conn, path);
  g_assert_cmpstr (holder, ==, "qh-proc-qhl");

  reply = create_call (conn, "eco_pil_clue",
                       cl_test_fields ("title", s ("祁连山"), "domain", s ("ecology"),
                                       "eco_region", s ("qilianshan"), NULL),
                       &error);
  g_assert_null (reply);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected",
                "plugin ecology: action ecology.route_circuit at creation failed: field 'circuit_procuratorate' "
                "(agency): unknown agency 'no-such-agency'");

  /* A typo in the group: the plugin does not load, and says why. */
  cl_harness_stop_daemon (h);
  {
    g_autofree char *base = NULL;
    g_autofree char *text = NULL;
    char *group;

    g_file_get_contents (cl_harness_config_path (h), &base, NULL, NULL);
    group = strstr (base, "[plugin.ecology]");
    g_assert_nonnull (group);
    *group = '\0';
    text = g_strconcat (base, "[plugin.ecology]\nregoin.sanjiangyuan=qh-proc-sjy\n", NULL);
    g_file_set_contents (cl_harness_config_path (h), text, -1, NULL);
  }
  cl_harness_start_daemon (h);
  g_clear_pointer (&reply, g_variant_unref);
  reply = create_call (conn, "eco_pil_clue", cl_test_fields ("title", s ("x"), NULL), &error);
  g_assert_null (reply);
  g_clear_error (&error);
  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  g_assert_nonnull (strstr (log, "[plugin.ecology] has no key 'regoin.sanjiangyuan'"));
  cl_harness_free (h);
}

/* ---- restoration --------------------------------------------------------------------------- */

static void
test_restoration_guard (void)
{
  ClHarness *h = start (REGIONS);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *path2 = NULL, *state = NULL, *holder = NULL;
  g_autofree char *id = restoration_in_verification (conn, NULL, &path);
  g_autofree char *id2 = NULL;

  /* Routed at creation, held by the circuit procuratorate throughout. */
  holder = case_agency (conn, path);
  g_assert_cmpstr (holder, ==, "qh-proc-sjy");

  state = cl_test_advance (conn, path, "close", cl_test_fields ("close_reason", s ("转为赔偿金"), NULL), "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected",
                "plugin ecology refused transition close: the restoration is pending verification (修复待验收)");
  state = cl_test_case_state (conn, path);
  g_assert_cmpstr (state, ==, "verifying");

  /* Sent back for more work, it may close (converted into compensation). */
  advance_ok (conn, path, "send_back",
              cl_test_fields ("restoration_status", s ("in_progress"), "rework_reason", s ("成活率不足"), NULL),
              "restoring");
  advance_ok (conn, path, "close", cl_test_fields ("close_reason", s ("转为赔偿金"), NULL), "closed");

  /* The guard reads the status, not the state: set by hand in restoring,
   * pending_verification still keeps the case open. */
  id2 = restoration_in_verification (conn, NULL, &path2);
  advance_ok (conn, path2, "send_back",
              cl_test_fields ("restoration_status", s ("in_progress"), "rework_reason", s ("补植不足"), NULL),
              "restoring");
  update (conn, path2, cl_test_fields ("restoration_status", s ("pending_verification"), NULL), &error);
  g_assert_no_error (error);
  g_clear_pointer (&state, g_free);
  state = cl_test_advance (conn, path2, "close", cl_test_fields ("close_reason", s ("x"), NULL), "", &error);
  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected", "the restoration is pending verification");

  /* Verified, it closes. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&id, g_free);
  id = restoration_in_verification (conn, NULL, &path);
  advance_ok (conn, path, "verify",
              cl_test_fields ("restoration_status", s ("verified"), "verification_report", s ("青环评〔2026〕8号"), NULL),
              "verified");
  advance_ok (conn, path, "close", cl_test_fields ("close_reason", s ("修复完成"), NULL), "closed");
  cl_harness_free (h);
}

static void
test_leniency (void)
{
  ClHarness *h = start (REGIONS);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GError) error = NULL;
  g_autofree char *crim_path = NULL, *path = NULL, *path2 = NULL, *plain_path = NULL;
  g_autofree char *crim = cl_test_create_case (conn, "eco_criminal_case",
                                               cl_test_fields ("title", s ("马某非法采矿案"),
                                                               "domain", s ("ecology"), NULL),
                                               &crim_path);
  g_autofree char *id = restoration_in_verification (conn, crim, &path);
  g_autofree char *id2 = NULL, *plain = NULL;
  g_autofree char *factor = NULL, *crim_factor = NULL, *restoration_link = NULL;
  g_autoptr(GVariant) fields = NULL;
  gboolean considered = FALSE;

  advance_ok (conn, path, "verify",
              cl_test_fields ("restoration_status", s ("verified"), "verification_report", s ("青环评〔2026〕8号"), NULL),
              "verified");
  /* Recorded on the ecological case, in the transition's change. */
  fields = cl_test_case_fields (conn, path);
  g_assert_true (g_variant_lookup (fields, "plea_leniency_considered", "b", &considered));
  g_assert_true (considered);
  g_assert_true (g_variant_lookup (fields, "plea_leniency_factor", "s", &factor));
  g_test_message ("factor: %s", factor);
  g_assert_nonnull (strstr (factor, "生态修复已完成并经验收（修复措施：补植复绿、增殖放流）"));
  g_assert_nonnull (strstr (factor, "修复效果评估报告青环评〔2026〕8号"));
  g_assert_nonnull (strstr (factor, "认罪认罚从宽"));
  g_assert_nonnull (strstr (factor, crim));
  g_assert_true (set_by (conn, path, "ecology.record_leniency", "plea_leniency_factor"));

  /* The criminal case picks it up at its sentencing proposal, and is
   * linked to the restoration case. */
  advance_ok (conn, crim_path, "propose_sentence", NULL, "proposed");
  crim_factor = field_string (conn, crim_path, "plea_leniency_factor");
  g_assert_nonnull (crim_factor);
  g_assert_nonnull (strstr (crim_factor, id));
  g_assert_nonnull (strstr (crim_factor, "认罪认罚从宽"));
  restoration_link = linked (conn, crim_path, "restoration");
  g_assert_cmpstr (restoration_link, ==, id);

  /* A criminal case linked by hand (relation criminal_case) counts too. */
  {
    g_autofree char *crim2_path = NULL, *crim2_factor = NULL;
    g_autofree char *crim2 = cl_test_create_case (conn, "eco_criminal_case",
                                                  cl_test_fields ("title", s ("李某滥伐林木案"),
                                                                  "domain", s ("ecology"), NULL),
                                                  &crim2_path);
    g_autoptr(GVariant) reply = NULL;

    id2 = restoration_in_verification (conn, NULL, &path2);
    reply = cl_test_call_ok (conn, path2, CL_CASE_IFACE, "Link", g_variant_new ("(ss)", crim2, "criminal_case"));
    advance_ok (conn, path2, "verify",
                cl_test_fields ("restoration_status", s ("verified"), "verification_report", s ("报告2"), NULL),
                "verified");
    advance_ok (conn, crim2_path, "propose_sentence", NULL, "proposed");
    crim2_factor = field_string (conn, crim2_path, "plea_leniency_factor");
    g_assert_nonnull (crim2_factor);
    g_assert_nonnull (strstr (crim2_factor, id2));
  }

  /* Without a criminal case there is nothing to record. */
  plain = restoration_in_verification (conn, NULL, &plain_path);
  advance_ok (conn, plain_path, "verify",
              cl_test_fields ("restoration_status", s ("verified"), "verification_report", s ("报告3"), NULL),
              "verified");
  {
    g_autofree char *none = field_string (conn, plain_path, "plea_leniency_factor");
    g_assert_null (none);
  }
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  if (g_getenv ("CASELINK_PLUGINS_DIR") == NULL)
    {
      g_printerr ("CASELINK_PLUGINS_DIR is not set (run under meson test)\n");
      return 77;
    }
  g_test_add_func ("/plugin-ecology/loaded", test_loaded);
  g_test_add_func ("/plugin-ecology/validator", test_validator);
  g_test_add_func ("/plugin-ecology/routing", test_routing);
  g_test_add_func ("/plugin-ecology/routing-config", test_routing_config);
  g_test_add_func ("/plugin-ecology/restoration-guard", test_restoration_guard);
  g_test_add_func ("/plugin-ecology/leniency", test_leniency);
  return g_test_run ();
}
