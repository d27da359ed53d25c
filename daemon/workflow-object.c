/* workflow-object.c — org.caselink.Workflow1 at /org/caselink/workflow/<name>
 * (the newest version of each workflow). */
#define G_LOG_DOMAIN "caselink"

#include "objects.h"
#include "cl-errors.h"

#include <string.h>

static CLWorkflow *
workflow_for_call (CLDaemon *d, CLCall *call, GError **error)
{
  CLWorkflow *wf = cl_registry_newest (d->registry, cl_call_suffix (call));

  if (wf == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no workflow '%.64s'", cl_call_suffix (call));
  return wf;
}

static gboolean
workflow_properties (CLCall *call, const char *name, GVariantBuilder *b, gpointer data, GError **error)
{
  CLDaemon *d = data;
  CLWorkflow *wf = workflow_for_call (d, call, error);
  g_autoptr(GPtrArray) states = NULL;

  if (wf == NULL)
    return FALSE;
  states = g_ptr_array_new ();
  for (guint i = 0; i < wf->states->len; i++)
    g_ptr_array_add (states, ((CLState *) g_ptr_array_index (wf->states, i))->name);
  g_ptr_array_add (states, NULL);
#define PROP(n, v) if (name == NULL || g_str_equal (name, n)) g_variant_builder_add (b, "{sv}", n, v)
  PROP ("Name", g_variant_new_string (wf->name));
  PROP ("Title", g_variant_new_string (cl_daemon_title (d, wf->titles, wf->name)));
  PROP ("Titles", cl_daemon_titles (d, wf->titles, wf->name));
  PROP ("Version", g_variant_new_uint32 (wf->version));
  PROP ("States", g_variant_new_strv ((const char *const *) states->pdata, -1));
  PROP ("InitialState", g_variant_new_string (wf->initial->name));
#undef PROP
  return TRUE;
}

/* DOT identifiers are our validated names; labels are quoted and escaped. */
static void
append_quoted (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (s, '\\');
      if (*c == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *c);
    }
  g_string_append_c (s, '"');
}

static void
graph (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GError) error = NULL;
  CLWorkflow *wf = workflow_for_call (d, call, &error);
  GString *dot;

  if (wf == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  dot = g_string_new (NULL);
  g_string_append_printf (dot, "digraph %s {\n  rankdir=LR;\n  label=", wf->name);
  append_quoted (dot, cl_daemon_title (d, wf->titles, wf->name));
  g_string_append (dot, ";\n  node [fontname=\"sans\"];\n");
  for (guint i = 0; i < wf->states->len; i++)
    {
      CLState *s = g_ptr_array_index (wf->states, i);
      g_autofree char *deadline = NULL;
      g_autofree char *label = NULL;

      if (s->deadline != NULL)
        deadline = g_strdup_printf ("\ndeadline %d %s%s%s", s->deadline->n, cl_deadline_unit_to_string (s->deadline->unit),
                                    s->deadline->on_expire ? " → " : "",
                                    s->deadline->on_expire ? s->deadline->on_expire : "");
      label = g_strdup_printf ("%s\n%s%s%s", s->name, cl_daemon_title (d, s->titles, ""),
                               deadline ? deadline : "", s->pauses_clock ? "\n(clock paused)" : "");
      /* initial: circle, final: double circle, paused: dashed octagon */
      g_string_append_printf (dot, "  %s [shape=%s%s, label=", s->name,
                              s->initial ? "circle" : s->final ? "doublecircle" : s->pauses_clock ? "octagon" : "box",
                              s->pauses_clock ? ", style=dashed" : "");
      append_quoted (dot, label);
      g_string_append (dot, "];\n");
    }
  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);
      g_autofree char *roles = g_strjoinv (", ", t->by);
      g_autofree char *label = g_strdup_printf ("%s\n[%s]%s%s", t->name, roles,
                                                t->has_extend ? "\n+extends deadline" : "",
                                                t->spawn ? "\n+opens a linked case" : "");
      for (char **from = t->from; *from != NULL; from++)
        {
          /* $previous: drawn back to every state that leads into @from */
          if (t->to_previous)
            {
              for (guint j = 0; j < wf->transitions->len; j++)
                {
                  CLTransition *in = g_ptr_array_index (wf->transitions, j);
                  for (char **src = in->from; !in->to_previous && g_strcmp0 (in->to, *from) == 0 && *src != NULL; src++)
                    {
                      g_string_append_printf (dot, "  %s -> %s [style=dashed, label=", *from, *src);
                      append_quoted (dot, label);
                      g_string_append (dot, "];\n");
                    }
                }
              continue;
            }
          g_string_append_printf (dot, "  %s -> %s [label=", *from, t->to);
          append_quoted (dot, label);
          g_string_append (dot, "];\n");
        }
    }
  g_string_append (dot, "}\n");
  cl_call_return (call, g_variant_new ("(s)", dot->str));
  g_string_free (dot, TRUE);
}

static gboolean
workflow_exists (CLBus *bus, const char *suffix, gpointer data)
{
  CLDaemon *d = data;
  return cl_registry_newest (d->registry, suffix) != NULL;
}

static char **
workflow_children (CLBus *bus, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GPtrArray) list = cl_registry_list (d->registry);
  GStrvBuilder *b = g_strv_builder_new ();
  char **names;

  for (guint i = 0; i < list->len; i++)
    g_strv_builder_add (b, ((CLWorkflow *) g_ptr_array_index (list, i))->name);
  names = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return names;
}

static const CLMethod workflow_methods[] = {
  { "Graph", "", "", "s", "dot", graph },
  { NULL },
};

static const CLProperty workflow_props[] = {
  /* They change only on Reload, which Manager1.Reloaded announces. */
  { "Name", "s", "const" }, { "Title", "s", "false" }, { "Titles", "a{ss}", "false" },
  { "Version", "u", "false" }, { "States", "as", "false" }, { "InitialState", "s", "false" },
  { NULL },
};

static const CLInterface workflow_iface = {
  CL_WORKFLOW_IFACE, workflow_methods, workflow_props, NULL, workflow_properties,
};

static const CLInterface *const workflow_ifaces[] = { &workflow_iface, NULL };

void
cl_workflow_objects_register (CLDaemon *d)
{
  cl_bus_register (d->bus, CL_WORKFLOW_PATH_PREFIX, TRUE, workflow_ifaces, d, workflow_exists, workflow_children);
}

const char *
cl_daemon_title (CLDaemon *d, GHashTable *titles, const char *fallback)
{
  const char *t;

  if (titles == NULL)
    return fallback;
  t = g_hash_table_lookup (titles, d->config.language);
  if (t == NULL)
    t = g_hash_table_lookup (titles, "");
  return t != NULL ? t : cl_titles_pick (titles, d->config.language, fallback);
}

GVariant *
cl_daemon_titles (CLDaemon *d, GHashTable *titles, const char *fallback)
{
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k, v;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  if (titles != NULL)
    {
      g_hash_table_iter_init (&it, titles);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          const char *lang = *(const char *) k != '\0' ? k : d->config.language;
          /* A plain title stands for the default language unless one is given. */
          if (*(const char *) k == '\0' && g_hash_table_contains (titles, d->config.language))
            continue;
          g_variant_builder_add (&b, "{ss}", lang, (const char *) v);
        }
    }
  return g_variant_builder_end (&b);
}
