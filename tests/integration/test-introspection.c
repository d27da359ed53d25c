/* test-introspection.c — Introspect XML generated from the daemon's tables
 * shows every interface with its members and argument names. */
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

/* The XML flattened into a set of strings:
 *   "I iface", "M iface.Method", "A iface.Method name type dir",
 *   "S iface.Signal", "SA iface.Signal name type", "P iface.Prop type access",
 *   "N child". */
typedef struct {
  GHashTable *set;
  char *iface;
  char *member;
  gboolean in_signal;
  int depth;
} Walk;

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
add (Walk *w, char *s)
{
  g_hash_table_add (w->set, s);
}

static void
start_element (GMarkupParseContext *ctx, const char *element,
               const char **names, const char **values, gpointer data,
               GError **error)
{
  Walk *w = data;
  const char *name = attr (names, values, "name");

  w->depth++;
  if (strcmp (element, "node") == 0 && w->depth == 2 && name != NULL)
    add (w, g_strdup_printf ("N %s", name));
  else if (strcmp (element, "interface") == 0)
    {
      g_free (w->iface);
      w->iface = g_strdup (name);
      add (w, g_strdup_printf ("I %s", name));
    }
  else if (strcmp (element, "method") == 0 || strcmp (element, "signal") == 0)
    {
      g_free (w->member);
      w->member = g_strdup (name);
      w->in_signal = element[0] == 's';
      add (w, g_strdup_printf ("%s %s.%s", w->in_signal ? "S" : "M", w->iface, name));
    }
  else if (strcmp (element, "arg") == 0 && w->member != NULL)
    {
      const char *type = attr (names, values, "type");
      const char *dir = attr (names, values, "direction");

      if (w->in_signal)
        add (w, g_strdup_printf ("SA %s.%s %s %s", w->iface, w->member,
                                 name != NULL ? name : "", type));
      else
        add (w, g_strdup_printf ("A %s.%s %s %s %s", w->iface, w->member,
                                 name != NULL ? name : "", type,
                                 dir != NULL ? dir : "in"));
    }
  else if (strcmp (element, "property") == 0)
    add (w, g_strdup_printf ("P %s.%s %s %s", w->iface, name,
                             attr (names, values, "type"),
                             attr (names, values, "access")));
}

static void
end_element (GMarkupParseContext *ctx, const char *element, gpointer data,
             GError **error)
{
  Walk *w = data;

  w->depth--;
  if (strcmp (element, "method") == 0 || strcmp (element, "signal") == 0)
    g_clear_pointer (&w->member, g_free);
}

static GHashTable *
introspect (DBusConnection *c, const char *path)
{
  static const GMarkupParser parser = { start_element, end_element, NULL, NULL, NULL };
  g_autoptr(GVariant) reply = cl_test_call_ok (c, path,
                                               "org.freedesktop.DBus.Introspectable",
                                               "Introspect", NULL);
  g_autoptr(GMarkupParseContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  Walk w = { .set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  const char *xml;

  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(s)");
  g_variant_get (reply, "(&s)", &xml);
  ctx = g_markup_parse_context_new (&parser, 0, &w, NULL);
  if (!g_markup_parse_context_parse (ctx, xml, -1, &error)
      || !g_markup_parse_context_end_parse (ctx, &error))
    g_error ("Introspect XML of %s does not parse: %s\n%s", path,
             error->message, xml);
  g_free (w.iface);
  g_free (w.member);
  return w.set;
}

static void
assert_has (GHashTable *set, const char *const *items)
{
  for (guint i = 0; items[i] != NULL; i++)
    if (!g_hash_table_contains (set, items[i]))
      {
        GString *all = g_string_new (NULL);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init (&it, set);
        while (g_hash_table_iter_next (&it, &key, NULL))
          g_string_append_printf (all, "  %s\n", (char *) key);
        g_error ("introspection lacks \"%s\"; it has:\n%s", items[i], all->str);
      }
}

static const char *const standard[] = {
  "I org.freedesktop.DBus.Introspectable",
  "I org.freedesktop.DBus.Properties",
  "I org.freedesktop.DBus.Peer",
  "M org.freedesktop.DBus.Properties.GetAll",
  NULL
};

static void
test_manager (void)
{
  static const char *const want[] = {
    "I org.caselink.Manager1",
    "M org.caselink.Manager1.CreateCase",
    "A org.caselink.Manager1.CreateCase workflow s in",
    "A org.caselink.Manager1.CreateCase fields a{sv} in",
    "A org.caselink.Manager1.CreateCase id s out",
    "A org.caselink.Manager1.CreateCase path o out",
    "A org.caselink.Manager1.GetCase id s in",
    "A org.caselink.Manager1.GetCase path o out",
    "A org.caselink.Manager1.ListCases filter a{sv} in",
    "A org.caselink.Manager1.CountCases group_by s in",
    "M org.caselink.Manager1.ListWorkflows",
    "M org.caselink.Manager1.ListPlugins",
    "M org.caselink.Manager1.Reload",
    "M org.caselink.Manager1.Subscribe",
    "M org.caselink.Manager1.Unsubscribe",
    "S org.caselink.Manager1.CaseCreated",
    "SA org.caselink.Manager1.CaseCreated id s",
    "SA org.caselink.Manager1.CaseCreated path o",
    "SA org.caselink.Manager1.CaseCreated workflow s",
    "SA org.caselink.Manager1.CaseAdvanced transition s",
    "S org.caselink.Manager1.DeadlineMissed",
    "S org.caselink.Manager1.Reloaded",
    "P org.caselink.Manager1.Version s read",
    "P org.caselink.Manager1.CaseCount t read",
    NULL
  };
  ClHarness *h = cl_harness_new (NULL);
  g_autoptr(GHashTable) set = introspect (cl_harness_connection (h), CL_MANAGER_PATH);

  assert_has (set, want);
  assert_has (set, standard);
  cl_harness_free (h);
}

static void
test_case (void)
{
  static const char *const want[] = {
    "I org.caselink.Case1",
    "A org.caselink.Case1.Advance transition s in",
    "A org.caselink.Case1.Advance fields a{sv} in",
    "A org.caselink.Case1.Advance comment s in",
    "A org.caselink.Case1.Advance state s out",
    "M org.caselink.Case1.Transitions",
    "M org.caselink.Case1.Update",
    "A org.caselink.Case1.Comment text s in",
    "M org.caselink.Case1.History",
    "P org.caselink.Case1.Id s read",
    "P org.caselink.Case1.State s read",
    "P org.caselink.Case1.WorkflowVersion u read",
    "P org.caselink.Case1.Deadline x read",
    "P org.caselink.Case1.Overdue b read",
    "P org.caselink.Case1.Fields a{sv} read",
    NULL
  };
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autofree char *path = NULL;
  g_autofree char *id = cl_test_create_case (c, "reverse_connection",
                                             cl_test_fields ("title",
                                                             g_variant_new_string ("i"),
                                                             NULL), &path);
  g_autoptr(GHashTable) set = introspect (c, path);

  assert_has (set, want);
  assert_has (set, standard);
  cl_harness_free (h);
}

static void
test_workflow (void)
{
  static const char *const want[] = {
    "I org.caselink.Workflow1",
    "P org.caselink.Workflow1.Name s read",
    "P org.caselink.Workflow1.Title s read",
    "P org.caselink.Workflow1.Titles a{ss} read",
    "P org.caselink.Workflow1.Version u read",
    "P org.caselink.Workflow1.States as read",
    "P org.caselink.Workflow1.InitialState s read",
    "M org.caselink.Workflow1.Graph",
    NULL
  };
  const char *path = CL_WORKFLOW_PATH_PREFIX "/reverse_connection";
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autoptr(GHashTable) set = introspect (c, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = NULL, graph = NULL;
  const char *dot;

  assert_has (set, want);
  assert_has (set, standard);

  v = cl_test_get_property (c, path, CL_WORKFLOW_IFACE, "InitialState", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_string (v, NULL), ==, "non_prosecuted");
  graph = cl_test_call_ok (c, path, CL_WORKFLOW_IFACE, "Graph", NULL);
  g_assert_cmpstr (g_variant_get_type_string (graph), ==, "(s)");
  g_variant_get (graph, "(&s)", &dot);
  g_assert_nonnull (strstr (dot, "digraph"));
  g_assert_nonnull (strstr (dot, "handoff"));

  cl_harness_free (h);
}

/* busctl tree and friends walk the object tree through child nodes. */
static void
test_tree (void)
{
  ClHarness *h = cl_harness_new (NULL);
  DBusConnection *c = cl_harness_connection (h);
  g_autoptr(GHashTable) root = introspect (c, "/org/caselink");
  g_autoptr(GHashTable) workflows = introspect (c, CL_WORKFLOW_PATH_PREFIX);
  static const char *const want_root[] = { "N workflow", NULL };
  static const char *const want_workflows[] = { "N reverse_connection",
                                                "N all_types", NULL };

  assert_has (root, want_root);
  assert_has (workflows, want_workflows);
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/introspection/manager", test_manager);
  g_test_add_func ("/introspection/case", test_case);
  g_test_add_func ("/introspection/workflow", test_workflow);
  g_test_add_func ("/introspection/tree", test_tree);
  return g_test_run ();
}
