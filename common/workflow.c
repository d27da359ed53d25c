/* workflow.c — the workflow model: lookups and lifetime. */
#include "workflow.h"

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
  g_free (s);
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
