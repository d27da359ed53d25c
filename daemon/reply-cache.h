/* reply-cache.h — method-return bodies written once and copied.
 *
 * libdbus's type writer costs about 4,000 instructions per a{sv} entry; a
 * reply whose content depends only on a few inputs (Case1.Transitions: the
 * workflow version, the state, which required fields hold a value, which
 * transitions the caller may take) is written once per such key and copied
 * for every later caller. Emptied on Reload.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLReplyCache CLReplyCache;

CLReplyCache *cl_reply_cache_new (void);
void cl_reply_cache_free (CLReplyCache *cache);
void cl_reply_cache_clear (CLReplyCache *cache);

/* A method return to @call carrying the body kept under @key, or NULL. */
DBusMessage *cl_reply_cache_reply (CLReplyCache *cache, const char *key, DBusMessage *call);
/* Keep the body of @reply (not yet sent) under @key. */
void cl_reply_cache_put (CLReplyCache *cache, const char *key, DBusMessage *reply);

G_END_DECLS
