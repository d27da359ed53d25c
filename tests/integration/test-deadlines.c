/* test-deadlines.c — legal time limits over D-Bus with the test clock:
 * exact due instants (the worked examples of the cn calendar), warnings
 * once, expiry with on_expire fired by the system actor, an on_expire that
 * cannot fire recorded once, pausing and $previous, extension, conditions,
 * spawned and linked cases, missed deadlines at start-up, and recomputation
 * when a calendar changes. */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

static const char *const test_clock[] = { "--test-clock", NULL };

static char *
advance_ok (ClHarness *h, const char *path, const char *transition, GVariant *fields)
{
  g_autoptr(GError) error = NULL;
  char *state = cl_test_advance (cl_harness_connection (h), path, transition,
                                 fields ? fields : cl_test_fields (NULL, NULL), "", &error);
  g_assert_no_error (error);
  return state;
}

static char *
new_case (ClHarness *h, const char *title, char **path)
{
  return cl_test_create_case (cl_harness_connection (h), "timed",
                              cl_test_fields ("title", g_variant_new_string (title), NULL), path);
}

/* ---- signals ---------------------------------------------------------- */

typedef struct {
  DBusConnection *conn;
  guint approaching, missed;
} Listener;

static void
listen_start (ClHarness *h, Listener *l)
{
  g_autoptr(GVariant) r = NULL;

  l->conn = cl_harness_connect (h);
  r = cl_test_call_ok (l->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe", NULL);
}

static void
listen_drain (Listener *l)
{
  DBusMessage *msg;

  /* A round trip first: every signal sent before its reply has arrived. */
  g_autoptr(GVariant) r = cl_test_call_ok (l->conn, CL_MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);
  dbus_connection_read_write (l->conn, 0);
  while ((msg = dbus_connection_pop_message (l->conn)) != NULL)
    {
      if (dbus_message_is_signal (msg, CL_MANAGER_IFACE, "DeadlineApproaching"))
        l->approaching++;
      if (dbus_message_is_signal (msg, CL_MANAGER_IFACE, "DeadlineMissed"))
        l->missed++;
      dbus_message_unref (msg);
    }
}

/* ---- tests ------------------------------------------------------------ */

static void
test_hours_warning_expiry (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  Listener l = { 0 };
  g_autofree char *id = NULL, *path = NULL;
  gint64 t0 = cl_test_at (2026, 2, 13, 10, 0);

  cl_test_set_time (h, t0);
  id = new_case (h, "hours", &path);
  /* hours: the exact instant, never rolled (the 14th is a make-up Saturday,
   * the 15th a holiday: neither matters). */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 24 * G_TIME_SPAN_HOUR);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "24 hours"), ==, 1);
  listen_start (h, &l);

  cl_test_set_time (h, t0 + 22 * G_TIME_SPAN_HOUR + 30 * G_TIME_SPAN_MINUTE);
  for (int i = 0; i < 500 && l.approaching == 0; i++, g_usleep (10000))
    listen_drain (&l);
  g_assert_cmpuint (l.approaching, ==, 1);
  g_assert_false (cl_test_overdue_of (h, path));

  /* At expiry the case is overdue, DeadlineMissed goes out, and on_expire
   * fires escalate as the system actor, which starts escalated's hour. */
  cl_test_set_time (h, t0 + 25 * G_TIME_SPAN_HOUR);
  cl_test_wait_for (h, path, "escalated", FALSE);
  listen_drain (&l);
  g_assert_cmpuint (l.approaching, ==, 1);
  g_assert_cmpuint (l.missed, ==, 1);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "missed"), ==, 1);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "processed 1 h 0 min late"), ==, 1);
  g_assert_cmpuint (cl_test_count_notes (h, path, "transition", "fired on expiry"), ==, 1);
  {
    g_autoptr(GVariant) all = cl_test_history_all (cl_harness_connection (h), path);
    g_autoptr(GVariant) e = NULL;
    g_autofree char *user = NULL, *role = NULL, *transition = NULL;
    for (gsize i = 0; i < g_variant_n_children (all); i++)
      {
        g_autofree char *a = NULL;
        g_clear_pointer (&e, g_variant_unref);
        e = g_variant_get_child_value (all, i);
        a = cl_test_dict_string (e, "action");
        if (g_str_equal (a, "transition"))
          break;
      }
    user = cl_test_dict_string (e, "user");
    role = cl_test_dict_string (e, "role");
    transition = cl_test_dict_string (e, "transition");
    g_assert_cmpstr (user, ==, "caselinkd");
    g_assert_cmpstr (role, ==, "system");
    g_assert_cmpstr (transition, ==, "escalate");
  }
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, t0 + 26 * G_TIME_SPAN_HOUR);

  /* escalated's on_expire (stuck) needs a reason nobody gave: the case
   * stays overdue and the failure is recorded once, never retried. */
  cl_test_set_time (h, t0 + 27 * G_TIME_SPAN_HOUR);
  cl_test_wait_for (h, path, "escalated", TRUE);
  cl_test_set_time (h, t0 + 30 * G_TIME_SPAN_HOUR);
  cl_test_set_time (h, t0 + 31 * G_TIME_SPAN_HOUR);
  listen_drain (&l);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "could not fire"), ==, 1);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "transition 'stuck' needs fields: reason"), ==, 1);
  g_assert_cmpuint (l.missed, ==, 2);
  g_assert_true (cl_test_overdue_of (h, path));

  cl_test_disconnect (l.conn);
  cl_harness_free (h);
}

static void
test_working_days_pause_extend (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autofree char *id = NULL, *path = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL;
  g_autoptr(GVariant) links = NULL;

  cl_test_set_time (h, cl_test_at (2026, 2, 13, 10, 0));                  /* a Friday */
  id = new_case (h, "working days", &path);
  s1 = advance_ok (h, path, "start_work", NULL);
  /* calendar-cn.md: 3 working days from Friday 2026-02-13 → 2026-02-25. */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 25));

  s2 = advance_ok (h, path, "pause", NULL);
  g_assert_cmpstr (s2, ==, "paused");
  /* While paused the deadline keeps its value and never expires. */
  cl_test_set_time (h, cl_test_at (2026, 2, 26, 12, 0));
  cl_test_set_time (h, cl_test_at (2026, 2, 26, 12, 1));
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 25));
  g_assert_false (cl_test_overdue_of (h, path));

  /* Resumed on the 26th: paused working days 13, 14 (make-up), 24, 25 are
   * not counted, so 4 more: 26, 27, 28 (make-up Saturday), Mar 2. */
  s3 = advance_ok (h, path, "resume", NULL);
  g_assert_cmpstr (s3, ==, "working");                    /* $previous */
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 2));
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "paused: time in paused is not counted"), ==, 1);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "resumed"), ==, 1);

  /* Extension with approval: 2 more working days, Mar 3 and 4. */
  s4 = advance_ok (h, path, "extend", NULL);
  g_assert_cmpstr (s4, ==, "working");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 3, 4));
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "extended by 2 working_days"), ==, 1);

  /* spawn: a linked all_types case, shown both ways. */
  s5 = advance_ok (h, path, "refer", NULL);
  g_assert_cmpstr (s5, ==, "done");
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, 0);
  links = cl_test_get_property (cl_harness_connection (h), path, CL_CASE_IFACE, "Links", NULL);
  g_assert_cmpstr (g_variant_get_type_string (links), ==, "a(sss)");
  g_assert_cmpuint (g_variant_n_children (links), ==, 1);
  {
    const char *relation, *other, *other_path;
    g_autoptr(GVariant) back = NULL;
    g_autofree char *title = NULL;
    g_autoptr(GVariant) fields = NULL;

    g_variant_get_child (links, 0, "(&s&s&s)", &relation, &other, &other_path);
    g_assert_cmpstr (relation, ==, "referred");
    g_assert_true (g_str_has_prefix (other, "AT-"));
    back = cl_test_get_property (cl_harness_connection (h), other_path, CL_CASE_IFACE, "Links", NULL);
    g_variant_get_child (back, 0, "(&s&s&s)", &relation, &other, &other_path);
    g_assert_cmpstr (relation, ==, "referred_of");
    g_assert_cmpstr (other, ==, id);
    g_assert_cmpstr (other_path, ==, path);
    fields = cl_test_get_property (cl_harness_connection (h), other_path, CL_CASE_IFACE, "Fields", NULL);
    g_assert_true (g_variant_lookup (fields, "title", "s", &title));
    g_assert_cmpstr (title, ==, "working days");
  }
  cl_harness_free (h);
}

static void
test_dates_months_conditions (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autofree char *id = NULL, *path = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  cl_test_set_time (h, cl_test_at (2026, 1, 31, 9, 0));
  id = new_case (h, "dates", &path);
  s1 = advance_ok (h, path, "start_work", NULL);
  /* from: start — 10 calendar days from 2026-01-21 → Jan 31, a Saturday:
   * rolled to Monday Feb 2. */
  s2 = advance_ok (h, path, "date_it", cl_test_fields ("start", g_variant_new_string ("2026-01-21"), NULL));
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 2));
  /* 1 month from Jan 31 clamps to Feb 28 (roll: none). */
  s3 = advance_ok (h, path, "to_monthly", NULL);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 28));

  state = cl_test_advance (cl_harness_connection (h), path, "approve",
                           cl_test_fields ("amount", g_variant_new_string ("5000"), NULL), "", &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "amount le 1000"));
  cl_assert_dbus_error (error, "org.caselink.Error.Rejected");
  state = cl_test_advance (cl_harness_connection (h), path, "approve",
                           cl_test_fields ("amount", g_variant_new_double (500), "level", g_variant_new_string ("high"),
                                           NULL), "", &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "level in"));
  cl_assert_dbus_error (error, "org.caselink.Error.Rejected");
  /* A refused transition changed nothing. */
  {
    g_autofree char *now_state = cl_test_case_state (cl_harness_connection (h), path);
    g_assert_cmpstr (now_state, ==, "monthly");
  }
  s4 = advance_ok (h, path, "approve", cl_test_fields ("amount", g_variant_new_double (500),
                                                       "level", g_variant_new_string ("low"), NULL));
  g_assert_cmpstr (s4, ==, "done");
  cl_harness_free (h);
}

static void
test_missed_while_down (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autofree char *id = NULL, *path = NULL, *s1 = NULL;

  cl_test_set_time (h, cl_test_at (2026, 2, 13, 10, 0));
  id = new_case (h, "downtime", &path);
  s1 = advance_ok (h, path, "start_work", NULL);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 25));
  /* Restarted, the daemon's clock is the real one again (later than the
   * 25th of February 2026): the deadline was missed while it was down. */
  cl_harness_stop_daemon (h);
  cl_harness_start_daemon (h);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 25));
  cl_test_wait_for (h, path, "working", TRUE);
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", " d "), ==, 1);   /* "N d M h late" */
          cl_harness_free (h);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (to, text, -1, NULL));
}

static void
test_calendar_change (void)
{
  g_autofree char *dir = g_dir_make_tmp ("caselink-cal-XXXXXX", NULL);
  g_autofree char *cals = g_build_filename (dir, "calendars", NULL);
  g_autofree char *cn_src = cl_test_srcdir_path ("workflows/calendars/cn.yaml");
  g_autofree char *cn = g_build_filename (cals, "cn.yaml", NULL);
  g_autofree char *timed_src = cl_test_srcdir_path ("tests/data/workflows/timed.yaml");
  g_autofree char *timed = g_build_filename (dir, "timed.yaml", NULL);
  g_autofree char *types_src = cl_test_srcdir_path ("tests/data/workflows/all_types.yaml");
  g_autofree char *types = g_build_filename (dir, "all_types.yaml", NULL);
  g_autofree char *text = NULL, *id = NULL, *path = NULL, *s1 = NULL, *cmd = NULL;
  const char *dirs[] = { dir, NULL };
  g_auto(GStrv) parts = NULL;
  g_autoptr(GVariant) r = NULL;
  ClHarness *h;

  g_assert_cmpint (g_mkdir (cals, 0755), ==, 0);
  copy_file (cn_src, cn);
  copy_file (timed_src, timed);
  copy_file (types_src, types);
  h = cl_harness_new_with_args (dirs, test_clock);
  cl_test_set_time (h, cl_test_at (2026, 2, 13, 10, 0));
  id = new_case (h, "calendar", &path);
  s1 = advance_ok (h, path, "start_work", NULL);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 25));

  /* Suppose the holiday had run to the 25th: the pending deadline moves to
   * Sat 14 (make-up), Thu 26, Fri 27. */
  g_assert_true (g_file_get_contents (cn, &text, NULL, NULL));
  parts = g_strsplit (text, "to: 2026-02-23", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  g_free (text);
  text = g_strjoinv ("to: 2026-02-25", parts);
  g_assert_true (g_file_set_contents (cn, text, -1, NULL));
  r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
  g_assert_cmpint (cl_test_deadline_of (h, path), ==, cl_test_end_of (2026, 2, 27));
  g_assert_cmpuint (cl_test_count_notes (h, path, "deadline", "calendar cn changed"), ==, 1);

  cl_harness_free (h);
  cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* A deadline counted across a year the calendar has no schedule for: the
 * log names that year (it named the due date's year, which may be covered). */
static void
test_uncovered_year_logged (void)
{
  ClHarness *h = cl_harness_new_with_args (NULL, test_clock);
  g_autofree char *log = NULL;

  /* Mon 2024-12-30: reverse_connection starts in non_prosecuted, 3 working
   * days, due in 2025; cn.yaml covers 2025 and 2026, not 2024. */
  cl_test_set_time (h, cl_test_at (2024, 12, 30, 10, 0));
  g_free (cl_test_create_case (cl_harness_connection (h), "reverse_connection",
                               cl_test_fields ("title", g_variant_new_string ("at the year's end"), NULL), NULL));
  cl_harness_stop_daemon (h);
  log = cl_harness_read_log (h);
  g_assert_nonnull (strstr (log, "calendar 'cn' has no holiday schedule for 2024"));
  g_assert_null (strstr (log, "schedule for 2025"));
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/deadlines/hours-warning-expiry", test_hours_warning_expiry);
  g_test_add_func ("/deadlines/uncovered-year-logged", test_uncovered_year_logged);
  g_test_add_func ("/deadlines/working-days-pause-extend", test_working_days_pause_extend);
  g_test_add_func ("/deadlines/dates-months-conditions", test_dates_months_conditions);
  g_test_add_func ("/deadlines/missed-while-down", test_missed_while_down);
  g_test_add_func ("/deadlines/calendar-change", test_calendar_change);
  return g_test_run ();
}
