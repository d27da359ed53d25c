/* verbs-case.c — list, show, transitions, history: reading cases. */
#include "ctl.h"

#include "cl-errors.h"
#include "ctl-bus.h"
#include "ctl-dict.h"
#include "ctl-error.h"
#include "ctl-output.h"

#include <stdio.h>
#include <string.h>

/* The daemon's page size when none (or 0) is asked for, and its ceiling
 * (architecture.md, ListCases); used only to hint that more pages exist. */
#define LIST_DEFAULT_LIMIT 100
#define LIST_MAX_LIMIT 10000

static char *
dict_value_text (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = ctl_dict_value (dict, key);

  return value != NULL ? ctl_format_value (value) : g_strdup ("");
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

/* ---- list ---- */

static GVariant *
list_filter (CtlContext *ctx)
{
  GVariantBuilder builder;
  const struct { const char *key; const char *value; } strings[] = {
    { "workflow", ctx->workflow },
    { "state", ctx->state },
    { "domain", ctx->domain },
    { "agency", ctx->agency },
    { "text", ctx->text },
    { "after", ctx->after },
  };

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      if (strings[i].value != NULL)
        g_variant_builder_add (&builder, "{sv}", strings[i].key,
                               g_variant_new_string (strings[i].value));
    }
  if (ctx->overdue)
    g_variant_builder_add (&builder, "{sv}", "overdue", g_variant_new_boolean (TRUE));
  if (ctx->has_limit)
    g_variant_builder_add (&builder, "{sv}", "limit", g_variant_new_uint32 (ctx->limit));
  return g_variant_builder_end (&builder);
}

gboolean
ctl_verb_list (CtlContext *ctx, char **args, GError **error)
{
  static const char *const headers[] = { "ID", "WORKFLOW", "STATE", "AGENCY",
                                         "DEADLINE", "TITLE", NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) cases = NULL;
  g_autoptr(CtlTable) table = NULL;
  GVariant *filter = list_filter (ctx);
  guint32 limit = ctx->has_limit ? ctx->limit : 0;
  gsize n_cases;

  reply = ctl_bus_call (ctx->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                        g_variant_new_tuple (&filter, 1), "(aa{sv})", error);
  if (reply == NULL)
    return FALSE;
  cases = g_variant_get_child_value (reply, 0);
  if (ctx->json)
    {
      ctl_print_variant_json (cases);
      return TRUE;
    }

  table = ctl_table_new (headers);
  n_cases = g_variant_n_children (cases);
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (cases, i);
      g_autofree char *deadline = ctl_format_time (ctl_dict_int (entry, "deadline"));

      if (ctl_dict_bool (entry, "overdue"))
        {
          char *marked = g_strconcat (deadline, " (overdue)", NULL);
          g_free (deadline);
          deadline = marked;
        }
      ctl_table_add_row (table, ctl_dict_string (entry, "id"),
                         ctl_dict_string (entry, "workflow"),
                         ctl_dict_string (entry, "state"),
                         or_dash (ctl_dict_string (entry, "agency")),
                         deadline,
                         ctl_dict_string (entry, "title"));
    }
  if (n_cases == 0)
    {
      printf ("No cases.\n");
      return TRUE;
    }
  ctl_table_print (table);

  /* A full page probably has a next one; say how to get it (on stderr, so
   * the table itself stays clean for grep and friends). */
  if (limit == 0)
    limit = LIST_DEFAULT_LIMIT;
  if (n_cases >= MIN (limit, LIST_MAX_LIMIT))
    {
      g_autoptr(GVariant) last = g_variant_get_child_value (cases, n_cases - 1);
      fprintf (stderr, "(%" G_GSIZE_FORMAT " %s shown; more may follow: "
               "add --after %s)\n", n_cases, n_cases == 1 ? "case" : "cases",
               ctl_dict_string (last, "id"));
    }
  return TRUE;
}

/* ---- show ---- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* "Links:" and one "  relation  id" line per link, oldest first. */
static void
print_links (GVariant *links)
{
  g_autoptr(CtlTable) table = NULL;

  if (links == NULL || !g_variant_is_of_type (links, G_VARIANT_TYPE ("a(sss)"))
      || g_variant_n_children (links) == 0)
    {
      printf ("Links: (none)\n");
      return;
    }
  table = ctl_table_new_plain (2);
  for (gsize i = 0; i < g_variant_n_children (links); i++)
    {
      const char *relation, *id;
      g_autofree char *label = NULL;

      g_variant_get_child (links, i, "(&s&s&s)", &relation, &id, NULL);
      label = g_strconcat ("  ", relation, NULL);
      ctl_table_add_row (table, label, id);
    }
  printf ("Links:\n");
  ctl_table_print (table);
}

/* "2026-03-05T23:59:59+08:00 (in 3 days)", "... (overdue, 2 hours ago)",
 * or "-" when no deadline runs. How far off is by this machine's clock;
 * whether it was missed is caselinkd's word (Overdue), so the two are not
 * mixed: an overdue deadline that this clock has not reached yet is just
 * "(overdue)". */
static char *
deadline_text (GVariant *props)
{
  gint64 deadline = ctl_dict_int (props, "Deadline");
  gboolean overdue = ctl_dict_bool (props, "Overdue");
  gint64 now = g_get_real_time ();
  g_autofree char *when = ctl_format_time (deadline);
  g_autofree char *relative = NULL;

  if (deadline == 0)
    return g_steal_pointer (&when);
  if (overdue && deadline > now)
    return g_strdup_printf ("%s (overdue)", when);
  relative = ctl_format_relative (deadline, now);
  return g_strdup_printf ("%s (%s%s)", when, overdue ? "overdue, " : "", relative);
}

gboolean
ctl_verb_show (CtlContext *ctx, char **args, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(CtlTable) table = NULL;
  g_autoptr(GVariant) fields = NULL;
  g_autoptr(GVariant) links = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *created = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *deadline = NULL;

  props = ctl_bus_get_case_all (ctx->conn, args[0], &path, error);
  if (props == NULL)
    return FALSE;

  links = ctl_dict_value (props, "Links");
  if (ctx->json)
    {
      g_autoptr(CtlJson) node = ctl_json_from_variant (props);
      CtlJson *links_node = ctl_json_links (links);

      ctl_json_object_set_string (node, "Path", path);
      /* [{relation, id, path}] rather than the bare tuples. */
      if (links_node != NULL)
        ctl_json_object_set (node, "Links", links_node);
      ctl_print_json (node, FALSE);
      return TRUE;
    }

  workflow = g_strdup_printf ("%s (version %" G_GINT64_FORMAT ")",
                              ctl_dict_string (props, "Workflow"),
                              ctl_dict_int (props, "WorkflowVersion"));
  created = ctl_format_time (ctl_dict_int (props, "Created"));
  updated = ctl_format_time (ctl_dict_int (props, "Updated"));
  deadline = deadline_text (props);

  table = ctl_table_new_plain (2);
  ctl_table_add_row (table, "Id:", ctl_dict_string (props, "Id"));
  ctl_table_add_row (table, "Workflow:", workflow);
  ctl_table_add_row (table, "State:", ctl_dict_string (props, "State"));
  ctl_table_add_row (table, "Title:", ctl_dict_string (props, "Title"));
  ctl_table_add_row (table, "Domain:", or_dash (ctl_dict_string (props, "Domain")));
  ctl_table_add_row (table, "Agency:", or_dash (ctl_dict_string (props, "Agency")));
  ctl_table_add_row (table, "Created:", created);
  ctl_table_add_row (table, "Updated:", updated);
  ctl_table_add_row (table, "Deadline:", deadline);
  ctl_table_add_row (table, "Overdue:", ctl_format_bool (ctl_dict_bool (props, "Overdue")));
  ctl_table_print (table);

  fields = ctl_dict_value (props, "Fields");
  if (fields != NULL && g_variant_is_of_type (fields, G_VARIANT_TYPE ("a{s*}"))
      && g_variant_n_children (fields) > 0)
    {
      g_autoptr(CtlTable) field_table = ctl_table_new_plain (2);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      GVariantIter iter;
      char *name;

      g_variant_iter_init (&iter, fields);
      while (g_variant_iter_next (&iter, "{s*}", &name, NULL))
        g_ptr_array_add (names, name);
      g_ptr_array_sort (names, compare_names);

      printf ("Fields:\n");
      for (guint i = 0; i < names->len; i++)
        {
          const char *field = g_ptr_array_index (names, i);
          g_autofree char *label = g_strconcat ("  ", field, NULL);
          g_autofree char *text = dict_value_text (fields, field);

          ctl_table_add_row (field_table, label, text);
        }
      ctl_table_print (field_table);
    }
  else
    printf ("Fields: (none)\n");
  print_links (links);
  return TRUE;
}

/* ---- transitions ---- */

/* Call a Case1 method that takes nothing and returns aa{sv}. */
static GVariant *
call_case_list (CtlContext *ctx, const char *id, const char *method, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  path = ctl_bus_get_case_path (ctx->conn, id, error);
  if (path == NULL)
    return NULL;
  reply = ctl_bus_call (ctx->conn, path, CL_CASE_IFACE, method, NULL,
                        "(aa{sv})", error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

gboolean
ctl_verb_transitions (CtlContext *ctx, char **args, GError **error)
{
  static const char *const headers[] = { "NAME", "TO", "ALLOWED", "MISSING", "TITLE", NULL };
  g_autoptr(GVariant) transitions = NULL;
  g_autoptr(CtlTable) table = NULL;

  transitions = call_case_list (ctx, args[0], "Transitions", error);
  if (transitions == NULL)
    return FALSE;
  if (ctx->json)
    {
      ctl_print_variant_json (transitions);
      return TRUE;
    }

  table = ctl_table_new (headers);
  for (gsize i = 0; i < g_variant_n_children (transitions); i++)
    {
      g_autoptr(GVariant) t = g_variant_get_child_value (transitions, i);
      g_autofree char *missing = dict_value_text (t, "missing");

      ctl_table_add_row (table, ctl_dict_string (t, "name"),
                         ctl_dict_string (t, "to"),
                         ctl_format_bool (ctl_dict_bool (t, "allowed")),
                         or_dash (missing),
                         ctl_dict_string (t, "title"));
    }
  if (ctl_table_get_n_rows (table) == 0)
    printf ("No transitions leave the current state.\n");
  else
    ctl_table_print (table);
  return TRUE;
}

/* ---- history ---- */

static char *
history_action (GVariant *entry)
{
  const char *action = ctl_dict_string (entry, "action");
  const char *transition = ctl_dict_string (entry, "transition");

  if (*transition != '\0')
    return g_strdup_printf ("%s %s", or_dash (action), transition);
  return g_strdup (or_dash (action));
}

/* "from→to" when the state moved, "→to" at creation, "-" otherwise. */
static char *
history_move (GVariant *entry)
{
  const char *from = ctl_dict_string (entry, "from");
  const char *to = ctl_dict_string (entry, "to");

  if (g_strcmp0 (from, to) == 0 || *to == '\0')
    return g_strdup ("-");
  return g_strdup_printf ("%s→%s", from, to);
}

/* "role@agency": on whose behalf the user acted matters as much as who. */
static char *
history_role (GVariant *entry)
{
  const char *role = ctl_dict_string (entry, "role");
  const char *agency = ctl_dict_string (entry, "agency");

  if (*agency == '\0')
    return g_strdup (or_dash (role));
  return g_strdup_printf ("%s@%s", or_dash (role), agency);
}

gboolean
ctl_verb_history (CtlContext *ctx, char **args, GError **error)
{
  static const char *const headers[] = { "SEQ", "TIME", "USER", "ROLE", "ACTION",
                                         "FROM→TO", "COMMENT", "FIELDS", NULL };
  g_autoptr(GVariant) history = NULL;
  g_autoptr(CtlTable) table = NULL;

  history = call_case_list (ctx, args[0], "History", error);
  if (history == NULL)
    return FALSE;
  if (ctx->json)
    {
      ctl_print_variant_json (history);
      return TRUE;
    }

  table = ctl_table_new (headers);
  for (gsize i = 0; i < g_variant_n_children (history); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (history, i);
      g_autofree char *seq = dict_value_text (entry, "seq");
      g_autofree char *time = ctl_format_time (ctl_dict_int (entry, "time"));
      g_autofree char *action = history_action (entry);
      g_autofree char *move = history_move (entry);
      g_autofree char *fields = dict_value_text (entry, "fields");
      g_autofree char *role = history_role (entry);

      ctl_table_add_row (table, seq, time,
                         or_dash (ctl_dict_string (entry, "user")),
                         role,
                         action, move,
                         or_dash (ctl_dict_string (entry, "comment")),
                         or_dash (fields));
    }
  ctl_table_print (table);
  return TRUE;
}
