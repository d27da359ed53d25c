/* replay.c — a plain main() for a fuzz target: feeds it every file named on
 * the command line, or found directly inside a directory named there, once.
 * Built with the normal compiler in every build, so ./test.sh replays the
 * seed corpus and every reproducer in tests/fuzz/regressions/<target>/
 * (crashes a fuzzer once found must stay fixed). */
#include "fuzz.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
replay_file (const char *path, guint *count)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  printf ("replaying %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  /* a copy of exactly len bytes, so that reading past the end is caught */
  {
    g_autofree uint8_t *copy = g_memdup2 (data, len);
    LLVMFuzzerTestOneInput (copy, len);
  }
  (*count)++;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint count = 0;
  gboolean ok = TRUE;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          ok &= replay_file (argv[i], &count);
          continue;
        }
      dir = g_dir_open (argv[i], 0, NULL);
      if (dir == NULL)
        continue;
      names = g_ptr_array_new_with_free_func (g_free);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.' && !g_str_equal (name, "README.md"))
          g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_strings);
      for (guint j = 0; j < names->len; j++)
        if (g_file_test (g_ptr_array_index (names, j), G_FILE_TEST_IS_REGULAR))
          ok &= replay_file (g_ptr_array_index (names, j), &count);
    }
  printf ("%u inputs replayed\n", count);
  return ok ? 0 : 1;
}
