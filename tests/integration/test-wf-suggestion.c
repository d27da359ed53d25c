/* test-wf-suggestion.c — the shipped workflow procuratorial_suggestion
 * (检察建议: generic, also for the 八号检察建议 on production safety and for
 * social-governance suggestions), driven over D-Bus along its main path and
 * every alternative: both modes of service, the urgent (shorter) period,
 * objection with the reply clock paused and then maintained, amended or
 * withdrawn, expiry that urges by itself (on_expire, with the test clock),
 * escalation, a reply after escalation, a [deadlines] override of a
 * non-statutory figure, and — with clients under the system users of
 * tests/data/actors-library-1.yaml — that each step is taken by the role
 * the law names (the recipient replies and objects; the chief approves and
 * rules) and refused to the others. The spawns into this workflow from
 * filing_supervision and supervise_transfer are tested in test-wf-transfer.
 *
 * Due instants are computed by hand with the cn calendar (2026: 劳动节
 * 05-01..05-05, 国庆节 10-01..10-07). Month and calendar-day deadlines end at
 * 23:59:59.999999 of their day. */
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
#define U_HEAD "2"      /* bin:    agency_head@ecology-bureau */
#define U_CHIEF "5"     /* games:  proc_chief@qh-proc */
#define U_ADMIN "6"     /* man:    proc_admin@qh-proc */
#define U_RECIPIENT "7" /* lp:     recipient@xn-yjj */
#define U_YJJ_OFFICER "8" /* mail: agency_officer@xn-yjj */
/* proc_chief sees every case; the others see the cases their agency
 * created, holds or held, and get NotFound (exit 3) for the rest. */

/* ---- procuratorial_suggestion ------------------------------------------- */

/* A drafted suggestion of the provincial procuratorate. */
static char *
new_suggestion (ClHarness *h, const char *title, char **path)
{
  char *id = create (h, "procuratorial_suggestion",
                     cl_test_fields ("title", S (title), "domain", S ("general"), "procuratorate", S ("qh-proc"),
                                     NULL),
                     path);

  assert_state (h, *path, "drafted");
  assert_agency (h, *path, "qh-proc");
  return id;
}

static GVariant *
approval_fields (void)
{
  return cl_test_fields ("suggestion_type", S ("social_governance"), "recipient_agency", S ("xn-yjj"),
                         "suggestion_no", S ("青检建〔2026〕8号"), "content", S ("落实安全生产源头治理"), NULL);
}

static void
test_main_path (void)
{
  ClHarness *h = start ();
  g_autofree char *id = NULL, *path = NULL;
  const char *cc[] = { "市委政法委", "市人大常委会", NULL };

  cl_test_set_time (h, cl_test_at (2026, 7, 31, 9, 0));
  id = new_suggestion (h, "落实八号检察建议：危化品企业安全隐患", &path);
  g_assert_true (g_str_has_prefix (id, "JJ-2026-"));
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);

  adv_refused (h, path, "approve", NO_FIELDS, "org.caselink.Error.MissingField", "recipient_agency");
  adv (h, path, "approve", approval_fields (), "approved");
  assert_taken_by (h, path, "approve", NULL, "proc_chief");

  /* 宣告送达 with copies; not as urgent when urgent is set. */
  cl_test_set_time (h, cl_test_at (2026, 8, 3, 10, 0));                 /* Monday */
  adv_refused (h, path, "serve", NO_FIELDS, "org.caselink.Error.MissingField", "service_mode");
  adv_refused (h, path, "serve", cl_test_fields ("service_mode", S ("ceremony"), "urgent", g_variant_new_boolean (TRUE),
                                                 NULL), "org.caselink.Error.Rejected", "urgent");
  adv (h, path, "serve", cl_test_fields ("service_mode", S ("ceremony"), "service_venue", S ("市应急管理局会议室"),
                                         "cc", g_variant_new_strv (cc, -1), "suggestion_no8", S ("true"), NULL),
       "awaiting_reply");
  assert_taken_by (h, path, "serve", NULL, "proc_admin");
  /* Held by the recipient; 2 months from Mon 08-03 → Sat 10-03, in the
   * National Day holiday → Thu 10-08. */
  assert_agency (h, path, "xn-yjj");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 10, 8));
  g_assert_cmpuint (count_notes (h, path, "deadline", "2 months"), ==, 1);

  cl_test_set_time (h, cl_test_at (2026, 9, 10, 15, 0));
  adv_refused (h, path, "reply", cl_test_fields ("reply_content", S ("已整改"), NULL),
               "org.caselink.Error.MissingField", "reply_adoption");
  adv (h, path, "reply", cl_test_fields ("reply_content", S ("已开展专项检查，整改隐患 37 处"),
                                         "reply_adoption", S ("adopted"),
                                         "rectification", S ("建立风险分级管控台账"), NULL), "evaluating");
  assert_taken_by (h, path, "reply", NULL, "recipient");
  assert_agency (h, path, "qh-proc");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  adv_refused (h, path, "accept_reasons", cl_test_fields ("close_reason", S ("x"), NULL),
               "org.caselink.Error.Rejected", "reply_adoption");
  adv (h, path, "adopt", NO_FIELDS, "adopted");
  g_assert_false (overdue_of (h, path));
  cl_harness_free (h);
}

static void
test_objection (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;

  /* Objection, re-examined, maintained: the reply period pauses meanwhile.
   * Served Mon 06-15: 2 months → Sat 08-15 → Mon 08-17. */
  cl_test_set_time (h, cl_test_at (2026, 6, 15, 10, 0));
  a = new_suggestion (h, "社会治理检察建议：电动自行车充电隐患", &a_path);
  adv (h, a_path, "approve", approval_fields (), "approved");
  adv (h, a_path, "serve", cl_test_fields ("service_mode", S ("written"), NULL), "awaiting_reply");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 8, 17));
  cl_test_set_time (h, cl_test_at (2026, 6, 20, 10, 0));
  adv_refused (h, a_path, "object", NO_FIELDS, "org.caselink.Error.MissingField", "objection");
  adv (h, a_path, "object", cl_test_fields ("objection", S ("部分事项不属本单位职责"), NULL), "re_examining");
  assert_agency (h, a_path, "qh-proc");
  /* While paused the due instant is kept and nothing expires. */
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 8, 17));
  cl_test_set_time (h, cl_test_at (2026, 6, 25, 10, 0));
  adv (h, a_path, "maintain", cl_test_fields ("re_exam_result", S ("异议不成立，已说明理由"), NULL), "awaiting_reply");
  /* 5 days paused (06-20 … 06-24) are added to the period's own last day,
   * Sat 08-15 (only the last day rolls, 刑事诉讼法 art.105) → Thu 08-20. */
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 8, 20));
  g_assert_cmpuint (count_notes (h, a_path, "deadline", "resumed"), ==, 1);
  assert_agency (h, a_path, "xn-yjj");

  /* Urgent: a shorter period, 15 calendar days by default [M]. Objected,
   * amended and served again with a new period. */
  cl_test_set_time (h, cl_test_at (2026, 9, 18, 9, 0));                 /* Friday */
  b = new_suggestion (h, "紧急检察建议：尾矿库溃坝风险", &b_path);
  adv (h, b_path, "approve", approval_fields (), "approved");
  adv_refused (h, b_path, "serve_urgent", cl_test_fields ("service_mode", S ("written"), NULL),
               "org.caselink.Error.MissingField", "urgent_reason");
  adv_refused (h, b_path, "serve_urgent", cl_test_fields ("service_mode", S ("written"), "urgent_reason", S ("汛期"),
                                                          NULL), "org.caselink.Error.Rejected", "urgent");
  adv (h, b_path, "serve_urgent", cl_test_fields ("service_mode", S ("written"), "urgent_reason", S ("汛期临近"),
                                                  "urgent", g_variant_new_boolean (TRUE), NULL),
       "awaiting_reply_urgent");
  /* 15 days from Fri 09-18 → Sat 10-03, a holiday → Thu 10-08. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 10, 8));
  adv (h, b_path, "object", cl_test_fields ("objection", S ("整改期限过短"), NULL), "re_examining");
  cl_test_set_time (h, cl_test_at (2026, 9, 21, 9, 0));                 /* Monday */
  adv (h, b_path, "amend", cl_test_fields ("re_exam_result", S ("异议成立，修改建议内容"), NULL), "approved");
  assert_taken_by (h, b_path, "amend", NULL, "proc_chief");
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, 0);
  adv (h, b_path, "serve_urgent", cl_test_fields ("service_mode", S ("written"), NULL), "awaiting_reply_urgent");
  /* A new period: 15 days from Mon 09-21 → Tue 10-06 → Thu 10-08. */
  g_assert_cmpint (cl_test_deadline_of (h, b_path), ==, cl_test_end_of (2026, 10, 8));

  /* Withdrawn after an objection; a draft abandoned. */
  c = new_suggestion (h, "撤回的检察建议", &c_path);
  adv (h, c_path, "approve", approval_fields (), "approved");
  adv (h, c_path, "serve", cl_test_fields ("service_mode", S ("written"), NULL), "awaiting_reply");
  adv (h, c_path, "object", cl_test_fields ("objection", S ("已另案处理"), NULL), "re_examining");
  adv_refused (h, c_path, "withdraw", cl_test_fields ("re_exam_result", S ("异议成立"), NULL),
               "org.caselink.Error.MissingField", "withdraw_reason");
  adv (h, c_path, "withdraw", cl_test_fields ("re_exam_result", S ("异议成立"), "withdraw_reason", S ("事实有误"), NULL),
       "withdrawn");
  g_clear_pointer (&c, g_free);
  g_clear_pointer (&c_path, g_free);
  c = new_suggestion (h, "未制发", &c_path);
  adv (h, c_path, "abandon", cl_test_fields ("withdraw_reason", S ("不需要"), NULL), "withdrawn");
  cl_harness_free (h);
}

static void
test_expiry_escalation (void)
{
  ClHarness *h = start ();
  g_autofree char *a = NULL, *a_path = NULL, *b = NULL, *b_path = NULL, *c = NULL, *c_path = NULL;
  g_autofree char *conf = NULL, *more = NULL;

  /* No reply in 2 months: served Mon 03-02 → Sat 05-02, in the Labour Day
   * holiday → Wed 05-06. Missed: urged by the system, a new 15-day period
   * [M] from Thu 05-07 → Fri 05-22, missed too: overdue, nothing fires. */
  cl_test_set_time (h, cl_test_at (2026, 3, 2, 10, 0));
  a = new_suggestion (h, "逾期未回复", &a_path);
  adv (h, a_path, "approve", approval_fields (), "approved");
  adv (h, a_path, "serve", cl_test_fields ("service_mode", S ("written"), NULL), "awaiting_reply");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 5, 6));
  cl_test_set_time (h, cl_test_at (2026, 5, 7, 9, 0));
  wait_for (h, a_path, "urged", FALSE);
  assert_taken_by (h, a_path, "urge", "caselinkd", "system");
  assert_agency (h, a_path, "xn-yjj");
  g_assert_cmpint (cl_test_deadline_of (h, a_path), ==, cl_test_end_of (2026, 5, 22));
  cl_test_set_time (h, cl_test_at (2026, 5, 23, 9, 0));
  wait_for (h, a_path, "urged", TRUE);

  /* No good reason: escalated; the recipient then replies, not adopting,
   * and the chief accepts its reasons. */
  adv_refused (h, a_path, "escalate", NO_FIELDS, "org.caselink.Error.MissingField", "escalation_route");
  adv (h, a_path, "escalate", cl_test_fields ("escalation_route", S ("notify_superior"),
                                              "escalation_note", S ("通报市政府"), NULL), "escalated");
  assert_agency (h, a_path, "qh-proc");
  g_assert_false (overdue_of (h, a_path));
  adv (h, a_path, "reply_after_escalation", cl_test_fields ("reply_content", S ("职责已划转"),
                                                            "reply_adoption", S ("not_adopted"), NULL), "evaluating");
  adv_refused (h, a_path, "adopt", NO_FIELDS, "org.caselink.Error.Rejected", "reply_adoption");
  adv (h, a_path, "accept_reasons", cl_test_fields ("close_reason", S ("理由正当"), NULL), "closed");

  /* Replied in time but not carried out: escalated to PIL, then closed. */
  b = new_suggestion (h, "整改不到位", &b_path);
  adv (h, b_path, "approve", approval_fields (), "approved");
  adv (h, b_path, "serve", cl_test_fields ("service_mode", S ("written"), NULL), "awaiting_reply");
  adv (h, b_path, "reply", cl_test_fields ("reply_content", S ("正在整改"), "reply_adoption", S ("partially"), NULL),
       "evaluating");
  adv (h, b_path, "escalate", cl_test_fields ("escalation_route", S ("pil"), NULL), "escalated");
  adv (h, b_path, "close", cl_test_fields ("close_reason", S ("已转公益诉讼立案"), NULL), "closed");
  assert_taken_by (h, b_path, "close", NULL, "proc_chief");

  /* The urgent period is not statutory: a deployment sets its own, here
   * 5 working days. From Fri 09-18: Sun 09-20 (a make-up working day),
   * Mon 21, Tue 22, Wed 23, Thu 24 → 09-24. */
  cl_harness_stop_daemon (h);
  g_assert_true (g_file_get_contents (cl_harness_config_path (h), &conf, NULL, NULL));
  more = g_strconcat (conf, "[deadlines]\nprocuratorial_suggestion.awaiting_reply_urgent=5 working_days\n", NULL);
  g_assert_true (g_file_set_contents (cl_harness_config_path (h), more, -1, NULL));
  cl_harness_start_daemon (h);
  cl_test_set_time (h, cl_test_at (2026, 9, 18, 9, 0));
  c = new_suggestion (h, "本地紧急期限", &c_path);
  adv (h, c_path, "approve", approval_fields (), "approved");
  adv (h, c_path, "serve_urgent", cl_test_fields ("service_mode", S ("written"), "urgent", S ("true"),
                                                  "urgent_reason", S ("紧急"), NULL), "awaiting_reply_urgent");
  g_assert_cmpint (cl_test_deadline_of (h, c_path), ==, cl_test_end_of (2026, 9, 24));
  g_assert_cmpuint (count_notes (h, c_path, "deadline", "[deadlines]"), ==, 1);

  /* An override no longer than the state's warn_before (3 calendar days)
   * is said at start: no warning can be sent for it. */
  cl_harness_stop_daemon (h);
  g_free (more);
  more = g_strconcat (conf, "[deadlines]\nprocuratorial_suggestion.awaiting_reply_urgent=2 calendar_days\n", NULL);
  g_assert_true (g_file_set_contents (cl_harness_config_path (h), more, -1, NULL));
  cl_harness_start_daemon (h);
  {
    g_autofree char *log = cl_harness_read_log (h);
    g_assert_nonnull (strstr (log, "procuratorial_suggestion.awaiting_reply_urgent is not longer than the state's "
                                   "warn_before (3 calendar_days): no warning is sent"));
  }
  cl_harness_free (h);
}

/* Each step as the role the law names; a caller in another role is refused
 * (PermissionDenied: exit 4). */
static void
test_roles (void)
{
  ClHarness *h;
  g_autofree char *id = NULL, *path = NULL;

  if (!ctl_as_prerequisites ())
    return;
  h = start ();
  cl_test_set_time (h, cl_test_at (2026, 8, 3, 10, 0));

  /* A procuratorial department drafts; not the addressee, not an agency. */
  g_assert_cmpint (ctl_as (h, U_RECIPIENT, NULL, "create", "procuratorial_suggestion", "-f", "title=x", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "create", "procuratorial_suggestion", "-f", "title=x", NULL), ==, 4);
  id = ctl_create_as (h, U_ADMIN, "procuratorial_suggestion", "-f", "title=检察建议", "-f", "procuratorate=qh-proc", NULL);
  path = ctl_path_of (h, id);
  /* The chief procurator approves. */
  g_assert_cmpint (ctl_as (h, U_ADMIN, NULL, "advance", id, "approve", "-f", "suggestion_type=social_governance",
                           "-f", "recipient_agency=xn-yjj", "-f", "suggestion_no=1", "-f", "content=c", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", id, "approve", "-f", "suggestion_type=social_governance",
                           "-f", "recipient_agency=xn-yjj", "-f", "suggestion_no=1", "-f", "content=c", NULL), ==, 0);
  assert_taken_by (h, path, "approve", "games", "proc_chief");
  /* The addressee does not see the case before it is served (exit 3);
   * the chief sees it but does not serve. */
  g_assert_cmpint (ctl_as (h, U_RECIPIENT, NULL, "advance", id, "serve", "-f", "service_mode=written", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", id, "serve", "-f", "service_mode=written", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_ADMIN, NULL, "advance", id, "serve", "-f", "service_mode=written", NULL), ==, 0);
  /* Only the recipient objects and replies: not an officer of the same
   * unit, not the procuratorate; another agency's head does not see it. */
  g_assert_cmpint (ctl_as (h, U_YJJ_OFFICER, NULL, "advance", id, "object", "-f", "objection=o", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_YJJ_OFFICER, NULL, "advance", id, "reply", "-f", "reply_content=r",
                           "-f", "reply_adoption=adopted", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_ADMIN, NULL, "advance", id, "reply", "-f", "reply_content=r",
                           "-f", "reply_adoption=adopted", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_HEAD, NULL, "advance", id, "reply", "-f", "reply_content=r",
                           "-f", "reply_adoption=adopted", NULL), ==, 3);
  g_assert_cmpint (ctl_as (h, U_RECIPIENT, NULL, "advance", id, "object", "-f", "objection=o", NULL), ==, 0);
  assert_taken_by (h, path, "object", "lp", "recipient");
  /* The chief rules on the objection. */
  g_assert_cmpint (ctl_as (h, U_ADMIN, NULL, "advance", id, "maintain", "-f", "re_exam_result=r", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_CHIEF, NULL, "advance", id, "maintain", "-f", "re_exam_result=r", NULL), ==, 0);
  g_assert_cmpint (ctl_as (h, U_RECIPIENT, NULL, "advance", id, "reply", "-f", "reply_content=r",
                           "-f", "reply_adoption=adopted", NULL), ==, 0);
  assert_taken_by (h, path, "reply", "lp", "recipient");
  /* The procuratorate, not the recipient, closes it. */
  g_assert_cmpint (ctl_as (h, U_RECIPIENT, NULL, "advance", id, "adopt", NULL), ==, 4);
  g_assert_cmpint (ctl_as (h, U_ADMIN, NULL, "advance", id, "adopt", NULL), ==, 0);
  assert_state (h, path, "adopted");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/wf-suggestion/main-path", test_main_path);
  g_test_add_func ("/wf-suggestion/objection", test_objection);
  g_test_add_func ("/wf-suggestion/expiry-escalation", test_expiry_escalation);
  g_test_add_func ("/wf-suggestion/roles", test_roles);
  return g_test_run ();
}
