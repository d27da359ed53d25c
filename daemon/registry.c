/* registry.c — current workflow set and stored versions. */
#define G_LOG_DOMAIN "caselink"

#include "registry.h"
#include "workflow-loader.h"

#include <string.h>

struct _CLRegistry {
  CLStore *store;
  GHashTable *current;     /* name -> CLWorkflow (newest from files) */
  GHashTable *versions;    /* "name\nversion" -> CLWorkflow (any version) */
};

static char *
version_key (const char *name, guint version)
{
  return g_strdup_printf ("%s\n%u", name, version);
}

CLRegistry *
cl_registry_new (CLStore *store)
{
  CLRegistry *reg = g_new0 (CLRegistry, 1);

  reg->store = store;
  reg->current = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) cl_workflow_unref);
  reg->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cl_workflow_unref);
  return reg;
}

void
cl_registry_free (CLRegistry *reg)
{
  if (reg == NULL)
    return;
  g_hash_table_unref (reg->current);
  g_hash_table_unref (reg->versions);
  g_free (reg);
}

gboolean
cl_registry_load (CLRegistry *reg, const char *const *dirs, gboolean strict, GPtrArray *errors)
{
  guint before = errors->len;
  g_autoptr(GHashTable) set = cl_workflow_load_dirs (dirs, errors);
  GHashTableIter it;
  gpointer value;

  if (strict && errors->len > before)
    return FALSE;

  /* Record each definition so cases can outlive its file. */
  g_hash_table_iter_init (&it, set);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      CLWorkflow *wf = value;
      g_autoptr(GError) err = NULL;

      if (!cl_store_put_workflow (reg->store, wf->name, wf->version, wf->source, wf->source_path, &err))
        {
          g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: %s", wf->source_path, err->message));
          if (strict)
            return FALSE;
        }
      g_hash_table_replace (reg->versions, version_key (wf->name, wf->version), cl_workflow_ref (wf));
    }
  g_hash_table_remove_all (reg->current);
  g_hash_table_iter_init (&it, set);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_hash_table_insert (reg->current, ((CLWorkflow *) value)->name, cl_workflow_ref (value));
  return errors->len == before;
}

CLWorkflow *
cl_registry_newest (CLRegistry *reg, const char *name)
{
  return g_hash_table_lookup (reg->current, name);
}

CLWorkflow *
cl_registry_version (CLRegistry *reg, const char *name, guint version)
{
  g_autofree char *key = version_key (name, version);
  CLWorkflow *wf = g_hash_table_lookup (reg->versions, key);
  g_autoptr(GVariant) rows = NULL;
  GVariantIter it;
  const char *row_name, *source, *path;
  guint32 row_version;

  if (wf != NULL)
    return wf;
  /* Not loaded from a file this run: parse the stored definition. */
  rows = cl_store_workflows (reg->store, NULL);
  if (rows == NULL)
    return NULL;
  g_variant_iter_init (&it, rows);
  while (g_variant_iter_next (&it, "(&su&s&s)", &row_name, &row_version, &source, &path))
    {
      g_autoptr(GPtrArray) errors = NULL;
      g_autofree char *label = NULL;

      if (row_version != version || !g_str_equal (row_name, name))
        continue;
      errors = g_ptr_array_new_with_free_func (g_free);
      label = g_strdup_printf ("stored:%s@%u", name, version);
      wf = cl_workflow_load_data (label, source, strlen (source), errors);
      if (wf == NULL)
        {
          g_warning ("the stored definition of %s version %u no longer loads: %s", name, version,
                     errors->len > 0 ? (char *) g_ptr_array_index (errors, 0) : "?");
          return NULL;
        }
      g_hash_table_insert (reg->versions, g_steal_pointer (&key), wf);
      return wf;
    }
  return NULL;
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(CLWorkflow *const *) a)->name, (*(CLWorkflow *const *) b)->name);
}

GPtrArray *
cl_registry_list (CLRegistry *reg)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, reg->current);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, by_name);
  return list;
}
