/* workflow.c — the workflow model: lookups and lifetime. */
#include "workflow.h"
#include "condition.h"

#include <string.h>

static void
field_free (gpointer p)
{
  CLField *f = p;
  g_free (f->name);
  g_strfreev (f->values);
  g_free (f->label);
  g_free (f);
}

static void
state_free (gpointer p)
{
  CLState *s = p;
  g_free (s->name);
  g_free (s->holder);
  g_clear_pointer (&s->titles, g_hash_table_unref);
  g_free (s->basis);
  if (s->deadline != NULL)
    {
      g_free (s->deadline->from);
      g_free (s->deadline->calendar);
      g_free (s->deadline->on_expire);
      g_free (s->deadline);
    }
  g_free (s);
}

static void
hook_ref_free (gpointer p)
{
  CLHookRef *h = p;
  g_free (h->name);
  g_free (h->position);
  g_free (h);
}

GPtrArray *
cl_hook_refs_new (void)
{
  return g_ptr_array_new_with_free_func (hook_ref_free);
}

static void
transition_free (gpointer p)
{
  CLTransition *t = p;
  g_free (t->name);
  g_strfreev (t->from);
  g_free (t->to);
  g_strfreev (t->by);
  g_strfreev (t->requires);
  g_clear_pointer (&t->titles, g_hash_table_unref);
  g_free (t->basis);
  cl_condition_free (t->when);
  if (t->spawn != NULL)
    {
      g_free (t->spawn->workflow);
      g_free (t->spawn->relation);
      g_strfreev (t->spawn->copy);
      g_free (t->spawn->position);
      g_free (t->spawn);
    }
  g_clear_pointer (&t->guards, g_ptr_array_unref);
  g_clear_pointer (&t->actions, g_ptr_array_unref);
  g_free (t);
}

CLWorkflow *
cl_workflow_new (void)
{
  CLWorkflow *wf = g_new0 (CLWorkflow, 1);

  wf->ref_count = 1;
  wf->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  wf->fields = g_ptr_array_new_with_free_func (field_free);
  wf->field_index = g_hash_table_new (g_str_hash, g_str_equal);
  wf->states = g_ptr_array_new_with_free_func (state_free);
  wf->state_index = g_hash_table_new (g_str_hash, g_str_equal);
  wf->transitions = g_ptr_array_new_with_free_func (transition_free);
  wf->transition_index = g_hash_table_new (g_str_hash, g_str_equal);
  return wf;
}

CLWorkflow *
cl_workflow_ref (CLWorkflow *wf)
{
  g_atomic_int_inc (&wf->ref_count);
  return wf;
}

void
cl_workflow_unref (CLWorkflow *wf)
{
  if (wf == NULL || !g_atomic_int_dec_and_test (&wf->ref_count))
    return;
  g_free (wf->name);
  g_free (wf->id_prefix);
  g_hash_table_unref (wf->titles);
  g_free (wf->description);
  g_strfreev (wf->created_by);
  g_hash_table_unref (wf->field_index);
  g_ptr_array_unref (wf->fields);
  g_hash_table_unref (wf->state_index);
  g_ptr_array_unref (wf->states);
  g_hash_table_unref (wf->transition_index);
  g_ptr_array_unref (wf->transitions);
  g_clear_pointer (&wf->actions, g_ptr_array_unref);
  g_free (wf->source_path);
  g_free (wf->source);
  g_free (wf);
}

const CLField *
cl_workflow_field (const CLWorkflow *wf, const char *name)
{
  return g_hash_table_lookup (wf->field_index, name);
}

const CLState *
cl_workflow_state (const CLWorkflow *wf, const char *name)
{
  return g_hash_table_lookup (wf->state_index, name);
}

const CLTransition *
cl_workflow_transition (const CLWorkflow *wf, const char *name)
{
  return g_hash_table_lookup (wf->transition_index, name);
}

gboolean
cl_transition_leaves (const CLTransition *t, const char *state)
{
  return t->from != NULL && g_strv_contains ((const char *const *) t->from, state);
}

gboolean
cl_transition_allows_role (const CLTransition *t, const char *role)
{
  return t->by != NULL && g_strv_contains ((const char *const *) t->by, role);
}

const char *
cl_titles_pick (GHashTable *titles, const char *lang, const char *fallback)
{
  const char *t = NULL;
  GHashTableIter it;
  gpointer v;

  if (titles == NULL)
    return fallback;
  if (lang != NULL)
    t = g_hash_table_lookup (titles, lang);
  if (t == NULL)
    t = g_hash_table_lookup (titles, "en");
  if (t == NULL)
    {
      g_hash_table_iter_init (&it, titles);
      if (g_hash_table_iter_next (&it, NULL, &v))
        t = v;
    }
  return t != NULL ? t : fallback;
}

static const char *const field_type_names[] = {
  [CL_FIELD_STRING] = "string",
  [CL_FIELD_TEXT] = "text",
  [CL_FIELD_INTEGER] = "integer",
  [CL_FIELD_NUMBER] = "number",
  [CL_FIELD_BOOLEAN] = "boolean",
  [CL_FIELD_DATE] = "date",
  [CL_FIELD_ENUM] = "enum",
  [CL_FIELD_AGENCY] = "agency",
  [CL_FIELD_LIST] = "list",
  [CL_FIELD_PERSON_ID] = "person_id",
  [CL_FIELD_USCC] = "uscc",
};

const char *
cl_field_type_to_string (CLFieldType type)
{
  return field_type_names[type];
}

gboolean
cl_field_type_from_string (const char *s, CLFieldType *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (field_type_names); i++)
    if (g_strcmp0 (s, field_type_names[i]) == 0)
      {
        *out = (CLFieldType) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
cl_name_is_valid (const char *name)
{
  gsize n;

  if (name == NULL || !g_ascii_islower (name[0]))
    return FALSE;
  n = strlen (name);
  if (n > 64)
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!(g_ascii_islower (name[i]) || g_ascii_isdigit (name[i]) || name[i] == '_'))
      return FALSE;
  return TRUE;
}

/* ---- canonical form --------------------------------------------------- */

static gint
cmp_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
put_titles (GString *out, GHashTable *titles)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;

  if (titles == NULL)
    return;
  g_hash_table_iter_init (&it, titles);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_keys);
  g_string_append (out, " titles{");
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *q = g_strescape (g_hash_table_lookup (titles, keys->pdata[i]), NULL);
      g_string_append_printf (out, "%s=\"%s\";", (char *) keys->pdata[i], q);
    }
  g_string_append_c (out, '}');
}

static void
put_strv (GString *out, const char *name, char **v)
{
  g_string_append_printf (out, " %s[", name);
  for (char **p = v; p != NULL && *p != NULL; p++)
    g_string_append_printf (out, "%s%s", p == v ? "" : ",", *p);
  g_string_append_c (out, ']');
}

static void
put_hooks (GString *out, const char *name, GPtrArray *hooks)
{
  /* Absent lists print nothing: definitions stored before hooks existed
   * keep their canonical text. */
  if (hooks == NULL)
    return;
  g_string_append_printf (out, " %s[", name);
  for (guint i = 0; i < hooks->len; i++)
    g_string_append_printf (out, "%s%s", i == 0 ? "" : ",", ((CLHookRef *) hooks->pdata[i])->name);
  g_string_append_c (out, ']');
}

static void
put_text (GString *out, const char *name, const char *value)
{
  g_autofree char *q = value ? g_strescape (value, NULL) : NULL;
  if (value != NULL)
    g_string_append_printf (out, " %s=\"%s\"", name, q);
}

static gint
cmp_named (gconstpointer a, gconstpointer b)
{
  /* every model struct starts with its name */
  return strcmp (**(char **const *) a, **(char **const *) b);
}

char *
cl_workflow_canonical (const CLWorkflow *wf)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) fields = g_ptr_array_copy (wf->fields, NULL, NULL);
  g_autoptr(GPtrArray) states = g_ptr_array_copy (wf->states, NULL, NULL);
  g_autoptr(GPtrArray) transitions = g_ptr_array_copy (wf->transitions, NULL, NULL);

  /* The copies share elements with the model: they must not free them. */
  g_ptr_array_set_free_func (fields, NULL);
  g_ptr_array_set_free_func (states, NULL);
  g_ptr_array_set_free_func (transitions, NULL);
  g_string_append_printf (out, "workflow %s version %u prefix %s", wf->name, wf->version, wf->id_prefix);
  put_titles (out, wf->titles);
  put_text (out, "description", wf->description);
  put_strv (out, "created_by", wf->created_by);
  put_hooks (out, "actions", wf->actions);
  g_string_append_c (out, '\n');
  g_ptr_array_sort (fields, cmp_named);
  g_ptr_array_sort (states, cmp_named);
  g_ptr_array_sort (transitions, cmp_named);
  for (guint i = 0; i < fields->len; i++)
    {
      CLField *f = fields->pdata[i];
      g_string_append_printf (out, "field %s %s req=%d max=%" G_GINT64_FORMAT " pii=%d", f->name,
                              cl_field_type_to_string (f->type), f->required, f->max, f->pii);
      put_strv (out, "values", f->values);
      put_text (out, "label", f->label);
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < states->len; i++)
    {
      CLState *s = states->pdata[i];
      g_string_append_printf (out, "state %s initial=%d final=%d pauses=%d", s->name, s->initial, s->final,
                              s->pauses_clock);
      put_text (out, "holder", s->holder);
      put_titles (out, s->titles);
      put_text (out, "basis", s->basis);
      if (s->deadline != NULL)
        {
          CLDeadlineSpec *d = s->deadline;
          g_string_append_printf (out, " deadline(%d %s roll=%d warn=%d:%d %s", d->n, cl_deadline_unit_to_string (d->unit),
                                  d->roll, d->has_warn, d->warn_n, d->has_warn ? cl_deadline_unit_to_string (d->warn_unit) : "");
          put_text (out, "from", d->from);
          put_text (out, "calendar", d->calendar);
          put_text (out, "on_expire", d->on_expire);
          g_string_append_c (out, ')');
        }
      g_string_append_c (out, '\n');
    }
  for (guint i = 0; i < transitions->len; i++)
    {
      CLTransition *t = transitions->pdata[i];
      g_string_append_printf (out, "transition %s to=%s", t->name, t->to);
      put_strv (out, "from", t->from);
      put_strv (out, "by", t->by);
      put_strv (out, "requires", t->requires);
      put_titles (out, t->titles);
      put_text (out, "basis", t->basis);
      if (t->when != NULL)
        {
          g_string_append (out, " when=");
          cl_condition_describe (t->when, out);
        }
      if (t->has_extend)
        g_string_append_printf (out, " extend=%d %s", t->extend_n, cl_deadline_unit_to_string (t->extend_unit));
      if (t->spawn != NULL)
        {
          g_string_append_printf (out, " spawn(%s %s", t->spawn->workflow, t->spawn->relation);
          put_strv (out, "copy", t->spawn->copy);
          g_string_append_c (out, ')');
        }
      put_hooks (out, "guards", t->guards);
      put_hooks (out, "actions", t->actions);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

gboolean
cl_workflow_uses_calendar (const CLWorkflow *wf, const char *calendar, const char *default_calendar)
{
  for (guint i = 0; i < wf->states->len; i++)
    {
      CLState *s = g_ptr_array_index (wf->states, i);
      if (s->deadline != NULL && g_strcmp0 (s->deadline->calendar ? s->deadline->calendar : default_calendar, calendar) == 0)
        return TRUE;
    }
  return FALSE;
}
