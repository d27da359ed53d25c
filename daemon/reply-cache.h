/* reply-cache.h — method-return bodies written once and copied.
 *
 * libdbus's type writer costs about 4,000 instructions per a{sv} entry; a
 * reply whose content depends only on a few inputs (Case1.Transitions: the
 * workflow version, the state, which required fields hold a value, which
 * transitions the caller may take) is written once per such key and caller
 * and copied for that caller's later calls. Emptied on Reload.
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLReplyCache CLReplyCache;

CLReplyCache *cl_reply_cache_new (void);
void cl_reply_cache_free (CLReplyCache *cache);
void cl_reply_cache_clear (CLReplyCache *cache);

/* A method return to @call carrying the body kept under @key for its
 * sender, or NULL. */
DBusMessage *cl_reply_cache_reply (CLReplyCache *cache, const char *key, DBusMessage *call);
/* Keep @reply (to @call, not yet sent) under @key for @call's sender. */
void cl_reply_cache_put (CLReplyCache *cache, const char *key, DBusMessage *call, DBusMessage *reply);
/* Drop what was kept for @sender (it left the bus). */
void cl_reply_cache_forget_caller (CLReplyCache *cache, const char *sender);

G_END_DECLS
