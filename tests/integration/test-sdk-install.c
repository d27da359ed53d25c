/* test-sdk-install.c — the SDK as a department gets it: `meson install`
 * into a DESTDIR, tests/sdk/outoftree-plugin/ copied into an empty folder
 * and built there with make and pkg-config alone (nothing of the source
 * tree on the include path), then loaded into caselinkd. Also: caselinkd
 * exports the SDK's functions and nothing else.
 *
 * Skipped (77) without make, cc, pkg-config or meson. */
#include <glib/gstdio.h>
#include <string.h>

#include "cl-errors.h"
#include "harness.h"

static char *
run (const char *const *argv, const char *const *envp, const char *cwd)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
  int status = 0;

  g_test_message ("$ %s", cmd);
  g_spawn_sync (cwd, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s%s", cmd, error->message, out, err);
  g_test_message ("%s%s", out, err);
  return g_steal_pointer (&out);
}

/* The directory holding @name under @dir, searched recursively. */
static char *
find_dir_of (const char *dir, const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      char *found;

      if (g_str_equal (entry, name))
        return g_strdup (dir);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)
          && (found = find_dir_of (path, name)) != NULL)
        return found;
    }
  return NULL;
}

static void
copy_file (const char *from, const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_file_get_contents (from, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, data, len, &error);
  g_assert_no_error (error);
}

static void
test_install_build_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("caselink-sdk-XXXXXX", &error);
  g_autofree char *dest = g_build_filename (tmp, "dest", NULL);
  g_autofree char *folder = g_build_filename (tmp, "hello", NULL);
  g_autofree char *src = cl_test_srcdir_path ("tests/sdk/outoftree-plugin");
  g_autofree char *pcdir = NULL, *cflags = NULL;
  g_autofree char *wf = cl_test_srcdir_path ("tests/data/workflows-sdk");
  g_autofree char *path = NULL, *id = NULL, *state = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *dirs[] = { wf, NULL };
  const char *args[] = { "--plugins", folder, NULL };
  ClHarness *h;
  DBusConnection *conn;
  g_autoptr(GVariant) reply = NULL, list = NULL, hello = NULL, hooks = NULL, domains = NULL;

  g_assert_no_error (error);

  /* 1. Install the SDK (headers and caselink-plugin.pc) into a DESTDIR. */
  {
    const char *argv[] = { g_getenv ("MESON"), "install", "-C", g_getenv ("CASELINK_BUILDDIR"), "--no-rebuild",
                           "--quiet", "--tags", "devel", "--destdir", dest, NULL };
    g_free (run (argv, NULL, NULL));
  }
  pcdir = find_dir_of (dest, "caselink-plugin.pc");
  g_assert_nonnull (pcdir);
  {
    g_autofree char *plugin_h = find_dir_of (dest, "plugin.h");
    g_autofree char *version_h = find_dir_of (dest, "version.h");
    g_assert_nonnull (plugin_h);
    g_assert_nonnull (version_h);
  }

  /* 2. Point pkg-config at it: PKG_CONFIG_PATH alone, the .pc file being
   * relocatable (its prefix is relative to its own place). */
  envp = g_environ_setenv (envp, "PKG_CONFIG_PATH", pcdir, TRUE);
  {
    const char *argv[] = { "pkg-config", "--cflags", "caselink-plugin", NULL };
    cflags = run (argv, (const char *const *) envp, NULL);
  }
  g_assert_nonnull (strstr (cflags, dest));

  /* 3. An empty folder, the plugin's two files, make. */
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  {
    g_autofree char *c_from = g_build_filename (src, "hello.c", NULL);
    g_autofree char *c_to = g_build_filename (folder, "hello.c", NULL);
    g_autofree char *m_from = g_build_filename (src, "Makefile", NULL);
    g_autofree char *m_to = g_build_filename (folder, "Makefile", NULL);
    const char *argv[] = { "make", "-s", "CFLAGS=-O2 -g -Wall -Wextra -Wno-unused-parameter -Werror", NULL };

    copy_file (c_from, c_to);
    copy_file (m_from, m_to);
    g_free (run (argv, (const char *const *) envp, folder));
  }

  /* 4. Load it. */
  h = cl_harness_new_with_args (dirs, args);
  conn = cl_harness_connection (h);
  reply = cl_test_call_ok (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListPlugins", NULL);
  list = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  hello = g_variant_get_child_value (list, 0);
  {
    g_autofree char *name = cl_test_dict_string (hello, "name");
    g_autofree char *version = cl_test_dict_string (hello, "version");
    g_autofree char *err = cl_test_dict_string (hello, "error");
    g_autoptr(GVariant) loaded = cl_test_dict_get (hello, "loaded", "b");
    g_assert_cmpstr (name, ==, "hello");
    g_assert_cmpstr (version, ==, "1.0");
    g_assert_cmpstr (err, ==, "");
    g_assert_true (g_variant_get_boolean (loaded));
  }
  hooks = cl_test_dict_get (hello, "hooks", "as");
  domains = cl_test_dict_get (hello, "domains", "as");
  g_assert_cmpuint (g_variant_n_children (hooks), ==, 2);
  g_assert_cmpuint (g_variant_n_children (domains), ==, 1);

  /* Its hooks run. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = cl_test_call (conn, CL_MANAGER_PATH, CL_MANAGER_IFACE, "CreateCase",
                        g_variant_new ("(s@a{sv})", "hello_case",
                                       cl_test_fields ("title", g_variant_new_string ("LOUD NOISES"),
                                                       "domain", g_variant_new_string ("general"), NULL)),
                        &error);
  g_assert_null (reply);
  g_assert_nonnull (strstr (error->message, "plugin hello (hello.no_shouting): please do not shout in titles"));
  cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  id = cl_test_create_case (conn, "hello_case",
                            cl_test_fields ("title", g_variant_new_string ("Quiet words"),
                                            "domain", g_variant_new_string ("general"), NULL),
                            &path);
  state = cl_test_advance (conn, path, "finish", NULL, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, "done");
  cl_harness_free (h);

  {
    const char *argv[] = { "rm", "-rf", tmp, NULL };
    g_free (run (argv, NULL, NULL));
  }
}

/* The daemon's dynamic symbol table: the SDK, and otherwise only what the
 * C library places there itself (copy relocations such as stderr@GLIBC). */
static void
test_exports (void)
{
  const char *argv[] = { "nm", "-D", "--defined-only", g_getenv ("CASELINKD"), NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *nm = g_find_program_in_path ("nm");
  guint sdk = 0;

  if (nm == NULL)
    {
      g_test_skip ("no nm");
      return;
    }
  out = run (argv, NULL, NULL);
  lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto(GStrv) parts = g_strsplit_set (*l, " \t", -1);
      const char *sym = g_strv_length (parts) >= 3 ? parts[2] : NULL;

      if (sym == NULL || *sym == '\0')
        continue;
      if (g_str_has_prefix (sym, "caselink_"))
        sdk++;
      else if (strchr (sym, '@') == NULL && !g_str_has_prefix (sym, "__"))
        g_error ("caselinkd exports %s, which is not part of the SDK", sym);
    }
  g_assert_cmpuint (sdk, >, 30);
}

int
main (int argc, char **argv)
{
  const char *tools[] = { "make", "cc", "pkg-config", NULL };

  cl_test_init (&argc, &argv);
  if (g_getenv ("MESON") == NULL || g_getenv ("CASELINK_BUILDDIR") == NULL)
    {
      g_printerr ("MESON or CASELINK_BUILDDIR not set (run under meson test)\n");
      return 77;
    }
  for (const char **t = tools; *t != NULL; t++)
    {
      g_autofree char *p = g_find_program_in_path (*t);
      if (p == NULL)
        {
          g_printerr ("%s not found: skipping\n", *t);
          return 77;
        }
    }
  g_test_add_func ("/sdk/install-build-load", test_install_build_load);
  g_test_add_func ("/sdk/exports", test_exports);
  return g_test_run ();
}
