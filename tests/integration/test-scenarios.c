/* test-scenarios.c — docs/scenarios.md, executed: every `$ caselinkctl …`
 * command of its ```console blocks runs against one fresh caselinkd (the
 * Qinghai deployment of data/examples/qinghai/, the shipped workflows/,
 * --test-clock), in document order, and what it prints must be exactly the
 * output written under it in the document. The document cannot rot.
 *
 * The conventions (also at the top of docs/scenarios.md):
 *   - A console block holds commands, each on a line starting "$ " (a line
 *     ending in " \" continues on the next one), each followed by its
 *     output: standard output, then standard error. Lines are compared
 *     without trailing white space; empty lines at the end do not count.
 *   - Every command starts with `caselinkctl`; the test runs the build's
 *     caselinkctl with --address of its private bus added, as root, with
 *     TZ=Asia/Shanghai and LANG=C.UTF-8 (titles then come in the
 *     deployment language, zh), LANGUAGE and LC_* unset. The command line is
 *     split as a POSIX shell would (g_shell_parse_argv: quotes, no
 *     expansions).
 *   - `<!-- clock: 2026-03-30T09:00:00+08:00 -->` outside code blocks sets
 *     the daemon's clock (Testing1.SetTime) before the commands that follow;
 *     each `## ` section sets it before its first command.
 *   - `<!-- exit: N -->` outside code blocks: the next command must exit
 *     with status N (otherwise 0).
 *   - Other code blocks (```sh, ```ini, …) are not run.
 *   - `caselinkctl show` prints how far off a running deadline is by this
 *     machine's clock, not the daemon's test clock: a scenario shows a case
 *     only while no deadline runs (Deadline: -) and shows deadlines with
 *     `list` or `history`. The test refuses a `show` with a deadline.
 *
 * CASELINK_SCENARIOS_UPDATE=FILE: run the same, but write the document with
 * the actual output of every command to FILE instead of failing on
 * differences — how the output in the document is produced. Review the
 * difference before copying it over docs/scenarios.md.
 *
 * The commands run as root (uid 0 acts in any role); as any other user the
 * test is skipped. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cl-errors.h"
#include "harness.h"

typedef struct {
  ClHarness *h;
  char **envp;
  GString *report;     /* every difference, for the failure message */
  GString *updated;    /* the document with actual outputs */
  char *section;       /* the current `## ` heading */
  gboolean section_has_clock;
  int want_exit;       /* from <!-- exit: N -->, for the next command */
  guint n_commands;
  guint n_failed;
} Runner;

/* ---- small text helpers ------------------------------------------------ */

static char *
rstrip_dup (const char *line)
{
  char *s = g_strdup (line);
  return g_strchomp (s);
}

/* @text split into lines without trailing white space, trailing empty lines
 * dropped. */
static GPtrArray *
normalized_lines (const char *text)
{
  g_auto(GStrv) raw = g_strsplit (text, "\n", -1);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; raw[i] != NULL; i++)
    g_ptr_array_add (lines, rstrip_dup (raw[i]));
  while (lines->len > 0 && *(char *) g_ptr_array_index (lines, lines->len - 1) == '\0')
    g_ptr_array_remove_index (lines, lines->len - 1);
  return lines;
}

static gboolean
lines_equal (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;
  return TRUE;
}

/* A unified-diff-like listing of @want → @got (longest common subsequence;
 * outputs are short). */
static void
append_diff (GString *out, GPtrArray *want, GPtrArray *got)
{
  guint n = want->len, m = got->len;
  g_autofree guint *lcs = g_new0 (guint, (gsize) (n + 1) * (m + 1));
#define LCS(i, j) lcs[(gsize) (i) * (m + 1) + (j)]

  for (guint i = n; i-- > 0;)
    for (guint j = m; j-- > 0;)
      LCS (i, j) = strcmp (g_ptr_array_index (want, i), g_ptr_array_index (got, j)) == 0
                   ? LCS (i + 1, j + 1) + 1 : MAX (LCS (i + 1, j), LCS (i, j + 1));
  g_string_append (out, "    --- docs/scenarios.md\n    +++ caselinkctl\n");
  for (guint i = 0, j = 0; i < n || j < m;)
    {
      if (i < n && j < m && strcmp (g_ptr_array_index (want, i), g_ptr_array_index (got, j)) == 0)
        {
          g_string_append_printf (out, "     %s\n", (char *) g_ptr_array_index (want, i));
          i++, j++;
        }
      else if (i < n && (j == m || LCS (i + 1, j) >= LCS (i, j + 1)))
        g_string_append_printf (out, "    -%s\n", (char *) g_ptr_array_index (want, i++));
      else
        g_string_append_printf (out, "    +%s\n", (char *) g_ptr_array_index (got, j++));
    }
#undef LCS
}

/* "<!-- NAME: VALUE -->" on a line of its own: VALUE, or NULL. */
static char *
directive (const char *line, const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("<!-- %s:", name);
  g_autofree char *s = g_strstrip (g_strdup (line));
  gsize len = strlen (s);

  if (!g_str_has_prefix (s, prefix) || len < strlen (prefix) + 3
      || strcmp (s + len - 3, "-->") != 0)
    return NULL;
  s[len - 3] = '\0';
  return g_strstrip (g_strdup (s + strlen (prefix)));
}

/* ---- running ---------------------------------------------------------- */

static void
fail (Runner *r, guint line_no, const char *command, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
fail (Runner *r, guint line_no, const char *command, const char *fmt, ...)
{
  va_list ap;

  r->n_failed++;
  g_string_append_printf (r->report, "\ndocs/scenarios.md:%u: in \"%s\"\n", line_no,
                          r->section ? r->section : "(before the first section)");
  if (command != NULL)
    g_string_append_printf (r->report, "  $ %s\n", command);
  g_string_append (r->report, "  ");
  va_start (ap, fmt);
  g_string_append_vprintf (r->report, fmt, ap);
  va_end (ap);
  g_string_append_c (r->report, '\n');
}

/* Deadlines that came due when the clock moved are processed in a
 * low-priority idle of the daemon after it answered SetTime, so a client
 * could overtake them. Wait until none is left: every case whose deadline
 * is due at @now is marked overdue (or has moved on, by on_expire, to a
 * state with a later deadline or none). */
static void
wait_for_deadlines (Runner *r, gint64 now)
{
  gint64 give_up = g_get_monotonic_time () + (gint64) CL_TEST_CALL_TIMEOUT_MS * 1000;

  for (;;)
    {
      g_autoptr(GVariant) cases
        = cl_test_list_cases (cl_harness_connection (r->h),
                              cl_test_fields ("limit", g_variant_new_uint32 (10000), NULL));
      gboolean pending = FALSE;

      for (gsize i = 0; i < g_variant_n_children (cases) && !pending; i++)
        {
          g_autoptr(GVariant) c = g_variant_get_child_value (cases, i);
          gint64 deadline = 0;
          gboolean overdue = FALSE;

          g_variant_lookup (c, "deadline", "x", &deadline);
          g_variant_lookup (c, "overdue", "b", &overdue);
          pending = deadline > 0 && deadline <= now && !overdue;
        }
      if (!pending)
        return;
      if (g_get_monotonic_time () > give_up)
        g_error ("caselinkd did not process the deadlines due at the new clock in time");
      g_usleep (10 * 1000);
    }
}

static void
set_clock (Runner *r, guint line_no, const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
  g_autoptr(GVariant) reply = NULL;

  if (dt == NULL)
    {
      fail (r, line_no, NULL, "bad clock directive \"%s\" (want e.g. 2026-03-02T09:30:00+08:00)", iso);
      return;
    }
  reply = cl_test_call_ok (cl_harness_connection (r->h), CL_MANAGER_PATH, "org.caselink.Testing1", "SetTime",
                           g_variant_new ("(x)", g_date_time_to_unix (dt) * G_USEC_PER_SEC
                                                 + g_date_time_get_microsecond (dt)));
  r->section_has_clock = TRUE;
  wait_for_deadlines (r, g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt));
}

/* Run one command and compare. @command: the line as written (joined);
 * @expected: its output lines from the document. */
static void
run_command (Runner *r, guint line_no, const char *command, GPtrArray *expected)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *combined = NULL;
  g_autoptr(GPtrArray) got = NULL;
  int status = 0, want_exit = r->want_exit, exit_status;

  r->want_exit = 0;
  r->n_commands++;
  if (!r->section_has_clock)
    fail (r, line_no, command, "no <!-- clock: … --> in this section before its first command");
  if (!g_shell_parse_argv (command, NULL, &words, &error) || g_strcmp0 (words[0], "caselinkctl") != 0)
    {
      fail (r, line_no, command, "not a caselinkctl command line%s%s",
            error ? ": " : "", error ? error->message : "");
      for (guint i = 0; i < expected->len; i++)
        g_string_append_printf (r->updated, "%s\n", (char *) g_ptr_array_index (expected, i));
      return;
    }
  g_ptr_array_add (argv, g_strdup (g_getenv ("CASELINKCTL")));
  g_ptr_array_add (argv, g_strdup ("--address"));
  g_ptr_array_add (argv, g_strdup (cl_harness_address (r->h)));
  for (guint i = 1; words[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (words[i]));
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, r->envp, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  exit_status = WEXITSTATUS (status);
  combined = g_strconcat (out, err, NULL);
  got = normalized_lines (combined);
  for (guint i = 0; i < got->len; i++)
    g_string_append_printf (r->updated, "%s\n", (char *) g_ptr_array_index (got, i));

  if (exit_status != want_exit)
    fail (r, line_no, command, "exit status %d, expected %d%s", exit_status, want_exit,
          want_exit == 0 ? " (a failing command needs <!-- exit: N --> before its block)" : "");
  if (!lines_equal (expected, got))
    {
      fail (r, line_no, command, "output differs:");
      append_diff (r->report, expected, got);
    }
  if (g_strcmp0 (words[1], "show") == 0)
    for (guint i = 0; i < got->len; i++)
      {
        const char *l = g_ptr_array_index (got, i);
        g_autofree char *value = g_str_has_prefix (l, "Deadline:") ? g_strstrip (g_strdup (l + 9)) : NULL;

        if (value != NULL && strcmp (value, "-") != 0)
          fail (r, line_no, command,
                "show of a case whose deadline runs: its \"(in N days)\" is counted from this "
                "machine's clock, not the test clock, and will change; show the deadline with "
                "list or history instead");
      }
}

/* One ```console block, its lines without the fences; @first_line is the
 * line number of the first. */
static void
run_block (Runner *r, GPtrArray *block, guint first_line)
{
  guint i = 0;

  while (i < block->len)
    {
      const char *line = g_ptr_array_index (block, i);
      g_autoptr(GString) command = g_string_new (NULL);
      g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
      guint line_no = first_line + i;

      if (!g_str_has_prefix (line, "$ "))
        {
          fail (r, line_no, NULL, "a console block line that is neither a command (\"$ …\") nor "
                "the output of one: %s", line);
          g_string_append_printf (r->updated, "%s\n", line);
          i++;
          continue;
        }
      /* The command, with its continuation lines. */
      for (;;)
        {
          const char *l = g_ptr_array_index (block, i);
          g_autofree char *text = rstrip_dup (g_str_has_prefix (l, "$ ") && command->len == 0 ? l + 2 : l);
          gsize len = strlen (text);
          gboolean more = len > 0 && text[len - 1] == '\\' && i + 1 < block->len;

          g_string_append_printf (r->updated, "%s\n", l);
          i++;
          if (more)
            {
              text[len - 1] = '\0';
              g_string_append (command, g_strchomp (text));
              g_string_append_c (command, ' ');
              continue;
            }
          g_string_append (command, g_strstrip (text));
          break;
        }
      /* Its output, normalized as the actual output will be. */
      while (i < block->len && !g_str_has_prefix (g_ptr_array_index (block, i), "$ "))
        g_ptr_array_add (expected, rstrip_dup (g_ptr_array_index (block, i++)));
      while (expected->len > 0 && *(char *) g_ptr_array_index (expected, expected->len - 1) == '\0')
        g_ptr_array_remove_index (expected, expected->len - 1);
      run_command (r, line_no, command->str, expected);
    }
}

static void
run_document (Runner *r, const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  enum { OUTSIDE, CONSOLE, OTHER } where = OUTSIDE;
  g_autoptr(GPtrArray) block = NULL;
  guint block_start = 0;

  /* A final newline leaves an empty last piece: not a line. */
  if (n > 0 && *lines[n - 1] == '\0')
    n--;
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];
      guint line_no = i + 1;

      switch (where)
        {
        case OUTSIDE:
          {
            g_autofree char *clock = directive (line, "clock");
            g_autofree char *exit_status = directive (line, "exit");

            g_string_append_printf (r->updated, "%s\n", line);
            if (g_str_has_prefix (line, "```console"))
              {
                where = CONSOLE;
                block = g_ptr_array_new_with_free_func (g_free);
                block_start = line_no + 1;
              }
            else if (g_str_has_prefix (line, "```"))
              where = OTHER;
            else if (g_str_has_prefix (line, "## "))
              {
                g_free (r->section);
                r->section = g_strdup (line + 3);
                r->section_has_clock = FALSE;
              }
            else if (clock != NULL)
              set_clock (r, line_no, clock);
            else if (exit_status != NULL)
              {
                char *end = NULL;
                gint64 v = g_ascii_strtoll (exit_status, &end, 10);
                if (end == exit_status || *end != '\0' || v < 0 || v > 255)
                  fail (r, line_no, NULL, "bad exit directive \"%s\"", exit_status);
                else
                  r->want_exit = (int) v;
              }
            break;
          }
        case OTHER:
          g_string_append_printf (r->updated, "%s\n", line);
          if (g_str_has_prefix (line, "```"))
            where = OUTSIDE;
          break;
        case CONSOLE:
          if (g_str_has_prefix (line, "```") && line[3 + strspn (line + 3, " \t\r")] == '\0')
            {
              run_block (r, block, block_start);
              g_clear_pointer (&block, g_ptr_array_unref);
              g_string_append_printf (r->updated, "%s\n", line);
              where = OUTSIDE;
            }
          else
            g_ptr_array_add (block, g_strdup (line));
          break;
        }
    }
  if (where != OUTSIDE)
    fail (r, n, NULL, "the document ends inside a code block");
}

static void
test_scenarios (void)
{
  g_autofree char *doc_path = cl_test_srcdir_path ("docs/scenarios.md");
  g_autofree char *wf = cl_test_srcdir_path ("workflows");
  g_autofree char *conf = cl_test_srcdir_path ("data/examples/qinghai/caselink.conf");
  const char *dirs[] = { wf, NULL };
  const char *args[] = { "--test-clock", "--config", conf, NULL };
  const char *update = g_getenv ("CASELINK_SCENARIOS_UPDATE");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  Runner r = { 0 };

  if (getuid () != 0)
    {
      g_test_skip ("the scenarios run caselinkctl as root, who may act in any role of the "
                   "Qinghai actors.yaml; run as root");
      return;
    }
  g_file_get_contents (doc_path, &text, NULL, &error);
  g_assert_no_error (error);

  /* The harness writes its own caselink.conf; the later --config wins. */
  r.h = cl_harness_new_full (dirs, args, NULL);
  r.envp = g_get_environ ();
  r.envp = g_environ_setenv (r.envp, "TZ", "Asia/Shanghai", TRUE);
  r.envp = g_environ_setenv (r.envp, "LANG", "C.UTF-8", TRUE);
  r.envp = g_environ_unsetenv (r.envp, "LANGUAGE");
  {
    static const char *const lc[] = { "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_TIME", "LC_COLLATE",
                                      "LC_NUMERIC", "LC_MONETARY" };
    for (guint i = 0; i < G_N_ELEMENTS (lc); i++)
      r.envp = g_environ_unsetenv (r.envp, lc[i]);
  }
  r.report = g_string_new (NULL);
  r.updated = g_string_new (NULL);

  run_document (&r, text);

  if (update != NULL && *update != '\0')
    {
      g_file_set_contents (update, r.updated->str, -1, &error);
      g_assert_no_error (error);
      if (r.n_failed > 0)
        fprintf (stderr, "%s\n(update mode: not failing)\n", r.report->str);
      g_test_message ("%u commands run; the document with their output is %s", r.n_commands, update);
    }
  else if (r.n_failed > 0)
    {
      /* Not g_printerr(): under the C locale it would turn the Chinese
       * text of the report into question marks. */
      fprintf (stderr, "%s\ndocs/scenarios.md: %u problems in %u commands (see above). To take "
               "the new output, run the test with CASELINK_SCENARIOS_UPDATE=/tmp/scenarios.md, "
               "review the difference and copy it over docs/scenarios.md.\n",
               r.report->str, r.n_failed, r.n_commands);
      g_test_fail ();
    }
  else
    g_test_message ("%u commands of docs/scenarios.md gave the documented output", r.n_commands);
  g_assert_cmpuint (r.n_commands, >, 0);

  g_strfreev (r.envp);
  g_string_free (r.report, TRUE);
  g_string_free (r.updated, TRUE);
  g_free (r.section);
  cl_harness_free (r.h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/scenarios/docs", test_scenarios);
  return g_test_run ();
}
