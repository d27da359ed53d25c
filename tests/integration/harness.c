/* harness.c — private dbus-daemon + real caselinkd for integration tests. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-dbus-glue.h"
#include "cl-dbus-variant.h"
#include "cl-errors.h"

struct _ClHarness {
  char *tmpdir;
  char *address;
  char *config_path;
  char *db_path;
  char *log_path;
  char *plugins_dir;
  GStrv workflow_dirs;
  GStrv extra_args;       /* appended to every caselinkd command line */
  char *actors_template;  /* NULL = tests/data/actors.yaml */
  GPid bus_pid;
  GPid daemon_pid; /* 0 while not running */
  DBusConnection *conn;
};

G_DEFINE_QUARK (cl-test-dbus-error, cl_test_dbus_error)

/* The log of the running daemon, dumped from the SIGABRT handler: a failed
 * g_assert aborts without running any teardown, and the daemon's side of the
 * story is what explains most failures. */
static char abort_log_path[4096];

static void
dump_log_on_abort (int sig)
{
  static const char head[] = "\n---- caselinkd stderr ----\n";
  static const char tail[] = "---- end of caselinkd stderr ----\n";
  char buf[4096];
  ssize_t n;
  int fd;

  if (abort_log_path[0] != '\0' && (fd = open (abort_log_path, O_RDONLY)) >= 0)
    {
      if (write (2, head, sizeof head - 1) < 0)
        _exit (134);
      while ((n = read (fd, buf, sizeof buf)) > 0)
        if (write (2, buf, (size_t) n) < 0)
          break;
      if (write (2, tail, sizeof tail - 1) < 0)
        _exit (134);
      close (fd);
    }
  signal (sig, SIG_DFL);
  raise (sig);
}

void
cl_test_init (int *argc, char ***argv)
{
  const char *daemon = g_getenv ("CASELINKD");
  g_autofree char *bus = g_find_program_in_path ("dbus-daemon");

  g_test_init (argc, argv, NULL);
  /* A peer closing its socket must not kill the test. */
  signal (SIGPIPE, SIG_IGN);
  signal (SIGABRT, dump_log_on_abort);
  /* g_error() stops with SIGTRAP, not SIGABRT. */
  signal (SIGTRAP, dump_log_on_abort);

  /* Exit 77 = skipped for meson: a missing prerequisite is not a pass. */
  if (bus == NULL)
    {
      g_printerr ("SKIP: dbus-daemon not found in PATH\n");
      exit (77);
    }
  if (daemon == NULL || !g_file_test (daemon, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("SKIP: CASELINKD is not set to an executable caselinkd\n");
      exit (77);
    }
}

char *
cl_test_srcdir_path (const char *relative)
{
  const char *srcdir = g_getenv ("CASELINK_SRCDIR");

  g_assert_nonnull (srcdir);
  return g_build_filename (srcdir, relative, NULL);
}

/* Runs in the child between fork and exec: die with the test process, so an
 * aborted test never leaves a daemon or bus behind. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)
      || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

int
cl_test_wait_pid (GPid pid, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int status;

  for (;;)
    {
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid)
        return status;
      if (r < 0 && errno != EINTR)
        g_error ("waitpid(%d): %s", (int) pid, g_strerror (errno));
      if (g_get_monotonic_time () >= deadline)
        return -1;
      g_usleep (10 * 1000);
    }
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A session-like bus where everything is allowed: the daemon's policy file
 * is not what these tests are about. */
static void
write_bus_config (const char *path, const char *socket_path)
{
  g_autofree char *xml = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", socket_path);

  write_file (path, xml);
}

/* caselink.conf plus actors.yaml: tests/data/actors.yaml, and when the test
 * does not run as root, the current user with every role, because without
 * an entry only uid 0 may change cases. */
static void
write_daemon_config (ClHarness *h)
{
  g_autofree char *template_path = h->actors_template ? g_strdup (h->actors_template)
                                                      : cl_test_srcdir_path ("tests/data/actors.yaml");
  g_autofree char *actors = NULL;
  g_autofree char *actors_path = g_build_filename (h->tmpdir, "actors.yaml", NULL);
  g_autoptr(GError) error = NULL;
  GString *s;

  g_file_get_contents (template_path, &actors, NULL, &error);
  g_assert_no_error (error);
  s = g_string_new (actors);
  if (getuid () != 0)
    g_string_append_printf (s, "  - {user: \"%s\", agency: qh-proc, roles: "
                            "[proc_criminal, proc_admin, proc_chief, "
                            "agency_head, admin]}\n", g_get_user_name ());
  write_file (actors_path, s->str);
  g_string_free (s, TRUE);

  write_file (h->config_path,
              "[daemon]\n"
              "actors=actors.yaml\n"
              "timezone=Asia/Shanghai\n"
              "language=zh\n");
}

static GPid
spawn (const char *const *argv, int out_fd, int err_fd, int *stdout_pipe)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  GPid pid = 0;

  /* A critical in the daemon is a bug; make it visible as a crash. */
  envp = g_environ_setenv (envp, "G_DEBUG", "fatal-criticals", TRUE);
  g_spawn_async_with_pipes_and_fds (NULL, argv, (const char *const *) envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD
                                    | G_SPAWN_STDIN_FROM_DEV_NULL
                                    | G_SPAWN_SEARCH_PATH,
                                    child_setup, NULL, -1, out_fd, err_fd,
                                    NULL, NULL, 0, &pid, NULL, stdout_pipe,
                                    NULL, &error);
  g_assert_no_error (error);
  return pid;
}

/* Read one line from @fd within @timeout_ms. */
static char *
read_line (int fd, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GString *line = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      char c;
      ssize_t n;

      if (left <= 0 || poll (&pfd, 1, (int) left) <= 0)
        break;
      n = read (fd, &c, 1);
      if (n <= 0)
        break;
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
  g_string_free (line, TRUE);
  return NULL;
}

static void
start_bus (ClHarness *h)
{
  g_autofree char *conf = g_build_filename (h->tmpdir, "bus.conf", NULL);
  g_autofree char *socket_path = g_build_filename (h->tmpdir, "bus", NULL);
  g_autofree char *log_path = g_build_filename (h->tmpdir, "bus.log", NULL);
  g_autofree char *conf_opt = g_strdup_printf ("--config-file=%s", conf);
  g_autofree char *bus = g_find_program_in_path ("dbus-daemon");
  const char *argv[] = { bus, conf_opt, "--nofork", "--print-address", NULL };
  g_autoptr(GError) error = NULL;
  int out = -1, log_fd;

  write_bus_config (conf, socket_path);
  /* Its stderr goes to a file: as root in a container it warns about fd
   * limits on every start, which would bury real failures. */
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (log_fd, >=, 0);
  h->bus_pid = spawn (argv, -1, log_fd, &out);
  close (log_fd);
  /* The address appears once the bus listens. */
  h->address = read_line (out, CL_TEST_START_TIMEOUT_MS);
  close (out);
  if (h->address == NULL)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (log_path, &log, NULL, NULL);
      g_error ("dbus-daemon printed no address within %u ms:\n%s",
               CL_TEST_START_TIMEOUT_MS, log != NULL ? log : "");
    }

  h->conn = cl_dbus_open (h->address, DBUS_BUS_SESSION, &error);
  g_assert_no_error (error);
}

static gboolean
name_has_owner (ClHarness *h)
{
  DBusMessage *msg, *r;
  DBusError derr = DBUS_ERROR_INIT;
  dbus_bool_t owned = FALSE;
  const char *name = CL_DBUS_NAME;

  msg = dbus_message_new_method_call (DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
                                      DBUS_INTERFACE_DBUS, "NameHasOwner");
  dbus_message_append_args (msg, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID);
  r = dbus_connection_send_with_reply_and_block (h->conn, msg,
                                                 CL_TEST_CALL_TIMEOUT_MS, &derr);
  dbus_message_unref (msg);
  if (r == NULL)
    g_error ("NameHasOwner: %s: %s", derr.name, derr.message);
  if (!dbus_message_get_args (r, &derr, DBUS_TYPE_BOOLEAN, &owned,
                              DBUS_TYPE_INVALID))
    g_error ("NameHasOwner reply: %s", derr.message);
  dbus_message_unref (r);
  return owned;
}

static void
wait_for_name (ClHarness *h, gboolean want_owned)
{
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64) CL_TEST_START_TIMEOUT_MS * 1000;

  while (name_has_owner (h) != want_owned)
    {
      if (want_owned && h->daemon_pid != 0)
        {
          int status = cl_test_wait_pid (h->daemon_pid, 0);
          if (status != -1)
            {
              h->daemon_pid = 0;
              g_error ("caselinkd exited (wait status 0x%x) before owning %s",
                       status, CL_DBUS_NAME);
            }
        }
      if (g_get_monotonic_time () >= deadline)
        g_error ("%s still %s after %u ms", CL_DBUS_NAME,
                 want_owned ? "not owned" : "owned", CL_TEST_START_TIMEOUT_MS);
      g_usleep (20 * 1000);
    }
}

GPid
cl_harness_spawn_daemon (ClHarness *h, const char *db_path,
                         const char *const *workflow_dirs,
                         const char *log_path)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *daemon = g_getenv ("CASELINKD");
  const char *wrapper = g_getenv ("CASELINKD_WRAPPER");
  g_auto(GStrv) wrapper_argv = NULL;
  GPid pid;
  int fd;

  /* CASELINKD_WRAPPER="valgrind --error-exitcode=99" runs the daemon
   * under a checker; a non-zero exit then fails the test. */
  if (wrapper != NULL && *wrapper != '\0')
    {
      if (!g_shell_parse_argv (wrapper, NULL, &wrapper_argv, NULL))
        g_error ("cannot parse CASELINKD_WRAPPER \"%s\"", wrapper);
      for (guint i = 0; wrapper_argv[i] != NULL; i++)
        g_ptr_array_add (argv, wrapper_argv[i]);
    }
  g_ptr_array_add (argv, (char *) daemon);
  g_ptr_array_add (argv, (char *) "--address");
  g_ptr_array_add (argv, h->address);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db_path);
  for (guint i = 0; workflow_dirs != NULL && workflow_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (char *) "--workflows");
      g_ptr_array_add (argv, (char *) workflow_dirs[i]);
    }
  g_ptr_array_add (argv, (char *) "--plugins");
  g_ptr_array_add (argv, h->plugins_dir);
  g_ptr_array_add (argv, (char *) "--config");
  g_ptr_array_add (argv, h->config_path);
  for (guint i = 0; h->extra_args != NULL && h->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, h->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  pid = spawn ((const char *const *) argv->pdata, fd, fd, NULL);
  close (fd);
  return pid;
}

void
cl_harness_start_daemon (ClHarness *h)
{
  g_assert_cmpint (h->daemon_pid, ==, 0);
  h->daemon_pid = cl_harness_spawn_daemon (h, h->db_path,
                                           (const char *const *) h->workflow_dirs,
                                           h->log_path);
  wait_for_name (h, TRUE);
}

ClHarness *
cl_harness_new (const char *const *workflow_dirs)
{
  return cl_harness_new_with_args (workflow_dirs, NULL);
}

ClHarness *
cl_harness_new_with_args (const char *const *workflow_dirs, const char *const *extra_args)
{
  return cl_harness_new_full (workflow_dirs, extra_args, NULL);
}

ClHarness *
cl_harness_new_full (const char *const *workflow_dirs, const char *const *extra_args, const char *actors_template)
{
  ClHarness *h = g_new0 (ClHarness, 1);

  h->extra_args = g_strdupv ((char **) extra_args);
  h->actors_template = g_strdup (actors_template);
  g_autoptr(GError) error = NULL;

  /* Short: the bus socket lives here and sun_path holds ~108 bytes. */
  h->tmpdir = g_dir_make_tmp ("caselink-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* Other uids (test-roles) must reach the bus socket; the database inside
   * stays private through its own 0600 mode. */
  g_chmod (h->tmpdir, 0711);
  h->config_path = g_build_filename (h->tmpdir, "caselink.conf", NULL);
  h->db_path = g_build_filename (h->tmpdir, "caselink.db", NULL);
  h->log_path = g_build_filename (h->tmpdir, "caselinkd.log", NULL);
  h->plugins_dir = g_build_filename (h->tmpdir, "plugins", NULL);
  g_mkdir (h->plugins_dir, 0755);
  if (workflow_dirs != NULL)
    h->workflow_dirs = g_strdupv ((char **) workflow_dirs);
  else
    {
      h->workflow_dirs = g_new0 (char *, 3);
      h->workflow_dirs[0] = cl_test_srcdir_path ("workflows");
      h->workflow_dirs[1] = cl_test_srcdir_path ("tests/data/workflows");
    }
  g_strlcpy (abort_log_path, h->log_path, sizeof abort_log_path);

  write_daemon_config (h);
  start_bus (h);
  cl_harness_start_daemon (h);
  return h;
}

void
cl_harness_stop_daemon (ClHarness *h)
{
  int status;

  g_assert_cmpint (h->daemon_pid, !=, 0);
  kill (h->daemon_pid, SIGTERM);
  status = cl_test_wait_pid (h->daemon_pid, CL_TEST_START_TIMEOUT_MS);
  if (status == -1)
    {
      kill (h->daemon_pid, SIGKILL);
      cl_test_wait_pid (h->daemon_pid, CL_TEST_START_TIMEOUT_MS);
      h->daemon_pid = 0;
      g_error ("caselinkd did not exit within %u ms of SIGTERM",
               CL_TEST_START_TIMEOUT_MS);
    }
  h->daemon_pid = 0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("caselinkd did not exit cleanly on SIGTERM (wait status 0x%x)",
             status);
  /* The bus drops the name when it sees the socket close; a restart must
   * not race with that. */
  wait_for_name (h, FALSE);
}

void
cl_harness_kill_daemon (ClHarness *h)
{
  g_assert_cmpint (h->daemon_pid, !=, 0);
  kill (h->daemon_pid, SIGKILL);
  g_assert_cmpint (cl_test_wait_pid (h->daemon_pid, CL_TEST_START_TIMEOUT_MS),
                   !=, -1);
  h->daemon_pid = 0;
  wait_for_name (h, FALSE);
}

int
cl_harness_kill_bus (ClHarness *h)
{
  int status;

  g_assert_cmpint (h->bus_pid, !=, 0);
  g_assert_cmpint (h->daemon_pid, !=, 0);
  if (h->conn != NULL)
    {
      cl_test_disconnect (h->conn);
      h->conn = NULL;
    }
  kill (h->bus_pid, SIGKILL);
  g_assert_cmpint (cl_test_wait_pid (h->bus_pid, CL_TEST_START_TIMEOUT_MS), !=, -1);
  h->bus_pid = 0;
  status = cl_test_wait_pid (h->daemon_pid, CL_TEST_START_TIMEOUT_MS);
  if (status == -1)
    {
      kill (h->daemon_pid, SIGKILL);
      cl_test_wait_pid (h->daemon_pid, CL_TEST_START_TIMEOUT_MS);
      g_error ("caselinkd kept running after its bus died");
    }
  h->daemon_pid = 0;
  return status;
}

void
cl_harness_free (ClHarness *h)
{
  if (h->daemon_pid != 0)
    cl_harness_stop_daemon (h);
  if (h->conn != NULL)
    cl_test_disconnect (h->conn);
  if (h->bus_pid != 0)
    {
      kill (h->bus_pid, SIGTERM);
      if (cl_test_wait_pid (h->bus_pid, CL_TEST_START_TIMEOUT_MS) == -1)
        {
          kill (h->bus_pid, SIGKILL);
          cl_test_wait_pid (h->bus_pid, CL_TEST_START_TIMEOUT_MS);
        }
    }
  abort_log_path[0] = '\0';
  rm_rf (h->tmpdir);
  g_free (h->tmpdir);
  g_free (h->address);
  g_free (h->config_path);
  g_strfreev (h->extra_args);
  g_free (h->actors_template);
  g_free (h->db_path);
  g_free (h->log_path);
  g_free (h->plugins_dir);
  g_strfreev (h->workflow_dirs);
  g_free (h);
}

const char *cl_harness_address (ClHarness *h) { return h->address; }
const char *cl_harness_tmpdir (ClHarness *h) { return h->tmpdir; }
const char *cl_harness_db_path (ClHarness *h) { return h->db_path; }
const char *cl_harness_config_path (ClHarness *h) { return h->config_path; }

void
cl_harness_set_db_path (ClHarness *h, const char *path)
{
  g_assert_cmpint (h->daemon_pid, ==, 0);
  g_free (h->db_path);
  h->db_path = g_strdup (path);
}
GPid cl_harness_daemon_pid (ClHarness *h) { return h->daemon_pid; }
DBusConnection *cl_harness_connection (ClHarness *h) { return h->conn; }

DBusConnection *
cl_harness_connect (ClHarness *h)
{
  g_autoptr(GError) error = NULL;
  DBusConnection *conn = cl_dbus_open (h->address, DBUS_BUS_SESSION, &error);

  g_assert_no_error (error);
  return conn;
}

void
cl_test_disconnect (DBusConnection *conn)
{
  dbus_connection_close (conn);
  dbus_connection_unref (conn);
}

char *
cl_harness_read_log (ClHarness *h)
{
  char *contents = NULL;

  if (!g_file_get_contents (h->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

GVariant *
cl_test_call (DBusConnection *conn, const char *path, const char *iface,
              const char *method, GVariant *args, GError **error)
{
  DBusMessage *msg, *reply;
  DBusError derr = DBUS_ERROR_INIT;
  GVariant *ret;

  msg = dbus_message_new_method_call (CL_DBUS_NAME, path, iface, method);
  g_assert_nonnull (msg);
  if (args != NULL)
    {
      g_variant_ref_sink (args);
      if (!cl_dbus_message_append_args (msg, args))
        g_error ("cannot marshal %s", g_variant_get_type_string (args));
      g_variant_unref (args);
    }
  reply = dbus_connection_send_with_reply_and_block (conn, msg,
                                                     CL_TEST_CALL_TIMEOUT_MS,
                                                     &derr);
  dbus_message_unref (msg);
  if (reply == NULL)
    {
      g_set_error (error, CL_TEST_DBUS_ERROR, 0, "%s: %s", derr.name,
                   derr.message != NULL ? derr.message : "");
      dbus_error_free (&derr);
      return NULL;
    }
  ret = cl_dbus_message_get_args (reply, error);
  dbus_message_unref (reply);
  return ret != NULL ? g_variant_take_ref (ret) : NULL;
}

GVariant *
cl_test_call_ok (DBusConnection *conn, const char *path, const char *iface,
                 const char *method, GVariant *args)
{
  g_autoptr(GError) error = NULL;
  GVariant *ret = cl_test_call (conn, path, iface, method, args, &error);

  if (ret == NULL)
    g_error ("%s.%s on %s: %s", iface, method, path, error->message);
  return ret;
}

char *
cl_test_error_name (const GError *error)
{
  const char *sep;

  if (error == NULL || error->domain != CL_TEST_DBUS_ERROR)
    return NULL;
  sep = strstr (error->message, ": ");
  return sep != NULL ? g_strndup (error->message, (gsize) (sep - error->message))
                     : g_strdup (error->message);
}

GVariant *
cl_test_fields (const char *first_key, ...)
{
  GVariantBuilder b;
  const char *key;
  va_list ap;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  va_start (ap, first_key);
  for (key = first_key; key != NULL; key = va_arg (ap, const char *))
    g_variant_builder_add (&b, "{sv}", key, va_arg (ap, GVariant *));
  va_end (ap);
  return g_variant_builder_end (&b);
}

char *
cl_test_create_case (DBusConnection *conn, const char *workflow,
                     GVariant *fields, char **path_out)
{
  g_autoptr(GVariant) reply = NULL;
  char *id = NULL, *path = NULL;

  reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                           "CreateCase",
                           g_variant_new ("(s@a{sv})", workflow, fields));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(so)");
  g_variant_get (reply, "(so)", &id, &path);
  if (path_out != NULL)
    *path_out = path;
  else
    g_free (path);
  return id;
}

char *
cl_test_advance (DBusConnection *conn, const char *path,
                 const char *transition, GVariant *fields,
                 const char *comment, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *state = NULL;

  if (fields == NULL)
    fields = cl_test_fields (NULL, NULL);
  reply = cl_test_call (conn, path, CL_CASE_IFACE, "Advance",
                        g_variant_new ("(s@a{sv}s)", transition, fields,
                                       comment != NULL ? comment : ""),
                        error);
  if (reply == NULL)
    return NULL;
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(s)");
  g_variant_get (reply, "(s)", &state);
  return state;
}

GVariant *
cl_test_get_property (DBusConnection *conn, const char *path,
                      const char *iface, const char *name, GError **error)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *value = NULL;

  reply = cl_test_call (conn, path, "org.freedesktop.DBus.Properties", "Get",
                        g_variant_new ("(ss)", iface, name), error);
  if (reply == NULL)
    return NULL;
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(v)");
  g_variant_get (reply, "(v)", &value);
  return value;
}

/* µs of a local time in Asia/Shanghai. */
gint64
cl_test_at (int y, int mo, int d, int h, int mi)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GTimeZone) fixed = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) dt = g_date_time_new (tz ? tz : fixed, y, mo, d, h, mi, 0);
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* The end of a local day: 23:59:59.999999. */
gint64
cl_test_end_of (int y, int mo, int d)
{
  return cl_test_at (y, mo, d, 0, 0) + G_TIME_SPAN_DAY - 1;
}

void
cl_test_set_time (ClHarness *h, gint64 us)
{
  g_autoptr(GVariant) r = cl_test_call_ok (cl_harness_connection (h), CL_MANAGER_PATH, "org.caselink.Testing1",
                                           "SetTime", g_variant_new ("(x)", us));
}

GVariant *
cl_test_case_prop (ClHarness *h, const char *path, const char *name)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = cl_test_get_property (cl_harness_connection (h), path, CL_CASE_IFACE, name, &error);
  g_assert_no_error (error);
  return v;
}

gint64
cl_test_deadline_of (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) v = cl_test_case_prop (h, path, "Deadline");
  return g_variant_get_int64 (v);
}

gboolean
cl_test_overdue_of (ClHarness *h, const char *path)
{
  g_autoptr(GVariant) v = cl_test_case_prop (h, path, "Overdue");
  return g_variant_get_boolean (v);
}

void
cl_test_wait_for (ClHarness *h, const char *path, const char *state, int overdue)
{
  for (int i = 0; i < 500; i++)
    {
      g_autofree char *s = cl_test_case_state (cl_harness_connection (h), path);
      if ((state == NULL || g_str_equal (s, state)) && (overdue < 0 || cl_test_overdue_of (h, path) == overdue))
        return;
      g_usleep (10000);
    }
  g_error ("case %s never reached state %s / overdue %d", path, state ? state : "*", overdue);
}

guint
cl_test_count_notes (ClHarness *h, const char *path, const char *action, const char *needle)
{
  g_autoptr(GVariant) all = cl_test_history_all (cl_harness_connection (h), path);
  guint n = 0;

  for (gsize i = 0; i < g_variant_n_children (all); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (all, i);
      g_autofree char *a = cl_test_dict_string (e, "action");
      g_autofree char *c = cl_test_dict_string (e, "comment");
      if (g_str_equal (a, action) && strstr (c, needle) != NULL)
        {
          g_test_message ("%s: %s", a, c);
          n++;
        }
    }
  return n;
}

void
cl_test_argv_setpriv (GPtrArray *argv, const char *uid)
{
  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%s", uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%s", uid));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
}

char *
cl_test_create (ClHarness *h, const char *workflow, GVariant *fields, char **path)
{
  return cl_test_create_case (cl_harness_connection (h), workflow, fields, path);
}

void
cl_test_step (ClHarness *h, const char *path, const char *transition, GVariant *fields, const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = cl_test_advance (cl_harness_connection (h), path, transition,
                                            fields != NULL ? fields : cl_test_fields (NULL, NULL), "", &error);
  if (error != NULL)
    g_error ("%s on %s: %s", transition, path, error->message);
  g_assert_cmpstr (state, ==, want);
}

GVariant *
cl_test_case_fields (DBusConnection *conn, const char *path)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = cl_test_get_property (conn, path, CL_CASE_IFACE, "Fields", &error);

  g_assert_no_error (error);
  return v;
}

void
cl_test_assert_error (GError **error, const char *name, const char *part)
{
  g_assert_nonnull (*error);
  g_test_message ("error: %s", (*error)->message);
  if (strstr ((*error)->message, part) == NULL)
    g_error ("expected '%s' in: %s", part, (*error)->message);
  cl_assert_dbus_error (*error, name);
}

/* The Fields of the first PropertiesChanged for @path that arrives. */
GVariant *
cl_test_wait_properties_fields (DBusConnection *conn, const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      DBusMessage *msg;

      dbus_connection_read_write (conn, 50);
      while ((msg = dbus_connection_pop_message (conn)) != NULL)
        {
          g_autoptr(GVariant) args = NULL;
          g_autoptr(GVariant) changed = NULL;
          GVariant *fields = NULL;

          if (dbus_message_get_type (msg) == DBUS_MESSAGE_TYPE_SIGNAL
              && g_strcmp0 (dbus_message_get_member (msg), "PropertiesChanged") == 0
              && g_strcmp0 (dbus_message_get_path (msg), path) == 0)
            {
              args = cl_dbus_message_get_args (msg, NULL);
              changed = g_variant_get_child_value (args, 1);
              fields = g_variant_lookup_value (changed, "Fields", G_VARIANT_TYPE_VARDICT);
            }
          dbus_message_unref (msg);
          if (fields != NULL)
            return fields;
        }
    }
  g_error ("no PropertiesChanged for %s", path);
  return NULL;
}

gboolean
cl_test_workflow_listed (DBusConnection *conn, const char *name)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListWorkflows", NULL);
  g_autoptr(GVariant) list = g_variant_get_child_value (reply, 0);

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = g_variant_get_child_value (list, i);
      g_autofree char *n = cl_test_dict_string (e, "name");
      if (g_str_equal (n, name))
        return TRUE;
    }
  return FALSE;
}

GVariant *
cl_test_list_plugins (DBusConnection *conn)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  return g_variant_get_child_value (reply, 0);
}

char *
cl_test_case_state (DBusConnection *conn, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = cl_test_get_property (conn, path, CL_CASE_IFACE,
                                                "State", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "s");
  return g_variant_dup_string (v, NULL);
}

GVariant *
cl_test_history_all (DBusConnection *conn, const char *path)
{
  g_autoptr(GVariant) reply = cl_test_call_ok (conn, path, CL_CASE_IFACE,
                                               "History", NULL);

  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(aa{sv})");
  return g_variant_get_child_value (reply, 0);
}

GVariant *
cl_test_history (DBusConnection *conn, const char *path)
{
  g_autoptr(GVariant) all = cl_test_history_all (conn, path);
  GVariantBuilder b;
  GVariantIter it;
  GVariant *entry;

  /* Deadline bookkeeping is test-deadlines' business; the other tests look
   * at what callers did. */
  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_iter_init (&it, all);
  while ((entry = g_variant_iter_next_value (&it)) != NULL)
    {
      const char *action = NULL;
      if (!g_variant_lookup (entry, "action", "&s", &action) || !g_str_equal (action, "deadline"))
        g_variant_builder_add_value (&b, entry);
      g_variant_unref (entry);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

GVariant *
cl_test_list_cases (DBusConnection *conn, GVariant *filter)
{
  g_autoptr(GVariant) reply = NULL;

  if (filter == NULL)
    filter = cl_test_fields (NULL, NULL);
  reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE,
                           "ListCases", g_variant_new ("(@a{sv})", filter));
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(aa{sv})");
  return g_variant_get_child_value (reply, 0);
}

int
cl_test_current_year (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = NULL;

  /* The daemon falls back to a fixed +08:00 without the zone database. */
  if (tz == NULL)
    tz = g_time_zone_new_offset (8 * 3600);
  now = g_date_time_new_now (tz);
  return g_date_time_get_year (now);
}

char *
cl_test_case_id (const char *prefix, guint seq)
{
  return g_strdup_printf ("%s-%d-%06u", prefix, cl_test_current_year (), seq);
}

const char *
cl_test_user_name (void)
{
  return getuid () == 0 ? "root" : g_get_user_name ();
}

const char *
cl_test_user_agency (void)
{
  return getuid () == 0 ? "" : "qh-proc";
}

GVariant *
cl_test_dict_get (GVariant *dict, const char *key, const char *type)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, key, NULL);

  if (v == NULL)
    g_error ("key \"%s\" missing from %s", key, g_variant_print (dict, TRUE));
  if (g_strcmp0 (g_variant_get_type_string (v), type) != 0)
    g_error ("key \"%s\" has type %s, want %s", key,
             g_variant_get_type_string (v), type);
  return g_steal_pointer (&v);
}

char *
cl_test_dict_string (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = cl_test_dict_get (dict, key, "s");

  return g_variant_dup_string (v, NULL);
}

gint64
cl_test_dict_int64 (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) v = cl_test_dict_get (dict, key, "x");

  return g_variant_get_int64 (v);
}

gboolean
cl_test_have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);
  return path != NULL;
}

guint
cl_test_start_timeout_ms (void)
{
  const char *wrapper = g_getenv ("CASELINKD_WRAPPER");
  return (wrapper != NULL && *wrapper != '\0') ? 120000 : 30000;
}
