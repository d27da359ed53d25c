/* main.c — caselinkd: options, configuration, signals, main loop. */
#define G_LOG_DOMAIN "caselink"

#include "daemon.h"
#include "durability.h"
#include "reply-cache.h"
#include "cl-dbus-glue.h"
#include "cl-errors.h"
#include "engine.h"
#include "plugin-loader.h"
#include "audit-service.h"
#include "objects.h"
#include "scheduler.h"

#include <config.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a stop waits for calls still being answered. */
#define STOP_GRACE_MS 5000

/* Whether a sync should leave the main loop free: changes are queued for
 * the next transaction, or calls wait to be read. */
static gboolean
calls_waiting (gpointer data)
{
  CLDaemon *d = data;

  return cl_engine_pending (d->engine) > 0 || cl_bus_has_input (d->bus);
}

typedef struct {
  CLDaemon *d;
  gint64 deadline;
} Stopping;

static gboolean
stop_tick (gpointer data)
{
  Stopping *s = data;
  CLDaemon *d = s->d;

  if (cl_engine_pending (d->engine) > 0)
    cl_engine_flush (d->engine);
  if (cl_bus_in_flight (d->bus) == 0 || g_get_monotonic_time () > s->deadline)
    {
      if (cl_bus_in_flight (d->bus) > 0)
        g_warning ("stopping with %u calls unanswered", cl_bus_in_flight (d->bus));
      g_main_loop_quit (d->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_signal (gpointer data)
{
  CLDaemon *d = data;
  Stopping *s;

  if (d->stopping)
    return G_SOURCE_CONTINUE;
  g_message ("stopping: finishing calls in flight");
  d->stopping = TRUE;
  cl_bus_stop_accepting (d->bus);
  cl_engine_flush (d->engine);
  s = g_new0 (Stopping, 1);
  s->d = d;
  s->deadline = g_get_monotonic_time () + STOP_GRACE_MS * 1000;
  g_timeout_add_full (G_PRIORITY_DEFAULT, 20, stop_tick, s, g_free);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hup (gpointer data)
{
  CLDaemon *d = data;
  g_autoptr(GError) error = NULL;

  g_message ("SIGHUP: reloading");
  if (!cl_daemon_reload (d, &error))
    g_warning ("reload failed; still serving the previous set");
  return G_SOURCE_CONTINUE;
}

static gboolean bus_lost;

static gboolean
on_disconnected (gpointer data)
{
  CLDaemon *d = data;
  /* Not a clean stop: exit 1 so the service manager restarts us. */
  bus_lost = TRUE;
  g_warning ("the bus went away; stopping");
  cl_engine_flush (d->engine);
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

static void
on_vanished (const char *name, gpointer data)
{
  CLDaemon *d = data;
  g_hash_table_remove (d->subscribers, name);
  cl_reply_cache_forget_caller (d->replies, name);
}

typedef struct {
  gboolean system;
  gboolean session;
  char *address;
  char *db;
  char **workflows;
  char *plugins;
  char *config;
  gboolean debug;
  gboolean version;
  gboolean test_clock;
} Options;

static gboolean
parse_options (int *argc, char ***argv, Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = NULL;
  GOptionEntry entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &o->system, "Serve on the system bus (the default)", NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &o->session, "Serve on the session bus", NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &o->address, "Serve on the bus at ADDR", "ADDR" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &o->db, "SQLite database (default " CASELINK_DB_PATH ")", "PATH" },
    { "workflows", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->workflows,
      "Workflow directory; repeatable, replaces the default search path, a later DIR wins by name", "DIR" },
    { "plugins", 0, 0, G_OPTION_ARG_FILENAME, &o->plugins, "Plugin directory (default " CASELINK_PLUGINS_DIR ")", "DIR" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config, "Configuration file (default " CASELINK_CONFIG_FILE ")", "FILE" },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &o->debug, "Log debug messages", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL },
    { "test-clock", 0, 0, G_OPTION_ARG_NONE, &o->test_clock,
      "Tests only: expose org.caselink.Testing1.SetTime to move the daemon's clock (refused with --system)", NULL },
    { NULL },
  };

  ctx = g_option_context_new ("- the 府检联动 case-linkage daemon");
  g_option_context_set_summary (ctx,
    "Runs case-linkage workflows between administrative agencies, public security and\n"
    "procuratorates, keeps cases and their history in SQLite, and serves org.caselink on D-Bus.");
  g_option_context_set_description (ctx,
    "Signals: SIGTERM/SIGINT finish the calls in flight and stop; SIGHUP reloads workflows, calendars and actors.\n"
    "Exit status: 0 after a clean stop, 1 on an error (including org.caselink already owned), 2 on bad options.\n"
    "See caselinkd(8), caselink.conf(5) and docs/dbus-api.md.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fprintf (stderr, "caselinkd: %s (try --help)\n", error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      fprintf (stderr, "caselinkd: unexpected argument '%s' (try --help)\n", (*argv)[1]);
      return FALSE;
    }
  if ((o->system + o->session + (o->address != NULL)) > 1)
    {
      fprintf (stderr, "caselinkd: --system, --session and --address exclude each other\n");
      return FALSE;
    }
  /* A movable clock would let anyone on the system bus fire deadlines. */
  if (o->test_clock && ((!o->session && o->address == NULL)
                        || (o->address != NULL && (strstr (o->address, "=/run/dbus/system_bus_socket") != NULL
                                                   || strstr (o->address, "=/var/run/dbus/system_bus_socket") != NULL))))
    {
      fprintf (stderr, "caselinkd: --test-clock is for tests on a private or session bus; it is refused on the system bus\n");
      return FALSE;
    }
  return TRUE;
}

static void
options_clear (Options *o)
{
  g_free (o->address);
  g_free (o->db);
  g_strfreev (o->workflows);
  g_free (o->plugins);
  g_free (o->config);
}

/* A start that stops before the loop: what was set up so far goes (so that
 * the checkers see nothing left behind), then exit status 1. */
static int
give_up (CLDaemon *d, Options *o, DBusConnection *conn)
{
  cl_actors_free (d->actors);
  cl_plugins_free (d->plugins);
  cl_registry_free (d->registry);
  cl_store_close (d->store);
  if (conn != NULL)
    {
      dbus_connection_close (conn);
      dbus_connection_unref (conn);
    }
  cl_config_clear (&d->config);
  options_clear (o);
  return 1;
}

static void
log_errors (GPtrArray *errors)
{
  for (guint i = 0; i < errors->len; i++)
    g_warning ("%s", (char *) g_ptr_array_index (errors, i));
}

static void
send_on_bus (DBusMessage *msg, gpointer conn)
{
  dbus_connection_send (conn, msg, NULL);
}

int
main (int argc, char **argv)
{
  Options o = { 0 };
  CLDaemon d = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  DBusConnection *conn;
  int status = 0;

  setlocale (LC_ALL, "");
  if (!parse_options (&argc, &argv, &o))
    {
      options_clear (&o);
      return 2;
    }
  if (o.version)
    {
      printf ("caselinkd %s\n", PACKAGE_VERSION);
      options_clear (&o);
      return 0;
    }
  if (o.debug)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  d.config.sync = CL_SYNC_FULL;
  d.config.test_clock = o.test_clock;
  d.config.db_path = g_strdup (o.db);
  d.config.workflow_dirs = g_strdupv (o.workflows);
  d.config.plugins_dir = g_strdup (o.plugins);
  if (!cl_config_load (&d.config, o.config ? o.config : CASELINK_CONFIG_FILE, o.config != NULL, &error))
    {
      g_printerr ("caselinkd: %s\n", error->message);
      return give_up (&d, &o, NULL);
    }

  /* The bus before the database: a second caselinkd (perhaps given another
   * database) gives up here, before it opens, creates or migrates one. The
   * name itself is taken only once everything is ready (a client that sees
   * it owned is answered); two started at the same instant are told apart
   * there. */
  conn = cl_dbus_open (o.address, o.session ? DBUS_BUS_SESSION : DBUS_BUS_SYSTEM, &error);
  if (conn == NULL)
    {
      g_printerr ("caselinkd: %s\n", error->message);
      return give_up (&d, &o, NULL);
    }
  if (dbus_bus_name_has_owner (conn, CL_DBUS_NAME, NULL))
    {
      g_printerr ("caselinkd: the name %s is already owned by another process (is caselinkd already running?)\n",
                  CL_DBUS_NAME);
      return give_up (&d, &o, conn);
    }

  d.store = cl_store_open (d.config.db_path, d.config.sync, &error);
  if (d.store == NULL)
    {
      g_printerr ("caselinkd: %s\n", error->message);
      return give_up (&d, &o, conn);
    }
  d.registry = cl_registry_new (d.store);
  /* Plugins before workflows, which may name their hooks; a plugin that
   * does not load is logged and left out. */
  d.plugins = cl_plugins_load (d.config.plugins_dir, d.config.plugin_settings, FALSE);
  cl_registry_set_hooks (d.registry, cl_plugins_hook_kinds (d.plugins));
  cl_registry_load (d.registry, (const char *const *) d.config.workflow_dirs, d.config.calendar, FALSE, errors, NULL);
  log_errors (errors);
  if (d.config.actors_path != NULL)
    {
      g_ptr_array_set_size (errors, 0);
      d.actors = cl_actors_load (d.config.actors_path, errors);
      if (d.actors == NULL)
        {
          log_errors (errors);
          g_printerr ("caselinkd: the actors file %s has errors; refusing to start\n", d.config.actors_path);
          return give_up (&d, &o, conn);
        }
    }

  cl_daemon_warn_unheld_roles (&d);

  d.bus = cl_bus_new (conn);
  if (cl_store_durability (d.store) != NULL)
    {
      cl_bus_set_durability (d.bus, cl_store_durability (d.store));
      cl_durability_attach (cl_store_durability (d.store), send_on_bus, conn, NULL, calls_waiting, &d);
    }
  d.subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  d.replies = cl_reply_cache_new ();
  d.engine = cl_engine_new (&d);
  d.scheduler = cl_scheduler_new (&d);
  d.loop = g_main_loop_new (NULL, FALSE);
  cl_manager_register (&d);
  cl_case_objects_register (&d);
  cl_workflow_objects_register (&d);
  cl_bus_on_vanished (d.bus, on_vanished, &d);
  cl_bus_on_disconnected (d.bus, on_disconnected, &d);

  /* Handlers first: once the name is ours, clients (and service managers)
   * may signal us at any moment. */
  g_unix_signal_add (SIGTERM, on_stop_signal, &d);
  g_unix_signal_add (SIGINT, on_stop_signal, &d);
  g_unix_signal_add (SIGHUP, on_hup, &d);
  if (!cl_bus_request_name (d.bus, CL_DBUS_NAME, &error))
    {
      g_printerr ("caselinkd: %s\n", error->message);
      status = 1;
      goto out;
    }
  cl_dbus_glue_attach (conn, NULL);
  /* Deadlines missed while the daemon was down are processed now, in
   * batches, with the bus already answering. */
  cl_scheduler_rearm (d.scheduler);
  /* A tampered database is reported, not refused: the bus keeps serving. */
  cl_audit_check_at_startup (&d);
  {
    g_autoptr(GPtrArray) wfs = cl_registry_list (d.registry);
    g_message ("caselinkd %s serving %s with %u workflows, database %s", PACKAGE_VERSION, CL_DBUS_NAME,
               wfs->len, d.config.db_path);
  }

  g_main_loop_run (d.loop);
  cl_engine_flush (d.engine);
  if (cl_store_durability (d.store) != NULL)
    cl_durability_drain (cl_store_durability (d.store));
  cl_bus_flush (d.bus);
  g_message ("stopped");
  if (bus_lost)
    status = 1;

out:
  /* Nothing is sent once the connection goes. */
  if (cl_store_durability (d.store) != NULL)
    cl_durability_attach (cl_store_durability (d.store), NULL, NULL, NULL, NULL, NULL);
  cl_bus_unregister_all (d.bus);
  cl_dbus_glue_detach (conn);
  dbus_connection_close (conn);
  cl_scheduler_free (d.scheduler);
  d.scheduler = NULL;
  cl_engine_free (d.engine);
  /* Exit in reverse init order, after the last change that could run hooks. */
  cl_plugins_free (d.plugins);
  d.plugins = NULL;
  cl_bus_free (d.bus);
  dbus_connection_unref (conn);
  g_hash_table_unref (d.subscribers);
  cl_reply_cache_free (d.replies);
  g_main_loop_unref (d.loop);
  cl_actors_free (d.actors);
  cl_registry_free (d.registry);
  cl_store_close (d.store);
  cl_config_clear (&d.config);
  options_clear (&o);
  return status;
}
