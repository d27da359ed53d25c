/* calendar.h — working-day calendars and deadline arithmetic.
 *
 * A calendar lists, per covered year, the public holidays and the make-up
 * working days (调休上班) of one jurisdiction; it is loaded from a YAML file
 * in workflows/calendars/ (format: see workflows/calendars/cn.yaml). A day is
 * a working day unless it is a holiday, or a Saturday/Sunday that is not a
 * make-up working day. In a year the calendar does not cover, weekends alone
 * count and the computations report it through *out_of_range.
 *
 * Deadline rules (state `deadline: {in: N UNIT, ...}`):
 *  - the day of the triggering event is not counted;
 *  - calendar_days: the Nth day after the event's day; months: the same day
 *    of the month N months later, clamped to that month's end; both roll to
 *    the next working day when they land on a non-working day (unless roll
 *    is FALSE);
 *  - working_days: the Nth working day after the event's day; never rolls
 *    (it always lands on a working day);
 *  - day-based deadlines fall at the end of the due day (23:59:59.999999
 *    local time in the deployment's time zone); hours fall at the exact
 *    instant and never roll.
 *
 * Calendars are immutable once loaded and may be shared between threads.
 * Wherever a calendar is taken, NULL means "weekends only".
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLCalendar CLCalendar;

typedef enum {
  CL_UNIT_HOURS,
  CL_UNIT_CALENDAR_DAYS,
  CL_UNIT_WORKING_DAYS,
  CL_UNIT_MONTHS,
} CLDeadlineUnit;

/* Load a calendar YAML file; NULL with "FILE:LINE:COLUMN: message" strings
 * appended to @errors. */
CLCalendar *cl_calendar_load_file (const char *path, GPtrArray *errors);
CLCalendar *cl_calendar_load_data (const char *file, const char *data, gsize len, GPtrArray *errors);

/* A calendar with no holidays: weekends only. It covers every year (there is
 * nothing it could be missing), so it never reports out_of_range. */
CLCalendar *cl_calendar_new_weekends_only (const char *name);

CLCalendar *cl_calendar_ref (CLCalendar *cal);
void cl_calendar_unref (CLCalendar *cal);

const char *cl_calendar_name (const CLCalendar *cal);

/* A stable digest (hex SHA-256) of the calendar's content — its name, the
 * covered years, the holiday dates and the make-up working days; not titles,
 * holiday names, comments or formatting — so the daemon can tell when a
 * reload changed it. */
const char *cl_calendar_digest (const CLCalendar *cal);

/* Whether @year is a key under `years:` (always TRUE for weekends-only). */
gboolean cl_calendar_covers_year (const CLCalendar *cal, int year);

gboolean cl_calendar_is_working_day (const CLCalendar *cal, const GDate *date);

/* Parse "3 working_days", "24 hours", "2 months", "10 calendar_days"; the
 * singular forms ("1 month", "1 hour", "1 working_day", "1 calendar_day")
 * are accepted with 1 only. n must be 1..100000. FALSE on anything else. */
gboolean cl_deadline_unit_parse (const char *text, gint *n, CLDeadlineUnit *unit);

/* "hours", "calendar_days", "working_days", "months". */
const char *cl_deadline_unit_to_string (CLDeadlineUnit unit);

/* The due instant (µs since the epoch) for an event at @from_us, in @tz.
 * @roll applies to calendar_days and months only. If the calendar had to be
 * consulted about a day in a year it does not cover, *@out_of_range (if not
 * NULL) is set TRUE (weekends alone counted there); it is otherwise left
 * untouched, so one flag can collect several computations. Due dates are
 * clamped to 9999-12-31. */
gint64 cl_deadline_compute (const CLCalendar *cal, GTimeZone *tz, gint64 from_us, gint n,
                            CLDeadlineUnit unit, gboolean roll, gboolean *out_of_range);

/* Move a running deadline later because the case was paused from @paused_us
 * to @resumed_us. The pause counts the days d with pause_date <= d <
 * resume_date (the day of resumption not counted, so a pause within one day
 * moves nothing): calendar days for calendar_days and months, working days
 * for working_days; hours move by the exact paused time. For day units the
 * result is the end of the new due day — the old due day plus that many
 * days (calendar_days/months, then rolled if @roll) or working days
 * (working_days). When nothing moves, @deadline_us is returned unchanged. */
gint64 cl_deadline_resume (const CLCalendar *cal, GTimeZone *tz, gint64 deadline_us,
                           CLDeadlineUnit unit, gboolean roll, gint64 paused_us,
                           gint64 resumed_us, gboolean *out_of_range);

/* Prolong a deadline by @n units (an approved extension): from the current
 * due instant, @n more units counted as cl_deadline_compute() counts from an
 * event (the due day itself not counted). */
gint64 cl_deadline_extend (const CLCalendar *cal, GTimeZone *tz, gint64 deadline_us, gint n,
                           CLDeadlineUnit unit, gboolean roll, gboolean *out_of_range);

/* Human-readable rule text for history, e.g.
 * "3 working_days from 2026-02-13 (calendar cn) → 2026-02-25 23:59:59 +08:00".
 * Free with g_free(). */
/* "2027" or "2027, 2029–2031" for the years in [first, last] @cal does not
 * cover; NULL when it covers them all. */
char *cl_calendar_uncovered_years (const CLCalendar *cal, int first, int last);

char *cl_deadline_describe (const CLCalendar *cal, GTimeZone *tz, gint64 from_us, gint n,
                            CLDeadlineUnit unit, gboolean roll, gint64 due_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLCalendar, cl_calendar_unref)

G_END_DECLS
