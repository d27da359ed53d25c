/* Case id <-> object path element escaping (one spelling per id). */
#include "case-path.h"

static void
test_escape (void)
{
  g_autofree char *p = cl_case_path_escape ("FX-2026-000001");
  g_autofree char *full = cl_case_path_for_id ("FX-2026-000001");
  g_autofree char *back = cl_case_path_unescape ("FX_2d2026_2d000001");
  g_autofree char *utf8 = cl_case_path_escape ("案_1");
  g_autofree char *utf8_back = cl_case_path_unescape (utf8);

  g_assert_cmpstr (p, ==, "FX_2d2026_2d000001");
  g_assert_cmpstr (full, ==, "/org/caselink/case/FX_2d2026_2d000001");
  g_assert_cmpstr (back, ==, "FX-2026-000001");
  g_assert_cmpstr (utf8, ==, "_e6_a1_88_5f1");
  g_assert_cmpstr (utf8_back, ==, "案_1");
}

static void
test_reject (void)
{
  const char *bad[] = { "", "FX_2D2026", "FX_2", "FX_zz", "FX_41", "_00", "_ff", NULL };
  for (const char **b = bad; *b != NULL; b++)
    {
      g_autofree char *r = cl_case_path_unescape (*b);
      if (r != NULL)
        g_error ("'%s' should not unescape (got '%s')", *b, r);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/case-path/escape", test_escape);
  g_test_add_func ("/case-path/reject", test_reject);
  return g_test_run ();
}
