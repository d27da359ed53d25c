/* test-wf-transfer.c — the shipped workflows forward_transfer (正向衔接,
 * Decree 310), filing_supervision (立案监督) and supervise_transfer (监督移送),
 * driven over D-Bus along their main paths and every alternative: refusals,
 * supplements, redirection, economic-crime extensions, reconsideration,
 * expiries that escalate by themselves (on_expire, with the test clock), the
 * spawned cases and their links both ways, the holder (Agency) in each
 * state, a [deadlines] override of a non-statutory figure, and — with
 * clients under the system users of tests/data/actors-library-1.yaml — that
 * every step is taken by the role the law names and refused to the others.
 *
 * Due instants are computed by hand with the cn calendar (2026: 劳动节
 * 05-01..05-05, 端午节 06-19..06-21, 中秋节 09-25..09-27, 国庆节
 * 10-01..10-07, make-up Saturday 10-10). Calendar-day and month deadlines
 * end at 23:59:59.999999 of their day; hours are exact. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "wf-lib1.h"
#include "harness.h"

#define S(x) g_variant_new_string (x)
#define NO_FIELDS NULL

/* System users of actors-library-1.yaml (see that file). */
#define U_OFFICER "1"   /* daemon: agency_officer@ecology-bureau */
#define U_HEAD "2"      /* bin:    agency_head@ecology-bureau */
#define U_PSB "3"       /* sys:    psb@xn-psb */
#define U_CRIMINAL "4"  /* sync:   proc_criminal@qh-proc */
#define U_CHIEF "5"     /* games:  proc_chief@qh-proc */
/* proc_criminal and proc_chief see every case; the others see the cases
 * their agency created, holds or held, and get NotFound (exit 3) for the
 * rest: a wrong role is checked with a caller who sees the case. */

/* A string field of the case, or NULL when not set. */
static char *
field_str (ClHarness *h, const char *path, const char *key)
{
  g_autoptr(GVariant) fields = cl_test_case_prop (h, path, "Fields");
  char *s = NULL;

  if (!g_variant_lookup (fields, key, "s", &s))
    return NULL;
  return s;
}

/* The case linked to @path under @relation: its id, and its path in @other_path. */
static char *
linked (ClHarness *h, const char *path, const char *relation, char **other_path)
{
  g_autoptr(GVariant) links = cl_test_case_prop (h, path, "Links");

  g_assert_cmpstr (g_variant_get_type_string (links), ==, "a(sss)");
  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *rel, *id, *p;
      g_variant_get_child (links, i, "(&s&s&s)", &rel, &id, &p);
      if (g_str_equal (rel, relation))
        {
          if (other_path != NULL)
            *other_path = g_strdup (p);
          return g_strdup (id);
        }
    }
  g_error ("%s has no link %s: %s", path, relation, g_variant_print (links, TRUE));
  return NULL;
}

/* @a links to @b under @relation and @b back to @a under relation_of. */
static char *
assert_spawned (ClHarness *h, const char *id, const char *path, const char *relation, char **child_path)
{
  g_autofree char *back_rel = g_strconcat (relation, "_of", NULL);
  g_autofree char *back_path = NULL;
  char *child = linked (h, path, relation, child_path);
  g_autofree char *back = linked (h, *child_path, back_rel, &back_path);

  g_assert_cmpstr (back, ==, id);
  g_assert_cmpstr (back_path, ==, path);
  return child;
}

/* ---- forward_transfer --------------------------------------------------- */

/* A new forward_transfer case of the ecology bureau. */
static char *
new_transfer (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "forward_transfer",
                     cl_test_fields ("title", S (title), "domain", S ("ecology"),
                                     "transferring_agency", S ("ecology-bureau"),
                                     "suspected_offence", S ("污染环境罪"), NULL),
                     path);

  assert_state (h, *path, "suspected");
  return id;
}

/* suspected → … → approved, as the agency. */
static void
to_approved (ClHarness *h, const char *path)
{
  const char *team[] = { "张三", "李四", NULL };

  adv (h, path, "form_team", cl_test_fields ("special_team", g_variant_new_strv (team, -1),
                                             "team_size", g_variant_new_int64 (2), NULL), "verifying");
  adv (h, path, "submit_report", cl_test_fields ("report_no", S ("西环移报〔2026〕1号"),
                                                 "facts", S ("超标排放含重金属废水，涉案数量达到追诉标准"),
                                                 "suspected_crime", g_variant_new_boolean (TRUE), NULL),
       "awaiting_approval");
  adv (h, path, "approve", NO_FIELDS, "approved");
}

/* approved → transferred → psb_review, as the agency and the PSB. */
static void
to_psb_review (ClHarness *h, const char *path)
{
  adv (h, path, "dispatch", cl_test_fields ("psb_agency", S ("xn-psb"), "transfer_letter", S ("西环移〔2026〕1号"),
                                            "investigation_report", S ("调查报告"),
                                            "exhibit_list", S ("废水采样瓶 12 个"), NULL), "transferred");
  adv (h, path, "sign_receipt", cl_test_fields ("receipt_no", S ("回执 1"), NULL), "psb_review");
}

static void
test_forward_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;
  const char *team1[] = { "张三", NULL };
  const char *team2[] = { "张三", "李四", NULL };
  gint64 t0 = cl_test_at (2026, 9, 29, 10, 0);                  /* Tuesday */

  cl_test_set_time (h, t0);
  id = new_transfer (h, "某化工企业非法排放含重金属废水案", &path);
  g_assert_true (g_str_has_prefix (id, "FT-2026-"));
  assert_agency (h, path, "ecology-bureau");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);

  /* The special team has at least two officers (art.5). */
  adv_refused (h, path, "form_team", cl_test_fields ("special_team", g_variant_new_strv (team1, -1),
                                                     "team_size", g_variant_new_int64 (1), NULL),
               "org.caselink.Error.Rejected", "team_size ge 2");
  adv (h, path, "form_team", cl_test_fields ("special_team", g_variant_new_strv (team2, -1),
                                             "team_size", g_variant_new_int64 (2), NULL), "verifying");
  assert_taken_by (h, path, "form_team", NULL, "agency_head");

  /* The transfer report needs its facts, and a suspected crime. */
  adv_refused (h, path, "submit_report", NO_FIELDS, "org.caselink.Error.MissingField", "report_no");
  adv_refused (h, path, "submit_report", cl_test_fields ("report_no", S ("西环移报〔2026〕1号"),
                                                         "facts", S ("超标排放"), NULL),
               "org.caselink.Error.Rejected", "suspected_crime");
  adv (h, path, "submit_report", cl_test_fields ("report_no", S ("西环移报〔2026〕1号"), "facts", S ("超标排放"),
                                                 "suspected_crime", g_variant_new_boolean (TRUE), NULL),
       "awaiting_approval");
  assert_taken_by (h, path, "submit_report", NULL, "agency_officer");
  /* 3 calendar days from Tue 09-29: Fri 10-02 is in the National Day
   * holiday, rolled to the next working day, Thu 10-08. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 8));
  g_assert_cmpuint (count_notes (h, path, "deadline", "3 calendar_days"), ==, 1);

  adv (h, path, "approve", NO_FIELDS, "approved");
  assert_taken_by (h, path, "approve", NULL, "agency_head");
  /* 24 hours to transfer: the exact instant, never rolled. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 24 * G_TIME_SPAN_HOUR);

  cl_test_set_time (h, cl_test_at (2026, 9, 30, 9, 0));
  adv_refused (h, path, "dispatch", NO_FIELDS, "org.caselink.Error.MissingField", "transfer_letter");
  adv (h, path, "dispatch", cl_test_fields ("psb_agency", S ("xn-psb"), "transfer_letter", S ("西环移〔2026〕1号"),
                                            "investigation_report", S ("调查报告"),
                                            "exhibit_list", S ("废水采样瓶 12 个"), NULL), "transferred");
  /* Held by the PSB now; 24 hours to sign or forward, across the holiday. */
  assert_agency (h, path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_at (2026, 10, 1, 9, 0));

  adv (h, path, "sign_receipt", cl_test_fields ("receipt_no", S ("西公受〔2026〕88号"), NULL), "psb_review");
  assert_taken_by (h, path, "sign_receipt", NULL, "psb");
  /* 3 calendar days from 09-30 → Sat 10-03, a holiday → Thu 10-08. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 8));

  /* Materials incomplete: the agency supplements within 3 days. */
  adv_refused (h, path, "request_supplement", NO_FIELDS, "org.caselink.Error.MissingField", "supplement_items");
  adv (h, path, "request_supplement", cl_test_fields ("supplement_items", S ("检测报告原件"), NULL), "supplementing");
  assert_agency (h, path, "ecology-bureau");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 8));
  cl_test_set_time (h, cl_test_at (2026, 10, 8, 10, 0));
  adv (h, path, "supplement", cl_test_fields ("supplement_materials", S ("检测报告原件"), NULL), "psb_review");
  assert_agency (h, path, "xn-psb");
  /* A fresh 3 days from Thu 10-08 → Sun 10-11 → Mon 10-12. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 12));

  /* Economic-crime extensions need econ_crime, and approvals. */
  adv_refused (h, path, "extend_econ", NO_FIELDS, "org.caselink.Error.Rejected", "econ_crime");
  adv (h, path, "extend_econ", cl_test_fields ("econ_crime", g_variant_new_boolean (TRUE), NULL), "psb_review");
  /* Extensions count from the period's own last day, Sun 10-11 (only the
   * last day rolls, 刑事诉讼法 art.105): +7 → Sun 10-18 → Mon 10-19. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 19));
  adv_refused (h, path, "extend_econ_complex", NO_FIELDS, "org.caselink.Error.MissingField", "county_approval_no");
  adv (h, path, "extend_econ_complex", cl_test_fields ("county_approval_no", S ("西公批〔2026〕5号"), NULL),
       "psb_review");
  /* +20 from 10-18 → Sat 11-07 → Mon 11-09. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 11, 9));
  adv_refused (h, path, "extend_econ_major", NO_FIELDS, "org.caselink.Error.MissingField", "higher_approval_no");
  adv (h, path, "extend_econ_major", cl_test_fields ("higher_approval_no", S ("青公批〔2026〕2号"), NULL), "psb_review");
  /* +30 from 11-07 → Mon 12-07 (from the rolled 11-09 it was 12-09). */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 12, 7));
  g_assert_cmpuint (count_notes (h, path, "deadline", "extended by 30 calendar_days"), ==, 1);
  /* Each extension once per review (经济犯罪规定 art.16 caps them). */
  adv_refused (h, path, "extend_econ", NO_FIELDS, "org.caselink.Error.Rejected",
               "transition 'extend_econ' extends the deadline of state psb_review once");
  adv_refused (h, path, "extend_econ_major", cl_test_fields ("higher_approval_no", S ("青公批〔2026〕3号"), NULL),
               "org.caselink.Error.Rejected", "once, and it already has");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 12, 7));

  cl_test_set_time (h, cl_test_at (2026, 10, 9, 15, 0));                /* Friday */
  adv (h, path, "file", cl_test_fields ("filing_notice_no", S ("西公立〔2026〕12号"), NULL), "filed");
  assert_agency (h, path, "ecology-bureau");
  /* Exhibits within 3 days of the filing notice: Fri 10-09 → Sat 10-10
   * (a make-up working day), 11, 12 → Mon 10-12. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 12));
  adv (h, path, "handover_exhibits", cl_test_fields ("handover_record", S ("移交清单 1 份"), NULL), "closed");
  assert_taken_by (h, path, "handover_exhibits", NULL, "agency_officer");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  g_assert_false (overdue_of (h, path));
  cl_harness_free (h);
}

static void
test_forward_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL, *id2 = NULL, *path2 = NULL, *id3 = NULL, *path3 = NULL;
  const char *team[] = { "王五", "赵六", NULL };
  gint64 t0 = cl_test_at (2026, 11, 2, 9, 0);                   /* Monday */

  /* Transfer late: the 24 hours pass, the case is overdue, nothing fires. */
  cl_test_set_time (h, t0);
  id = new_transfer (h, "超期移送", &path);
  to_approved (h, path);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 24 * G_TIME_SPAN_HOUR);
  cl_test_set_time (h, t0 + 25 * G_TIME_SPAN_HOUR);
  wait_for (h, path, "approved", TRUE);
  g_assert_cmpuint (count_notes (h, path, "deadline", "missed"), ==, 1);
  adv (h, path, "dispatch", cl_test_fields ("psb_agency", S ("xn-psb"), "transfer_letter", S ("移送书"),
                                            "investigation_report", S ("调查报告"), "exhibit_list", S ("清单"),
                                            NULL), "transferred");
  g_assert_false (overdue_of (h, path));

  /* Not the PSB's jurisdiction: forwarded, and held by the competent one. */
  adv_refused (h, path, "redirect", NO_FIELDS, "org.caselink.Error.MissingField", "redirect_reason");
  adv (h, path, "redirect", cl_test_fields ("redirect_reason", S ("犯罪地在海东市"), "psb_agency", S ("hd-psb"), NULL),
       "redirected");
  assert_agency (h, path, "hd-psb");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  adv (h, path, "sign_receipt", cl_test_fields ("receipt_no", S ("东公受 7"), NULL), "psb_review");

  /* Not filed → reconsideration → filed after all. */
  cl_test_set_time (h, cl_test_at (2026, 11, 4, 10, 0));                /* Wednesday */
  adv_refused (h, path, "not_file", cl_test_fields ("not_file_reasons", S ("情节显著轻微"), NULL),
               "org.caselink.Error.MissingField", "not_file_notice_no");
  adv (h, path, "not_file", cl_test_fields ("not_file_reasons", S ("情节显著轻微"),
                                            "not_file_notice_no", S ("东公不立〔2026〕3号"), NULL), "not_filed");
  assert_agency (h, path, "ecology-bureau");
  /* 3 calendar days to ask for reconsideration: Sat 11-07 → Mon 11-09. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 11, 9));
  adv (h, path, "request_reconsideration", cl_test_fields ("reconsideration_request_no", S ("复议 1"), NULL),
       "reconsidering");
  assert_taken_by (h, path, "request_reconsideration", NULL, "agency_head");
  assert_agency (h, path, "hd-psb");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 11, 9));
  adv_refused (h, path, "reconsider_file", cl_test_fields ("reconsideration_decision_no", S ("复决 1"), NULL),
               "org.caselink.Error.MissingField", "filing_notice_no");
  adv (h, path, "reconsider_file", cl_test_fields ("reconsideration_decision_no", S ("复决 1"),
                                                   "filing_notice_no", S ("东公立 9"), NULL), "filed");
  adv (h, path, "handover_exhibits", cl_test_fields ("handover_record", S ("移交"), NULL), "closed");

  /* The head refuses: the reasons are recorded. An administrative penalty
   * instead is refused while the case records a suspected crime the PSB
   * never declined (不得以罚代刑). */
  id2 = new_transfer (h, "不批准移送", &path2);
  adv (h, path2, "form_team", cl_test_fields ("special_team", g_variant_new_strv (team, -1),
                                              "team_size", S ("2"), NULL), "verifying");
  adv (h, path2, "submit_report", cl_test_fields ("report_no", S ("报告 2"), "facts", S ("事实"),
                                                  "suspected_crime", S ("true"), NULL), "awaiting_approval");
  adv_refused (h, path2, "refuse", NO_FIELDS, "org.caselink.Error.MissingField", "refusal_reason");
  adv (h, path2, "refuse", cl_test_fields ("refusal_reason", S ("证据不足"), NULL), "refused");
  g_assert_cmpint (cl_test_deadline_of (h, path2), ==, 0);
  adv (h, path2, "handle_administratively", NO_FIELDS, "admin_handling");
  adv_refused (h, path2, "close_admin", cl_test_fields ("admin_decision", S ("罚款 5 万元"), NULL),
               "org.caselink.Error.Rejected", "condition failed");

  /* Verification finds no crime: handled and closed administratively. */
  id3 = new_transfer (h, "未达追诉标准", &path3);
  adv (h, path3, "form_team", cl_test_fields ("special_team", g_variant_new_strv (team, -1),
                                              "team_size", S ("3"), NULL), "verifying");
  adv_refused (h, path3, "no_crime_found", cl_test_fields ("no_crime_reason", S ("数额未达标准"), NULL),
               "org.caselink.Error.Rejected", "suspected_crime");
  adv (h, path3, "no_crime_found", cl_test_fields ("no_crime_reason", S ("数额未达标准"),
                                                   "suspected_crime", S ("false"), NULL), "admin_handling");
  adv (h, path3, "close_admin", cl_test_fields ("admin_decision", S ("罚款 2 万元"), NULL), "closed_admin");

  /* Not filed, and the agency accepts it: an administrative penalty is
   * allowed now that the PSB declined (not_file_notice_no). */
  g_clear_pointer (&id3, g_free);
  g_clear_pointer (&path3, g_free);
  id3 = new_transfer (h, "接受不予立案", &path3);
  to_approved (h, path3);
  to_psb_review (h, path3);
  adv (h, path3, "not_file", cl_test_fields ("not_file_reasons", S ("不构成犯罪"), "not_file_notice_no", S ("不立 8"), NULL),
       "not_filed");
  adv (h, path3, "accept_not_filing", NO_FIELDS, "admin_handling");
  adv (h, path3, "close_admin", cl_test_fields ("admin_decision", S ("罚款 8 万元"), NULL), "closed_admin");

  /* Supervision proposed straight after the notice; the procuratorate finds
   * the PSB's reasons sound and hands the case back to the agency. */
  g_clear_pointer (&id3, g_free);
  g_clear_pointer (&path3, g_free);
  id3 = new_transfer (h, "径行提请监督", &path3);
  to_approved (h, path3);
  to_psb_review (h, path3);
  adv (h, path3, "not_file", cl_test_fields ("not_file_reasons", S ("不构成犯罪"), "not_file_notice_no", S ("不立 9"), NULL),
       "not_filed");
  adv (h, path3, "propose_supervision", cl_test_fields ("procuratorate", S ("qh-proc"),
                                                        "supervision_proposal_no", S ("监建 9"), NULL),
       "supervision_proposed");
  adv (h, path3, "supervision_concluded", NO_FIELDS, "admin_handling");
  assert_taken_by (h, path3, "supervision_concluded", NULL, "proc_criminal");
  assert_agency (h, path3, "ecology-bureau");
  adv (h, path3, "close_admin", cl_test_fields ("admin_decision", S ("责令改正"), NULL), "closed_admin");
  cl_harness_free (h);
}

/* ---- forward_transfer → filing_supervision ----------------------------- */

static void
test_not_filed_to_supervision (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL, *lj = NULL, *lj_path = NULL, *v = NULL;

  cl_test_set_time (h, cl_test_at (2026, 4, 24, 9, 0));                  /* Friday */
  id = new_transfer (h, "某公司非法采矿案", &path);
  to_approved (h, path);
  to_psb_review (h, path);
  adv (h, path, "not_file", cl_test_fields ("not_file_reasons", S ("不构成犯罪"),
                                            "not_file_notice_no", S ("西公不立〔2026〕4号"), NULL), "not_filed");
  adv (h, path, "request_reconsideration", cl_test_fields ("reconsideration_request_no", S ("复议 4"), NULL),
       "reconsidering");
  adv (h, path, "uphold_not_filing", cl_test_fields ("reconsideration_decision_no", S ("复决 4"), NULL),
       "not_filed_final");
  /* Still disagreeing, the agency must propose supervision within 3 days:
   * Fri 04-24 → Mon 04-27. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 27));
  assert_agency (h, path, "ecology-bureau");
  adv_refused (h, path, "propose_supervision", NO_FIELDS, "org.caselink.Error.MissingField", "procuratorate");
  adv (h, path, "propose_supervision", cl_test_fields ("procuratorate", S ("qh-proc"),
                                                       "supervision_proposal_no", S ("西环监建 1"), NULL),
       "supervision_proposed");
  assert_agency (h, path, "qh-proc");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);

  /* The filing_supervision case, linked both ways, with the copied fields. */
  lj = assert_spawned (h, id, path, "filing_supervision", &lj_path);
  g_assert_true (g_str_has_prefix (lj, "LJ-2026-"));
  assert_state (h, lj_path, "received");
  assert_agency (h, lj_path, "qh-proc");
  v = field_str (h, lj_path, "not_file_reasons");
  g_assert_cmpstr (v, ==, "不构成犯罪");
  g_free (v);
  v = field_str (h, lj_path, "transferring_agency");
  g_assert_cmpstr (v, ==, "ecology-bureau");
  g_free (v);
  v = field_str (h, lj_path, "title");
  g_assert_cmpstr (v, ==, "某公司非法采矿案");
  g_assert_cmpuint (count_notes (h, lj_path, "created", "by transition propose_supervision"), ==, 1);

  /* The procuratorate asks the PSB for its reasons: 7 days from Tue 04-28
   * → Tue 05-05, in the Labour Day holiday → Wed 05-06. */
  cl_test_set_time (h, cl_test_at (2026, 4, 28, 9, 0));
  adv (h, lj_path, "review", NO_FIELDS, "reviewing");
  adv_refused (h, lj_path, "request_reasons", NO_FIELDS, "org.caselink.Error.MissingField", "reasons_request_no");
  adv (h, lj_path, "request_reasons", cl_test_fields ("reasons_request_no", S ("青检要说 1"), NULL), "awaiting_reasons");
  assert_agency (h, lj_path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, lj_path), ==, cl_test_end_of (2026, 5, 6));
  adv (h, lj_path, "submit_reasons", cl_test_fields ("psb_reasons", S ("证据不足"), NULL), "reasons_received");
  assert_taken_by (h, lj_path, "submit_reasons", NULL, "psb");
  assert_agency (h, lj_path, "qh-proc");

  /* The reasons fail: the chief's notice to file; 15 days from Wed 05-06
   * → Thu 05-21. Missed: the 纠正违法通知书 follows by itself. */
  cl_test_set_time (h, cl_test_at (2026, 5, 6, 10, 0));
  adv_refused (h, lj_path, "reasons_invalid", NO_FIELDS, "org.caselink.Error.MissingField", "notice_to_file_no");
  adv (h, lj_path, "reasons_invalid", cl_test_fields ("notice_to_file_no", S ("青检通立 1"), NULL), "notice_to_file");
  assert_taken_by (h, lj_path, "reasons_invalid", NULL, "proc_chief");
  assert_agency (h, lj_path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, lj_path), ==, cl_test_end_of (2026, 5, 21));
  cl_test_set_time (h, cl_test_at (2026, 5, 22, 8, 0));
  wait_for (h, lj_path, "correction_notice", FALSE);
  assert_taken_by (h, lj_path, "issue_correction_notice", "caselinkd", "system");
  g_assert_cmpuint (count_notes (h, lj_path, "transition", "fired on expiry"), ==, 1);

  /* The PSB files: monitored; 3 months from Mon 05-25 → Tue 08-25. Not
   * concluded by then: the 催办函 follows by itself. */
  cl_test_set_time (h, cl_test_at (2026, 5, 25, 10, 0));
  adv (h, lj_path, "psb_files", cl_test_fields ("filing_decision_no", S ("西公立〔2026〕30号"), NULL),
       "monitoring_investigation");
  g_assert_cmpint (cl_test_deadline_of (h, lj_path), ==, cl_test_end_of (2026, 8, 25));
  cl_test_set_time (h, cl_test_at (2026, 8, 26, 9, 0));
  wait_for (h, lj_path, "reminder_sent", FALSE);
  assert_taken_by (h, lj_path, "send_reminder", "caselinkd", "system");
  adv (h, lj_path, "conclude", cl_test_fields ("conclusion", S ("已移送审查起诉"), NULL), "concluded");

  /* And the transfer case: filed on the procuratorate's notice. */
  adv (h, path, "file_on_notice", cl_test_fields ("filing_notice_no", S ("西公立〔2026〕30号"), NULL), "filed");
  adv (h, path, "handover_exhibits", cl_test_fields ("handover_record", S ("移交"), NULL), "closed");
  cl_harness_free (h);
}

/* ---- filing_supervision alone ------------------------------------------ */

static char *
new_supervision (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "filing_supervision",
                     cl_test_fields ("title", S (title), "domain", S ("livelihood"), "source", S ("victim_petition"),
                                     "procuratorate", S ("qh-proc"), "psb_agency", S ("xn-psb"), NULL),
                     path);
  assert_state (h, *path, "received");
  adv (h, *path, "review", NO_FIELDS, "reviewing");
  return id;
}

static void
test_filing_supervision_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  g_autofree char *jj = NULL, *jj_path = NULL, *d = NULL, *d_path = NULL;

  /* The reasons stand: the petitioner is told within 10 days; from Mon
   * 09-21 that is Thu 10-01, a holiday → Thu 10-08. */
  cl_test_set_time (h, cl_test_at (2026, 9, 21, 9, 0));
  a = new_supervision (h, "拒不支付劳动报酬不立案监督", &a_path);
  adv (h, a_path, "request_reasons", cl_test_fields ("reasons_request_no", S ("要说 2"), NULL), "awaiting_reasons");
  adv (h, a_path, "submit_reasons", cl_test_fields ("psb_reasons", S ("已足额支付"), NULL), "reasons_received");
  adv (h, a_path, "reasons_valid", NO_FIELDS, "informing_petitioner");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 10, 8));
  adv_refused (h, a_path, "inform", NO_FIELDS, "org.caselink.Error.MissingField", "inform_letter_no");
  adv (h, a_path, "inform", cl_test_fields ("inform_letter_no", S ("告知 2"), NULL), "reasons_upheld");

  /* The PSB has not decided at all: 7 days to explain the delay, from
   * Fri 06-12 → Fri 06-19, the Dragon Boat holiday → Mon 06-22. Missed:
   * the correction opinion follows by itself; the chief then orders filing,
   * which is missed too; the violation notice is ignored; up one level, and
   * a procuratorial suggestion closes the case. */
  cl_test_set_time (h, cl_test_at (2026, 6, 12, 9, 0));
  b = new_supervision (h, "逾期不作立案决定", &b_path);
  adv (h, b_path, "request_delay_explanation", NO_FIELDS, "awaiting_explanation");
  assert_agency (h, b_path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 6, 22));
  d = new_supervision (h, "纠正意见后仍不立案", &d_path);
  adv (h, d_path, "request_delay_explanation", NO_FIELDS, "awaiting_explanation");
  cl_test_set_time (h, cl_test_at (2026, 6, 23, 0, 30));
  wait_for (h, b_path, "correction_opinion", FALSE);
  wait_for (h, d_path, "correction_opinion", FALSE);
  assert_taken_by (h, b_path, "issue_correction_opinion", "caselinkd", "system");
  adv (h, b_path, "order_filing", cl_test_fields ("notice_to_file_no", S ("通立 3"), NULL), "notice_to_file");
  /* 15 days from Tue 06-23 → Wed 07-08. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 7, 8));
  /* After the correction opinion the PSB decides not to file: reviewed
   * again; it gives no reasons, and the chief orders filing anyway. */
  adv (h, d_path, "psb_decides_not_to_file", cl_test_fields ("not_file_reasons", S ("证据不足"), NULL), "reviewing");
  adv (h, d_path, "request_reasons", cl_test_fields ("reasons_request_no", S ("要说 4"), NULL), "awaiting_reasons");
  adv (h, d_path, "reasons_invalid", cl_test_fields ("notice_to_file_no", S ("通立 4"), NULL), "notice_to_file");
  cl_test_set_time (h, cl_test_at (2026, 7, 9, 9, 0));
  wait_for (h, b_path, "correction_notice", FALSE);
  wait_for (h, d_path, "correction_notice", FALSE);
  adv (h, d_path, "escalate", cl_test_fields ("escalation_report", S ("报省院"), NULL), "escalated");
  adv (h, d_path, "close_escalated", cl_test_fields ("close_reason", S ("上级院协商公安机关处理"), NULL), "closed");
  adv_refused (h, b_path, "escalate", NO_FIELDS, "org.caselink.Error.MissingField", "escalation_report");
  adv (h, b_path, "escalate", cl_test_fields ("escalation_report", S ("报省院"), NULL), "escalated");
  assert_agency (h, b_path, "qh-proc");
  adv (h, b_path, "issue_suggestion", cl_test_fields ("close_reason", S ("制发纠正违法检察建议"), NULL), "closed");
  jj = assert_spawned (h, b, b_path, "suggestion", &jj_path);
  g_assert_true (g_str_has_prefix (jj, "JJ-2026-"));
  assert_state (h, jj_path, "drafted");
  assert_agency (h, jj_path, "qh-proc");

  /* The PSB explains the delay: back to review, closed without grounds. */
  c = new_supervision (h, "说明逾期理由", &c_path);
  adv (h, c_path, "request_delay_explanation", NO_FIELDS, "awaiting_explanation");
  adv (h, c_path, "explain_delay", cl_test_fields ("delay_explanation", S ("鉴定未完成"), NULL), "reviewing");
  adv (h, c_path, "close_no_grounds", cl_test_fields ("close_reason", S ("尚在鉴定期间"), NULL), "closed");
  cl_harness_free (h);
}

/* ---- supervise_transfer ------------------------------------------------- */

/* detected → opinion_served, as the procuratorate; the chief first sends
 * the draft back once. */
static char *
new_opinion (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "supervise_transfer",
                     cl_test_fields ("title", S (title), "domain", S ("ecology"), "source", S ("platform_alert"),
                                     "procuratorate", S ("qh-proc"), "psb_agency", S ("xn-psb"), NULL),
                     path);

  assert_state (h, *path, "detected");
  assert_agency (h, *path, "qh-proc");
  adv (h, *path, "verify", NO_FIELDS, "verifying");
  adv (h, *path, "draft_opinion", cl_test_fields ("transferring_agency", S ("ecology-bureau"),
                                                  "facts", S ("罚款后未移送"), NULL), "opinion_drafted");
  adv (h, *path, "return_draft", cl_test_fields ("return_reason", S ("补充鉴定意见"), NULL), "verifying");
  assert_taken_by (h, *path, "return_draft", NULL, "proc_chief");
  adv (h, *path, "draft_opinion", NO_FIELDS, "opinion_drafted");
  adv_refused (h, *path, "approve_opinion", NO_FIELDS, "org.caselink.Error.MissingField", "opinion_no");
  adv (h, *path, "approve_opinion", cl_test_fields ("opinion_no", S ("青检意〔2026〕1号"), NULL), "opinion_served");
  assert_agency (h, *path, "ecology-bureau");
  return id;
}

static void
test_supervise_transfer (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *ft = NULL, *ft_path = NULL, *v = NULL;
  g_autofree char *b = NULL, *b_path = NULL, *jj = NULL, *jj_path = NULL;
  g_autofree char *c = NULL, *c_path = NULL, *d = NULL, *d_path = NULL, *jy = NULL, *jy_path = NULL;
  g_autofree char *e = NULL, *e_path = NULL, *conf = NULL, *more = NULL;

  /* The agency agrees and opens a transfer case, linked both ways. The
   * reply period is this file's default, 15 calendar days [M]: from Wed
   * 09-16 → Thu 10-01, a holiday → Thu 10-08. */
  cl_test_set_time (h, cl_test_at (2026, 9, 16, 9, 0));
  a = new_opinion (h, "以罚代刑监督", &a_path);
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 10, 8));
  adv (h, a_path, "transfer_new_case", NO_FIELDS, "transfer_monitoring");
  assert_taken_by (h, a_path, "transfer_new_case", NULL, "agency_head");
  ft = assert_spawned (h, a, a_path, "transfer", &ft_path);
  g_assert_true (g_str_has_prefix (ft, "FT-2026-"));
  assert_state (h, ft_path, "suspected");
  assert_agency (h, ft_path, "ecology-bureau");
  v = field_str (h, ft_path, "procuratorate");
  g_assert_cmpstr (v, ==, "qh-proc");
  adv_refused (h, a_path, "confirm_transferred", NO_FIELDS, "org.caselink.Error.MissingField", "transfer_receipt");
  adv (h, a_path, "confirm_transferred", cl_test_fields ("transfer_receipt", S ("回执"), NULL), "transferred");

  /* No answer within the period: overdue, nothing fires. The agency then
   * refuses; no good reason: the PSB is notified, the matter escalated,
   * and a procuratorial suggestion closes it. */
  cl_test_set_time (h, cl_test_at (2026, 10, 9, 9, 0));
  wait_for (h, a_path, "transferred", FALSE);
  b = new_opinion (h, "拒不移送", &b_path);
  /* From Fri 10-09: Sat 10-24 → Mon 10-26. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 10, 26));
  cl_test_set_time (h, cl_test_at (2026, 10, 27, 9, 0));
  wait_for (h, b_path, "opinion_served", TRUE);
  adv_refused (h, b_path, "refuse_transfer", NO_FIELDS, "org.caselink.Error.MissingField", "refusal_reasons");
  adv (h, b_path, "refuse_transfer", cl_test_fields ("refusal_reasons", S ("已作行政处罚"), NULL), "refusal_received");
  assert_agency (h, b_path, "qh-proc");
  adv (h, b_path, "notify_psb", cl_test_fields ("psb_notice_no", S ("青检通公 1"), NULL), "psb_notified");
  assert_agency (h, b_path, "xn-psb");
  adv (h, b_path, "escalate", cl_test_fields ("escalation_report", S ("移送监察机关"), NULL), "escalated");
  adv (h, b_path, "issue_suggestion", cl_test_fields ("close_reason", S ("检察建议"), NULL), "closed");
  jj = assert_spawned (h, b, b_path, "suggestion", &jj_path);
  assert_state (h, jj_path, "drafted");

  /* No answer at all: the PSB is notified straight away and files. */
  c = new_opinion (h, "公安机关径行立案", &c_path);
  adv (h, c_path, "notify_psb", cl_test_fields ("psb_notice_no", S ("青检通公 2"), NULL), "psb_notified");
  adv (h, c_path, "psb_files", cl_test_fields ("psb_filing_no", S ("西公立 50"), NULL), "psb_filed");

  /* A refused forward transfer: the procuratorate opens supervision from
   * it (linked), the agency agrees under the same transfer case, whose
   * head then approves the transfer. */
  d = new_transfer (h, "不批准移送后监督", &d_path);
  adv (h, d_path, "form_team", cl_test_fields ("special_team", S ("甲"), "team_size", S ("2"), NULL), "verifying");
  adv (h, d_path, "submit_report", cl_test_fields ("report_no", S ("报 5"), "facts", S ("事实"),
                                                   "suspected_crime", S ("true"), NULL), "awaiting_approval");
  adv (h, d_path, "refuse", cl_test_fields ("refusal_reason", S ("另案处理"), NULL), "refused");
  adv_refused (h, d_path, "open_supervision", NO_FIELDS, "org.caselink.Error.MissingField", "procuratorate");
  adv (h, d_path, "open_supervision", cl_test_fields ("procuratorate", S ("qh-proc"), NULL), "transfer_supervised");
  assert_taken_by (h, d_path, "open_supervision", NULL, "proc_criminal");
  assert_agency (h, d_path, "qh-proc");
  jy = assert_spawned (h, d, d_path, "transfer_supervision", &jy_path);
  assert_state (h, jy_path, "detected");
  g_free (v);
  v = field_str (h, jy_path, "transferring_agency");
  g_assert_cmpstr (v, ==, "ecology-bureau");
  adv (h, jy_path, "verify", NO_FIELDS, "verifying");
  adv (h, jy_path, "draft_opinion", NO_FIELDS, "opinion_drafted");   /* facts copied */
  adv (h, jy_path, "approve_opinion", cl_test_fields ("opinion_no", S ("青检意 6"), NULL), "opinion_served");
  adv_refused (h, jy_path, "transfer", NO_FIELDS, "org.caselink.Error.MissingField", "agency_reply");
  adv (h, jy_path, "transfer", cl_test_fields ("agency_reply", S ("同意移送"), NULL), "transfer_monitoring");
  cl_test_set_time (h, cl_test_at (2026, 10, 28, 9, 0));
  adv (h, d_path, "transfer_on_opinion", NO_FIELDS, "approved");
  g_assert_cmpint (cl_test_deadline_of (h, d_path), ==, cl_test_at (2026, 10, 29, 9, 0));
  adv (h, jy_path, "confirm_transferred", cl_test_fields ("transfer_receipt", S ("回执 6"), NULL), "transferred");

  /* Refused again: the procuratorate notifies the PSB, which files; the
   * filing is recorded on the transfer case too. */
  g_clear_pointer (&d, g_free);
  g_clear_pointer (&d_path, g_free);
  g_clear_pointer (&jy, g_free);
  g_clear_pointer (&jy_path, g_free);
  d = new_transfer (h, "拒不移送后公安机关立案", &d_path);
  adv (h, d_path, "form_team", cl_test_fields ("special_team", S ("乙"), "team_size", S ("2"), NULL), "verifying");
  adv (h, d_path, "submit_report", cl_test_fields ("report_no", S ("报 7"), "facts", S ("事实"),
                                                   "suspected_crime", S ("true"), NULL), "awaiting_approval");
  adv (h, d_path, "refuse", cl_test_fields ("refusal_reason", S ("不同意"), NULL), "refused");
  adv (h, d_path, "open_supervision", cl_test_fields ("procuratorate", S ("qh-proc"), "psb_agency", S ("xn-psb"), NULL),
       "transfer_supervised");
  jy = assert_spawned (h, d, d_path, "transfer_supervision", &jy_path);
  adv (h, jy_path, "verify", NO_FIELDS, "verifying");
  adv (h, jy_path, "draft_opinion", NO_FIELDS, "opinion_drafted");
  adv (h, jy_path, "approve_opinion", cl_test_fields ("opinion_no", S ("青检意 7"), NULL), "opinion_served");
  adv (h, jy_path, "refuse_transfer", cl_test_fields ("refusal_reasons", S ("无"), NULL), "refusal_received");
  adv (h, jy_path, "notify_psb", cl_test_fields ("psb_notice_no", S ("通公 7"), NULL), "psb_notified");
  adv (h, jy_path, "psb_files", cl_test_fields ("psb_filing_no", S ("西公立 70"), NULL), "psb_filed");
  adv (h, d_path, "psb_files_directly", cl_test_fields ("filing_notice_no", S ("西公立 70"), NULL), "filed");
  adv (h, d_path, "handover_exhibits", cl_test_fields ("handover_record", S ("移交"), NULL), "closed");

  /* Unfounded on verification; and refused, escalated, closed. */
  g_clear_pointer (&c, g_free);
  g_clear_pointer (&c_path, g_free);
  c = create (h, "supervise_transfer", cl_test_fields ("title", S ("线索不实"), "procuratorate", S ("qh-proc"), NULL),
              &c_path);
  adv (h, c_path, "verify", NO_FIELDS, "verifying");
  adv (h, c_path, "close_unfounded", cl_test_fields ("close_reason", S ("未达追诉标准"), NULL), "closed");
  g_clear_pointer (&c, g_free);
  g_clear_pointer (&c_path, g_free);
  c = new_opinion (h, "拒不移送报告", &c_path);
  adv (h, c_path, "refuse_transfer", cl_test_fields ("refusal_reasons", S ("无"), NULL), "refusal_received");
  adv (h, c_path, "escalate", cl_test_fields ("escalation_report", S ("移送监察机关"), NULL), "escalated");
  adv (h, c_path, "close_escalated", cl_test_fields ("close_reason", S ("已移送监察机关"), NULL), "closed");

  /* The 15 days are not statutory: a deployment sets its own. 30 calendar
   * days from Wed 10-28 → Fri 11-27. */
  cl_harness_stop_daemon (h);
  g_assert_true (g_file_get_contents (cl_harness_config_path (h), &conf, NULL, NULL));
  more = g_strconcat (conf, "[deadlines]\nsupervise_transfer.opinion_served=30 calendar_days\n", NULL);
  g_assert_true (g_file_set_contents (cl_harness_config_path (h), more, -1, NULL));
  cl_harness_start_daemon (h);
  cl_test_set_time (h, cl_test_at (2026, 10, 28, 9, 0));
  e = new_opinion (h, "本地期限", &e_path);
  g_assert_cmpint (cl_test_deadline_of (h, e_path), ==, cl_test_end_of (2026, 11, 27));
  g_assert_cmpuint (count_notes (h, e_path, "deadline", "[deadlines]"), ==, 1);
  adv (h, e_path, "refuse_transfer", cl_test_fields ("refusal_reasons", S ("已移送"), NULL), "refusal_received");
  adv (h, e_path, "accept_reasons", cl_test_fields ("close_reason", S ("已另行移送"), NULL), "closed");
  cl_harness_free (h);
}

/* ---- roles -------------------------------------------------------------- */

/* The whole forward transfer, then filing supervision and supervised
 * transfer, each step as the role the law names, and each refused to a
 * caller holding another role (PermissionDenied: exit 4). */
static void
test_roles (void)
{
  ClHarness *h;
  g_autofree char *ft = NULL, *ft_path = NULL, *lj = NULL, *lj_path = NULL, *jy = NULL;
  g_autofree char *out = NULL;

  if (!ctl_as_prerequisites ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 9, 29, 10, 0));

  /* forward_transfer: the agency creates; not the PSB, not the procuratorate. */
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "create", "forward_transfer", "-f", "title=x",
                           "-f", "transferring_agency=ecology-bureau", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "create", "forward_transfer", "-f", "title=x",
                           "-f", "transferring_agency=ecology-bureau", NULL), ==, 4);
  ft = ctl_create_as (h, U_OFFICER, "forward_transfer", "-f", "title=某企业非法排污案",
                  "-f", "transferring_agency=ecology-bureau", NULL);
  ft_path = ctl_path_of (h, ft);
  /* The PSB does not even see the agency's case yet (NotFound, exit 3);
   * the procuratorate sees it but may not act for the agency. */
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", ft, "form_team", "-f", "special_team=张三",
                           "-f", "team_size=2", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", ft, "form_team", "-f", "special_team=张三",
                           "-f", "team_size=2", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", ft, "form_team", "-f", "special_team=张三",
                           "-f", "team_size=2", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", ft, "submit_report", "-f", "report_no=1", "-f", "facts=f",
                           "-f", "suspected_crime=true", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", ft, "submit_report", "-f", "report_no=1", "-f", "facts=f",
                           "-f", "suspected_crime=true", NULL), ==, 0);
  /* Only the head approves. */
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", ft, "approve", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", ft, "approve", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", ft, "approve", NULL), ==, 0);
  assert_taken_by (h, ft_path, "approve", "bin", "agency_head");
  g_assert_cmpint (ctl_as (h, U_OFFICER, &out, "advance", ft, "dispatch", "-f", "psb_agency=xn-psb",
                           "-f", "transfer_letter=1", "-f", "investigation_report=r", "-f", "exhibit_list=e", NULL),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  /* Only the PSB signs the receipt and decides. */
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", ft, "sign_receipt", "-f", "receipt_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", ft, "sign_receipt", "-f", "receipt_no=1", NULL), ==, 0);
  assert_taken_by (h, ft_path, "sign_receipt", "sys", "psb");
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", ft, "not_file", "-f", "not_file_reasons=r",
                           "-f", "not_file_notice_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", ft, "not_file", "-f", "not_file_reasons=r",
                           "-f", "not_file_notice_no=1", NULL), ==, 0);
  /* The head proposes supervision; the officer may not. */
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", ft, "propose_supervision", "-f", "procuratorate=qh-proc",
                           "-f", "supervision_proposal_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", ft, "propose_supervision", "-f", "procuratorate=qh-proc",
                           "-f", "supervision_proposal_no=1", NULL), ==, 0);
  assert_state (h, ft_path, "supervision_proposed");

  /* filing_supervision: opened by the agency head's proposal. */
  lj = linked (h, ft_path, "filing_supervision", &lj_path);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", lj, "review", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", lj, "review", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", lj, "request_reasons", "-f", "reasons_request_no=1",
                           NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", lj, "submit_reasons", "-f", "psb_reasons=r", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", lj, "submit_reasons", "-f", "psb_reasons=r", NULL), ==, 0);
  /* Only the chief procurator issues the notice to file. */
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", lj, "reasons_invalid", "-f", "notice_to_file_no=1", NULL),
                   ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", lj, "reasons_invalid", "-f", "notice_to_file_no=1", NULL),
                   ==, 4);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", lj, "reasons_invalid", "-f", "notice_to_file_no=1", NULL),
                   ==, 0);
  assert_taken_by (h, lj_path, "reasons_invalid", "games", "proc_chief");
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", lj, "psb_files", "-f", "filing_decision_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", lj, "psb_files", "-f", "filing_decision_no=1", NULL), ==, 0);
  /* The transfer case follows: the PSB files on the notice. */
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", ft, "file_on_notice", "-f", "filing_notice_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_PSB, NULL, "advance", ft, "file_on_notice", "-f", "filing_notice_no=1", NULL), ==, 0);

  /* supervise_transfer: the procuratorate creates; the chief approves; the
   * agency head answers. */
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "create", "supervise_transfer", "-f", "title=x", NULL), ==, 4);
  jy = ctl_create_as (h, U_CRIMINAL, "supervise_transfer", "-f", "title=监督移送", "-f", "procuratorate=qh-proc", NULL);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", jy, "verify", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", jy, "draft_opinion", "-f", "transferring_agency=ecology-bureau",
                           "-f", "facts=f", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", jy, "approve_opinion", "-f", "opinion_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", jy, "approve_opinion", "-f", "opinion_no=1", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_CRIMINAL, NULL, "advance", jy, "transfer_new_case", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_OFFICER, NULL, "advance", jy, "transfer_new_case", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, &out, "advance", jy, "transfer_new_case", NULL), ==, 0);
  {
    g_autofree char *state = ctl_json_member (out, "state");
    g_assert_cmpstr (state, ==, "transfer_monitoring");
  }
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/wf-transfer/forward-main-path", test_forward_main_path);
  g_test_add_func ("/wf-transfer/forward-alternatives", test_forward_alternatives);
  g_test_add_func ("/wf-transfer/not-filed-to-filing-supervision", test_not_filed_to_supervision);
  g_test_add_func ("/wf-transfer/filing-supervision-alternatives", test_filing_supervision_alternatives);
  g_test_add_func ("/wf-transfer/supervise-transfer", test_supervise_transfer);
  g_test_add_func ("/wf-transfer/roles", test_roles);
  return g_test_run ();
}
