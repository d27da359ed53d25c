/* test-wf-pil.c — the shipped public-interest workflows, driven over D-Bus
 * with the test clock: pil_administrative (clue → filing → consultation →
 * pre-litigation suggestion → mandatory follow-up → suit → judgment →
 * performance → look-back, and every way out), pil_civil (the 30-day
 * announcement, supporting another plaintiff, suspension, appeal,
 * enforcement) and eco_damage_compensation (consultation, judicial
 * confirmation after a notice of at least 30 days, restoration, the
 * compensation suit, and the referral that opens a civil PIL). Expiries fire
 * on_expire as the system actor; spawned cases link both ways; callers in the
 * wrong role (caselinkctl under setpriv, tests/data/actors-library-2.yaml)
 * are refused.
 *
 * Due instants are hand-computed with the cn calendar (workflows/calendars/
 * cn.yaml, /work/shared/domain/calendar-cn.md): the day of the event is not
 * counted; calendar days and months roll to the next working day unless the
 * state says roll: none. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

/* The helpers shared with the other workflow-library tests: wf-lib2.c. */
#include "wf-lib2.h"

/* ---- pil_administrative ----------------------------------------------- */

/* A pil_administrative case filed on 2026-03-02 and under investigation. */
static char *
gx_investigating (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "pil_administrative",
                     F ("title", S (title), "domain", S ("ecology"), "clue_source", S ("agency_handover"),
                        "clue_summary", S ("湖边非法采砂，主管部门未查处")), path);
  step (h, *path, "file_case",
        F ("filed_on", S ("2026-03-02"), "filing_no", S ("青检行公立〔2026〕1号"),
           "pil_field", S ("ecology_resources"), "respondent_agency", S ("qh-forestry")), "filed");
  step (h, *path, "investigate", NULL, "investigating");
  return id;
}

static void
test_gx_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));                    /* a Monday */
  id = create (h, "pil_administrative", F ("title", S ("青海湖非法采砂"), "domain", S ("ecology")), &path);
  g_assert_true (g_str_has_prefix (id, "GX-"));
  assert_state (h, path, "clue_received");
  /* 1 month [M] from Mon 2026-03-02 → Thu 04-02, a working day. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 2));

  step (h, path, "file_case",
        F ("filed_on", S ("2026-03-02"), "filing_no", S ("青检行公立〔2026〕1号"),
           "pil_field", S ("ecology_resources"), "respondent_agency", S ("qh-forestry")), "filed");
  /* 3 months [M] from filed_on 2026-03-02 → Tue 06-02; the same due day in
   * investigating and consulting, which count from the same date. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 2));
  step (h, path, "investigate", NULL, "investigating");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 2));
  step (h, path, "consult", NULL, "consulting");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 2));
  assert_agency (h, path, "qh-forestry");                  /* held by the agency consulted */
  step (h, path, "confirm_facts", F ("fact_confirmation_no", S ("事实确认书-1")), "consulting");

  step (h, path, "issue_suggestion", F ("suggestion_no", S ("青检行公建〔2026〕1号")), "awaiting_reply");
  /* 2 months (解释 art.21) from 03-02 → Sat 05-02, inside Labour Day
   * (05-01..05-05): rolled to Wed 05-06. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 5, 6));
  assert_agency (h, path, "qh-forestry");

  /* No reply: the mandatory follow-up starts by itself. */
  expire (h, cl_test_at (2026, 5, 7, 9, 0), path, "start_follow_up", "follow_up_investigation");
  /* 2 months [M] from Thu 05-07 → Tue 07-07. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 7, 7));
  assert_agency (h, path, "");                             /* back with the procuratorate (root's: none) */

  step (h, path, "propose_suit", F ("follow_up_findings", S ("采砂仍在继续")), "suit_review");
  refused (h, path, "file_suit", F ("complaint_no", S ("起诉书-1")), "org.caselink.Error.MissingField");
  step (h, path, "file_suit",
        F ("complaint_no", S ("青检行公诉〔2026〕1号"), "court", S ("xn-court"), "claims", S ("判令依法履职")),
        "suit_filed");
  assert_agency (h, path, "xn-court");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  step (h, path, "amend_claims", F ("claims", S ("确认不履职违法并判令履职")), "suit_filed");

  cl_test_set_time (h, cl_test_at (2026, 7, 10, 9, 0));
  step (h, path, "judge",
        F ("judgment_type", S ("order_performance"), "judgment_no", S ("(2026)青01行初1号"),
           "judgment_served_on", S ("2026-07-10")), "judged");
  /* 15 days to appeal from service on Fri 07-10 → Sat 07-25: rolled to
   * Mon 07-27. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 7, 27));

  /* Nobody appealed: the judgment takes effect by itself. */
  expire (h, cl_test_at (2026, 7, 28, 9, 0), path, "take_effect", "performing");
  /* 2 months [M] from Tue 07-28 → Mon 09-28 (after Mid-Autumn 09-25..27). */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 9, 28));
  assert_agency (h, path, "qh-forestry");
  step (h, path, "report_performance", F ("performance_report", S ("已取缔采砂点并复绿")), "lookback");
  step (h, path, "lookback_done", F ("lookback_result", S ("回头看：已整改到位")), "closed");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  cl_harness_free (h);
}

static void
test_gx_alternatives (void)
{
  ClHarness *h = start ();
  g_autofree char *rej = NULL, *rej_path = NULL, *ref = NULL, *ref_path = NULL, *civil_path = NULL;
  g_autofree char *c = NULL, *c_path = NULL, *u = NULL, *u_path = NULL, *w = NULL, *w_path = NULL;
  g_autofree char *a = NULL, *a_path = NULL, *d = NULL, *d_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));

  /* Refused at filing, by the chief, with reasons. */
  rej = create (h, "pil_administrative", F ("title", S ("不予立案")), &rej_path);
  refused (h, rej_path, "reject_clue", NULL, "org.caselink.Error.MissingField");
  step (h, rej_path, "reject_clue", F ("reject_reason", S ("不属于公益诉讼领域")), "rejected");

  /* A private wrongdoer, no failing agency: refer to civil PIL, which opens
   * a linked pil_civil case with the clue copied. */
  ref = create (h, "pil_administrative",
                F ("title", S ("企业向湟水河排污"), "domain", S ("ecology"), "pil_field", S ("ecology_resources"),
                   "clue_summary", S ("某公司偷排")), &ref_path);
  step (h, ref_path, "refer_to_civil", F ("refer_reason", S ("行政机关已依法履职，侵权人为企业")), "referred_civil");
  civil_path = spawned (h, ref, ref_path, "civil_referral", "GM-");
  assert_state (h, civil_path, "clue_received");
  assert_field (h, civil_path, "title", "企业向湟水河排污");
  assert_field (h, civil_path, "pil_field", "ecology_resources");
  assert_field (h, civil_path, "clue_summary", "某公司偷排");

  /* Consultation shows the agency has fully performed: closing, whose
   * decision reaches the agency within 7 days [M]: Mon 03-02 → Mon 03-09. */
  c = gx_investigating (h, "磋商后终结", &c_path);
  step (h, c_path, "consult", NULL, "consulting");
  step (h, c_path, "close_performed", F ("close_reason", S ("已全面履职")), "closing");
  g_assert_cmpint (cl_test_deadline_of (h, c_path), ==, cl_test_end_of (2026, 3, 9));
  step (h, c_path, "notify_closure", F ("closure_notice_no", S ("终结决定书-1")), "closed");

  /* Urgent harm: 15 days (解释 art.21) from 03-02 → Tue 03-17; the agency
   * replies, follow-up finds it complied, the case closes. */
  u = gx_investigating (h, "紧急：水源地污染", &u_path);
  refused (h, u_path, "issue_urgent_suggestion", F ("suggestion_no", S ("建议-2")), "org.caselink.Error.MissingField");
  step (h, u_path, "issue_urgent_suggestion",
        F ("suggestion_no", S ("建议-2"), "urgency_reason", S ("污染正在扩大")), "awaiting_reply_urgent");
  g_assert_cmpint (cl_test_deadline_of (h, u_path), ==, cl_test_end_of (2026, 3, 17));
  step (h, u_path, "reply", F ("reply_summary", S ("已关停排污口"), "agency_performed", S ("performed")),
        "follow_up_investigation");
  step (h, u_path, "close_compliant",
        F ("follow_up_findings", S ("经现场核实已整改"), "close_reason", S ("已整改")), "closing");
  step (h, u_path, "notify_closure", F ("closure_notice_no", S ("终结决定书-2")), "closed");

  /* Suit, then the claims are met: withdrawn. */
  w = gx_investigating (h, "撤回起诉", &w_path);
  step (h, w_path, "issue_suggestion", F ("suggestion_no", S ("建议-3")), "awaiting_reply");
  step (h, w_path, "reply", F ("reply_summary", S ("正在整改"), "agency_performed", S ("partly")),
        "follow_up_investigation");
  step (h, w_path, "propose_suit", F ("follow_up_findings", S ("未完成整改")), "suit_review");
  step (h, w_path, "file_suit", F ("complaint_no", S ("起诉书-3"), "court", S ("xn-court"), "claims", S ("判令履职")),
        "suit_filed");
  step (h, w_path, "withdraw_suit", F ("withdraw_reason", S ("诉讼请求全部实现")), "withdrawn");

  /* Decided not to sue after the follow-up. */
  d = gx_investigating (h, "决定不起诉", &d_path);
  step (h, d_path, "issue_suggestion", F ("suggestion_no", S ("建议-4")), "awaiting_reply");
  step (h, d_path, "reply", F ("reply_summary", S ("部分整改"), "agency_performed", S ("partly")),
        "follow_up_investigation");
  step (h, d_path, "propose_suit", F ("follow_up_findings", S ("基本整改")), "suit_review");
  step (h, d_path, "drop_suit", F ("close_reason", S ("已基本整改，不宜起诉")), "closing");

  /* Appeal, final judgment, look-back finds no performance: enforcement,
   * then the look-back starts again by itself after the period [M]. */
  a = gx_investigating (h, "上诉与强制执行", &a_path);
  step (h, a_path, "issue_suggestion", F ("suggestion_no", S ("建议-5")), "awaiting_reply");
  step (h, a_path, "start_follow_up", NULL, "follow_up_investigation");
  step (h, a_path, "propose_suit", F ("follow_up_findings", S ("未履职")), "suit_review");
  step (h, a_path, "file_suit", F ("complaint_no", S ("起诉书-5"), "court", S ("xn-court"), "claims", S ("判令履职")),
        "suit_filed");
  step (h, a_path, "judge",
        F ("judgment_type", S ("confirm_illegal"), "judgment_no", S ("(2026)青01行初5号"),
           "judgment_served_on", S ("2026-03-02")), "judged");
  /* 15 days from 03-02 → Tue 03-17. */
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 3, 17));
  step (h, a_path, "appeal", F ("appeal_no", S ("上诉状-5")), "on_appeal");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, 0);
  step (h, a_path, "final_judgment", F ("appeal_judgment_no", S ("(2026)青行终5号")), "performing");
  step (h, a_path, "start_lookback", NULL, "lookback");
  step (h, a_path, "apply_enforcement", F ("enforcement_application_no", S ("执行申请-5")), "performing");
  /* 2 months [M] from Thu 03-05 → Tue 05-05, inside Labour Day: Wed 05-06. */
  cl_test_set_time (h, cl_test_at (2026, 3, 5, 9, 0));
  step (h, a_path, "start_lookback", NULL, "lookback");
  step (h, a_path, "apply_enforcement", F ("enforcement_application_no", S ("执行申请-6")), "performing");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 5, 6));
  expire (h, cl_test_at (2026, 5, 7, 9, 0), a_path, "start_lookback", "lookback");
  step (h, a_path, "lookback_done", F ("lookback_result", S ("执行到位")), "closed");

  cl_harness_free (h);
}

/* ---- pil_civil ---------------------------------------------------------- */

static char *
gm_investigating (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "pil_civil", F ("title", S (title), "domain", S ("ecology")), path);
  step (h, *path, "file_case", F ("filing_no", S ("青检民公立-1"), "pil_field", S ("ecology_resources")),
        "investigating");
  return id;
}

static void
test_gm_paths (void)
{
  ClHarness *h = start ();
  g_autofree char *m = NULL, *m_path = NULL, *o = NULL, *o_path = NULL, *r = NULL, *r_path = NULL;
  g_autofree char *x = NULL, *x_path = NULL, *s = NULL, *s_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  m = gm_investigating (h, "非法捕捞湟鱼", &m_path);
  g_assert_true (g_str_has_prefix (m, "GM-"));
  refused (h, m_path, "announce", F ("announcement_no", S ("公告-1")), "org.caselink.Error.MissingField");
  step (h, m_path, "announce", F ("announcement_no", S ("公告-1"), "liable_party", S ("张某")), "announcement");
  /* 30 days (解释 art.13) from Mon 03-02 → Wed 04-01. */
  g_assert_cmpint (cl_test_deadline_of (h, m_path), ==, cl_test_end_of (2026, 4, 1));

  /* A second case where an organisation sues within the 30 days: the
   * procuratorate supports it and closes. */
  o = gm_investigating (h, "社会组织起诉", &o_path);
  step (h, o_path, "announce", F ("announcement_no", S ("公告-2"), "liable_party", S ("某化工厂")), "announcement");
  step (h, o_path, "organisation_sues", F ("suing_organisation", S ("中华环保联合会")), "supporting");
  step (h, o_path, "support_suit", F ("support_letter_no", S ("支持起诉意见书-2")), "supported_closed");

  /* Nobody sued: suit review starts by itself. */
  expire (h, cl_test_at (2026, 4, 2, 9, 0), m_path, "announcement_lapsed", "suit_review");
  /* A government compensation suit on the same conduct comes first. */
  step (h, m_path, "suspend", F ("suspend_reason", S ("生态环境损害赔偿诉讼优先")), "suspended");
  step (h, m_path, "resume", NULL, "suit_review");
  step (h, m_path, "file_suit",
        F ("complaint_no", S ("民公诉-1"), "court", S ("xn-court"), "claims", S ("赔偿并增殖放流")), "suit_filed");
  assert_agency (h, m_path, "xn-court");
  step (h, m_path, "judge", F ("judgment_no", S ("(2026)青01民初1号"), "judgment_served_on", S ("2026-04-03")),
        "judged");
  /* 15 days from Fri 04-03 → Sat 04-18: rolled to Mon 04-20. */
  g_assert_cmpint (cl_test_deadline_of (h, m_path), ==, cl_test_end_of (2026, 4, 20));
  step (h, m_path, "appeal", F ("appeal_no", S ("上诉状-1")), "on_appeal");
  step (h, m_path, "final_judgment", F ("appeal_judgment_no", S ("(2026)青民终1号")), "performing");
  /* 2 months [M] from Thu 04-02 → Tue 06-02. */
  g_assert_cmpint (cl_test_deadline_of (h, m_path), ==, cl_test_end_of (2026, 6, 2));
  step (h, m_path, "start_lookback", NULL, "lookback");
  step (h, m_path, "apply_enforcement", F ("enforcement_application_no", S ("执行-1")), "performing");
  step (h, m_path, "start_lookback", NULL, "lookback");
  step (h, m_path, "lookback_done", F ("lookback_result", S ("赔偿到位，已放流")), "closed");

  /* Refused at filing; closed during the investigation; suit withdrawn
   * after a suspension during the trial; not sued after review. */
  r = create (h, "pil_civil", F ("title", S ("不予立案")), &r_path);
  step (h, r_path, "reject_clue", F ("reject_reason", S ("证据不足")), "rejected");
  x = gm_investigating (h, "调查终结", &x_path);
  step (h, x_path, "close_investigation", F ("close_reason", S ("侵权人已修复")), "closed");
  s = gm_investigating (h, "中止后撤诉", &s_path);
  step (h, s_path, "announce", F ("announcement_no", S ("公告-3"), "liable_party", S ("李某")), "announcement");
  step (h, s_path, "announcement_lapsed", NULL, "suit_review");
  step (h, s_path, "file_suit", F ("complaint_no", S ("民公诉-3"), "court", S ("xn-court"), "claims", S ("赔偿")),
        "suit_filed");
  step (h, s_path, "suspend", F ("suspend_reason", S ("赔偿诉讼优先")), "suspended");
  step (h, s_path, "resume", NULL, "suit_filed");
  step (h, s_path, "withdraw_suit", F ("withdraw_reason", S ("诉讼请求全部实现")), "withdrawn");
  {
    g_autofree char *n = NULL, *n_path = NULL;
    n = gm_investigating (h, "决定不起诉", &n_path);
    step (h, n_path, "announce", F ("announcement_no", S ("公告-4"), "liable_party", S ("王某")), "announcement");
    step (h, n_path, "announcement_lapsed", NULL, "suit_review");
    step (h, n_path, "drop_suit", F ("close_reason", S ("已赔偿")), "closed");
  }
  cl_harness_free (h);
}

/* ---- eco_damage_compensation ----------------------------------------------- */

static char *
st_consulting (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "eco_damage_compensation",
                     F ("title", S (title), "domain", S ("ecology"), "region", S ("qinghai_lake"),
                        "clue_summary", S ("非法开垦草原")), path);
  step (h, *path, "start_investigation", NULL, "investigating");
  step (h, *path, "assess", F ("appraisal_report", S ("鉴定评估报告-1"), "damage_amount", g_variant_new_double (120000)),
        "assessed");
  step (h, *path, "notify_consultation",
        F ("consultation_notice_no", S ("磋商告知书-1"), "liable_party", S ("某牧业公司"),
           "liable_party_uscc", S ("91350100M000100Y43")), "consulting");
  return id;
}

static void
test_st_confirmation (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  id = st_consulting (h, "草原生态损害赔偿", &path);
  g_assert_true (g_str_has_prefix (id, "ST-"));
  /* 90 days [M] from Mon 03-02 → Sun 05-31: rolled to Mon 06-01. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 6, 1));

  step (h, path, "agree", F ("agreement_no", S ("赔偿协议-1"), "restoration_plan", S ("补植复绿200亩")),
        "agreement_signed");
  step (h, path, "apply_confirmation", F ("court", S ("xn-court")), "confirmation_applied");
  assert_agency (h, path, "xn-court");
  step (h, path, "publish_notice", F ("notice_no", S ("公告-1")), "public_notice");
  /* At least 30 days (若干规定 art.20) from 03-02, not rolled → Wed 04-01. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 4, 1));
  /* The court cannot rule before the notice period is over. */
  refused (h, path, "confirm", F ("confirmation_ruling_no", S ("裁定-1")), "org.caselink.Error.InvalidTransition");

  expire (h, cl_test_at (2026, 4, 2, 9, 0), path, "end_notice", "confirmation_review");
  step (h, path, "confirm", F ("confirmation_ruling_no", S ("(2026)青01民特1号")), "restoration");
  assert_agency (h, path, "");
  step (h, path, "record_restoration",
        F ("restoration_measures", g_variant_new_strv ((const char *const[]) { "补植复绿", "劳务代偿" }, 2),
           "plea_leniency_considered", g_variant_new_boolean (TRUE)), "restoration");
  refused (h, path, "verify_restoration", F ("verification_report", S ("评估-1")), "org.caselink.Error.Rejected");
  step (h, path, "verify_restoration",
        F ("verification_report", S ("修复效果评估-1"), "restoration_done", g_variant_new_boolean (TRUE)), "closed");
  cl_harness_free (h);
}

static void
test_st_failure (void)
{
  ClHarness *h = start ();
  g_autofree char *f = NULL, *f_path = NULL, *pil_path = NULL;
  g_autofree char *s = NULL, *s_path = NULL, *r = NULL, *r_path = NULL, *n = NULL, *n_path = NULL;

  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));
  f = st_consulting (h, "磋商期满", &f_path);
  s = st_consulting (h, "赔偿诉讼", &s_path);
  r = st_consulting (h, "不予确认", &r_path);

  /* The right holder sues after a failed consultation; the procuratorate
   * supports; a judgment, enforcement, restoration verified. */
  step (h, s_path, "fail_consultation", NULL, "consultation_failed");
  step (h, s_path, "file_compensation_suit", F ("complaint_no", S ("起诉状-1"), "court", S ("xn-court")),
        "compensation_suit");
  assert_agency (h, s_path, "xn-court");
  step (h, s_path, "support_suit", F ("support_letter_no", S ("支持起诉意见书-1")), "compensation_suit");
  step (h, s_path, "judge", F ("judgment_no", S ("(2026)青01民初9号")), "restoration");
  step (h, s_path, "apply_enforcement", F ("enforcement_application_no", S ("执行-1"), "court", S ("xn-court")),
        "enforcement");
  step (h, s_path, "enforced", NULL, "restoration");
  step (h, s_path, "verify_restoration",
        F ("verification_report", S ("评估-2"), "restoration_done", g_variant_new_boolean (TRUE)), "closed");

  /* The court refuses to confirm: consult again. */
  step (h, r_path, "agree", F ("agreement_no", S ("协议-3"), "restoration_plan", S ("方案")), "agreement_signed");
  step (h, r_path, "apply_confirmation", F ("court", S ("xn-court")), "confirmation_applied");
  step (h, r_path, "publish_notice", F ("notice_no", S ("公告-3")), "public_notice");

  /* The consultation period lapses (06-01) and the notice (04-01) too. */
  expire (h, cl_test_at (2026, 6, 2, 9, 0), f_path, "fail_consultation", "consultation_failed");
  expire (h, cl_test_at (2026, 6, 2, 9, 1), r_path, "end_notice", "confirmation_review");
  step (h, r_path, "refuse_confirmation", F ("refusal_reason", S ("协议损害公共利益")), "consultation_failed");
  step (h, r_path, "resume_consultation", NULL, "consulting");
  /* A new 90 days [M] from Tue 06-02 → Mon 08-31. */
  g_assert_cmpint (cl_test_deadline_of (h, r_path), ==, cl_test_end_of (2026, 8, 31));

  /* The right holder will not sue: the matter goes to civil PIL, a linked
   * pil_civil case with the liable party copied. */
  step (h, f_path, "refer_to_pil", F ("refer_reason", S ("赔偿权利人决定不提起诉讼")), "referred_to_pil");
  pil_path = spawned (h, f, f_path, "pil_referral", "GM-");
  assert_state (h, pil_path, "clue_received");
  assert_field (h, pil_path, "liable_party", "某牧业公司");
  assert_field (h, pil_path, "liable_party_uscc", "91350100M000100Y43");
  assert_field (h, pil_path, "title", "磋商期满");

  n = create (h, "eco_damage_compensation", F ("title", S ("不启动")), &n_path);
  step (h, n_path, "no_claim", F ("close_reason", S ("损害轻微")), "closed_no_case");
  cl_harness_free (h);
}

/* ---- roles ------------------------------------------------------------ */

static void
test_roles (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL, *role = NULL, *gm = NULL, *gm_path = NULL;
  g_autofree char *st = NULL, *st_path = NULL, *handed = NULL, *handed_path = NULL;

  if (!can_switch_users ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 3, 2, 9, 0));

  /* Who may open a case: proc_pil, or an agency handing over a clue. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "create", "pil_administrative", "-f", "title=x", NULL), ==, 4);
  handed = ctl_create_as (h, UID_AGENCY_OFFICER, &handed_path, "create", "pil_administrative",
                          "-f", "title=移交线索", "-f", "clue_source=agency_handover", NULL);
  assert_agency (h, handed_path, "qh-forestry");
  /* The agency that handed it over may not file it. */
  g_assert_cmpint (ctl_as (h, UID_AGENCY_OFFICER, "advance", handed, "reject_clue", "-f", "reject_reason=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", handed, "reject_clue", "-f", "reject_reason=不属于受案范围",
                           NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "create", "pil_civil", "-f", "title=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "create", "eco_damage_compensation", "-f", "title=x", NULL), ==, 4);

  id = gx_investigating (h, "角色", &path);
  /* Public security is no party to this case: it does not even see it. */
  g_assert_cmpint (ctl_as (h, UID_PSB, "advance", id, "issue_suggestion", "-f", "suggestion_no=1", NULL), ==, 3);
  /* The suggestion is the chief's, not the PIL department's. */
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", id, "issue_suggestion", "-f", "suggestion_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", id, "issue_suggestion", "-f", "suggestion_no=青检建-1", NULL),
                   ==, 0);
  assert_state (h, path, "awaiting_reply");
  role = last_role (h, path);
  g_assert_cmpstr (role, ==, "proc_chief");
  /* The reply is the agency head's. */
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", id, "reply", "-f", "reply_summary=x",
                           "-f", "agency_performed=performed", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", id, "reply", "-f", "reply_summary=已整改",
                           "-f", "agency_performed=partly", NULL), ==, 0);
  assert_state (h, path, "follow_up_investigation");
  /* The agency held the case, so it still sees it, but the follow-up is the
   * procuratorate's. */
  g_assert_cmpint (ctl_as (h, UID_AGENCY_HEAD, "advance", id, "propose_suit", "-f", "follow_up_findings=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", id, "propose_suit", "-f", "follow_up_findings=仍未履职", NULL),
                   ==, 0);
  step (h, path, "file_suit", F ("complaint_no", S ("起诉书"), "court", S ("xn-court"), "claims", S ("履职")),
        "suit_filed");
  /* Only the court judges. */
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", id, "judge", "-f", "judgment_type=dismiss",
                           "-f", "judgment_no=1", "-f", "judgment_served_on=2026-03-02", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_COURT, "advance", id, "judge", "-f", "judgment_type=confirm_illegal",
                           "-f", "judgment_no=(2026)青01行初2号", "-f", "judgment_served_on=2026-03-02", NULL), ==, 0);
  assert_state (h, path, "judged");

  /* pil_civil: the announcement is proc_pil's; support is the chief's. */
  gm = ctl_create_as (h, UID_PROC_PIL, &gm_path, "create", "pil_civil", "-f", "title=民事角色", NULL);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", gm, "file_case", "-f", "filing_no=立案",
                           "-f", "pil_field=food_drug", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", gm, "announce", "-f", "announcement_no=1",
                           "-f", "liable_party=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", gm, "announce", "-f", "announcement_no=公告",
                           "-f", "liable_party=某公司", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", gm, "organisation_sues", "-f", "suing_organisation=某协会", NULL),
                   ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", gm, "support_suit", "-f", "support_letter_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_PROC_CHIEF, "advance", gm, "support_suit", "-f", "support_letter_no=支持起诉-1", NULL),
                   ==, 0);
  assert_state (h, gm_path, "supported_closed");

  /* eco: the right holder drives it; the procuratorate may not; the court
   * publishes; nobody may end the public notice by hand (role system). */
  st = ctl_create_as (h, UID_ECO, &st_path, "create", "eco_damage_compensation", "-f", "title=生态角色", NULL);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "start_investigation", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "assess", "-f", "appraisal_report=报告",
                           "-f", "damage_amount=50000", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "notify_consultation", "-f", "consultation_notice_no=告知书",
                           "-f", "liable_party=某公司", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_PROC_PIL, "advance", st, "fail_consultation", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "agree", "-f", "agreement_no=协议",
                           "-f", "restoration_plan=方案", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "apply_confirmation", "-f", "court=xn-court", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_ECO, "advance", st, "publish_notice", "-f", "notice_no=1", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, UID_COURT, "advance", st, "publish_notice", "-f", "notice_no=公告", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, UID_COURT, "advance", st, "end_notice", NULL), ==, 4);
  assert_state (h, st_path, "public_notice");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/wf-pil/administrative-main-path", test_gx_main_path);
  g_test_add_func ("/wf-pil/administrative-alternatives", test_gx_alternatives);
  g_test_add_func ("/wf-pil/civil-paths", test_gm_paths);
  g_test_add_func ("/wf-pil/eco-confirmation", test_st_confirmation);
  g_test_add_func ("/wf-pil/eco-failure-and-referral", test_st_failure);
  g_test_add_func ("/wf-pil/roles", test_roles);
  return g_test_run ();
}
