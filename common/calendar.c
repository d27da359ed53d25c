/* calendar.c — working-day calendars (YAML) and deadline arithmetic. */
#include "calendar.h"
#include "cl-yaml.h"
#include "workflow.h"   /* cl_name_is_valid */

#include <glib/gstdio.h>

#include <stdlib.h>
#include <string.h>

/* What a calendar says about one date (values in CLCalendar.days). */
enum { DAY_OFF = 1, DAY_WORK = 2 };

struct _CLCalendar {
  gatomicrefcount ref;
  char *name;
  gboolean all_years;   /* weekends-only: nothing is ever missing */
  GHashTable *years;    /* GINT_TO_POINTER (year) set */
  GHashTable *days;     /* GUINT_TO_POINTER (julian) -> DAY_OFF / DAY_WORK */
  char *digest;
};

/* The last date GDateTime can represent. */
#define MAX_YEAR 9999

/* ---- the calendar object ---------------------------------------------- */

static CLCalendar *
calendar_new (const char *name)
{
  CLCalendar *cal = g_new0 (CLCalendar, 1);

  g_atomic_ref_count_init (&cal->ref);
  cal->name = g_strdup (name);
  cal->years = g_hash_table_new (g_direct_hash, g_direct_equal);
  cal->days = g_hash_table_new (g_direct_hash, g_direct_equal);
  return cal;
}

CLCalendar *
cl_calendar_ref (CLCalendar *cal)
{
  g_return_val_if_fail (cal != NULL, NULL);
  g_atomic_ref_count_inc (&cal->ref);
  return cal;
}

void
cl_calendar_unref (CLCalendar *cal)
{
  if (cal == NULL || !g_atomic_ref_count_dec (&cal->ref))
    return;
  g_free (cal->name);
  g_hash_table_unref (cal->years);
  g_hash_table_unref (cal->days);
  g_free (cal->digest);
  g_free (cal);
}

const char *
cl_calendar_name (const CLCalendar *cal)
{
  g_return_val_if_fail (cal != NULL, NULL);
  return cal->name;
}

const char *
cl_calendar_digest (const CLCalendar *cal)
{
  g_return_val_if_fail (cal != NULL, NULL);
  return cal->digest;
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

static gint
compare_int (gconstpointer a, gconstpointer b)
{
  gint x = *(const gint *) a, y = *(const gint *) b;
  return x < y ? -1 : x > y;
}

/* SHA-256 of a canonical text: name, covered years, then every listed date
 * in order with its kind. Independent of file layout, comments, titles and
 * holiday names. */
static void
compute_digest (CLCalendar *cal)
{
  g_autoptr(GString) s = g_string_new ("caselink-calendar 1\n");
  g_autoptr(GArray) years = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GArray) days = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter it;
  gpointer key, value;

  g_string_append_printf (s, "name %s\n", cal->name);
  if (cal->all_years)
    g_string_append (s, "weekends-only\n");
  g_hash_table_iter_init (&it, cal->years);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      gint y = GPOINTER_TO_INT (key);
      g_array_append_val (years, y);
    }
  g_array_sort (years, compare_int);
  for (guint i = 0; i < years->len; i++)
    g_string_append_printf (s, "year %d\n", g_array_index (years, gint, i));

  g_hash_table_iter_init (&it, cal->days);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      guint j = GPOINTER_TO_UINT (key);
      g_array_append_val (days, j);
    }
  g_array_sort (days, compare_uint);
  for (guint i = 0; i < days->len; i++)
    {
      guint j = g_array_index (days, guint, i);
      GDate d;

      g_date_clear (&d, 1);
      g_date_set_julian (&d, j);
      value = g_hash_table_lookup (cal->days, GUINT_TO_POINTER (j));
      g_string_append_printf (s, "%04d-%02d-%02d %s\n", g_date_get_year (&d), g_date_get_month (&d),
                              g_date_get_day (&d), GPOINTER_TO_INT (value) == DAY_OFF ? "off" : "work");
    }
  g_free (cal->digest);
  cal->digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, s->str, s->len);
}

CLCalendar *
cl_calendar_new_weekends_only (const char *name)
{
  CLCalendar *cal;

  g_return_val_if_fail (name != NULL, NULL);
  cal = calendar_new (name);
  cal->all_years = TRUE;
  compute_digest (cal);
  return cal;
}

gboolean
cl_calendar_covers_year (const CLCalendar *cal, int year)
{
  g_return_val_if_fail (cal != NULL, FALSE);
  return cal->all_years || g_hash_table_contains (cal->years, GINT_TO_POINTER (year));
}

static gboolean
is_weekend (const GDate *d)
{
  GDateWeekday w = g_date_get_weekday (d);
  return w == G_DATE_SATURDAY || w == G_DATE_SUNDAY;
}

/* The working-day test used by every computation; a NULL calendar is
 * weekends only. Sets *out_of_range when the year is not covered. */
static gboolean
working (const CLCalendar *cal, const GDate *d, gboolean *out_of_range)
{
  gpointer kind;

  if (cal == NULL || cal->all_years)
    return !is_weekend (d);
  if (!g_hash_table_contains (cal->years, GINT_TO_POINTER ((gint) g_date_get_year (d))))
    {
      if (out_of_range != NULL)
        *out_of_range = TRUE;
      return !is_weekend (d);
    }
  kind = g_hash_table_lookup (cal->days, GUINT_TO_POINTER (g_date_get_julian (d)));
  if (GPOINTER_TO_INT (kind) == DAY_OFF)
    return FALSE;
  if (GPOINTER_TO_INT (kind) == DAY_WORK)
    return TRUE;
  return !is_weekend (d);
}

gboolean
cl_calendar_is_working_day (const CLCalendar *cal, const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), FALSE);
  return working (cal, date, NULL);
}

/* ---- loading ---------------------------------------------------------- */

typedef struct {
  CLYaml *y;
  CLCalendar *cal;
  yaml_node_t *name_node;
  yaml_node_t *years_node;
  GHashTable *year_keys;   /* year -> yaml_node_t* of its key */
} LoadCtx;

typedef struct {
  char *name;
  yaml_node_t *node;        /* the entry */
  yaml_node_t *from_node, *to_node;
  GDate from, to;
  gboolean from_ok, to_ok, name_seen;
} Holiday;

static void
holiday_free (gpointer p)
{
  Holiday *h = p;
  g_free (h->name);
  g_free (h);
}

typedef struct {
  LoadCtx *ctx;
  int year;
  yaml_node_t *key_node;
  yaml_node_t *holidays_node;
  yaml_node_t *workdays_node;
} YearCtx;

static gboolean
unknown_key (CLYaml *y, yaml_node_t *k, const char *key, const char *where, const char *allowed)
{
  cl_yaml_error (y, k, "unknown key '%s' in %s (allowed: %s)", key, where, allowed);
  return TRUE;
}

/* Strictly YYYY-MM-DD, a real date. */
static gboolean
parse_date (CLYaml *y, yaml_node_t *node, GDate *out)
{
  const char *s = cl_yaml_scalar (node);
  int year, month, day;

  if (s == NULL)
    {
      cl_yaml_error (y, node, "expected a date such as 2025-01-01");
      return FALSE;
    }
  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    goto bad;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      goto bad;
  year = atoi (s);
  month = atoi (s + 5);
  day = atoi (s + 8);
  if (year < 1 || year > MAX_YEAR || !g_date_valid_dmy (day, month, year))
    {
      cl_yaml_error (y, node, "'%s' is not a valid date", s);
      return FALSE;
    }
  g_date_clear (out, 1);
  g_date_set_dmy (out, day, month, year);
  return TRUE;

bad:
  cl_yaml_error (y, node, "'%s' is not a date in the form YYYY-MM-DD", s);
  return FALSE;
}

static char *
format_date (const GDate *d)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
}

static gboolean
in_year (CLYaml *y, yaml_node_t *node, const GDate *d, int year)
{
  if (g_date_get_year (d) != year)
    {
      g_autofree char *s = format_date (d);
      cl_yaml_error (y, node, "%s is outside its year %d (a holiday spanning New Year is written as one entry in each year)",
                     s, year);
      return FALSE;
    }
  return TRUE;
}

/* title: "text" or {zh: ..., en: ...}; checked, not kept. */
static void
check_title (CLYaml *y, yaml_node_t *node)
{
  g_autoptr(GHashTable) langs = g_hash_table_new (g_str_hash, g_str_equal);

  if (cl_yaml_scalar (node) != NULL)
    return;
  if (!cl_yaml_is_map (node))
    {
      cl_yaml_error (y, node, "a title is a text or a map of language to text, e.g. {zh: …, en: …}");
      return;
    }
  for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
    {
      yaml_node_t *k = cl_yaml_node (y, p->key);
      yaml_node_t *v = cl_yaml_node (y, p->value);
      const char *lang = cl_yaml_scalar (k);

      if (lang == NULL || strlen (lang) < 2 || strlen (lang) > 8)
        cl_yaml_error (y, k, "expected a language code such as zh or en");
      else if (cl_yaml_scalar (v) == NULL)
        cl_yaml_error (y, v, "expected the title text");
      else if (!g_hash_table_add (langs, (gpointer) lang))
        cl_yaml_error (y, k, "duplicate language '%s'", lang);
    }
}

static gboolean
holiday_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  Holiday *h = data;

  if (g_str_equal (key, "name"))
    {
      const char *s = cl_yaml_get_string (y, v);
      h->name_seen = TRUE;
      if (s != NULL && *s == '\0')
        cl_yaml_error (y, v, "a holiday's name must not be empty");
      else if (s != NULL)
        h->name = g_strdup (s);
    }
  else if (g_str_equal (key, "from"))
    {
      h->from_node = v;
      h->from_ok = parse_date (y, v, &h->from);
    }
  else if (g_str_equal (key, "to"))
    {
      h->to_node = v;
      h->to_ok = parse_date (y, v, &h->to);
    }
  else
    unknown_key (y, k, key, "a holiday", "name, from, to");
  return TRUE;
}

/* Parse one year's holidays into @off (julian -> Holiday*, borrowed from
 * @list). */
static void
parse_holidays (YearCtx *yc, GPtrArray *list, GHashTable *off)
{
  CLYaml *y = yc->ctx->y;
  yaml_node_t *seq = yc->holidays_node;

  if (!cl_yaml_is_seq (seq))
    {
      cl_yaml_error (y, seq, "holidays must be a list such as [{name: 元旦, from: %d-01-01, to: %d-01-01}]",
                     yc->year, yc->year);
      return;
    }
  for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++)
    {
      yaml_node_t *node = cl_yaml_node (y, *it);
      Holiday *h;
      gboolean ok;

      if (!cl_yaml_is_map (node))
        {
          cl_yaml_error (y, node, "a holiday is a map such as {name: 元旦, from: %d-01-01, to: %d-01-01}",
                         yc->year, yc->year);
          continue;
        }
      h = g_new0 (Holiday, 1);
      h->node = node;
      g_ptr_array_add (list, h);
      cl_yaml_map_foreach (y, node, holiday_key, h);

      if (!h->name_seen)
        cl_yaml_error (y, node, "this holiday has no 'name'");
      if (h->from_node == NULL)
        cl_yaml_error (y, node, "this holiday has no 'from' (its first day off)");
      if (h->to_node == NULL)
        cl_yaml_error (y, node, "this holiday has no 'to' (its last day off; the same as 'from' for one day)");
      ok = h->from_ok && h->to_ok;
      if (h->from_ok && !in_year (y, h->from_node, &h->from, yc->year))
        ok = FALSE;
      if (h->to_ok && !in_year (y, h->to_node, &h->to, yc->year))
        ok = FALSE;
      if (!ok)
        continue;
      if (g_date_compare (&h->from, &h->to) > 0)
        {
          g_autofree char *f = format_date (&h->from);
          g_autofree char *t = format_date (&h->to);
          cl_yaml_error (y, h->to_node, "the holiday ends (%s) before it starts (%s)", t, f);
          continue;
        }
      for (guint j = g_date_get_julian (&h->from); j <= g_date_get_julian (&h->to); j++)
        {
          Holiday *other = g_hash_table_lookup (off, GUINT_TO_POINTER (j));
          if (other != NULL)
            {
              GDate d;
              g_autofree char *s = NULL;

              g_date_clear (&d, 1);
              g_date_set_julian (&d, j);
              s = format_date (&d);
              cl_yaml_error (y, h->from_node, "%s is already a day off of holiday '%s' (line %zu)", s,
                             other->name ? other->name : "?", other->node->start_mark.line + 1);
              break;
            }
          g_hash_table_insert (off, GUINT_TO_POINTER (j), h);
        }
    }
}

static void
parse_workdays (YearCtx *yc, GHashTable *off, GHashTable *work)
{
  CLYaml *y = yc->ctx->y;
  yaml_node_t *seq = yc->workdays_node;

  if (!cl_yaml_is_seq (seq))
    {
      cl_yaml_error (y, seq, "workdays must be a list of dates such as [%d-01-04]", yc->year);
      return;
    }
  for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++)
    {
      yaml_node_t *node = cl_yaml_node (y, *it);
      GDate d;
      Holiday *h;
      guint j;

      if (!parse_date (y, node, &d) || !in_year (y, node, &d, yc->year))
        continue;
      j = g_date_get_julian (&d);
      if (!is_weekend (&d))
        {
          static const char *const names[] = { "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" };
          cl_yaml_error (y, node, "%s is a %s: a make-up working day must be a Saturday or a Sunday",
                         cl_yaml_scalar (node), names[g_date_get_weekday (&d)]);
          continue;
        }
      h = g_hash_table_lookup (off, GUINT_TO_POINTER (j));
      if (h != NULL)
        {
          cl_yaml_error (y, node, "%s is both a make-up working day and a day off of holiday '%s' (line %zu)",
                         cl_yaml_scalar (node), h->name ? h->name : "?", h->node->start_mark.line + 1);
          continue;
        }
      if (!g_hash_table_add (work, GUINT_TO_POINTER (j)))
        cl_yaml_error (y, node, "%s is listed twice", cl_yaml_scalar (node));
    }
}

static gboolean
year_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  YearCtx *yc = data;

  if (g_str_equal (key, "holidays"))
    yc->holidays_node = v;
  else if (g_str_equal (key, "workdays"))
    yc->workdays_node = v;
  else
    unknown_key (y, k, key, "a year", "holidays, workdays");
  return TRUE;
}

static gboolean
parse_year (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  LoadCtx *ctx = data;
  YearCtx yc = { ctx, 0, k, NULL, NULL };
  gint64 year;
  yaml_node_t *first;
  g_autoptr(GPtrArray) holidays = g_ptr_array_new_with_free_func (holiday_free);
  g_autoptr(GHashTable) off = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) work = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter it;
  gpointer j;

  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      goto bad_year;
  if (!g_ascii_string_to_signed (key, 10, 1, MAX_YEAR, &year, NULL))
    goto bad_year;
  yc.year = (int) year;

  first = g_hash_table_lookup (ctx->year_keys, GINT_TO_POINTER (yc.year));
  if (first != NULL)
    {
      cl_yaml_error (y, k, "duplicate year %d (also at line %zu)", yc.year, first->start_mark.line + 1);
      return TRUE;
    }
  g_hash_table_insert (ctx->year_keys, GINT_TO_POINTER (yc.year), k);

  if (!cl_yaml_is_map (v))
    {
      cl_yaml_error (y, v, "year %d must be a map such as {holidays: [...], workdays: [...]}", yc.year);
      return TRUE;
    }
  cl_yaml_map_foreach (y, v, year_key, &yc);
  if (yc.holidays_node != NULL)
    parse_holidays (&yc, holidays, off);
  if (yc.workdays_node != NULL)
    parse_workdays (&yc, off, work);

  g_hash_table_add (ctx->cal->years, GINT_TO_POINTER (yc.year));
  g_hash_table_iter_init (&it, off);
  while (g_hash_table_iter_next (&it, &j, NULL))
    g_hash_table_insert (ctx->cal->days, j, GINT_TO_POINTER (DAY_OFF));
  g_hash_table_iter_init (&it, work);
  while (g_hash_table_iter_next (&it, &j, NULL))
    g_hash_table_insert (ctx->cal->days, j, GINT_TO_POINTER (DAY_WORK));
  return TRUE;

bad_year:
  cl_yaml_error (y, k, "'%s' is not a year (expected e.g. 2025, from 1 to %d)", key, MAX_YEAR);
  return TRUE;
}

static gboolean
top_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  LoadCtx *ctx = data;

  if (g_str_equal (key, "calendar"))
    {
      const char *name = cl_yaml_get_string (y, v);
      ctx->name_node = v;
      if (name != NULL && !cl_name_is_valid (name))
        cl_yaml_error (y, v, "invalid calendar name '%s': use lowercase letters, digits and _, starting with a letter (at most 64)", name);
      else if (name != NULL)
        {
          g_free (ctx->cal->name);
          ctx->cal->name = g_strdup (name);
        }
    }
  else if (g_str_equal (key, "title"))
    check_title (y, v);
  else if (g_str_equal (key, "source"))
    cl_yaml_get_string (y, v);
  else if (g_str_equal (key, "years"))
    ctx->years_node = v;
  else
    unknown_key (y, k, key, "a calendar", "calendar, title, source, years");
  return TRUE;
}

CLCalendar *
cl_calendar_load_data (const char *file, const char *data, gsize len, GPtrArray *errors)
{
  CLYaml y = { 0 };
  g_autoptr(CLCalendar) cal = NULL;
  g_autoptr(GHashTable) year_keys = g_hash_table_new (g_direct_hash, g_direct_equal);
  LoadCtx ctx = { &y, NULL, NULL, NULL, year_keys };
  yaml_node_t *root;
  gboolean ok;

  g_return_val_if_fail (file != NULL && data != NULL && errors != NULL, NULL);

  y.errors = g_ptr_array_new_with_free_func (g_free);
  if (!g_utf8_validate (data, len, NULL))
    {
      g_ptr_array_add (y.errors, g_strdup_printf ("%s:1:1: the file is not valid UTF-8", file));
      goto done;
    }
  if (!cl_yaml_parse (&y, file, data, len))
    goto done;

  root = cl_yaml_root (&y);
  if (!cl_yaml_is_map (root))
    {
      cl_yaml_error (&y, root, "a calendar file must be a map with keys calendar, years (and title, source)");
      goto done;
    }
  cal = calendar_new (NULL);
  ctx.cal = cal;
  cl_yaml_map_foreach (&y, root, top_key, &ctx);
  if (ctx.name_node == NULL)
    cl_yaml_error (&y, root, "missing key 'calendar' (the calendar's name)");
  if (ctx.years_node == NULL)
    cl_yaml_error (&y, root, "missing key 'years' (the holidays and make-up working days of each year)");
  else if (!cl_yaml_is_map (ctx.years_node))
    cl_yaml_error (&y, ctx.years_node, "years must be a map of year to {holidays: [...], workdays: [...]}");
  else
    {
      cl_yaml_map_foreach (&y, ctx.years_node, parse_year, &ctx);
      if (ctx.years_node->data.mapping.pairs.start == ctx.years_node->data.mapping.pairs.top)
        cl_yaml_error (&y, ctx.years_node, "years is empty: list at least one year");
    }

done:
  ok = y.errors->len == 0;
  for (guint i = 0; i < y.errors->len; i++)
    g_ptr_array_add (errors, g_strdup (g_ptr_array_index (y.errors, i)));
  cl_yaml_clear (&y);
  if (!ok)
    return NULL;
  compute_digest (cal);
  return g_steal_pointer (&cal);
}

/* Calendar files are small; anything larger than this is a mistake. */
#define MAX_CALENDAR_FILE (1024 * 1024)

CLCalendar *
cl_calendar_load_file (const char *path, GPtrArray *errors)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL && errors != NULL, NULL);

  if (!cl_yaml_read_file (path, MAX_CALENDAR_FILE, &data, &len, errors))
    return NULL;
  return cl_calendar_load_data (path, data, len, errors);
}

/* ---- units ------------------------------------------------------------ */

static const struct {
  const char *plural, *singular;
} unit_names[] = {
  [CL_UNIT_HOURS] = { "hours", "hour" },
  [CL_UNIT_CALENDAR_DAYS] = { "calendar_days", "calendar_day" },
  [CL_UNIT_WORKING_DAYS] = { "working_days", "working_day" },
  [CL_UNIT_MONTHS] = { "months", "month" },
};

#define MAX_UNITS 100000

gboolean
cl_deadline_unit_parse (const char *text, gint *n, CLDeadlineUnit *unit)
{
  const char *p = text, *digits;
  gsize ndigits;
  guint64 value;
  g_autofree char *num = NULL;

  if (text == NULL)
    return FALSE;
  digits = p;
  while (g_ascii_isdigit (*p))
    p++;
  ndigits = (gsize) (p - digits);
  if (ndigits == 0 || ndigits > 6 || *p != ' ')
    return FALSE;
  while (*p == ' ')
    p++;
  num = g_strndup (digits, ndigits);
  if (!g_ascii_string_to_unsigned (num, 10, 1, MAX_UNITS, &value, NULL))
    return FALSE;
  for (guint u = 0; u < G_N_ELEMENTS (unit_names); u++)
    if (g_str_equal (p, unit_names[u].plural) || (value == 1 && g_str_equal (p, unit_names[u].singular)))
      {
        if (n != NULL)
          *n = (gint) value;
        if (unit != NULL)
          *unit = (CLDeadlineUnit) u;
        return TRUE;
      }
  return FALSE;
}

const char *
cl_deadline_unit_to_string (CLDeadlineUnit unit)
{
  if ((guint) unit >= G_N_ELEMENTS (unit_names))
    return "unknown";
  return unit_names[unit].plural;
}

/* ---- time and date helpers -------------------------------------------- */

/* The local date of instant @us in @tz. */
static gboolean
date_of (GTimeZone *tz, gint64 us, GDate *out)
{
  gint64 secs = us / G_USEC_PER_SEC;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (us % G_USEC_PER_SEC < 0)
    secs--;
  utc = g_date_time_new_from_unix_utc (secs);
  if (utc == NULL)
    return FALSE;
  local = g_date_time_to_timezone (utc, tz);
  if (local == NULL)
    return FALSE;
  g_date_clear (out, 1);
  g_date_set_dmy (out, g_date_time_get_day_of_month (local), g_date_time_get_month (local),
                  g_date_time_get_year (local));
  return TRUE;
}

static gint64
usec_of (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static guint
max_julian (void)
{
  GDate d;
  g_date_clear (&d, 1);
  g_date_set_dmy (&d, 31, G_DATE_DECEMBER, MAX_YEAR);
  return g_date_get_julian (&d);
}

/* The last microsecond of @d in @tz: the start of the next day minus 1 µs
 * (right even when 23:59:59 is skipped or repeated by a clock change). */
static gint64
end_of_day (GTimeZone *tz, const GDate *d)
{
  GDate next = *d;
  g_autoptr(GDateTime) dt = NULL;

  if (g_date_get_julian (d) >= max_julian ())
    {
      dt = g_date_time_new (tz, MAX_YEAR, 12, 31, 23, 59, 59);
      return usec_of (dt) + G_USEC_PER_SEC - 1;
    }
  g_date_add_days (&next, 1);
  dt = g_date_time_new (tz, g_date_get_year (&next), g_date_get_month (&next), g_date_get_day (&next), 0, 0, 0);
  return usec_of (dt) - 1;
}

/* Move @d forward by @days, stopping at 9999-12-31. */
static void
add_days (GDate *d, gint64 days)
{
  guint limit = max_julian ();

  if (days <= 0)
    return;
  if ((gint64) g_date_get_julian (d) + days >= (gint64) limit)
    g_date_set_julian (d, limit);
  else
    g_date_add_days (d, (guint) days);
}

static void
add_months (GDate *d, gint months)
{
  gint64 m = (gint64) g_date_get_year (d) * 12 + (g_date_get_month (d) - 1) + months;

  if (m / 12 > MAX_YEAR)
    g_date_set_julian (d, max_julian ());
  else
    g_date_add_months (d, (guint) months);   /* clamps to the month's end */
}

static void
roll_forward (const CLCalendar *cal, GDate *d, gboolean *out_of_range)
{
  guint limit = max_julian ();

  while (g_date_get_julian (d) < limit && !working (cal, d, out_of_range))
    g_date_add_days (d, 1);
}

/* The @n-th working day after @d. */
static void
add_working_days (const CLCalendar *cal, GDate *d, gint64 n, gboolean *out_of_range)
{
  guint limit = max_julian ();

  while (n > 0 && g_date_get_julian (d) < limit)
    {
      g_date_add_days (d, 1);
      if (working (cal, d, out_of_range))
        n--;
    }
}

static gint64
add_usec (gint64 a, gint64 b)
{
  if (b > 0 && a > G_MAXINT64 - b)
    return G_MAXINT64;
  return a + b;
}

/* The due date for an event on @d (day units). */
static void
advance (const CLCalendar *cal, GDate *d, gint n, CLDeadlineUnit unit, gboolean roll, gboolean *out_of_range)
{
  switch (unit)
    {
    case CL_UNIT_CALENDAR_DAYS:
      add_days (d, n);
      if (roll)
        roll_forward (cal, d, out_of_range);
      break;
    case CL_UNIT_MONTHS:
      add_months (d, n);
      if (roll)
        roll_forward (cal, d, out_of_range);
      break;
    case CL_UNIT_WORKING_DAYS:
      add_working_days (cal, d, n, out_of_range);
      break;
    case CL_UNIT_HOURS:
    default:
      g_assert_not_reached ();
    }
}

/* ---- deadlines -------------------------------------------------------- */

gint64
cl_deadline_compute (const CLCalendar *cal, GTimeZone *tz, gint64 from_us, gint n,
                     CLDeadlineUnit unit, gboolean roll, gboolean *out_of_range)
{
  GDate d;

  g_return_val_if_fail (n >= 0, from_us);
  g_return_val_if_fail ((guint) unit < G_N_ELEMENTS (unit_names), from_us);

  if (unit == CL_UNIT_HOURS)
    return add_usec (from_us, (gint64) n * 3600 * G_USEC_PER_SEC);
  g_return_val_if_fail (tz != NULL, from_us);
  if (!date_of (tz, from_us, &d))
    return from_us;
  advance (cal, &d, n, unit, roll, out_of_range);
  return end_of_day (tz, &d);
}

gint64
cl_deadline_extend (const CLCalendar *cal, GTimeZone *tz, gint64 deadline_us, gint n,
                    CLDeadlineUnit unit, gboolean roll, gboolean *out_of_range)
{
  return cl_deadline_compute (cal, tz, deadline_us, n, unit, roll, out_of_range);
}

gint64
cl_deadline_resume (const CLCalendar *cal, GTimeZone *tz, gint64 deadline_us, CLDeadlineUnit unit,
                    gboolean roll, gint64 paused_us, gint64 resumed_us, gboolean *out_of_range)
{
  GDate p, r, due;
  gint64 days;

  g_return_val_if_fail ((guint) unit < G_N_ELEMENTS (unit_names), deadline_us);

  if (resumed_us <= paused_us)
    return deadline_us;
  if (unit == CL_UNIT_HOURS)
    return add_usec (deadline_us, resumed_us - paused_us);

  g_return_val_if_fail (tz != NULL, deadline_us);
  if (!date_of (tz, paused_us, &p) || !date_of (tz, resumed_us, &r) || !date_of (tz, deadline_us, &due))
    return deadline_us;

  if (unit == CL_UNIT_WORKING_DAYS)
    {
      /* working days d with pause_date <= d < resume_date */
      days = 0;
      for (GDate d = p; g_date_compare (&d, &r) < 0; g_date_add_days (&d, 1))
        if (working (cal, &d, out_of_range))
          days++;
      if (days == 0)
        return deadline_us;
      add_working_days (cal, &due, days, out_of_range);
    }
  else
    {
      days = (gint64) g_date_get_julian (&r) - (gint64) g_date_get_julian (&p);
      if (days <= 0)
        return deadline_us;
      add_days (&due, days);
      if (roll)
        roll_forward (cal, &due, out_of_range);
    }
  return end_of_day (tz, &due);
}

char *
cl_calendar_uncovered_years (const CLCalendar *cal, int first, int last)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (cal == NULL || cal->all_years)
    return NULL;
  for (int y = first; y <= last; y++)
    {
      int end = y;

      if (cl_calendar_covers_year (cal, y))
        continue;
      while (end < last && !cl_calendar_covers_year (cal, end + 1))
        end++;
      if (s->len > 0)
        g_string_append (s, ", ");
      if (end == y)
        g_string_append_printf (s, "%d", y);
      else
        g_string_append_printf (s, "%d–%d", y, end);
      y = end;
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

static char *
format_instant (GTimeZone *tz, gint64 us)
{
  gint64 secs = us / G_USEC_PER_SEC;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (us % G_USEC_PER_SEC < 0)
    secs--;
  utc = g_date_time_new_from_unix_utc (secs);
  if (utc == NULL)
    return g_strdup_printf ("@%" G_GINT64_FORMAT "µs", us);
  local = g_date_time_to_timezone (utc, tz);
  /* Near the ends of GDateTime's range the local time may not exist. */
  if (local == NULL)
    return g_strdup_printf ("@%" G_GINT64_FORMAT "µs", us);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S %:z");
}

char *
cl_deadline_describe (const CLCalendar *cal, GTimeZone *tz, gint64 from_us, gint n,
                      CLDeadlineUnit unit, gboolean roll, gint64 due_us)
{
  const char *word;
  g_autofree char *due = NULL;
  g_autofree char *from = NULL;
  g_autoptr(GString) note = g_string_new (NULL);
  gboolean uses_calendar;
  GDate fd, dd;

  g_return_val_if_fail ((guint) unit < G_N_ELEMENTS (unit_names), NULL);
  g_return_val_if_fail (tz != NULL, NULL);

  word = n == 1 ? unit_names[unit].singular : unit_names[unit].plural;
  due = format_instant (tz, due_us);
  if (unit == CL_UNIT_HOURS)
    {
      from = format_instant (tz, from_us);
      return g_strdup_printf ("%d %s from %s → %s", n, word, from, due);
    }

  if (!date_of (tz, from_us, &fd) || !date_of (tz, due_us, &dd))
    return g_strdup_printf ("%d %s → %s", n, word, due);
  from = format_date (&fd);

  uses_calendar = unit == CL_UNIT_WORKING_DAYS || roll;
  if (uses_calendar)
    {
      g_autofree char *missing = NULL;

      if (cal != NULL)
        g_string_append_printf (note, "calendar %s", cal->name);
      else
        g_string_append (note, "weekends only");
      if (unit != CL_UNIT_WORKING_DAYS)
        g_string_append (note, ", roll: next_working_day");
      missing = cl_calendar_uncovered_years (cal, g_date_get_year (&fd), g_date_get_year (&dd));
      if (missing != NULL)
        g_string_append_printf (note, "; not covered, weekends only: %s", missing);
    }
  else
    g_string_append (note, "roll: none");
  return g_strdup_printf ("%d %s from %s (%s) → %s", n, word, from, note->str, due);
}
