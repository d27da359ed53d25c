/* reply-cache.c — method-return bodies written once and copied. */
#include "reply-cache.h"

/* Keys are small (a workflow, a state, a few flags): this many cover every
 * combination a deployment meets; when full the cache starts again. */
#define REPLY_CACHE_MAX 2048

struct _CLReplyCache {
  GHashTable *bodies;  /* key -> DBusMessage (a method return never sent) */
};

CLReplyCache *
cl_reply_cache_new (void)
{
  CLReplyCache *cache = g_new0 (CLReplyCache, 1);

  cache->bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dbus_message_unref);
  return cache;
}

void
cl_reply_cache_free (CLReplyCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_destroy (cache->bodies);
  g_free (cache);
}

void
cl_reply_cache_clear (CLReplyCache *cache)
{
  g_hash_table_remove_all (cache->bodies);
}

/* Per caller: rewriting the destination of a copy costs libdbus four times
 * what copying does, the reply serial little. */
static char *
full_key (const char *key, DBusMessage *call)
{
  const char *sender = dbus_message_get_sender (call);
  return g_strconcat (key, "\x1d", sender != NULL ? sender : "", NULL);
}

DBusMessage *
cl_reply_cache_reply (CLReplyCache *cache, const char *key, DBusMessage *call)
{
  g_autofree char *k = full_key (key, call);
  DBusMessage *kept = g_hash_table_lookup (cache->bodies, k);
  DBusMessage *reply;

  if (kept == NULL)
    return NULL;
  reply = dbus_message_copy (kept);
  if (reply == NULL)
    return NULL;
  if (!dbus_message_set_reply_serial (reply, dbus_message_get_serial (call)))
    {
      dbus_message_unref (reply);
      return NULL;
    }
  return reply;
}

void
cl_reply_cache_put (CLReplyCache *cache, const char *key, DBusMessage *call, DBusMessage *reply)
{
  DBusMessage *copy;

  if (g_hash_table_size (cache->bodies) >= REPLY_CACHE_MAX)
    g_hash_table_remove_all (cache->bodies);
  copy = dbus_message_copy (reply);
  if (copy != NULL)
    g_hash_table_replace (cache->bodies, full_key (key, call), copy);
}

/* A caller gone: its copies go too. */
void
cl_reply_cache_forget_caller (CLReplyCache *cache, const char *sender)
{
  GHashTableIter it;
  gpointer k;
  g_autofree char *suffix = g_strconcat ("\x1d", sender, NULL);

  g_hash_table_iter_init (&it, cache->bodies);
  while (g_hash_table_iter_next (&it, &k, NULL))
    if (g_str_has_suffix (k, suffix))
      g_hash_table_iter_remove (&it);
}
