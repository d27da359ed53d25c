/* engine.c — validation, roles and atomic changes of cases. */
#define G_LOG_DOMAIN "caselink-engine"

#include "engine.h"
#include "case-history.h"
#include "condition.h"
#include "deadline.h"
#include "durability.h"
#include "objects.h"
#include "plugin-hooks.h"
#include "scheduler.h"
#include "case-path.h"
#include "cl-errors.h"
#include "field-value.h"

#include <string.h>

typedef enum {
  JOB_CREATE,
  JOB_ADVANCE,
  JOB_UPDATE,
  JOB_COMMENT,
  JOB_LINK,
  JOB_QUERY_SEALED,
} JobKind;

typedef struct {
  JobKind kind;
  CLCall *call;
  char *workflow;
  char *id;
  char *transition;
  char *comment;
  GVariant *fields;
  /* results */
  GVariant *reply;
  GError *error;
  char *other_id;          /* JOB_LINK */
  char *relation;          /* JOB_LINK */
  CLCaseRecord *after;     /* the case as written */
  GPtrArray *signals;      /* sent after COMMIT */
} Job;

struct _CLEngine {
  CLDaemon *d;
  GQueue queue;
  guint idle_id;
};

static void
job_free (Job *job)
{
  g_free (job->workflow);
  g_free (job->id);
  g_free (job->transition);
  g_free (job->comment);
  g_clear_pointer (&job->fields, g_variant_unref);
  g_clear_pointer (&job->reply, g_variant_unref);
  g_clear_error (&job->error);
  g_free (job->other_id);
  g_free (job->relation);
  cl_case_record_free (job->after);
  g_ptr_array_unref (job->signals);
  g_free (job);
}

/* ---- helpers ---------------------------------------------------------- */

static gboolean
agency_ok (const char *id, gpointer data)
{
  CLDaemon *d = data;
  /* Without an actors file there is no list of agencies to check against. */
  return d->actors == NULL || cl_actors_agency_known (d->actors, id);
}

static char *
join_strv (const char *const *v)
{
  return g_strjoinv (", ", (char **) v);
}

/* Coerce every value of @given into @merged (owned name -> GVariant). */
static gboolean
coerce_into (CLDaemon *d, const CLWorkflow *wf, GVariant *given, GHashTable *merged, GVariantBuilder *changed,
             GError **error)
{
  g_autoptr(GHashTable) seen = NULL;
  GVariantIter it;
  const char *name;
  GVariant *value;

  if (g_variant_n_children (given) > CL_MAX_FIELDS_PER_CALL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "too many fields in one call (%zu, at most %d)",
                   g_variant_n_children (given), CL_MAX_FIELDS_PER_CALL);
      return FALSE;
    }
  /* Most calls set a field or none: no set to allocate for those. */
  if (g_variant_n_children (given) > 1)
    seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_variant_iter_init (&it, given);
  while (g_variant_iter_next (&it, "{&sv}", &name, &value))
    {
      const CLField *f = cl_workflow_field (wf, name);
      GVariant *v;

      if (f == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "unknown field '%.64s' in workflow '%s'", name, wf->name);
          g_variant_unref (value);
          return FALSE;
        }
      /* a dictionary with one key twice: which value was meant? */
      if (seen != NULL && !g_hash_table_add (seen, (gpointer) f->name))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "field '%s' is given twice", f->name);
          g_variant_unref (value);
          return FALSE;
        }
      v = cl_field_coerce (f, value, agency_ok, d, error);
      g_variant_unref (value);
      if (v == NULL)
        return FALSE;
      g_variant_builder_add_value (changed, g_variant_new_dict_entry (g_variant_new_string (name), g_variant_new_variant (v)));
      g_hash_table_replace (merged, g_strdup (f->name), v);
    }
  return TRUE;
}

/* The helpers below walk children by index: GVariant's format-string
 * calls ("{sv}") parse their format for every entry, which dominated a
 * transition's cost. */
static GHashTable *
fields_table (GVariant *fields)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  gsize n = g_variant_n_children (fields);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (fields, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry, 1);

      g_hash_table_replace (t, g_variant_dup_string (key, NULL), g_variant_get_variant (boxed));
    }
  return t;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Sorted by name, empty values dropped: one stored form per content. */
static GVariant *
fields_variant (GHashTable *t)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autofree GVariant **entries = NULL;
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, t);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!cl_field_value_is_empty (v))
      g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  /* one array of entries: a GVariantBuilder type-checks every addition */
  entries = g_new (GVariant *, keys->len + 1);
  for (guint i = 0; i < keys->len; i++)
    entries[i] = g_variant_new_dict_entry (g_variant_new_string (keys->pdata[i]),
                                           g_variant_new_variant (g_hash_table_lookup (t, keys->pdata[i])));
  return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), entries, keys->len));
}

static char *
field_string (GVariant *fields, const char *name)
{
  const char *s = NULL;
  if (g_variant_lookup (fields, name, "&s", &s))
    return g_strdup (s);
  return g_strdup ("");
}

/* field_string() of the table fields_table() made. */
static char *
table_string (GHashTable *t, const char *name)
{
  GVariant *v = g_hash_table_lookup (t, name);

  if (v != NULL && g_variant_is_of_type (v, G_VARIANT_TYPE_STRING))
    return g_strdup (g_variant_get_string (v, NULL));
  return g_strdup ("");
}

char *
cl_engine_holder (const CLWorkflow *wf, const char *state, GVariant *fields, const char *fallback)
{
  const CLState *st = cl_workflow_state (wf, state);

  if (st != NULL && st->holder != NULL)
    {
      if (!st->holder_is_field)
        return g_strdup (st->holder);
      {
        g_autofree char *v = field_string (fields, st->holder);
        if (*v != '\0')
          return g_steal_pointer (&v);
      }
    }
  return g_strdup (fallback ? fallback : "");
}

/* Every required field that is empty in @merged, or NULL. */
static char *
missing_required (const CLWorkflow *wf, GHashTable *merged, const char *const *only)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) missing = NULL;

  if (only != NULL)
    {
      for (const char *const *n = only; *n != NULL; n++)
        if (cl_field_value_is_empty (g_hash_table_lookup (merged, *n)))
          g_strv_builder_add (b, *n);
    }
  else
    for (guint i = 0; i < wf->fields->len; i++)
      {
        CLField *f = g_ptr_array_index (wf->fields, i);
        if (f->required && cl_field_value_is_empty (g_hash_table_lookup (merged, f->name)))
          g_strv_builder_add (b, f->name);
      }
  missing = g_strv_builder_end (b);
  return missing[0] != NULL ? join_strv ((const char *const *) missing) : NULL;
}

static void
fill_history_actor (CLHistoryRecord *h, const CLIdentity *who, const char *role, gint64 now)
{
  h->time = now;
  h->uid = who->uid;
  h->user = g_strdup (who->user);
  h->agency = g_strdup (who->agency);
  h->role = g_strdup (role ? role : "");
}

static gboolean
may_change (CLDaemon *d, const CLIdentity *who, GError **error)
{
  if (who->root)
    return TRUE;
  if (d->actors == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED,
                   "only root may change cases: no actors file is configured ([daemon] actors= in caselink.conf)");
      return FALSE;
    }
  if (!who->known)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED,
                   "user %s (uid %u) is not listed in the actors file, so holds no role", who->user, who->uid);
      return FALSE;
    }
  return TRUE;
}

/* Update, Comment and Link: the agency holding the case, or a caller with a
 * role of this workflow that sees all cases (a supervisor). */
static gboolean
may_change_case (CLDaemon *d, const CLIdentity *who, const CLCaseRecord *rec, const CLWorkflow *wf, GError **error)
{
  g_autoptr(GString) supervisors = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!may_change (d, who, error))
    return FALSE;
  if (who->root || (*who->agency != '\0' && g_strcmp0 (who->agency, rec->agency) == 0))
    return TRUE;
  for (guint i = 0; i < wf->transitions->len; i++)
    for (char **r = ((CLTransition *) g_ptr_array_index (wf->transitions, i))->by; r && *r; r++)
      if (cl_actors_role_sees_all (d->actors, *r) && g_hash_table_add (seen, *r))
        {
          if (g_strv_contains ((const char *const *) who->roles, *r))
            return TRUE;
          g_string_append_printf (supervisors, "%s%s", supervisors->len ? ", " : "", *r);
        }
  g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED,
               "case %s is held by %s: only that agency%s%s may change it", rec->id,
               *rec->agency ? rec->agency : "no agency", supervisors->len ? " or the roles " : "", supervisors->str);
  return FALSE;
}

/* ---- the changes ------------------------------------------------------ */

static void
queue_properties (CLEngine *engine, GPtrArray *signals, const CLCaseRecord *rec)
{
  g_autofree char *path = NULL;

  /* Signals go only to subscribers: with none, building one is waste. */
  if (g_hash_table_size (engine->d->subscribers) == 0)
    return;
  path = cl_case_path_for_id (rec->id);
  cl_signal_queue_add (signals, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                       g_variant_new ("(s@a{sv}@as)", CL_CASE_IFACE, cl_engine_changed_properties (engine->d, rec),
                                      g_variant_new_strv (NULL, 0)));
}

/* The case's fields become @merged, with the columns derived from them. */
static void
take_fields (CLCaseRecord *rec, GHashTable *merged)
{
  g_clear_pointer (&rec->fields, g_variant_unref);
  rec->fields = fields_variant (merged);
  g_free (rec->title);
  rec->title = table_string (merged, "title");
  g_free (rec->domain);
  rec->domain = table_string (merged, "domain");
}

/* plugins: after actions set fields, what the row derives from them. */
static void
refresh_from_fields (const CLWorkflow *wf, CLCaseRecord *rec, GHashTable *merged)
{
  take_fields (rec, merged);
  g_free (rec->agency);
  rec->agency = cl_engine_holder (wf, rec->state, rec->fields, rec->creator_agency);
}

/* Insert a new case of @wf from already coerced @fields (name -> value).
 * @parent: the change whose plugin action or spawn creates it, or NULL. */
static CLCaseRecord *
create_case (CLEngine *engine, CLWorkflow *wf, GHashTable *merged, GVariant *given, const CLIdentity *who,
             const char *role, const char *comment, GPtrArray *signals, const CLHookScope *parent, GError **error)
{
  CLDaemon *d = engine->d;
  g_autoptr(CLCaseRecord) rec = g_new0 (CLCaseRecord, 1);
  g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *path = NULL;
  g_auto(CLHookScope) scope = { 0 };
  gint64 number, now = cl_daemon_now (d);

  missing = missing_required (wf, merged, NULL);
  if (missing != NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MISSING_FIELD, "missing required fields: %s", missing);
      return NULL;
    }
  /* plugins: the validators of the case's domain, before a number is taken */
  cl_hook_scope_init (&scope, engine, NULL, wf, merged, who, role, NULL, NULL, signals, parent);
  scope.creating = TRUE;
  if (!cl_plugins_validate (d, &scope, error))
    return NULL;
  utc = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  local = g_date_time_to_timezone (utc, d->config.tz);
  if (!cl_store_next_number (d->store, wf->id_prefix, g_date_time_get_year (local), &number, error))
    return NULL;
  rec->id = g_strdup_printf ("%s-%d-%06" G_GINT64_FORMAT, wf->id_prefix, g_date_time_get_year (local), number);
  rec->workflow = g_strdup (wf->name);
  rec->version = wf->version;
  rec->state = g_strdup (wf->initial->name);
  rec->previous_state = g_strdup ("");
  rec->fields = fields_variant (merged);
  rec->title = field_string (rec->fields, "title");
  rec->domain = field_string (rec->fields, "domain");
  rec->creator_agency = g_strdup (who->agency);
  rec->agency = cl_engine_holder (wf, rec->state, rec->fields, who->agency);
  rec->created = rec->updated = now;
  if (!cl_store_insert_case (d->store, rec, error))
    return NULL;

  fill_history_actor (h, who, role, now);
  h->action = g_strdup ("created");
  h->to_state = g_strdup (rec->state);
  h->comment = g_strdup (comment ? comment : "");
  h->fields = g_variant_ref (given);
  if (!cl_store_append_history (d->store, rec, h, error))
    return NULL;
  /* plugins: the workflow's creation actions, on the inserted row after its
   * "created" entry (they may link it), before its deadline and final write */
  scope.rec = rec;
  if (!cl_plugins_act (d, &scope, error))
    return NULL;
  if (scope.set_fields != NULL)
    refresh_from_fields (wf, rec, merged);
  if (!cl_deadline_on_create (d, rec, wf, who, role, now, error)
      || !cl_store_update_case (d->store, rec, error))
    return NULL;

  path = cl_case_path_for_id (rec->id);
  cl_signal_queue_add (signals, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CaseCreated",
                       g_variant_new ("(sos)", rec->id, path, rec->workflow));
  return g_steal_pointer (&rec);
}

static gboolean
run_create (CLEngine *engine, Job *job, GError **error)
{
  CLDaemon *d = engine->d;
  const CLIdentity *who = cl_daemon_identify (d, job->call);
  CLWorkflow *wf = cl_registry_newest (d->registry, job->workflow);
  g_autoptr(GHashTable) merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_autoptr(GVariant) given = NULL;
  g_autofree char *path = NULL;
  const char *role = NULL;
  GVariantBuilder b;

  if (wf == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no workflow '%.64s' (caselinkctl workflows lists them)",
                   job->workflow);
      return FALSE;
    }
  if (!may_change (d, who, error))
    return FALSE;
  if (wf->created_by != NULL)
    {
      role = cl_identity_pick_role (who, (const char *const *) wf->created_by);
      if (role == NULL)
        {
          g_autofree char *roles = join_strv ((const char *const *) wf->created_by);
          g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED,
                       "creating a %s case needs one of the roles: %s", wf->name, roles);
          return FALSE;
        }
    }
  else if (who->roles[0] != NULL)
    role = who->roles[0];

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (!coerce_into (d, wf, job->fields, merged, &b, error))
    {
      g_variant_builder_clear (&b);
      return FALSE;
    }
  given = g_variant_ref_sink (g_variant_builder_end (&b));
  job->after = create_case (engine, wf, merged, given, who, role, "", job->signals, NULL, error);
  if (job->after == NULL)
    return FALSE;
  path = cl_case_path_for_id (job->after->id);
  job->reply = g_variant_ref_sink (g_variant_new ("(so)", job->after->id, path));
  return TRUE;
}

static CLCaseRecord *
load_case (CLDaemon *d, const char *id, CLWorkflow **wf_out, GError **error)
{
  CLCaseRecord *rec = cl_store_get_case (d->store, id, error);

  if (rec == NULL)
    return NULL;
  *wf_out = cl_registry_version (d->registry, rec->workflow, rec->version);
  if (*wf_out == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                   "case %s runs on workflow %s version %u, whose definition is not available", id,
                   rec->workflow, rec->version);
      cl_case_record_free (rec);
      return NULL;
    }
  return rec;
}

static gboolean
check_comment (const char *comment, GError **error)
{
  const char *p;

  if (g_utf8_strlen (comment, -1) > CL_MAX_COMMENT_CHARS)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "comment too long (at most %d characters)",
                   CL_MAX_COMMENT_CHARS);
      return FALSE;
    }
  /* As in text fields: a legal record's text has no terminal controls
   * (what caselinkctl prints of it could otherwise drive the terminal). */
  p = cl_text_find_control (comment, TRUE);
  if (p != NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "the comment contains a control character (U+%04X at byte %td); only newline, tab and "
                   "carriage return are allowed", (guint) (guchar) *p, p - comment);
      return FALSE;
    }
  return TRUE;
}

/* Link @a --relation--> @b and @b --relation_of--> @a, noted on both. */
static gboolean
link_cases (CLEngine *engine, CLCaseRecord *a, CLCaseRecord *b, const char *relation, const CLIdentity *who,
            const char *role, GError **error)
{
  CLDaemon *d = engine->d;
  g_autofree char *inverse = g_strconcat (relation, "_of", NULL);
  g_autofree char *note_a = g_strdup_printf ("linked: %s %s", relation, b->id);
  g_autofree char *note_b = g_strdup_printf ("linked: %s %s", inverse, a->id);
  gint64 now = cl_daemon_now (d);

  gboolean added = FALSE;

  if (!cl_store_add_link (d->store, a->seq, relation, b->seq, &added, error)
      || !cl_store_add_link (d->store, b->seq, inverse, a->seq, NULL, error))
    return FALSE;
  /* Linking twice changes nothing, and writes nothing. */
  if (!added)
    return TRUE;
  return cl_case_note (d->store, a, who, role, "link", note_a, now, error)
         && cl_case_note (d->store, b, who, role, "link", note_b, now, error);
}

/* The linked case that @t spawns, from @rec's fields. */
static gboolean
spawn_case (CLEngine *engine, CLCaseRecord *rec, const CLTransition *t, const CLIdentity *who, const char *role,
            GPtrArray *signals, const CLHookScope *parent, GError **error)
{
  CLDaemon *d = engine->d;
  CLWorkflow *target = cl_registry_newest (d->registry, t->spawn->workflow);
  g_autoptr(GHashTable) merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_autoptr(CLCaseRecord) child = NULL;
  g_autoptr(GVariant) given = NULL;
  g_autofree char *comment = NULL;
  GVariantBuilder b;

  if (target == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_REJECTED, "transition '%s' spawns a %s case, but that workflow is not loaded",
                   t->name, t->spawn->workflow);
      return FALSE;
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  for (char **f = t->spawn->copy; *f != NULL; f++)
    {
      g_autoptr(GVariant) v = g_variant_lookup_value (rec->fields, *f, NULL);
      const CLField *dst = cl_workflow_field (target, *f);
      g_autoptr(GError) local = NULL;
      GVariant *coerced;

      if (v == NULL || dst == NULL)
        continue;
      coerced = cl_field_coerce (dst, v, agency_ok, d, &local);
      if (coerced == NULL)
        {
          g_variant_builder_clear (&b);
          g_set_error (error, CL_ERROR, CL_ERROR_REJECTED, "cannot open the %s case: %s", target->name, local->message);
          return FALSE;
        }
      g_variant_builder_add (&b, "{sv}", *f, coerced);
      g_hash_table_replace (merged, g_strdup (*f), coerced);
    }
  given = g_variant_ref_sink (g_variant_builder_end (&b));
  comment = g_strdup_printf ("opened from %s by transition %s", rec->id, t->name);
  child = create_case (engine, target, merged, given, who, role, comment, signals, parent, error);
  if (child == NULL)
    {
      g_prefix_error (error, "cannot open the %s case: ", target->name);
      return FALSE;
    }
  return link_cases (engine, rec, child, t->spawn->relation, who, role, error)
         && cl_store_update_case (d->store, child, error);
}

/* Shared by advance, update and comment: merge @job->fields, check required
 * fields are not cleared, then the transition's requires and when, and
 * write the row, its history, its deadline and any spawned case. */
static gboolean
apply_change (CLEngine *engine, JobKind kind, CLCaseRecord *rec, CLWorkflow *wf, const CLIdentity *who,
              const char *role, const CLTransition *t, GVariant *fields, const char *comment, GPtrArray *signals,
              GError **error)
{
  CLDaemon *d = engine->d;
  g_autoptr(GHashTable) merged = fields_table (rec->fields);
  g_autoptr(CLHistoryRecord) h = g_new0 (CLHistoryRecord, 1);
  g_autofree char *cleared = NULL, *missing = NULL, *from_state = NULL;
  g_auto(CLHookScope) scope = { 0 };
  GVariantBuilder given;
  gint64 now = cl_daemon_now (d);
  const char *to = NULL;

  g_variant_builder_init (&given, G_VARIANT_TYPE_VARDICT);
  if (!coerce_into (d, wf, fields, merged, &given, error))
    {
      g_variant_builder_clear (&given);
      return FALSE;
    }
  h->fields = g_variant_ref_sink (g_variant_builder_end (&given));
  cleared = missing_required (wf, merged, NULL);
  if (cleared != NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MISSING_FIELD, "required fields cannot be empty: %s", cleared);
      return FALSE;
    }
  if (t != NULL)
    {
      if (t->requires != NULL)
        {
          missing = missing_required (wf, merged, (const char *const *) t->requires);
          if (missing != NULL)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MISSING_FIELD, "transition '%s' needs fields: %s", t->name, missing);
              return FALSE;
            }
        }
      if (t->when != NULL)
        {
          g_autoptr(GVariant) candidate = fields_variant (merged);
          g_autofree char *why = NULL;
          if (!cl_condition_eval (t->when, candidate, &why))
            {
              g_set_error (error, CL_ERROR, CL_ERROR_REJECTED, "transition '%s' refused: %s", t->name, why);
              return FALSE;
            }
        }
      to = t->to;
      if (t->to_previous)
        {
          to = rec->previous_state;
          if (to == NULL || *to == '\0' || cl_workflow_state (wf, to) == NULL)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_TRANSITION,
                           "transition '%s' returns to the previous state, but case %s has none", t->name, rec->id);
              return FALSE;
            }
        }
    }
  /* plugins: validators (when the call sets fields), then guards, after every other check */
  cl_hook_scope_init (&scope, engine, rec, wf, merged, who, role, t, to, signals, NULL);
  if ((g_variant_n_children (h->fields) > 0 && !cl_plugins_validate (d, &scope, error))
      || !cl_plugins_guard (d, &scope, error))
    return FALSE;

  from_state = g_strdup (rec->state);
  /* Without new values the stored fields (and what derives from them) stand. */
  if (g_variant_n_children (h->fields) > 0)
    take_fields (rec, merged);
  if (to != NULL && !g_str_equal (to, rec->state))
    {
      /* @to may be rec->previous_state itself ($previous): copy it first. */
      char *next = g_strdup (to);
      g_free (rec->previous_state);
      rec->previous_state = rec->state;
      rec->state = next;
    }
  g_free (rec->agency);
  rec->agency = cl_engine_holder (wf, rec->state, rec->fields, rec->creator_agency);
  rec->updated = now;

  fill_history_actor (h, who, role, now);
  h->action = g_strdup (kind == JOB_ADVANCE ? "transition" : kind == JOB_UPDATE ? "update" : "comment");
  h->transition = g_strdup (t ? t->name : "");
  h->from_state = g_strdup (from_state);
  h->to_state = g_strdup (rec->state);
  h->comment = g_strdup (comment ? comment : "");
  if (!cl_store_append_history (d->store, rec, h, error))
    return FALSE;
  /* plugins: the transition's actions, after its history entry, before its
   * deadline, spawn and row */
  if (!cl_plugins_act (d, &scope, error))
    return FALSE;
  if (scope.set_fields != NULL)
    refresh_from_fields (wf, rec, merged);
  if (t != NULL && !cl_deadline_on_transition (d, rec, wf, from_state, t, who, role, now, error))
    return FALSE;
  if (t != NULL && t->spawn != NULL && !spawn_case (engine, rec, t, who, role, signals, &scope, error))
    return FALSE;
  if (!cl_store_update_case (d->store, rec, error))
    return FALSE;

  if (t != NULL && g_hash_table_size (d->subscribers) > 0)
    {
      g_autofree char *path = cl_case_path_for_id (rec->id);
      cl_signal_queue_add (signals, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CaseAdvanced",
                           g_variant_new ("(sosss)", rec->id, path, t->name, from_state, rec->state));
    }
  queue_properties (engine, signals, rec);
  return TRUE;
}

static const CLTransition *
find_transition (CLWorkflow *wf, CLCaseRecord *rec, const char *name, GError **error)
{
  const CLTransition *t = cl_workflow_transition (wf, name);
  g_autoptr(GStrvBuilder) b = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *list = NULL;

  if (t != NULL && cl_transition_leaves (t, rec->state))
    return t;
  b = g_strv_builder_new ();
  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *o = g_ptr_array_index (wf->transitions, i);
      if (cl_transition_leaves (o, rec->state))
        g_strv_builder_add (b, o->name);
    }
  names = g_strv_builder_end (b);
  list = names[0] ? join_strv ((const char *const *) names) : g_strdup ("none (the case is closed)");
  if (t == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_TRANSITION,
                 "workflow %s has no transition '%.64s'; from state '%s' you can: %s", wf->name, name, rec->state,
                 list);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_TRANSITION,
                 "transition '%s' does not leave state '%s'; from there you can: %s", t->name, rec->state, list);
  return NULL;
}

static gboolean
run_advance (CLEngine *engine, Job *job, GError **error)
{
  CLDaemon *d = engine->d;
  const CLIdentity *who = cl_daemon_identify (d, job->call);
  CLWorkflow *wf = NULL;
  g_autoptr(CLCaseRecord) rec = load_case (d, job->id, &wf, error);
  const CLTransition *t;
  const char *role;

  if (rec == NULL || (t = find_transition (wf, rec, job->transition, error)) == NULL)
    return FALSE;
  if (!may_change (d, who, error))
    return FALSE;
  role = cl_identity_pick_role (who, (const char *const *) t->by);
  if (role == NULL)
    {
      g_autofree char *roles = join_strv ((const char *const *) t->by);
      g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED, "transition '%s' needs one of the roles: %s",
                   t->name, roles);
      return FALSE;
    }
  if (!check_comment (job->comment, error)
      || !apply_change (engine, JOB_ADVANCE, rec, wf, who, role, t, job->fields, job->comment, job->signals, error))
    return FALSE;
  job->reply = g_variant_ref_sink (g_variant_new ("(s)", rec->state));
  job->after = g_steal_pointer (&rec);
  return TRUE;
}

gboolean
cl_engine_fire_system (CLEngine *engine, CLCaseRecord *rec, const char *transition, GPtrArray *signals,
                       GError **error)
{
  CLDaemon *d = engine->d;
  CLWorkflow *wf = cl_registry_version (d->registry, rec->workflow, rec->version);
  g_autoptr(GVariant) none = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  const CLTransition *t;

  if (wf == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "the definition of %s version %u is not available",
                   rec->workflow, rec->version);
      return FALSE;
    }
  t = find_transition (wf, rec, transition, error);
  return t != NULL && apply_change (engine, JOB_ADVANCE, rec, wf, cl_system_identity (), "system", t, none,
                                    "fired on expiry of the deadline", signals, error);
}

static gboolean
run_update (CLEngine *engine, Job *job, GError **error)
{
  CLDaemon *d = engine->d;
  const CLIdentity *who = cl_daemon_identify (d, job->call);
  CLWorkflow *wf = NULL;
  g_autoptr(CLCaseRecord) rec = load_case (d, job->id, &wf, error);

  if (rec == NULL || !may_change_case (d, who, rec, wf, error) || !check_comment (job->comment, error))
    return FALSE;
  if (job->kind == JOB_UPDATE && g_variant_n_children (job->fields) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "no fields given to update");
      return FALSE;
    }
  if (job->kind == JOB_COMMENT && *g_strstrip (job->comment) == '\0')
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "the comment is empty");
      return FALSE;
    }
  if (!apply_change (engine, job->kind, rec, wf, who, who->roles[0], NULL, job->fields, job->comment, job->signals,
                     error))
    return FALSE;
  job->after = g_steal_pointer (&rec);
  return TRUE;
}

static gboolean
run_link (CLEngine *engine, Job *job, GError **error)
{
  CLDaemon *d = engine->d;
  const CLIdentity *who = cl_daemon_identify (d, job->call);
  CLWorkflow *wf = NULL, *other_wf = NULL;
  g_autoptr(CLCaseRecord) rec = load_case (d, job->id, &wf, error);
  g_autoptr(CLCaseRecord) other = NULL;

  if (rec == NULL || !may_change_case (d, who, rec, wf, error))
    return FALSE;
  if (!cl_name_is_valid (job->relation) || g_str_has_suffix (job->relation, "_of"))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                   "invalid relation '%.64s': at most 64 lowercase letters, digits and _, starting with a letter and "
                   "not ending in _of (that is the inverse)",
                   job->relation);
      return FALSE;
    }
  other = load_case (d, job->other_id, &other_wf, error);
  if (other == NULL)
    return FALSE;
  if (other->seq == rec->seq)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "a case cannot be linked to itself");
      return FALSE;
    }
  {
    guint64 before = rec->history_count;

    if (!link_cases (engine, rec, other, job->relation, who, who->roles[0], error))
      return FALSE;
    /* Already linked: nothing was written, nothing changes, nothing is announced. */
    if (rec->history_count == before)
      return TRUE;
  }
  rec->updated = other->updated = cl_daemon_now (d);
  if (!cl_store_update_case (d->store, rec, error) || !cl_store_update_case (d->store, other, error))
    return FALSE;
  queue_properties (engine, job->signals, rec);
  queue_properties (engine, job->signals, other);
  return TRUE;
}

/* ---- plugin actions (plugin-api.c) ------------------------------------ */

/* Cases created by actions whose creation actions create cases...: a
 * plugin bug, not a workload. */
#define MAX_PLUGIN_NESTING 8

CLCaseRecord *
cl_engine_plugin_create (const CLHookScope *scope, const char *workflow, GVariant *fields, const char *comment,
                         GError **error)
{
  CLEngine *engine = scope->engine;
  CLDaemon *d = engine->d;
  CLWorkflow *wf = cl_registry_newest (d->registry, workflow);
  g_autoptr(GHashTable) merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  g_autoptr(GVariant) given = NULL;
  GVariantBuilder b;
  guint depth = 0;

  for (const CLHookScope *s = scope; s != NULL; s = s->parent)
    depth++;
  if (depth >= MAX_PLUGIN_NESTING)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_REJECTED, "cases created by plugin actions nest more than %d deep",
                   MAX_PLUGIN_NESTING);
      return NULL;
    }
  if (wf == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no workflow '%.64s'", workflow);
      return NULL;
    }
  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (!coerce_into (d, wf, fields, merged, &b, error))
    {
      g_variant_builder_clear (&b);
      return NULL;
    }
  given = g_variant_ref_sink (g_variant_builder_end (&b));
  /* A creation that fails leaves nothing, even when the action that asked
   * for it goes on regardless: its rows are written before its own
   * actions run, so it gets a savepoint of its own. */
  {
    guint signals_before = scope->signals->len;
    g_autoptr(GError) local = NULL;
    CLCaseRecord *rec;

    if (!cl_store_savepoint (d->store, error))
      return NULL;
    rec = create_case (engine, wf, merged, given, scope->who, scope->role, comment, scope->signals, scope, &local);
    if (rec != NULL && cl_store_release (d->store, &local))
      return rec;
    g_clear_pointer (&rec, cl_case_record_free);
    g_ptr_array_set_size (scope->signals, signals_before);
    cl_store_rollback_savepoint (d->store, NULL);
    g_propagate_error (error, g_steal_pointer (&local));
    return NULL;
  }
}

gboolean
cl_engine_plugin_link (const CLHookScope *scope, const char *other_id, const char *relation, GError **error)
{
  CLEngine *engine = scope->engine;
  CLDaemon *d = engine->d;
  g_autoptr(CLCaseRecord) loaded = NULL;
  CLCaseRecord *other = NULL;
  CLWorkflow *other_wf = NULL;

  /* A case in the middle of its own change (this one, or one up the chain
   * of creations) is linked in memory: that change writes its row. */
  for (const CLHookScope *s = scope; s != NULL && other == NULL; s = s->parent)
    if (s->rec != NULL && g_strcmp0 (s->rec->id, other_id) == 0)
      other = s->rec;
  if (other == scope->rec)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "a case cannot be linked to itself");
      return FALSE;
    }
  if (other == NULL)
    {
      loaded = load_case (d, other_id, &other_wf, error);
      if (loaded == NULL)
        return FALSE;
      other = loaded;
    }
  if (!link_cases (engine, scope->rec, other, relation, scope->who, scope->role, error))
    return FALSE;
  if (loaded != NULL)
    {
      loaded->updated = cl_daemon_now (d);
      if (!cl_store_update_case (d->store, loaded, error))
        return FALSE;
      queue_properties (engine, scope->signals, loaded);
    }
  return TRUE;
}

static gboolean
run_query_sealed (CLEngine *engine, Job *job, GError **error)
{
  CLDaemon *d = engine->d;
  const CLIdentity *who = cl_daemon_identify (d, job->call);
  CLWorkflow *wf = NULL;
  g_autoptr(CLCaseRecord) rec = load_case (d, job->id, &wf, error);
  g_autofree char *note = NULL;
  g_autoptr(GVariant) fields = NULL;
  GVariant *history;
  const char *reason = g_strstrip (job->comment);

  if (rec == NULL)
    return FALSE;
  if (!rec->sealed)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "case %s is not sealed: read it as any other case", rec->id);
      return FALSE;
    }
  if (!cl_identity_has_role (who, CL_SEALING_ROLE))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PERMISSION_DENIED, "reading a sealed record needs the role %s",
                   CL_SEALING_ROLE);
      return FALSE;
    }
  if (g_utf8_strlen (reason, -1) < 2 || !check_comment (reason, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS,
                     "give the legal reason for reading a sealed record (it is recorded)");
      return FALSE;
    }
  note = g_strdup_printf ("sealed record read: %s", reason);
  if (!cl_case_note (d->store, rec, who, CL_SEALING_ROLE, "sealed_query", note, cl_daemon_now (d), error)
      || !cl_store_update_case (d->store, rec, error))
    return FALSE;
  history = cl_case_history_variant (d, rec, who, error);
  if (history == NULL)
    return FALSE;
  fields = cl_plugins_redact (d, rec, wf, who, rec->fields);
  job->reply = g_variant_ref_sink (g_variant_new ("(@a{sv})",
                                                  g_variant_new_parsed ("{'fields': <%@a{sv}>, 'history': <%@aa{sv}>}",
                                                                        fields, history)));
  return TRUE;
}

/* ---- queue and group commit ------------------------------------------- */

GVariant *
cl_engine_changed_properties (CLDaemon *d, const CLCaseRecord *rec)
{
  GVariantBuilder b;
  /* plugins: redacted for the most restrictive view (no user, no roles) until
   * signals are redacted per subscriber; a sealed record's content is read
   * only through QuerySealed, never announced */
  g_autoptr(GVariant) fields = rec->sealed
    ? g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0))
    : cl_plugins_redact (d, rec, cl_registry_version (d->registry, rec->workflow, rec->version), cl_plugins_no_one (),
                         rec->fields);

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "State", g_variant_new_string (rec->state));
  g_variant_builder_add (&b, "{sv}", "Title", g_variant_new_string (rec->title));
  g_variant_builder_add (&b, "{sv}", "Domain", g_variant_new_string (rec->domain));
  g_variant_builder_add (&b, "{sv}", "Agency", g_variant_new_string (rec->agency));
  g_variant_builder_add (&b, "{sv}", "Updated", g_variant_new_int64 (rec->updated));
  g_variant_builder_add (&b, "{sv}", "Deadline", g_variant_new_int64 (rec->deadline));
  g_variant_builder_add (&b, "{sv}", "Overdue", g_variant_new_boolean (rec->overdue));
  g_variant_builder_add (&b, "{sv}", "Fields", fields);
  /* Links are left out: which linked cases a subscriber may see differs per
   * subscriber, so it reads the property (annotated "false"). */
  return g_variant_builder_end (&b);
}

static gboolean
run_job (CLEngine *engine, Job *job, GError **error)
{
  switch (job->kind)
    {
    case JOB_CREATE: return run_create (engine, job, error);
    case JOB_ADVANCE: return run_advance (engine, job, error);
    case JOB_LINK: return run_link (engine, job, error);
    case JOB_QUERY_SEALED: return run_query_sealed (engine, job, error);
    default: return run_update (engine, job, error);
    }
}

/* Runs the first @max queued changes in one transaction. */
static void
flush_batch (CLEngine *engine, guint max)
{
  CLDaemon *d = engine->d;
  g_autoptr(GError) tx_error = NULL;
  GQueue batch = G_QUEUE_INIT;
  Job *job;
  gboolean any_ok = FALSE;

  while (batch.length < max && (job = g_queue_pop_head (&engine->queue)) != NULL)
    g_queue_push_tail (&batch, job);
  if (g_queue_is_empty (&batch))
    return;

  if (cl_store_begin (d->store, &tx_error))
    {
      for (GList *l = batch.head; l != NULL && tx_error == NULL; l = l->next)
        {
          gboolean ok;

          job = l->data;
          if (!cl_store_savepoint (d->store, &job->error))
            continue;
          /* a failed release rolls back; its signals must not go out */
          ok = run_job (engine, job, &job->error) && cl_store_release (d->store, &job->error);
          if (ok)
            any_ok = TRUE;
          else
            cl_store_rollback_savepoint (d->store, &tx_error);
          if (job->error != NULL)
            g_ptr_array_set_size (job->signals, 0);
          if (cl_store_durability (d->store) != NULL)
            cl_durability_poll (cl_store_durability (d->store));
        }
      /* Without the transaction every change of the batch is gone: each
       * caller hears tx_error below. */
      if (tx_error == NULL && any_ok)
        cl_store_commit (d->store, &tx_error);
      else
        cl_store_rollback (d->store);
    }
  if (tx_error != NULL)
    g_warning ("%s", tx_error->message);

  /* Replies only after COMMIT: a replied change is durable. */
  while ((job = g_queue_pop_head (&batch)) != NULL)
    {
      if (job->error == NULL && tx_error != NULL)
        job->error = g_error_copy (tx_error);
      if (job->error != NULL)
        cl_call_error (job->call, job->error);
      else
        {
          cl_call_return (job->call, g_steal_pointer (&job->reply));
          cl_daemon_emit_queue (d, job->signals);
        }
      job_free (job);
    }
  if (d->scheduler != NULL)
    cl_scheduler_rearm (d->scheduler);
}

void
cl_engine_flush (CLEngine *engine)
{
  if (engine->idle_id != 0)
    {
      g_source_remove (engine->idle_id);
      engine->idle_id = 0;
    }
  while (!g_queue_is_empty (&engine->queue))
    flush_batch (engine, CL_ENGINE_QUEUE_MAX);
}

static gboolean
flush_idle (gpointer data)
{
  CLEngine *engine = data;
  engine->idle_id = 0;
  flush_batch (engine, MAX (CL_ENGINE_GROUP_MIN, (engine->queue.length + 1) / 2));
  if (!g_queue_is_empty (&engine->queue))
    engine->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_idle, engine, NULL);
  return G_SOURCE_REMOVE;
}

static void
submit (CLEngine *engine, Job *job)
{
  g_queue_push_tail (&engine->queue, job);
  if (engine->queue.length >= CL_ENGINE_QUEUE_MAX)
    {
      cl_engine_flush (engine);
      return;
    }
  /* Idle priority: every call already read from the bus is queued first,
   * so callers that arrive together share one COMMIT. */
  if (engine->idle_id == 0)
    engine->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, flush_idle, engine, NULL);
}

static Job *
job_new (JobKind kind, CLCall *call, GVariant *fields)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->call = call;
  job->signals = cl_signal_queue_new ();
  job->fields = fields ? g_variant_ref (fields) : g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  return job;
}

void
cl_engine_create (CLEngine *engine, CLCall *call, const char *workflow, GVariant *fields)
{
  Job *job = job_new (JOB_CREATE, call, fields);
  job->workflow = g_strdup (workflow);
  submit (engine, job);
}

void
cl_engine_advance (CLEngine *engine, CLCall *call, const char *id, const char *transition, GVariant *fields,
                   const char *comment)
{
  Job *job = job_new (JOB_ADVANCE, call, fields);
  job->id = g_strdup (id);
  job->transition = g_strdup (transition);
  job->comment = g_strdup (comment);
  submit (engine, job);
}

void
cl_engine_update (CLEngine *engine, CLCall *call, const char *id, GVariant *fields, const char *comment)
{
  Job *job = job_new (JOB_UPDATE, call, fields);
  job->id = g_strdup (id);
  job->comment = g_strdup (comment);
  submit (engine, job);
}

void
cl_engine_comment (CLEngine *engine, CLCall *call, const char *id, const char *text)
{
  Job *job = job_new (JOB_COMMENT, call, NULL);
  job->id = g_strdup (id);
  job->comment = g_strdup (text);
  submit (engine, job);
}

void
cl_engine_link (CLEngine *engine, CLCall *call, const char *id, const char *other_id, const char *relation)
{
  Job *job = job_new (JOB_LINK, call, NULL);
  job->id = g_strdup (id);
  job->other_id = g_strdup (other_id);
  job->relation = g_strdup (relation);
  submit (engine, job);
}

void
cl_engine_query_sealed (CLEngine *engine, CLCall *call, const char *id, const char *reason)
{
  Job *job = job_new (JOB_QUERY_SEALED, call, NULL);
  job->id = g_strdup (id);
  job->comment = g_strdup (reason);
  submit (engine, job);
}

guint
cl_engine_pending (CLEngine *engine)
{
  return engine->queue.length;
}

CLEngine *
cl_engine_new (CLDaemon *d)
{
  CLEngine *engine = g_new0 (CLEngine, 1);
  engine->d = d;
  g_queue_init (&engine->queue);
  return engine;
}

void
cl_engine_free (CLEngine *engine)
{
  if (engine == NULL)
    return;
  cl_engine_flush (engine);
  g_free (engine);
}
