/* harness.h — run the real caselinkd on a private dbus-daemon for a test.
 *
 * Every integration test starts its own bus and daemon in a fresh temporary
 * directory, talks to it over libdbus (the client side a desktop app or
 * caselinkctl would use), and tears everything down again. Paths to the
 * binaries come from the environment that tests/integration/meson.build sets:
 * CASELINKD, CASELINKCTL, CASELINK_SRCDIR. CASELINKD_WRAPPER, if set, is a
 * command line the daemon runs under (e.g. valgrind).
 */
#pragma once

#include <dbus/dbus.h>
#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Every blocking call in the tests gives up after this long, so a hung daemon
 * fails the test instead of hanging it. */
#define CL_TEST_CALL_TIMEOUT_MS 10000
/* How long the daemon may take to own org.caselink or to exit: generous
 * under a checker (CASELINKD_WRAPPER, e.g. valgrind) or a sanitizer on a
 * loaded machine. A bound so that a hung daemon fails, never a speed goal. */
guint cl_test_start_timeout_ms (void);
#define CL_TEST_START_TIMEOUT_MS (cl_test_start_timeout_ms ())

/* GErrors from cl_test_call() carry the D-Bus error name here (quark
 * "cl-test-dbus-error"); the message is "<error name>: <error message>". */
#define CL_TEST_DBUS_ERROR (cl_test_dbus_error_quark ())
GQuark cl_test_dbus_error_quark (void);

typedef struct _ClHarness ClHarness;

/* Call first in main(): g_test_init() and exit 77 (meson: skipped) when
 * dbus-daemon or the daemon binary is missing. */
void cl_test_init (int *argc, char ***argv);

/* <srcdir>/<relative>, newly allocated. */
char *cl_test_srcdir_path (const char *relative);

/* Start a bus and caselinkd serving @workflow_dirs (NULL-terminated list of
 * directories; NULL = <srcdir>/workflows and <srcdir>/tests/data/workflows),
 * and wait until org.caselink is owned. */
ClHarness *cl_harness_new (const char *const *workflow_dirs);
/* Same, with @extra_args (e.g. "--test-clock") on the daemon's command line. */
ClHarness *cl_harness_new_with_args (const char *const *workflow_dirs, const char *const *extra_args);
/* Same, with the actors file copied from @actors_template (an absolute path;
 * NULL = tests/data/actors.yaml). The file must end with its members: list,
 * because a non-root test run appends its own user there. */
ClHarness *cl_harness_new_full (const char *const *workflow_dirs, const char *const *extra_args,
                                const char *actors_template);
/* Stop the daemon (asserting a clean exit 0 if it is running), the bus, and
 * remove the temporary directory. */
void cl_harness_free (ClHarness *h);

const char *cl_harness_address (ClHarness *h);
const char *cl_harness_tmpdir (ClHarness *h);
const char *cl_harness_db_path (ClHarness *h);
/* Use another database file from the next start on (daemon stopped). */
void cl_harness_set_db_path (ClHarness *h, const char *path);
/* Extra options for a caselinkd/caselinkctl started by hand: the --config
 * file the harness generated. */
const char *cl_harness_config_path (ClHarness *h);
GPid cl_harness_daemon_pid (ClHarness *h);
/* The harness' own client connection (owned by the harness). */
DBusConnection *cl_harness_connection (ClHarness *h);
/* A new private connection to the test bus; close with cl_test_disconnect(). */
DBusConnection *cl_harness_connect (ClHarness *h);
void cl_test_disconnect (DBusConnection *conn);

/* Start caselinkd again on the same database and wait for the name. */
void cl_harness_start_daemon (ClHarness *h);
/* SIGTERM, wait, assert exit status 0. */
void cl_harness_stop_daemon (ClHarness *h);
/* SIGKILL, wait. */
void cl_harness_kill_daemon (ClHarness *h);
/* SIGKILL the bus (the harness' connection goes with it); the daemon's
 * wait status once it has exited. */
int cl_harness_kill_bus (ClHarness *h);
/* Everything the daemon wrote to stderr so far. */
char *cl_harness_read_log (ClHarness *h);

/* Spawn another caselinkd with @extra_argv appended to the usual options;
 * stderr appended to @log_path. Does not wait for anything. */
GPid cl_harness_spawn_daemon (ClHarness *h, const char *db_path,
                              const char *const *workflow_dirs,
                              const char *log_path);
/* Wait up to @timeout_ms for @pid to exit; returns its wait status, or -1 on
 * timeout (the process is then left running). */
int cl_test_wait_pid (GPid pid, guint timeout_ms);

/* Call @method and return the reply's arguments as one tuple, or NULL with
 * @error in CL_TEST_DBUS_ERROR. @args may be NULL or floating. */
GVariant *cl_test_call (DBusConnection *conn, const char *path,
                        const char *iface, const char *method,
                        GVariant *args, GError **error);
/* Same, to org.caselink, asserting success. */
GVariant *cl_test_call_ok (DBusConnection *conn, const char *path,
                           const char *iface, const char *method,
                           GVariant *args);
/* The D-Bus error name carried by @error, newly allocated. */
char *cl_test_error_name (const GError *error);

/* Assert @error is set and carries the D-Bus error @name; frees it. */
#define cl_assert_dbus_error(error, name)                                  \
  G_STMT_START {                                                           \
    g_assert_nonnull (error);                                              \
    g_autofree char *cl_err_name_ = cl_test_error_name (error);            \
    if (g_strcmp0 (cl_err_name_, (name)) != 0)                             \
      g_error ("expected %s, got %s", (name), (error)->message);           \
    g_clear_error (&(error));                                              \
  } G_STMT_END

/* Assert *@error is set, its message contains @part and it carries the
 * D-Bus error @name; frees it. */
void cl_test_assert_error (GError **error, const char *name, const char *part);

/* An a{sv} from key/value pairs (values floating), NULL-terminated. */
GVariant *cl_test_fields (const char *first_key, ...) G_GNUC_NULL_TERMINATED;

/* Manager1.CreateCase, asserting success; returns the id, sets @path_out. */
char *cl_test_create_case (DBusConnection *conn, const char *workflow,
                           GVariant *fields, char **path_out);
/* Case1.Advance; returns the new state or NULL with @error set. */
char *cl_test_advance (DBusConnection *conn, const char *path,
                       const char *transition, GVariant *fields,
                       const char *comment, GError **error);
/* org.freedesktop.DBus.Properties.Get, unboxed; NULL with @error set. */
GVariant *cl_test_get_property (DBusConnection *conn, const char *path,
                                const char *iface, const char *name,
                                GError **error);
/* µs of a local time in Asia/Shanghai, and the end of such a day
 * (23:59:59.999999). */
gint64 cl_test_at (int y, int mo, int d, int h, int mi);
gint64 cl_test_end_of (int y, int mo, int d);
/* Testing1.SetTime (the daemon runs with --test-clock). */
void cl_test_set_time (ClHarness *h, gint64 us);
/* A Case1 property of @path, asserting success. */
GVariant *cl_test_case_prop (ClHarness *h, const char *path, const char *name);
/* Case1.Deadline of @path. */
gint64 cl_test_deadline_of (ClHarness *h, const char *path);
/* Case1.Overdue of @path. */
gboolean cl_test_overdue_of (ClHarness *h, const char *path);
/* Deadlines are processed after SetTime returns: wait (up to 5 s) until
 * @path is in @state (NULL: any) and its Overdue is @overdue (-1: either). */
void cl_test_wait_for (ClHarness *h, const char *path, const char *state, int overdue);
/* How many history entries of @path (deadline notes included) have
 * @action and contain @needle; each is logged. */
guint cl_test_count_notes (ClHarness *h, const char *path, const char *action, const char *needle);
/* Appends "setpriv --reuid=@uid --regid=@uid --clear-groups" to @argv
 * (strings it owns): what follows runs as that uid with no groups. */
void cl_test_argv_setpriv (GPtrArray *argv, const char *uid);
/* Manager1.CreateCase on the harness's connection (see cl_test_create_case). */
char *cl_test_create (ClHarness *h, const char *workflow, GVariant *fields, char **path);
/* Take @transition on the harness's connection (@fields NULL: none) and
 * assert the state it leads to. */
void cl_test_step (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *want);
/* Case1.Fields of @path, asserting success. */
GVariant *cl_test_case_fields (DBusConnection *conn, const char *path);
/* The Fields of the first PropertiesChanged for @path that arrives on
 * @conn (subscribed), within 5 s. */
GVariant *cl_test_wait_properties_fields (DBusConnection *conn, const char *path);
/* Manager1.ListWorkflows names @name. */
gboolean cl_test_workflow_listed (DBusConnection *conn, const char *name);
/* Manager1.ListPlugins, the list. */
GVariant *cl_test_list_plugins (DBusConnection *conn);
/* Case1.State of @path, asserting success. */
char *cl_test_case_state (DBusConnection *conn, const char *path);
/* Case1.History as aa{sv}, asserting success; without the "deadline"
 * entries the daemon adds by itself. */
GVariant *cl_test_history (DBusConnection *conn, const char *path);
/* Every entry, deadline bookkeeping included. */
GVariant *cl_test_history_all (DBusConnection *conn, const char *path);
/* Manager1.ListCases with @filter (NULL = {}), as aa{sv}. */
GVariant *cl_test_list_cases (DBusConnection *conn, GVariant *filter);

/* Current year in the deployment time zone (Asia/Shanghai), for case ids. */
int cl_test_current_year (void);
/* "FX-2026-000001" for (@prefix, @seq) in the current year. */
char *cl_test_case_id (const char *prefix, guint seq);
/* The user name the daemon records for this process' uid. */
const char *cl_test_user_name (void);
/* The agency the daemon records for this process: root is in no agency,
 * anyone else gets qh-proc from the generated actors file. */
const char *cl_test_user_agency (void);

/* @key of the a{sv} @dict, asserting it is there with @type; new ref. */
GVariant *cl_test_dict_get (GVariant *dict, const char *key, const char *type);
/* Shorthands over cl_test_dict_get() for the common types. */
char *cl_test_dict_string (GVariant *dict, const char *key);
gint64 cl_test_dict_int64 (GVariant *dict, const char *key);

/* Is @name in PATH? */
gboolean cl_test_have_program (const char *name);

G_END_DECLS
