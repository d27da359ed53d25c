/* ctl-output.c — tables, value formatting, JSON, errors. */
#include "ctl-output.h"

#include "ctl-dict.h"
#include "ctl-error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- tables ---------------------------------------------------------- */

struct _CtlTable {
  guint n_columns;
  gboolean has_header;
  GPtrArray *rows;  /* of GStrv, the header first if any */
};

char *
ctl_sanitize (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "-", -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static CtlTable *
table_new (guint n_columns, gboolean has_header)
{
  CtlTable *table = g_new0 (CtlTable, 1);

  table->n_columns = n_columns;
  table->has_header = has_header;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  return table;
}

CtlTable *
ctl_table_new (const char *const *headers)
{
  CtlTable *table = table_new (g_strv_length ((char **) headers), TRUE);

  ctl_table_add_rowv (table, headers);
  return table;
}

CtlTable *
ctl_table_new_plain (guint n_columns)
{
  return table_new (n_columns, FALSE);
}

void
ctl_table_add_rowv (CtlTable *table, const char *const *cells)
{
  char **row = g_new0 (char *, table->n_columns + 1);

  for (guint i = 0; i < table->n_columns; i++)
    row[i] = ctl_sanitize (cells[i]);
  g_ptr_array_add (table->rows, row);
}

void
ctl_table_add_row (CtlTable *table, ...)
{
  g_autofree const char **cells = g_new0 (const char *, table->n_columns + 1);
  va_list args;

  va_start (args, table);
  for (guint i = 0; i < table->n_columns; i++)
    cells[i] = va_arg (args, const char *);
  va_end (args);
  ctl_table_add_rowv (table, cells);
}

guint
ctl_table_get_n_rows (CtlTable *table)
{
  return table->rows->len - (table->has_header ? 1 : 0);
}

void
ctl_table_print (CtlTable *table)
{
  g_autofree gsize *widths = g_new0 (gsize, table->n_columns);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);
      for (guint c = 0; c < table->n_columns; c++)
        widths[c] = MAX (widths[c], display_width (row[c]));
    }

  for (guint r = 0; r < table->rows->len; r++)
    {
      char **row = g_ptr_array_index (table->rows, r);

      g_string_truncate (line, 0);
      for (guint c = 0; c < table->n_columns; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < table->n_columns)
            {
              gsize pad = widths[c] - display_width (row[c]) + 2;
              for (gsize i = 0; i < pad; i++)
                g_string_append_c (line, ' ');
            }
        }
      /* An empty last column would leave padding at the end of the line. */
      while (line->len > 0 && line->str[line->len - 1] == ' ')
        g_string_truncate (line, line->len - 1);
      printf ("%s\n", line->str);
    }
}

void
ctl_table_free (CtlTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref (table->rows);
  g_free (table);
}

/* ---- values for people ----------------------------------------------- */

const char *
ctl_format_bool (gboolean value)
{
  return value ? "yes" : "no";
}

char *
ctl_format_relative (gint64 usec, gint64 now_usec)
{
  gint64 diff = usec - now_usec;
  gint64 span = diff < 0 ? -diff : diff;
  gint64 amount;
  const char *unit;

  if (span < G_TIME_SPAN_MINUTE)
    return g_strdup ("now");
  if (span >= G_TIME_SPAN_DAY)
    {
      amount = span / G_TIME_SPAN_DAY;
      unit = amount == 1 ? "day" : "days";
    }
  else if (span >= G_TIME_SPAN_HOUR)
    {
      amount = span / G_TIME_SPAN_HOUR;
      unit = amount == 1 ? "hour" : "hours";
    }
  else
    {
      amount = span / G_TIME_SPAN_MINUTE;
      unit = amount == 1 ? "minute" : "minutes";
    }
  if (diff > 0)
    return g_strdup_printf ("in %" G_GINT64_FORMAT " %s", amount, unit);
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s ago", amount, unit);
}

char *
ctl_title_for_locale (GVariant *titles, const char *fallback)
{
  const char *const *languages = g_get_language_names ();

  if (titles == NULL || !g_variant_is_of_type (titles, G_VARIANT_TYPE ("a{ss}")))
    return g_strdup (fallback);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      /* "zh_CN.UTF-8@variant" -> "zh": the daemon keys titles by language. */
      g_autofree char *lang = g_strndup (languages[i], strcspn (languages[i], "_.@"));
      const char *title = NULL;

      if (strcmp (lang, "C") == 0 || strcmp (lang, "POSIX") == 0)
        break;
      if (*lang != '\0' && g_variant_lookup (titles, lang, "&s", &title) && *title != '\0')
        return g_strdup (title);
    }
  return g_strdup (fallback);
}

char *
ctl_format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec == 0)
    return g_strdup ("-");
  dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, usec);
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%:z");
}

typedef struct {
  char *key;
  GVariant *value;
} DictEntry;

static int
dict_entry_compare (gconstpointer a, gconstpointer b)
{
  const DictEntry *ea = a;
  const DictEntry *eb = b;

  return strcmp (ea->key, eb->key);
}

static void
dict_entry_clear (gpointer data)
{
  DictEntry *entry = data;

  g_free (entry->key);
  g_variant_unref (entry->value);
}

/* The entries of a dictionary, sorted by key (keys as people read them). */
static GArray *
dict_sorted_entries (GVariant *dict)
{
  GArray *entries = g_array_sized_new (FALSE, FALSE, sizeof (DictEntry),
                                       g_variant_n_children (dict));
  g_array_set_clear_func (entries, dict_entry_clear);

  for (gsize i = 0; i < g_variant_n_children (dict); i++)
    {
      g_autoptr(GVariant) pair = g_variant_get_child_value (dict, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (pair, 0);
      DictEntry entry;

      entry.key = ctl_format_value (key);
      entry.value = g_variant_get_child_value (pair, 1);
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, dict_entry_compare);
  return entries;
}

char *
ctl_format_value (GVariant *value)
{
  GString *out;

  if (value == NULL)
    return g_strdup ("");

  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (value);
        return ctl_format_value (inner);
      }
    case G_VARIANT_CLASS_BOOLEAN:
      return g_strdup (ctl_format_bool (g_variant_get_boolean (value)));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return g_variant_dup_string (value, NULL);
    case G_VARIANT_CLASS_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
    case G_VARIANT_CLASS_BYTE:
    case G_VARIANT_CLASS_INT16:
    case G_VARIANT_CLASS_UINT16:
    case G_VARIANT_CLASS_INT32:
    case G_VARIANT_CLASS_UINT32:
    case G_VARIANT_CLASS_INT64:
    case G_VARIANT_CLASS_HANDLE:
      return g_strdup_printf ("%" G_GINT64_FORMAT, ctl_variant_int (value));
    case G_VARIANT_CLASS_DOUBLE:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        /* %.15g: 1500 rather than 1500.0000000000002 or 1.5e+03. */
        return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.15g",
                                          g_variant_get_double (value)));
      }
    case G_VARIANT_CLASS_MAYBE:
      {
        g_autoptr(GVariant) inner = g_variant_get_maybe (value);
        return ctl_format_value (inner);
      }
    case G_VARIANT_CLASS_ARRAY:
      out = g_string_new (NULL);
      if (g_variant_type_is_dict_entry (g_variant_type_element (g_variant_get_type (value))))
        {
          g_autoptr(GArray) entries = dict_sorted_entries (value);
          for (guint i = 0; i < entries->len; i++)
            {
              DictEntry *entry = &g_array_index (entries, DictEntry, i);
              g_autofree char *text = ctl_format_value (entry->value);
              g_string_append_printf (out, "%s%s=%s", i > 0 ? ", " : "",
                                      entry->key, text);
            }
        }
      else
        {
          for (gsize i = 0; i < g_variant_n_children (value); i++)
            {
              g_autoptr(GVariant) child = g_variant_get_child_value (value, i);
              g_autofree char *text = ctl_format_value (child);
              g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", text);
            }
        }
      return g_string_free (out, FALSE);
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      return g_variant_print (value, FALSE);
    }
}

/* ---- JSON ------------------------------------------------------------ */

static CtlJson *
json_from_dict (GVariant *dict)
{
  g_autoptr(GArray) entries = dict_sorted_entries (dict);
  CtlJson *object = ctl_json_object_new ();

  for (guint i = 0; i < entries->len; i++)
    {
      DictEntry *entry = &g_array_index (entries, DictEntry, i);
      ctl_json_object_set (object, entry->key, ctl_json_from_variant (entry->value));
    }
  return object;
}

static CtlJson *
json_from_children (GVariant *container)
{
  CtlJson *array = ctl_json_array_new ();

  for (gsize i = 0; i < g_variant_n_children (container); i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (container, i);
      ctl_json_array_add (array, ctl_json_from_variant (child));
    }
  return array;
}

CtlJson *
ctl_json_from_variant (GVariant *value)
{
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (value);
        return ctl_json_from_variant (inner);
      }
    case G_VARIANT_CLASS_MAYBE:
      {
        g_autoptr(GVariant) inner = g_variant_get_maybe (value);
        return inner != NULL ? ctl_json_from_variant (inner) : ctl_json_null ();
      }
    case G_VARIANT_CLASS_BOOLEAN:
      return ctl_json_boolean (g_variant_get_boolean (value));
    case G_VARIANT_CLASS_BYTE:
    case G_VARIANT_CLASS_INT16:
    case G_VARIANT_CLASS_UINT16:
    case G_VARIANT_CLASS_INT32:
    case G_VARIANT_CLASS_UINT32:
    case G_VARIANT_CLASS_INT64:
    case G_VARIANT_CLASS_UINT64:
    case G_VARIANT_CLASS_HANDLE:
      return ctl_json_int (ctl_variant_int (value));
    case G_VARIANT_CLASS_DOUBLE:
      /* JSON has no NaN or infinity. */
      if (!isfinite (g_variant_get_double (value)))
        return ctl_json_null ();
      return ctl_json_double (g_variant_get_double (value));
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return ctl_json_string (g_variant_get_string (value, NULL));
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_type_is_dict_entry (g_variant_type_element (g_variant_get_type (value))))
        return json_from_dict (value);
      return json_from_children (value);
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
    default:
      return json_from_children (value);
    }
}

void
ctl_print_json (const CtlJson *node, gboolean one_line)
{
  g_autofree char *text = ctl_json_to_string (node, !one_line);

  printf ("%s\n", text);
}

CtlJson *
ctl_json_links (GVariant *links)
{
  CtlJson *array;

  if (links == NULL || !g_variant_is_of_type (links, G_VARIANT_TYPE ("a(sss)")))
    return NULL;
  array = ctl_json_array_new ();
  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      CtlJson *link = ctl_json_object_new ();
      const char *relation, *id, *path;

      g_variant_get_child (links, i, "(&s&s&s)", &relation, &id, &path);
      ctl_json_object_set_string (link, "relation", relation);
      ctl_json_object_set_string (link, "id", id);
      ctl_json_object_set_string (link, "path", path);
      ctl_json_array_add (array, link);
    }
  return array;
}

void
ctl_print_variant_json (GVariant *value)
{
  g_autoptr(CtlJson) node = ctl_json_from_variant (value);

  ctl_print_json (node, FALSE);
}

void
ctl_print_json_strings (const char *first_key, ...)
{
  g_autoptr(CtlJson) root = ctl_json_object_new ();
  va_list args;

  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    ctl_json_object_set_string (root, key, va_arg (args, const char *));
  va_end (args);
  ctl_print_json (root, FALSE);
}

/* ---- errors ---------------------------------------------------------- */

void
ctl_print_error (const GError *error, gboolean json)
{
  if (json)
    {
      ctl_print_json_strings ("error", ctl_error_name (error),
                              "message", error->message, NULL);
      return;
    }
  /* Not g_printerr(): under the C locale it would mangle non-ASCII text
   * (the daemon's messages name fields and states as they are written). */
  fprintf (stderr, "caselinkctl: %s\n", error->message);
}
