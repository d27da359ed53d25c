/* condition.c — parse and evaluate `when:` conditions. */
#include "condition.h"
#include "field-value.h"

#include <string.h>

typedef enum {
  COND_ALL,
  COND_ANY,
  COND_SET,
  COND_EQUALS,
  COND_IN,
  COND_GT,
  COND_GE,
  COND_LT,
  COND_LE,
} Kind;

static const char *const op_names[] = {
  [COND_ALL] = "all", [COND_ANY] = "any", [COND_SET] = "set", [COND_EQUALS] = "equals",
  [COND_IN] = "in", [COND_GT] = "gt", [COND_GE] = "ge", [COND_LT] = "lt", [COND_LE] = "le",
};

struct _CLCondition {
  Kind kind;
  const CLField *field;     /* borrowed from the workflow */
  gboolean want_set;
  GPtrArray *values;        /* GVariant*, canonical type */
  GPtrArray *children;      /* CLCondition* */
};

void
cl_condition_free (CLCondition *cond)
{
  if (cond == NULL)
    return;
  g_clear_pointer (&cond->values, g_ptr_array_unref);
  g_clear_pointer (&cond->children, g_ptr_array_unref);
  g_free (cond);
}

static GVariant *
constant (CLYaml *y, yaml_node_t *node, const CLField *f)
{
  const char *s = cl_yaml_scalar (node);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) in = NULL;
  CLField lenient;
  GVariant *v;

  if (s == NULL)
    {
      cl_yaml_error (y, node, "expected a single value to compare field '%s' with", f->name);
      return NULL;
    }
  /* Compare list fields element-wise, as strings. */
  lenient = *f;
  if (f->type == CL_FIELD_LIST)
    lenient.type = CL_FIELD_STRING;
  lenient.max = 0;
  in = g_variant_ref_sink (g_variant_new_string (s));
  v = cl_field_coerce (&lenient, in, NULL, NULL, &error);
  if (v == NULL)
    cl_yaml_error (y, node, "%s", error->message);
  return v;
}

/* all/any nest; an alias can make them nest forever, or (reused many
 * times) grow exponentially: both are bounded. */
#define MAX_CONDITION_DEPTH 32
#define MAX_CONDITION_NODES 256
/* ...and over a whole file, where one alias can be used in every transition
 * (each value of an in: list counts as a part). */
#define MAX_CONDITION_PARTS_PER_FILE 4096

static CLCondition *parse (CLYaml *y, yaml_node_t *node, const CLWorkflow *wf, guint depth, guint *budget);

static CLCondition *
parse_list (CLYaml *y, yaml_node_t *node, const CLWorkflow *wf, Kind kind, guint depth, guint *budget)
{
  CLCondition *c = g_new0 (CLCondition, 1);

  c->kind = kind;
  c->children = g_ptr_array_new_with_free_func ((GDestroyNotify) cl_condition_free);
  if (!cl_yaml_is_seq (node) || node->data.sequence.items.start == node->data.sequence.items.top)
    {
      cl_yaml_error (y, node, "%s takes a non-empty list of conditions", op_names[kind]);
      cl_condition_free (c);
      return NULL;
    }
  for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++)
    {
      CLCondition *child = parse (y, cl_yaml_node (y, *it), wf, depth + 1, budget);
      if (child == NULL)
        {
          cl_condition_free (c);
          return NULL;
        }
      g_ptr_array_add (c->children, child);
    }
  return c;
}

CLCondition *
cl_condition_parse (CLYaml *y, yaml_node_t *node, const CLWorkflow *wf)
{
  guint budget = MAX_CONDITION_NODES;
  return parse (y, node, wf, 0, &budget);
}

static CLCondition *
parse (CLYaml *y, yaml_node_t *node, const CLWorkflow *wf, guint depth, guint *budget)
{
  yaml_node_t *field_node = NULL, *op_key = NULL, *op_value = NULL;
  const CLField *f;
  CLCondition *c;
  int kind = -1;

  if (++y->condition_parts > MAX_CONDITION_PARTS_PER_FILE)
    {
      if (y->condition_parts == MAX_CONDITION_PARTS_PER_FILE + 1)
        cl_yaml_error (y, node, "the conditions of this file have more than %d parts in all "
                       "(aliases count each time they are used)", MAX_CONDITION_PARTS_PER_FILE);
      return NULL;
    }
  if (*budget == 0)
    {
      cl_yaml_error (y, node, "a condition may have at most %d parts (aliases count each time they are used)",
                     MAX_CONDITION_NODES);
      return NULL;
    }
  (*budget)--;
  if (depth > MAX_CONDITION_DEPTH)
    {
      cl_yaml_error (y, node, "conditions nested more than %d deep (or an alias that refers to itself)",
                     MAX_CONDITION_DEPTH);
      return NULL;
    }
  if (!cl_yaml_is_map (node))
    {
      cl_yaml_error (y, node, "a condition is a map such as {field: amount, gt: 1000} or {all: [...]}");
      return NULL;
    }
  for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
    {
      yaml_node_t *k = cl_yaml_node (y, p->key);
      const char *key = cl_yaml_scalar (k);
      int found = -1;

      if (key == NULL)
        {
          cl_yaml_error (y, k, "a key must be a plain name");
          return NULL;
        }
      if (g_str_equal (key, "field"))
        {
          field_node = cl_yaml_node (y, p->value);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
        if (g_str_equal (key, op_names[i]))
          found = (int) i;
      if (found < 0)
        {
          cl_yaml_error (y, k, "unknown condition '%s' (field with set, equals, in, gt, ge, lt, le; or all, any)", key);
          return NULL;
        }
      if (op_key != NULL)
        {
          cl_yaml_error (y, k, "one operator per condition; combine several with all: or any:");
          return NULL;
        }
      op_key = k;
      op_value = cl_yaml_node (y, p->value);
      kind = found;
    }
  if (op_key == NULL)
    {
      cl_yaml_error (y, node, "the condition has no operator");
      return NULL;
    }
  if (kind == COND_ALL || kind == COND_ANY)
    {
      if (field_node != NULL)
        {
          cl_yaml_error (y, field_node, "all/any take no field");
          return NULL;
        }
      return parse_list (y, op_value, wf, (Kind) kind, depth, budget);
    }
  if (field_node == NULL || cl_yaml_scalar (field_node) == NULL)
    {
      cl_yaml_error (y, field_node ? field_node : op_key, "the condition needs field: NAME");
      return NULL;
    }
  f = cl_workflow_field (wf, cl_yaml_scalar (field_node));
  if (f == NULL)
    {
      cl_yaml_error (y, field_node, "unknown field '%s'", cl_yaml_scalar (field_node));
      return NULL;
    }
  if ((kind == COND_GT || kind == COND_GE || kind == COND_LT || kind == COND_LE)
      && !(f->type == CL_FIELD_INTEGER || f->type == CL_FIELD_NUMBER || f->type == CL_FIELD_DATE))
    {
      cl_yaml_error (y, op_key, "%s compares integer, number or date fields; '%s' is a %s field", op_names[kind],
                     f->name, cl_field_type_to_string (f->type));
      return NULL;
    }

  c = g_new0 (CLCondition, 1);
  c->kind = (Kind) kind;
  c->field = f;
  c->values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  if (kind == COND_SET)
    {
      if (!cl_yaml_get_bool (y, op_value, &c->want_set))
        goto fail;
    }
  else if (kind == COND_IN)
    {
      if (!cl_yaml_is_seq (op_value) || op_value->data.sequence.items.start == op_value->data.sequence.items.top)
        {
          cl_yaml_error (y, op_value, "in takes a non-empty list of values");
          goto fail;
        }
      for (yaml_node_item_t *it = op_value->data.sequence.items.start; it < op_value->data.sequence.items.top; it++)
        {
          GVariant *v;

          if (++y->condition_parts > MAX_CONDITION_PARTS_PER_FILE)
            {
              cl_yaml_error (y, op_value, "the conditions of this file have more than %d parts in all "
                             "(aliases count each time they are used)", MAX_CONDITION_PARTS_PER_FILE);
              goto fail;
            }
          v = constant (y, cl_yaml_node (y, *it), f);
          if (v == NULL)
            goto fail;
          g_ptr_array_add (c->values, v);
        }
    }
  else
    {
      GVariant *v = constant (y, op_value, f);
      if (v == NULL)
        goto fail;
      g_ptr_array_add (c->values, v);
    }
  return c;
fail:
  cl_condition_free (c);
  return NULL;
}

/* -1, 0, 1 for comparable values of one canonical type. */
static int
compare (GVariant *a, GVariant *b)
{
  if (g_variant_is_of_type (a, G_VARIANT_TYPE_INT64) && g_variant_is_of_type (b, G_VARIANT_TYPE_INT64))
    {
      gint64 x = g_variant_get_int64 (a), y = g_variant_get_int64 (b);
      return x < y ? -1 : x > y;
    }
  if (g_variant_is_of_type (a, G_VARIANT_TYPE_DOUBLE) && g_variant_is_of_type (b, G_VARIANT_TYPE_DOUBLE))
    {
      double x = g_variant_get_double (a), y = g_variant_get_double (b);
      return x < y ? -1 : x > y;
    }
  if (g_variant_is_of_type (a, G_VARIANT_TYPE_STRING) && g_variant_is_of_type (b, G_VARIANT_TYPE_STRING))
    return g_strcmp0 (g_variant_get_string (a, NULL), g_variant_get_string (b, NULL));
  return g_variant_equal (a, b) ? 0 : 2;
}

static gboolean
matches_any (GVariant *value, GPtrArray *values)
{
  for (guint i = 0; i < values->len; i++)
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
        {
          const char *want = g_variant_get_string (values->pdata[i], NULL);
          g_autofree const char **items = g_variant_get_strv (value, NULL);
          if (g_strv_contains (items, want))
            return TRUE;
        }
      else if (compare (value, values->pdata[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
describe_values (const CLCondition *c, GString *out)
{
  if (c->kind == COND_IN)
    g_string_append_c (out, '[');
  for (guint i = 0; i < c->values->len; i++)
    {
      g_autofree char *t = g_variant_print (c->values->pdata[i], FALSE);
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, t);
    }
  if (c->kind == COND_IN)
    g_string_append_c (out, ']');
}

void
cl_condition_describe (const CLCondition *c, GString *out)
{
  if (c->kind == COND_ALL || c->kind == COND_ANY)
    {
      g_string_append_printf (out, "%s(", op_names[c->kind]);
      for (guint i = 0; i < c->children->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          cl_condition_describe (c->children->pdata[i], out);
        }
      g_string_append_c (out, ')');
      return;
    }
  g_string_append_printf (out, "%s %s ", c->field->name, op_names[c->kind]);
  if (c->kind == COND_SET)
    g_string_append (out, c->want_set ? "true" : "false");
  else
    describe_values (c, out);
}

gboolean
cl_condition_eval (const CLCondition *c, GVariant *fields, char **why)
{
  g_autoptr(GVariant) value = NULL;
  gboolean ok;

  if (c->kind == COND_ALL || c->kind == COND_ANY)
    {
      g_autoptr(GString) failures = g_string_new (NULL);
      for (guint i = 0; i < c->children->len; i++)
        {
          g_autofree char *child_why = NULL;
          gboolean r = cl_condition_eval (c->children->pdata[i], fields, &child_why);
          if (c->kind == COND_ALL && !r)
            {
              *why = g_steal_pointer (&child_why);
              return FALSE;
            }
          if (c->kind == COND_ANY && r)
            return TRUE;
          if (child_why != NULL)
            g_string_append_printf (failures, "%s%s", failures->len ? "; " : "", child_why);
        }
      if (c->kind == COND_ALL)
        return TRUE;
      *why = g_strdup_printf ("none of these holds: %s", failures->str);
      return FALSE;
    }

  value = g_variant_lookup_value (fields, c->field->name, NULL);
  if (c->kind == COND_SET)
    ok = (!cl_field_value_is_empty (value)) == c->want_set;
  else if (cl_field_value_is_empty (value))
    ok = FALSE;
  else if (c->kind == COND_EQUALS || c->kind == COND_IN)
    ok = matches_any (value, c->values);
  else
    {
      int cmp = compare (value, c->values->pdata[0]);
      ok = cmp != 2 && ((c->kind == COND_GT && cmp > 0) || (c->kind == COND_GE && cmp >= 0)
                        || (c->kind == COND_LT && cmp < 0) || (c->kind == COND_LE && cmp <= 0));
    }
  if (!ok)
    {
      g_autoptr(GString) s = g_string_new ("condition failed: ");
      g_autofree char *shown = value && !cl_field_value_is_empty (value) ? g_variant_print (value, FALSE)
                                                                         : g_strdup ("not set");
      cl_condition_describe (c, s);
      g_string_append_printf (s, " (%s is %s)", c->field->name, shown);
      *why = g_string_free (g_steal_pointer (&s), FALSE);
    }
  return ok;
}
