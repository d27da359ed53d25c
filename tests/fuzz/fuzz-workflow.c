/* fuzz-workflow.c — the YAML workflow loader (common/workflow-loader.c) on
 * arbitrary bytes: cl_workflow_load_data() as caselinkd and `caselinkctl
 * workflow validate` call it, then everything a loaded definition is used
 * for without a daemon: the canonical text, calendar use, set checks
 * (spawns) and the evaluation of every `when:` condition. */
#include "fuzz.h"

#include "condition.h"
#include "field-value.h"
#include "workflow-loader.h"

#include <string.h>

/* A plausible value of each field's type, so that conditions compare. */
static GVariant *
sample_value (const CLField *f)
{
  switch (f->type)
    {
    case CL_FIELD_INTEGER: return g_variant_new_int64 (5);
    case CL_FIELD_NUMBER: return g_variant_new_double (1000.5);
    case CL_FIELD_BOOLEAN: return g_variant_new_boolean (TRUE);
    case CL_FIELD_DATE: return g_variant_new_string ("2026-02-13");
    case CL_FIELD_LIST:
      {
        static const char *const items[] = { "low", "a" };
        return g_variant_new_strv (items, 2);
      }
    case CL_FIELD_ENUM: return g_variant_new_string (f->values && f->values[0] ? f->values[0] : "x");
    default: return g_variant_new_string ("low");
    }
}

/* A loaded definition cannot be much larger than its source: YAML aliases
 * may share nodes, but a loader that copies them per use (a condition
 * {all: [*a, *a]} repeated N times is 2^N conditions) is a "billion laughs"
 * a few hundred bytes long. The text of every condition must stay within
 * this many bytes per byte of input. */
#define MAX_EXPANSION 64

static void
exercise (CLWorkflow *wf, size_t source_size)
{
  g_autofree char *canonical = cl_workflow_canonical (wf);
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) cl_workflow_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  GVariantBuilder full, empty;
  g_autoptr(GVariant) full_v = NULL, empty_v = NULL;
  gsize described = 0;

  g_assert_nonnull (canonical);
  (void) cl_workflow_uses_calendar (wf, "cn", "cn");
  (void) cl_workflow_uses_calendar (wf, "other", NULL);
  (void) cl_titles_pick (wf->titles, "zh", wf->name);

  g_variant_builder_init (&full, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_init (&empty, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < wf->fields->len; i++)
    {
      const CLField *f = g_ptr_array_index (wf->fields, i);
      g_autoptr(GVariant) raw = g_variant_ref_sink (sample_value (f));
      g_autoptr(GVariant) v = cl_field_coerce (f, raw, NULL, NULL, NULL);
      if (v != NULL)
        g_variant_builder_add (&full, "{sv}", f->name, v);
    }
  full_v = g_variant_ref_sink (g_variant_builder_end (&full));
  empty_v = g_variant_ref_sink (g_variant_builder_end (&empty));

  for (guint i = 0; i < wf->transitions->len; i++)
    {
      const CLTransition *t = g_ptr_array_index (wf->transitions, i);
      (void) cl_transition_allows_role (t, "clerk");
      if (t->when != NULL)
        {
          g_autofree char *why1 = NULL, *why2 = NULL;
          g_autoptr(GString) text = g_string_new (NULL);
          cl_condition_describe (t->when, text);
          described += text->len;
          g_assert_cmpuint (described, <=, MAX_EXPANSION * source_size + 1024);
          (void) cl_condition_eval (t->when, full_v, &why1);
          (void) cl_condition_eval (t->when, empty_v, &why2);
        }
    }

  /* A set of one: spawns must then name this workflow itself. */
  g_hash_table_insert (set, wf->name, cl_workflow_ref (wf));
  cl_workflow_check_set (set, errors);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GHashTable) calendars = NULL;
  CLLoadOptions opts;
  CLWorkflow *wf;

  cl_fuzz_init ();
  errors = g_ptr_array_new_with_free_func (g_free);
  calendars = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (calendars, (gpointer) "cn");
  g_hash_table_add (calendars, (gpointer) "weekends");
  opts.calendars = calendars;
  opts.default_calendar = "cn";

  /* With and without load options: caselinkd passes them, the offline
   * validator may not. A file loads exactly when it has no error. */
  for (int pass = 0; pass < 2; pass++)
    {
      g_ptr_array_set_size (errors, 0);
      wf = cl_workflow_load_data ("fuzz.yaml", (const char *) data, size, pass ? &opts : NULL, errors);
      if (wf != NULL)
        {
          g_assert_cmpuint (errors->len, ==, 0);
          exercise (wf, size);
          cl_workflow_unref (wf);
        }
      else
        g_assert_cmpuint (errors->len, >, 0);
    }
  return 0;
}
