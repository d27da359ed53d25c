/* test-policy.c — caselinkd as it runs on a system bus: a private
 * dbus-daemon configured like a distribution's system bus
 * (tests/data/system-bus.conf.in: deny by default, with the project's
 * data/org.caselink.conf included as system.d would be), caselinkd as root,
 * and clients under other unix uids (setpriv running this same binary with
 * --client). It proves:
 *
 *   - only root (or a "caselink" user, where one exists) may own
 *     org.caselink: a client or a second caselinkd as nobody is refused by
 *     the bus, whether the name is taken or free;
 *   - everyone may call the public interfaces, and caselinkd, not the bus,
 *     decides what they may do (Reload by nobody: PermissionDenied naming
 *     the uid the bus reported);
 *   - anything else sent to org.caselink is refused by the bus: the
 *     test-only org.caselink.Testing1 (even though this daemon runs with
 *     --test-clock and exports it, and even for root), an invented
 *     interface, a method call without an interface;
 *   - per-agency visibility holds for callers under other uids: NotFound
 *     for cases they may not see, lists and counts of what they see, and no
 *     signals about other cases, not even by eavesdropping;
 *   - every history row hashes as docs/security.md specifies (recomputed
 *     here independently of common/audit-chain.c), and AuditHead is the
 *     global chain's head;
 *   - the database, -wal, -shm are 0600 and their new directory 0700 even
 *     under umask 0; systemd-analyze rates data/caselink.service at most
 *     2.0 (this one runs without root too).
 *
 * Needs root (skipped otherwise), setpriv and the system users daemon (1),
 * bin (2) and nobody (65534): dbus-daemon refuses uids without a passwd
 * entry. tests/data/actors.yaml makes daemon agency_head of xn-psb (a
 * party) and bin proc_chief of qh-proc (a role that sees all cases);
 * nobody is not listed. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cl-dbus-glue.h"
#include "cl-dbus-variant.h"
#include "cl-errors.h"
#include "harness.h"

#define PARTY_UID "1"        /* daemon: agency_head of xn-psb */
#define CHIEF_UID "2"        /* bin: proc_chief of qh-proc, sees all */
#define NOBODY_UID "65534"   /* nobody: not in actors.yaml */

#define ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define NOT_FOUND "org.caselink.Error.NotFound"
#define PERMISSION_DENIED "org.caselink.Error.PermissionDenied"
/* dbus-daemon's wording when its policy refuses a message; caselinkd's own
 * AccessDenied ("cannot determine who is calling") reads differently. */
#define BUS_REJECTED "Rejected send message"

/* ---- the client side: this binary under another uid ------------------- */

static void
print_error (const DBusError *derr)
{
  char *msg = g_strescape (derr->message ? derr->message : "", NULL);

  printf ("error %s %s\n", derr->name, msg);
  g_free (msg);
}

/* own ADDRESS: RequestName org.caselink. */
static int
client_own (DBusConnection *conn)
{
  DBusError derr = DBUS_ERROR_INIT;
  int rc = dbus_bus_request_name (conn, CL_DBUS_NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &derr);

  if (dbus_error_is_set (&derr))
    {
      print_error (&derr);
      dbus_error_free (&derr);
    }
  else
    printf ("ok ('%s',)\n", rc == DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER ? "owner" : "not-owner");
  return 0;
}

/* call ADDRESS PATH IFACE|- MEMBER [ARGS]: ARGS is a GVariant tuple in text
 * form; prints "ok <reply tuple>" or "error <name> <escaped message>". */
static int
client_call (DBusConnection *conn, char **argv)
{
  const char *path = argv[0], *iface = argv[1], *member = argv[2], *args = argv[3];
  DBusError derr = DBUS_ERROR_INIT;
  DBusMessage *msg, *reply;

  msg = dbus_message_new_method_call (CL_DBUS_NAME, path, g_str_equal (iface, "-") ? NULL : iface, member);
  if (args != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) v = g_variant_parse (NULL, args, NULL, NULL, &error);

      if (v == NULL || !cl_dbus_message_append_args (msg, v))
        {
          printf ("bad-args %s\n", error ? error->message : args);
          return 2;
        }
    }
  reply = dbus_connection_send_with_reply_and_block (conn, msg, CL_TEST_CALL_TIMEOUT_MS, &derr);
  dbus_message_unref (msg);
  if (reply == NULL)
    {
      print_error (&derr);
      dbus_error_free (&derr);
      return 0;
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) out = cl_dbus_message_get_args (reply, &error);
    g_autofree char *text = out ? g_variant_print (out, TRUE) : NULL;

    dbus_message_unref (reply);
    if (out == NULL)
      {
        printf ("bad-reply %s\n", error->message);
        return 2;
      }
    printf ("ok %s\n", text);
  }
  return 0;
}

/* watch ADDRESS: Subscribe, say "ready", then print every signal caselinkd
 * sends us until the Reloaded broadcast. snoop ADDRESS: the same without
 * subscribing, with an eavesdropping match rule for everything caselinkd
 * sends to anyone instead. */
static int
client_watch (DBusConnection *conn, gboolean snoop)
{
  DBusError derr = DBUS_ERROR_INIT;
  DBusMessage *msg, *reply;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  g_autofree char *refused = NULL;

  dbus_bus_add_match (conn, "type='signal',sender='" CL_DBUS_NAME "',interface='" CL_MANAGER_IFACE
                      "',member='Reloaded'", &derr);
  if (dbus_error_is_set (&derr))
    {
      print_error (&derr);
      dbus_error_free (&derr);
      return 2;
    }
  if (snoop)
    {
      /* dbus 1.14 refuses an eavesdropping rule from anyone but root and
       * the bus's own uid; older buses accept it and filter by policy.
       * Either way nothing may arrive. */
      dbus_bus_add_match (conn, "type='signal',sender='" CL_DBUS_NAME "',eavesdrop='true'", &derr);
      if (dbus_error_is_set (&derr))
        {
          refused = g_strdup (derr.name);
          dbus_error_free (&derr);
        }
    }
  if (!snoop)
    {
      msg = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Subscribe");
      reply = dbus_connection_send_with_reply_and_block (conn, msg, CL_TEST_CALL_TIMEOUT_MS, &derr);
      dbus_message_unref (msg);
      if (reply == NULL)
        {
          print_error (&derr);
          dbus_error_free (&derr);
          return 2;
        }
      dbus_message_unref (reply);
    }
  printf ("ready\n");
  if (refused != NULL)
    printf ("eavesdropping refused: %s\n", refused);
  fflush (stdout);

  while (g_get_monotonic_time () < deadline && dbus_connection_read_write (conn, 1000))
    while ((msg = dbus_connection_pop_message (conn)) != NULL)
      {
        gboolean done = FALSE;

        if (dbus_message_get_type (msg) == DBUS_MESSAGE_TYPE_SIGNAL
            && g_strcmp0 (dbus_message_get_sender (msg), DBUS_SERVICE_DBUS) != 0)
          {
            g_autoptr(GVariant) args = cl_dbus_message_get_args (msg, NULL);
            g_autofree char *text = args ? g_variant_print (args, FALSE) : g_strdup ("?");

            printf ("signal %s.%s %s %s\n", dbus_message_get_interface (msg), dbus_message_get_member (msg),
                    dbus_message_get_path (msg), text);
            fflush (stdout);
            done = dbus_message_is_signal (msg, CL_MANAGER_IFACE, "Reloaded");
          }
        dbus_message_unref (msg);
        if (done)
          return 0;
      }
  printf ("timeout\n");
  return 3;
}

static int
client_main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  DBusConnection *conn;
  int status;

  /* argv: PROG --client MODE ADDRESS ... */
  if (argc < 4)
    return 2;
  conn = cl_dbus_open (argv[3], DBUS_BUS_SESSION, &error);
  if (conn == NULL)
    {
      printf ("no-connection %s\n", error->message);
      return 2;
    }
  if (g_str_equal (argv[2], "own"))
    status = client_own (conn);
  else if (g_str_equal (argv[2], "call") && argc >= 7)
    status = client_call (conn, argv + 4);
  else if (g_str_equal (argv[2], "watch") || g_str_equal (argv[2], "snoop"))
    status = client_watch (conn, g_str_equal (argv[2], "snoop"));
  else
    status = 2;
  fflush (stdout);
  dbus_connection_close (conn);
  dbus_connection_unref (conn);
  return status;
}

/* ---- the system-like bus and caselinkd as root ------------------------ */

typedef struct {
  char *tmpdir;
  char *socket_path;
  char *address;
  char *bus_log;
  char *config_path;
  char *db_path;
  char *log_path;
  char *plugins_dir;
  GPid bus_pid;
  GPid daemon_pid;
  DBusConnection *conn;      /* root's own client connection */
} SysBus;

static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GPid
spawn (const char *const *argv, int out_fd, int err_fd, int *stdout_pipe)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "G_DEBUG", "fatal-criticals", TRUE);
  GPid pid = 0;

  g_spawn_async_with_pipes_and_fds (NULL, argv, (const char *const *) envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_SEARCH_PATH,
                                    child_setup, NULL, -1, out_fd, err_fd, NULL, NULL, 0, &pid, NULL, stdout_pipe,
                                    NULL, &error);
  g_assert_no_error (error);
  return pid;
}

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

      if (left <= 0 || poll (&pfd, 1, (int) left) <= 0 || read (fd, &c, 1) != 1)
        break;
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
  g_string_free (line, TRUE);
  return NULL;
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
}

static char *
read_file (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* The bus config from the template, with data/org.caselink.conf as the only
 * service policy in its system.d. */
static void
write_bus_config (SysBus *s, const char *conf)
{
  g_autofree char *template_path = cl_test_srcdir_path ("tests/data/system-bus.conf.in");
  g_autofree char *policy_src = cl_test_srcdir_path ("data/org.caselink.conf");
  g_autofree char *policy_dir = g_build_filename (s->tmpdir, "system.d", NULL);
  g_autofree char *policy_copy = g_build_filename (policy_dir, "org.caselink.conf", NULL);
  g_autofree char *template = read_file (template_path);
  g_autofree char *policy = read_file (policy_src);
  GString *xml = g_string_new (template);

  g_assert_nonnull (strstr (template, "@POLICY_DIR@"));
  g_assert_nonnull (strstr (policy, "org.caselink"));
  g_assert_cmpint (g_mkdir (policy_dir, 0755), ==, 0);
  write_file (policy_copy, policy);
  g_string_replace (xml, "@SOCKET@", s->socket_path, 0);
  g_string_replace (xml, "@POLICY_DIR@", policy_dir, 0);
  write_file (conf, xml->str);
  g_string_free (xml, TRUE);
}

static void
write_daemon_config (SysBus *s)
{
  g_autofree char *actors_src = cl_test_srcdir_path ("tests/data/actors.yaml");
  g_autofree char *actors_path = g_build_filename (s->tmpdir, "actors.yaml", NULL);
  g_autofree char *actors = read_file (actors_src);

  write_file (actors_path, actors);
  write_file (s->config_path, "[daemon]\nactors=actors.yaml\ntimezone=Asia/Shanghai\nlanguage=zh\n");
}

static gboolean
name_has_owner (SysBus *s)
{
  DBusError derr = DBUS_ERROR_INIT;
  gboolean owned = dbus_bus_name_has_owner (s->conn, CL_DBUS_NAME, &derr);

  if (dbus_error_is_set (&derr))
    g_error ("NameHasOwner: %s: %s", derr.name, derr.message);
  return owned;
}

static void
wait_for_name (SysBus *s, gboolean want_owned)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) CL_TEST_START_TIMEOUT_MS * 1000;

  while (name_has_owner (s) != want_owned)
    {
      if (want_owned && s->daemon_pid != 0 && cl_test_wait_pid (s->daemon_pid, 0) != -1)
        {
          g_autofree char *log = read_file (s->log_path);
          s->daemon_pid = 0;
          g_error ("caselinkd exited before owning %s:\n%s", CL_DBUS_NAME, log);
        }
      if (g_get_monotonic_time () >= deadline)
        g_error ("%s still %s after %u ms", CL_DBUS_NAME, want_owned ? "not owned" : "owned",
                 CL_TEST_START_TIMEOUT_MS);
      g_usleep (20 * 1000);
    }
}

/* caselinkd on the test bus, as root (@uid NULL) or under setpriv as @uid;
 * with --test-clock, so that it exports org.caselink.Testing1 (which the
 * bus policy must keep everyone from reaching). */
static GPid
spawn_daemon (SysBus *s, const char *uid, const char *db_path, const char *log_path)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *wrapper = g_getenv ("CASELINKD_WRAPPER");
  GPid pid;
  int fd;

  if (uid != NULL)
    {
      cl_test_argv_setpriv (argv, uid);
    }
  else if (wrapper != NULL && *wrapper != '\0')
    {
      g_auto(GStrv) w = NULL;
      if (!g_shell_parse_argv (wrapper, NULL, &w, NULL))
        g_error ("cannot parse CASELINKD_WRAPPER \"%s\"", wrapper);
      for (guint i = 0; w[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (w[i]));
    }
  g_ptr_array_add (argv, g_strdup (g_getenv ("CASELINKD")));
  g_ptr_array_add (argv, g_strdup ("--address"));
  g_ptr_array_add (argv, g_strdup (s->address));
  g_ptr_array_add (argv, g_strdup ("--db"));
  g_ptr_array_add (argv, g_strdup (db_path));
  g_ptr_array_add (argv, g_strdup ("--workflows"));
  g_ptr_array_add (argv, cl_test_srcdir_path ("workflows"));
  g_ptr_array_add (argv, g_strdup ("--workflows"));
  g_ptr_array_add (argv, cl_test_srcdir_path ("tests/data/workflows"));
  g_ptr_array_add (argv, g_strdup ("--plugins"));
  g_ptr_array_add (argv, g_strdup (s->plugins_dir));
  g_ptr_array_add (argv, g_strdup ("--config"));
  g_ptr_array_add (argv, g_strdup (s->config_path));
  g_ptr_array_add (argv, g_strdup ("--test-clock"));
  g_ptr_array_add (argv, NULL);

  fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  pid = spawn ((const char *const *) argv->pdata, fd, fd, NULL);
  close (fd);
  return pid;
}

static void
start_daemon (SysBus *s)
{
  g_assert_cmpint (s->daemon_pid, ==, 0);
  s->daemon_pid = spawn_daemon (s, NULL, s->db_path, s->log_path);
  wait_for_name (s, TRUE);
}

static void
stop_daemon (SysBus *s)
{
  int status;

  g_assert_cmpint (s->daemon_pid, !=, 0);
  kill (s->daemon_pid, SIGTERM);
  status = cl_test_wait_pid (s->daemon_pid, CL_TEST_START_TIMEOUT_MS);
  if (status == -1)
    {
      kill (s->daemon_pid, SIGKILL);
      cl_test_wait_pid (s->daemon_pid, CL_TEST_START_TIMEOUT_MS);
    }
  s->daemon_pid = 0;
  if (status == -1 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("caselinkd did not exit cleanly on SIGTERM (wait status 0x%x)", status);
  wait_for_name (s, FALSE);
}

static SysBus *
sysbus_new (void)
{
  SysBus *s = g_new0 (SysBus, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL, *conf_opt = NULL, *bus = g_find_program_in_path ("dbus-daemon");
  int out = -1, log_fd;

  s->tmpdir = g_dir_make_tmp ("caselink-policy-XXXXXX", &error);
  g_assert_no_error (error);
  /* Clients under other uids reach the socket; nothing here is listable. */
  g_assert_cmpint (g_chmod (s->tmpdir, 0711), ==, 0);
  s->socket_path = g_build_filename (s->tmpdir, "system_bus_socket", NULL);
  s->bus_log = g_build_filename (s->tmpdir, "bus.log", NULL);
  s->config_path = g_build_filename (s->tmpdir, "caselink.conf", NULL);
  /* A directory caselinkd has to create (test_file_modes checks how). */
  s->db_path = g_build_filename (s->tmpdir, "state", "caselink.db", NULL);
  s->log_path = g_build_filename (s->tmpdir, "caselinkd.log", NULL);
  s->plugins_dir = g_build_filename (s->tmpdir, "plugins", NULL);
  g_assert_cmpint (g_mkdir (s->plugins_dir, 0755), ==, 0);
  conf = g_build_filename (s->tmpdir, "system.conf", NULL);
  write_bus_config (s, conf);
  write_daemon_config (s);

  conf_opt = g_strdup_printf ("--config-file=%s", conf);
  {
    const char *argv[] = { bus, conf_opt, "--nofork", "--print-address", NULL };

    log_fd = open (s->bus_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    g_assert_cmpint (log_fd, >=, 0);
    s->bus_pid = spawn (argv, -1, log_fd, &out);
    close (log_fd);
  }
  s->address = read_line (out, CL_TEST_START_TIMEOUT_MS);
  close (out);
  if (s->address == NULL)
    {
      g_autofree char *log = read_file (s->bus_log);
      g_error ("dbus-daemon (system-like config) printed no address:\n%s", log);
    }
  /* dbus-daemon skips a malformed file of its includedir with a message
   * and goes on: the policy must have parsed. */
  {
    g_autofree char *log = read_file (s->bus_log);
    if (strstr (log, "Encountered error") != NULL)
      g_error ("the bus did not accept data/org.caselink.conf:\n%s", log);
  }
  s->conn = cl_dbus_open (s->address, DBUS_BUS_SESSION, &error);
  g_assert_no_error (error);
  start_daemon (s);
  return s;
}

static void
rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  if ((dir = g_dir_open (path, 0, NULL)) != NULL)
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

static void
sysbus_free (SysBus *s)
{
  if (s->daemon_pid != 0)
    stop_daemon (s);
  cl_test_disconnect (s->conn);
  kill (s->bus_pid, SIGTERM);
  if (cl_test_wait_pid (s->bus_pid, CL_TEST_START_TIMEOUT_MS) == -1)
    {
      kill (s->bus_pid, SIGKILL);
      cl_test_wait_pid (s->bus_pid, CL_TEST_START_TIMEOUT_MS);
    }
  rm_rf (s->tmpdir);
  g_free (s->tmpdir);
  g_free (s->socket_path);
  g_free (s->address);
  g_free (s->bus_log);
  g_free (s->config_path);
  g_free (s->db_path);
  g_free (s->log_path);
  g_free (s->plugins_dir);
  g_free (s);
}

/* ---- running clients under other uids --------------------------------- */

static char *self_exe;

static GPtrArray *
client_argv (const char *uid, const char *mode, SysBus *s)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  cl_test_argv_setpriv (argv, uid);
  g_ptr_array_add (argv, g_strdup (self_exe));
  g_ptr_array_add (argv, g_strdup ("--client"));
  g_ptr_array_add (argv, g_strdup (mode));
  g_ptr_array_add (argv, g_strdup (s->address));
  return argv;
}

/* Run a client to completion; its one line of output. */
static char *
run_client (GPtrArray *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  g_autoptr(GString) what = g_string_new (NULL);

  /* argv: setpriv --reuid=U ... self --client MODE ADDRESS [ARGS...] */
  for (guint i = 6; i < argv->len; i++)
    if (i != 7)
      g_string_append_printf (what, " %s", (char *) argv->pdata[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("as %s:%s -> %.300s%s%s", (char *) argv->pdata[1] + strlen ("--reuid="), what->str, out,
                  strlen (out) > 300 ? "…\n" : "", err);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("client failed (wait status 0x%x): %s%s", status, out, err);
  g_strchomp (out);
  return g_steal_pointer (&out);
}

typedef struct {
  char *error;       /* D-Bus error name; NULL on success */
  char *message;
  GVariant *reply;   /* the reply's arguments as a tuple */
} Reply;

static void
reply_free (Reply *r)
{
  g_free (r->error);
  g_free (r->message);
  g_clear_pointer (&r->reply, g_variant_unref);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
parse_reply (const char *line)
{
  Reply *r = g_new0 (Reply, 1);

  if (g_str_has_prefix (line, "ok "))
    {
      g_autoptr(GError) error = NULL;
      /* A full (non-floating) reference. */
      r->reply = g_variant_parse (NULL, line + 3, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  else if (g_str_has_prefix (line, "error "))
    {
      g_auto(GStrv) parts = g_strsplit (line + 6, " ", 2);
      r->error = g_strdup (parts[0]);
      r->message = g_strcompress (parts[1] ? parts[1] : "");
    }
  else
    g_error ("unexpected client output: %s", line);
  return r;
}

/* @member of @iface (or "-": none) at @path, as @uid; @args a GVariant
 * tuple in text form or NULL. */
static Reply *
call_as (SysBus *s, const char *uid, const char *path, const char *iface, const char *member, const char *args)
{
  GPtrArray *argv = client_argv (uid, "call", s);
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, g_strdup (path));
  g_ptr_array_add (argv, g_strdup (iface));
  g_ptr_array_add (argv, g_strdup (member));
  if (args != NULL)
    g_ptr_array_add (argv, g_strdup (args));
  line = run_client (argv);
  g_ptr_array_unref (argv);
  return parse_reply (line);
}

static Reply *
request_name_as (SysBus *s, const char *uid)
{
  GPtrArray *argv = client_argv (uid, "own", s);
  g_autofree char *line = run_client (argv);

  g_ptr_array_unref (argv);
  return parse_reply (line);
}

static void
assert_ok (const Reply *r)
{
  if (r->error != NULL)
    g_error ("expected success, got %s: %s", r->error, r->message);
}

static void
assert_error (const Reply *r, const char *name, const char *needle)
{
  if (g_strcmp0 (r->error, name) != 0)
    g_error ("expected %s, got %s: %s", name, r->error ? r->error : "success", r->message ? r->message : "");
  if (needle != NULL && strstr (r->message, needle) == NULL)
    g_error ("expected '%s' in the %s message: %s", needle, name, r->message);
}

/* Refused by dbus-daemon's policy, never delivered to caselinkd. */
static void
assert_bus_refused (const Reply *r)
{
  assert_error (r, ACCESS_DENIED, BUS_REJECTED);
}

static gboolean
prerequisites (void)
{
  static const char *const users[] = { PARTY_UID, CHIEF_UID, NOBODY_UID };
  g_autofree char *setpriv = NULL;

  if (getuid () != 0)
    {
      g_test_skip ("needs root: caselinkd owns org.caselink as root, clients run under other uids");
      return FALSE;
    }
  setpriv = g_find_program_in_path ("setpriv");
  if (setpriv == NULL)
    {
      g_test_skip ("setpriv is not installed");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    if (getpwuid ((uid_t) g_ascii_strtoull (users[i], NULL, 10)) == NULL)
      {
        g_autofree char *msg = g_strdup_printf ("uid %s has no passwd entry (dbus-daemon refuses such uids)", users[i]);
        g_test_skip (msg);
        return FALSE;
      }
  return TRUE;
}

/* ---- name ownership --------------------------------------------------- */

/* caselinkd started as nobody (its own database in a directory nobody
 * owns): it must fail to take the name — because it is @taken (then it
 * stops before opening any database), or else because of the bus policy. */
static void
assert_nobody_daemon_refused (SysBus *s, const char *db, const char *log_path, gboolean taken)
{
  g_autofree char *log = NULL;
  const char *said;
  GPid pid = spawn_daemon (s, NOBODY_UID, db, log_path);
  int status = cl_test_wait_pid (pid, CL_TEST_START_TIMEOUT_MS);

  if (status == -1)
    {
      kill (pid, SIGKILL);
      cl_test_wait_pid (pid, CL_TEST_START_TIMEOUT_MS);
      g_error ("caselinkd as nobody kept running");
    }
  log = read_file (log_path);
  said = strstr (log, "caselinkd: ") ? strstr (log, "caselinkd: ") : log;
  g_test_message ("caselinkd as nobody: wait status 0x%x, %s", status, said);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  if (taken)
    {
      g_assert_nonnull (strstr (said, "already owned"));
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
      return;
    }
  /* The policy refused it — not "already owned". */
  g_assert_nonnull (strstr (said, "cannot own org.caselink"));
  g_assert_nonnull (strstr (said, "not allowed to own"));
  /* It had opened its database, so it got as far as the bus. */
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
}

static void
test_ownership (void)
{
  SysBus *s;
  g_autofree char *nobody_dir = NULL, *nobody_db = NULL, *log1 = NULL, *log2 = NULL;

  if (!prerequisites ())
    return;
  s = sysbus_new ();
  nobody_dir = g_build_filename (s->tmpdir, "nobody", NULL);
  g_assert_cmpint (g_mkdir (nobody_dir, 0700), ==, 0);
  g_assert_cmpint (chown (nobody_dir, 65534, 65534), ==, 0);
  nobody_db = g_build_filename (nobody_dir, "caselink.db", NULL);
  log1 = g_build_filename (s->tmpdir, "caselinkd-nobody-1.log", NULL);
  log2 = g_build_filename (s->tmpdir, "caselinkd-nobody-2.log", NULL);

  /* caselinkd runs as root and owns the name (sysbus_new waited for it).
   * Others may not take it, not even to queue for it; a second caselinkd
   * as nobody sees it taken and stops. */
  {
    g_autoptr(Reply) r1 = request_name_as (s, NOBODY_UID);
    g_autoptr(Reply) r2 = request_name_as (s, PARTY_UID);
    assert_error (r1, ACCESS_DENIED, "not allowed to own");
    assert_error (r2, ACCESS_DENIED, "not allowed to own");
  }
  assert_nobody_daemon_refused (s, nobody_db, log1, TRUE);
  g_assert_true (name_has_owner (s));

  /* With the name free, neither a client nor a caselinkd as nobody can
   * take it, and it stays free. */
  stop_daemon (s);
  {
    g_autoptr(Reply) r = request_name_as (s, NOBODY_UID);
    assert_error (r, ACCESS_DENIED, "not allowed to own");
  }
  assert_nobody_daemon_refused (s, nobody_db, log2, FALSE);
  g_assert_false (name_has_owner (s));

  /* root may take it again. */
  start_daemon (s);
  sysbus_free (s);
}

/* Where the deployment has a dedicated caselink user, it may own the name. */
static void
test_caselink_user (void)
{
  struct passwd *pw;
  g_autofree char *uid = NULL;
  SysBus *s;

  if (!prerequisites ())
    return;
  pw = getpwnam ("caselink");
  if (pw == NULL)
    {
      g_test_skip ("no caselink user on this machine (the bus ignores that part of the policy)");
      return;
    }
  uid = g_strdup_printf ("%u", (unsigned) pw->pw_uid);
  s = sysbus_new ();
  stop_daemon (s);
  {
    g_autoptr(Reply) r = request_name_as (s, uid);
    const char *result = NULL;
    assert_ok (r);
    g_variant_get (r->reply, "(&s)", &result);
    g_assert_cmpstr (result, ==, "owner");
  }
  sysbus_free (s);
}

/* ---- calls: the bus lets the public interfaces through, the daemon
 * authorizes ------------------------------------------------------------ */

static void
test_calls (void)
{
  SysBus *s;

  if (!prerequisites ())
    return;
  s = sysbus_new ();

  /* Everyone may call the public interfaces. */
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListWorkflows", NULL);
    g_autoptr(GVariant) list = NULL;
    assert_ok (r);
    g_assert_cmpstr (g_variant_get_type_string (r->reply), ==, "(aa{sv})");
    list = g_variant_get_child_value (r->reply, 0);
    g_assert_cmpuint (g_variant_n_children (list), >, 0);
  }
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                  "('org.caselink.Manager1', 'Version')");
    assert_ok (r);
  }
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.freedesktop.DBus.Introspectable",
                                  "Introspect", NULL);
    const char *xml = NULL;
    assert_ok (r);
    g_variant_get (r->reply, "(&s)", &xml);
    g_assert_nonnull (strstr (xml, "org.caselink.Manager1"));
    /* This daemon runs with --test-clock: it does export Testing1. */
    g_assert_nonnull (strstr (xml, "org.caselink.Testing1"));
  }
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL);
    assert_ok (r);
  }
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, "/org/caselink/workflow/reverse_connection",
                                  "org.caselink.Workflow1", "Graph", NULL);
    assert_ok (r);
  }
  {
    /* Case1 goes through the bus too; the daemon answers (no such case). */
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, "/org/caselink/case/FX_2d2099_2d999999", CL_CASE_IFACE,
                                  "History", NULL);
    assert_error (r, NOT_FOUND, NULL);
  }

  /* Authorization happens in the daemon, from the uid the bus reports:
   * the refusal is caselinkd's error and names that uid. */
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
    assert_error (r, PERMISSION_DENIED, "uid 65534");
    g_assert_nonnull (strstr (r->message, "admin"));
  }
  {
    g_autoptr(Reply) r = call_as (s, PARTY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
    assert_error (r, PERMISSION_DENIED, "uid 1");
  }
  {
    /* A listed actor without the role: the message names the role needed. */
    g_autoptr(Reply) r = call_as (s, PARTY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                                  "('reverse_connection', {'title': <'x'>})");
    assert_error (r, PERMISSION_DENIED, "proc_criminal");
  }
  {
    /* Properties.Set passes the bus; caselinkd refuses it. */
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.freedesktop.DBus.Properties", "Set",
                                  "('org.caselink.Manager1', 'Version', <'9'>)");
    assert_error (r, "org.freedesktop.DBus.Error.PropertyReadOnly", NULL);
  }
  /* root is admin. */
  {
    g_autoptr(GVariant) r = cl_test_call_ok (s->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
  }

  /* The bus refuses what the policy does not list, before caselinkd sees
   * it: the test-only interface (exported by this daemon), for nobody and
   * for root alike... */
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                                  "(int64 1000000,)");
    assert_bus_refused (r);
  }
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.caselink.Testing1", "InjectFault",
                                  "('readonly',)");
    assert_bus_refused (r);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) r = cl_test_call (s->conn, CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                                          g_variant_new ("(x)", (gint64) 1000000), &error);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, BUS_REJECTED));
    cl_assert_dbus_error (error, ACCESS_DENIED);
  }
  /* ...an interface nobody declared... */
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "org.caselink.Evil1", "Anything", NULL);
    assert_bus_refused (r);
  }
  /* ...and a method call without an interface, which caselinkd would
   * otherwise answer by member name alone. */
  {
    g_autoptr(Reply) r = call_as (s, NOBODY_UID, CL_MANAGER_PATH, "-", "ListWorkflows", NULL);
    assert_bus_refused (r);
  }
  /* Nothing of the above reached the daemon's test clock or storage: it
   * still takes changes. */
  {
    g_autofree char *id = cl_test_create_case (s->conn, "reverse_connection",
                                               cl_test_fields ("title", g_variant_new_string ("after"), NULL), NULL);
    g_assert_nonnull (id);
  }
  {
    g_autofree char *log = read_file (s->log_path);
    g_assert_null (strstr (log, "test clock set"));
    g_assert_null (strstr (log, "test fault"));
  }
  sysbus_free (s);
}

/* ---- the history chains, recomputed from docs/security.md ------------- */

/* <length in bytes>:<bytes>\n, as docs/security.md specifies; written here
 * again rather than taken from common/audit-chain.c, so that the document,
 * the daemon and this test have to agree. */
static void
put (GString *b, const char *value)
{
  g_string_append_printf (b, "%zu:%s\n", strlen (value), value);
}

static char *
sha256_hex (const GString *b)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) b->str, b->len);
}

static const char *
col (sqlite3_stmt *stmt, int i)
{
  const char *t = (const char *) sqlite3_column_text (stmt, i);
  g_assert_nonnull (t);
  return t;
}

/* Every history row's hash and ghash, and the audit head, from the bytes
 * the document gives. */
static void
assert_chains_as_documented (SysBus *s)
{
  g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *ghash = g_strdup ("");
  g_autoptr(GVariant) head = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint64 rows = 0, head_count = 0;
  const char *head_hash = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (s->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT c.id, h.seq, h.time, h.uid, h.user, h.agency, h.role, h.action, "
                                       "h.transition, h.from_state, h.to_state, h.comment, h.fields, h.hash, h.gseq, "
                                       "h.ghash FROM history h JOIN cases c ON c.seq = h.case_seq ORDER BY h.gseq",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GString) row = g_string_new ("caselink-history-v1\n");
      g_autoptr(GString) glob = g_string_new ("caselink-global-v1\n");
      g_autofree char *row_hash = NULL, *next_ghash = NULL;
      const char *id = col (stmt, 0);
      const char *prev = g_hash_table_lookup (last, id);

      rows++;
      g_assert_cmpint (sqlite3_column_int64 (stmt, 14), ==, (sqlite3_int64) rows);
      put (row, prev != NULL ? prev : "");
      for (int i = 0; i <= 12; i++)   /* case id, seq, time, uid as decimal text, then the texts */
        put (row, col (stmt, i));
      row_hash = sha256_hex (row);
      if (g_strcmp0 (row_hash, col (stmt, 13)) != 0)
        g_error ("history row %s/%s: documented bytes hash to %s, the database has %s:\n%s", id, col (stmt, 1),
                 row_hash, col (stmt, 13), row->str);
      put (glob, ghash);
      put (glob, row_hash);
      next_ghash = sha256_hex (glob);
      g_assert_cmpstr (next_ghash, ==, col (stmt, 15));
      g_free (ghash);
      ghash = g_steal_pointer (&next_ghash);
      g_hash_table_insert (last, g_strdup (id), g_strdup (row_hash));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (rows, >, 0);

  /* AuditHead is (row count, ghash of the newest row). */
  {
    g_autoptr(GError) error = NULL;
    head = cl_test_get_property (s->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "AuditHead", &error);
    g_assert_no_error (error);
  }
  g_variant_get (head, "(t&s)", &head_count, &head_hash);
  g_assert_cmpuint (head_count, ==, rows);
  g_assert_cmpstr (head_hash, ==, ghash);
}

/* ---- visibility for callers under other uids -------------------------- */

typedef struct {
  GPid pid;
  int out;
} Watcher;

static Watcher
watch_as (SysBus *s, const char *uid, const char *mode)
{
  g_autoptr(GPtrArray) argv = client_argv (uid, mode, s);
  g_autofree char *ready = NULL;
  Watcher w = { 0, -1 };

  g_ptr_array_add (argv, NULL);
  w.pid = spawn ((const char *const *) argv->pdata, -1, -1, &w.out);
  ready = read_line (w.out, CL_TEST_CALL_TIMEOUT_MS);
  if (g_strcmp0 (ready, "ready") != 0)
    g_error ("watcher as uid %s did not subscribe: %s", uid, ready ? ready : "(nothing)");
  return w;
}

/* Everything the watcher printed up to the Reloaded broadcast. */
static char *
watch_finish (Watcher *w, const char *uid)
{
  GString *all = g_string_new (NULL);
  char *line;
  int status;

  while ((line = read_line (w->out, CL_TEST_CALL_TIMEOUT_MS)) != NULL)
    {
      g_string_append_printf (all, "%s\n", line);
      g_free (line);
    }
  close (w->out);
  status = cl_test_wait_pid (w->pid, CL_TEST_START_TIMEOUT_MS);
  g_test_message ("signals seen by uid %s:\n%s", uid, all->str);
  if (status == -1 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("watcher as uid %s failed (wait status 0x%x):\n%s", uid, status, all->str);
  return g_string_free (all, FALSE);
}

static guint64
count_as (SysBus *s, const char *uid)
{
  g_autoptr(Reply) prop = call_as (s, uid, CL_MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                   "('org.caselink.Manager1', 'CaseCount')");
  g_autoptr(Reply) counts = call_as (s, uid, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases", "(@a{sv} {}, '')");
  g_autoptr(Reply) list = call_as (s, uid, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases", "(@a{sv} {},)");
  g_autoptr(GVariant) boxed = NULL, value = NULL, dict = NULL, cases = NULL;
  guint64 total = 0, n;

  assert_ok (prop);
  assert_ok (counts);
  assert_ok (list);
  boxed = g_variant_get_child_value (prop->reply, 0);
  value = g_variant_get_variant (boxed);
  n = g_variant_get_uint64 (value);
  dict = g_variant_get_child_value (counts->reply, 0);
  g_variant_lookup (dict, "", "t", &total);
  cases = g_variant_get_child_value (list->reply, 0);
  /* CaseCount, CountCases and ListCases agree. */
  g_assert_cmpuint (n, ==, total);
  g_assert_cmpuint (g_variant_n_children (cases), ==, n);
  return n;
}

static void
test_visibility (void)
{
  SysBus *s;
  g_autofree char *hidden = NULL, *hidden_path = NULL, *shared = NULL, *shared_path = NULL;
  g_autofree char *party_seen = NULL, *nobody_seen = NULL, *chief_seen = NULL;
  g_autofree char *get_hidden = NULL, *get_shared = NULL, *get_missing = NULL;
  Watcher party_w, nobody_w, chief_w, snoop_w;
  g_autofree char *snooped = NULL;
  g_autoptr(GError) error = NULL;

  if (!prerequisites ())
    return;
  s = sysbus_new ();
  party_w = watch_as (s, PARTY_UID, "watch");
  nobody_w = watch_as (s, NOBODY_UID, "watch");
  chief_w = watch_as (s, CHIEF_UID, "watch");
  snoop_w = watch_as (s, NOBODY_UID, "snoop");

  /* @hidden stays with the procuratorate; @shared goes to xn-psb with a
   * procuratorial opinion, so xn-psb (PARTY_UID's agency) sees it. */
  hidden = cl_test_create_case (s->conn, "reverse_connection",
                                cl_test_fields ("title", g_variant_new_string ("hidden"), NULL), &hidden_path);
  shared = cl_test_create_case (s->conn, "reverse_connection",
                                cl_test_fields ("title", g_variant_new_string ("shared"), NULL), &shared_path);
  {
    g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;
    s1 = cl_test_advance (s->conn, shared_path, "handoff",
                          cl_test_fields ("np_decision_no", g_variant_new_string ("N-1"), NULL), "", &error);
    g_assert_no_error (error);
    s2 = cl_test_advance (s->conn, shared_path, "review", NULL, "", &error);
    g_assert_no_error (error);
    s3 = cl_test_advance (s->conn, shared_path, "issue_opinion",
                          cl_test_fields ("opinion_no", g_variant_new_string ("O-1"),
                                          "competent_agency", g_variant_new_string ("xn-psb"), NULL),
                          "", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s3, ==, "awaiting_reply");
  }
  {
    g_autofree char *s1 = cl_test_advance (s->conn, hidden_path, "handoff",
                                           cl_test_fields ("np_decision_no", g_variant_new_string ("N-2"), NULL), "",
                                           &error);
    g_assert_no_error (error);
  }
  /* The broadcast that ends the watchers. */
  {
    g_autoptr(GVariant) r = cl_test_call_ok (s->conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "Reload", NULL);
  }
  party_seen = watch_finish (&party_w, PARTY_UID);
  nobody_seen = watch_finish (&nobody_w, NOBODY_UID);
  chief_seen = watch_finish (&chief_w, CHIEF_UID);
  snooped = watch_finish (&snoop_w, NOBODY_UID);

  /* Signals: the party hears about the shared case once it holds it, and
   * nothing about the hidden one; nobody hears only the broadcast; the
   * chief hears everything. */
  g_assert_nonnull (strstr (party_seen, "Manager1.CaseAdvanced"));
  g_assert_nonnull (strstr (party_seen, shared));
  g_assert_nonnull (strstr (party_seen, "'awaiting_reply'"));
  g_assert_null (strstr (party_seen, hidden));
  g_assert_null (strstr (party_seen, hidden_path));
  g_assert_nonnull (strstr (party_seen, "Manager1.Reloaded"));
  g_assert_cmpstr (nobody_seen, ==, "signal org.caselink.Manager1.Reloaded /org/caselink ()\n");
  /* Nor does eavesdropping on what caselinkd sends the subscribers work:
   * the system bus does not allow it. */
  g_assert_true (g_str_has_suffix (snooped, "\nsignal org.caselink.Manager1.Reloaded /org/caselink ()\n")
                 || g_str_equal (snooped, "signal org.caselink.Manager1.Reloaded /org/caselink ()\n"));
  g_assert_null (strstr (snooped, shared));
  g_assert_null (strstr (snooped, hidden));
  g_assert_null (strstr (snooped, "PropertiesChanged"));
  g_assert_nonnull (strstr (chief_seen, hidden));
  g_assert_nonnull (strstr (chief_seen, hidden_path));
  g_assert_nonnull (strstr (chief_seen, shared));

  /* Lists and counts: what each caller sees. */
  g_assert_cmpuint (count_as (s, PARTY_UID), ==, 1);
  g_assert_cmpuint (count_as (s, NOBODY_UID), ==, 0);
  g_assert_cmpuint (count_as (s, CHIEF_UID), ==, 2);

  /* A case the caller may not see answers exactly like a missing one. */
  get_hidden = g_strdup_printf ("('%s',)", hidden);
  get_shared = g_strdup_printf ("('%s',)", shared);
  get_missing = g_strdup ("('FX-2099-999999',)");
  {
    g_autoptr(Reply) r1 = call_as (s, PARTY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase", get_hidden);
    g_autoptr(Reply) r2 = call_as (s, PARTY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase", get_missing);
    g_autoptr(Reply) r3 = call_as (s, PARTY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase", get_shared);
    g_autoptr(Reply) r4 = call_as (s, NOBODY_UID, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase", get_shared);
    g_autofree char *want = g_strdup_printf ("no case '%s'", hidden);
    assert_error (r1, NOT_FOUND, NULL);
    g_assert_cmpstr (r1->message, ==, want);
    assert_error (r2, NOT_FOUND, "no case 'FX-2099-999999'");
    assert_ok (r3);
    assert_error (r4, NOT_FOUND, NULL);
  }
  {
    g_autoptr(Reply) r1 = call_as (s, PARTY_UID, hidden_path, "org.freedesktop.DBus.Properties", "GetAll",
                                   "('org.caselink.Case1',)");
    g_autoptr(Reply) r2 = call_as (s, PARTY_UID, hidden_path, CL_CASE_IFACE, "History", NULL);
    g_autoptr(Reply) r3 = call_as (s, PARTY_UID, hidden_path, CL_CASE_IFACE, "Comment", "('hello',)");
    g_autoptr(Reply) r4 = call_as (s, PARTY_UID, shared_path, CL_CASE_IFACE, "History", NULL);
    assert_error (r1, NOT_FOUND, NULL);
    assert_error (r2, NOT_FOUND, NULL);
    assert_error (r3, NOT_FOUND, NULL);
    assert_ok (r4);
  }
  /* The party acts on the case it holds, and history records the uid the
   * bus reported, not anything the caller said. */
  {
    g_autoptr(Reply) r = call_as (s, PARTY_UID, shared_path, CL_CASE_IFACE, "Advance",
                                  "('reply', {'penalty_decision': <'penalised'>}, 'done')");
    g_autoptr(GVariant) hist = NULL, last = NULL, uid = NULL;
    g_autofree char *user = NULL, *agency = NULL, *role = NULL;
    assert_ok (r);
    hist = cl_test_history (s->conn, shared_path);
    last = g_variant_get_child_value (hist, g_variant_n_children (hist) - 1);
    uid = cl_test_dict_get (last, "uid", "u");
    user = cl_test_dict_string (last, "user");
    agency = cl_test_dict_string (last, "agency");
    role = cl_test_dict_string (last, "role");
    g_assert_cmpuint (g_variant_get_uint32 (uid), ==, 1);
    g_assert_cmpstr (user, ==, "daemon");
    g_assert_cmpstr (agency, ==, "xn-psb");
    g_assert_cmpstr (role, ==, "agency_head");
  }
  /* The rows written here (root and uid 1, with and without an agency,
   * Chinese text) hash exactly as docs/security.md says. */
  {
    g_autofree char *c = NULL, *st = NULL;
    c = cl_test_advance (s->conn, hidden_path, "review", NULL, "审查：青海湖非法采砂\n第二行", &error);
    g_assert_no_error (error);
    g_clear_pointer (&c, g_free);
    st = cl_test_advance (s->conn, hidden_path, "extend_review", NULL, "", &error);
    g_assert_no_error (error);
  }
  assert_chains_as_documented (s);
  sysbus_free (s);
}

/* ---- files ------------------------------------------------------------ */

static guint
mode_of (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("stat %s: %s", path, g_strerror (errno));
  return st.st_mode & 07777;
}

/* The database, its WAL and shared-memory files are 0600 and the directory
 * caselinkd created for them 0700, whatever the umask. */
static void
test_file_modes (void)
{
  SysBus *s;
  g_autofree char *dir = NULL, *wal = NULL, *shm = NULL, *id = NULL;
  mode_t old_umask;

  if (!prerequisites ())
    return;
  old_umask = umask (0);   /* the most permissive: caselinkd must not rely on it */
  s = sysbus_new ();
  umask (old_umask);
  id = cl_test_create_case (s->conn, "reverse_connection", cl_test_fields ("title", g_variant_new_string ("modes"), NULL),
                            NULL);
  dir = g_path_get_dirname (s->db_path);
  wal = g_strconcat (s->db_path, "-wal", NULL);
  shm = g_strconcat (s->db_path, "-shm", NULL);
  g_assert_cmpuint (mode_of (dir), ==, 0700);
  g_assert_cmpuint (mode_of (s->db_path), ==, 0600);
  g_assert_cmpuint (mode_of (wal), ==, 0600);
  g_assert_cmpuint (mode_of (shm), ==, 0600);
  sysbus_free (s);
}

/* data/caselink.service: systemd's own rating of its sandboxing stays in
 * the "OK" band (exposure at most 2.0 of 10; it is 1.7 with systemd 252). */
static void
test_systemd_hardening (void)
{
  g_autofree char *analyze = g_find_program_in_path ("systemd-analyze");
  g_autofree char *src = cl_test_srcdir_path ("data/caselink.service.in");
  g_autofree char *unit_text = read_file (src);
  g_autofree char *dir = NULL, *unit = NULL, *out = NULL, *err = NULL;
  g_autoptr(GString) text = g_string_new (unit_text);
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (analyze == NULL)
    {
      g_test_skip ("systemd-analyze is not installed");
      return;
    }
  g_assert_nonnull (strstr (unit_text, "@bindir@"));
  g_assert_nonnull (strstr (unit_text, "@state_directory@"));
  /* as data/meson.build fills it in for prefix /usr */
  g_string_replace (text, "@bindir@", "/usr/bin", 0);
  g_string_replace (text, "@state_directory@", "StateDirectory=caselink\nStateDirectoryMode=0700", 0);
  dir = g_dir_make_tmp ("caselink-unit-XXXXXX", &error);
  g_assert_no_error (error);
  unit = g_build_filename (dir, "caselink.service", NULL);
  write_file (unit, text->str);
  {
    const char *argv[] = { analyze, "security", "--offline=yes", "--threshold=20", "--no-pager", unit, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  }
  g_assert_no_error (error);
  rm_rf (dir);
  g_test_message ("%s%s", strstr (out, "Overall exposure") ? strstr (out, "Overall exposure") : out, err);
  if (strstr (err, "--offline") != NULL || strstr (err, "--threshold") != NULL)
    {
      g_test_skip ("this systemd-analyze cannot rate a unit file offline (needs systemd 250 or later)");
      return;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("systemd-analyze security rates caselink.service above 2.0 (wait status 0x%x):\n%s%s", status, out, err);
  g_assert_nonnull (strstr (out, "Overall exposure level for caselink.service"));
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "--client"))
    return client_main (argc, argv);

  cl_test_init (&argc, &argv);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self_exe);
  g_test_add_func ("/policy/ownership", test_ownership);
  g_test_add_func ("/policy/caselink-user", test_caselink_user);
  g_test_add_func ("/policy/calls", test_calls);
  g_test_add_func ("/policy/visibility", test_visibility);
  g_test_add_func ("/policy/file-modes", test_file_modes);
  g_test_add_func ("/policy/systemd-hardening", test_systemd_hardening);
  return g_test_run ();
}
