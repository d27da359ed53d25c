/* case-object.c — org.caselink.Case1: one fallback handler serves every
 * case path, reading the case from the store on each call, so memory does
 * not grow with the number of cases. */
#define G_LOG_DOMAIN "caselink"

#include "objects.h"
#include "case-path.h"
#include "cl-dbus-dict.h"
#include "cl-errors.h"
#include "reply-cache.h"
#include "engine.h"
#include "field-value.h"
#include "plugin-hooks.h"

/* The case behind the call's path; replies NotFound itself when there is none. */
/* @flush: commit what is queued first, so a reader sees the writes that
 * were sent before its call. A change needs no flush: it is queued behind
 * them and checked again inside the batch, and flushing there would defeat
 * group commit (every change would commit its predecessors alone). */
static CLCaseRecord *
case_for (CLDaemon *d, CLCall *call, gboolean flush, GError **error)
{
  g_autofree char *id = cl_case_path_unescape (cl_call_suffix (call));
  CLCaseRecord *rec;

  if (id == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no case at %s", cl_call_path (call));
      return NULL;
    }
  if (flush)
    cl_engine_flush (d->engine);
  rec = cl_store_get_case (d->store, id, error);
  /* A case the caller may not see answers exactly like a missing one. */
  if (rec != NULL && !cl_daemon_may_see (d, cl_daemon_identify (d, call), rec))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no case '%.64s'", id);
      g_clear_pointer (&rec, cl_case_record_free);
    }
  return rec;
}

static CLCaseRecord *
case_for_call (CLDaemon *d, CLCall *call, GError **error)
{
  return case_for (d, call, TRUE, error);
}

/* For changes: NotFound replied here when the caller may not see the case. */
static gboolean
visible_or_reply (CLDaemon *d, CLCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CLCaseRecord) rec = case_for (d, call, FALSE, &error);

  if (rec == NULL)
    {
      cl_call_error (call, error);
      return FALSE;
    }
  return TRUE;
}

static char *
id_for_call (CLCall *call)
{
  g_autofree char *id = cl_case_path_unescape (cl_call_suffix (call));
  return id != NULL ? g_steal_pointer (&id) : g_strdup (cl_call_suffix (call));
}

GVariant *
cl_case_links_variant (CLDaemon *d, GVariant *links, const CLIdentity *who)
{
  GVariantBuilder b;
  GVariantIter it;
  const char *relation, *id;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(sss)"));
  g_variant_iter_init (&it, links);
  while (g_variant_iter_next (&it, "(&s&s)", &relation, &id))
    {
      g_autofree char *path = NULL;

      /* A linked case the reader may not see is left out, not named. */
      if (who != NULL)
        {
          g_autoptr(CLCaseRecord) other = cl_store_get_case (d->store, id, NULL);
          if (other == NULL || !cl_daemon_may_see (d, who, other))
            continue;
        }
      path = cl_case_path_for_id (id);
      g_variant_builder_add (&b, "(sss)", relation, id, path);
    }
  return g_variant_builder_end (&b);
}

void
cl_case_properties (const CLCaseRecord *rec, const char *name, GVariantBuilder *b)
{
#define PROP(n, v) if (name == NULL || g_str_equal (name, n)) g_variant_builder_add (b, "{sv}", n, v)
  PROP ("Id", g_variant_new_string (rec->id));
  PROP ("Workflow", g_variant_new_string (rec->workflow));
  PROP ("WorkflowVersion", g_variant_new_uint32 (rec->version));
  PROP ("State", g_variant_new_string (rec->state));
  PROP ("Title", g_variant_new_string (rec->title));
  PROP ("Domain", g_variant_new_string (rec->domain));
  PROP ("Agency", g_variant_new_string (rec->agency));
  PROP ("Created", g_variant_new_int64 (rec->created));
  PROP ("Updated", g_variant_new_int64 (rec->updated));
  PROP ("Deadline", g_variant_new_int64 (rec->deadline));
  PROP ("Overdue", g_variant_new_boolean (rec->overdue));
  PROP ("Fields", rec->fields);
#undef PROP
}

static gboolean
case_properties (CLCall *call, const char *name, GVariantBuilder *b, gpointer data, GError **error)
{
  CLDaemon *d = data;
  g_autoptr(CLCaseRecord) rec = case_for_call (d, call, error);

  if (rec == NULL)
    return FALSE;
  /* plugins: the redactors of the case's domain decide which fields the caller sees */
  cl_plugins_redact_record (d, rec, cl_daemon_identify (d, call));
  /* A sealed record's content is read only through QuerySealed. */
  if (rec->sealed)
    {
      g_clear_pointer (&rec->fields, g_variant_unref);
      rec->fields = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
    }
  cl_case_properties (rec, name, b);
  if (name == NULL || g_str_equal (name, "Sealed"))
    g_variant_builder_add (b, "{sv}", "Sealed", g_variant_new_boolean (rec->sealed));
  if (name == NULL || g_str_equal (name, "Links"))
    {
      g_autoptr(GVariant) links = cl_store_links (d->store, rec->seq, error);
      if (links == NULL)
        return FALSE;
      g_variant_builder_add (b, "{sv}", "Links", cl_case_links_variant (d, links, cl_daemon_identify (d, call)));
    }
  return TRUE;
}

static void
link_case (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *other, *relation;
  g_autofree char *id = id_for_call (call);

  g_autoptr(CLCaseRecord) other_rec = NULL;

  if (!visible_or_reply (d, call))
    return;
  g_variant_get (args, "(&s&s)", &other, &relation);
  other_rec = cl_store_get_case (d->store, other, NULL);
  if (other_rec == NULL || !cl_daemon_may_see (d, cl_daemon_identify (d, call), other_rec))
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_NOT_FOUND), "no case '%.64s'", other);
      return;
    }
  cl_engine_link (d->engine, call, id, other, relation);
}

/* Changes go to the engine by id; it reports NotFound inside the batch. */
static void
advance (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *transition, *comment;
  g_autoptr(GVariant) fields = NULL;
  g_autofree char *id = id_for_call (call);

  g_autoptr(GVariant) t = NULL, c = NULL;

  if (!visible_or_reply (d, call))
    return;
  /* By child rather than through a format string: the hottest change. */
  t = g_variant_get_child_value (args, 0);
  fields = g_variant_get_child_value (args, 1);
  c = g_variant_get_child_value (args, 2);
  transition = g_variant_get_string (t, NULL);
  comment = g_variant_get_string (c, NULL);
  cl_engine_advance (d->engine, call, id, transition, fields, comment);
}

static void
update (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *comment;
  g_autoptr(GVariant) fields = NULL;
  g_autofree char *id = id_for_call (call);

  if (!visible_or_reply (d, call))
    return;
  g_variant_get (args, "(@a{sv}&s)", &fields, &comment);
  cl_engine_update (d->engine, call, id, fields, comment);
}

static void
comment (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *text;
  g_autofree char *id = id_for_call (call);

  if (!visible_or_reply (d, call))
    return;
  g_variant_get (args, "(&s)", &text);
  cl_engine_comment (d->engine, call, id, text);
}

static gboolean
transition_allowed (CLDaemon *d, const CLIdentity *who, const CLTransition *t)
{
  return (who->root || (d->actors != NULL && who->known))
         && cl_identity_pick_role (who, (const char *const *) t->by) != NULL;
}

/* The fields @t requires that the case has not filled, into @out. */
static void
collect_missing (const CLTransition *t, GHashTable *filled, GPtrArray *out)
{
  g_ptr_array_set_size (out, 0);
  for (char **f = t->requires; f != NULL && *f != NULL; f++)
    if (!g_hash_table_contains (filled, *f))
      g_ptr_array_add (out, *f);
}

static void
transitions (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CLCaseRecord) rec = case_for_call (d, call, &error);
  const CLIdentity *who = cl_daemon_identify (d, call);
  CLWorkflow *wf;
  DBusMessage *reply;
  DBusMessageIter iter, list;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autoptr(GHashTable) filled = NULL;
  g_autoptr(GString) key = NULL;
  gboolean ok;

  if (rec == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  wf = cl_registry_version (d->registry, rec->workflow, rec->version);
  if (wf == NULL)
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_FAILED),
                          "the definition of %s version %u is not available", rec->workflow, rec->version);
      return;
    }
  /* What the reply depends on, beyond the workflow version: the key of
   * the copy kept in d->replies. */
  key = g_string_new (NULL);
  g_string_append_printf (key, "%s\x1f%u\x1f%s\x1f%s", wf->name, wf->version, rec->state, d->config.language);
  for (guint i = 0; i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);

      if (!cl_transition_leaves (t, rec->state))
        continue;
      g_string_append_c (key, '\x1e');
      g_string_append_c (key, transition_allowed (d, who, t) ? '1' : '0');
      if (t->requires != NULL && *t->requires != NULL && filled == NULL)
        filled = cl_store_filled_fields (d->store, rec);
      collect_missing (t, filled, missing);
      for (guint m = 0; m < missing->len; m++)
        {
          g_string_append_c (key, '\x1f');
          g_string_append (key, missing->pdata[m]);
        }
    }
  reply = d->replies != NULL ? cl_reply_cache_reply (d->replies, key->str, cl_call_message (call)) : NULL;
  if (reply != NULL)
    {
      cl_call_return_message (call, reply);
      return;
    }

  /* Written straight into the reply: the most frequent read call. */
  reply = cl_call_new_return (call);
  dbus_message_iter_init_append (reply, &iter);
  ok = dbus_message_iter_open_container (&iter, DBUS_TYPE_ARRAY, "a{sv}", &list);
  for (guint i = 0; ok && i < wf->transitions->len; i++)
    {
      CLTransition *t = g_ptr_array_index (wf->transitions, i);
      DBusMessageIter dict;

      if (!cl_transition_leaves (t, rec->state))
        continue;
      /* as in the key above: only a reply not kept computes it again */
      collect_missing (t, filled, missing);
      g_ptr_array_add (missing, NULL);
      ok = dbus_message_iter_open_container (&list, DBUS_TYPE_ARRAY, "{sv}", &dict)
           && cl_dbus_dict_add_string (&dict, "name", t->name)
           && cl_dbus_dict_add_string (&dict, "to", t->to)
           && cl_dbus_dict_add_string (&dict, "title", cl_daemon_title (d, t->titles, t->name))
           && cl_dbus_dict_add_boolean (&dict, "allowed", transition_allowed (d, who, t))
           && cl_dbus_dict_add_strv (&dict, "missing", (const char *const *) missing->pdata)
           && cl_dbus_dict_add_strv (&dict, "by", (const char *const *) t->by)
           && dbus_message_iter_close_container (&list, &dict);
    }
  if (!ok || !dbus_message_iter_close_container (&iter, &list))
    g_error ("out of memory");
  if (d->replies != NULL)
    cl_reply_cache_put (d->replies, key->str, cl_call_message (call), reply);
  cl_call_return_message (call, reply);
}

GVariant *
cl_case_history_variant (CLDaemon *d, const CLCaseRecord *rec, const CLIdentity *who, GError **error)
{
  g_autoptr(GPtrArray) rows = cl_store_history (d->store, rec, error);
  const CLWorkflow *wf = NULL;
  GVariantBuilder b;

  if (rows == NULL)
    return NULL;
  wf = cl_registry_version (d->registry, rec->workflow, rec->version);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < rows->len; i++)
    {
      CLHistoryRecord *h = g_ptr_array_index (rows, i);
      g_autofree char *actor = NULL;
      g_autoptr(GVariant) fields = NULL;

      if (*h->role != '\0' && *h->agency != '\0')
        actor = g_strdup_printf ("%s (%s@%s)", h->user, h->role, h->agency);
      else if (*h->role != '\0')
        actor = g_strdup_printf ("%s (%s)", h->user, h->role);
      else
        actor = g_strdup (h->user);
      g_variant_builder_open (&b, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&b, "{sv}", "seq", g_variant_new_uint64 (h->seq));
      g_variant_builder_add (&b, "{sv}", "time", g_variant_new_int64 (h->time));
      g_variant_builder_add (&b, "{sv}", "actor", g_variant_new_string (actor));
      g_variant_builder_add (&b, "{sv}", "uid", g_variant_new_uint32 (h->uid));
      g_variant_builder_add (&b, "{sv}", "user", g_variant_new_string (h->user));
      g_variant_builder_add (&b, "{sv}", "agency", g_variant_new_string (h->agency));
      g_variant_builder_add (&b, "{sv}", "role", g_variant_new_string (h->role));
      g_variant_builder_add (&b, "{sv}", "action", g_variant_new_string (h->action));
      g_variant_builder_add (&b, "{sv}", "transition", g_variant_new_string (h->transition));
      g_variant_builder_add (&b, "{sv}", "from", g_variant_new_string (h->from_state));
      g_variant_builder_add (&b, "{sv}", "to", g_variant_new_string (h->to_state));
      g_variant_builder_add (&b, "{sv}", "comment", g_variant_new_string (h->comment));
      /* plugins: each entry's fields, redacted as the case's Fields are */
      fields = cl_plugins_redact (d, rec, wf, who, h->fields);
      g_variant_builder_add (&b, "{sv}", "fields", fields);
      g_variant_builder_add (&b, "{sv}", "hash", g_variant_new_string (h->hash));
      g_variant_builder_close (&b);
    }
  return g_variant_builder_end (&b);
}

static void
history (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CLCaseRecord) rec = case_for_call (d, call, &error);
  GVariant *entries;

  if (rec == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  if (rec->sealed)
    {
      cl_call_error_name (call, cl_error_to_dbus_name (CL_ERROR_PERMISSION_DENIED),
                          "case %s is a sealed record (犯罪记录封存): read it with QuerySealed(reason), "
                          "which is recorded", rec->id);
      return;
    }
  entries = cl_case_history_variant (d, rec, cl_daemon_identify (d, call), &error);
  if (entries == NULL)
    {
      cl_call_error (call, error);
      return;
    }
  cl_call_return (call, g_variant_new ("(@aa{sv})", entries));
}

/* The only way to read a sealed record: for sealing_query, with a reason,
 * and recorded in the case's history before the answer goes out. */
static void
query_sealed (CLCall *call, GVariant *args, gpointer data)
{
  CLDaemon *d = data;
  const char *reason;
  g_autofree char *id = id_for_call (call);

  if (!visible_or_reply (d, call))
    return;
  g_variant_get (args, "(&s)", &reason);
  cl_engine_query_sealed (d->engine, call, id, reason);
}

/* Introspection answers for any well-formed case path: whether a case
 * exists is for callers who may see it, through GetCase and the methods. */
static gboolean
case_exists (CLBus *bus, const char *suffix, gpointer data)
{
  g_autofree char *id = cl_case_path_unescape (suffix);
  return id != NULL;
}

static const CLMethod case_methods[] = {
  { "Advance", "sa{sv}s", "transition fields comment", "s", "state", advance },
  { "Transitions", "", "", "aa{sv}", "transitions", transitions },
  { "Update", "a{sv}s", "fields comment", "", "", update },
  { "Comment", "s", "text", "", "", comment },
  { "History", "", "", "aa{sv}", "entries", history },
  { "Link", "ss", "other_id relation", "", "", link_case },
  { "QuerySealed", "s", "reason", "a{sv}", "record", query_sealed },
  { NULL },
};

static const CLProperty case_props[] = {
  { "Id", "s", "const" }, { "Workflow", "s", "const" }, { "WorkflowVersion", "u", "const" }, { "State", "s" },
  { "Title", "s" }, { "Domain", "s" }, { "Agency", "s" }, { "Created", "x", "const" },
  { "Updated", "x" }, { "Deadline", "x" }, { "Overdue", "b" }, { "Fields", "a{sv}" },
  /* not carried by PropertiesChanged: read them */
  { "Links", "a(sss)", "false" },
  { "Sealed", "b", "false" },
  { NULL },
};

static const CLInterface case_iface = {
  CL_CASE_IFACE, case_methods, case_props, NULL, case_properties,
};

static const CLInterface *const case_ifaces[] = { &case_iface, NULL };

void
cl_case_objects_register (CLDaemon *d)
{
  cl_bus_register (d->bus, CL_CASE_PATH_PREFIX, TRUE, case_ifaces, d, case_exists, NULL);
}
