/* fuzz-calendar.c — working-day calendar files (common/calendar.c) on
 * arbitrary bytes, then deadline arithmetic on what loaded.
 *
 * The input is the calendar YAML. When it loads, due dates are computed in
 * every unit from a few fixed instants (today-ish, the epoch, the first and
 * the last days GDateTime can hold, the last hour of 9999 in UTC) and one instant and amount derived from
 * the input's hash, in Beijing time and in a zone west of UTC; the results
 * must not be earlier than the start and must stay within 9999-12-31. The
 * first line also goes to cl_deadline_unit_parse(). */
#include "fuzz.h"

#include "calendar.h"

#include <string.h>

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds. */
#define MIN_SECS G_GINT64_CONSTANT (-62135596800)
#define MAX_SECS G_GINT64_CONSTANT (253402300799)

static GTimeZone *zones[2];

static void
check_unit_parse (const uint8_t *data, size_t size)
{
  const char *nl = memchr (data, '\n', size);
  g_autofree char *line = g_strndup ((const char *) data, nl ? (size_t) (nl - (const char *) data) : size);
  gint n = -1;
  CLDeadlineUnit unit;

  if (cl_deadline_unit_parse (line, &n, &unit))
    {
      g_assert_cmpint (n, >=, 1);
      g_assert_cmpint (n, <=, 100000);
      g_assert_cmpstr (cl_deadline_unit_to_string (unit), !=, "unknown");
    }
}

static void
compute_all (const CLCalendar *cal, guint hash)
{
  const gint64 starts[] = {
    G_GINT64_CONSTANT (1770940800) * G_USEC_PER_SEC,   /* 2026-02-13 */
    0,
    (MIN_SECS + 86400) * G_USEC_PER_SEC,
    (MAX_SECS - 3 * 86400) * G_USEC_PER_SEC,
    (MAX_SECS - 3600) * G_USEC_PER_SEC,                 /* 10000-01-01 in Beijing */
    (MIN_SECS + (gint64) (hash % (guint64) (MAX_SECS - MIN_SECS))) * G_USEC_PER_SEC,
  };
  const gint amounts[] = { 0, 1, 10, (gint) (hash % 1000) + 1 };
  /* the end of 9999-12-31 in the zone: at most 14 hours after it in UTC */
  const gint64 max_us = (MAX_SECS + 1 + 14 * 3600) * G_USEC_PER_SEC - 1;

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    for (guint s = 0; s < G_N_ELEMENTS (starts); s++)
      for (guint a = 0; a < G_N_ELEMENTS (amounts); a++)
        for (int unit = CL_UNIT_HOURS; unit <= CL_UNIT_MONTHS; unit++)
          for (int roll = 0; roll < 2; roll++)
            {
              gboolean oor = FALSE;
              gint64 from = starts[s];
              gint64 due = cl_deadline_compute (cal, zones[z], from, amounts[a], (CLDeadlineUnit) unit, roll, &oor);
              gint64 later;
              g_autofree char *text = NULL;

              if (unit == CL_UNIT_HOURS)
                g_assert_cmpint (due, ==, from + (gint64) amounts[a] * 3600 * G_USEC_PER_SEC);
              else
                {
                  g_assert_cmpint (due, >=, from);
                  g_assert_cmpint (due, <=, max_us);
                }
              text = cl_deadline_describe (cal, zones[z], from, amounts[a], (CLDeadlineUnit) unit, roll, due);
              g_assert_nonnull (text);
              later = cl_deadline_extend (cal, zones[z], due, 1, (CLDeadlineUnit) unit, roll, &oor);
              g_assert_cmpint (later, >=, due);
              /* a pause of a week, and one of nothing */
              later = cl_deadline_resume (cal, zones[z], due, (CLDeadlineUnit) unit, roll, from,
                                          from + G_GINT64_CONSTANT (7 * 86400) * G_USEC_PER_SEC, &oor);
              g_assert_cmpint (later, >=, due);
              g_assert_cmpint (cl_deadline_resume (cal, zones[z], due, (CLDeadlineUnit) unit, roll, from, from, &oor),
                               ==, due);
            }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(CLCalendar) cal = NULL;
  guint hash = 5381;

  cl_fuzz_init ();
  if (zones[0] == NULL)
    {
      zones[0] = g_time_zone_new_identifier ("Asia/Shanghai");
      if (zones[0] == NULL)
        zones[0] = g_time_zone_new_offset (8 * 3600);
      zones[1] = g_time_zone_new_identifier ("America/Sao_Paulo");
      if (zones[1] == NULL)
        zones[1] = g_time_zone_new_offset (-3 * 3600);
    }
  check_unit_parse (data, size);

  errors = g_ptr_array_new_with_free_func (g_free);
  cal = cl_calendar_load_data ("fuzz.yaml", (const char *) data, size, errors);
  if (cal == NULL)
    {
      g_assert_cmpuint (errors->len, >, 0);
      return 0;
    }
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_nonnull (cl_calendar_name (cal));
  g_assert_cmpuint (strlen (cl_calendar_digest (cal)), ==, 64);
  for (int y = 1; y <= 9999; y += 997)
    (void) cl_calendar_covers_year (cal, y);

  for (size_t i = 0; i < size; i++)
    hash = hash * 33 + data[i];
  compute_all (cal, hash);
  return 0;
}
