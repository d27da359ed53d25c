/* deadline.c — computing, pausing, extending and recomputing deadlines. */
#define G_LOG_DOMAIN "caselink-deadline"

#include "deadline.h"
#include "case-history.h"
#include "cl-errors.h"

#include <stdio.h>
#include <string.h>

/* spec: (from_us, n, unit, roll, warn_n, warn_unit, ops) where each op is
 * ("extend", T, 0, n, unit) or ("pause", paused_us, resumed_us, 0, ""); T is
 * 1 + the index of the extending transition in the case's workflow version
 * (0 in rows written before it was recorded), for extend: {once: true}. */
#define SPEC_TYPE "(xisbisa(sxxis))"

char *
cl_deadline_format (CLDaemon *d, gint64 us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_timezone (utc, d->config.tz) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S %:z") : g_strdup ("?");
}

CLCalendar *
cl_deadline_calendar (CLDaemon *d, const char *name)
{
  CLCalendar *cal = cl_registry_calendar (d->registry, name);

  if (cal == NULL)
    {
      /* Loading checks calendar names, so this only happens for cases whose
       * stored definition names a calendar since removed. */
      g_warning ("calendar '%s' is gone; counting weekends only", name);
      cal = cl_registry_calendar (d->registry, "weekends");
    }
  return cal;
}

/* Once per calendar and set of years: the years between @from and @due
 * (in @tz) that @cal has no schedule for, as the history note names them. */
static void
note_out_of_range (const CLCalendar *cal, const char *calendar, GTimeZone *tz, gint64 from, gint64 due)
{
  static GHashTable *logged;
  g_autoptr(GDateTime) f = g_date_time_new_from_unix_utc (from / G_USEC_PER_SEC);
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (due / G_USEC_PER_SEC);
  g_autoptr(GDateTime) lf = f != NULL ? g_date_time_to_timezone (f, tz) : NULL;
  g_autoptr(GDateTime) lt = t != NULL ? g_date_time_to_timezone (t, tz) : NULL;
  g_autofree char *years = NULL;
  g_autofree char *key = NULL;

  if (lf == NULL || lt == NULL)
    return;
  years = cl_calendar_uncovered_years (cal, g_date_time_get_year (lf), g_date_time_get_year (lt));
  if (years == NULL)
    return;
  key = g_strdup_printf ("%s:%s", calendar, years);
  if (logged == NULL)
    logged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_add (logged, g_steal_pointer (&key)))
    g_message ("calendar '%s' has no holiday schedule for %s: counting weekends only there; add the schedule to "
               "its file and reload", calendar, years);
}

static CLDeadlineUnit
unit_from_string (const char *s)
{
  gint n;
  CLDeadlineUnit unit = CL_UNIT_CALENDAR_DAYS;
  g_autofree char *probe = g_strdup_printf ("1 %s", s);

  cl_deadline_unit_parse (probe, &n, &unit);
  return unit;
}

/* The instant @n units before @due (for warnings), counted like the deadline. */
static gint64
step_back (CLCalendar *cal, GTimeZone *tz, gint64 due, gint n, CLDeadlineUnit unit)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (due / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autoptr(GDateTime) back = NULL;
  gint64 frac = due % G_USEC_PER_SEC;

  switch (unit)
    {
    case CL_UNIT_HOURS:
      return due - (gint64) n * 3600 * G_USEC_PER_SEC;
    case CL_UNIT_MONTHS:
      back = g_date_time_add_months (local, -n);
      break;
    case CL_UNIT_CALENDAR_DAYS:
      back = g_date_time_add_days (local, -n);
      break;
    case CL_UNIT_WORKING_DAYS:
      back = g_date_time_ref (local);
      for (gint left = n; left > 0;)
        {
          GDateTime *prev = g_date_time_add_days (back, -1);
          GDate date;
          g_date_time_unref (back);
          back = prev;
          g_date_clear (&date, 1);
          g_date_set_dmy (&date, (GDateDay) g_date_time_get_day_of_month (back),
                          (GDateMonth) g_date_time_get_month (back), (GDateYear) g_date_time_get_year (back));
          if (cl_calendar_is_working_day (cal, &date))
            left--;
        }
      break;
    }
  return g_date_time_to_unix (back) * G_USEC_PER_SEC + frac;
}

/* Replay @spec with @cal: the due instant and the warning instant (0 = none). */
static gint64
evaluate (CLDaemon *d, CLCalendar *cal, const char *cal_name, GVariant *spec, gint64 *warn_at)
{
  GTimeZone *tz = d->config.tz;
  gint64 from, due, a, b;
  gint n, warn_n, op_n;
  const char *unit_s, *warn_unit_s, *kind, *op_unit;
  gboolean roll, out = FALSE;
  g_autoptr(GVariant) ops = NULL;
  GVariant *part[6];
  GVariantIter it;
  CLDeadlineUnit unit;

  /* By child rather than through a format string: this runs for every
   * deadline started. */
  for (guint i = 0; i < G_N_ELEMENTS (part); i++)
    part[i] = g_variant_get_child_value (spec, i);
  from = g_variant_get_int64 (part[0]);
  n = g_variant_get_int32 (part[1]);
  unit_s = g_variant_get_string (part[2], NULL);
  roll = g_variant_get_boolean (part[3]);
  warn_n = g_variant_get_int32 (part[4]);
  warn_unit_s = g_variant_get_string (part[5], NULL);
  ops = g_variant_get_child_value (spec, 6);
  unit = unit_from_string (unit_s);
  /* Only the period's last day rolls past a holiday (刑事诉讼法 art.105):
   * extensions and pauses count from the unrolled last day, and the day
   * they end on rolls once at the end. */
  due = cl_deadline_compute (cal, tz, from, n, unit, FALSE, &out);
  g_variant_iter_init (&it, ops);
  while (g_variant_iter_next (&it, "(&sxxi&s)", &kind, &a, &b, &op_n, &op_unit))
    {
      if (g_str_equal (kind, "extend"))
        due = cl_deadline_extend (cal, tz, due, op_n, unit_from_string (op_unit), FALSE, &out);
      else
        due = cl_deadline_resume (cal, tz, due, unit, FALSE, a, b, &out);
    }
  if (roll && unit != CL_UNIT_HOURS)
    due = cl_deadline_compute (cal, tz, due, 0, CL_UNIT_CALENDAR_DAYS, TRUE, &out);
  if (out)
    note_out_of_range (cal, cal_name, tz, from, due);
  *warn_at = warn_n > 0 ? step_back (cal, tz, due, warn_n, unit_from_string (warn_unit_s)) : 0;
  /* A [deadlines] override shorter than warn_before would warn before the
   * deadline even began (the loader refuses that only in the file). */
  if (*warn_at != 0 && *warn_at <= from)
    *warn_at = 0;
  for (guint i = 0; i < G_N_ELEMENTS (part); i++)
    g_variant_unref (part[i]);
  return due;
}

static GVariant *
spec_with_op (GVariant *spec, const char *kind, gint64 a, gint64 b, gint n, const char *unit)
{
  gint64 from;
  gint sn, warn_n;
  const char *unit_s, *warn_unit_s;
  gboolean roll;
  g_autoptr(GVariant) ops = NULL;
  GVariantBuilder builder;
  GVariantIter it;
  GVariant *op;

  g_variant_get (spec, "(xi&sbi&s@a(sxxis))", &from, &sn, &unit_s, &roll, &warn_n, &warn_unit_s, &ops);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sxxis)"));
  g_variant_iter_init (&it, ops);
  while ((op = g_variant_iter_next_value (&it)) != NULL)
    {
      g_variant_builder_add_value (&builder, op);
      g_variant_unref (op);
    }
  g_variant_builder_add (&builder, "(sxxis)", kind, a, b, n, unit);
  return g_variant_ref_sink (g_variant_new ("(xisbis@a(sxxis))", from, sn, unit_s, roll, warn_n, warn_unit_s,
                                            g_variant_builder_end (&builder)));
}

/* Whether @spec records an extension by the transition @marker stands for. */
static gboolean
extended_by (GVariant *spec, gint64 marker)
{
  g_autoptr(GVariant) ops = g_variant_get_child_value (spec, 6);
  GVariantIter it;
  const char *kind;
  gint64 a, b;
  gint n;
  const char *unit;

  g_variant_iter_init (&it, ops);
  while (g_variant_iter_next (&it, "(&sxxi&s)", &kind, &a, &b, &n, &unit))
    if (g_str_equal (kind, "extend") && a == marker)
      return TRUE;
  return FALSE;
}

static GVariant *
parse_spec (const char *text)
{
  GVariant *v = g_variant_parse (G_VARIANT_TYPE (SPEC_TYPE), text, NULL, NULL, NULL);
  return v;
}

static char *
print_spec (GVariant *spec)
{
  return g_variant_print (spec, FALSE);
}

/* The time limit of @state, after the deployment's [deadlines] override. */
static void
effective_amount (CLDaemon *d, const CLWorkflow *wf, const CLState *state, gint *n, CLDeadlineUnit *unit,
                  gboolean *overridden)
{
  g_autofree char *key = g_strdup_printf ("%s.%s", wf->name, state->name);
  const char *v = g_hash_table_lookup (d->config.deadline_overrides, key);

  *n = state->deadline->n;
  *unit = state->deadline->unit;
  *overridden = v != NULL && cl_deadline_unit_parse (v, n, unit);
}

/* Local midnight of a YYYY-MM-DD field value. */
static gboolean
date_field_instant (CLDaemon *d, GVariant *fields, const char *name, gint64 *out)
{
  const char *s = NULL;
  int y, m, day;
  g_autoptr(GDateTime) dt = NULL;

  if (!g_variant_lookup (fields, name, "&s", &s) || sscanf (s, "%d-%d-%d", &y, &m, &day) != 3)
    return FALSE;
  dt = g_date_time_new (d->config.tz, y, m, day, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

static gboolean
start (CLDaemon *d, CLCaseRecord *rec, const CLWorkflow *wf, const CLState *state, const CLIdentity *who,
       const char *role, gint64 now, GError **error)
{
  const CLDeadlineSpec *spec = state->deadline;
  const char *cal_name = spec->calendar ? spec->calendar : d->config.calendar;
  CLCalendar *cal = cl_deadline_calendar (d, cal_name);
  g_autoptr(CLDeadlineRow) row = g_new0 (CLDeadlineRow, 1);
  g_autoptr(GVariant) sv = NULL;
  g_autofree char *rule = NULL, *note = NULL, *warn_text = NULL;
  gint64 from = now, warn_at = 0;
  const char *from_note = "";
  gboolean overridden;
  gint n;
  CLDeadlineUnit unit;

  effective_amount (d, wf, state, &n, &unit, &overridden);
  if (spec->from != NULL && !date_field_instant (d, rec->fields, spec->from, &from))
    from_note = " (its date field is not set: counted from entering the state)";
  {
    GVariant *parts[] = {
      g_variant_new_int64 (from),
      g_variant_new_int32 (n),
      g_variant_new_string (cl_deadline_unit_to_string (unit)),
      g_variant_new_boolean (spec->roll),
      g_variant_new_int32 (spec->has_warn ? spec->warn_n : 0),
      g_variant_new_string (spec->has_warn ? cl_deadline_unit_to_string (spec->warn_unit) : ""),
      g_variant_new_array (G_VARIANT_TYPE ("(sxxis)"), NULL, 0),
    };
    /* SPEC_TYPE, built without parsing a format string */
    sv = g_variant_ref_sink (g_variant_new_tuple (parts, G_N_ELEMENTS (parts)));
  }
  row->case_seq = rec->seq;
  row->state = g_strdup (state->name);
  row->calendar = g_strdup (cal_name);
  row->due = evaluate (d, cal, cal_name, sv, &warn_at);
  row->warn_at = warn_at;
  /* print_spec()'s text for a spec without operations, written directly
   * (unit names are plain words) */
  row->spec = g_strdup_printf ("(%" G_GINT64_FORMAT ", %d, '%s', %s, %d, '%s', [])", from, n,
                               cl_deadline_unit_to_string (unit), spec->roll ? "true" : "false",
                               spec->has_warn ? spec->warn_n : 0,
                               spec->has_warn ? cl_deadline_unit_to_string (spec->warn_unit) : "");
  if (!cl_store_put_deadline (d->store, row, error))
    return FALSE;

  rule = cl_deadline_describe (cal, d->config.tz, from, n, unit, spec->roll, row->due);
  if (warn_at > 0)
    {
      g_autofree char *w = cl_deadline_format (d, warn_at);
      warn_text = g_strdup_printf ("; warning at %s", w);
    }
  note = g_strdup_printf ("deadline of state %s: %s%s%s%s%s%s", state->name, rule, from_note,
                          overridden ? " (time limit set by the deployment's [deadlines])" : "",
                          warn_text ? warn_text : "", spec->on_expire ? "; on expiry: " : "",
                          spec->on_expire ? spec->on_expire : "");
  rec->deadline = row->due;
  rec->overdue = FALSE;
  return cl_case_note (d->store, rec, who, role, "deadline", note, now, error);
}

gboolean
cl_deadline_on_create (CLDaemon *d, CLCaseRecord *rec, const CLWorkflow *wf, const CLIdentity *who,
                       const char *role, gint64 now, GError **error)
{
  const CLState *state = cl_workflow_state (wf, rec->state);

  if (state == NULL || state->deadline == NULL)
    return TRUE;
  return start (d, rec, wf, state, who, role, now, error);
}

static gboolean
reschedule (CLDaemon *d, CLCaseRecord *rec, CLDeadlineRow *row, GVariant *spec, GError **error)
{
  gint64 warn_at = 0;

  g_free (row->spec);
  row->spec = print_spec (spec);
  row->due = evaluate (d, cl_deadline_calendar (d, row->calendar), row->calendar, spec, &warn_at);
  row->warn_at = warn_at;
  if (!cl_store_put_deadline (d->store, row, error))
    return FALSE;
  rec->deadline = row->due;
  return TRUE;
}

gboolean
cl_deadline_on_transition (CLDaemon *d, CLCaseRecord *rec, const CLWorkflow *wf, const char *from_state,
                           const CLTransition *t, const CLIdentity *who, const char *role, gint64 now,
                           GError **error)
{
  const CLState *to = cl_workflow_state (wf, rec->state);
  g_autoptr(CLDeadlineRow) row = NULL;
  g_autoptr(GError) local = NULL;

  row = cl_store_get_deadline (d->store, rec->seq, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  if (g_str_equal (from_state, rec->state))
    ; /* staying: the running deadline goes on */
  else if (to != NULL && to->pauses_clock)
    {
      if (row != NULL && row->paused_at == 0)
        {
          g_autofree char *due = cl_deadline_format (d, row->due);
          g_autofree char *note = g_strdup_printf ("deadline of state %s (due %s) paused: time in %s is not counted",
                                                   row->state, due, rec->state);
          row->paused_at = now;
          if (!cl_store_put_deadline (d->store, row, error)
              || !cl_case_note (d->store, rec, who, role, "deadline", note, now, error))
            return FALSE;
        }
    }
  else if (row != NULL && row->paused_at != 0 && g_str_equal (row->state, rec->state))
    {
      g_autoptr(GVariant) spec = parse_spec (row->spec);
      g_autoptr(GVariant) resumed = NULL;
      g_autofree char *before = cl_deadline_format (d, row->due);
      g_autofree char *after = NULL, *note = NULL;
      gint64 paused_at = row->paused_at;

      if (spec == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "unreadable deadline of case %s", rec->id);
          return FALSE;
        }
      resumed = spec_with_op (spec, "pause", paused_at, now, 0, "");
      row->paused_at = 0;
      if (!reschedule (d, rec, row, resumed, error))
        return FALSE;
      /* Missed before the pause and moved into the future by it: it may
       * warn and expire again; still in the past, it stays missed. */
      row->fired = row->fired && row->due <= now;
      row->warned = row->warn_at > 0 && row->warn_at <= now;
      rec->overdue = row->fired;
      if (!cl_store_put_deadline (d->store, row, error))
        return FALSE;
      after = cl_deadline_format (d, row->due);
      note = g_strdup_printf ("deadline of state %s resumed: was due %s, paused time not counted, now due %s",
                              row->state, before, after);
      if (!cl_case_note (d->store, rec, who, role, "deadline", note, now, error))
        return FALSE;
    }
  else
    {
      /* a new deadline replaces the row in place (start) */
      if (row != NULL && (to == NULL || to->deadline == NULL) && !cl_store_delete_deadline (d->store, rec->seq, error))
        return FALSE;
      g_clear_pointer (&row, cl_deadline_row_free);
      rec->deadline = 0;
      rec->overdue = FALSE;
      if (to != NULL && to->deadline != NULL && !start (d, rec, wf, to, who, role, now, error))
        return FALSE;
    }

  if (t != NULL && t->has_extend)
    {
      g_autoptr(CLDeadlineRow) current = cl_store_get_deadline (d->store, rec->seq, NULL);
      g_autoptr(GVariant) spec = current ? parse_spec (current->spec) : NULL;
      g_autoptr(GVariant) extended = NULL;
      g_autofree char *before = NULL, *after = NULL, *note = NULL;

      gint64 marker = 0;

      if (current == NULL || spec == NULL)
        return cl_case_note (d->store, rec, who, role, "deadline",
                             "no running deadline to extend", now, error);
      for (guint i = 0; i < wf->transitions->len; i++)
        if (g_ptr_array_index (wf->transitions, i) == t)
          marker = (gint64) i + 1;
      if (t->extend_once && marker != 0 && extended_by (spec, marker))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_REJECTED,
                       "transition '%s' extends the deadline of state %s once, and it already has", t->name,
                       current->state);
          return FALSE;
        }
      before = cl_deadline_format (d, current->due);
      extended = spec_with_op (spec, "extend", marker, 0, t->extend_n, cl_deadline_unit_to_string (t->extend_unit));
      if (!reschedule (d, rec, current, extended, error))
        return FALSE;
      /* Moved back into the future, it may warn and expire again; still in
       * the past, it stays missed (and is not announced twice). */
      if (current->paused_at == 0)
        {
          gboolean was_fired = current->fired;
          current->fired = was_fired && current->due <= now;
          current->warned = current->warn_at > 0 && current->warn_at <= now;
          rec->overdue = current->fired;
          if (!cl_store_put_deadline (d->store, current, error))
            return FALSE;
        }
      after = cl_deadline_format (d, current->due);
      note = g_strdup_printf ("deadline of state %s extended by %d %s (transition %s): was due %s, now due %s",
                              current->state, t->extend_n, cl_deadline_unit_to_string (t->extend_unit), t->name,
                              before, after);
      if (!cl_case_note (d->store, rec, who, role, "deadline", note, now, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cl_deadline_recompute_calendar (CLDaemon *d, const char *calendar, guint *changed, GError **error)
{
  g_autoptr(GPtrArray) rows = cl_store_deadlines_by_calendar (d->store, calendar, error);
  gint64 now = cl_daemon_now (d);
  CLCalendar *cal;

  *changed = 0;
  if (rows == NULL)
    return FALSE;
  cal = cl_deadline_calendar (d, calendar);
  for (guint i = 0; i < rows->len; i++)
    {
      CLDeadlineRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GVariant) spec = parse_spec (row->spec);
      g_autoptr(CLCaseRecord) rec = NULL;
      g_autofree char *before = NULL, *after = NULL, *note = NULL;
      gint64 warn_at = 0, due;

      if (spec == NULL)
        continue;
      due = evaluate (d, cal, calendar, spec, &warn_at);
      if (due == row->due && warn_at == row->warn_at)
        continue;
      rec = cl_store_get_case_by_seq (d->store, row->case_seq, error);
      if (rec == NULL)
        return FALSE;
      before = cl_deadline_format (d, row->due);
      after = cl_deadline_format (d, due);
      row->due = due;
      row->warn_at = warn_at;
      if (!cl_store_put_deadline (d->store, row, error))
        return FALSE;
      rec->deadline = due;
      note = g_strdup_printf ("calendar %s changed: deadline of state %s recomputed from %s to %s", calendar,
                              row->state, before, after);
      if (!cl_case_note (d->store, rec, cl_system_identity (), "system", "deadline", note, now, error)
          || !cl_store_update_case (d->store, rec, error))
        return FALSE;
      (*changed)++;
    }
  return TRUE;
}
