/* daemon.h — the one object that ties caselinkd's parts together; every
 * D-Bus object handler receives it. */
#pragma once

#include "actors.h"
#include "bus.h"
#include "daemon-config.h"
#include "registry.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct _CLEngine CLEngine;

typedef struct {
  CLConfig config;
  CLStore *store;
  CLRegistry *registry;
  CLActors *actors;        /* NULL: no actors file, only root may change cases */
  CLBus *bus;
  CLEngine *engine;
  GHashTable *subscribers; /* unique names that called Subscribe() */
  GMainLoop *loop;
  gboolean stopping;
  struct _CLScheduler *scheduler;
  struct _CLPlugins *plugins;  /* plugin-loader.h; NULL: none (tools that use the engine without them) */
  gint64 test_now;         /* --test-clock: 0 until Testing1.SetTime */
  struct _CLReplyCache *replies;  /* reply-cache.h; NULL: none */
} CLDaemon;

/* Identity of the caller of @call. */
const CLIdentity *cl_daemon_identify (CLDaemon *d, CLCall *call);

/* Visibility: root and roles declared sees: all see every case; everyone
 * else the cases their agency created, holds or has held; without an
 * actors file only root sees anything. */
gboolean cl_daemon_may_see (CLDaemon *d, const CLIdentity *who, const CLCaseRecord *rec);
/* For list filters: NULL = everything, else the agency whose cases show. */
const char *cl_daemon_party (const CLIdentity *who);

/* The role that may find sealed records and read them with QuerySealed. */
#define CL_SEALING_ROLE "sealing_query"

/* Send a Manager1 signal (or Case1 PropertiesChanged) to every subscriber. */
void cl_daemon_emit_to_subscribers (CLDaemon *d, const char *path, const char *iface,
                                    const char *member, GVariant *args);

/* Signals collected during a change and sent to subscribers only after
 * its COMMIT (a rolled-back change announces nothing). */
typedef struct {
  char *path;
  const char *iface;
  const char *member;
  GVariant *args;
} CLPendingSignal;

GPtrArray *cl_signal_queue_new (void);
void cl_signal_queue_add (GPtrArray *queue, const char *path, const char *iface, const char *member,
                          GVariant *args);
void cl_daemon_emit_queue (CLDaemon *d, GPtrArray *queue);

/* Reload workflows and actors; all-or-nothing. */
gboolean cl_daemon_reload (CLDaemon *d, GError **error);

/* Log a warning for each workflow role no actor holds (not an error: the
 * actors file may be completed later). */
void cl_daemon_warn_unheld_roles (CLDaemon *d);

/* The microseconds-since-epoch "now" of the daemon. */
gint64 cl_daemon_now (CLDaemon *d);

G_END_DECLS
