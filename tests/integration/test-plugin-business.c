/* test-plugin-business.c — the business plugin (plugins/business/) in the
 * real caselinkd, over D-Bus: unified social credit codes checked with both
 * their check characters (GB 32100, GB 11714) and given with the
 * enterprise's name (InvalidArgs); the inspection register and its annual
 * cap per enterprise from [plugin.business] (Rejected, Fields); seizing or
 * freezing only with a justification and within the amount involved; and
 * IP/counterfeit cases ("双打") transferred on reasonable suspicion below
 * the threshold that binds the others (a linked forward_transfer case).
 *
 * The daemon loads the built plugins (CASELINK_PLUGINS_DIR), the shipped
 * workflows (forward_transfer is the transfer's target) and
 * plugins/business/workflows/. */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

/* ---- harness ------------------------------------------------------------------ */

static char *
write_actors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf (
    "roles:\n"
    "  proc_chief: {sees: all}\n"
    "agencies:\n"
    "  - {id: qh-proc, name: 青海省人民检察院, kind: procuratorate}\n"
    "  - {id: qh-amr, name: 青海省市场监督管理局, kind: administrative}\n"
    "  - {id: qh-em, name: 青海省应急管理厅, kind: administrative}\n"
    "  - {id: qh-psb, name: 青海省公安厅, kind: public_security}\n"
    "members:\n"
    "  - {user: \"%s\", agency: qh-amr, roles: [agency_officer, agency_head, proc_chief, proc_pil]}\n",
    g_get_user_name ());
  char *path = NULL;
  int fd = g_file_open_tmp ("caselink-biz-actors-XXXXXX.yaml", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A daemon with enterprise_inspection, and @conf (may be NULL) appended to
 * its caselink.conf (by a restart: the harness writes the file first). */
static ClHarness *
start (const char *conf)
{
  g_autofree char *shipped = cl_test_srcdir_path ("workflows");
  g_autofree char *plugin_wf = cl_test_srcdir_path ("plugins/business/workflows");
  g_autofree char *actors = write_actors ();
  const char *dirs[] = { shipped, plugin_wf, NULL };
  const char *args[] = { "--plugins", g_getenv ("CASELINK_PLUGINS_DIR"), NULL };
  ClHarness *h = cl_harness_new_full (dirs, args, actors);

  g_unlink (actors);
  if (conf != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *base = NULL;
      g_autofree char *text = NULL;

      cl_harness_stop_daemon (h);
      g_file_get_contents (cl_harness_config_path (h), &base, NULL, &error);
      g_assert_no_error (error);
      text = g_strconcat (base, conf, NULL);
      g_file_set_contents (cl_harness_config_path (h), text, -1, &error);
      g_assert_no_error (error);
      cl_harness_start_daemon (h);
    }
  return h;
}

/* ---- unified social credit codes ---------------------------------------------------- */

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* GB 11714 check character of eight digits. */
static char
org_check (const char *body)
{
  static const int w[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  int sum = 0, c;

  for (int i = 0; i < 8; i++)
    sum += (body[i] - '0') * w[i];
  c = 11 - sum % 11;
  return c == 10 ? 'X' : c == 11 ? '0' : (char) ('0' + c);
}

/* GB 32100 check character of 17 characters. */
static char
uscc_check (const char *code)
{
  static const int w[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
  int sum = 0, c;

  for (int i = 0; i < 17; i++)
    sum += (int) (strchr (uscc_chars, code[i]) - uscc_chars) * w[i];
  c = 31 - sum % 31;
  return uscc_chars[c == 31 ? 0 : c];
}

/* A code of @head (8 characters: authority, category, division) and
 * organisation code @serial, both check characters right unless @bad_org. */
static char *
make_uscc (const char *head, guint serial, gboolean bad_org)
{
  char *code = g_strdup_printf ("%.8s%08u??", head, serial);

  code[16] = org_check (code + 8);
  if (bad_org)
    code[16] = code[16] == '1' ? '2' : '1';
  code[17] = uscc_check (code);
  return code;
}

/* ---- D-Bus helpers ------------------------------------------------------------------ */

static GVariant *
s (const char *v)
{
  return g_variant_new_string (v);
}

static GVariant *
create_call (DBusConnection *conn, const char *workflow, GVariant *fields, GError **error)
{
  return cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                       g_variant_new ("(s@a{sv})", workflow, fields), error);
}

static void
advance_ok (DBusConnection *conn, const char *path, const char *transition, GVariant *fields, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (conn, path, transition, fields, "", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, expected);
}

static void
advance_refused (DBusConnection *conn, const char *path, const char *transition, GVariant *fields,
                 const char *part, const char *state_after)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (conn, path, transition, fields, "", &error);
  g_autofree char *now = NULL;

  g_assert_null (state);
  cl_test_assert_error (&error, "org.caselink.Error.Rejected", part);
  now = cl_test_case_state (conn, path);
  g_assert_cmpstr (now, ==, state_after);
}

/* A registered inspection of @uscc by @agency. */
static char *
new_inspection (DBusConnection *conn, const char *uscc, const char *agency, char **path)
{
  return cl_test_create_case (conn, "enterprise_inspection",
                              cl_test_fields ("title", s ("日常监督检查"), "domain", s ("business"),
                                              "transferring_agency", s (agency), "uscc", s (uscc),
                                              "enterprise_name", s ("青海某乳业有限公司"), NULL),
                              path);
}

static GVariant *
entry_fields_full (const char *kind, gboolean with_trigger)
{
  const char *items[] = { "食品生产许可条件", "标签标识", NULL };
  const char *inspectors[] = { "执法证 63001", "执法证 63002", NULL };
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "inspection_kind", "s", kind);
  g_variant_dict_insert_value (&d, "inspection_items", g_variant_new_strv (items, -1));
  g_variant_dict_insert_value (&d, "inspectors", g_variant_new_strv (inspectors, -1));
  g_variant_dict_insert (&d, "entry_code", "s", "QR-20260301-0001");
  if (with_trigger)
    g_variant_dict_insert (&d, "trigger", "s", "12315 投诉举报：销售假冒注册商标的乳制品");
  return g_variant_dict_end (&d);
}

static GVariant *
entry_fields (const char *kind)
{
  return entry_fields_full (kind, g_str_equal (kind, "targeted"));
}

/* A targeted inspection under way (the cap does not count it). */
static char *
inspecting (DBusConnection *conn, guint serial, char **path)
{
  g_autofree char *uscc = make_uscc ("91630100", serial, FALSE);
  char *id = new_inspection (conn, uscc, "qh-amr", path);

  advance_ok (conn, *path, "enter", entry_fields ("targeted"), "inspecting");
  return id;
}

/* ---- loading -------------------------------------------------------------------------- */

static void
test_loaded (void)
{
  ClHarness *h = start (NULL);
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) wf = cl_test_call_ok (conn, "/org/caselink/workflow/enterprise_inspection",
                                            "org.freedesktop.DBus.Peer", "Ping", NULL);
  gboolean found = FALSE;

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *name = cl_test_dict_string (e, "name");
      g_autoptr(GVariant) loaded = NULL, domains = NULL, hooks = NULL;
      g_autofree const char **hook_names = NULL;
      g_autofree const char **domain_names = NULL;

      if (!g_str_equal (name, "business"))
        continue;
      found = TRUE;
      loaded = cl_test_dict_get (e, "loaded", "b");
      g_assert_true (g_variant_get_boolean (loaded));
      domains = cl_test_dict_get (e, "domains", "as");
      domain_names = g_variant_get_strv (domains, NULL);
      g_assert_true (g_strv_contains (domain_names, "business"));
      hooks = cl_test_dict_get (e, "hooks", "as");
      hook_names = g_variant_get_strv (hooks, NULL);
      g_assert_true (g_strv_contains (hook_names, "business.check_fields"));
      g_assert_true (g_strv_contains (hook_names, "business.inspection_cap"));
      g_assert_true (g_strv_contains (hook_names, "business.register_inspection"));
      g_assert_true (g_strv_contains (hook_names, "business.seizure_justified"));
      g_assert_true (g_strv_contains (hook_names, "business.ip_reasonable_suspicion"));
    }
  g_assert_true (found);
  cl_harness_free (h);
}

/* ---- codes and names ---------------------------------------------------------------------- */

static void
assert_create_refused (DBusConnection *conn, const char *workflow, GVariant *fields, const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = create_call (conn, workflow, fields, &error);

  g_assert_null (reply);
  cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", part);
}

static GVariant *
inspection_fields (const char *uscc, const char *name)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "title", "s", "检查");
  g_variant_dict_insert (&d, "domain", "s", "business");
  g_variant_dict_insert (&d, "transferring_agency", "s", "qh-amr");
  g_variant_dict_insert (&d, "uscc", "s", uscc);
  if (name != NULL)
    g_variant_dict_insert (&d, "enterprise_name", "s", name);
  return g_variant_dict_end (&d);
}

static void
test_uscc (void)
{
  ClHarness *h = start (NULL);
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *good = make_uscc ("91630100", 22103876, FALSE);
  g_autofree char *bad_org = make_uscc ("91630100", 22103876, TRUE);
  g_autofree char *bad_authority = make_uscc ("B1630100", 22103876, FALSE);
  g_autofree char *bad_division = make_uscc ("91990100", 22103876, FALSE);
  g_autofree char *bad_last = g_strdup (good);
  g_autofree char *path = NULL, *id = NULL, *expected = NULL, *pil_path = NULL, *pil = NULL;
  char right_org = good[16];

  /* A real code: 华为技术有限公司 (both check characters right). */
  id = cl_test_create_case (conn, "enterprise_inspection",
                            inspection_fields ("914403001922038216", "华为技术有限公司"), &path);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&path, g_free);
  id = cl_test_create_case (conn, "enterprise_inspection", inspection_fields (good, "青海某乳业有限公司"), &path);

  /* The last character (GB 32100) is caselinkd's own check of the type. */
  bad_last[17] = bad_last[17] == 'A' ? 'B' : 'A';
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (bad_last, "某公司"), "uscc");
  /* Position 17 checks the organisation code (GB 11714): a code "fixed up"
   * at the end to pass GB 32100 is still caught, by the plugin. */
  expected = g_strdup_printf ("plugin business (business.check_fields): uscc '%s' is not a valid unified social "
                              "credit code (统一社会信用代码): its organisation code '%.9s' (positions 9–17): its check "
                              "character (GB 11714) is '%c', should be '%c'",
                              bad_org, bad_org + 8, bad_org[16], right_org);
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (bad_org, "某公司"), expected);
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (bad_authority, "某公司"),
                         "registration authority code 'B' (position 1) is not one of 123456789ANY");
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (bad_division, "某公司"),
                         "administrative division code '990100' (positions 3–8) names no province");

  /* A code comes with the enterprise's name... */
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (good, NULL),
                         "plugin business (business.check_fields): uscc '");
  assert_create_refused (conn, "enterprise_inspection", inspection_fields (good, NULL),
                         "is given without the enterprise's name: set enterprise_name");
  /* ...in any workflow, for every business case (a shipped one here)... */
  assert_create_refused (conn, "pil_civil",
                         cl_test_fields ("title", s ("侵权"), "domain", s ("business"),
                                         "liable_party_uscc", s (good), NULL),
                         "liable_party_uscc '");
  /* ...and only business cases. */
  pil = cl_test_create_case (conn, "pil_civil",
                             cl_test_fields ("title", s ("侵权"), "domain", s ("general"),
                                             "liable_party_uscc", s (bad_org), NULL),
                             &pil_path);

  /* A targeted inspection names its clue; amounts are not negative. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *state = cl_test_advance (conn, path, "enter", entry_fields_full ("targeted", FALSE), "", &error);
    g_assert_null (state);
    cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "a targeted inspection (专项检查) follows a concrete clue");
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = cl_test_call (conn, path, CL_CASE_IFACE, "Update",
                                              g_variant_new ("(@a{sv}s)",
                                                             cl_test_fields ("amount", g_variant_new_double (-1), NULL),
                                                             ""),
                                              &error);
    g_assert_null (reply);
    cl_test_assert_error (&error, "org.caselink.Error.InvalidArgs", "amount -1.00: an amount cannot be negative");
  }
  cl_harness_free (h);
}

/* ---- the inspection register ---------------------------------------------------------------- */

static gint64
ordinal (DBusConnection *conn, const char *path)
{
  g_autoptr(GVariant) fields = cl_test_case_fields (conn, path);
  gint64 n = 0;
  gboolean conducted = FALSE;

  g_assert_true (g_variant_lookup (fields, "inspection_conducted", "b", &conducted));
  g_assert_true (conducted);
  if (!g_variant_lookup (fields, "inspection_ordinal", "x", &n))
    return 0;
  return n;
}

static void
test_inspection_cap (void)
{
  /* No [plugin.business]: the default cap of 2. */
  ClHarness *h = start (NULL);
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *a = make_uscc ("91630100", 71000001, FALSE);
  g_autofree char *b = make_uscc ("91630100", 71000002, FALSE);
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *pb = NULL, *pt = NULL;
  g_autofree char *i1 = new_inspection (conn, a, "qh-amr", &p1);
  g_autofree char *i2 = new_inspection (conn, a, "qh-amr", &p2);
  g_autofree char *i3 = new_inspection (conn, a, "qh-em", &p3);
  g_autofree char *i4 = new_inspection (conn, a, "qh-amr", &p4);
  g_autofree char *ib = new_inspection (conn, b, "qh-amr", &pb);
  g_autofree char *it = new_inspection (conn, a, "qh-amr", &pt);
  g_autofree char *reason = NULL;

  advance_ok (conn, p1, "enter", entry_fields ("routine"), "inspecting");
  g_assert_cmpint (ordinal (conn, p1), ==, 1);
  {
    /* The register's marks are in the transition's change, noted in history. */
    g_autoptr(GVariant) history = cl_test_history (conn, p1);
    g_autoptr(GVariant) last = g_variant_get_child_value (history, g_variant_n_children (history) - 1);
    g_autofree char *action = cl_test_dict_string (last, "action");
    g_autofree char *comment = cl_test_dict_string (last, "comment");
    g_autofree char *transition = cl_test_dict_string (last, "transition");
    g_autoptr(GVariant) set = cl_test_dict_get (last, "fields", "a{sv}");

    g_assert_cmpstr (action, ==, "plugin");
    g_assert_cmpstr (comment, ==, "set by business.register_inspection");
    g_assert_cmpstr (transition, ==, "enter");
    g_assert_true (g_variant_lookup (set, "inspection_conducted", "b", NULL));
    g_assert_true (g_variant_lookup (set, "inspection_ordinal", "x", NULL));
  }
  advance_ok (conn, p2, "enter", entry_fields ("routine"), "inspecting");
  g_assert_cmpint (ordinal (conn, p2), ==, 2);
  /* The third routine inspection of the enterprise this year, by any agency. */
  reason = g_strdup_printf ("plugin business refused transition enter: 青海某乳业有限公司 (%s) has had 2 routine "
                            "inspections this year, the annual cap ([plugin.business] annual_inspection_cap=2, "
                            "国办发〔2024〕54号)",
                            a);
  advance_refused (conn, p3, "enter", entry_fields ("routine"), reason, "registered");
  /* Not counted: the refused one, registered ones, other enterprises, and
   * targeted inspections, which the cap does not bind. */
  advance_ok (conn, pb, "enter", entry_fields ("routine"), "inspecting");
  g_assert_cmpint (ordinal (conn, pb), ==, 1);
  advance_ok (conn, pt, "enter", entry_fields ("targeted"), "inspecting");
  g_assert_cmpint (ordinal (conn, pt), ==, 0);
  advance_refused (conn, p4, "enter", entry_fields ("routine"), "has had 2 routine inspections", "registered");
  cl_harness_stop_daemon (h);

  /* The province's figure, from caselink.conf. */
  {
    g_autofree char *base = NULL;
    g_autofree char *text = NULL;

    g_file_get_contents (cl_harness_config_path (h), &base, NULL, NULL);
    text = g_strconcat (base, "[plugin.business]\nannual_inspection_cap=3\n", NULL);
    g_file_set_contents (cl_harness_config_path (h), text, -1, NULL);
  }
  cl_harness_start_daemon (h);
  advance_ok (conn, p4, "enter", entry_fields ("routine"), "inspecting");
  g_assert_cmpint (ordinal (conn, p4), ==, 3);
  advance_refused (conn, p3, "enter", entry_fields ("routine"), "annual_inspection_cap=3", "registered");
  cl_harness_free (h);
}

/* cap_scope=agency: the cap binds each inspecting agency separately. */
static void
test_inspection_cap_per_agency (void)
{
  ClHarness *h = start ("[plugin.business]\nannual_inspection_cap=1\ncap_scope=agency\n");
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *a = make_uscc ("91630100", 72000001, FALSE);
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL;
  g_autofree char *i1 = new_inspection (conn, a, "qh-amr", &p1);
  g_autofree char *i2 = new_inspection (conn, a, "qh-amr", &p2);
  g_autofree char *i3 = new_inspection (conn, a, "qh-em", &p3);

  advance_ok (conn, p1, "enter", entry_fields ("routine"), "inspecting");
  advance_refused (conn, p2, "enter", entry_fields ("routine"), "has had 1 routine inspection by this agency this year",
                   "registered");
  advance_ok (conn, p3, "enter", entry_fields ("routine"), "inspecting");
  cl_harness_free (h);
}

/* ---- seizing and freezing ------------------------------------------------------------------------ */

#define GOOD_JUSTIFICATION \
  "涉嫌假冒注册商标的商品可能被转移销毁，先行登记保存不足以防止；仅扣押涉案批次，不影响其他生产线"

/* The fields of impose_measure, with @justification (may be NULL) and the
 * seized value (<0: not given). */
static GVariant *
measure_fields (const char *justification, double value)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "measure", "s", "seize");
  g_variant_dict_insert (&d, "seizure_property", "s", "涉嫌假冒注册商标的乳制品 300 箱");
  g_variant_dict_insert (&d, "seizure_decision_no", "s", "青市监强制〔2026〕3号");
  g_variant_dict_insert (&d, "amount", "d", 100000.0);
  if (justification != NULL)
    g_variant_dict_insert (&d, "seizure_justification", "s", justification);
  if (value >= 0)
    g_variant_dict_insert (&d, "seizure_value", "d", value);
  return g_variant_dict_end (&d);
}

static void
test_seizure (void)
{
  ClHarness *h = start ("[plugin.business]\nseizure_justification_min=15\nmax_seizure_ratio=1.5\n");
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *path = NULL;
  g_autofree char *id = inspecting (conn, 73000001, &path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) deadline = NULL;

  advance_refused (conn, path, "impose_measure", measure_fields (NULL, -1),
                   "plugin business refused transition impose_measure: seizing, sealing up or freezing an "
                   "enterprise's property (查封、扣押、冻结) needs seizure_justification",
                   "inspecting");
  advance_refused (conn, path, "impose_measure", measure_fields ("涉嫌假冒，需要扣押", -1),
                   "seizure_justification has 9 characters; at least 15 are needed "
                   "([plugin.business] seizure_justification_min)",
                   "inspecting");
  /* No seizing beyond the amount involved (超标的): 200,000 > 1.5 × 100,000. */
  advance_refused (conn, path, "impose_measure", measure_fields (GOOD_JUSTIFICATION, 200000),
                   "the property to seize or freeze (seizure_value 200000.00) exceeds 150000.00, 1.5 times the amount "
                   "involved",
                   "inspecting");
  advance_ok (conn, path, "impose_measure", measure_fields (GOOD_JUSTIFICATION, 150000), "measures");
  /* The 30 days of 行政强制法 art.25 run. */
  deadline = cl_test_get_property (conn, path, CL_CASE_IFACE, "Deadline", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_variant_get_int64 (deadline), >, 0);
  cl_harness_free (h);
}

/* ---- 双打: transfer on reasonable suspicion ------------------------------------------------------------ */

static GVariant *
transfer_fields (const char *type, double amount, gboolean suspicion)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "case_type", "s", type);
  g_variant_dict_insert (&d, "amount", "d", amount);
  g_variant_dict_insert (&d, "suspected_offence", "s", "假冒注册商标罪");
  g_variant_dict_insert (&d, "facts", "s", "现场查获标有他人注册商标的乳制品，来源不明，进货单据缺失");
  if (suspicion)
    {
      g_variant_dict_insert (&d, "reasonable_suspicion", "b", TRUE);
      g_variant_dict_insert (&d, "suspicion_basis", "s", "商标权利人鉴定为假冒，上游供货渠道需侦查手段查明");
    }
  return g_variant_dict_end (&d);
}

static char *
linked (DBusConnection *conn, const char *path, const char *relation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) links = cl_test_get_property (conn, path, CL_CASE_IFACE, "Links", &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *rel, *other;
      g_variant_get_child (links, i, "(&s&s&s)", &rel, &other, NULL);
      if (g_str_equal (rel, relation))
        return g_strdup (other);
    }
  return NULL;
}

static void
test_ip_transfer (void)
{
  ClHarness *h = start ("[plugin.business]\ntransfer_threshold=50000\nthreshold.food_drug=30000\n");
  DBusConnection *conn = cl_harness_connection (h);
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL, *ft_path = NULL;
  g_autofree char *i1 = inspecting (conn, 74000001, &p1);
  g_autofree char *i2 = inspecting (conn, 74000002, &p2);
  g_autofree char *i3 = inspecting (conn, 74000003, &p3);
  g_autofree char *i4 = inspecting (conn, 74000004, &p4);
  g_autofree char *i5 = inspecting (conn, 74000005, &p5);
  g_autofree char *ft = NULL;
  g_autoptr(GVariant) ft_fields = NULL;
  const char *agency = NULL;
  double amount = 0;

  /* An IP/counterfeit case below the threshold: not without reasonable
   * suspicion... */
  advance_refused (conn, p1, "transfer_to_psb", transfer_fields ("ip_counterfeit", 8000, FALSE),
                   "plugin business refused transition transfer_to_psb: the amount involved (8000.00) is below the "
                   "threshold of 50000.00; an IP-infringement or counterfeit case (双打) may still be transferred on a "
                   "reasonable suspicion",
                   "inspecting");
  /* ...but with it (Decree 310 art.3 ¶2): a linked forward_transfer case. */
  advance_ok (conn, p1, "transfer_to_psb", transfer_fields ("ip_counterfeit", 8000, TRUE), "transferred");
  ft = linked (conn, p1, "transfer");
  g_assert_nonnull (ft);
  g_assert_true (g_str_has_prefix (ft, "FT-"));
  {
    g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase",
                                                 g_variant_new ("(s)", ft));
    g_variant_get (reply, "(o)", &ft_path);
  }
  ft_fields = cl_test_case_fields (conn, ft_path);
  g_assert_true (g_variant_lookup (ft_fields, "transferring_agency", "&s", &agency));
  g_assert_cmpstr (agency, ==, "qh-amr");
  g_assert_true (g_variant_lookup (ft_fields, "amount", "d", &amount));
  g_assert_cmpfloat (amount, ==, 8000);

  /* Reasonable suspicion does not lower the bar for other cases. */
  advance_refused (conn, p2, "transfer_to_psb", transfer_fields ("market_order", 8000, TRUE),
                   "reasonable suspicion lowers the bar only for IP-infringement and counterfeit cases", "inspecting");
  advance_refused (conn, p2, "transfer_to_psb", transfer_fields ("market_order", 49999, FALSE),
                   "the amount involved (49999.00) is below the threshold of 50000.00 for transferring a market_order "
                   "case to the public security bureau ([plugin.business] threshold.market_order or "
                   "transfer_threshold)",
                   "inspecting");
  advance_ok (conn, p2, "transfer_to_psb", transfer_fields ("market_order", 50000, FALSE), "transferred");
  /* A threshold of its own for a case type, from caselink.conf. */
  advance_ok (conn, p3, "transfer_to_psb", transfer_fields ("food_drug", 35000, FALSE), "transferred");
  advance_refused (conn, p4, "transfer_to_psb", transfer_fields ("tax", 35000, FALSE), "threshold of 50000.00",
                   "inspecting");
  /* An IP case above the threshold needs no suspicion. */
  advance_ok (conn, p5, "transfer_to_psb", transfer_fields ("ip_counterfeit", 80000, FALSE), "transferred");
  cl_harness_free (h);
}

/* Malformed settings keep the plugin out, with the reason. */
static void
test_bad_settings (void)
{
  ClHarness *h = start ("[plugin.business]\nannual_inspection_cap=two\n");
  DBusConnection *conn = cl_harness_connection (h);
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);
  gboolean found = FALSE;

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *name = cl_test_dict_string (e, "name");
      g_autofree char *error = NULL;

      if (!g_str_equal (name, "business"))
        continue;
      found = TRUE;
      error = cl_test_dict_string (e, "error");
      g_assert_nonnull (strstr (error, "init failed: [plugin.business] annual_inspection_cap=two: expected a whole "
                                       "number"));
    }
  g_assert_true (found);
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
  g_test_add_func ("/plugin-business/loaded", test_loaded);
  g_test_add_func ("/plugin-business/uscc", test_uscc);
  g_test_add_func ("/plugin-business/inspection-cap", test_inspection_cap);
  g_test_add_func ("/plugin-business/inspection-cap-per-agency", test_inspection_cap_per_agency);
  g_test_add_func ("/plugin-business/seizure", test_seizure);
  g_test_add_func ("/plugin-business/ip-transfer", test_ip_transfer);
  g_test_add_func ("/plugin-business/bad-settings", test_bad_settings);
  return g_test_run ();
}
