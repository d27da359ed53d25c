/* test-wf-other.c — the shipped workflows for petitions (信访), supervision
 * of compulsory drug rehabilitation (强制隔离戒毒), substantive resolution of
 * administrative disputes (行政争议实质性化解) and joint meetings (联席会议)
 * with their action items, over D-Bus with the test clock: main paths,
 * refusals, pauses, extensions, expiries with on_expire taken by the system
 * actor, spawned cases linked both ways, and callers in the wrong role
 * refused (caselinkctl under setpriv, tests/data/actors-library-2.yaml).
 *
 * Due instants are hand-computed with the cn calendar (workflows/calendars/
 * cn.yaml; years after 2026 are not covered: weekends only): the day of the
 * event is not counted; calendar days and months roll to the next working
 * day unless the state says roll: none; hours never roll. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

/* The helpers shared with the other workflow-library tests: wf-lib2.c. */
#include "wf-lib2.h"

#define RISK(level) "risk_level", S (level), "risk_assessment", S ("风险评估：信访人情绪稳定，已做好解释")

/* ---- petition --------------------------------------------------------------- */

static char *
xf_case (ClHarness *h, const char *title, char **path)
{
  return create (h, "petition",
                 F ("title", S (title), "domain", S ("livelihood"), "petitioner", S ("赵某"),
                    "channel", S ("visit"), "content", S ("反映征地补偿未到位")), path);
}

static void
test_xf_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));                    /* a Monday */
  id = xf_case (h, "征地补偿信访", &path);
  g_assert_true (g_str_has_prefix (id, "XF-"));
  /* Route within 15 days: Mon 03-02 → Tue 03-17. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 17));
  step (h, path, "route", F ("handling_agency", S ("qh-forestry"), "routed_on", S ("2026-03-02")), "routed");
  assert_agency (h, path, "qh-forestry");
  /* Objection window: 5 working days from Mon 03-02 → Mon 03-09. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 9));

  /* No objection: the routing stands by itself. */
  expire (h, cl_test_at (2026, 3, 10, 9, 0), path, "routing_settled", "accepting");
  /* Tell the petitioner within 15 days of routed_on 03-02 → Tue 03-17. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 17));
  step (h, path, "accept", NULL, "handling");
  /* 60 days from Tue 03-10 → Sat 05-09, a make-up working day: no roll. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 5, 9));
  refused (h, path, "extend_handling", NULL, "org.caselink.Error.MissingField");
  step (h, path, "extend_handling", F ("extension_reason", S ("情况复杂")), "handling");
  /* +30 from 05-09 → Mon 06-08. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 8));
  /* Once only: 信访工作条例 allows one extension of at most 30 days. */
  refused (h, path, "extend_handling", F ("extension_reason", S ("仍未办结")), "org.caselink.Error.Rejected");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 8));
  /* A decision carries its risk assessment. */
  refused (h, path, "answer", F ("handling_opinion", S ("补偿已足额发放")), "org.caselink.Error.MissingField");
  step (h, path, "answer", F ("handling_opinion", S ("补偿已足额发放"), RISK ("medium")), "answered");
  /* 30 days to ask for a review: 03-10 → Thu 04-09. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 9));
  step (h, path, "request_review", F ("review_agency", S ("qh-eco")), "reviewing");
  assert_agency (h, path, "qh-eco");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 9));
  step (h, path, "decide_review", F ("review_opinion", S ("维持"), RISK ("medium")), "review_answered");
  step (h, path, "request_re_review", F ("re_review_agency", S ("qh-gov")), "re_reviewing");
  assert_agency (h, path, "qh-gov");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 9));
  /* A hearing is not counted: paused from 03-10 to 03-20, ten days, so the
   * due day 04-09 moves to Sun 04-19, rolled to Mon 04-20. */
  step (h, path, "hold_hearing", NULL, "hearing");
  cl_test_set_time (h, cl_test_at (2026, 3, 20, 9, 0));
  refused (h, path, "end_hearing", NULL, "org.caselink.Error.MissingField");
  step (h, path, "end_hearing", F ("hearing_note", S ("听证会意见")), "re_reviewing");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 20));
  step (h, path, "decide_re_review", F ("re_review_opinion", S ("复核维持，终结"), RISK ("low")), "closed");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  cl_harness_free (h);
}

static void
test_xf_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  g_autofree char *d = NULL, *d_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  /* A matter for the courts: redirected. */
  a = xf_case (h, "应通过诉讼解决", &a_path);
  step (h, a_path, "redirect", F ("redirect_reason", S ("属于民事纠纷，告知向人民法院起诉")), "closed_redirected");

  /* Objection, routed again, handled late: supervised by itself; then the
   * answer is final when nobody asks for a review in 30 days. */
  b = xf_case (h, "转送异议", &b_path);
  step (h, b_path, "route", F ("handling_agency", S ("qh-forestry"), "routed_on", S ("2026-03-02")), "routed");
  step (h, b_path, "object_routing", F ("objection_reason", S ("不属于本机关职责")), "routing_objection");
  assert_agency (h, b_path, "");
  step (h, b_path, "reroute", F ("handling_agency", S ("qh-eco"), "routed_on", S ("2026-03-02")), "routed");
  assert_agency (h, b_path, "qh-eco");
  step (h, b_path, "accept", NULL, "handling");
  /* 60 days from 03-02 → Fri 05-01, Labour Day: rolled to Wed 05-06. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 5, 6));

  /* Objection rejected: the routing is maintained, and the body declines
   * (with its risk assessment). */
  c = xf_case (h, "维持转送", &c_path);
  step (h, c_path, "route", F ("handling_agency", S ("qh-forestry"), "routed_on", S ("2026-03-02")), "routed");
  step (h, c_path, "object_routing", F ("objection_reason", S ("异议")), "routing_objection");
  step (h, c_path, "maintain_routing", NULL, "accepting");
  refused (h, c_path, "decline", F ("decline_reason", S ("已经复核终结")), "org.caselink.Error.MissingField");
  step (h, c_path, "decline", F ("decline_reason", S ("已经复核终结"), RISK ("high")), "closed_not_accepted");

  /* Review decided, no re-review asked for: final by itself. */
  d = xf_case (h, "复查后终结", &d_path);
  step (h, d_path, "route", F ("handling_agency", S ("qh-forestry"), "routed_on", S ("2026-03-02")), "routed");
  step (h, d_path, "accept", NULL, "handling");
  step (h, d_path, "answer", F ("handling_opinion", S ("意见"), RISK ("low")), "answered");
  step (h, d_path, "request_review", F ("review_agency", S ("qh-gov")), "reviewing");
  step (h, d_path, "decide_review", F ("review_opinion", S ("复查意见"), RISK ("low")), "review_answered");
  /* 30 days from 03-02 → Wed 04-01. */
  g_assert_cmpint (cl_test_deadline_of (h, d_path), ==, cl_test_end_of (2026, 4, 1));
  expire (h, cl_test_at (2026, 4, 2, 9, 0), d_path, "become_final", "closed");

  expire (h, cl_test_at (2026, 5, 7, 9, 0), b_path, "supervise", "supervised");
  assert_agency (h, b_path, "qh-eco");
  step (h, b_path, "answer", F ("handling_opinion", S ("逾期办结"), RISK ("low")), "answered");
  /* 30 days from Thu 05-07 → Sat 06-06: rolled to Mon 06-08. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 6, 8));
  expire (h, cl_test_at (2026, 6, 9, 9, 0), b_path, "become_final", "closed");
  cl_harness_free (h);
}

/* ---- rehab_supervision -------------------------------------------------- */

#define ADULT_ID "630102199001010021"

static char *
jd_case (ClHarness *h, const char *title, char **path)
{
  return create (h, "rehab_supervision",
                 F ("title", S (title), "domain", S ("livelihood"), "person_name", S ("马某"),
                    "person_id_number", S (ADULT_ID), "deciding_psb", S ("xn-psb"),
                    "decision_no", S ("西公强戒决字〔2026〕1号")), path);
}

static void
admit_and_transfer (ClHarness *h, const char *path)
{
  step (h, path, "admit",
        F ("family_notified", g_variant_new_boolean (TRUE), "psb_facility", S ("xn-psb"), "term_start", S ("2026-03-02")),
        "psb_facility");
  step (h, path, "transfer", F ("justice_facility", S ("qh-rehab"), "transfer_date", S ("2026-06-01")),
        "justice_facility");
}

static void
test_jd_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL, *again_path = NULL;
  gint64 t0 = cl_test_at (2026, 3, 2, 9, 0);

  cl_test_set_time (h, t0);
  id = jd_case (h, "强制隔离戒毒监督", &path);
  g_assert_true (g_str_has_prefix (id, "JD-"));
  assert_agency (h, path, "xn-psb");
  /* The family is notified within 24 hours (禁毒法 art.40). */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 24 * G_TIME_SPAN_HOUR);
  refused (h, path, "admit",
           F ("family_notified", g_variant_new_boolean (FALSE), "psb_facility", S ("xn-psb"),
              "term_start", S ("2026-03-02")), "org.caselink.Error.Rejected");
  step (h, path, "admit",
        F ("family_notified", g_variant_new_boolean (TRUE), "psb_facility", S ("xn-psb"), "term_start", S ("2026-03-02")),
        "psb_facility");
  /* 6 months from term_start 2026-03-02, not rolled → Wed 09-02. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 9, 2));
  step (h, path, "transfer", F ("justice_facility", S ("qh-rehab"), "transfer_date", S ("2026-06-01")),
        "justice_facility");
  assert_agency (h, path, "qh-rehab");
  /* The 2-year term from term_start, not rolled → Thu 2028-03-02. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2028, 3, 2));

  /* Early release after a year: refused by the deciding PSB. */
  cl_test_set_time (h, cl_test_at (2027, 3, 5, 9, 0));
  refused (h, path, "propose_early_release",
           F ("proposal_type", S ("early_release"), "proposal_no", S ("提前解除意见-1"),
              "assessment_result", S ("诊断评估良好"), "served_over_one_year", g_variant_new_boolean (FALSE)),
           "org.caselink.Error.Rejected");
  step (h, path, "propose_early_release",
        F ("proposal_type", S ("early_release"), "proposal_no", S ("提前解除意见-1"),
           "assessment_result", S ("诊断评估良好"), "served_over_one_year", g_variant_new_boolean (TRUE)),
        "pending_decision");
  assert_agency (h, path, "xn-psb");
  /* 7 days from 2027-03-05, not rolled → 03-12. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2027, 3, 12));
  step (h, path, "refuse_proposal", F ("decision_reason", S ("尚需巩固")), "justice_facility");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2028, 3, 2));

  /* An extension proposed; the PSB decides late: supervised by itself. */
  cl_test_set_time (h, cl_test_at (2028, 1, 10, 9, 0));
  step (h, path, "propose_extension",
        F ("proposal_type", S ("extension"), "proposal_no", S ("延长意见-1"), "assessment_result", S ("需延长"),
           "term_end", S ("2028-03-02")), "pending_decision");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2028, 1, 17));
  expire (h, cl_test_at (2028, 1, 18, 9, 0), path, "flag_decision_overdue", "decision_overdue");
  step (h, path, "correct_late_decision",
        F ("correction_notice_no", S ("纠正意见-1"), "violation_type", S ("decision_overdue")), "decision_overdue");
  refused (h, path, "approve_early_release", F ("decision_reason", S ("x")), "org.caselink.Error.Rejected");
  step (h, path, "approve_extension", F ("decision_reason", S ("同意延长"), "extension_until", S ("2029-03-02")),
        "extended");
  /* At most one more year from term_end, not rolled → 2029-03-02. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2029, 3, 2));

  /* The term ends: released by itself, the family notified within 24 h. */
  expire (h, cl_test_at (2029, 3, 3, 9, 0), path, "release_on_term", "released");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_at (2029, 3, 4, 9, 0));
  step (h, path, "order_community_rehab",
        F ("release_certificate_no", S ("解除证明-1"), "community_rehab_agency", S ("xn-community")), "community_rehab");
  assert_agency (h, path, "xn-community");
  /* 3 years from 2029-03-03 → Wed 2032-03-03 (weekends only after 2026). */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2032, 3, 3));

  /* A serious breach: a new decision, a new linked case. */
  step (h, path, "recommit", F ("recommit_reason", S ("社区康复期间复吸")), "recommitted");
  again_path = spawned (h, id, path, "recommitted", "JD-");
  assert_state (h, again_path, "decided");
  assert_field (h, again_path, "person_name", "马某");
  assert_field (h, again_path, "person_id_number", ADULT_ID);
  assert_agency (h, again_path, "xn-psb");
  g_assert_cmpint (cl_test_deadline_of (h, again_path), ==, cl_test_at (2029, 3, 4, 9, 0));
  cl_harness_free (h);
}

static void
test_jd_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  gint64 t0 = cl_test_at (2026, 3, 2, 9, 0);

  cl_test_set_time (h, t0);
  b = jd_case (h, "逾期通知与逾期移交", &b_path);

  /* Early release approved, community rehabilitation that runs out. */
  c = jd_case (h, "提前解除", &c_path);
  admit_and_transfer (h, c_path);
  step (h, c_path, "propose_early_release",
        F ("proposal_type", S ("early_release"), "proposal_no", S ("意见-2"), "assessment_result", S ("良好"),
           "served_over_one_year", g_variant_new_boolean (TRUE)), "pending_decision");
  refused (h, c_path, "approve_extension", F ("decision_reason", S ("x"), "extension_until", S ("2027-01-01")),
           "org.caselink.Error.Rejected");
  step (h, c_path, "approve_early_release", F ("decision_reason", S ("同意提前解除")), "released");
  step (h, c_path, "order_community_rehab",
        F ("release_certificate_no", S ("证明-2"), "community_rehab_agency", S ("xn-community")), "community_rehab");
  /* 3 years from Mon 2026-03-02 → Fri 2029-03-02. */
  g_assert_cmpint (cl_test_deadline_of (h, c_path), ==, cl_test_end_of (2029, 3, 2));

  /* The family is not notified in time. */
  expire (h, t0 + 25 * G_TIME_SPAN_HOUR, b_path, "flag_family_notice", "notice_overdue");
  step (h, b_path, "correct_family_notice",
        F ("correction_notice_no", S ("纠正-1"), "violation_type", S ("family_not_notified")), "notice_overdue");
  step (h, b_path, "admit",
        F ("family_notified", g_variant_new_boolean (TRUE), "psb_facility", S ("xn-psb"), "term_start", S ("2026-03-02")),
        "psb_facility");
  /* Not transferred within 6 months. */
  expire (h, cl_test_at (2026, 9, 3, 9, 0), b_path, "flag_late_transfer", "late_transfer");
  step (h, b_path, "correct_late_transfer",
        F ("correction_notice_no", S ("纠正-2"), "violation_type", S ("late_transfer")), "late_transfer");
  step (h, b_path, "transfer", F ("justice_facility", S ("qh-rehab"), "transfer_date", S ("2026-09-04")),
        "justice_facility");
  step (h, b_path, "correct_assessment",
        F ("correction_notice_no", S ("纠正-3"), "violation_type", S ("assessment_irregularity")), "justice_facility");
  /* The term ends on 2028-03-02: released by itself, then discharged. */
  expire (h, cl_test_at (2028, 3, 3, 9, 0), b_path, "release_on_term", "released");
  refused (h, b_path, "discharge", NULL, "org.caselink.Error.MissingField");
  step (h, b_path, "discharge", F ("release_certificate_no", S ("证明-3")), "closed");

  expire (h, cl_test_at (2029, 3, 3, 9, 0), c_path, "complete_community_rehab", "closed");
  cl_harness_free (h);
}

/* ---- admin_dispute_resolution -------------------------------------------- */

static char *
xz_resolving (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "admin_dispute_resolution",
                     F ("title", S (title), "domain", S ("business"), "applicant", S ("钱某"),
                        "underlying_case_no", S ("(2025)青01行终1号"), "dispute_type", S ("land_expropriation")),
                     path);
  step (h, *path, "start_resolution",
        F ("respondent_agency", S ("qh-forestry"), "dispute_summary", S ("林地征收补偿标准争议")), "resolving");
  return id;
}

static void
test_xz_paths (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  g_autofree char *e = NULL, *e_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  a = xz_resolving (h, "征收补偿争议化解", &a_path);
  g_assert_true (g_str_has_prefix (a, "XZ-"));
  assert_agency (h, a_path, "qh-forestry");
  /* 3 months [M] from Mon 03-02 → Tue 06-02; the methods keep it running. */
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 6, 2));
  step (h, a_path, "hold_hearing", F ("hearing_date", S ("2026-03-20"), "hearing_record", S ("公开听证")), "resolving");
  step (h, a_path, "mediate", F ("mediation_record", S ("促成双方和解")), "resolving");
  step (h, a_path, "explain", F ("explanation_record", S ("释法说理")), "resolving");
  refused (h, a_path, "grant_aid", F ("aid_decision_no", S ("救助-1"), "aid_amount", g_variant_new_double (0)),
           "org.caselink.Error.Rejected");
  step (h, a_path, "grant_aid", F ("aid_decision_no", S ("救助-1"), "aid_amount", g_variant_new_double (5000)),
        "resolving");
  step (h, a_path, "sign_settlement", F ("settlement_agreement_no", S ("和解协议-1")), "resolving");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 6, 2));
  refused (h, a_path, "conclude_resolved", F ("outcome", S ("not_resolved"), "outcome_summary", S ("x")),
           "org.caselink.Error.Rejected");
  step (h, a_path, "conclude_resolved", F ("outcome", S ("settled"), "outcome_summary", S ("达成和解，申请人撤回监督申请")),
        "resolved");

  c = create (h, "admin_dispute_resolution", F ("title", S ("不宜化解")), &c_path);
  step (h, c_path, "decline", F ("not_suitable_reason", S ("涉及刑事犯罪")), "not_suitable");

  /* The period lapses: escalated to the chief by itself. */
  b = xz_resolving (h, "期满未化解", &b_path);
  e = xz_resolving (h, "期满后化解", &e_path);
  expire (h, cl_test_at (2026, 6, 3, 9, 0), b_path, "escalate", "escalated");
  expire (h, cl_test_at (2026, 6, 3, 9, 1), e_path, "escalate", "escalated");
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, 0);
  step (h, b_path, "continue_resolution", F ("escalation_note", S ("继续化解")), "resolving");
  /* A new 3 months from Wed 06-03 → Thu 09-03. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 9, 3));
  step (h, b_path, "correct_act", F ("correction_record", S ("部分纠正")), "resolving");
  refused (h, b_path, "conclude_unresolved", F ("outcome", S ("settled"), "outcome_summary", S ("x")),
           "org.caselink.Error.Rejected");
  step (h, b_path, "conclude_unresolved", F ("outcome", S ("not_resolved"), "outcome_summary", S ("依法提出监督意见")),
        "unresolved");
  step (h, e_path, "conclude_resolved", F ("outcome", S ("agency_corrected"), "outcome_summary", S ("行政机关已纠正")),
        "resolved");
  cl_harness_free (h);
}

/* ---- joint_meeting and meeting_action --------------------------------------- */

/* The paths of the cases @path links to under @relation, each linking back
 * to @id under relation_of. */
static GPtrArray *
links_under (ClHarness *h, const char *id, const char *path, const char *relation)
{
  g_autoptr(GVariant) links = cl_test_case_prop (h, path, "Links");
  g_autofree char *inverse = g_strconcat (relation, "_of", NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *rel, *other, *opath;
      g_autofree char *back = NULL, *back_path = NULL;

      g_variant_get_child (links, i, "(&s&s&s)", &rel, &other, &opath);
      if (!g_str_equal (rel, relation))
        continue;
      back = linked (h, opath, inverse, &back_path);
      g_assert_cmpstr (back, ==, id);
      g_ptr_array_add (out, g_strdup (opath));
    }
  return out;
}

static GVariant *
action (const char *item, const char *owner, const char *due)
{
  return F ("action_item", S (item), "action_owner", S (owner), "action_due", S (due));
}

static void
test_lx_paths (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *la1, *la2, *la3;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  id = create (h, "joint_meeting", F ("title", S ("2026年第一次府检联席会议"), "domain", S ("general"),
                                      "meeting_type", S ("regular")), &path);
  g_assert_true (g_str_has_prefix (id, "LX-"));
  assert_state (h, path, "planning");
  step (h, path, "circulate_agenda",
        F ("convener", S ("qh-proc"), "meeting_date", S ("2026-03-10"),
           "agenda", g_variant_new_strv ((const char *const[]) { "行刑衔接情况通报", "八号检察建议落实" }, 2)),
        "agenda_circulated");
  assert_agency (h, path, "qh-proc");
  /* Due at the end of the meeting day: 24 hours from 03-10 00:00. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_at (2026, 3, 11, 0, 0));
  step (h, path, "hold_meeting",
        F ("attendees", g_variant_new_strv ((const char *const[]) { "检察长", "副省长" }, 2),
           "attending_agencies", g_variant_new_strv ((const char *const[]) { "qh-proc", "qh-forestry", "xn-psb" }, 3)),
        "held");
  /* Minutes within 5 working days [M]: Mon 03-02 → Mon 03-09. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 9));
  step (h, path, "issue_minutes",
        F ("minutes_no", S ("纪要〔2026〕1号"),
           "decisions", g_variant_new_strv ((const char *const[]) { "建立线索移送台账", "开展联合检查" }, 2)),
        "minuted");
  step (h, path, "assign_action", action ("建立公益诉讼线索移送台账", "qh-forestry", "2026-03-31"), "minuted");
  step (h, path, "assign_action", action ("开展危险作业联合检查", "xn-psb", "2026-04-15"), "minuted");
  step (h, path, "assign_action", action ("编制信息共享目录", "qh-eco", "2026-05-20"), "minuted");
  items = links_under (h, id, path, "action_item");
  g_assert_cmpuint (items->len, ==, 3);
  la1 = items->pdata[0];
  la2 = items->pdata[1];
  la3 = items->pdata[2];
  assert_field (h, la1, "action_item", "建立公益诉讼线索移送台账");
  assert_field (h, la2, "action_due", "2026-04-15");
  assert_field (h, la1, "title", "2026年第一次府检联席会议");
  assert_state (h, la1, "assigned");
  assert_agency (h, la1, "qh-forestry");
  assert_agency (h, la2, "xn-psb");
  /* Due at the end of action_due: 24 hours from 03-31 00:00; warned 3 days
   * before. */
  g_assert_cmpint (cl_test_deadline_of (h, la1), ==, cl_test_at (2026, 4, 1, 0, 0));
  g_assert_cmpint (cl_test_deadline_of (h, la2), ==, cl_test_at (2026, 4, 16, 0, 0));

  /* A meeting that did not take place on its day, then postponed and
   * cancelled; and one cancelled before any agenda. */
  b = create (h, "joint_meeting", F ("title", S ("专题会议")), &b_path);
  step (h, b_path, "circulate_agenda",
        F ("convener", S ("qh-forestry"), "meeting_date", S ("2026-03-03"), "agenda", S ("生态保护")),
        "agenda_circulated");
  expire (h, cl_test_at (2026, 3, 4, 9, 0), b_path, "lapse", "rescheduling");
  step (h, b_path, "circulate_agenda", F ("meeting_date", S ("2026-03-12")), "agenda_circulated");
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_at (2026, 3, 13, 0, 0));
  step (h, b_path, "postpone", F ("reschedule_reason", S ("主要领导出差")), "rescheduling");
  step (h, b_path, "cancel", F ("cancel_reason", S ("议题已另行处理")), "cancelled");
  c = create (h, "joint_meeting", F ("title", S ("取消的会议")), &c_path);
  step (h, c_path, "cancel", F ("cancel_reason", S ("不再需要")), "cancelled");

  /* Item 1: progress, done, sent back, done, accepted. */
  step (h, la1, "report_progress", F ("progress_report", S ("已起草台账")), "assigned");
  step (h, la1, "report_done", F ("completion_report", S ("台账已建立")), "completed");
  step (h, la1, "send_back", F ("return_reason", S ("缺少移送记录字段")), "assigned");
  g_assert_cmpint (cl_test_deadline_of (h, la1), ==, cl_test_at (2026, 4, 1, 0, 0));
  step (h, la1, "report_done", F ("completion_report", S ("已补充")), "completed");
  step (h, la1, "accept_done", NULL, "closed");

  /* Item 2 runs late: escalated by itself, given a new date, done. */
  expire (h, cl_test_at (2026, 4, 16, 9, 0), la2, "escalate", "overdue");
  assert_agency (h, la2, "xn-psb");
  step (h, la2, "reschedule", F ("action_due", S ("2026-04-30")), "assigned");
  g_assert_cmpint (cl_test_deadline_of (h, la2), ==, cl_test_at (2026, 5, 1, 0, 0));
  step (h, la2, "report_done", F ("completion_report", S ("联合检查完成")), "completed");
  step (h, la2, "accept_done", NULL, "closed");

  /* Item 3 is withdrawn. */
  step (h, la3, "withdraw", F ("withdraw_reason", S ("并入其他事项")), "withdrawn");
  step (h, path, "close_meeting", NULL, "closed");
  cl_harness_free (h);
}

/* ---- roles ------------------------------------------------------------ */

static void
test_roles (void)
{
  ClHarness *h;
  g_autofree char *xf = NULL, *xf_path = NULL, *jd = NULL, *jd_path = NULL, *xz = NULL, *xz_path = NULL;
  g_autofree char *lx = NULL, *lx_path = NULL, *la = NULL, *la_path = NULL, *role = NULL;

  if (!can_switch_users ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));

  /* petition: the petition office registers and routes; the body routed to
   * accepts and answers; the office registers a review request. */
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "create", "petition", "-f", "title=x", NULL), ==, 4);
  xf = ctl_create_as (h, UID_PETITION, &xf_path, "create", "petition", "-f", "title=群众来访", "-f", "petitioner=赵某",
                      NULL);
  assert_agency (h, xf_path, "qh-petition");
  /* Not routed to it yet: the agency does not even see the petition. */
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xf, "accept", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", xf, "route", "-f", "handling_agency=qh-forestry",
                           "-f", "routed_on=2026-03-02", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PETITION, "advance", xf, "route", "-f", "handling_agency=qh-forestry",
                           "-f", "routed_on=2026-03-02", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PETITION, "advance", xf, "accept", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xf, "accept", NULL), ==, 0);
  role = last_role (h, xf_path);
  g_assert_cmpstr (role, ==, "agency_head");
  g_assert_cmpint (ctl_as (h, UID_PETITION, "advance", xf, "answer", "-f", "handling_opinion=x", "-f", "risk_level=low",
                           "-f", "risk_assessment=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xf, "answer", "-f", "handling_opinion=已解决",
                           "-f", "risk_level=low", "-f", "risk_assessment=无风险", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xf, "request_review", "-f", "review_agency=qh-gov", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PETITION, "advance", xf, "request_review", "-f", "review_agency=qh-gov", NULL), ==, 0);

  /* rehab: public security decides and admits; the facility proposes; the
   * deciding PSB approves; the procuratorate only supervises. */
  g_assert_cmpint (ctl_as (h, UID_REHAB, "create", "rehab_supervision", "-f", "title=x", NULL), ==, 4);
  jd = ctl_create_as (h, UID_PSB, &jd_path, "create", "rehab_supervision", "-f", "title=强戒",
                      "-f", "deciding_psb=xn-psb", NULL);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", jd, "admit", "-f", "decision_no=1", "-f", "family_notified=true",
                           "-f", "psb_facility=xn-psb", "-f", "term_start=2026-03-02", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", jd, "admit", "-f", "decision_no=强戒-1", "-f", "family_notified=true",
                           "-f", "psb_facility=xn-psb", "-f", "term_start=2026-03-02", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", jd, "transfer", "-f", "justice_facility=qh-rehab",
                           "-f", "transfer_date=2026-06-01", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", jd, "propose_early_release", "-f", "proposal_type=early_release",
                           "-f", "proposal_no=1", "-f", "assessment_result=x", "-f", "served_over_one_year=true",
                           NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_REHAB, "advance", jd, "propose_early_release", "-f", "proposal_type=early_release",
                           "-f", "proposal_no=意见-1", "-f", "assessment_result=良好", "-f", "served_over_one_year=true",
                           NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_REHAB, "advance", jd, "approve_early_release", "-f", "decision_reason=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", jd, "approve_early_release", "-f", "decision_reason=同意", NULL), ==, 0);
  assert_state (h, jd_path, "released");

  /* admin dispute: the administrative-procuratorial department runs it; the
   * agency signs; aid and the outcome are the chief's. */
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "create", "admin_dispute_resolution", "-f", "title=x", NULL), ==, 4);
  xz = ctl_create_as (h, UID_PROC_ADMIN, &xz_path, "create", "admin_dispute_resolution", "-f", "title=争议化解", NULL);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", xz, "start_resolution", "-f", "respondent_agency=qh-forestry",
                           "-f", "dispute_summary=补偿", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xz, "grant_aid", "-f", "aid_decision_no=1",
                           "-f", "aid_amount=100", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", xz, "grant_aid", "-f", "aid_decision_no=救助-1",
                           "-f", "aid_amount=3000", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", xz, "sign_settlement", "-f", "settlement_agreement_no=1",
                           NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", xz, "sign_settlement", "-f", "settlement_agreement_no=协议-1",
                           NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", xz, "conclude_resolved", "-f", "outcome=settled",
                           "-f", "outcome_summary=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", xz, "conclude_resolved", "-f", "outcome=settled",
                           "-f", "outcome_summary=和解", NULL), ==, 0);

  /* joint meeting: the liaison office prepares; the chief issues the
   * minutes and assigns; the owner reports; the convener accepts. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "create", "joint_meeting", "-f", "title=x", NULL), ==, 4);
  lx = ctl_create_as (h, UID_PROC_ADMIN, &lx_path, "create", "joint_meeting", "-f", "title=联席会议", NULL);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", lx, "circulate_agenda", "-f", "convener=qh-proc",
                           "-f", "meeting_date=2026-03-10", "-f", "agenda=议题", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", lx, "hold_meeting", "-f", "attendees=甲",
                           "-f", "attending_agencies=qh-proc", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_ADMIN, "advance", lx, "issue_minutes", "-f", "minutes_no=1",
                           "-f", "decisions=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", lx, "issue_minutes", "-f", "minutes_no=纪要-1",
                           "-f", "decisions=联合检查", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", lx, "assign_action", "-f", "action_item=联合检查",
                           "-f", "action_owner=xn-psb", "-f", "action_due=2026-03-31", NULL), ==, 0);
  la = linked (h, lx_path, "action_item", &la_path);
  assert_agency (h, la_path, "xn-psb");
  /* Only the convening side escalates; the owner reports. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", la, "escalate", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", la, "report_done", "-f", "completion_report=已完成", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", la, "accept_done", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", la, "accept_done", NULL), ==, 0);
  assert_state (h, la_path, "closed");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/wf-other/petition-main-path", test_xf_main_path);
  g_test_add_func ("/wf-other/petition-alternatives", test_xf_alternatives);
  g_test_add_func ("/wf-other/rehab-main-path", test_jd_main_path);
  g_test_add_func ("/wf-other/rehab-alternatives", test_jd_alternatives);
  g_test_add_func ("/wf-other/dispute-paths", test_xz_paths);
  g_test_add_func ("/wf-other/meeting-paths", test_lx_paths);
  g_test_add_func ("/wf-other/roles", test_roles);
  return g_test_run ();
}
