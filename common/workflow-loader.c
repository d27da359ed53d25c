/* workflow-loader.c — parse and validate workflow YAML. */
#include "workflow-loader.h"
#include "cl-yaml.h"
#include "condition.h"

#include <glib/gstdio.h>

#include <string.h>

typedef struct {
  CLYaml *y;
  const CLLoadOptions *opts;
  CLWorkflow *wf;
  yaml_node_t *states_node;
  yaml_node_t *transitions_node;
  GHashTable *positions;   /* name -> yaml_node_t* for later error positions */
} Ctx;

static gboolean
unknown_key (CLYaml *y, yaml_node_t *k, const char *key, const char *where, const char *allowed)
{
  cl_yaml_error (y, k, "unknown key '%s' in %s (allowed: %s)", key, where, allowed);
  return TRUE;
}

/* title: "text" or {zh: ..., en: ...}. A plain string is stored under "",
 * which readers treat as the deployment's default language. */
static GHashTable *
parse_titles (CLYaml *y, yaml_node_t *node)
{
  GHashTable *titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (cl_yaml_scalar (node) != NULL)
    {
      g_hash_table_insert (titles, g_strdup (""), g_strdup (cl_yaml_scalar (node)));
      return titles;
    }
  if (!cl_yaml_is_map (node))
    {
      cl_yaml_error (y, node, "a title is a text or a map of language to text, e.g. {zh: …, en: …}");
      return titles;
    }
  for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
    {
      yaml_node_t *k = cl_yaml_node (y, p->key);
      yaml_node_t *v = cl_yaml_node (y, p->value);
      const char *lang = cl_yaml_scalar (k);
      const char *text = cl_yaml_scalar (v);

      if (lang == NULL || strlen (lang) < 2 || strlen (lang) > 8)
        cl_yaml_error (y, k, "expected a language code such as zh or en");
      else if (text == NULL)
        cl_yaml_error (y, v, "expected the title text");
      else if (!g_hash_table_insert (titles, g_strdup (lang), g_strdup (text)))
        cl_yaml_error (y, k, "duplicate language '%s'", lang);
    }
  return titles;
}

static gboolean
check_name (CLYaml *y, yaml_node_t *node, const char *name, const char *what)
{
  if (!cl_name_is_valid (name))
    {
      cl_yaml_error (y, node, "invalid %s name '%s': use lowercase letters, digits and _, starting with a letter (at most 64)", what, name);
      return FALSE;
    }
  return TRUE;
}

/* ---- fields ----------------------------------------------------------- */

static gboolean
field_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  CLField *f = data;
  gint64 n;

  if (g_str_equal (key, "type"))
    {
      const char *t = cl_yaml_get_string (y, v);
      if (t != NULL && !cl_field_type_from_string (t, &f->type))
        {
          f->type = CL_FIELD_STRING;   /* reported once, here */
          cl_yaml_error (y, v, "unknown field type '%s' (string, text, integer, number, boolean, date, enum, agency, list, person_id, uscc)", t);
        }
    }
  else if (g_str_equal (key, "required"))
    cl_yaml_get_bool (y, v, &f->required);
  else if (g_str_equal (key, "pii"))
    cl_yaml_get_bool (y, v, &f->pii);
  else if (g_str_equal (key, "max"))
    {
      if (cl_yaml_get_int (y, v, 1, G_MAXINT32, &n))
        f->max = n;
    }
  else if (g_str_equal (key, "values"))
    {
      g_strfreev (f->values);
      f->values = cl_yaml_get_strv (y, v);
    }
  else if (g_str_equal (key, "label"))
    {
      const char *s = cl_yaml_get_string (y, v);
      g_free (f->label);
      f->label = g_strdup (s);
    }
  else
    unknown_key (y, k, key, "a field", "type, required, max, values, label, pii");
  return TRUE;
}

static gboolean
parse_field (CLYaml *y, yaml_node_t *k, const char *name, yaml_node_t *v, gpointer data)
{
  Ctx *ctx = data;
  CLField *f;
  yaml_node_t *type_node = NULL;

  if (!check_name (y, k, name, "field"))
    return TRUE;
  if (!cl_yaml_is_map (v))
    {
      cl_yaml_error (y, v, "field '%s' must be a map such as {type: string}", name);
      return TRUE;
    }
  f = g_new0 (CLField, 1);
  f->name = g_strdup (name);
  f->type = (CLFieldType) -1;
  cl_yaml_map_foreach (y, v, field_key, f);
  g_ptr_array_add (ctx->wf->fields, f);
  g_hash_table_insert (ctx->wf->field_index, f->name, f);

  if ((int) f->type == -1)
    {
      cl_yaml_error (y, k, "field '%s' has no type", name);
      f->type = CL_FIELD_STRING;
      return TRUE;
    }
  for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
    if (g_strcmp0 (cl_yaml_scalar (cl_yaml_node (y, p->key)), "values") == 0)
      type_node = cl_yaml_node (y, p->key);
  if (f->type == CL_FIELD_ENUM && (f->values == NULL || f->values[0] == NULL))
    cl_yaml_error (y, k, "enum field '%s' needs values: [...]", name);
  for (guint i = 0; f->values != NULL && f->values[i] != NULL; i++)
    for (guint j = 0; j < i; j++)
      if (g_str_equal (f->values[i], f->values[j]))
        {
          cl_yaml_error (y, type_node != NULL ? type_node : k, "enum field '%s' lists the value '%s' twice", name,
                         f->values[i]);
          break;
        }
  if (f->type != CL_FIELD_ENUM && type_node != NULL)
    cl_yaml_error (y, type_node, "only enum fields take values");
  if (f->max != 0 && !(f->type == CL_FIELD_STRING || f->type == CL_FIELD_TEXT || f->type == CL_FIELD_LIST))
    cl_yaml_error (y, k, "max applies to string, text and list fields, not to %s field '%s'",
                   cl_field_type_to_string (f->type), name);
  return TRUE;
}

/* ---- deadlines -------------------------------------------------------- */

static gboolean
parse_amount (CLYaml *y, yaml_node_t *v, gint *n, CLDeadlineUnit *unit)
{
  const char *text = cl_yaml_scalar (v);

  if (text == NULL || !cl_deadline_unit_parse (text, n, unit))
    {
      cl_yaml_error (y, v, "expected an amount such as '3 working_days', '24 hours', '10 calendar_days' or '2 months' "
                     "(a number from 1 to 100000)");
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  CLDeadlineSpec *d;
  gboolean has_in;
} DeadlineCtx;

static gboolean
on_expire_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  CLDeadlineSpec *d = data;

  if (g_str_equal (key, "transition"))
    {
      const char *t = cl_yaml_get_string (y, v);
      g_free (d->on_expire);
      d->on_expire = g_strdup (t);
    }
  else
    cl_yaml_error (y, k, "unknown key '%s' in on_expire (allowed: transition)", key);
  return TRUE;
}

static gboolean
deadline_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  DeadlineCtx *dc = data;
  CLDeadlineSpec *d = dc->d;

  if (g_str_equal (key, "in"))
    dc->has_in = parse_amount (y, v, &d->n, &d->unit) || TRUE;
  else if (g_str_equal (key, "from"))
    {
      const char *f = cl_yaml_get_string (y, v);
      g_free (d->from);
      d->from = f != NULL && !g_str_equal (f, "entered") ? g_strdup (f) : NULL;
    }
  else if (g_str_equal (key, "roll"))
    {
      const char *r = cl_yaml_get_string (y, v);
      if (g_strcmp0 (r, "next_working_day") == 0)
        d->roll = TRUE;
      else if (g_strcmp0 (r, "none") == 0)
        d->roll = FALSE;
      else if (r != NULL)
        cl_yaml_error (y, v, "roll is next_working_day or none");
    }
  else if (g_str_equal (key, "calendar"))
    {
      const char *c = cl_yaml_get_string (y, v);
      g_free (d->calendar);
      d->calendar = g_strdup (c);
    }
  else if (g_str_equal (key, "warn_before"))
    d->has_warn = parse_amount (y, v, &d->warn_n, &d->warn_unit);
  else if (g_str_equal (key, "on_expire"))
    {
      if (cl_yaml_is_map (v))
        cl_yaml_map_foreach (y, v, on_expire_key, d);
      else
        cl_yaml_error (y, v, "on_expire is a map: {transition: NAME}");
    }
  else
    cl_yaml_error (y, k, "unknown key '%s' in a deadline (allowed: in, from, roll, calendar, warn_before, on_expire)", key);
  return TRUE;
}

static CLDeadlineSpec *
parse_deadline (CLYaml *y, yaml_node_t *v)
{
  DeadlineCtx dc = { g_new0 (CLDeadlineSpec, 1), FALSE };

  dc.d->roll = TRUE;
  if (!cl_yaml_is_map (v))
    {
      cl_yaml_error (y, v, "a deadline is a map such as {in: 3 working_days}");
      return dc.d;
    }
  cl_yaml_map_foreach (y, v, deadline_key, &dc);
  if (!dc.has_in)
    cl_yaml_error (y, v, "the deadline needs in: N UNIT");
  return dc.d;
}

/* ---- plugin hooks ----------------------------------------------------- */

/* "plugin.hook", both parts names. */
static gboolean
hook_name_is_valid (const char *name)
{
  const char *dot = name != NULL ? strchr (name, '.') : NULL;
  g_autofree char *plugin = NULL;

  if (dot == NULL)
    return FALSE;
  plugin = g_strndup (name, dot - name);
  return cl_name_is_valid (plugin) && cl_name_is_valid (dot + 1);
}

static void
add_hook_ref (CLYaml *y, GPtrArray *refs, yaml_node_t *node, const char *what)
{
  const char *name = cl_yaml_scalar (node);
  CLHookRef *ref;

  if (name == NULL)
    {
      cl_yaml_error (y, node, "expected the name of a plugin %s such as ecology.region_required", what);
      return;
    }
  if (!hook_name_is_valid (name))
    {
      cl_yaml_error (y, node, "invalid %s name '%s': a plugin hook is named PLUGIN.HOOK, e.g. ecology.region_required",
                     what, name);
      return;
    }
  for (guint i = 0; i < refs->len; i++)
    if (g_str_equal (((CLHookRef *) refs->pdata[i])->name, name))
      {
        cl_yaml_error (y, node, "%s '%s' is named twice", what, name);
        return;
      }
  ref = g_new0 (CLHookRef, 1);
  ref->name = g_strdup (name);
  ref->position = g_strdup_printf ("%s:%zu:%zu", y->file, node->start_mark.line + 1, node->start_mark.column + 1);
  g_ptr_array_add (refs, ref);
}

/* guards: / actions: — one name or a list of names. Whether a loaded
 * plugin provides them is checked later (cl_workflow_check_hooks). */
static GPtrArray *
parse_hook_refs (CLYaml *y, yaml_node_t *v, const char *what)
{
  GPtrArray *refs = cl_hook_refs_new ();

  if (cl_yaml_is_seq (v))
    {
      for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
        add_hook_ref (y, refs, cl_yaml_node (y, *i), what);
    }
  else
    add_hook_ref (y, refs, v, what);
  return refs;
}

/* ---- states ----------------------------------------------------------- */

typedef struct {
  CLState *s;
  Ctx *ctx;
} StateCtx;

static gboolean
state_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  StateCtx *sc = data;
  CLState *s = sc->s;

  g_hash_table_insert (sc->ctx->positions, g_strdup_printf ("state:%s:%s", s->name, key), v);
  if (g_str_equal (key, "initial"))
    cl_yaml_get_bool (y, v, &s->initial);
  else if (g_str_equal (key, "final"))
    cl_yaml_get_bool (y, v, &s->final);
  else if (g_str_equal (key, "holder"))
    {
      const char *h = cl_yaml_get_string (y, v);
      g_free (s->holder);
      s->holder = g_strdup (h);
    }
  else if (g_str_equal (key, "title"))
    {
      g_clear_pointer (&s->titles, g_hash_table_unref);
      s->titles = parse_titles (y, v);
    }
  else if (g_str_equal (key, "basis"))
    {
      const char *b = cl_yaml_get_string (y, v);
      g_free (s->basis);
      s->basis = g_strdup (b);
    }
  else if (g_str_equal (key, "pauses_clock"))
    cl_yaml_get_bool (y, v, &s->pauses_clock);
  else if (g_str_equal (key, "deadline"))
    {
      if (s->deadline == NULL)
        s->deadline = parse_deadline (y, v);
    }
  else
    unknown_key (y, k, key, "a state", "initial, final, holder, title, basis, deadline, pauses_clock");
  return TRUE;
}

static gboolean
parse_state (CLYaml *y, yaml_node_t *k, const char *name, yaml_node_t *v, gpointer data)
{
  Ctx *ctx = data;
  CLState *s;

  if (!check_name (y, k, name, "state"))
    return TRUE;
  s = g_new0 (CLState, 1);
  s->name = g_strdup (name);
  if (cl_yaml_is_map (v))
    {
      StateCtx sc = { s, ctx };
      cl_yaml_map_foreach (y, v, state_key, &sc);
    }
  else if (!(cl_yaml_scalar (v) != NULL && (g_str_equal (cl_yaml_scalar (v), "") || g_str_equal (cl_yaml_scalar (v), "~"))))
    cl_yaml_error (y, v, "state '%s' must be a map such as {initial: true}", name);
  g_ptr_array_add (ctx->wf->states, s);
  g_hash_table_insert (ctx->wf->state_index, s->name, s);
  g_hash_table_insert (ctx->positions, g_strconcat ("state:", name, NULL), k);
  return TRUE;
}

/* ---- transitions ------------------------------------------------------ */

static gboolean
spawn_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  CLSpawn *sp = data;

  if (g_str_equal (key, "workflow") || g_str_equal (key, "relation"))
    {
      const char *name = cl_yaml_get_string (y, v);
      if (name != NULL && !cl_name_is_valid (name))
        cl_yaml_error (y, v, "invalid %s name '%s'", key, name);
      else if (g_str_equal (key, "workflow"))
        sp->workflow = g_strdup (name);
      else
        sp->relation = g_strdup (name);
    }
  else if (g_str_equal (key, "copy"))
    sp->copy = cl_yaml_get_strv (y, v);
  else
    cl_yaml_error (y, k, "unknown key '%s' in spawn (allowed: workflow, relation, copy)", key);
  return TRUE;
}

static CLSpawn *
parse_spawn (CLYaml *y, yaml_node_t *v, CLSpawn *old)
{
  CLSpawn *sp;

  if (old != NULL)
    return old;
  sp = g_new0 (CLSpawn, 1);
  sp->position = g_strdup_printf ("%s:%zu:%zu", y->file, v->start_mark.line + 1, v->start_mark.column + 1);
  if (!cl_yaml_is_map (v))
    cl_yaml_error (y, v, "spawn is a map: {workflow: NAME, relation: NAME, copy: [fields]}");
  else
    cl_yaml_map_foreach (y, v, spawn_key, sp);
  if (sp->workflow == NULL)
    cl_yaml_error (y, v, "spawn needs workflow: NAME");
  if (sp->relation == NULL)
    cl_yaml_error (y, v, "spawn needs relation: NAME (how the new case relates to this one)");
  if (sp->copy == NULL)
    sp->copy = g_new0 (char *, 1);
  return sp;
}

typedef struct {
  CLTransition *t;
  Ctx *ctx;
} TransCtx;

static gboolean
transition_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  TransCtx *tc = data;
  CLTransition *t = tc->t;

  g_hash_table_insert (tc->ctx->positions, g_strdup_printf ("transition:%s:%s", t->name, key), v);
  if (g_str_equal (key, "from"))
    {
      g_strfreev (t->from);
      t->from = cl_yaml_get_strv (y, v);
    }
  else if (g_str_equal (key, "to"))
    {
      const char *s = cl_yaml_get_string (y, v);
      g_free (t->to);
      t->to = g_strdup (s);
    }
  else if (g_str_equal (key, "by"))
    {
      g_strfreev (t->by);
      t->by = cl_yaml_get_strv (y, v);
    }
  else if (g_str_equal (key, "requires"))
    {
      g_strfreev (t->requires);
      t->requires = cl_yaml_get_strv (y, v);
    }
  else if (g_str_equal (key, "title"))
    {
      g_clear_pointer (&t->titles, g_hash_table_unref);
      t->titles = parse_titles (y, v);
    }
  else if (g_str_equal (key, "basis"))
    {
      const char *b = cl_yaml_get_string (y, v);
      g_free (t->basis);
      t->basis = g_strdup (b);
    }
  else if (g_str_equal (key, "when"))
    {
      cl_condition_free (t->when);
      t->when = cl_condition_parse (y, v, tc->ctx->wf);
    }
  else if (g_str_equal (key, "extend"))
    {
      yaml_node_t *in = NULL;
      if (cl_yaml_is_map (v))
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
          {
            const char *ek = cl_yaml_scalar (cl_yaml_node (y, p->key));
            if (g_strcmp0 (ek, "in") == 0)
              in = cl_yaml_node (y, p->value);
            else if (g_strcmp0 (ek, "once") == 0)
              cl_yaml_get_bool (y, cl_yaml_node (y, p->value), &t->extend_once);
            else
              cl_yaml_error (y, cl_yaml_node (y, p->key), "unknown key '%s' in extend (allowed: in, once)",
                             ek ? ek : "?");
          }
      if (in == NULL)
        cl_yaml_error (y, v, "extend is a map: {in: N UNIT}");
      else
        t->has_extend = parse_amount (y, in, &t->extend_n, &t->extend_unit);
    }
  else if (g_str_equal (key, "spawn"))
    t->spawn = parse_spawn (y, v, t->spawn);
  else if (g_str_equal (key, "guards"))
    {
      g_clear_pointer (&t->guards, g_ptr_array_unref);
      t->guards = parse_hook_refs (y, v, "guard");
    }
  else if (g_str_equal (key, "actions"))
    {
      g_clear_pointer (&t->actions, g_ptr_array_unref);
      t->actions = parse_hook_refs (y, v, "action");
    }
  else
    unknown_key (y, k, key, "a transition",
                 "from, to, by, requires, title, basis, when, extend, spawn, guards, actions");
  return TRUE;
}

static gboolean
parse_transition (CLYaml *y, yaml_node_t *k, const char *name, yaml_node_t *v, gpointer data)
{
  Ctx *ctx = data;
  TransCtx tc = { NULL, ctx };
  CLTransition *t;

  if (!check_name (y, k, name, "transition"))
    return TRUE;
  if (!cl_yaml_is_map (v))
    {
      cl_yaml_error (y, v, "transition '%s' must be a map such as {from: a, to: b, by: [role]}", name);
      return TRUE;
    }
  t = g_new0 (CLTransition, 1);
  t->name = g_strdup (name);
  tc.t = t;
  cl_yaml_map_foreach (y, v, transition_key, &tc);
  g_ptr_array_add (ctx->wf->transitions, t);
  g_hash_table_insert (ctx->wf->transition_index, t->name, t);
  g_hash_table_insert (ctx->positions, g_strconcat ("transition:", name, NULL), k);
  return TRUE;
}

/* ---- top level -------------------------------------------------------- */

static gboolean
top_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  Ctx *ctx = data;
  CLWorkflow *wf = ctx->wf;
  gint64 n;

  g_hash_table_insert (ctx->positions, g_strconcat ("top:", key, NULL), k);
  if (g_str_equal (key, "workflow"))
    {
      const char *s = cl_yaml_get_string (y, v);
      if (s != NULL && check_name (y, v, s, "workflow"))
        wf->name = g_strdup (s);
    }
  else if (g_str_equal (key, "version"))
    {
      if (cl_yaml_get_int (y, v, 1, G_MAXINT32, &n))
        wf->version = (guint) n;
    }
  else if (g_str_equal (key, "title"))
    {
      g_hash_table_unref (wf->titles);
      wf->titles = parse_titles (y, v);
    }
  else if (g_str_equal (key, "description"))
    {
      const char *s = cl_yaml_get_string (y, v);
      wf->description = g_strdup (s);
    }
  else if (g_str_equal (key, "id_prefix"))
    {
      const char *s = cl_yaml_get_string (y, v);
      gboolean ok = s != NULL && g_ascii_isupper (s[0]) && strlen (s) <= 8;
      for (const char *c = s; ok && *c; c++)
        ok = g_ascii_isupper (*c) || g_ascii_isdigit (*c);
      if (s != NULL && !ok)
        cl_yaml_error (y, v, "id_prefix '%s' must be 1 to 8 capital letters or digits, starting with a letter", s);
      else if (s != NULL)
        wf->id_prefix = g_strdup (s);
    }
  else if (g_str_equal (key, "created_by"))
    wf->created_by = cl_yaml_get_strv (y, v);
  else if (g_str_equal (key, "fields"))
    {
      if (cl_yaml_is_map (v))
        cl_yaml_map_foreach (y, v, parse_field, ctx);
      else
        cl_yaml_error (y, v, "fields must be a map of field name to definition");
    }
  else if (g_str_equal (key, "states"))
    ctx->states_node = v;
  else if (g_str_equal (key, "transitions"))
    ctx->transitions_node = v;
  else if (g_str_equal (key, "actions"))
    {
      g_clear_pointer (&wf->actions, g_ptr_array_unref);
      wf->actions = parse_hook_refs (y, v, "action");
    }
  else
    unknown_key (y, k, key, "a workflow",
                 "workflow, version, title, description, id_prefix, created_by, actions, fields, states, transitions");
  return TRUE;
}

static yaml_node_t *
pos (Ctx *ctx, const char *key)
{
  return g_hash_table_lookup (ctx->positions, key);
}

static void
check_reachability (Ctx *ctx)
{
  CLWorkflow *wf = ctx->wf;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) todo = g_queue_new ();

  if (wf->initial == NULL)
    return;
  g_hash_table_add (seen, wf->initial->name);
  g_queue_push_tail (todo, wf->initial->name);
  while (!g_queue_is_empty (todo))
    {
      const char *st = g_queue_pop_head (todo);
      for (guint i = 0; i < wf->transitions->len; i++)
        {
          CLTransition *t = g_ptr_array_index (wf->transitions, i);
          if (t->to != NULL && !t->to_previous && cl_transition_leaves (t, st) && cl_workflow_state (wf, t->to) != NULL
              && g_hash_table_add (seen, t->to))
            g_queue_push_tail (todo, t->to);
        }
    }
  for (guint i = 0; i < wf->states->len; i++)
    {
      CLState *s = g_ptr_array_index (wf->states, i);
      g_autofree char *key = g_strconcat ("state:", s->name, NULL);
      gboolean has_exit = FALSE;

      if (!g_hash_table_contains (seen, s->name))
        cl_yaml_error (ctx->y, pos (ctx, key), "state '%s' cannot be reached from the initial state '%s'",
                       s->name, wf->initial->name);
      for (guint j = 0; j < wf->transitions->len && !has_exit; j++)
        has_exit = cl_transition_leaves (g_ptr_array_index (wf->transitions, j), s->name);
      if (!s->final && !has_exit)
        cl_yaml_error (ctx->y, pos (ctx, key), "state '%s' is not final and no transition leaves it", s->name);
      if (s->final && has_exit)
        cl_yaml_error (ctx->y, pos (ctx, key), "state '%s' is final but a transition leaves it", s->name);
    }
}

static void
check_deadline (Ctx *ctx, CLState *s)
{
  CLYaml *y = ctx->y;
  CLDeadlineSpec *d = s->deadline;
  g_autofree char *key = g_strdup_printf ("state:%s:deadline", s->name);
  yaml_node_t *node = pos (ctx, key);
  const char *cal = d->calendar ? d->calendar : (ctx->opts ? ctx->opts->default_calendar : NULL);

  if (s->final)
    cl_yaml_error (y, node, "final state '%s' cannot have a deadline", s->name);
  if (s->pauses_clock)
    cl_yaml_error (y, node, "state '%s' pauses the clock, so it cannot have a deadline of its own", s->name);
  if (d->from != NULL)
    {
      const CLField *f = cl_workflow_field (ctx->wf, d->from);
      if (f == NULL)
        cl_yaml_error (y, node, "deadline of '%s' counts from unknown field '%s' (use entered or a date field)", s->name, d->from);
      else if (f->type != CL_FIELD_DATE)
        cl_yaml_error (y, node, "deadline of '%s' counts from '%s', a %s field; it must be a date field", s->name,
                       d->from, cl_field_type_to_string (f->type));
    }
  if (d->on_expire != NULL)
    {
      const CLTransition *t = cl_workflow_transition (ctx->wf, d->on_expire);
      if (t == NULL)
        cl_yaml_error (y, node, "on_expire of '%s' names unknown transition '%s'", s->name, d->on_expire);
      else if (!cl_transition_leaves (t, s->name))
        cl_yaml_error (y, node, "on_expire of '%s' names transition '%s', which does not leave '%s'", s->name,
                       d->on_expire, s->name);
    }
  if (cal != NULL && ctx->opts != NULL && ctx->opts->calendars != NULL
      && !g_hash_table_contains (ctx->opts->calendars, cal))
    cl_yaml_error (y, node, "deadline of '%s' uses unknown calendar '%s'", s->name, cal);
  if (d->has_warn && d->warn_unit == d->unit && d->warn_n >= d->n)
    cl_yaml_error (y, node, "warn_before of '%s' (%d %s) is not shorter than the deadline itself", s->name,
                   d->warn_n, cl_deadline_unit_to_string (d->warn_unit));
}

/* A procedure has tens of states; the checks below grow with states ×
 * transitions, so a file far past these is refused before them. */
#define MAX_STATES 1000
#define MAX_TRANSITIONS 5000
#define MAX_FIELDS 1000

static void
validate (Ctx *ctx, yaml_node_t *root)
{
  CLYaml *y = ctx->y;
  CLWorkflow *wf = ctx->wf;

  if (wf->states->len > MAX_STATES || wf->transitions->len > MAX_TRANSITIONS || wf->fields->len > MAX_FIELDS)
    {
      cl_yaml_error (y, root, "too large: %u states, %u transitions, %u fields (at most %d, %d and %d)",
                     wf->states->len, wf->transitions->len, wf->fields->len, MAX_STATES, MAX_TRANSITIONS, MAX_FIELDS);
      return;
    }

  if (wf->name == NULL && pos (ctx, "top:workflow") == NULL)
    cl_yaml_error (y, root, "missing key 'workflow' (the workflow's name)");
  if (wf->version == 0 && pos (ctx, "top:version") == NULL)
    cl_yaml_error (y, root, "missing key 'version'");
  if (wf->id_prefix == NULL && pos (ctx, "top:id_prefix") == NULL)
    cl_yaml_error (y, root, "missing key 'id_prefix' (e.g. FX for case ids FX-2026-000001)");
  if (ctx->states_node == NULL)
    cl_yaml_error (y, root, "missing key 'states'");
  if (ctx->transitions_node == NULL)
    cl_yaml_error (y, root, "missing key 'transitions'");

  for (guint i = 0; i < wf->states->len; i++)
    {
      CLState *s = g_ptr_array_index (wf->states, i);
      g_autofree char *key = g_strconcat ("state:", s->name, NULL);

      if (s->initial)
        {
          if (wf->initial != NULL)
            cl_yaml_error (y, pos (ctx, key), "state '%s' is a second initial state ('%s' is one already)",
                           s->name, wf->initial->name);
          else
            wf->initial = s;
        }
      if (s->initial && s->final)
        cl_yaml_error (y, pos (ctx, key), "state '%s' cannot be both initial and final", s->name);
      if (s->deadline != NULL)
        check_deadline (ctx, s);
      if (s->pauses_clock && (s->initial || s->final))
        cl_yaml_error (y, pos (ctx, key), "state '%s' cannot pause the clock: it is %s", s->name,
                       s->initial ? "initial" : "final");
      if (s->holder != NULL)
        {
          const CLField *f = cl_workflow_field (wf, s->holder);
          if (f != NULL && f->type != CL_FIELD_AGENCY)
            cl_yaml_error (y, pos (ctx, key), "holder '%s' of state '%s' is a %s field; it must be an agency field",
                           s->holder, s->name, cl_field_type_to_string (f->type));
          s->holder_is_field = f != NULL;
        }
    }
  if (ctx->states_node != NULL && wf->states->len == 0)
    cl_yaml_error (y, ctx->states_node, "a workflow needs states, one of them initial: true");
  else if (ctx->states_node != NULL && wf->initial == NULL)
    cl_yaml_error (y, ctx->states_node, "no state has initial: true");

  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);
      g_autofree char *tkey = g_strconcat ("transition:", t->name, NULL);
      g_autofree char *from_key = g_strdup_printf ("transition:%s:from", t->name);
      g_autofree char *to_key = g_strdup_printf ("transition:%s:to", t->name);
      g_autofree char *req_key = g_strdup_printf ("transition:%s:requires", t->name);
      g_autofree char *by_key = g_strdup_printf ("transition:%s:by", t->name);

      if (t->from == NULL && pos (ctx, from_key) == NULL)
        cl_yaml_error (y, pos (ctx, tkey), "transition '%s' has no 'from'", t->name);
      if (t->to == NULL && pos (ctx, to_key) == NULL)
        cl_yaml_error (y, pos (ctx, tkey), "transition '%s' has no 'to'", t->name);
      if ((t->by == NULL || t->by[0] == NULL) && pos (ctx, by_key) == NULL)
        cl_yaml_error (y, pos (ctx, tkey), "transition '%s' has no 'by' (the roles that may fire it)", t->name);
      else if (t->by != NULL && t->by[0] == NULL)
        cl_yaml_error (y, pos (ctx, by_key), "transition '%s' has an empty 'by': nobody could fire it", t->name);
      if (t->from != NULL && t->from[0] == NULL)
        cl_yaml_error (y, pos (ctx, from_key), "transition '%s' has an empty 'from'", t->name);
      for (char **s = t->from; s != NULL && *s != NULL; s++)
        if (cl_workflow_state (wf, *s) == NULL)
          cl_yaml_error (y, pos (ctx, from_key), "transition '%s' leaves unknown state '%s'", t->name, *s);
      if (g_strcmp0 (t->to, "$previous") == 0)
        t->to_previous = TRUE;
      else if (t->to != NULL && cl_workflow_state (wf, t->to) == NULL)
        cl_yaml_error (y, pos (ctx, to_key), "transition '%s' goes to unknown state '%s'", t->name, t->to);
      if (t->has_extend)
        {
          gboolean any_deadline = FALSE;
          for (char **f = t->from; f != NULL && *f != NULL; f++)
            {
              const CLState *fs = cl_workflow_state (wf, *f);
              any_deadline |= fs != NULL && (fs->deadline != NULL || fs->pauses_clock);
            }
          if (!any_deadline && t->from != NULL)
            cl_yaml_error (y, pos (ctx, tkey), "transition '%s' extends a deadline, but none of its from-states has one", t->name);
        }
      if (t->spawn != NULL)
        for (char **f = t->spawn->copy; *f != NULL; f++)
          if (cl_workflow_field (wf, *f) == NULL)
            cl_yaml_error (y, pos (ctx, tkey), "transition '%s' spawns a case copying unknown field '%s'", t->name, *f);
      for (char **s = t->requires; s != NULL && *s != NULL; s++)
        if (cl_workflow_field (wf, *s) == NULL)
          cl_yaml_error (y, pos (ctx, req_key), "transition '%s' requires unknown field '%s'", t->name, *s);
      for (char **s = t->by; s != NULL && *s != NULL; s++)
        if (!cl_name_is_valid (*s))
          cl_yaml_error (y, pos (ctx, by_key), "invalid role name '%s'", *s);
    }
  if (wf->created_by != NULL && wf->created_by[0] == NULL)
    cl_yaml_error (y, pos (ctx, "top:created_by"), "created_by is empty: nobody could create a case (leave it out to let any actor)");
  for (char **s = wf->created_by; s != NULL && *s != NULL; s++)
    if (!cl_name_is_valid (*s))
      cl_yaml_error (y, pos (ctx, "top:created_by"), "invalid role name '%s'", *s);

  if (y->errors->len == 0)
    check_reachability (ctx);
}

CLWorkflow *
cl_workflow_load_data (const char *file, const char *data, gsize len, const CLLoadOptions *opts, GPtrArray *errors)
{
  CLYaml y = { 0 };
  g_autoptr(CLWorkflow) wf = NULL;
  g_autoptr(GHashTable) positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Ctx ctx = { &y, opts, NULL, NULL, NULL, positions };
  yaml_node_t *root;
  gboolean ok;

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
      cl_yaml_error (&y, root, "a workflow file must be a map with keys workflow, version, states, transitions…");
      goto done;
    }
  wf = cl_workflow_new ();
  ctx.wf = wf;
  cl_yaml_map_foreach (&y, root, top_key, &ctx);
  if (cl_yaml_is_map (ctx.states_node))
    cl_yaml_map_foreach (&y, ctx.states_node, parse_state, &ctx);
  else if (ctx.states_node != NULL)
    cl_yaml_error (&y, ctx.states_node, "states must be a map of state name to definition");
  if (cl_yaml_is_map (ctx.transitions_node))
    cl_yaml_map_foreach (&y, ctx.transitions_node, parse_transition, &ctx);
  else if (ctx.transitions_node != NULL)
    cl_yaml_error (&y, ctx.transitions_node, "transitions must be a map of transition name to definition");
  validate (&ctx, root);

done:
  ok = y.errors->len == 0;
  for (guint i = 0; i < y.errors->len; i++)
    g_ptr_array_add (errors, g_strdup (g_ptr_array_index (y.errors, i)));
  cl_yaml_clear (&y);
  if (!ok)
    return NULL;
  wf->source_path = g_strdup (file);
  wf->source = g_strndup (data, len);
  return g_steal_pointer (&wf);
}

/* Workflow files are small; anything larger than this is a mistake. */
#define MAX_WORKFLOW_FILE (4 * 1024 * 1024)

CLWorkflow *
cl_workflow_load_file (const char *path, const CLLoadOptions *opts, GPtrArray *errors)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!cl_yaml_read_file (path, MAX_WORKFLOW_FILE, &data, &len, errors))
    return NULL;
  return cl_workflow_load_data (path, data, len, opts, errors);
}

/* Line of a top-level key, for errors found after parsing. */
static guint
top_key_line (const char *source, const char *key)
{
  gsize klen = strlen (key);
  guint line = 1;

  for (const char *p = source; *p != '\0'; p++)
    {
      if ((p == source || p[-1] == '\n') && strncmp (p, key, klen) == 0 && p[klen] == ':')
        return line;
      if (*p == '\n')
        line++;
    }
  return 1;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GHashTable *
cl_workflow_load_dirs (const char *const *dirs, const CLLoadOptions *opts, GPtrArray *errors)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) cl_workflow_unref);
  g_autoptr(GHashTable) prefixes = g_hash_table_new (g_str_hash, g_str_equal);

  for (const char *const *d = dirs; d != NULL && *d != NULL; d++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *entry;

      dir = g_dir_open (*d, 0, NULL);
      if (dir == NULL)
        continue;
      while ((entry = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (entry, ".yaml") && entry[0] != '.')
          g_ptr_array_add (names, g_strdup (entry));
      g_ptr_array_sort (names, compare_strings);

      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (*d, g_ptr_array_index (names, i), NULL);
          CLWorkflow *wf;

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          wf = cl_workflow_load_file (path, opts, errors);
          if (wf == NULL)
            continue;
          {
            CLWorkflow *other = g_hash_table_lookup (prefixes, wf->id_prefix);
            CLWorkflow *old = g_hash_table_lookup (set, wf->name);
            if (other != NULL && !g_str_equal (other->name, wf->name))
              {
                g_ptr_array_add (errors, g_strdup_printf ("%s:%u:1: id_prefix '%s' is already used by workflow '%s' (%s)",
                                                          path, top_key_line (wf->source, "id_prefix"),
                                                          wf->id_prefix, other->name, other->source_path));
                cl_workflow_unref (wf);
                continue;
              }
            /* A later directory overrides by name: forget the earlier one's prefix. */
            if (old != NULL)
              g_hash_table_remove (prefixes, old->id_prefix);
          }
          g_hash_table_replace (set, wf->name, wf);
          g_hash_table_insert (prefixes, wf->id_prefix, wf);
        }
    }
  cl_workflow_check_set (set, errors);
  return set;
}

static gboolean
check_spawns (CLWorkflow *wf, GHashTable *set, GPtrArray *errors)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);
      CLWorkflow *target;

      if (t->spawn == NULL)
        continue;
      target = g_hash_table_lookup (set, t->spawn->workflow);
      if (target == NULL)
        {
          g_ptr_array_add (errors, g_strdup_printf ("%s: transition '%s' spawns a case of unknown workflow '%s'",
                                                    t->spawn->position, t->name, t->spawn->workflow));
          ok = FALSE;
          continue;
        }
      for (guint j = 0; j < target->fields->len; j++)
        {
          CLField *f = g_ptr_array_index (target->fields, j);
          if (f->required && !g_strv_contains ((const char *const *) t->spawn->copy, f->name))
            {
              g_ptr_array_add (errors, g_strdup_printf ("%s: transition '%s' spawns a %s case but does not copy its required field '%s'",
                                                        t->spawn->position, t->name, target->name, f->name));
              ok = FALSE;
            }
        }
      for (char **c = t->spawn->copy; *c != NULL; c++)
        {
          const CLField *dst = cl_workflow_field (target, *c);
          const CLField *src = cl_workflow_field (wf, *c);
          if (dst == NULL)
            {
              g_ptr_array_add (errors, g_strdup_printf ("%s: transition '%s' copies '%s', which workflow %s does not have",
                                                        t->spawn->position, t->name, *c, target->name));
              ok = FALSE;
            }
          else if (src != NULL && src->type != dst->type)
            {
              g_ptr_array_add (errors, g_strdup_printf ("%s: transition '%s' copies '%s' (%s) into a %s field of %s",
                                                        t->spawn->position, t->name, *c, cl_field_type_to_string (src->type),
                                                        cl_field_type_to_string (dst->type), target->name));
              ok = FALSE;
            }
        }
    }
  return ok;
}

void
cl_workflow_check_set (GHashTable *set, GPtrArray *errors)
{
  gboolean changed = TRUE;

  /* Removing one workflow can break the spawns of another: repeat. */
  while (changed)
    {
      GHashTableIter it;
      gpointer value;

      changed = FALSE;
      g_hash_table_iter_init (&it, set);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (!check_spawns (value, set, errors))
          {
            g_hash_table_iter_remove (&it);
            changed = TRUE;
            break;
          }
    }
}

/* ---- plugin hooks named by a workflow ---------------------------------- */

static gboolean
check_hook_list (const CLWorkflow *wf, GPtrArray *refs, const char *kind, const char *where, GHashTable *hooks,
                 GPtrArray *errors)
{
  gboolean ok = TRUE;

  for (guint i = 0; refs != NULL && i < refs->len; i++)
    {
      CLHookRef *ref = refs->pdata[i];
      gpointer found = NULL;
      const char *is;

      if (!g_hash_table_lookup_extended (hooks, ref->name, NULL, &found))
        {
          g_ptr_array_add (errors, g_strdup_printf ("%s: %s names %s '%s', which no loaded plugin provides (unknown hook)",
                                                    ref->position, where, kind, ref->name));
          ok = FALSE;
          continue;
        }
      is = found;
      if (is != NULL && !g_str_equal (is, kind))
        {
          g_ptr_array_add (errors, g_strdup_printf ("%s: %s names '%s' as %s %s, but that hook is %s %s",
                                                    ref->position, where, ref->name,
                                                    g_str_equal (kind, "action") ? "an" : "a", kind,
                                                    g_str_equal (is, "action") ? "an" : "a", is));
          ok = FALSE;
        }
    }
  return ok;
}

gboolean
cl_workflow_check_hooks (const CLWorkflow *wf, GHashTable *hooks, GPtrArray *errors)
{
  gboolean ok = TRUE;

  if (hooks == NULL)
    return TRUE;
  ok &= check_hook_list (wf, wf->actions, "action", "the workflow's creation", hooks, errors);
  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);
      g_autofree char *where = g_strdup_printf ("transition '%s'", t->name);

      ok &= check_hook_list (wf, t->guards, "guard", where, hooks, errors);
      ok &= check_hook_list (wf, t->actions, "action", where, hooks, errors);
    }
  return ok;
}
