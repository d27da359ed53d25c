/* test-wf-minors.c — the shipped minors workflows over D-Bus with the test
 * clock: minor_mandatory_report (the report, the PSB's acceptance within the
 * 24-hour default for "立即", escalation to the procuratorate on expiry,
 * handling, supervision, and accountability for not reporting, which opens
 * a linked procuratorial_suggestion case) and record_sealing (eligibility
 * conditions, the sealed flag, the query-authorisation path with an access
 * window that closes by itself, unsealing). Personal data of the minor are
 * given in pii fields (a valid GB 11643 ID number included). Callers in the
 * wrong role (caselinkctl under setpriv, tests/data/actors-library-2.yaml)
 * are refused.
 *
 * Due instants are hand-computed with the cn calendar (workflows/calendars/
 * cn.yaml): the day of the event is not counted; calendar days roll to the
 * next working day unless the state says roll: none; hours never roll. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

/* The helpers shared with the other workflow-library tests: wf-lib2.c. */
#include "wf-lib2.h"

/* ---- minor_mandatory_report ---------------------------------------------- */

/* A valid 公民身份号码 (GB 11643 check character 3). */
#define MINOR_ID "630102201001010013"

static char *
qb_report (ClHarness *h, const char *title, char **path)
{
  return create (h, "minor_mandatory_report",
                 F ("title", S (title), "domain", S ("minors"), "minor_name", S ("小明"),
                    "minor_id_number", S (MINOR_ID), "minor_address", S ("西宁市城中区某路1号"),
                    "minor_school", S ("西宁市第一中学"), "guardian_contact", S ("13800000000"),
                    "minor_age", g_variant_new_int64 (15), "harm_type", S ("abuse"),
                    "discovered_on", S ("2026-03-02"), "report_summary", S ("学生身上多处伤痕"),
                    "receiving_psb", S ("xn-psb")), path);
}

static void
test_qb_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL, *jj_path = NULL;
  gint64 t0 = cl_test_at (2026, 3, 2, 10, 0);
  GError *error = NULL;
  g_autoptr(GVariant) bad = NULL;

  cl_test_set_time (h, t0);
  /* The ID number is checked (GB 11643): a wrong check character is refused. */
  bad = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                      g_variant_new ("(s@a{sv})", "minor_mandatory_report",
                                     F ("title", S ("x"), "receiving_psb", S ("xn-psb"),
                                        "minor_id_number", S ("630102201001010012"))), &error);
  g_assert_null (bad);
  cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  /* The receiving PSB is required at creation: it holds the report. */
  bad = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                      g_variant_new ("(s@a{sv})", "minor_mandatory_report", F ("title", S ("x"))), &error);
  g_assert_null (bad);
  cl_assert_dbus_error (error, "org.caselink.Error.MissingField");

  id = qb_report (h, "强制报告：学生疑遭虐待", &path);
  g_assert_true (g_str_has_prefix (id, "QB-"));
  assert_state (h, path, "reported");
  assert_agency (h, path, "xn-psb");
  /* "立即" made 24 hours [M]: the exact instant, never rolled. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 24 * G_TIME_SPAN_HOUR);
  assert_field (h, path, "minor_id_number", MINOR_ID);

  step (h, path, "accept", F ("psb_case_no", S ("西公受〔2026〕1号")), "handling");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  assert_agency (h, path, "xn-psb");
  step (h, path, "conclude",
        F ("psb_outcome", S ("criminal_case_filed"),
           "protective_measures", g_variant_new_strv ((const char *const[]) { "临时监护", "心理疏导" }, 2)),
        "monitored");
  assert_agency (h, path, "");                             /* the procuratorate (root's agency: none) */
  refused (h, path, "find_nonreport", F ("nonreport_findings", S ("学校发现后三日才报告")),
           "org.caselink.Error.MissingField");
  step (h, path, "find_nonreport",
        F ("nonreport_findings", S ("学校发现后三日才报告"), "late_report", g_variant_new_boolean (TRUE)),
        "nonreport_accountability");
  refused (h, path, "issue_suggestion", NULL, "org.caselink.Error.MissingField");
  step (h, path, "issue_suggestion", F ("recipient_agency", S ("xn-school")), "closed");
  /* The suggestion is a linked procuratorial_suggestion case. */
  jj_path = spawned (h, id, path, "accountability_suggestion", "JJ-");
  assert_state (h, jj_path, "drafted");
  assert_field (h, jj_path, "recipient_agency", "xn-school");
  assert_field (h, jj_path, "title", "强制报告：学生疑遭虐待");
  assert_field (h, jj_path, "domain", "minors");
  cl_harness_free (h);
}

static void
test_qb_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL;
  gint64 t0 = cl_test_at (2026, 3, 2, 10, 0);

  cl_test_set_time (h, t0);
  a = qb_report (h, "逾期未受理", &a_path);
  /* Not accepted within the 24 hours: the procuratorate supervises. */
  expire (h, t0 + 25 * G_TIME_SPAN_HOUR, a_path, "escalate", "acceptance_overdue");
  assert_agency (h, a_path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, 0);
  step (h, a_path, "urge_acceptance", F ("urge_letter_no", S ("督促受理函-1")), "acceptance_overdue");
  step (h, a_path, "accept", F ("psb_case_no", S ("受案-2")), "handling");
  step (h, a_path, "conclude", F ("psb_outcome", S ("no_offence")), "monitored");
  step (h, a_path, "close", F ("close_reason", S ("经核查不构成犯罪，已落实保护措施")), "closed");

  /* Accountability by referral for sanctions instead of a suggestion. */
  b = qb_report (h, "未报告追责", &b_path);
  /* 24 hours from 03-03 11:00 (the clock moved on). */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, t0 + 49 * G_TIME_SPAN_HOUR);
  step (h, b_path, "accept", F ("psb_case_no", S ("受案-3")), "handling");
  step (h, b_path, "conclude", F ("psb_outcome", S ("administrative_case")), "monitored");
  step (h, b_path, "find_nonreport",
        F ("nonreport_findings", S ("诊所未报告"), "late_report", g_variant_new_boolean (TRUE)),
        "nonreport_accountability");
  step (h, b_path, "refer_for_sanction", F ("referral_note", S ("移送卫生健康主管部门处分")), "closed");
  cl_harness_free (h);
}

static void
test_qb_roles (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL, *role = NULL, *jj_path = NULL;

  if (!can_switch_users ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 3, 2, 10, 0));
  /* The unit that must report creates the case; public security does not. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "create", "minor_mandatory_report", "-f", "title=x",
                           "-f", "receiving_psb=xn-psb", NULL), ==, 4);
  id = ctl_create_as (h, UID_REPORTING, &path, "create", "minor_mandatory_report", "-f", "title=学校强制报告",
                      "-f", "receiving_psb=xn-psb", "-f", "minor_name=小红", "-f", "minor_id_number=" MINOR_ID,
                      "-f", "harm_type=sexual_assault", NULL);
  assert_agency (h, path, "xn-psb");
  /* Acceptance is public security's, not the procuratorate's nor the
   * reporter's. */
  g_assert_cmpint (ctl_as (h, UID_PROC_MINOR, "advance", id, "accept", "-f", "psb_case_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_REPORTING, "advance", id, "accept", "-f", "psb_case_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "accept", "-f", "psb_case_no=西公受-9", NULL), ==, 0);
  role = last_role (h, path);
  g_assert_cmpstr (role, ==, "psb");
  g_assert_cmpint (ctl_as (h, UID_REPORTING, "advance", id, "conclude", "-f", "psb_outcome=no_offence", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "conclude", "-f", "psb_outcome=criminal_case_filed", NULL), ==, 0);
  /* Supervision is the minors department's; the suggestion the chief's. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "find_nonreport", "-f", "nonreport_findings=x",
                           "-f", "late_report=true", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_MINOR, "advance", id, "find_nonreport", "-f", "nonreport_findings=迟报",
                           "-f", "late_report=true", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_MINOR, "advance", id, "issue_suggestion", "-f", "recipient_agency=xn-school",
                           NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", id, "issue_suggestion", "-f", "recipient_agency=xn-school",
                           NULL), ==, 0);
  assert_state (h, path, "closed");
  jj_path = spawned (h, id, path, "accountability_suggestion", "JJ-");
  assert_state (h, jj_path, "drafted");
  cl_harness_free (h);
}

/* ---- record_sealing -------------------------------------------------- */

static char *
fc_case (ClHarness *h, const char *title, char **path)
{
  return create (h, "record_sealing",
                 F ("title", S (title), "domain", S ("minors"), "subject_name", S ("小刚"),
                    "subject_id_number", S (MINOR_ID), "subject_school", S ("西宁市第一中学"),
                    "decision_no", S ("(2026)青0103刑初1号")), path);
}

static GVariant *
seal_fields (gboolean sealed, gint64 age, const char *disposition, gint64 months)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "sealed", g_variant_new_boolean (sealed));
  g_variant_builder_add (&b, "{sv}", "sealing_notice_no", S ("封存通知书-1"));
  g_variant_builder_add (&b, "{sv}", "age_at_offence", g_variant_new_int64 (age));
  g_variant_builder_add (&b, "{sv}", "disposition", S (disposition));
  if (months > 0)
    g_variant_builder_add (&b, "{sv}", "sentence_months", g_variant_new_int64 (months));
  return g_variant_builder_end (&b);
}

static void
test_fc_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 10, 0));                   /* a Monday */
  id = fc_case (h, "未成年人犯罪记录封存", &path);
  g_assert_true (g_str_has_prefix (id, "FC-"));
  assert_state (h, path, "eligible");
  /* 3 calendar days [M] from Mon 03-02 → Thu 03-05. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 5));

  /* Not eligible: a sentence over 5 years; 18 at the offence; and the
   * sealed flag must be set with the transition. */
  refused (h, path, "seal", seal_fields (TRUE, 16, "sentenced", 72), "org.caselink.Error.Rejected");
  refused (h, path, "seal", seal_fields (TRUE, 18, "sentenced", 12), "org.caselink.Error.Rejected");
  refused (h, path, "seal", seal_fields (FALSE, 16, "sentenced", 36), "org.caselink.Error.Rejected");
  refused (h, path, "seal", seal_fields (TRUE, 16, "sentenced", 0), "org.caselink.Error.Rejected");
  step (h, path, "seal", seal_fields (TRUE, 16, "sentenced", 36), "sealed");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);

  /* An authorised query: 7 working days [M] from Mon 03-02 → Wed 03-11. */
  refused (h, path, "request_query", F ("query_requester", S ("xn-psb")), "org.caselink.Error.MissingField");
  step (h, path, "request_query",
        F ("query_requester", S ("xn-psb"), "query_purpose", S ("case_handling"),
           "query_basis", S ("办理(2026)西公刑字第9号案件需要")), "query_pending");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 11));
  cl_test_set_time (h, cl_test_at (2026, 3, 5, 10, 0));
  step (h, path, "approve_query", F ("query_decision_reason", S ("司法机关办案需要")), "query_approved");
  /* The requester is named, but the sealing body keeps the case. */
  assert_agency (h, path, "");
  assert_field (h, path, "query_requester", "xn-psb");
  /* 30 calendar days [M] from Thu 03-05 → Sat 04-04, in Qingming: roll:
   * none keeps it. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 4));
  /* The access window closes by itself: sealed again. */
  expire (h, cl_test_at (2026, 4, 5, 10, 0), path, "close_query", "sealed");
  assert_agency (h, path, "");

  /* A query that is denied. */
  step (h, path, "request_query",
        F ("query_requester", S ("xn-court"), "query_purpose", S ("other"), "query_basis", S ("单位政审")),
        "query_pending");
  step (h, path, "deny_query", F ("query_decision_reason", S ("不属于依法查询情形")), "query_denied");
  step (h, path, "close_query", NULL, "sealed");

  /* Unsealing needs the flag cleared and a reason (再犯、漏罪). */
  refused (h, path, "unseal", F ("unseal_reason", S ("再犯新罪"), "sealed", g_variant_new_boolean (TRUE)),
           "org.caselink.Error.Rejected");
  step (h, path, "unseal", F ("unseal_reason", S ("发现漏罪，合并执行刑罚超过五年"),
                              "sealed", g_variant_new_boolean (FALSE)), "unsealed");
  cl_harness_free (h);
}

static void
test_fc_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 10, 0));
  /* Non-prosecution and conditional non-prosecution are sealed whatever
   * the (absent) sentence. */
  a = fc_case (h, "不起诉记录封存", &a_path);
  step (h, a_path, "seal", seal_fields (TRUE, 17, "non_prosecuted", 0), "sealed");
  b = fc_case (h, "附条件不起诉记录封存", &b_path);
  step (h, b_path, "seal", seal_fields (TRUE, 15, "conditional_non_prosecution", 0), "sealed");
  /* Refused with reasons. */
  c = fc_case (h, "不符合封存条件", &c_path);
  refused (h, c_path, "refuse_sealing", NULL, "org.caselink.Error.MissingField");
  step (h, c_path, "refuse_sealing", F ("not_eligible_reason", S ("判处七年有期徒刑")), "not_eligible");
  cl_harness_free (h);
}

static void
test_fc_roles (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL;

  if (!can_switch_users ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 3, 2, 10, 0));
  g_assert_cmpint (ctl_as (h, UID_REPORTING, "create", "record_sealing", "-f", "title=x", NULL), ==, 4);
  id = ctl_create_as (h, UID_PSB, &path, "create", "record_sealing", "-f", "title=公安机关封存",
                      "-f", "subject_name=小刚", NULL);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", id, "seal", "-f", "sealed=true", "-f", "sealing_notice_no=1",
                           "-f", "age_at_offence=16", "-f", "disposition=non_prosecuted", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "seal", "-f", "sealed=true", "-f", "sealing_notice_no=封存-1",
                           "-f", "age_at_offence=16", "-f", "disposition=non_prosecuted", NULL), ==, 0);
  /* The sealing body registers a written application and decides on it;
   * the chief (who sees every case) is not the body that holds the record. */
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", id, "request_query", "-f", "query_requester=xn-court",
                           "-f", "query_purpose=case_handling", "-f", "query_basis=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "request_query", "-f", "query_requester=xn-court",
                           "-f", "query_purpose=case_handling", "-f", "query_basis=审理案件需要", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", id, "approve_query", "-f", "query_decision_reason=x", NULL),
                   ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "approve_query", "-f", "query_decision_reason=准予", NULL), ==, 0);
  assert_state (h, path, "query_approved");
  /* The applicant never becomes a party: it cannot see the sealed case. */
  g_assert_cmpint (ctl_as (h, UID_COURT, "show", id, NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", id, "close_query", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "close_query", NULL), ==, 0);
  assert_state (h, path, "sealed");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/wf-minors/report-main-path", test_qb_main_path);
  g_test_add_func ("/wf-minors/report-alternatives", test_qb_alternatives);
  g_test_add_func ("/wf-minors/report-roles", test_qb_roles);
  g_test_add_func ("/wf-minors/sealing-main-path", test_fc_main_path);
  g_test_add_func ("/wf-minors/sealing-alternatives", test_fc_alternatives);
  g_test_add_func ("/wf-minors/sealing-roles", test_fc_roles);
  return g_test_run ();
}
