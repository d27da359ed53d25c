/* store-cache.c — the cases read or written most recently, as stored.
 *
 * Reading a case costs a SELECT, a read lock and parsing its fields; a change
 * reads its case two or three times, and Get or Transitions once per call.
 * caselinkd is the only writer while it runs and every write of a case goes
 * through cl_store_insert_case/cl_store_update_case, which refresh the entry;
 * any rollback empties the cache, so it never holds what the file does not.
 */
#define G_LOG_DOMAIN "caselink-store"

#include "store-private.h"
#include "field-value.h"

/* Enough for every case a busy deployment touches in a few seconds; when
 * full the cache starts again (simpler than LRU, and as rare). */
#define CASE_CACHE_MAX 4096

typedef struct {
  CLCaseRecord *rec;
  char *fields_text;  /* exactly as in the row, to compare before an update */
  GHashTable *filled; /* cl_case_cache_filled(), made on first use */
} Entry;

struct _CLCaseCache {
  GHashTable *by_seq;  /* &entry->rec->seq -> Entry (owned) */
  GHashTable *by_id;   /* entry->rec->id -> Entry */
};

static void
entry_free (gpointer data)
{
  Entry *e = data;

  cl_case_record_free (e->rec);
  g_free (e->fields_text);
  g_clear_pointer (&e->filled, g_hash_table_unref);
  g_free (e);
}

CLCaseCache *
cl_case_cache_new (void)
{
  CLCaseCache *cache = g_new0 (CLCaseCache, 1);

  cache->by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, entry_free);
  cache->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  return cache;
}

void
cl_case_cache_free (CLCaseCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_destroy (cache->by_id);
  g_hash_table_destroy (cache->by_seq);
  g_free (cache);
}

void
cl_case_cache_clear (CLCaseCache *cache)
{
  g_hash_table_remove_all (cache->by_id);
  g_hash_table_remove_all (cache->by_seq);
}

void
cl_case_cache_forget (CLCaseCache *cache, gint64 seq)
{
  Entry *e = g_hash_table_lookup (cache->by_seq, &seq);

  if (e == NULL)
    return;
  g_hash_table_remove (cache->by_id, e->rec->id);
  g_hash_table_remove (cache->by_seq, &seq);
}

void
cl_case_cache_put (CLCaseCache *cache, const CLCaseRecord *rec, const char *fields_text)
{
  Entry *e;

  g_return_if_fail (rec->seq > 0 && rec->id != NULL && fields_text != NULL);
  cl_case_cache_forget (cache, rec->seq);
  if (g_hash_table_size (cache->by_seq) >= CASE_CACHE_MAX)
    cl_case_cache_clear (cache);
  e = g_new0 (Entry, 1);
  e->rec = cl_case_record_copy (rec);
  e->fields_text = g_strdup (fields_text);
  g_hash_table_insert (cache->by_seq, &e->rec->seq, e);
  g_hash_table_insert (cache->by_id, e->rec->id, e);
}

const CLCaseRecord *
cl_case_cache_get_seq (CLCaseCache *cache, gint64 seq, const char **fields_text)
{
  Entry *e = g_hash_table_lookup (cache->by_seq, &seq);

  if (e == NULL)
    return NULL;
  if (fields_text != NULL)
    *fields_text = e->fields_text;
  return e->rec;
}

const CLCaseRecord *
cl_case_cache_get_id (CLCaseCache *cache, const char *id, const char **fields_text)
{
  Entry *e = g_hash_table_lookup (cache->by_id, id);

  if (e == NULL)
    return NULL;
  if (fields_text != NULL)
    *fields_text = e->fields_text;
  return e->rec;
}

/* The names of the fields that hold a value, borrowed from @fields: one
 * pass instead of a lookup per required field. */
static GHashTable *
filled_set (GVariant *fields)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);
  gsize n = fields != NULL ? g_variant_n_children (fields) : 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (fields, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);
      g_autoptr(GVariant) value = g_variant_get_variant (boxed);

      if (!cl_field_value_is_empty (value))
        g_hash_table_add (set, (gpointer) g_variant_get_string (key, NULL));
    }
  return set;
}

GHashTable *
cl_case_cache_filled (CLCaseCache *cache, const CLCaseRecord *rec)
{
  Entry *e = g_hash_table_lookup (cache->by_seq, &rec->seq);

  /* The same GVariant: the same version of the case (copies share it). */
  if (e == NULL || e->rec->fields != rec->fields)
    return filled_set (rec->fields);
  if (e->filled == NULL)
    e->filled = filled_set (e->rec->fields);
  return g_hash_table_ref (e->filled);
}
