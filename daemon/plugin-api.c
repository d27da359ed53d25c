/* plugin-api.c — <caselink/case.h> over the daemon's internals: what a
 * hook may read and, inside an action, write. */
#define G_LOG_DOMAIN "caselink-plugins"

#include "plugin-case.h"
#include "cl-errors.h"
#include "engine.h"
#include "field-value.h"
#include "store.h"

#include <string.h>

#define DEFAULT_QUERY_LIMIT 100
#define MAX_QUERY_LIMIT 10000
#define MAX_KV_KEY 256
#define MAX_KV_VALUE (64 * 1024)

/* Errors of the daemon, as a plugin sees them. */
static void
to_sdk_error (GError *error)
{
  if (error == NULL || error->domain != CL_ERROR)
    return;
  error->domain = CASELINK_ERROR;
  switch ((CLError) error->code)
    {
    case CL_ERROR_NOT_FOUND: error->code = CASELINK_ERROR_NOT_FOUND; break;
    case CL_ERROR_INVALID_ARGS:
    case CL_ERROR_MISSING_FIELD: error->code = CASELINK_ERROR_INVALID; break;
    case CL_ERROR_PERMISSION_DENIED:
    case CL_ERROR_INVALID_TRANSITION:
    case CL_ERROR_REJECTED: error->code = CASELINK_ERROR_REJECTED; break;
    default: error->code = CASELINK_ERROR_FAILED; break;
    }
}

static gboolean
may_write (CaselinkCase *c, const char *what, GError **error)
{
  if (c != NULL && c->writable != NULL)
    return TRUE;
  g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_NOT_ALLOWED,
               "%s is only possible inside an action (a validator, guard or redactor only reads)", what);
  return FALSE;
}

static const CLCaseRecord *
record (CaselinkCase *c)
{
  return c->scope != NULL ? c->scope->rec : c->rec;
}

/* Takes a floating reference, so callers may pass g_variant_new_*() directly. */
static GVariant *
take (GVariant *v)
{
  return v != NULL ? g_variant_ref_sink (v) : NULL;
}

/* ---- the case ----------------------------------------------------------- */

const char *
caselink_case_get_id (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  const CLCaseRecord *rec = record (c);
  return rec != NULL ? rec->id : "";
}

const char *
caselink_case_get_workflow (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->wf != NULL ? c->wf->name : c->rec->workflow;
}

guint
caselink_case_get_workflow_version (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return c->wf != NULL ? c->wf->version : c->rec->version;
}

const char *
caselink_case_get_state (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->scope != NULL ? c->scope->state : c->rec->state;
}

const char *
caselink_case_get_next_state (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->scope != NULL ? c->scope->next_state : c->rec->state;
}

gint64
caselink_case_get_created (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, 0);
  const CLCaseRecord *rec = record (c);
  return rec != NULL ? rec->created : 0;
}

CaselinkPlugin *
caselink_case_get_plugin (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->plugin;
}

GVariant *
caselink_case_get_field (CaselinkCase *c, const char *name)
{
  g_return_val_if_fail (c != NULL, NULL);
  GVariant *v;

  if (name == NULL)
    return NULL;
  if (c->scope != NULL)
    {
      v = g_hash_table_lookup (c->scope->merged, name);
      v = v != NULL ? g_variant_ref (v) : NULL;
    }
  else
    v = g_variant_lookup_value (c->rec->fields, name, NULL);
  if (v != NULL && cl_field_value_is_empty (v))
    g_clear_pointer (&v, g_variant_unref);
  return v;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GVariant *
caselink_case_get_fields (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k, v;

  if (c->scope == NULL)
    return g_variant_ref (c->rec->fields);
  g_hash_table_iter_init (&it, c->scope->merged);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!cl_field_value_is_empty (v))
      g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < keys->len; i++)
    g_variant_builder_add (&b, "{sv}", (char *) keys->pdata[i], g_hash_table_lookup (c->scope->merged, keys->pdata[i]));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

const char *
caselink_case_get_domain (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  GVariant *v;

  if (c->scope == NULL)
    return c->rec->domain;
  v = g_hash_table_lookup (c->scope->merged, "domain");
  return v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ? g_variant_get_string (v, NULL) : "";
}

gboolean
caselink_case_field_is_pii (CaselinkCase *c, const char *name)
{
  g_return_val_if_fail (c != NULL, FALSE);
  const CLField *f = c->wf != NULL && name != NULL ? cl_workflow_field (c->wf, name) : NULL;
  return f != NULL && f->pii;
}

static gboolean
agency_ok (const char *id, gpointer data)
{
  CLDaemon *d = data;
  return d->actors == NULL || cl_actors_agency_known (d->actors, id);
}

gboolean
caselink_case_set_field (CaselinkCase *c, const char *name, GVariant *value, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  g_autoptr(GVariant) given = take (value);
  const CLField *f;
  GVariant *coerced;

  if (!may_write (c, "caselink_case_set_field", error))
    return FALSE;
  f = name != NULL ? cl_workflow_field (c->wf, name) : NULL;
  if (f == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_NOT_FOUND, "workflow %s has no field '%s'", c->wf->name,
                   name ? name : "(null)");
      return FALSE;
    }
  if (given == NULL)
    given = g_variant_ref_sink (g_variant_new_string (""));
  coerced = cl_field_coerce (f, given, agency_ok, c->d, error);
  if (coerced == NULL)
    {
      to_sdk_error (error ? *error : NULL);
      return FALSE;
    }
  if (f->required && cl_field_value_is_empty (coerced))
    {
      g_variant_unref (coerced);
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "required field '%s' cannot be emptied", name);
      return FALSE;
    }
  if (c->writable->set_fields == NULL)
    c->writable->set_fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_hash_table_replace (c->writable->set_fields, g_strdup (f->name), g_variant_ref (coerced));
  g_hash_table_replace (c->writable->merged, g_strdup (f->name), coerced);
  return TRUE;
}

gboolean
caselink_case_set_sealed (CaselinkCase *c, gboolean sealed, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  if (!may_write (c, "caselink_case_set_sealed", error))
    return FALSE;
  if (c->writable->rec == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "the case has no number yet: seal it in an action");
      return FALSE;
    }
  c->writable->rec->sealed = sealed;
  return TRUE;
}

gboolean
caselink_case_is_sealed (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, FALSE);
  const CLCaseRecord *rec = c->scope ? c->scope->rec : c->rec;
  return rec != NULL && rec->sealed;
}

/* ---- who is asking ------------------------------------------------------ */

const char *
caselink_case_get_actor_user (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->who->user;
}

const char *
caselink_case_get_actor_agency (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->who->agency;
}

guint32
caselink_case_get_actor_uid (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return c->who->uid;
}

gboolean
caselink_case_actor_has_role (CaselinkCase *c, const char *role)
{
  g_return_val_if_fail (c != NULL, FALSE);
  return role != NULL && cl_identity_has_role (c->who, role);
}

/* ---- time ---------------------------------------------------------------- */

gint64
caselink_case_get_now (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return cl_daemon_now (c->d);
}

gint64
caselink_case_get_year_start (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, 0);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (cl_daemon_now (c->d) / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, c->d->config.tz);
  g_autoptr(GDateTime) start = g_date_time_new (c->d->config.tz, g_date_time_get_year (local), 1, 1, 0, 0, 0);

  return g_date_time_to_unix (start) * G_USEC_PER_SEC;
}

/* ---- links and new cases ------------------------------------------------- */

GVariant *
caselink_case_get_links (CaselinkCase *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  const CLCaseRecord *rec = record (c);
  GVariant *links = NULL;

  if (rec != NULL && rec->seq != 0)
    links = cl_store_links (c->d->store, rec->seq, NULL);
  if (links == NULL)
    links = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ss)"), NULL, 0));
  return links;
}

gboolean
caselink_case_create (CaselinkCase *c, const char *workflow, GVariant *fields, char **new_id, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  g_autoptr(GVariant) given = take (fields);
  g_autoptr(CLCaseRecord) child = NULL;
  g_autofree char *comment = NULL;
  const CLHookScope *s;

  if (!may_write (c, "caselink_case_create", error))
    return FALSE;
  if (workflow == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "caselink_case_create: no workflow given");
      return FALSE;
    }
  if (given == NULL)
    given = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  if (!g_variant_is_of_type (given, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "caselink_case_create: fields must be a{sv}, not %s",
                   g_variant_get_type_string (given));
      return FALSE;
    }
  s = c->scope;
  if (s->rec != NULL)
    comment = g_strdup_printf ("opened by plugin %s from %s%s%s", c->plugin->name, s->rec->id,
                               s->t != NULL ? " by transition " : "", s->t != NULL ? s->t->name : "");
  else
    comment = g_strdup_printf ("opened by plugin %s", c->plugin->name);
  child = cl_engine_plugin_create (c->writable, workflow, given, comment, error);
  if (child == NULL)
    {
      to_sdk_error (error ? *error : NULL);
      return FALSE;
    }
  if (new_id != NULL)
    *new_id = g_strdup (child->id);
  return TRUE;
}

gboolean
caselink_case_link (CaselinkCase *c, const char *other_id, const char *relation, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  if (!may_write (c, "caselink_case_link", error))
    return FALSE;
  if (relation == NULL || !cl_name_is_valid (relation) || g_str_has_suffix (relation, "_of"))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID,
                   "invalid relation '%s': lowercase letters, digits and _, not ending in _of (that is the inverse)",
                   relation ? relation : "(null)");
      return FALSE;
    }
  if (other_id == NULL || c->scope->rec == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "caselink_case_link: no case to link");
      return FALSE;
    }
  if (!cl_engine_plugin_link (c->writable, other_id, relation, error))
    {
      to_sdk_error (error ? *error : NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- read-only queries ---------------------------------------------------- */

typedef struct {
  GVariant *equals;          /* a{sv}, canonical values */
  guint64 count;
  guint limit;               /* 0 = count only */
  GPtrArray *ids;
} Query;

/* A string that g_variant_print() writes verbatim inside quotes, so it can
 * narrow the rows by substring before the exact comparison. */
static gboolean
prints_verbatim (const char *s)
{
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '\'' || *p == '"' || *p == '\\')
      return FALSE;
  return *s != '\0';
}

static gboolean
query_visit (const char *id, GVariant *fields, gpointer data)
{
  Query *q = data;
  GVariantIter it;
  const char *name;
  GVariant *want;

  g_variant_iter_init (&it, q->equals);
  while (g_variant_iter_next (&it, "{&sv}", &name, &want))
    {
      g_autoptr(GVariant) w = want;
      g_autoptr(GVariant) have = g_variant_lookup_value (fields, name, NULL);
      gboolean same = have != NULL ? g_variant_equal (have, w) : cl_field_value_is_empty (w);
      if (!same)
        return TRUE;
    }
  q->count++;
  if (q->ids != NULL)
    g_ptr_array_add (q->ids, g_strdup (id));
  return q->limit == 0 || q->count < q->limit;
}

static gboolean
run_query (CaselinkCase *c, const char *workflow, GVariant *field_equals, gint64 created_since_us, Query *q,
           GError **error)
{
  g_autoptr(GVariant) equals = take (field_equals);
  g_autoptr(GPtrArray) needles = g_ptr_array_new ();
  CLWorkflow *wf;
  GVariantBuilder b;
  GVariantIter it;
  const char *name;
  GVariant *value;
  gboolean ok;

  wf = workflow != NULL ? cl_registry_newest (c->d->registry, workflow) : NULL;
  if (wf == NULL)
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_NOT_FOUND, "no workflow '%s'", workflow ? workflow : "(null)");
      return FALSE;
    }
  if (equals != NULL && !g_variant_is_of_type (equals, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "field_equals must be a{sv}, not %s",
                   g_variant_get_type_string (equals));
      return FALSE;
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (equals != NULL)
    {
      g_variant_iter_init (&it, equals);
      while (g_variant_iter_next (&it, "{&sv}", &name, &value))
        {
          g_autoptr(GVariant) v = value;
          const CLField *f = cl_workflow_field (wf, name);
          GVariant *coerced;

          if (f == NULL)
            {
              g_variant_builder_clear (&b);
              g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_NOT_FOUND, "workflow %s has no field '%s'", wf->name,
                           name);
              return FALSE;
            }
          coerced = cl_field_coerce (f, v, NULL, NULL, error);
          if (coerced == NULL)
            {
              g_variant_builder_clear (&b);
              to_sdk_error (error ? *error : NULL);
              return FALSE;
            }
          g_variant_builder_add (&b, "{sv}", name, coerced);
          g_variant_unref (coerced);
        }
    }
  q->equals = g_variant_ref_sink (g_variant_builder_end (&b));
  /* Strings to narrow the scan by; they point into q->equals, which
   * keeps its children alive (the iterated references are dropped). */
  g_variant_iter_init (&it, q->equals);
  while (g_variant_iter_next (&it, "{&sv}", &name, &value))
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) && prints_verbatim (g_variant_get_string (value, NULL)))
        g_ptr_array_add (needles, (gpointer) g_variant_get_string (value, NULL));
      g_variant_unref (value);
    }
  g_ptr_array_add (needles, NULL);
  ok = cl_store_scan_cases (c->d->store, wf->name, created_since_us, (const char *const *) needles->pdata, query_visit,
                            q, error);
  g_clear_pointer (&q->equals, g_variant_unref);
  if (!ok)
    to_sdk_error (error ? *error : NULL);
  return ok;
}

gboolean
caselink_query_count (CaselinkCase *c, const char *workflow, GVariant *field_equals, gint64 created_since_us,
                      guint64 *count, GError **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  Query q = { 0 };

  if (!run_query (c, workflow, field_equals, created_since_us, &q, error))
    return FALSE;
  if (count != NULL)
    *count = q.count;
  return TRUE;
}

char **
caselink_query_list (CaselinkCase *c, const char *workflow, GVariant *field_equals, gint64 created_since_us,
                     guint limit, GError **error)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Query q = { 0 };

  q.limit = limit == 0 ? DEFAULT_QUERY_LIMIT : MIN (limit, MAX_QUERY_LIMIT);
  q.ids = ids;
  if (!run_query (c, workflow, field_equals, created_since_us, &q, error))
    return NULL;
  g_ptr_array_add (ids, NULL);
  g_ptr_array_set_free_func (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/* ---- the plugin's own key-value store ------------------------------------ */

static gboolean
kv_key_ok (const char *key, GError **error)
{
  gsize n = key != NULL ? strlen (key) : 0;

  if (n == 0 || n > MAX_KV_KEY || !g_utf8_validate (key, -1, NULL))
    {
      g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "a key is 1 to %d bytes of UTF-8", MAX_KV_KEY);
      return FALSE;
    }
  return TRUE;
}

GVariant *
caselink_kv_get (CaselinkCase *c, const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GVariant *v;

  if (c == NULL || c->plugin == NULL || !kv_key_ok (key, NULL))
    return NULL;
  text = cl_store_kv_get (c->d->store, c->plugin->name, key, &error);
  if (text == NULL)
    {
      if (error != NULL)
        g_warning ("plugin %s: reading key '%s': %s", c->plugin->name, key, error->message);
      return NULL;
    }
  v = g_variant_parse (NULL, text, NULL, NULL, NULL);
  if (v == NULL)
    g_warning ("plugin %s: key '%s' holds unreadable text", c->plugin->name, key);
  return v != NULL ? g_variant_take_ref (v) : NULL;
}

gboolean
caselink_kv_set (CaselinkCase *c, const char *key, GVariant *value, GError **error)
{
  g_autoptr(GVariant) v = take (value);
  g_autofree char *text = NULL;

  if (!may_write (c, "caselink_kv_set", error) || !kv_key_ok (key, error))
    return FALSE;
  if (v != NULL)
    {
      text = g_variant_print (v, TRUE);
      if (strlen (text) > MAX_KV_VALUE)
        {
          g_set_error (error, CASELINK_ERROR, CASELINK_ERROR_INVALID, "value of key '%s' too large (at most %d bytes as text)",
                       key, MAX_KV_VALUE);
          return FALSE;
        }
    }
  if (!cl_store_kv_set (c->d->store, c->plugin->name, key, text, error))
    {
      to_sdk_error (error ? *error : NULL);
      return FALSE;
    }
  return TRUE;
}
