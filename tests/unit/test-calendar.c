/* Calendars and deadline arithmetic: the shipped PRC calendar holds exactly
 * the State Council dates, every counting rule gives the hand-computed date,
 * and every class of mistake in a calendar file is reported with
 * file:line:column.
 *
 * All expected dates below were worked out by hand against
 * shared/domain/calendar-cn.md; weekdays are noted in the comments. */
#include "calendar.h"

#include <stdlib.h>
#include <string.h>

static GTimeZone *tz;      /* Asia/Shanghai (or a fixed +08:00) */
static CLCalendar *cn;     /* the shipped workflows/calendars/cn.yaml */

#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

/* An instant given in local (+08:00) time. */
static gint64
local_us (int y, int mo, int d, int h, int mi, int s, int usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new (tz, y, mo, d, h, mi, s);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + usec;
}

/* "YYYY-MM-DD HH:MM:SS.uuuuuu" in local time, for readable assertions. */
static char *
fmt (gint64 us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autofree char *s = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");

  g_assert_cmpint (us % G_USEC_PER_SEC, >=, 0);
  return g_strdup_printf ("%s.%06d", s, (int) (us % G_USEC_PER_SEC));
}

#define assert_at(us, expected) \
  G_STMT_START { g_autofree char *got_ = fmt (us); g_assert_cmpstr (got_, ==, expected); } G_STMT_END

/* The end of a due day. */
#define assert_due(us, date) assert_at (us, date " 23:59:59.999999")

static gboolean
working (const CLCalendar *cal, int y, int m, int d)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, d, m, y);
  return cl_calendar_is_working_day (cal, &date);
}

/* ---- the shipped calendar ------------------------------------------- */

/* Transcribed from calendar-cn.md, with the day counts it states or that
 * follow from its ranges. */
static const struct {
  const char *from, *to;
  int days;
} official_holidays[] = {
  /* 2025 */
  { "2025-01-01", "2025-01-01", 1 },   /* 元旦 Wed */
  { "2025-01-28", "2025-02-04", 8 },   /* 春节 Tue–Tue, "8 days" */
  { "2025-04-04", "2025-04-06", 3 },   /* 清明 Fri–Sun */
  { "2025-05-01", "2025-05-05", 5 },   /* 劳动节 Thu–Mon */
  { "2025-05-31", "2025-06-02", 3 },   /* 端午 Sat–Mon */
  { "2025-10-01", "2025-10-08", 8 },   /* 国庆+中秋 Wed–Wed, "8 days" */
  /* 2026 */
  { "2026-01-01", "2026-01-03", 3 },   /* 元旦 Thu–Sat */
  { "2026-02-15", "2026-02-23", 9 },   /* 春节 Sun–Mon, "9 days" */
  { "2026-04-04", "2026-04-06", 3 },   /* 清明 Sat–Mon */
  { "2026-05-01", "2026-05-05", 5 },   /* 劳动节 Fri–Tue */
  { "2026-06-19", "2026-06-21", 3 },   /* 端午 Fri–Sun */
  { "2026-09-25", "2026-09-27", 3 },   /* 中秋 Fri–Sun */
  { "2026-10-01", "2026-10-07", 7 },   /* 国庆 Thu–Wed */
};

static const char *const official_workdays[] = {
  "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
  "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

static void
parse_iso (const char *s, GDate *d)
{
  g_date_clear (d, 1);
  g_date_set_dmy (d, atoi (s + 8), atoi (s + 5), atoi (s));
  g_assert_true (g_date_valid (d));
}

static void
test_shipped (void)
{
  g_autoptr(GHashTable) off = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) work = g_hash_table_new (g_direct_hash, g_direct_equal);
  GDate d, end;
  int off_days[2] = { 0, 0 };
  int mismatches = 0;

  g_assert_cmpstr (cl_calendar_name (cn), ==, "cn");
  g_assert_cmpuint (strlen (cl_calendar_digest (cn)), ==, 64);
  g_assert_false (cl_calendar_covers_year (cn, 2024));
  g_assert_true (cl_calendar_covers_year (cn, 2025));
  g_assert_true (cl_calendar_covers_year (cn, 2026));
  g_assert_false (cl_calendar_covers_year (cn, 2027));

  for (guint i = 0; i < G_N_ELEMENTS (official_holidays); i++)
    {
      GDate from, to;

      parse_iso (official_holidays[i].from, &from);
      parse_iso (official_holidays[i].to, &to);
      g_assert_cmpint ((int) (g_date_get_julian (&to) - g_date_get_julian (&from)) + 1, ==, official_holidays[i].days);
      for (guint j = g_date_get_julian (&from); j <= g_date_get_julian (&to); j++)
        {
          g_hash_table_add (off, GUINT_TO_POINTER (j));
          off_days[g_date_get_year (&from) - 2025]++;
        }
    }
  /* 1+8+3+5+3+8 and 3+9+3+5+3+3+7 */
  g_assert_cmpint (off_days[0], ==, 28);
  g_assert_cmpint (off_days[1], ==, 33);
  for (guint i = 0; i < G_N_ELEMENTS (official_workdays); i++)
    {
      parse_iso (official_workdays[i], &d);
      g_assert_true (g_date_get_weekday (&d) >= G_DATE_SATURDAY);
      g_hash_table_add (work, GUINT_TO_POINTER (g_date_get_julian (&d)));
    }

  /* Every day of 2025 and 2026 (and the edges of 2024/2027, weekends only)
   * is classified exactly as the official schedule says. */
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, 1, 12, 2024);
  g_date_clear (&end, 1);
  g_date_set_dmy (&end, 31, 1, 2027);
  for (; g_date_compare (&d, &end) <= 0; g_date_add_days (&d, 1))
    {
      guint j = g_date_get_julian (&d);
      gboolean expected = g_hash_table_contains (off, GUINT_TO_POINTER (j)) ? FALSE
                        : g_hash_table_contains (work, GUINT_TO_POINTER (j)) ? TRUE
                        : g_date_get_weekday (&d) < G_DATE_SATURDAY;
      if (cl_calendar_is_working_day (cn, &d) != expected)
        {
          g_printerr ("%04d-%02d-%02d: expected %s\n", g_date_get_year (&d), g_date_get_month (&d),
                      g_date_get_day (&d), expected ? "working" : "off");
          mismatches++;
        }
    }
  g_assert_cmpint (mismatches, ==, 0);

  /* Spot checks. */
  g_assert_false (working (cn, 2026, 2, 15));   /* 春节, Sunday */
  g_assert_false (working (cn, 2026, 2, 16));   /* 春节, Monday */
  g_assert_true (working (cn, 2026, 2, 14));    /* make-up Saturday */
  g_assert_true (working (cn, 2026, 2, 28));    /* make-up Saturday */
  g_assert_false (working (cn, 2026, 3, 7));    /* a plain Saturday */
  g_assert_true (working (cn, 2027, 1, 1));     /* not covered: a Friday counts */
  g_assert_false (working (cn, 2027, 1, 2));    /* not covered: Saturday */
}

/* ---- the worked examples of calendar-cn.md -------------------------- */

static void
test_worked_examples (void)
{
  gboolean oor = FALSE;

  /* 3 working days from Fri 2026-02-13: Sat 14 make-up (1), 15–23 off,
   * Tue 24 (2), Wed 25 (3). The event's time of day does not matter. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 2, 13, 0, 0, 0, 0), 3, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2026-02-25");
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 2, 13, 23, 59, 59, 999999), 3, CL_UNIT_WORKING_DAYS, FALSE, &oor),
              "2026-02-25");

  /* 10 working days from Wed 2025-09-24: 25 (1), 26 (2), Sun 28 make-up (3),
   * 29 (4), 30 (5), Oct 1–8 off, 9 (6), 10 (7), Sat 11 make-up (8),
   * Mon 13 (9), Tue 14 (10). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2025, 9, 24, 14, 0, 0, 0), 10, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2025-10-14");

  /* 3 calendar days from Tue 2026-09-29 → Fri 10-02 (holiday) → rolled past
   * 10-03 … 10-07 to Thu 10-08. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 9, 29, 9, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, TRUE, &oor),
              "2026-10-08");
  g_assert_false (oor);
}

/* The event's date is its date in the deployment's time zone. */
static void
test_time_zone (void)
{
  /* 2026-02-12 17:00 UTC is 2026-02-13 01:00 in Shanghai: from Friday 13th. */
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2026, 2, 12, 17, 0, 0);
  gint64 from = g_date_time_to_unix (utc) * G_USEC_PER_SEC;
  gint64 due = cl_deadline_compute (cn, tz, from, 3, CL_UNIT_WORKING_DAYS, TRUE, NULL);
  g_autoptr(GDateTime) due_utc = g_date_time_new_from_unix_utc (due / G_USEC_PER_SEC);

  assert_due (due, "2026-02-25");
  /* 2026-02-25 23:59:59.999999 +08:00 = 15:59:59.999999 UTC */
  g_assert_cmpint (g_date_time_get_hour (due_utc), ==, 15);
  g_assert_cmpint (g_date_time_get_minute (due_utc), ==, 59);
  g_assert_cmpint (due % G_USEC_PER_SEC, ==, 999999);
}

/* ---- units ---------------------------------------------------------- */

static void
test_hours (void)
{
  gboolean oor = FALSE;
  gint64 from = local_us (2026, 2, 13, 10, 30, 15, 123456);

  /* The exact instant, to the microsecond. */
  g_assert_cmpint (cl_deadline_compute (cn, tz, from, 24, CL_UNIT_HOURS, TRUE, &oor), ==, from + 24 * HOUR_US);
  assert_at (cl_deadline_compute (cn, tz, from, 24, CL_UNIT_HOURS, TRUE, &oor), "2026-02-14 10:30:15.123456");
  /* 72 hours lands on Mon 02-16, inside 春节: hours never roll. */
  assert_at (cl_deadline_compute (cn, tz, from, 72, CL_UNIT_HOURS, TRUE, &oor), "2026-02-16 10:30:15.123456");
  assert_at (cl_deadline_compute (cn, tz, from, 72, CL_UNIT_HOURS, FALSE, &oor), "2026-02-16 10:30:15.123456");
  /* Nor do they consult the calendar, even in 2027. */
  assert_at (cl_deadline_compute (cn, tz, local_us (2026, 12, 31, 20, 0, 0, 0), 48, CL_UNIT_HOURS, TRUE, &oor),
             "2027-01-02 20:00:00.000000");
  g_assert_false (oor);
}

static void
test_calendar_days (void)
{
  gboolean oor = FALSE;

  /* roll: none — 3 days from Tue 2026-09-29 stays on Fri 10-02 (a holiday). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 9, 29, 9, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, FALSE, &oor),
              "2026-10-02");
  /* 3 days from Wed 2026-02-11 → Sat 02-14, a make-up working day: no roll. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 2, 11, 9, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, TRUE, &oor),
              "2026-02-14");
  /* 2 days from Thu 2026-03-05 → Sat 03-07, a plain Saturday → Mon 03-09. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 3, 5, 9, 0, 0, 0), 2, CL_UNIT_CALENDAR_DAYS, TRUE, &oor),
              "2026-03-09");
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 3, 5, 9, 0, 0, 0), 2, CL_UNIT_CALENDAR_DAYS, FALSE, &oor),
              "2026-03-07");
  /* 1 day from Wed 2025-12-31 → Thu 2026-01-01 (元旦, to Sat 01-03), Sun 01-04
   * is a make-up working day. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2025, 12, 31, 9, 0, 0, 0), 1, CL_UNIT_CALENDAR_DAYS, TRUE, &oor),
              "2026-01-04");
  g_assert_false (oor);
}

static void
test_working_days (void)
{
  /* 1 working day from Fri 2026-03-06 → Mon 03-09 (Sat/Sun skipped). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 3, 6, 9, 0, 0, 0), 1, CL_UNIT_WORKING_DAYS, TRUE, NULL),
              "2026-03-09");
  /* An event on a holiday: 1 working day from Sat 2026-10-03 → Thu 10-08. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 10, 3, 9, 0, 0, 0), 1, CL_UNIT_WORKING_DAYS, TRUE, NULL),
              "2026-10-08");
  /* 2 working days from Wed 2026-09-30: 10-01..07 off, Thu 08 (1), Fri 09 (2). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 9, 30, 9, 0, 0, 0), 2, CL_UNIT_WORKING_DAYS, TRUE, NULL),
              "2026-10-09");
  /* Weekends-only and NULL calendars: 10 working days from Wed 2025-09-24:
   * 25, 26, 29, 30, Oct 1, 2, 3, 6, 7, 8 → Wed 10-08. */
  {
    g_autoptr(CLCalendar) w = cl_calendar_new_weekends_only ("weekends");
    gboolean oor = FALSE;

    assert_due (cl_deadline_compute (w, tz, local_us (2025, 9, 24, 9, 0, 0, 0), 10, CL_UNIT_WORKING_DAYS, TRUE, &oor),
                "2025-10-08");
    assert_due (cl_deadline_compute (NULL, tz, local_us (2025, 9, 24, 9, 0, 0, 0), 10, CL_UNIT_WORKING_DAYS, TRUE, &oor),
                "2025-10-08");
    g_assert_false (oor);
    g_assert_true (cl_calendar_covers_year (w, 2027));
    g_assert_cmpstr (cl_calendar_name (w), ==, "weekends");
  }
}

static void
test_months (void)
{
  gboolean oor = FALSE;

  /* Jan 31 + 1 month → clamped to Sat 2026-02-28, a make-up working day:
   * stays there even with roll. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 1, 31, 9, 0, 0, 0), 1, CL_UNIT_MONTHS, TRUE, &oor),
              "2026-02-28");
  /* Dec 31 2025 + 2 months → clamped to Sat 2026-02-28 (working). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2025, 12, 31, 9, 0, 0, 0), 2, CL_UNIT_MONTHS, TRUE, &oor),
              "2026-02-28");
  /* Oct 31 2025 + 1 month → clamped to Sun 2025-11-30 → rolled to Mon 12-01;
   * with roll: none it stays on the Sunday. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2025, 10, 31, 9, 0, 0, 0), 1, CL_UNIT_MONTHS, TRUE, &oor),
              "2025-12-01");
  assert_due (cl_deadline_compute (cn, tz, local_us (2025, 10, 31, 9, 0, 0, 0), 1, CL_UNIT_MONTHS, FALSE, &oor),
              "2025-11-30");
  /* Two months (两个月), not 60 days: Tue 2026-03-10 → Sun 05-10 → Mon 05-11
   * (Sat 05-09 is the make-up day, Sunday is not). 60 days would be 05-09. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 3, 10, 9, 0, 0, 0), 2, CL_UNIT_MONTHS, TRUE, &oor),
              "2026-05-11");
  /* Jan 15 + 1 month → Sun 2026-02-15, 春节 → rolled past Mon 02-23 to Tue 02-24. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 1, 15, 9, 0, 0, 0), 1, CL_UNIT_MONTHS, TRUE, &oor),
              "2026-02-24");
  g_assert_false (oor);
  /* Mar 31 2026 + 11 months → clamped to Sun 2027-02-28 (2027 is not
   * covered: weekends only) → Mon 2027-03-01, and out of range. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 3, 31, 9, 0, 0, 0), 11, CL_UNIT_MONTHS, TRUE, &oor),
              "2027-03-01");
  g_assert_true (oor);
}

static void
test_out_of_range (void)
{
  gboolean oor = FALSE;

  /* 10 working days from Fri 2026-12-25: Dec 28, 29, 30, 31 (1–4), then
   * 2027 by weekends only: Fri Jan 1 (5), Mon 4 (6), 5, 6, 7, Fri 8 (10). */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 12, 25, 9, 0, 0, 0), 10, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2027-01-08");
  g_assert_true (oor);

  /* 3 calendar days from Wed 2026-12-30 → Sat 2027-01-02 → Mon 01-04: the
   * calendar was asked about 2027. */
  oor = FALSE;
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 12, 30, 9, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, TRUE, &oor),
              "2027-01-04");
  g_assert_true (oor);

  /* roll: none never consults the calendar. */
  oor = FALSE;
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 12, 30, 9, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, FALSE, &oor),
              "2027-01-02");
  g_assert_false (oor);

  /* Inside 2026: no flag; a flag already set is left set. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2026, 12, 21, 9, 0, 0, 0), 3, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2026-12-24");
  g_assert_false (oor);
  oor = TRUE;
  cl_deadline_compute (cn, tz, local_us (2026, 12, 21, 9, 0, 0, 0), 3, CL_UNIT_WORKING_DAYS, TRUE, &oor);
  g_assert_true (oor);

  /* 2024, before the calendar starts. 1 working day from Tue 2024-12-31 →
   * Wed 2025-01-01 is 元旦 → Thu 01-02; Dec 31 2024 itself is not consulted
   * (the event's day is not counted) … */
  oor = FALSE;
  assert_due (cl_deadline_compute (cn, tz, local_us (2024, 12, 31, 9, 0, 0, 0), 1, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2025-01-02");
  g_assert_false (oor);
  /* … but Mon 2024-12-30 + 1 working day is Tue 2024-12-31, a 2024 day. */
  assert_due (cl_deadline_compute (cn, tz, local_us (2024, 12, 30, 9, 0, 0, 0), 1, CL_UNIT_WORKING_DAYS, TRUE, &oor),
              "2024-12-31");
  g_assert_true (oor);
}

/* ---- pausable clocks ------------------------------------------------ */

static void
test_pause_same_day (void)
{
  gint64 deadline = local_us (2026, 3, 13, 23, 59, 59, 999999);
  gint64 p = local_us (2026, 3, 2, 9, 0, 0, 0);
  gint64 r = local_us (2026, 3, 2, 17, 30, 0, 0);

  /* Paused and resumed on Mon 03-02: the day of resumption is not counted,
   * so nothing moves. */
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_CALENDAR_DAYS, TRUE, p, r, NULL), ==, deadline);
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_WORKING_DAYS, TRUE, p, r, NULL), ==, deadline);
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_MONTHS, TRUE, p, r, NULL), ==, deadline);
  /* … except for hours, which move by the exact 8.5 hours. */
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_HOURS, TRUE, p, r, NULL), ==,
                   deadline + 8 * HOUR_US + HOUR_US / 2);
  /* A resumption before the pause moves nothing. */
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_CALENDAR_DAYS, TRUE, r, p, NULL), ==, deadline);
  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_HOURS, TRUE, r, p, NULL), ==, deadline);
}

static void
test_pause_weekend (void)
{
  gint64 due = local_us (2026, 3, 10, 23, 59, 59, 999999);   /* Tue 03-10 */
  gint64 fri = local_us (2026, 3, 6, 15, 0, 0, 0);
  gint64 sat = local_us (2026, 3, 7, 10, 0, 0, 0);
  gint64 mon = local_us (2026, 3, 9, 10, 0, 0, 0);

  /* Paused Fri 03-06 15:00 → Mon 03-09: working days in [Fri, Mon) = Fri
   * only = 1 → Tue 03-10 + 1 working day = Wed 03-11. */
  assert_due (cl_deadline_resume (cn, tz, due, CL_UNIT_WORKING_DAYS, TRUE, fri, mon, NULL), "2026-03-11");
  /* Calendar days: Fri, Sat, Sun = 3 → Fri 03-13. */
  assert_due (cl_deadline_resume (cn, tz, due, CL_UNIT_CALENDAR_DAYS, TRUE, fri, mon, NULL), "2026-03-13");
  /* Paused Sat → Mon: no working day → nothing moves; calendar days: 2 →
   * Thu 03-12. */
  g_assert_cmpint (cl_deadline_resume (cn, tz, due, CL_UNIT_WORKING_DAYS, TRUE, sat, mon, NULL), ==, due);
  assert_due (cl_deadline_resume (cn, tz, due, CL_UNIT_CALENDAR_DAYS, TRUE, sat, mon, NULL), "2026-03-12");
}

static void
test_pause_holiday (void)
{
  gboolean oor = FALSE;

  /* Paused Fri 2026-02-13 → Wed 02-25: Fri 13 (1), Sat 14 make-up (2),
   * 15–23 off, Tue 24 (3) = 3 working days. Due Mon 03-02 + 3 → Tue 03,
   * Wed 04, Thu 05. */
  assert_due (cl_deadline_resume (cn, tz, local_us (2026, 3, 2, 23, 59, 59, 999999), CL_UNIT_WORKING_DAYS, TRUE,
                                  local_us (2026, 2, 13, 16, 0, 0, 0), local_us (2026, 2, 25, 9, 0, 0, 0), &oor),
              "2026-03-05");
  /* Calendar days with roll: due Tue 09-29, paused 09-01 → 09-04 = 3 days →
   * Fri 10-02 (国庆) → Thu 10-08; with roll: none → 10-02. */
  assert_due (cl_deadline_resume (cn, tz, local_us (2026, 9, 29, 23, 59, 59, 999999), CL_UNIT_CALENDAR_DAYS, TRUE,
                                  local_us (2026, 9, 1, 9, 0, 0, 0), local_us (2026, 9, 4, 9, 0, 0, 0), &oor),
              "2026-10-08");
  assert_due (cl_deadline_resume (cn, tz, local_us (2026, 9, 29, 23, 59, 59, 999999), CL_UNIT_CALENDAR_DAYS, FALSE,
                                  local_us (2026, 9, 1, 9, 0, 0, 0), local_us (2026, 9, 4, 9, 0, 0, 0), &oor),
              "2026-10-02");
  /* Months count the pause in calendar days too: 3 days from 09-29 → 10-02. */
  assert_due (cl_deadline_resume (cn, tz, local_us (2026, 9, 29, 23, 59, 59, 999999), CL_UNIT_MONTHS, TRUE,
                                  local_us (2026, 9, 1, 9, 0, 0, 0), local_us (2026, 9, 4, 9, 0, 0, 0), &oor),
              "2026-10-08");
  g_assert_false (oor);
}

static void
test_pause_hours (void)
{
  gint64 deadline = local_us (2026, 2, 14, 10, 30, 15, 123456);
  gint64 p = local_us (2026, 2, 10, 8, 0, 0, 0);
  /* 1 day 1 h 1 min 1 s 7 µs later */
  gint64 r = p + (gint64) (86400 + 3600 + 60 + 1) * G_USEC_PER_SEC + 7;

  g_assert_cmpint (cl_deadline_resume (cn, tz, deadline, CL_UNIT_HOURS, TRUE, p, r, NULL), ==, deadline + (r - p));
  /* Lands inside 春节 and stays there. */
  assert_at (cl_deadline_resume (cn, tz, deadline, CL_UNIT_HOURS, TRUE, p, r, NULL), "2026-02-15 11:31:16.123463");
}

/* ---- extensions ----------------------------------------------------- */

static void
test_extend (void)
{
  gint64 hours_due = local_us (2026, 2, 14, 10, 0, 0, 0);

  /* Due Wed 2026-02-25, +3 working days: Thu 26, Fri 27, Sat 28 (make-up). */
  assert_due (cl_deadline_extend (cn, tz, local_us (2026, 2, 25, 23, 59, 59, 999999), 3, CL_UNIT_WORKING_DAYS, TRUE, NULL),
              "2026-02-28");
  /* Due Thu 2026-10-08, +2 calendar days → Sat 10-10, a make-up day. */
  assert_due (cl_deadline_extend (cn, tz, local_us (2026, 10, 8, 23, 59, 59, 999999), 2, CL_UNIT_CALENDAR_DAYS, TRUE, NULL),
              "2026-10-10");
  /* Due Sat 2026-02-28, +1 month → Sat 03-28 → Mon 03-30. */
  assert_due (cl_deadline_extend (cn, tz, local_us (2026, 2, 28, 23, 59, 59, 999999), 1, CL_UNIT_MONTHS, TRUE, NULL),
              "2026-03-30");
  /* Hours: exact. */
  g_assert_cmpint (cl_deadline_extend (cn, tz, hours_due, 24, CL_UNIT_HOURS, TRUE, NULL), ==, hours_due + 24 * HOUR_US);
}

/* ---- text ----------------------------------------------------------- */

static void
test_describe (void)
{
  struct {
    gint64 from;
    gint n;
    CLDeadlineUnit unit;
    gboolean roll;
    const char *expected;
  } cases[] = {
    { local_us (2026, 2, 13, 10, 0, 0, 0), 3, CL_UNIT_WORKING_DAYS, TRUE,
      "3 working_days from 2026-02-13 (calendar cn) → 2026-02-25 23:59:59 +08:00" },
    { local_us (2026, 9, 29, 10, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, TRUE,
      "3 calendar_days from 2026-09-29 (calendar cn, roll: next_working_day) → 2026-10-08 23:59:59 +08:00" },
    { local_us (2026, 9, 29, 10, 0, 0, 0), 3, CL_UNIT_CALENDAR_DAYS, FALSE,
      "3 calendar_days from 2026-09-29 (roll: none) → 2026-10-02 23:59:59 +08:00" },
    { local_us (2026, 1, 31, 10, 0, 0, 0), 1, CL_UNIT_MONTHS, TRUE,
      "1 month from 2026-01-31 (calendar cn, roll: next_working_day) → 2026-02-28 23:59:59 +08:00" },
    { local_us (2026, 2, 14, 10, 30, 15, 0), 1, CL_UNIT_HOURS, TRUE,
      "1 hour from 2026-02-14 10:30:15 +08:00 → 2026-02-14 11:30:15 +08:00" },
    { local_us (2026, 12, 25, 10, 0, 0, 0), 10, CL_UNIT_WORKING_DAYS, TRUE,
      "10 working_days from 2026-12-25 (calendar cn; not covered, weekends only: 2027) → 2027-01-08 23:59:59 +08:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 due = cl_deadline_compute (cn, tz, cases[i].from, cases[i].n, cases[i].unit, cases[i].roll, NULL);
      g_autofree char *text = cl_deadline_describe (cn, tz, cases[i].from, cases[i].n, cases[i].unit, cases[i].roll, due);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_unit_parse (void)
{
  static const struct {
    const char *text;
    gint n;
    CLDeadlineUnit unit;
  } good[] = {
    { "3 working_days", 3, CL_UNIT_WORKING_DAYS },
    { "24 hours", 24, CL_UNIT_HOURS },
    { "2 months", 2, CL_UNIT_MONTHS },
    { "10 calendar_days", 10, CL_UNIT_CALENDAR_DAYS },
    { "1 month", 1, CL_UNIT_MONTHS },
    { "1 hour", 1, CL_UNIT_HOURS },
    { "1 working_day", 1, CL_UNIT_WORKING_DAYS },
    { "1 calendar_day", 1, CL_UNIT_CALENDAR_DAYS },
    { "1 months", 1, CL_UNIT_MONTHS },
    { "100000 hours", 100000, CL_UNIT_HOURS },
    { "007 calendar_days", 7, CL_UNIT_CALENDAR_DAYS },
  };
  static const char *const bad[] = {
    "", "hours", "3", "3 days", "0 hours", "100001 hours", "1000000 hours", "-1 hours", "+1 hours",
    "2 month", "2 hour", " 3 hours", "3 hours ", "3hours", "3 Hours", "3 working days", "3.5 hours",
    "3 hours\n", "99999999999999999999 hours",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gint n = 0;
      CLDeadlineUnit unit = (CLDeadlineUnit) -1;

      g_assert_true (cl_deadline_unit_parse (good[i].text, &n, &unit));
      g_assert_cmpint (n, ==, good[i].n);
      g_assert_cmpint (unit, ==, good[i].unit);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint n = 0;
      CLDeadlineUnit unit;

      if (cl_deadline_unit_parse (bad[i], &n, &unit))
        g_error ("'%s' was accepted", bad[i]);
    }
  g_assert_false (cl_deadline_unit_parse (NULL, NULL, NULL));

  g_assert_cmpstr (cl_deadline_unit_to_string (CL_UNIT_HOURS), ==, "hours");
  g_assert_cmpstr (cl_deadline_unit_to_string (CL_UNIT_CALENDAR_DAYS), ==, "calendar_days");
  g_assert_cmpstr (cl_deadline_unit_to_string (CL_UNIT_WORKING_DAYS), ==, "working_days");
  g_assert_cmpstr (cl_deadline_unit_to_string (CL_UNIT_MONTHS), ==, "months");
}

/* ---- loading -------------------------------------------------------- */

static CLCalendar *
load (const char *text, GPtrArray *errors)
{
  return cl_calendar_load_data ("c.yaml", text, strlen (text), errors);
}

/* Loading @text fails with an error starting "c.yaml:@position: " and
 * containing @needle. */
static void
assert_error (const char *text, const char *position, const char *needle)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CLCalendar) cal = load (text, errors);
  g_autofree char *prefix = g_strdup_printf ("c.yaml:%s: ", position);
  gboolean found = FALSE;

  g_assert_null (cal);
  g_assert_cmpuint (errors->len, >, 0);
  for (guint i = 0; i < errors->len; i++)
    {
      const char *e = g_ptr_array_index (errors, i);
      if (g_str_has_prefix (e, prefix) && strstr (e, needle) != NULL)
        found = TRUE;
    }
  if (!found)
    {
      for (guint i = 0; i < errors->len; i++)
        g_printerr ("got: %s\n", (char *) g_ptr_array_index (errors, i));
      g_error ("expected an error at %s containing '%s'", position, needle);
    }
}

#define HEAD "calendar: demo\nyears:\n  2025:\n"

static void
test_load_good (void)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  const char *block =
    "# comment\n"
    "calendar: demo\n"
    "title: {zh: 演示, en: Demo}\n"
    "source: made up\n"
    "years:\n"
    "  2025:\n"
    "    holidays:\n"
    "      - name: a\n"
    "        from: 2025-01-01\n"
    "        to: 2025-01-02\n"
    "    workdays:\n"
    "      - 2025-01-05\n"
    "  2026: {}\n";
  const char *flow =
    "calendar: demo\n"
    "title: Something else\n"
    "years: {2026: {}, 2025: {workdays: [2025-01-05], holidays: [{to: '2025-01-02', from: 2025-01-01, name: b}]}}\n";
  const char *changed =
    "calendar: demo\n"
    "years: {2026: {}, 2025: {workdays: [2025-01-05], holidays: [{to: 2025-01-03, from: 2025-01-01, name: b}]}}\n";
  g_autoptr(CLCalendar) a = load (block, errors);
  g_autoptr(CLCalendar) b = load (flow, errors);
  g_autoptr(CLCalendar) c = load (changed, errors);
  g_autoptr(CLCalendar) w1 = cl_calendar_new_weekends_only ("demo");
  g_autoptr(CLCalendar) w2 = cl_calendar_new_weekends_only ("other");

  for (guint i = 0; i < errors->len; i++)
    g_printerr ("%s\n", (char *) g_ptr_array_index (errors, i));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_nonnull (c);

  g_assert_false (working (a, 2025, 1, 1));   /* Wed, holiday */
  g_assert_false (working (a, 2025, 1, 2));   /* Thu, holiday */
  g_assert_true (working (a, 2025, 1, 3));    /* Fri */
  g_assert_false (working (a, 2025, 1, 4));   /* Sat */
  g_assert_true (working (a, 2025, 1, 5));    /* Sun, make-up */
  g_assert_true (cl_calendar_covers_year (a, 2026));
  g_assert_false (cl_calendar_covers_year (a, 2027));

  /* The digest depends on the dates only, not layout, order, titles or names. */
  g_assert_cmpstr (cl_calendar_digest (a), ==, cl_calendar_digest (b));
  g_assert_cmpstr (cl_calendar_digest (a), !=, cl_calendar_digest (c));
  g_assert_cmpstr (cl_calendar_digest (a), !=, cl_calendar_digest (w1));
  g_assert_cmpstr (cl_calendar_digest (w1), !=, cl_calendar_digest (w2));

  /* ref/unref */
  g_assert_true (cl_calendar_ref (a) == a);
  cl_calendar_unref (a);
  g_assert_cmpstr (cl_calendar_name (a), ==, "demo");
}

static void
test_load_errors (void)
{
  /* syntax */
  assert_error ("calendar: demo\nyears: [\n", "3:1", "");
  assert_error ("- a\n", "1:1", "a calendar file must be a map");
  assert_error ("", "1:1", "empty");
  /* top level */
  assert_error ("calendar: demo\ncolour: red\nyears:\n  2025: {}\n", "2:1", "unknown key 'colour' in a calendar");
  assert_error ("years:\n  2025: {}\n", "1:1", "missing key 'calendar'");
  assert_error ("calendar: demo\n", "1:1", "missing key 'years'");
  assert_error ("calendar: Demo\nyears:\n  2025: {}\n", "1:11", "invalid calendar name 'Demo'");
  assert_error ("calendar: demo\nyears: {}\n", "2:8", "years is empty");
  assert_error ("calendar: demo\nyears: [2025]\n", "2:8", "years must be a map");
  assert_error ("calendar: demo\ntitle: [a]\nyears:\n  2025: {}\n", "2:8", "a title is a text");
  /* years */
  assert_error ("calendar: demo\nyears:\n  2025: {}\n  2025: {}\n", "4:3", "duplicate key '2025'");
  assert_error ("calendar: demo\nyears:\n  2025: {}\n  02025: {}\n", "4:3", "duplicate year 2025 (also at line 3)");
  assert_error ("calendar: demo\nyears:\n  twenty: {}\n", "3:3", "'twenty' is not a year");
  assert_error ("calendar: demo\nyears:\n  2025:\n", "3:8", "year 2025 must be a map");
  assert_error (HEAD "    holiday: []\n", "4:5", "unknown key 'holiday' in a year (allowed: holidays, workdays)");
  /* holidays */
  assert_error (HEAD "    holidays: {name: a}\n", "4:15", "holidays must be a list");
  assert_error (HEAD "    holidays: [2025-01-01]\n", "4:16", "a holiday is a map");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-01-01, to: 2025-01-01, kind: x}\n",
                "5:53", "unknown key 'kind' in a holiday (allowed: name, from, to)");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-01-01}\n", "5:9", "this holiday has no 'to'");
  assert_error (HEAD "    holidays:\n      - {from: 2025-01-01, to: 2025-01-01}\n", "5:9", "this holiday has no 'name'");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-02-30, to: 2025-03-01}\n",
                "5:25", "'2025-02-30' is not a valid date");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-1-01, to: 2025-01-02}\n",
                "5:25", "'2025-1-01' is not a date in the form YYYY-MM-DD");
  assert_error (HEAD "    holidays:\n      - {name: a, from: [x], to: 2025-01-02}\n",
                "5:25", "expected a date");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-12-31, to: 2026-01-02}\n",
                "5:41", "2026-01-02 is outside its year 2025");
  assert_error (HEAD "    holidays:\n      - {name: a, from: 2025-05-06, to: 2025-05-05}\n",
                "5:41", "the holiday ends (2025-05-05) before it starts (2025-05-06)");
  assert_error (HEAD "    holidays:\n"
                "      - {name: a, from: 2025-05-01, to: 2025-05-05}\n"
                "      - {name: b, from: 2025-05-05, to: 2025-05-06}\n",
                "6:25", "2025-05-05 is already a day off of holiday 'a' (line 5)");
  /* workdays */
  assert_error (HEAD "    workdays: 2025-01-26\n", "4:15", "workdays must be a list");
  assert_error (HEAD "    workdays: [2025-01-26, 2025-01-27]\n", "4:28",
                "2025-01-27 is a Monday: a make-up working day must be a Saturday or a Sunday");
  assert_error (HEAD "    workdays: [2025-01-26, 2024-12-28]\n", "4:28", "2024-12-28 is outside its year 2025");
  assert_error (HEAD "    workdays: [2025-01-26, 2025-13-01]\n", "4:28", "'2025-13-01' is not a valid date");
  assert_error (HEAD "    workdays: [2025-01-26, 2025-01-26]\n", "4:28", "2025-01-26 is listed twice");
  assert_error (HEAD "    workdays: [2025-01-26]\n"
                "    holidays:\n      - {name: 春节, from: 2025-01-25, to: 2025-01-27}\n",
                "4:16", "2025-01-26 is both a make-up working day and a day off of holiday '春节' (line 6)");
}

static void
test_load_file_errors (void)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);

  g_assert_null (cl_calendar_load_file ("/nonexistent/cal.yaml", errors));
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (errors, 0), "/nonexistent/cal.yaml:1:1: "));
}

int
main (int argc, char **argv)
{
  const char *srcdir = g_getenv ("CASELINK_SRCDIR");
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_test_init (&argc, &argv, NULL);

  tz = g_time_zone_new_identifier ("Asia/Shanghai");
  if (tz == NULL)
    tz = g_time_zone_new_offset (8 * 3600);
  path = g_build_filename (srcdir ? srcdir : ".", "workflows", "calendars", "cn.yaml", NULL);
  cn = cl_calendar_load_file (path, errors);
  for (guint i = 0; i < errors->len; i++)
    g_printerr ("%s\n", (char *) g_ptr_array_index (errors, i));
  g_assert_nonnull (cn);

  g_test_add_func ("/calendar/shipped-cn", test_shipped);
  g_test_add_func ("/calendar/worked-examples", test_worked_examples);
  g_test_add_func ("/calendar/time-zone", test_time_zone);
  g_test_add_func ("/calendar/hours", test_hours);
  g_test_add_func ("/calendar/calendar-days", test_calendar_days);
  g_test_add_func ("/calendar/working-days", test_working_days);
  g_test_add_func ("/calendar/months", test_months);
  g_test_add_func ("/calendar/out-of-range", test_out_of_range);
  g_test_add_func ("/calendar/pause-same-day", test_pause_same_day);
  g_test_add_func ("/calendar/pause-weekend", test_pause_weekend);
  g_test_add_func ("/calendar/pause-holiday", test_pause_holiday);
  g_test_add_func ("/calendar/pause-hours", test_pause_hours);
  g_test_add_func ("/calendar/extend", test_extend);
  g_test_add_func ("/calendar/describe", test_describe);
  g_test_add_func ("/calendar/unit-parse", test_unit_parse);
  g_test_add_func ("/calendar/load-good", test_load_good);
  g_test_add_func ("/calendar/load-errors", test_load_errors);
  g_test_add_func ("/calendar/load-file-errors", test_load_file_errors);

  rc = g_test_run ();
  cl_calendar_unref (cn);
  g_time_zone_unref (tz);
  return rc;
}
