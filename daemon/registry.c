/* registry.c — current workflow set, stored versions, calendars. */
#define G_LOG_DOMAIN "caselink"

#include "registry.h"
#include "workflow-loader.h"

#include <string.h>

/* Always there: a calendar that knows only weekends. */
#define BUILTIN_CALENDAR "weekends"

struct _CLRegistry {
  CLStore *store;
  GHashTable *current;     /* name -> CLWorkflow (newest from files) */
  GHashTable *versions;    /* "name\nversion" -> CLWorkflow (any version) */
  GHashTable *calendars;   /* name -> CLCalendar */
  gboolean probe;          /* check only, never write */
  GHashTable *hooks;       /* hook name -> kind of the loaded plugins (borrowed), or NULL */
};

static char *
version_key (const char *name, guint version)
{
  return g_strdup_printf ("%s\n%u", name, version);
}

static GHashTable *
calendar_table (void)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cl_calendar_unref);
  g_hash_table_insert (t, g_strdup (BUILTIN_CALENDAR), cl_calendar_new_weekends_only (BUILTIN_CALENDAR));
  return t;
}

CLRegistry *
cl_registry_new (CLStore *store)
{
  CLRegistry *reg = g_new0 (CLRegistry, 1);

  reg->store = store;
  reg->current = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) cl_workflow_unref);
  reg->versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cl_workflow_unref);
  reg->calendars = calendar_table ();
  return reg;
}

CLRegistry *
cl_registry_new_probe (CLStore *store)
{
  CLRegistry *reg = cl_registry_new (store);
  reg->probe = TRUE;
  return reg;
}

void
cl_registry_set_hooks (CLRegistry *reg, GHashTable *hooks)
{
  reg->hooks = hooks;
}

void
cl_registry_free (CLRegistry *reg)
{
  if (reg == NULL)
    return;
  g_hash_table_unref (reg->current);
  g_hash_table_unref (reg->versions);
  g_hash_table_unref (reg->calendars);
  g_free (reg);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* calendars/NAME.yaml of every directory; a later directory wins by name. */
static GHashTable *
load_calendars (const char *const *dirs, GPtrArray *errors)
{
  GHashTable *cals = calendar_table ();

  for (const char *const *d = dirs; d != NULL && *d != NULL; d++)
    {
      g_autofree char *cdir = g_build_filename (*d, "calendars", NULL);
      g_autoptr(GDir) dir = g_dir_open (cdir, 0, NULL);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *entry;

      if (dir == NULL)
        continue;
      while ((entry = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (entry, ".yaml") && entry[0] != '.')
          g_ptr_array_add (names, g_strdup (entry));
      g_ptr_array_sort (names, compare_strings);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (cdir, g_ptr_array_index (names, i), NULL);
          CLCalendar *cal = cl_calendar_load_file (path, errors);
          if (cal != NULL)
            g_hash_table_replace (cals, g_strdup (cl_calendar_name (cal)), cal);
        }
    }
  return cals;
}

/* A file may not change a version already stored: compare parsed
 * definitions, so comments and formatting do not count. */
static gboolean
matches_stored (CLRegistry *reg, CLWorkflow *wf, GPtrArray *errors, CLWorkflow **stored_out)
{
  g_autofree char *source = cl_store_workflow_source (reg->store, wf->name, wf->version, NULL);
  g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CLWorkflow) stored = NULL;
  g_autofree char *a = NULL, *b = NULL;

  *stored_out = NULL;
  if (source == NULL)
    return TRUE;
  stored = cl_workflow_load_data (wf->source_path, source, strlen (source), NULL, ignored);
  if (stored == NULL)
    return TRUE;   /* an unreadable stored copy cannot be compared; the file wins */
  a = cl_workflow_canonical (wf);
  b = cl_workflow_canonical (stored);
  if (g_str_equal (a, b))
    return TRUE;
  g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: workflow %s version %u differs from the definition stored under "
                                            "the same version; running cases depend on it: raise version to %u",
                                            wf->source_path, wf->name, wf->version, wf->version + 1));
  *stored_out = g_steal_pointer (&stored);
  return FALSE;
}

gboolean
cl_registry_load (CLRegistry *reg, const char *const *dirs, const char *default_calendar, gboolean strict,
                  GPtrArray *errors, GPtrArray *changed_calendars)
{
  guint before = errors->len;
  g_autoptr(GHashTable) cals = load_calendars (dirs, errors);
  CLLoadOptions opts = { cals, default_calendar };
  g_autoptr(GHashTable) set = NULL;
  g_autoptr(GHashTable) keep_stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              (GDestroyNotify) cl_workflow_unref);
  GHashTableIter it;
  gpointer key, value;

  set = cl_workflow_load_dirs (dirs, &opts, errors);
  /* plugins: a workflow naming a hook no loaded plugin provides is left out */
  if (reg->hooks != NULL)
    {
      gboolean removed = FALSE;
      g_hash_table_iter_init (&it, set);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (!cl_workflow_check_hooks (value, reg->hooks, errors))
          {
            g_hash_table_iter_remove (&it);
            removed = TRUE;
          }
      if (removed)
        cl_workflow_check_set (set, errors);
    }
  g_hash_table_iter_init (&it, set);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      CLWorkflow *stored = NULL;
      if (!matches_stored (reg, value, errors, &stored))
        {
          /* The stored definition keeps serving under that version. */
          if (stored != NULL)
            g_hash_table_insert (keep_stored, g_strdup (stored->name), stored);
          g_hash_table_iter_remove (&it);
        }
    }
  if ((strict && errors->len > before) || reg->probe)
    return errors->len == before;

  g_hash_table_iter_init (&it, keep_stored);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!g_hash_table_contains (set, key))
      g_hash_table_insert (set, ((CLWorkflow *) value)->name, cl_workflow_ref (value));

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

  if (changed_calendars != NULL)
    {
      g_hash_table_iter_init (&it, cals);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          CLCalendar *old = g_hash_table_lookup (reg->calendars, key);
          if (old != NULL && !g_str_equal (cl_calendar_digest (old), cl_calendar_digest (value)))
            g_ptr_array_add (changed_calendars, g_strdup (key));
        }
    }
  g_hash_table_unref (reg->calendars);
  reg->calendars = g_steal_pointer (&cals);

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
  g_autofree char *source = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autofree char *label = NULL;

  if (wf != NULL)
    return wf;
  /* Not loaded from a file this run: parse the stored definition. */
  source = cl_store_workflow_source (reg->store, name, version, NULL);
  if (source == NULL)
    return NULL;
  errors = g_ptr_array_new_with_free_func (g_free);
  label = g_strdup_printf ("stored:%s@%u", name, version);
  wf = cl_workflow_load_data (label, source, strlen (source), NULL, errors);
  if (wf == NULL)
    {
      g_warning ("the stored definition of %s version %u no longer loads: %s", name, version,
                 errors->len > 0 ? (char *) g_ptr_array_index (errors, 0) : "?");
      return NULL;
    }
  g_hash_table_insert (reg->versions, g_steal_pointer (&key), wf);
  return wf;
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

CLCalendar *
cl_registry_calendar (CLRegistry *reg, const char *name)
{
  return g_hash_table_lookup (reg->calendars, name);
}
