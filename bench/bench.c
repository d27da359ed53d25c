/* bench.c — caselink's benchmark (issue 7); docs/performance.md is the
 * method and the latest figures.
 *
 * Starts a private dbus-daemon and caselinkd on temporary databases and
 * measures, in one run:
 *
 *  write      Advance throughput and latency from 1, 4 and 16 client
 *             processes (each its own libdbus connection), synchronous=FULL,
 *             against the same run's Peer.Ping round trip at 1, 4 and 16
 *             clients; read calls (Properties.Get of a case property,
 *             Transitions) at 1 client. Several interleaved rounds; medians.
 *  sqlite     a bare SQLite loop committing the rows an Advance writes, by
 *             the daemon's statements, with the same durability (WAL,
 *             synchronous=FULL), one transaction each; and one 4 KB
 *             overwrite + fdatasync, the floor of any durable commit.
 *  floor      the floor service (floor.c): caselinkd's bus glue, store and
 *             durability with none of its logic, answering the same
 *             Advance calls on the same bus with group commit, writing one
 *             small row or the rows of an Advance per call: what
 *             caselinkd's design allows on this bus and disk.
 *  big        caselink-gen fills a database with --cases cases (1,000,000
 *             by default); then daemon start-up time, the start-up audit
 *             check, resident memory, and warm ListCases pages (state,
 *             agency, domain, overdue, text filters), CaseCount and
 *             CountCases, all over D-Bus.
 *  ctl        `caselinkctl show ID` as a whole process against a dbus-send
 *             process making the comparable Properties.GetAll call.
 *  deadlines  100,000 deadlines falling due at once (caselinkd --test-clock),
 *             the time to process them and the worst Ping meanwhile; skipped
 *             with a line saying why when the workflow has no deadline: keys.
 *
 * Prints the machine, every figure, each target of issue 7 on a line
 * `TARGET <name>: <figure> (goal <goal>) met|NOT MET`, and writes it all as
 * JSON (--json). ./bench.sh runs it; meson test never does.
 */
#define G_LOG_DOMAIN "caselink-bench"

#include "advance-rows.h"
#include "bench-config.h"
#include "cl-dbus-glue.h"
#include "cl-errors.h"
#include "floor.h"
#include "store.h"

#include <dbus/dbus.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALL_TIMEOUT_MS 60000
#define START_TIMEOUT_MS 120000
#define WORKFLOW "reverse_connection"
#define PAGE 50

/* ---- options and run state --------------------------------------------- */

typedef struct {
  gint64 cases;
  gboolean quick;
  char *scratch_parent;
  char *json_path;
  char *caselinkd;
  char *caselinkctl;
  char *gen;
  char *srcdir;
  char *only;
  char *db;            /* reuse a generated database (and its .info) */
  char *clients;       /* only these client counts (of 1,4,16) */
  gboolean keep;
  double cap_seconds;  /* longest any one measured run may take */
} Options;

typedef struct {
  char *name;
  char *figure;
  char *goal;
  int met;             /* 1 met, 0 not met, -1 not measured */
  char *why;           /* when not measured */
} Target;

typedef struct {
  Options o;
  char *scratch;
  char *bus_address;
  GPid bus_pid;
  GPid daemon_pid;
  char *daemon_log;
  char *config_path;
  char *plugins_dir;
  DBusConnection *conn;
  JsonObject *root;
  GPtrArray *targets;
  /* figures the targets need, NAN until measured */
  double ping_rate[3];
  double advance_rate[3];
  double advance_p50[3];
  double advance_p99[3];
  double ping_p50[3];
  double get_rate, get_p50;
  double transitions_rate, transitions_p50;
  /* the run being started (run_clients), which its clients inherit */
  guint run_seq;
  int run_nclients;
} Bench;

static const int client_counts[3] = { 1, 4, 16 };

static Bench *the_bench;   /* for the atexit/abort cleanup */

/* ---- small helpers ----------------------------------------------------- */

static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN void
die (const char *fmt, ...)
{
  va_list ap;

  fflush (stdout);
  fprintf (stderr, "caselink-bench: ");
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, "\n");
  exit (1);
}

static JsonObject *
jobj (JsonObject *parent, const char *name)
{
  JsonObject *o;

  if (json_object_has_member (parent, name))
    return json_object_get_object_member (parent, name);
  o = json_object_new ();
  json_object_set_object_member (parent, name, o);
  return o;
}

static void
jnum (JsonObject *o, const char *name, double v)
{
  if (isnan (v) || isinf (v))
    json_object_set_null_member (o, name);
  else
    json_object_set_double_member (o, name, v);
}

static gboolean
phase_enabled (Bench *b, const char *phase)
{
  g_auto(GStrv) list = NULL;

  if (b->o.only == NULL)
    return TRUE;
  list = g_strsplit (b->o.only, ",", -1);
  return g_strv_contains ((const char *const *) list, phase);
}

static void
add_target (Bench *b, const char *name, int met, const char *goal, const char *why, const char *fmt, ...)
  G_GNUC_PRINTF (6, 7);

static void
add_target (Bench *b, const char *name, int met, const char *goal, const char *why, const char *fmt, ...)
{
  Target *t = g_new0 (Target, 1);
  va_list ap;

  t->name = g_strdup (name);
  t->goal = g_strdup (goal);
  t->met = met;
  t->why = g_strdup (why);
  va_start (ap, fmt);
  t->figure = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (b->targets, t);
}

static void
target_free (Target *t)
{
  g_free (t->name);
  g_free (t->figure);
  g_free (t->goal);
  g_free (t->why);
  g_free (t);
}

/* ---- statistics -------------------------------------------------------- */

typedef struct {
  guint64 n;
  double rate;       /* ops/s over the measured window */
  double seconds;    /* the window */
  double p50_ms, p90_ms, p99_ms, max_ms, mean_ms;
  guint errors;
  char first_error[256];
  double daemon_cpu_s;
  double bus_cpu_s;
} Stats;

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static double
pct_ms (const gint64 *v, guint64 n, double q)
{
  guint64 rank;

  if (n == 0)
    return NAN;
  rank = (guint64) ceil (q * (double) n);
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return (double) v[rank - 1] / 1e6;
}

static void
stats_from_latencies (Stats *s, gint64 *lat, guint64 n)
{
  double sum = 0;

  qsort (lat, n, sizeof *lat, cmp_i64);
  for (guint64 i = 0; i < n; i++)
    sum += (double) lat[i];
  s->n = n;
  s->p50_ms = pct_ms (lat, n, 0.50);
  s->p90_ms = pct_ms (lat, n, 0.90);
  s->p99_ms = pct_ms (lat, n, 0.99);
  s->max_ms = n ? (double) lat[n - 1] / 1e6 : NAN;
  s->mean_ms = n ? sum / (double) n / 1e6 : NAN;
}

static void
stats_json (JsonObject *o, const Stats *s)
{
  json_object_set_int_member (o, "ops", (gint64) s->n);
  jnum (o, "rate_per_s", s->rate);
  jnum (o, "seconds", s->seconds);
  jnum (o, "p50_ms", s->p50_ms);
  jnum (o, "p90_ms", s->p90_ms);
  jnum (o, "p99_ms", s->p99_ms);
  jnum (o, "max_ms", s->max_ms);
  jnum (o, "mean_ms", s->mean_ms);
  json_object_set_int_member (o, "errors", s->errors);
  if (s->errors > 0)
    json_object_set_string_member (o, "first_error", s->first_error);
  if (s->daemon_cpu_s > 0)
    jnum (o, "daemon_cpu_s", s->daemon_cpu_s);
  if (s->bus_cpu_s > 0)
    jnum (o, "bus_cpu_s", s->bus_cpu_s);
}

/* utime + stime of @pid in seconds, from /proc. */
static double
proc_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *p;
  unsigned long long ut = 0, st = 0;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  p = strrchr (text, ')');
  if (p == NULL)
    return 0;
  /* after ") ": state(3) ... utime(14) stime(15) */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return 0;
  return (double) (ut + st) / (double) sysconf (_SC_CLK_TCK);
}

/* VmRSS / VmHWM of @pid in kB. */
static gint64
proc_status_kb (GPid pid, const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strstr (text, key)) == NULL)
    return -1;
  return g_ascii_strtoll (p + strlen (key) + 1, NULL, 10);
}

/* ---- processes --------------------------------------------------------- */

static GPid
spawn (const char *const *argv, int out_fd, int err_fd)
{
  pid_t pid = fork ();

  if (pid < 0)
    die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      int devnull = open ("/dev/null", O_RDWR);
      /* Die with the benchmark: never leave a bus or daemon behind. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      dup2 (devnull, 0);
      dup2 (out_fd >= 0 ? out_fd : devnull, 1);
      dup2 (err_fd >= 0 ? err_fd : devnull, 2);
      /* Nothing else of ours (or of whoever started us) leaks into it. */
#ifdef SYS_close_range
      if (syscall (SYS_close_range, 3, ~0U, 0) != 0)
#endif
        for (int fd = 3; fd < 1024; fd++)
          close (fd);
      execv (argv[0], (char *const *) argv);
      fprintf (stderr, "exec %s: %s\n", argv[0], g_strerror (errno));
      _exit (127);
    }
  return pid;
}

/* Wait up to @timeout_ms for @pid; its wait status, or -1 on timeout. */
static int
wait_pid (GPid pid, int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int status;

  for (;;)
    {
      pid_t r = waitpid (pid, &status, WNOHANG);
      if (r == pid)
        return status;
      if (r < 0 && errno != EINTR)
        return 0;
      if (g_get_monotonic_time () >= end)
        return -1;
      g_usleep (2000);
    }
}

static void
stop_pid (GPid *pid, int timeout_ms)
{
  if (*pid <= 0)
    return;
  kill (*pid, SIGTERM);
  if (wait_pid (*pid, timeout_ms) == -1)
    {
      kill (*pid, SIGKILL);
      wait_pid (*pid, 10000);
    }
  *pid = 0;
}

/* Run @argv to completion with output to /dev/null (or @out_fd); returns
 * its wall time in ns, or -1 when it failed. */
static gint64
run_timed_for (const char *const *argv, int out_fd, int timeout_ms)
{
  gint64 t0 = now_ns ();
  GPid pid = spawn (argv, out_fd, out_fd >= 0 ? 2 : -1);
  int status = wait_pid (pid, timeout_ms);
  gint64 t1 = now_ns ();

  if (status == -1)
    {
      kill (pid, SIGKILL);
      wait_pid (pid, 10000);
      return -1;
    }
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? t1 - t0 : -1;
}

static gint64
run_timed (const char *const *argv, int out_fd)
{
  return run_timed_for (argv, out_fd, CALL_TIMEOUT_MS);
}

/* caselink-gen may take minutes on a slow or busy machine. */
#define GEN_TIMEOUT_MS (3 * 3600 * 1000)

static char *
read_line_fd (int fd, int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GString *line = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      gint64 left = (end - g_get_monotonic_time ()) / 1000;
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
write_file (const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    die ("%s", error->message);
}

/* ---- bus and daemon ---------------------------------------------------- */

static void
start_bus (Bench *b)
{
  g_autofree char *conf = g_build_filename (b->scratch, "bus.conf", NULL);
  g_autofree char *socket_path = g_build_filename (b->scratch, "bus", NULL);
  g_autofree char *log_path = g_build_filename (b->scratch, "dbus-daemon.log", NULL);
  g_autofree char *config_arg = g_strdup_printf ("--config-file=%s", conf);
  g_autofree char *bus_bin = g_find_program_in_path ("dbus-daemon");
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  int pipefd[2], log_fd;
  const char *argv[] = { bus_bin, config_arg, "--nofork", "--print-address", NULL };

  if (bus_bin == NULL)
    die ("dbus-daemon is not installed (./bench.sh installs it)");
  xml = g_strdup_printf (
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
  write_file (conf, xml);
  if (pipe2 (pipefd, O_CLOEXEC) != 0)
    die ("pipe: %s", g_strerror (errno));
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  b->bus_pid = spawn (argv, pipefd[1], log_fd);
  close (pipefd[1]);
  close (log_fd);
  b->bus_address = read_line_fd (pipefd[0], START_TIMEOUT_MS);
  close (pipefd[0]);
  if (b->bus_address == NULL)
    die ("dbus-daemon printed no address (see %s)", log_path);
  b->conn = cl_dbus_open (b->bus_address, DBUS_BUS_SESSION, &error);
  if (b->conn == NULL)
    die ("%s", error->message);
}

static void
write_daemon_config (Bench *b)
{
  g_autofree char *actors = g_build_filename (b->scratch, "actors.yaml", NULL);
  GString *conf = g_string_new ("[daemon]\ntimezone=Asia/Shanghai\nlanguage=zh\n");

  /* As root there is no actors file: root may do everything, the cheapest
   * identity. Anyone else gets every role, as in the integration tests. */
  if (getuid () != 0)
    {
      g_autofree char *text = g_strdup_printf (
        "agencies:\n"
        "  - {id: qh-proc, name: 青海省人民检察院, kind: procuratorate}\n"
        "  - {id: xn-env, name: 西宁市生态环境局, kind: administrative}\n"
        "members:\n"
        "  - {user: \"%s\", agency: qh-proc, roles: [proc_criminal, proc_admin, proc_chief, agency_head, admin]}\n",
        g_get_user_name ());
      write_file (actors, text);
      g_string_append (conf, "actors=actors.yaml\n");
    }
  g_string_append (conf, "\n[store]\nsynchronous=full\n");
  b->config_path = g_build_filename (b->scratch, "caselink.conf", NULL);
  write_file (b->config_path, conf->str);
  g_string_free (conf, TRUE);
  b->plugins_dir = g_build_filename (b->scratch, "plugins", NULL);
  g_mkdir_with_parents (b->plugins_dir, 0755);
  b->daemon_log = g_build_filename (b->scratch, "caselinkd.log", NULL);
}

static DBusMessage *
call (DBusConnection *conn, DBusMessage *msg, gint64 *lat_ns, char **error_out)
{
  DBusError derr = DBUS_ERROR_INIT;
  gint64 t0 = now_ns ();
  DBusMessage *reply = dbus_connection_send_with_reply_and_block (conn, msg, CALL_TIMEOUT_MS, &derr);

  if (lat_ns != NULL)
    *lat_ns = now_ns () - t0;
  if (reply == NULL)
    {
      if (error_out != NULL)
        *error_out = g_strdup_printf ("%s: %s", derr.name, derr.message ? derr.message : "");
      dbus_error_free (&derr);
    }
  return reply;
}

static DBusMessage *
new_ping (void)
{
  return dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, "org.freedesktop.DBus.Peer", "Ping");
}

/* Start caselinkd on @db; returns seconds from exec to its first answered
 * call (org.caselink owned and a Ping answered). */
static double
start_daemon (Bench *b, const char *db, gboolean test_clock)
{
  g_autofree char *workflows = g_build_filename (b->o.srcdir, "workflows", NULL);
  const char *base[] = {
    b->o.caselinkd, "--address", b->bus_address, "--db", db, "--workflows", workflows,
    "--plugins", b->plugins_dir, "--config", b->config_path, test_clock ? "--test-clock" : NULL, NULL,
  };
  /* CL_BENCH_DAEMON_WRAPPER="valgrind --tool=callgrind" runs caselinkd
   * under a profiler (which keeps its pid). */
  const char *wrapper = g_getenv ("CL_BENCH_DAEMON_WRAPPER");
  g_auto(GStrv) wrapper_argv = NULL;
  g_autoptr(GPtrArray) argvp = g_ptr_array_new ();
  const char *const *argv;
  const char *match = "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" CL_DBUS_NAME "'";
  DBusError derr = DBUS_ERROR_INIT;
  gboolean owned = FALSE;
  gint64 t0, deadline;
  int log_fd;

  g_assert (b->daemon_pid == 0);
  if (wrapper != NULL && *wrapper != '\0' && !g_shell_parse_argv (wrapper, NULL, &wrapper_argv, NULL))
    die ("cannot parse CL_BENCH_DAEMON_WRAPPER");
  for (guint i = 0; wrapper_argv != NULL && wrapper_argv[i] != NULL; i++)
    g_ptr_array_add (argvp, wrapper_argv[i]);
  if (wrapper_argv != NULL && wrapper_argv[0] != NULL && !g_path_is_absolute (wrapper_argv[0]))
    {
      char *found = g_find_program_in_path (wrapper_argv[0]);
      if (found == NULL)
        die ("CL_BENCH_DAEMON_WRAPPER: %s not found", wrapper_argv[0]);
      g_free (wrapper_argv[0]);
      argvp->pdata[0] = wrapper_argv[0] = found;
    }
  for (guint i = 0; base[i] != NULL; i++)
    g_ptr_array_add (argvp, (gpointer) base[i]);
  g_ptr_array_add (argvp, NULL);
  argv = (const char *const *) argvp->pdata;
  dbus_bus_add_match (b->conn, match, &derr);
  if (dbus_error_is_set (&derr))
    die ("AddMatch: %s", derr.message);
  log_fd = open (b->daemon_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  t0 = now_ns ();
  b->daemon_pid = spawn (argv, log_fd, log_fd);
  close (log_fd);
  deadline = t0 + (gint64) START_TIMEOUT_MS * 1000000;
  while (!owned)
    {
      DBusMessage *m;

      if (now_ns () > deadline)
        die ("caselinkd did not own %s within %d s (see %s)", CL_DBUS_NAME, START_TIMEOUT_MS / 1000, b->daemon_log);
      if (!dbus_connection_read_write (b->conn, 5))
        die ("lost the bus connection");
      while ((m = dbus_connection_pop_message (b->conn)) != NULL)
        {
          const char *name = NULL, *old_owner = NULL, *new_owner = NULL;

          if (dbus_message_is_signal (m, DBUS_INTERFACE_DBUS, "NameOwnerChanged")
              && dbus_message_get_args (m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner,
                                        DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID)
              && g_str_equal (name, CL_DBUS_NAME) && *new_owner != '\0')
            owned = TRUE;
          dbus_message_unref (m);
        }
      if (!owned && wait_pid (b->daemon_pid, 0) != -1)
        {
          b->daemon_pid = 0;
          die ("caselinkd exited while starting (see %s)", b->daemon_log);
        }
    }
  dbus_bus_remove_match (b->conn, match, NULL);
  {
    DBusMessage *ping = new_ping ();
    g_autofree char *err = NULL;
    DBusMessage *reply = call (b->conn, ping, NULL, &err);
    dbus_message_unref (ping);
    if (reply == NULL)
      die ("Ping after start: %s", err);
    dbus_message_unref (reply);
  }
  return (double) (now_ns () - t0) / 1e9;
}

static gint64
file_size (const char *path)
{
  struct stat st;
  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* Wait until the daemon log, from @offset on, holds a line containing
 * @needle; that line (newly allocated), or NULL after @timeout_ms. */
static char *
wait_log (Bench *b, gint64 offset, const char *needle, int timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *text = NULL;
      gsize len = 0;

      if (g_file_get_contents (b->daemon_log, &text, &len, NULL) && (gint64) len > offset)
        {
          const char *hit = strstr (text + offset, needle);
          if (hit != NULL)
            {
              const char *bol = hit, *eol = strchr (hit, '\n');
              while (bol > text + offset && bol[-1] != '\n')
                bol--;
              return g_strndup (bol, eol ? (gsize) (eol - bol) : strlen (bol));
            }
        }
      if (g_get_monotonic_time () >= end)
        return NULL;
      g_usleep (20000);
    }
}

static void
stop_daemon (Bench *b)
{
  stop_pid (&b->daemon_pid, 60000);
}

static void
cleanup (void)
{
  Bench *b = the_bench;

  if (b == NULL)
    return;
  if (b->daemon_pid > 0)
    stop_pid (&b->daemon_pid, 20000);
  if (b->bus_pid > 0)
    stop_pid (&b->bus_pid, 5000);
}

/* ---- message building -------------------------------------------------- */

static void
append_sv (DBusMessageIter *dict, const char *key, int type, const void *value)
{
  DBusMessageIter entry, var;
  char sig[2] = { (char) type, 0 };

  dbus_message_iter_open_container (dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
  dbus_message_iter_append_basic (&entry, DBUS_TYPE_STRING, &key);
  dbus_message_iter_open_container (&entry, DBUS_TYPE_VARIANT, sig, &var);
  dbus_message_iter_append_basic (&var, type, value);
  dbus_message_iter_close_container (&entry, &var);
  dbus_message_iter_close_container (dict, &entry);
}

/* a{sv} of string values from NULL-terminated key, value pairs. */
static void
append_string_dict (DBusMessageIter *it, const char *const *kv)
{
  DBusMessageIter dict;

  dbus_message_iter_open_container (it, DBUS_TYPE_ARRAY, "{sv}", &dict);
  for (; kv != NULL && kv[0] != NULL; kv += 2)
    append_sv (&dict, kv[0], DBUS_TYPE_STRING, &kv[1]);
  dbus_message_iter_close_container (it, &dict);
}

static DBusMessage *
new_create (const char *title)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase");
  DBusMessageIter it;
  const char *wf = WORKFLOW;
  const char *kv[] = { "title", title, "domain", "ecology", NULL };

  dbus_message_iter_init_append (m, &it);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &wf);
  append_string_dict (&it, kv);
  return m;
}

/* Advance(s transition, a{sv} fields, s comment) to caselinkd's case at
 * @path, or (@dest not NULL) to the floor service. */
static DBusMessage *
new_advance_to (const char *dest, const char *path, const BenchStep *s)
{
  DBusMessage *m = dest == NULL ? dbus_message_new_method_call (CL_DBUS_NAME, path, CL_CASE_IFACE, "Advance")
                                : dbus_message_new_method_call (dest, path, BENCH_FLOOR_IFACE, "Advance");
  DBusMessageIter it;
  const char *comment = "";

  dbus_message_iter_init_append (m, &it);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &s->transition);
  append_string_dict (&it, s->fields);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &comment);
  return m;
}

static DBusMessage *
new_get (const char *path, const char *iface, const char *prop)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, path, DBUS_INTERFACE_PROPERTIES, "Get");

  dbus_message_append_args (m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_STRING, &prop, DBUS_TYPE_INVALID);
  return m;
}

/* CreateCase; the new case's path (newly allocated) or NULL with @err. */
static char *
create_case (DBusConnection *conn, const char *title, char **err)
{
  DBusMessage *m = new_create (title);
  DBusMessage *r = call (conn, m, NULL, err);
  const char *id = NULL, *path = NULL;
  char *ret = NULL;

  dbus_message_unref (m);
  if (r == NULL)
    return NULL;
  if (dbus_message_get_args (r, NULL, DBUS_TYPE_STRING, &id, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_INVALID))
    ret = g_strdup (path);
  else if (err != NULL)
    *err = g_strdup ("CreateCase: unexpected reply");
  dbus_message_unref (r);
  return ret;
}

/* Advance (to the floor service when @dest is not NULL); checks the new state. */
static gboolean
advance_to (DBusConnection *conn, const char *dest, const char *path, const BenchStep *s, gint64 *lat, char **err)
{
  DBusMessage *m = new_advance_to (dest, path, s);
  DBusMessage *r = call (conn, m, lat, err);
  const char *state = NULL;
  gboolean ok;

  dbus_message_unref (m);
  if (r == NULL)
    return FALSE;
  ok = dbus_message_get_args (r, NULL, DBUS_TYPE_STRING, &state, DBUS_TYPE_INVALID) && g_str_equal (state, s->to);
  if (!ok && err != NULL)
    *err = g_strdup_printf ("Advance %s: got state %s, want %s", s->transition, state ? state : "?", s->to);
  dbus_message_unref (r);
  return ok;
}

static gboolean
advance (DBusConnection *conn, const char *path, const BenchStep *s, gint64 *lat, char **err)
{
  return advance_to (conn, NULL, path, s, lat, err);
}

/* ---- client processes -------------------------------------------------- */

typedef enum {
  OP_PING,
  OP_ADVANCE,
  OP_GET,
  OP_TRANSITIONS,
  OP_FLOOR_PING,    /* to the floor service (floor.h) */
  OP_FLOOR,
} OpKind;

static const char *const op_names[] = { "ping", "advance", "get", "transitions", "floor ping", "floor advance" };

typedef struct {
  gint64 end;    /* CLOCK_MONOTONIC ns */
  gint64 lat;    /* ns */
} Sample;

typedef struct {
  guint32 n;
  guint32 errors;
  char first_error[256];
} ResultHeader;

static gboolean
write_full (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      p += w;
      len -= (size_t) w;
    }
  return TRUE;
}

static gboolean
read_full (int fd, void *buf, size_t len)
{
  char *p = buf;

  while (len > 0)
    {
      ssize_t r = read (fd, p, len);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      p += r;
      len -= (size_t) r;
    }
  return TRUE;
}

/* The floor service's case @j of client @idx in this run. The path names
 * the case, as caselinkd's do: each run's clients take fresh cases, client
 * idx of n every n-th, laid out as caselinkd's clients' cases are, which
 * they create together in setup. */
static guint64
floor_case (Bench *b, int idx, guint j)
{
  return (guint64) b->run_seq * BENCH_FLOOR_RUN_CASES + (guint64) j * (guint64) b->run_nclients + (guint64) idx;
}

/* Setup, untimed: creates this client's cases on the floor service. */
static void
floor_seed (Bench *b, DBusConnection *conn, int idx, guint ops, ResultHeader *h)
{
  guint n = (ops + BENCH_N_STEPS - 1) / BENCH_N_STEPS;
  g_autofree dbus_uint64_t *cases = g_new (dbus_uint64_t, MAX (n, 1));
  DBusMessage *m = dbus_message_new_method_call (BENCH_FLOOR_NAME, BENCH_FLOOR_PATH, BENCH_FLOOR_IFACE, "Seed");
  DBusMessage *r;
  char *err = NULL;

  if ((guint64) n * (guint64) b->run_nclients > BENCH_FLOOR_RUN_CASES)
    {
      h->errors++;
      g_strlcpy (h->first_error, "too many cases for one floor run (BENCH_FLOOR_RUN_CASES)", sizeof h->first_error);
      dbus_message_unref (m);
      return;
    }
  for (guint j = 0; j < n; j++)
    cases[j] = floor_case (b, idx, j);
  dbus_message_append_args (m, DBUS_TYPE_ARRAY, DBUS_TYPE_UINT64, &cases, (int) n, DBUS_TYPE_INVALID);
  r = call (conn, m, NULL, &err);
  dbus_message_unref (m);
  if (r == NULL)
    {
      h->errors++;
      g_strlcpy (h->first_error, err, sizeof h->first_error);
      g_free (err);
      return;
    }
  dbus_message_unref (r);
}

static G_GNUC_NORETURN void
client_main (Bench *b, OpKind kind, int idx, guint ops, gint64 cap_ns, int ready_w, int go_r, int res_w)
{
  g_autoptr(GError) error = NULL;
  DBusConnection *conn = cl_dbus_open (b->bus_address, DBUS_BUS_SESSION, &error);
  ResultHeader h = { 0 };
  Sample *samples = g_new0 (Sample, ops);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  char *err = NULL;
  char c;
  gint64 t_go, t_end;
  guint n_cases = 0;

  if (conn == NULL)
    {
      h.errors = 1;
      g_strlcpy (h.first_error, error->message, sizeof h.first_error);
    }

  /* Setup, untimed: the cases this client will work on. */
  if (conn != NULL && kind == OP_ADVANCE)
    n_cases = (ops + BENCH_N_STEPS - 1) / BENCH_N_STEPS;
  else if (conn != NULL && (kind == OP_GET || kind == OP_TRANSITIONS))
    n_cases = 1;
  for (guint i = 0; i < n_cases && h.errors == 0; i++)
    {
      g_autofree char *title = g_strdup_printf ("Bench client %d case %u Xining sand mining", idx, i);
      char *path = create_case (conn, title, &err);

      if (path == NULL)
        h.errors++;
      else
        g_ptr_array_add (paths, path);
    }
  if (conn != NULL && kind == OP_FLOOR && h.errors == 0)
    floor_seed (b, conn, idx, ops, &h);
  /* Read calls look at a case under review (three ways out of it). */
  if ((kind == OP_GET || kind == OP_TRANSITIONS) && h.errors == 0
      && (!advance (conn, paths->pdata[0], &bench_steps[0], NULL, &err)
          || !advance (conn, paths->pdata[0], &bench_steps[1], NULL, &err)))
    h.errors++;
  if (err != NULL)
    {
      g_strlcpy (h.first_error, err, sizeof h.first_error);
      g_clear_pointer (&err, g_free);
    }

  if (!write_full (ready_w, "r", 1))
    _exit (3);
  close (ready_w);
  /* Everyone starts when the parent closes the go pipe. */
  while (read (go_r, &c, 1) < 0 && errno == EINTR)
    ;
  close (go_r);

  t_go = now_ns ();
  t_end = t_go + cap_ns;
  for (guint i = 0; h.errors == 0 && i < ops && now_ns () < t_end; i++)
    {
      gint64 lat = 0;
      gboolean ok = TRUE;

      switch (kind)
        {
        case OP_PING:
        case OP_FLOOR_PING:
          {
            DBusMessage *m = kind == OP_PING ? new_ping ()
                                             : dbus_message_new_method_call (BENCH_FLOOR_NAME, BENCH_FLOOR_PATH,
                                                                             DBUS_INTERFACE_PEER, "Ping");
            DBusMessage *r = call (conn, m, &lat, &err);
            dbus_message_unref (m);
            ok = r != NULL;
            if (r != NULL)
              dbus_message_unref (r);
          }
          break;
        case OP_ADVANCE:
          ok = advance (conn, paths->pdata[i / BENCH_N_STEPS], &bench_steps[i % BENCH_N_STEPS], &lat, &err);
          break;
        case OP_FLOOR:
          {
            g_autofree char *path = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, BENCH_FLOOR_PATH,
                                                     floor_case (b, idx, i / BENCH_N_STEPS));

            ok = advance_to (conn, BENCH_FLOOR_NAME, path, &bench_steps[i % BENCH_N_STEPS], &lat, &err);
          }
          break;
        case OP_GET:
          {
            DBusMessage *m = new_get (paths->pdata[0], CL_CASE_IFACE, "State");
            DBusMessage *r = call (conn, m, &lat, &err);
            dbus_message_unref (m);
            ok = r != NULL;
            if (r != NULL)
              dbus_message_unref (r);
          }
          break;
        case OP_TRANSITIONS:
          {
            DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, paths->pdata[0], CL_CASE_IFACE,
                                                           "Transitions");
            DBusMessage *r = call (conn, m, &lat, &err);
            dbus_message_unref (m);
            ok = r != NULL && g_str_equal (dbus_message_get_signature (r), "aa{sv}");
            if (r != NULL)
              dbus_message_unref (r);
          }
          break;
        }
      if (!ok)
        {
          h.errors++;
          g_strlcpy (h.first_error, err ? err : "unexpected reply", sizeof h.first_error);
          g_clear_pointer (&err, g_free);
          break;
        }
      samples[h.n].end = now_ns ();
      samples[h.n].lat = lat;
      h.n++;
    }
  if (!write_full (res_w, &h, sizeof h) || !write_full (res_w, samples, sizeof (Sample) * h.n))
    _exit (4);
  close (res_w);
  if (conn != NULL)
    {
      dbus_connection_close (conn);
      dbus_connection_unref (conn);
    }
  _exit (0);
}

/* Run @nclients processes doing @ops operations of @kind each (or until
 * the cap). Throughput counts the operations finished before the first
 * client finished (every client still busy); latencies are all of them. */
static void
run_clients (Bench *b, OpKind kind, int nclients, guint ops, Stats *s, GArray *pool)
{
  int ready[2], go[2];
  int *res = g_new0 (int, nclients);
  GPid *pids = g_new0 (GPid, nclients);
  GArray *lat = g_array_new (FALSE, FALSE, sizeof (gint64));
  GPtrArray *per_client = g_ptr_array_new_with_free_func (g_free);
  guint *counts = g_new0 (guint, nclients);
  gint64 t_go, window_end = G_MAXINT64;
  double d0, b0;
  int got = 0;

  memset (s, 0, sizeof *s);
  b->run_seq++;
  b->run_nclients = nclients;
  if (pipe2 (ready, O_CLOEXEC) != 0 || pipe2 (go, O_CLOEXEC) != 0)
    die ("pipe: %s", g_strerror (errno));
  fflush (stdout);
  fflush (stderr);
  for (int k = 0; k < nclients; k++)
    {
      int rp[2];
      pid_t pid;

      if (pipe2 (rp, O_CLOEXEC) != 0)
        die ("pipe: %s", g_strerror (errno));
      pid = fork ();
      if (pid < 0)
        die ("fork: %s", g_strerror (errno));
      if (pid == 0)
        {
          prctl (PR_SET_PDEATHSIG, SIGKILL);
          close (ready[0]);
          close (go[1]);
          close (rp[0]);
          for (int j = 0; j < k; j++)
            close (res[j]);
          client_main (b, kind, k, ops, (gint64) (b->o.cap_seconds * 1e9), ready[1], go[0], rp[1]);
        }
      close (rp[1]);
      res[k] = rp[0];
      pids[k] = pid;
    }
  close (ready[1]);
  close (go[0]);
  while (got < nclients)
    {
      struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
      char buf[64];
      ssize_t r;

      if (poll (&pfd, 1, START_TIMEOUT_MS) <= 0)
        die ("%s clients not ready within %d s", op_names[kind], START_TIMEOUT_MS / 1000);
      r = read (ready[0], buf, sizeof buf);
      if (r <= 0)
        die ("a %s client died during setup", op_names[kind]);
      got += (int) r;
    }
  close (ready[0]);
  d0 = proc_cpu_seconds (b->daemon_pid);
  b0 = proc_cpu_seconds (b->bus_pid);
  t_go = now_ns ();
  close (go[1]);

  for (int k = 0; k < nclients; k++)
    {
      ResultHeader h;
      Sample *smp;

      if (!read_full (res[k], &h, sizeof h))
        die ("a %s client died", op_names[kind]);
      smp = g_new (Sample, MAX (h.n, 1));
      if (h.n > 0 && !read_full (res[k], smp, sizeof (Sample) * h.n))
        die ("a %s client died while reporting", op_names[kind]);
      close (res[k]);
      if (h.errors > 0 && s->errors == 0)
        g_strlcpy (s->first_error, h.first_error, sizeof s->first_error);
      s->errors += h.errors;
      counts[k] = h.n;
      if (h.n > 0)
        window_end = MIN (window_end, smp[h.n - 1].end);
      else
        window_end = MIN (window_end, t_go);
      for (guint i = 0; i < h.n; i++)
        g_array_append_val (lat, smp[i].lat);
      g_ptr_array_add (per_client, smp);
    }
  for (int k = 0; k < nclients; k++)
    wait_pid (pids[k], 30000);
  s->daemon_cpu_s = proc_cpu_seconds (b->daemon_pid) - d0;
  s->bus_cpu_s = proc_cpu_seconds (b->bus_pid) - b0;

  {
    guint64 in_window = 0;
    for (int k = 0; k < nclients; k++)
      {
        Sample *smp = per_client->pdata[k];
        for (guint i = 0; i < counts[k]; i++)
          if (smp[i].end <= window_end)
            in_window++;
      }
    s->seconds = (double) (window_end - t_go) / 1e9;
    s->rate = s->seconds > 0 ? (double) in_window / s->seconds : NAN;
  }
  if (pool != NULL)
    g_array_append_vals (pool, lat->data, lat->len);
  stats_from_latencies (s, (gint64 *) (void *) lat->data, lat->len);
  g_array_free (lat, TRUE);
  g_ptr_array_unref (per_client);
  g_free (counts);
  g_free (res);
  g_free (pids);
}

/* Whose CPU time run_clients() measures (Bench.daemon_pid). */
static const char *server_name = "caselinkd";

static void
print_stats (const char *label, const Stats *s)
{
  printf ("  %-28s %9.0f /s   p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms   (%" G_GUINT64_FORMAT " calls, %.2f s",
          label, s->rate, s->p50_ms, s->p99_ms, s->max_ms, s->n, s->seconds);
  if (s->daemon_cpu_s > 0 && s->n > 0)
    printf (", CPU/call: %s %.0f µs, dbus-daemon %.0f µs", server_name, s->daemon_cpu_s * 1e6 / (double) s->n,
            s->bus_cpu_s * 1e6 / (double) s->n);
  printf (")\n");
  if (s->errors > 0)
    printf ("  !! %u errors, first: %s\n", s->errors, s->first_error);
  fflush (stdout);
}

/* ---- phase: write throughput ------------------------------------------- */

/* Several runs of one measurement: the median rate, latencies pooled. */
typedef struct {
  GArray *rates;     /* double */
  GArray *lat;       /* gint64 ns, every call of every run */
  double seconds, daemon_cpu_s, bus_cpu_s;
  guint64 n;
  guint errors;
  char first_error[256];
} Series;

static void
series_init (Series *se)
{
  memset (se, 0, sizeof *se);
  se->rates = g_array_new (FALSE, FALSE, sizeof (double));
  se->lat = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
series_add (Series *se, const Stats *s)
{
  g_array_append_val (se->rates, s->rate);
  se->seconds += s->seconds;
  se->daemon_cpu_s += s->daemon_cpu_s;
  se->bus_cpu_s += s->bus_cpu_s;
  se->n += s->n;
  if (s->errors > 0 && se->errors == 0)
    g_strlcpy (se->first_error, s->first_error, sizeof se->first_error);
  se->errors += s->errors;
}

static int cmp_double (const void *a, const void *b);

/* Median rate of the runs, percentiles of all calls; frees the series. */
static void
series_finish (Series *se, Stats *s)
{
  double *r = (double *) (void *) se->rates->data;
  guint n = se->rates->len;

  memset (s, 0, sizeof *s);
  stats_from_latencies (s, (gint64 *) (void *) se->lat->data, se->lat->len);
  qsort (r, n, sizeof (double), cmp_double);
  s->rate = n == 0 ? NAN : n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
  s->seconds = se->seconds;
  s->daemon_cpu_s = se->daemon_cpu_s;
  s->bus_cpu_s = se->bus_cpu_s;
  s->errors = se->errors;
  g_strlcpy (s->first_error, se->first_error, sizeof s->first_error);
  s->n = se->lat->len;
  g_array_free (se->rates, TRUE);
  g_array_free (se->lat, TRUE);
}

static void
series_json (JsonObject *o, Series *se, Stats *s)
{
  JsonArray *runs = json_array_new ();

  for (guint i = 0; i < se->rates->len; i++)
    json_array_add_double_element (runs, g_array_index (se->rates, double, i));
  json_object_set_array_member (o, "rate_per_run", runs);
  series_finish (se, s);
  stats_json (o, s);
}

static void
phase_write (Bench *b)
{
  g_autofree char *db = g_build_filename (b->scratch, "write.db", NULL);
  JsonObject *w = jobj (b->root, "write");
  /* operations per client and run at 1, 4, 16 clients */
  static const guint ping_full[3] = { 10000, 4000, 1200 }, ping_quick[3] = { 4000, 1500, 400 };
  static const guint adv_full[3] = { 2000, 750, 250 }, adv_quick[3] = { 600, 250, 100 };
  const guint *ping_ops = b->o.quick ? ping_quick : ping_full;
  const guint *adv_ops = b->o.quick ? adv_quick : adv_full;
  const guint read_ops = b->o.quick ? 3000 : 10000;
  const int rounds = b->o.quick ? 2 : 3;
  Series ping[3], adv[3], get, trans;
  gboolean on[3];
  double startup;
  Stats s;

  printf ("\n== write: Advance vs Peer.Ping, fresh database, synchronous=FULL ==\n");
  printf ("  (%d rounds, interleaved; rate = median of the rounds, latencies over every call)\n", rounds);
  startup = start_daemon (b, db, FALSE);
  printf ("  caselinkd up in %.3f s on an empty database\n", startup);
  jnum (w, "startup_empty_s", startup);
  json_object_set_int_member (w, "rounds", rounds);
  /* Warm up: the first calls pay for connection setup and statement preparation. */
  run_clients (b, OP_PING, 1, 500, &s, NULL);
  run_clients (b, OP_ADVANCE, 1, 50, &s, NULL);
  if (s.errors > 0)
    die ("Advance does not work: %s", s.first_error);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *key = g_strdup_printf ("%d", client_counts[i]);
      g_auto(GStrv) only = b->o.clients ? g_strsplit (b->o.clients, ",", -1) : NULL;

      on[i] = only == NULL || g_strv_contains ((const char *const *) only, key);
      series_init (&ping[i]);
      series_init (&adv[i]);
    }
  series_init (&get);
  series_init (&trans);

  for (int r = 0; r < rounds; r++)
    {
      printf ("  round %d/%d:", r + 1, rounds);
      for (int i = 0; i < 3; i++)
        {
          if (!on[i])
            continue;
          run_clients (b, OP_PING, client_counts[i], ping_ops[i], &s, ping[i].lat);
          series_add (&ping[i], &s);
          run_clients (b, OP_ADVANCE, client_counts[i], adv_ops[i], &s, adv[i].lat);
          series_add (&adv[i], &s);
          printf ("  %d: Ping %.0f/s Advance %.0f/s;", client_counts[i], g_array_index (ping[i].rates, double, r),
                  g_array_index (adv[i].rates, double, r));
          fflush (stdout);
        }
      if (on[0])
        {
          run_clients (b, OP_GET, 1, read_ops, &s, get.lat);
          series_add (&get, &s);
          run_clients (b, OP_TRANSITIONS, 1, read_ops, &s, trans.lat);
          series_add (&trans, &s);
          printf ("  Get %.0f/s Transitions %.0f/s", g_array_index (get.rates, double, r),
                  g_array_index (trans.rates, double, r));
        }
      printf ("\n");
    }

  for (int i = 0; i < 3; i++)
    {
      int n = client_counts[i];
      g_autofree char *key = g_strdup_printf ("%d", n);
      g_autofree char *label_p = g_strdup_printf ("Ping, %d client%s", n, n > 1 ? "s" : "");
      g_autofree char *label_a = g_strdup_printf ("Advance, %d client%s", n, n > 1 ? "s" : "");
      JsonObject *ja = jobj (jobj (w, "advance"), key);

      if (!on[i])
        {
          series_finish (&ping[i], &s);
          series_finish (&adv[i], &s);
          continue;
        }
      series_json (jobj (jobj (w, "ping"), key), &ping[i], &s);
      print_stats (label_p, &s);
      b->ping_rate[i] = s.errors ? NAN : s.rate;
      b->ping_p50[i] = s.errors ? NAN : s.p50_ms;
      series_json (ja, &adv[i], &s);
      print_stats (label_a, &s);
      b->advance_rate[i] = s.errors ? NAN : s.rate;
      b->advance_p50[i] = s.p50_ms;
      b->advance_p99[i] = s.p99_ms;
      jnum (ja, "ratio_to_ping", b->advance_rate[i] / b->ping_rate[i]);
      printf ("  -> Advance/Ping at %d client%s: %.3f", n, n > 1 ? "s" : "", b->advance_rate[i] / b->ping_rate[i]);
      if (n == 1)
        printf ("; by median round trip %.3f", b->ping_p50[0] / b->advance_p50[0]);
      printf ("\n");
    }
  if (on[0])
    {
      series_json (jobj (jobj (w, "read"), "get"), &get, &s);
      print_stats ("Get(Case1.State), 1 client", &s);
      b->get_rate = s.errors ? NAN : s.rate;
      b->get_p50 = s.errors ? NAN : s.p50_ms;
      series_json (jobj (jobj (w, "read"), "transitions"), &trans, &s);
      print_stats ("Transitions(), 1 client", &s);
      b->transitions_rate = s.errors ? NAN : s.rate;
      b->transitions_p50 = s.errors ? NAN : s.p50_ms;
      printf ("  -> Get/Ping %.3f, Transitions/Ping %.3f (1 client, throughput); by median round trip %.3f, %.3f\n",
              b->get_rate / b->ping_rate[0], b->transitions_rate / b->ping_rate[0], b->ping_p50[0] / b->get_p50,
              b->ping_p50[0] / b->transitions_p50);
    }
  else
    {
      series_finish (&get, &s);
      series_finish (&trans, &s);
    }
  json_object_set_int_member (w, "rss_kb", proc_status_kb (b->daemon_pid, "VmRSS:"));
  stop_daemon (b);
}

/* ---- phase: bare SQLite ------------------------------------------------ */

static void
phase_sqlite (Bench *b)
{
  g_autofree char *path = g_build_filename (b->scratch, "sqlite-baseline.db", NULL);
  g_autoptr(GError) error = NULL;
  JsonObject *j = jobj (b->root, "sqlite");
  const guint rows = b->o.quick ? 1500 : 5000;
  BenchRows *r;
  gint64 *lat = g_new (gint64, rows);
  gint64 t0, t_end, cap = (gint64) (b->o.cap_seconds * 1e9);
  guint done = 0;
  Stats s = { 0 };

  printf ("\n== sqlite: bare loop, the rows of one Advance per transaction, WAL, synchronous=FULL ==\n");
  /* What one durable commit costs at the least on this disk. */
  {
    g_autofree char *fpath = g_build_filename (b->scratch, "fsync.test", NULL);
    int fd = open (fpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const guint n = 300;
    gint64 *fl = g_new (gint64, n);
    char page[4096];
    Stats fs = { 0 };

    memset (page, 'x', sizeof page);
    /* Overwrite in place, as SQLite reuses its WAL: extending the file
     * each time would add a metadata flush to every fdatasync. */
    for (guint i = 0; fd >= 0 && i < n; i++)
      if (pwrite (fd, page, sizeof page, (off_t) i * (off_t) sizeof page) != (ssize_t) sizeof page)
        die ("%s: %s", fpath, g_strerror (errno));
    if (fd >= 0 && fsync (fd) != 0)
      die ("%s: %s", fpath, g_strerror (errno));
    for (guint i = 0; fd >= 0 && i < n; i++)
      {
        gint64 t = now_ns ();
        if (pwrite (fd, page, sizeof page, (off_t) i * (off_t) sizeof page) != (ssize_t) sizeof page
            || fdatasync (fd) != 0)
          die ("%s: %s", fpath, g_strerror (errno));
        fl[i] = now_ns () - t;
      }
    if (fd >= 0)
      close (fd);
    g_unlink (fpath);
    stats_from_latencies (&fs, fl, n);
    fs.rate = 1000.0 / fs.mean_ms;
    fs.seconds = fs.mean_ms * n / 1000.0;
    print_stats ("4 KB overwrite + fdatasync", &fs);
    stats_json (jobj (j, "fdatasync_4k"), &fs);
    g_free (fl);
  }
  /* The daemon's schema and statements (advance-rows.c), one Advance's
   * rows per transaction. */
  r = bench_rows_open (path, 1000, &error);
  if (r == NULL)
    die ("%s", error->message);
  t0 = now_ns ();
  t_end = t0 + cap;
  for (guint i = 0; i < rows && now_ns () < t_end; i++)
    {
      gint64 t = now_ns ();

      if (sqlite3_exec (bench_rows_db (r), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK
          || !bench_rows_write (r, i / BENCH_N_STEPS, i % BENCH_N_STEPS, &error)
          || sqlite3_exec (bench_rows_db (r), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die ("%s", error != NULL ? error->message : sqlite3_errmsg (bench_rows_db (r)));
      lat[done++] = now_ns () - t;
    }
  s.seconds = (double) (now_ns () - t0) / 1e9;
  s.rate = (double) done / s.seconds;
  stats_from_latencies (&s, lat, done);
  bench_rows_close (r);
  g_free (lat);
  print_stats ("commits (1 writer)", &s);
  stats_json (j, &s);
  jnum (j, "commits_per_s", s.rate);
  if (!isnan (b->ping_rate[0]))
    {
      /* A single writer cannot commit faster than this loop: when it is
       * below 0.30 x Ping, the 1-client target is out of reach here. */
      printf ("  -> ceiling for one synchronous writer: bare SQLite / Ping (1 client) = %.3f\n", s.rate / b->ping_rate[0]);
      jnum (j, "ratio_to_ping_1", s.rate / b->ping_rate[0]);
      /* One client waits for each reply before its next call, and a reply
       * waits for its commit: a round trip holds a bare round trip and a
       * commit, one after the other, in any D-Bus service committing these
       * rows. An estimate: the medians come from two phases of this run. */
      printf ("  -> so at 1 client a D-Bus service committing these rows stays under about Ping / (Ping + commit) = "
              "%.3f x Ping (medians: %.3f, %.3f ms)\n", b->ping_p50[0] / (b->ping_p50[0] + s.p50_ms), b->ping_p50[0],
              s.p50_ms);
      jnum (j, "bound_1c_vs_ping", b->ping_p50[0] / (b->ping_p50[0] + s.p50_ms));
    }
  if (!isnan (b->advance_rate[0]))
    {
      printf ("  -> caselink/bare SQLite: Advance 1 client %.3f, 4 clients %.3f, 16 clients %.3f\n",
              b->advance_rate[0] / s.rate, b->advance_rate[1] / s.rate, b->advance_rate[2] / s.rate);
      for (int i = 0; i < 3; i++)
        {
          g_autofree char *key = g_strdup_printf ("advance_%d_ratio", client_counts[i]);
          jnum (j, key, b->advance_rate[i] / s.rate);
        }
    }
}

/* ---- phase: the floor service ------------------------------------------ */

static GPid
start_floor (Bench *b, const char *db, BenchFloorRows rows)
{
  int ready[2];
  struct pollfd pfd;
  sigset_t term, old;
  char c;
  pid_t pid;

  if (pipe2 (ready, O_CLOEXEC) != 0)
    die ("pipe: %s", g_strerror (errno));
  fflush (stdout);
  fflush (stderr);
  /* stop_pid() sends SIGTERM: the parent's handler would tear down the bus
   * and the scratch directory from the child, so the child resets it
   * before any signal can reach it */
  sigemptyset (&term);
  sigaddset (&term, SIGTERM);
  sigaddset (&term, SIGINT);
  sigprocmask (SIG_BLOCK, &term, &old);
  pid = fork ();
  if (pid < 0)
    die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      the_bench = NULL;
      signal (SIGTERM, SIG_DFL);
      signal (SIGINT, SIG_DFL);
      sigprocmask (SIG_SETMASK, &old, NULL);
      prctl (PR_SET_NAME, "bench-floor");
      close (ready[0]);
      bench_floor_main (b->bus_address, db, rows, ready[1]);
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  close (ready[1]);
  pfd.fd = ready[0];
  pfd.events = POLLIN;
  if (poll (&pfd, 1, START_TIMEOUT_MS) <= 0 || read (ready[0], &c, 1) != 1)
    {
      GPid gone = pid;

      stop_pid (&gone, 5000);
      die ("the floor service did not start (its own error, if it gave one, is above)");
    }
  close (ready[0]);
  return pid;
}

/* Dies when a measured run of the floor service had errors: its figures
 * would be of a service that stopped answering. */
static void
floor_check (Bench *b, const Stats *s)
{
  int status;

  if (s->errors == 0)
    return;
  if (waitpid (b->daemon_pid, &status, WNOHANG) == b->daemon_pid)
    die ("the floor service %s %d: %s", WIFSIGNALED (status) ? "died of signal" : "exited with status",
         WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status), s->first_error);
  die ("the floor service failed calls: %s", s->first_error);
}

/* The same calls as the write phase, against a service that does nothing
 * but commit them (floor.h): what caselinkd's design allows here. */
static void
phase_floor (Bench *b)
{
  static const struct {
    BenchFloorRows rows;
    const char *key, *label;
  } kinds[] = {
    { BENCH_FLOOR_ONE_ROW, "one_row", "one small row per call" },
    { BENCH_FLOOR_ADVANCE_ROWS, "advance_rows", "the rows of one Advance per call" },
  };
  static const int idx[2] = { 0, 2 };   /* 1 and 16 clients */
  static const guint ping_full[3] = { 10000, 4000, 1200 }, ping_quick[3] = { 4000, 1500, 400 };
  static const guint adv_full[3] = { 2000, 750, 250 }, adv_quick[3] = { 600, 250, 100 };
  const guint *ping_ops = b->o.quick ? ping_quick : ping_full;
  const guint *adv_ops = b->o.quick ? adv_quick : adv_full;
  const int rounds = b->o.quick ? 2 : 3;
  g_auto(GStrv) only = b->o.clients ? g_strsplit (b->o.clients, ",", -1) : NULL;
  JsonObject *j = jobj (b->root, "floor");
  GPid saved_pid = b->daemon_pid;

  printf ("\n== floor: caselinkd's I/O without its logic (bench/floor.c), same bus, synchronous=FULL ==\n");
  printf ("  (caselinkd's bus glue, store and durability; groups as engine.c makes them; no workflow work)\n");
  server_name = "floor service";
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *db = g_strdup_printf ("%s/floor-%s.db", b->scratch, kinds[k].key);
      JsonObject *jk = jobj (j, kinds[k].key);
      Series ping[2], adv[2];
      gboolean on[2];
      Stats s;

      b->daemon_pid = start_floor (b, db, kinds[k].rows);
      printf (" %s:\n", kinds[k].label);
      run_clients (b, OP_FLOOR_PING, 1, 500, &s, NULL);
      floor_check (b, &s);
      run_clients (b, OP_FLOOR, 1, 50, &s, NULL);
      floor_check (b, &s);
      for (int c = 0; c < 2; c++)
        {
          g_autofree char *key = g_strdup_printf ("%d", client_counts[idx[c]]);

          on[c] = only == NULL || g_strv_contains ((const char *const *) only, key);
          series_init (&ping[c]);
          series_init (&adv[c]);
        }
      for (int r = 0; r < rounds; r++)
        for (int c = 0; c < 2; c++)
          if (on[c])
            {
              run_clients (b, OP_FLOOR_PING, client_counts[idx[c]], ping_ops[idx[c]], &s, ping[c].lat);
              floor_check (b, &s);
              series_add (&ping[c], &s);
              run_clients (b, OP_FLOOR, client_counts[idx[c]], adv_ops[idx[c]], &s, adv[c].lat);
              floor_check (b, &s);
              series_add (&adv[c], &s);
            }
      for (int c = 0; c < 2; c++)
        {
          int n = client_counts[idx[c]];
          g_autofree char *key = g_strdup_printf ("%d", n);
          g_autofree char *label_p = g_strdup_printf ("Ping, %d client%s", n, n > 1 ? "s" : "");
          g_autofree char *label_a = g_strdup_printf ("Advance, %d client%s", n, n > 1 ? "s" : "");
          JsonObject *ja = jobj (jobj (jk, "advance"), key);
          double ping_rate, ping_p50, ratio;

          if (!on[c])
            {
              series_finish (&ping[c], &s);
              series_finish (&adv[c], &s);
              continue;
            }
          series_json (jobj (jobj (jk, "ping"), key), &ping[c], &s);
          print_stats (label_p, &s);
          ping_rate = s.rate;
          ping_p50 = s.p50_ms;
          series_json (ja, &adv[c], &s);
          print_stats (label_a, &s);
          /* one client: by median round trip, as advance_1c_vs_ping */
          ratio = n == 1 ? ping_p50 / s.p50_ms : s.rate / ping_rate;
          jnum (ja, "ratio_to_ping", ratio);
          printf ("  -> floor Advance/Ping at %d client%s: %.3f%s", n, n > 1 ? "s" : "", ratio,
                  n == 1 ? " (median round trip)" : "");
          if (kinds[k].rows == BENCH_FLOOR_ADVANCE_ROWS && !isnan (b->advance_rate[idx[c]]))
            {
              /* the same measure for caselinkd, over the floor's */
              double own = n == 1 ? b->ping_p50[0] / b->advance_p50[0] : b->advance_rate[2] / b->ping_rate[2];

              printf ("; caselinkd's (write phase) %.3f = %.0f %% of it", own, 100 * own / ratio);
              jnum (ja, "caselinkd_share", own / ratio);
            }
          printf ("\n");
        }
      stop_pid (&b->daemon_pid, 10000);
      /* --keep keeps the floor's databases as well */
      for (const char *const *sfx = (const char *const[]) { "", "-wal", "-shm", NULL }; !b->o.keep && *sfx; sfx++)
        {
          g_autofree char *p = g_strconcat (db, *sfx, NULL);
          g_unlink (p);
        }
    }
  server_name = "caselinkd";
  b->daemon_pid = saved_pid;
}

static GPid start_pinger (Bench *b, int fd);
static void stop_pinger (GPid pid, int fd, double *worst_ms, gint64 *pings);

/* ---- phase: a million cases ------------------------------------------- */

typedef struct {
  const char *name;
  const char *key;      /* NULL = no filter */
  char type;            /* 's' or 'b' */
  const char *value;
  gboolean indexed;     /* counts for the 10 ms target */
  gboolean text;        /* counts for the 100 ms target */
  const char *key2;     /* a second filter, or NULL */
  char type2;
  const char *value2;
} Filter;

static void
append_filter (DBusMessageIter *dict, const char *key, char type, const char *value)
{
  if (type == 'b')
    {
      dbus_bool_t v = g_str_equal (value, "true");
      append_sv (dict, key, DBUS_TYPE_BOOLEAN, &v);
    }
  else
    append_sv (dict, key, DBUS_TYPE_STRING, &value);
}

static DBusMessage *
new_list (const Filter *f, const char *after, guint limit)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases");
  DBusMessageIter it, dict;
  dbus_uint32_t lim = limit;

  dbus_message_iter_init_append (m, &it);
  dbus_message_iter_open_container (&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
  if (f != NULL && f->key != NULL)
    append_filter (&dict, f->key, f->type, f->value);
  if (f != NULL && f->key2 != NULL)
    append_filter (&dict, f->key2, f->type2, f->value2);
  append_sv (&dict, "limit", DBUS_TYPE_UINT32, &lim);
  if (after != NULL)
    append_sv (&dict, "after", DBUS_TYPE_STRING, &after);
  dbus_message_iter_close_container (&it, &dict);
  return m;
}

/* Entries in a ListCases reply, and the last entry's id. */
static guint
list_reply (DBusMessage *r, char **last_id)
{
  DBusMessageIter it, arr;
  guint n = 0;

  if (!dbus_message_iter_init (r, &it) || dbus_message_iter_get_arg_type (&it) != DBUS_TYPE_ARRAY)
    return 0;
  dbus_message_iter_recurse (&it, &arr);
  while (dbus_message_iter_get_arg_type (&arr) == DBUS_TYPE_ARRAY)
    {
      DBusMessageIter dict;

      dbus_message_iter_recurse (&arr, &dict);
      while (dbus_message_iter_get_arg_type (&dict) == DBUS_TYPE_DICT_ENTRY)
        {
          DBusMessageIter entry, var;
          const char *key;

          dbus_message_iter_recurse (&dict, &entry);
          dbus_message_iter_get_basic (&entry, &key);
          dbus_message_iter_next (&entry);
          dbus_message_iter_recurse (&entry, &var);
          if (g_str_equal (key, "id") && last_id != NULL && dbus_message_iter_get_arg_type (&var) == DBUS_TYPE_STRING)
            {
              const char *id;
              dbus_message_iter_get_basic (&var, &id);
              g_free (*last_id);
              *last_id = g_strdup (id);
            }
          dbus_message_iter_next (&dict);
        }
      n++;
      dbus_message_iter_next (&arr);
    }
  return n;
}

/* Repeat a call @reps times (after one warm-up); stats of the latencies. */
typedef DBusMessage *(*MessageFactory) (gconstpointer data);

static void
repeat_call (Bench *b, MessageFactory make, gconstpointer data, guint reps, Stats *s, guint *entries)
{
  gint64 *lat = g_new (gint64, reps);
  guint done = 0;
  gint64 t0 = now_ns (), cap = (gint64) (b->o.cap_seconds * 1e9);

  memset (s, 0, sizeof *s);
  for (guint i = 0; i <= reps; i++)
    {
      DBusMessage *m = make (data);
      char *err = NULL;
      gint64 l;
      DBusMessage *r;

      r = call (b->conn, m, &l, &err);
      dbus_message_unref (m);
      if (r == NULL)
        {
          s->errors++;
          g_strlcpy (s->first_error, err, sizeof s->first_error);
          g_free (err);
          break;
        }
      if (entries != NULL && dbus_message_get_signature (r) != NULL
          && g_str_equal (dbus_message_get_signature (r), "aa{sv}"))
        *entries = list_reply (r, NULL);
      dbus_message_unref (r);
      if (i > 0)  /* the first call warms up */
        lat[done++] = l;
      /* A slow call (a full scan) gets fewer repetitions. */
      if (i > 2 && now_ns () - t0 > cap / 2)
        break;
    }
  stats_from_latencies (s, lat, done);
  s->rate = s->mean_ms > 0 ? 1000.0 / s->mean_ms : NAN;
  g_free (lat);
}

typedef struct {
  const Filter *f;
  const char *after;
} ListArgs;

static DBusMessage *
make_list (gconstpointer data)
{
  const ListArgs *a = data;
  return new_list (a->f, a->after, PAGE);
}

static DBusMessage *
make_case_count (gconstpointer data)
{
  return new_get (CL_MANAGER_PATH, CL_MANAGER_IFACE, "CaseCount");
}

static DBusMessage *
make_count_by (gconstpointer data)
{
  const char *group = data;
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases");
  DBusMessageIter it;

  dbus_message_iter_init_append (m, &it);
  append_string_dict (&it, NULL);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &group);
  return m;
}

/* CountCases({state: @data, overdue: true}, ""): overdue cases in a state. */
static DBusMessage *
make_count_overdue_in (gconstpointer data)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases");
  DBusMessageIter it, dict;
  const char *group = "";

  dbus_message_iter_init_append (m, &it);
  dbus_message_iter_open_container (&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
  append_filter (&dict, "state", 's', data);
  append_filter (&dict, "overdue", 'b', "true");
  dbus_message_iter_close_container (&it, &dict);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &group);
  return m;
}

/* The least-held administrative agency in the generated data (the most
 * selective agency filter) and a procuratorate holding many. */
static void
pick_agencies (GKeyFile *info, char **rare, char **common)
{
  g_auto(GStrv) keys = g_key_file_get_keys (info, "agencies", NULL, NULL);
  gint64 lo = G_MAXINT64, hi = -1;

  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      gint64 v = g_key_file_get_int64 (info, "agencies", *k, NULL);
      if (v > 0 && v < lo)
        {
          lo = v;
          g_free (*rare);
          *rare = g_strdup (*k);
        }
      if (v > hi)
        {
          hi = v;
          g_free (*common);
          *common = g_strdup (*k);
        }
    }
  if (*rare == NULL)
    *rare = g_strdup ("xn-env");
  if (*common == NULL)
    *common = g_strdup ("qh-proc");
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
phase_big (Bench *b)
{
  g_autofree char *db = NULL;
  g_autofree char *info_path = NULL;
  g_autoptr(GKeyFile) info = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *j = jobj (b->root, "big");
  g_autofree char *agency_rare = NULL, *agency_common = NULL;
  g_autofree char *mid_id = NULL, *term = NULL, *term_rare = NULL;
  gint64 total;
  const guint reps = b->o.quick ? 15 : 40;
  double startups[3];
  int n_starts = b->o.quick ? 2 : 3;
  gint64 log_offset = 0;
  double worst_indexed = 0, worst_text = 0;
  const char *worst_indexed_name = "", *worst_text_name = "";
  Stats s;

  if (b->o.db != NULL)
    {
      db = g_strdup (b->o.db);
      info_path = g_strconcat (db, ".info", NULL);
      printf ("\n== big: reusing %s ==\n", db);
    }
  else
    {
      g_autofree char *workflows = g_build_filename (b->o.srcdir, "workflows", NULL);
      g_autofree char *cases = g_strdup_printf ("%" G_GINT64_FORMAT, b->o.cases);
      gint64 t;
      const char *argv[] = { b->o.gen, "--db", NULL, "--workflows", workflows, "--cases", cases, "--info", NULL, NULL };

      db = g_build_filename (b->scratch, "big.db", NULL);
      info_path = g_strconcat (db, ".info", NULL);
      argv[2] = db;
      argv[8] = info_path;
      printf ("\n== big: %" G_GINT64_FORMAT " cases (caselink-gen) ==\n", b->o.cases);
      fflush (stdout);
      t = run_timed_for (argv, 1, GEN_TIMEOUT_MS);
      if (t < 0)
        die ("caselink-gen failed");
      jnum (j, "generate_s", (double) t / 1e9);
      printf ("  generated in %.1f s\n", (double) t / 1e9);
    }
  if (!g_key_file_load_from_file (info, info_path, G_KEY_FILE_NONE, &error))
    die ("%s: %s", info_path, error->message);
  total = g_key_file_get_int64 (info, "cases", "total", NULL);
  json_object_set_int_member (j, "cases", total);
  json_object_set_int_member (j, "history_rows", g_key_file_get_int64 (info, "cases", "history_rows", NULL));
  {
    struct stat st;
    if (g_stat (db, &st) == 0)
      {
        json_object_set_int_member (j, "db_bytes", (gint64) st.st_size);
        printf ("  database: %" G_GINT64_FORMAT " cases, %" G_GINT64_FORMAT " history rows, %.0f MB\n", total,
                g_key_file_get_int64 (info, "cases", "history_rows", NULL), (double) st.st_size / 1e6);
      }
  }
  pick_agencies (info, &agency_rare, &agency_common);
  mid_id = g_key_file_get_string (info, "ids", "id4", NULL);
  term = g_key_file_get_string (info, "terms", "common", NULL);
  term_rare = g_key_file_get_string (info, "terms", "rare", NULL);

  /* Start-up, warm page cache: the median of a few starts; the last one
   * stays up for the reads. */
  for (int i = 0; i < n_starts; i++)
    {
      log_offset = file_size (b->daemon_log);
      startups[i] = start_daemon (b, db, FALSE);
      if (i + 1 < n_starts)
        stop_daemon (b);
    }
  qsort (startups, (size_t) n_starts, sizeof (double), cmp_double);
  {
    double startup = startups[n_starts / 2];
    gint64 rss = proc_status_kb (b->daemon_pid, "VmRSS:");

    printf ("  start-up (exec to first answered call), median of %d: %.3f s\n", n_starts, startup);
    printf ("  resident after start-up: %.1f MB\n", (double) rss / 1024);
    jnum (j, "startup_s", startup);
    json_object_set_int_member (j, "rss_after_start_kb", rss);
    add_target (b, "startup_1m", startup <= 1.0, "<= 1 s", NULL, "%.3f s with %" G_GINT64_FORMAT " cases",
                startup, total);
  }

  /* caselinkd verifies the audit chains after start-up, in steps between
   * calls: how long that takes, and how long a Ping waits meanwhile. The
   * reads below are measured after it, warm. */
  {
    int pp[2];
    GPid pinger;
    double worst = 0;
    gint64 pings = 0, t0 = now_ns ();
    g_autofree char *line = NULL;
    JsonObject *ja = jobj (j, "startup_audit_check");

    if (pipe2 (pp, O_CLOEXEC) != 0)
      die ("pipe: %s", g_strerror (errno));
    pinger = start_pinger (b, pp[1]);
    close (pp[1]);
    line = wait_log (b, log_offset, "audit: ", 1800 * 1000);
    stop_pinger (pinger, pp[0], &worst, &pings);
    if (line == NULL)
      printf ("  !! no audit result in the log after 30 min\n");
    else
      {
        double secs = (double) (now_ns () - t0) / 1e9;

        printf ("  start-up audit check: done %.1f s after start-up; worst Ping meanwhile %.1f ms (%" G_GINT64_FORMAT
                " pings)\n    %s\n", secs, worst, pings, line);
        jnum (ja, "seconds_after_startup", secs);
        jnum (ja, "ping_max_ms", worst);
        json_object_set_int_member (ja, "pings", pings);
        json_object_set_string_member (ja, "log", line);
        json_object_set_boolean_member (ja, "ok", strstr (line, "tampered") == NULL);
      }
  }

  {
    Filter filters[] = {
      { "none", NULL, 's', NULL, TRUE, FALSE },
      { "state=reviewing", "state", 's', "reviewing", TRUE, FALSE },
      { "state=suspended", "state", 's', "suspended", TRUE, FALSE },
      { NULL, "agency", 's', agency_common, TRUE, FALSE },
      { NULL, "agency", 's', agency_rare, TRUE, FALSE },
      { "domain=minors", "domain", 's', "minors", TRUE, FALSE },
      { "overdue=true", "overdue", 'b', "true", TRUE, FALSE },
      { NULL, "text", 's', term, FALSE, TRUE },
      { NULL, "text", 's', term_rare, FALSE, FALSE },
      /* overdue cases in a state: two filters, one index (issue 7's query plan) */
      { "state=reviewing overdue=true", "state", 's', "reviewing", FALSE, FALSE, "overdue", 'b', "true" },
      { "state=awaiting_reply overdue=true", "state", 's', "awaiting_reply", FALSE, FALSE, "overdue", 'b', "true" },
    };
    g_autofree char *n_agency_common = g_strdup_printf ("agency=%s", agency_common);
    g_autofree char *n_agency_rare = g_strdup_printf ("agency=%s", agency_rare);
    g_autofree char *n_term = g_strdup_printf ("text=\"%s\"", term);
    g_autofree char *n_term_rare = g_strdup_printf ("text=\"%s\" (rare: full scan)", term_rare);
    JsonObject *jl = jobj (j, "list_cases");

    filters[3].name = n_agency_common;
    filters[4].name = n_agency_rare;
    filters[7].name = n_term;
    filters[8].name = n_term_rare;
    printf ("  ListCases, page of %d, warm (p50/p99/max of %u calls):\n", PAGE, reps);
    for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
      {
        const Filter *f = &filters[i];
        JsonObject *jf = jobj (jl, f->name);
        guint r = f->indexed || f->text ? reps : MIN (reps, 5u);
        ListArgs first = { f, NULL }, mid = { f, mid_id };
        Stats sf, sm;
        guint entries_first = 0, entries_mid = 0;
        double worst;

        repeat_call (b, make_list, &first, r, &sf, &entries_first);
        repeat_call (b, make_list, &mid, r, &sm, &entries_mid);
        printf ("    %-40s first page %8.2f / %8.2f / %8.2f ms (%u)   from the middle %8.2f / %8.2f / %8.2f ms (%u)\n",
                f->name, sf.p50_ms, sf.p99_ms, sf.max_ms, entries_first, sm.p50_ms, sm.p99_ms, sm.max_ms,
                entries_mid);
        if (sf.errors || sm.errors)
          printf ("    !! %s\n", sf.errors ? sf.first_error : sm.first_error);
        stats_json (jobj (jf, "first_page"), &sf);
        stats_json (jobj (jf, "middle_page"), &sm);
        json_object_set_int_member (jf, "entries_first", entries_first);
        json_object_set_int_member (jf, "entries_middle", entries_mid);
        worst = MAX (sf.p50_ms, sm.p50_ms);
        if (sf.errors || sm.errors)
          worst = INFINITY;
        if (f->indexed && worst > worst_indexed)
          {
            worst_indexed = worst;
            worst_indexed_name = f->name;
          }
        if (f->text && worst > worst_text)
          {
            worst_text = worst;
            worst_text_name = f->name;
          }
      }
    add_target (b, "listcases_indexed_1m", worst_indexed <= 10.0, "<= 10 ms", NULL,
                "%.2f ms (slowest p50: %s, %" G_GINT64_FORMAT " cases)", worst_indexed, worst_indexed_name, total);
    add_target (b, "listcases_text_1m", worst_text <= 100.0, "<= 100 ms", NULL,
                "%.2f ms (%s, %" G_GINT64_FORMAT " cases)", worst_text, worst_text_name, total);
  }

  repeat_call (b, make_case_count, NULL, reps, &s, NULL);
  printf ("  CaseCount property:               p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", s.p50_ms, s.p99_ms,
          s.max_ms);
  stats_json (jobj (j, "case_count"), &s);
  repeat_call (b, make_count_by, "state", reps, &s, NULL);
  printf ("  CountCases({}, \"state\"):           p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", s.p50_ms, s.p99_ms,
          s.max_ms);
  stats_json (jobj (j, "count_by_state"), &s);
  add_target (b, "countcases_state_1m", !s.errors && s.p50_ms <= 100.0, "<= 100 ms", NULL,
              "%.2f ms (%" G_GINT64_FORMAT " cases)", s.p50_ms, total);
  repeat_call (b, make_count_by, "agency", MIN (reps, 10u), &s, NULL);
  printf ("  CountCases({}, \"agency\"):          p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", s.p50_ms, s.p99_ms,
          s.max_ms);
  stats_json (jobj (j, "count_by_agency"), &s);
  repeat_call (b, make_count_overdue_in, "reviewing", reps, &s, NULL);
  printf ("  CountCases({state: reviewing, overdue: true}): p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", s.p50_ms,
          s.p99_ms, s.max_ms);
  stats_json (jobj (j, "count_overdue_reviewing"), &s);

  {
    gint64 rss = proc_status_kb (b->daemon_pid, "VmRSS:");
    gint64 hwm = proc_status_kb (b->daemon_pid, "VmHWM:");

    printf ("  resident after the reads: %.1f MB (peak %.1f MB)\n", (double) rss / 1024, (double) hwm / 1024);
    json_object_set_int_member (j, "rss_kb", rss);
    json_object_set_int_member (j, "rss_peak_kb", hwm);
    add_target (b, "rss_1m", hwm <= 40 * 1024, "<= 40 MB", NULL, "%.1f MB peak (%.1f MB now, %" G_GINT64_FORMAT " cases)",
                (double) hwm / 1024, (double) rss / 1024, total);
  }

  /* caselinkctl show vs dbus-send, whole processes. */
  if (phase_enabled (b, "ctl"))
    {
      const guint runs = b->o.quick ? 10 : 25;
      g_autofree char *bus_arg = g_strdup_printf ("--bus=%s", b->bus_address);
      g_autofree char *path = NULL;
      g_autofree char *dbus_send = g_find_program_in_path ("dbus-send");
      gint64 *tc = g_new (gint64, runs), *td = g_new (gint64, runs);
      JsonObject *jc = jobj (b->root, "ctl");
      guint ok = 0;

      {
        DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "GetCase");
        DBusMessage *r;
        const char *p = NULL;
        g_autofree char *err = NULL;

        dbus_message_append_args (m, DBUS_TYPE_STRING, &mid_id, DBUS_TYPE_INVALID);
        r = call (b->conn, m, NULL, &err);
        dbus_message_unref (m);
        if (r == NULL || !dbus_message_get_args (r, NULL, DBUS_TYPE_OBJECT_PATH, &p, DBUS_TYPE_INVALID))
          die ("GetCase %s: %s", mid_id, err ? err : "bad reply");
        path = g_strdup (p);
        dbus_message_unref (r);
      }
      printf ("\n== ctl: `caselinkctl show %s` vs dbus-send Properties.GetAll, whole processes ==\n", mid_id);
      if (dbus_send == NULL)
        printf ("  dbus-send not found: skipped\n");
      else
        {
          const char *ctl_argv[] = { b->o.caselinkctl, "--address", b->bus_address, "show", mid_id, NULL };
          const char *send_argv[] = { dbus_send, bus_arg, "--print-reply", "--dest=" CL_DBUS_NAME, path,
                                      "org.freedesktop.DBus.Properties.GetAll", "string:" CL_CASE_IFACE, NULL };
          Stats sc, sd;

          /* warm up both binaries */
          run_timed (ctl_argv, -1);
          run_timed (send_argv, -1);
          for (guint i = 0; i < runs; i++)
            {
              tc[ok] = run_timed (ctl_argv, -1);
              td[ok] = run_timed (send_argv, -1);
              if (tc[ok] < 0 || td[ok] < 0)
                die ("caselinkctl show or dbus-send failed");
              ok++;
            }
          memset (&sc, 0, sizeof sc);
          memset (&sd, 0, sizeof sd);
          stats_from_latencies (&sc, tc, ok);
          stats_from_latencies (&sd, td, ok);
          printf ("  caselinkctl show:     p50 %7.2f ms  max %7.2f ms\n", sc.p50_ms, sc.max_ms);
          printf ("  dbus-send GetAll:     p50 %7.2f ms  max %7.2f ms\n", sd.p50_ms, sd.max_ms);
          printf ("  -> ratio %.2f\n", sc.p50_ms / sd.p50_ms);
          stats_json (jobj (jc, "caselinkctl_show"), &sc);
          stats_json (jobj (jc, "dbus_send"), &sd);
          jnum (jc, "ratio", sc.p50_ms / sd.p50_ms);
          add_target (b, "ctl_show_vs_dbus_send", sc.p50_ms / sd.p50_ms <= 2.0, "<= 2x", NULL,
                      "%.2fx (%.2f ms vs %.2f ms)", sc.p50_ms / sd.p50_ms, sc.p50_ms, sd.p50_ms);
        }
      g_free (tc);
      g_free (td);
    }
  stop_daemon (b);
  if (b->o.db == NULL && !b->o.keep)
    {
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);
      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
    }
}

/* ---- phase: deadlines -------------------------------------------------- */

/* Does the shipped reverse_connection workflow declare a deadline? (A
 * `deadline:` key outside a comment.) */
static gboolean
workflows_have_deadlines (Bench *b)
{
  g_autofree char *path = g_build_filename (b->o.srcdir, "workflows", WORKFLOW ".yaml", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char *hash = strchr (*l, '#');
      if (hash != NULL)
        *hash = '\0';
      if (strstr (*l, "deadline:") != NULL)
        return TRUE;
    }
  return FALSE;
}

static DBusMessage *
make_count_overdue (gconstpointer data)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CountCases");
  DBusMessageIter it, dict;
  dbus_bool_t yes = TRUE;
  const char *group = "";

  dbus_message_iter_init_append (m, &it);
  dbus_message_iter_open_container (&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
  append_sv (&dict, "overdue", DBUS_TYPE_BOOLEAN, &yes);
  dbus_message_iter_close_container (&it, &dict);
  dbus_message_iter_append_basic (&it, DBUS_TYPE_STRING, &group);
  return m;
}

static gint64
count_overdue (Bench *b)
{
  DBusMessage *m = make_count_overdue (NULL);
  DBusMessage *r = call (b->conn, m, NULL, NULL);
  DBusMessageIter it, arr, entry;
  guint64 n = 0;

  dbus_message_unref (m);
  if (r == NULL)
    return -1;
  if (dbus_message_iter_init (r, &it) && dbus_message_iter_get_arg_type (&it) == DBUS_TYPE_ARRAY)
    {
      dbus_message_iter_recurse (&it, &arr);
      if (dbus_message_iter_get_arg_type (&arr) == DBUS_TYPE_DICT_ENTRY)
        {
          dbus_message_iter_recurse (&arr, &entry);
          dbus_message_iter_next (&entry);
          if (dbus_message_iter_get_arg_type (&entry) == DBUS_TYPE_UINT64)
            dbus_message_iter_get_basic (&entry, &n);
        }
    }
  dbus_message_unref (r);
  return (gint64) n;
}

static void
deadlines_not_available (Bench *b, const char *why)
{
  JsonObject *j = jobj (b->root, "deadlines");

  printf ("  DEADLINES: not available — %s\n", why);
  json_object_set_boolean_member (j, "available", FALSE);
  json_object_set_string_member (j, "why", why);
  add_target (b, "deadlines_100k_processed", -1, "all 100000 processed", why, "not available");
  add_target (b, "deadlines_ping_max", -1, "<= 100 ms", why, "not available");
}

static void
set_time (Bench *b, gint64 usec)
{
  DBusMessage *m = dbus_message_new_method_call (CL_DBUS_NAME, CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime");
  g_autofree char *err = NULL;
  DBusMessage *r;

  dbus_message_append_args (m, DBUS_TYPE_INT64, &usec, DBUS_TYPE_INVALID);
  r = call (b->conn, m, NULL, &err);
  dbus_message_unref (m);
  if (r == NULL)
    die ("Testing1.SetTime: %s", err);
  dbus_message_unref (r);
}

/* A process that pings caselinkd every 2 ms until SIGUSR1, then writes
 * the worst round trip and how many it made to @fd. */
static GPid
start_pinger (Bench *b, int fd)
{
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      DBusConnection *conn;
      gint64 worst = 0, n = 0;
      sigset_t set;

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      sigemptyset (&set);
      sigaddset (&set, SIGUSR1);
      sigprocmask (SIG_BLOCK, &set, NULL);
      conn = cl_dbus_open (b->bus_address, DBUS_BUS_SESSION, &error);
      if (conn == NULL)
        _exit (3);
      for (;;)
        {
          struct timespec ts = { 0, 2 * 1000 * 1000 };
          DBusMessage *m = new_ping ();
          gint64 lat = 0;
          DBusMessage *r = call (conn, m, &lat, NULL);

          dbus_message_unref (m);
          if (r != NULL)
            dbus_message_unref (r);
          worst = MAX (worst, lat);
          n++;
          if (sigtimedwait (&set, NULL, &ts) == SIGUSR1)
            break;
        }
      write_full (fd, &worst, sizeof worst);
      write_full (fd, &n, sizeof n);
      _exit (0);
    }
  return pid;
}

static void
stop_pinger (GPid pid, int fd, double *worst_ms, gint64 *pings)
{
  gint64 worst = 0;

  kill (pid, SIGUSR1);
  if (read_full (fd, &worst, sizeof worst) && read_full (fd, pings, sizeof *pings))
    *worst_ms = (double) worst / 1e6;
  close (fd);
  wait_pid (pid, 10000);
}

static void
phase_deadlines (Bench *b)
{
  g_autofree char *db = g_build_filename (b->scratch, "due.db", NULL);
  g_autofree char *info_path = g_strconcat (db, ".info", NULL);
  g_autofree char *workflows = g_build_filename (b->o.srcdir, "workflows", NULL);
  g_autoptr(GKeyFile) info = g_key_file_new ();
  const gint64 due_n = b->o.quick ? 20000 : 100000;
  JsonObject *j = jobj (b->root, "deadlines");
  gint64 due_first, due_last, t_set, t_done = 0, before, after = 0;
  int ping_pipe[2];
  GPid pinger;
  double ping_max_ms = 0, seconds;
  gint64 pings = 0;

  printf ("\n== deadlines: %" G_GINT64_FORMAT " falling due at once ==\n", due_n);
  if (!workflows_have_deadlines (b))
    {
      deadlines_not_available (b, "the shipped workflows have no deadline: keys, so this caselinkd has no deadlines "
                               "to process");
      return;
    }
  /* caselink-gen writes the cases as caselinkd would have created them, all
   * at one instant in the initial state (deadline.c computes the deadline
   * rows), so every deadline falls due at the same instant. caselinkd runs
   * with --test-clock; Testing1.SetTime then moves its clock past that
   * instant, and the scheduler finds them all due at once. */
  {
    g_autofree char *cases = g_strdup_printf ("%" G_GINT64_FORMAT, due_n);
    const char *argv[] = { b->o.gen, "--db", db, "--workflows", workflows, "--cases", "0", "--due", cases,
                           "--info", info_path, NULL };
    gint64 t = run_timed_for (argv, 1, GEN_TIMEOUT_MS);

    if (t < 0)
      die ("caselink-gen --due failed");
    if (!g_key_file_load_from_file (info, info_path, G_KEY_FILE_NONE, NULL))
      die ("%s: unreadable", info_path);
    due_first = g_key_file_get_int64 (info, "due", "first", NULL);
    due_last = g_key_file_get_int64 (info, "due", "last", NULL);
    if (due_first <= 0 || due_first != due_last)
      printf ("  !! the deadlines do not fall at one instant (%" G_GINT64_FORMAT " .. %" G_GINT64_FORMAT ")\n",
              due_first, due_last);
  }
  {
    /* Deadlines falling due in normal operation, not at start-up: let the
     * start-up audit check (which also works between calls) finish first. */
    gint64 offset = file_size (b->daemon_log);
    g_autofree char *line = NULL;

    start_daemon (b, db, TRUE);
    line = wait_log (b, offset, "audit: ", 600 * 1000);
    if (line == NULL)
      printf ("  !! no audit result in the log after 10 min; measuring anyway\n");
  }
  before = count_overdue (b);

  if (pipe2 (ping_pipe, O_CLOEXEC) != 0)
    die ("pipe: %s", g_strerror (errno));
  pinger = start_pinger (b, ping_pipe[1]);
  close (ping_pipe[1]);
  g_usleep (200000);

  set_time (b, due_last + G_USEC_PER_SEC);
  t_set = now_ns ();
  for (;;)
    {
      g_usleep (20000);
      after = count_overdue (b);
      if (after - before >= due_n)
        {
          t_done = now_ns ();
          break;
        }
      if (now_ns () - t_set > (gint64) 300 * 1000000000)
        break;
    }
  stop_pinger (pinger, ping_pipe[0], &ping_max_ms, &pings);
  stop_daemon (b);
  if (!b->o.keep)
    {
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);
      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      g_unlink (info_path);
    }

  seconds = t_done ? (double) (t_done - t_set) / 1e9 : NAN;
  json_object_set_boolean_member (j, "available", TRUE);
  json_object_set_string_member (j, "state", "the initial state of " WORKFLOW);
  json_object_set_int_member (j, "due", due_n);
  json_object_set_int_member (j, "processed", after - before);
  jnum (j, "seconds", seconds);
  jnum (j, "per_second", (double) (after - before) / seconds);
  jnum (j, "ping_max_ms", ping_max_ms);
  json_object_set_int_member (j, "pings", pings);
  printf ("  processed %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " in %.2f s (%.0f/s); worst Ping meanwhile "
          "%.1f ms (%" G_GINT64_FORMAT " pings)\n", after - before, due_n, seconds,
          (double) (after - before) / seconds, ping_max_ms, pings);
  add_target (b, "deadlines_100k_processed", after - before >= due_n, "all processed", NULL,
              "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " in %.2f s", after - before, due_n, seconds);
  add_target (b, "deadlines_ping_max", ping_max_ms <= 100.0, "<= 100 ms", NULL, "%.1f ms worst Ping (%" G_GINT64_FORMAT
              " pings)", ping_max_ms, pings);
}

/* ---- machine ----------------------------------------------------------- */

/* The 1-minute load average: other work on the machine skews every figure. */
static double
loadavg (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return NAN;
  return g_ascii_strtod (text, NULL);
}

static void
machine (Bench *b)
{
  JsonObject *m = jobj (b->root, "machine");
  g_autofree char *cpuinfo = NULL;
  g_autofree char *meminfo = NULL;
  g_autofree char *model = NULL;
  struct utsname u;
  struct statfs fs;
  long cores = sysconf (_SC_NPROCESSORS_ONLN);
  gint64 mem_kb = 0;
  const char *fstype = "other";
  int maj, min, mic;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      const char *p = strstr (cpuinfo, "model name");
      const char *fam = strstr (cpuinfo, "cpu family");
      const char *mod = strstr (cpuinfo, "\nmodel\t");
      const char *mhz = strstr (cpuinfo, "cpu MHz");

      if (p != NULL && (p = strchr (p, ':')) != NULL)
        model = g_strstrip (g_strndup (p + 1, strcspn (p + 1, "\n")));
      /* A VM may name its CPU tersely ("AMD EPYC"): add family, model, clock. */
      if (model != NULL && fam != NULL && mod != NULL && mhz != NULL)
        {
          char *full = g_strdup_printf ("%s (family %d, model %d, %.0f MHz)", model,
                                        atoi (strchr (fam, ':') + 1), atoi (strchr (mod, ':') + 1),
                                        g_ascii_strtod (strchr (mhz, ':') + 1, NULL));
          g_free (model);
          model = full;
        }
    }
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    {
      const char *p = strstr (meminfo, "MemTotal:");
      if (p != NULL)
        mem_kb = g_ascii_strtoll (p + 9, NULL, 10);
    }
  uname (&u);
  if (statfs (b->scratch, &fs) == 0)
    switch ((unsigned long) fs.f_type)
      {
      case 0xEF53: fstype = "ext4"; break;
      case 0x01021994: fstype = "tmpfs"; break;
      case 0x58465342: fstype = "xfs"; break;
      case 0x9123683E: fstype = "btrfs"; break;
      case 0x794c7630: fstype = "overlayfs"; break;
      default: break;
      }
  dbus_get_version (&maj, &min, &mic);
  printf ("machine: %ld cores, %s, %.1f GB RAM, %s %s %s\n", cores, model ? model : "unknown CPU",
          (double) mem_kb / 1024 / 1024, u.sysname, u.release, u.machine);
  printf ("scratch: %s (%s); SQLite %s; libdbus %d.%d.%d; running as uid %u\n", b->scratch, fstype,
          sqlite3_libversion (), maj, min, mic, (unsigned) getuid ());
  json_object_set_int_member (m, "cores", cores);
  json_object_set_string_member (m, "cpu", model ? model : "unknown");
  json_object_set_int_member (m, "mem_kb", mem_kb);
  json_object_set_string_member (m, "kernel", u.release);
  json_object_set_string_member (m, "arch", u.machine);
  json_object_set_string_member (m, "scratch_fs", fstype);
  json_object_set_string_member (m, "sqlite", sqlite3_libversion ());
  {
    g_autofree char *v = g_strdup_printf ("%d.%d.%d", maj, min, mic);
    json_object_set_string_member (m, "libdbus", v);
  }
  json_object_set_int_member (m, "uid", getuid ());
  jnum (m, "loadavg_at_start", loadavg ());
  printf ("load average at start: %.2f%s\n", loadavg (),
          loadavg () > 0.5 ? " — other work is running: figures will be skewed" : "");
}

/* ---- targets ----------------------------------------------------------- */

static void
write_targets (Bench *b)
{
  double r;

  if (phase_enabled (b, "write"))
    {
      /* One client makes one call at a time: its rate is 1 / round trip;
       * the median round trip keeps a stray stall (another process on the
       * CPU, a slow flush) from deciding the figure. The throughput ratio
       * (mean) is printed beside it. */
      r = b->ping_p50[0] / b->advance_p50[0];
      add_target (b, "advance_1c_vs_ping", !isnan (r) && r >= 0.30, ">= 0.30 x Ping", NULL,
                  "%.4f (median round trip: Advance %.3f ms, Ping %.3f ms; throughput %.0f/s vs %.0f/s = %.3f; "
                  "1 client, synchronous=FULL)", r, b->advance_p50[0], b->ping_p50[0], b->advance_rate[0],
                  b->ping_rate[0], b->advance_rate[0] / b->ping_rate[0]);
      r = b->advance_rate[2] / b->ping_rate[2];
      add_target (b, "advance_16c_vs_ping", !isnan (r) && r >= 0.35, ">= 0.35 x Ping", NULL,
                  "%.4f (Advance %.0f/s, Ping %.0f/s, 16 clients, synchronous=FULL)", r, b->advance_rate[2],
                  b->ping_rate[2]);
      r = b->advance_p99[2] / b->advance_p50[2];
      add_target (b, "advance_16c_p99_over_p50", !isnan (r) && r <= 4.0, "<= 4", NULL,
                  "%.2f (p99 %.2f ms, p50 %.2f ms)", r, b->advance_p99[2], b->advance_p50[2]);
      r = b->ping_p50[0] / b->get_p50;
      add_target (b, "read_get_1c_vs_ping", !isnan (r) && r >= 0.85, ">= 0.85 x Ping", NULL,
                  "%.4f (median round trip: Get %.3f ms, Ping %.3f ms; throughput %.0f/s vs %.0f/s = %.3f)", r,
                  b->get_p50, b->ping_p50[0], b->get_rate, b->ping_rate[0], b->get_rate / b->ping_rate[0]);
      r = b->ping_p50[0] / b->transitions_p50;
      add_target (b, "read_transitions_1c_vs_ping", !isnan (r) && r >= 0.85, ">= 0.85 x Ping", NULL,
                  "%.4f (median round trip: Transitions %.3f ms, Ping %.3f ms; throughput %.0f/s vs %.0f/s = %.3f)",
                  r, b->transitions_p50, b->ping_p50[0], b->transitions_rate, b->ping_rate[0],
                  b->transitions_rate / b->ping_rate[0]);
    }
}

static void
print_targets (Bench *b)
{
  JsonArray *arr = json_array_new ();
  guint not_met = 0;

  printf ("\n== targets (issue 7) ==\n");
  if (b->o.cases < 1000000 && phase_enabled (b, "big") && b->o.db == NULL)
    printf ("(this run used %" G_GINT64_FORMAT " cases, not 1,000,000: the *_1m figures are not the real ones)\n",
            b->o.cases);
  for (guint i = 0; i < b->targets->len; i++)
    {
      Target *t = b->targets->pdata[i];
      JsonObject *o = json_object_new ();

      if (t->met < 0)
        printf ("TARGET %s: not available (goal %s) NOT MEASURED: %s\n", t->name, t->goal, t->why);
      else
        printf ("TARGET %s: %s (goal %s) %s\n", t->name, t->figure, t->goal, t->met ? "met" : "NOT MET");
      if (t->met == 0)
        not_met++;
      json_object_set_string_member (o, "name", t->name);
      json_object_set_string_member (o, "figure", t->figure);
      json_object_set_string_member (o, "goal", t->goal);
      if (t->met < 0)
        {
          json_object_set_null_member (o, "met");
          json_object_set_string_member (o, "why", t->why);
        }
      else
        json_object_set_boolean_member (o, "met", t->met);
      json_array_add_object_element (arr, o);
    }
  json_object_set_array_member (b->root, "targets", arr);
  json_object_set_int_member (b->root, "targets_not_met", not_met);
}

/* ---- main -------------------------------------------------------------- */

static void
on_fatal_signal (int sig)
{
  cleanup ();
  signal (sig, SIG_DFL);
  raise (sig);
}

int
main (int argc, char **argv)
{
  Bench bench = { 0 };
  Bench *b = &bench;
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- caselink's benchmark (see docs/performance.md)");
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "cases", 0, 0, G_OPTION_ARG_INT64, &b->o.cases, "Cases in the big database (default 1000000; --quick 50000)", "N" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &b->o.quick, "Short runs and 50,000 cases, for development", NULL },
    { "scratch", 0, 0, G_OPTION_ARG_FILENAME, &b->o.scratch_parent, "Directory for the scratch directory (default /tmp)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &b->o.json_path, "Write the results here (default: <scratch>/results.json)", "FILE" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &b->o.only, "Run only these phases: write,sqlite,floor,big,ctl,deadlines", "LIST" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &b->o.db, "Reuse a caselink-gen database (with its .info) instead of generating", "PATH" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &b->o.keep, "Keep the scratch directory", NULL },
    { "clients", 0, 0, G_OPTION_ARG_STRING, &b->o.clients, "Only these client counts in the write phase (of 1,4,16) and the floor phase (of 1,16)", "LIST" },
    { "cap", 0, 0, G_OPTION_ARG_DOUBLE, &b->o.cap_seconds, "Longest one measured run may take (default 20 s)", "SECONDS" },
    { "caselinkd", 0, 0, G_OPTION_ARG_FILENAME, &b->o.caselinkd, "caselinkd binary", "PATH" },
    { "caselinkctl", 0, 0, G_OPTION_ARG_FILENAME, &b->o.caselinkctl, "caselinkctl binary", "PATH" },
    { "gen", 0, 0, G_OPTION_ARG_FILENAME, &b->o.gen, "caselink-gen binary", "PATH" },
    { "srcdir", 0, 0, G_OPTION_ARG_FILENAME, &b->o.srcdir, "Source tree (for workflows/)", "DIR" },
    { NULL },
  };
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 t_start = now_ns ();

  b->o.cases = -1;
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "caselink-bench: %s\n", error->message);
      return 2;
    }
  if (b->o.cases < 0)
    b->o.cases = b->o.quick ? 50000 : 1000000;
  if (b->o.cap_seconds <= 0)
    b->o.cap_seconds = b->o.quick ? 8 : 20;
  if (b->o.caselinkd == NULL)
    b->o.caselinkd = g_strdup (CL_BENCH_CASELINKD);
  if (b->o.caselinkctl == NULL)
    b->o.caselinkctl = g_strdup (CL_BENCH_CASELINKCTL);
  if (b->o.gen == NULL)
    b->o.gen = g_strdup (CL_BENCH_GEN);
  if (b->o.srcdir == NULL)
    b->o.srcdir = g_strdup (CL_BENCH_SRCDIR);
  if (b->o.scratch_parent == NULL)
    b->o.scratch_parent = g_strdup ("/tmp");
  for (const char *const *p = (const char *const[]) { b->o.caselinkd, b->o.caselinkctl, b->o.gen, NULL }; *p; p++)
    if (!g_file_test (*p, G_FILE_TEST_IS_EXECUTABLE))
      die ("%s is not built (run ./bench.sh, or ninja -C build)", *p);

  signal (SIGPIPE, SIG_IGN);
  {
    g_autofree char *tmpl = g_build_filename (b->o.scratch_parent, "caselink-bench-XXXXXX", NULL);
    if (g_mkdtemp (tmpl) == NULL)
      die ("mkdtemp %s: %s", tmpl, g_strerror (errno));
    b->scratch = g_steal_pointer (&tmpl);
  }
  the_bench = b;
  atexit (cleanup);
  signal (SIGINT, on_fatal_signal);
  signal (SIGTERM, on_fatal_signal);
  b->root = json_object_new ();
  b->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  for (int i = 0; i < 3; i++)
    b->ping_rate[i] = b->advance_rate[i] = b->advance_p50[i] = b->advance_p99[i] = NAN;
  b->get_rate = b->transitions_rate = b->get_p50 = b->transitions_p50 = NAN;
  for (int i = 0; i < 3; i++)
    b->ping_p50[i] = NAN;

  printf ("caselink benchmark%s\n", b->o.quick ? " (--quick)" : "");
  machine (b);
  {
    JsonObject *c = jobj (b->root, "config");
    json_object_set_boolean_member (c, "quick", b->o.quick);
    json_object_set_int_member (c, "cases", b->o.cases);
    json_object_set_string_member (c, "synchronous", "full");
    jnum (c, "cap_seconds", b->o.cap_seconds);
  }
  start_bus (b);
  write_daemon_config (b);

  if (phase_enabled (b, "write"))
    phase_write (b);
  if (phase_enabled (b, "sqlite"))
    phase_sqlite (b);
  if (phase_enabled (b, "floor"))
    phase_floor (b);
  write_targets (b);
  if (phase_enabled (b, "big"))
    phase_big (b);
  if (phase_enabled (b, "deadlines"))
    phase_deadlines (b);
  else
    deadlines_not_available (b, "phase not selected (--only)");

  jnum (b->root, "total_seconds", (double) (now_ns () - t_start) / 1e9);
  jnum (jobj (b->root, "machine"), "loadavg_at_end", loadavg ());
  printf ("\nload average at the end: %.2f (the benchmark itself keeps it near 2 on 2 cores)\n", loadavg ());
  print_targets (b);

  node = json_node_init_object (json_node_alloc (), b->root);
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  if (b->o.json_path == NULL)
    b->o.json_path = g_build_filename (b->scratch, "results.json", NULL);
  if (!json_generator_to_file (gen, b->o.json_path, &error))
    die ("%s", error->message);
  printf ("\nresults: %s (%.0f s in all)\n", b->o.json_path, (double) (now_ns () - t_start) / 1e9);

  cleanup ();
  the_bench = NULL;
  if (!b->o.keep && b->o.db == NULL)
    {
      /* The scratch directory holds only what this run made. */
      const char *names[] = { "bus.conf", "dbus-daemon.log", "caselinkd.log", "caselink.conf", "actors.yaml",
                              "write.db", "write.db-wal", "write.db-shm", "sqlite-baseline.db",
                              "sqlite-baseline.db-wal", "sqlite-baseline.db-shm", "fsync.test", "big.db", "big.db-wal",
                              "big.db-shm", "big.db.info", "due.db", "due.db-wal", "due.db-shm", "due.db.info", NULL };
      g_autofree char *json_in_scratch = g_build_filename (b->scratch, "results.json", NULL);
      for (const char *const *n = names; *n != NULL; n++)
        {
          g_autofree char *p = g_build_filename (b->scratch, *n, NULL);
          g_unlink (p);
        }
      g_rmdir (b->plugins_dir);
      if (!g_str_equal (b->o.json_path, json_in_scratch))
        g_rmdir (b->scratch);
    }
  json_object_unref (b->root);
  g_ptr_array_unref (b->targets);
  /* what lived as long as the run, so LeakSanitizer reports only leaks */
  {
    char *owned[] = { b->scratch, b->bus_address, b->daemon_log, b->config_path, b->plugins_dir,
                      b->o.scratch_parent, b->o.json_path, b->o.caselinkd, b->o.caselinkctl, b->o.gen,
                      b->o.srcdir, b->o.only, b->o.db, b->o.clients };

    for (gsize i = 0; i < G_N_ELEMENTS (owned); i++)
      g_free (owned[i]);   /* some are NULL */
  }
  return 0;
}
