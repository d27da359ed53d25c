/* test-priority.c — ListCases' priority filter (an addition to API v1 for
 * the livelihood plugin's vulnerable-group priorities): cases whose integer
 * `priority` field is at least the given value, with the value in each
 * entry; any integer type is accepted, anything else is InvalidArgs. */
#include "cl-errors.h"
#include "harness.h"

static void
make (ClHarness *h, const char *title, gint64 priority)
{
  g_autofree char *path = NULL;
  g_autofree char *id = cl_test_create_case (cl_harness_connection (h), "all_types",
                                             priority ? cl_test_fields ("title", g_variant_new_string (title),
                                                                        "priority", g_variant_new_int64 (priority), NULL)
                                                      : cl_test_fields ("title", g_variant_new_string (title), NULL),
                                             &path);
}

static void
test_priority (void)
{
  ClHarness *h = cl_harness_new (NULL);
  g_autoptr(GVariant) at_least_2 = NULL, as_u = NULL, r = NULL;
  g_autoptr(GError) error = NULL;

  make (h, "plain", 0);
  make (h, "elderly", 2);
  make (h, "disabled migrant", 5);
  at_least_2 = cl_test_list_cases (cl_harness_connection (h),
                                   cl_test_fields ("priority", g_variant_new_int64 (2), NULL));
  g_assert_cmpuint (g_variant_n_children (at_least_2), ==, 2);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (at_least_2, 0);
    g_assert_cmpint (cl_test_dict_int64 (first, "priority"), ==, 2);
  }
  as_u = cl_test_list_cases (cl_harness_connection (h), cl_test_fields ("priority", g_variant_new_uint32 (5), NULL));
  g_assert_cmpuint (g_variant_n_children (as_u), ==, 1);
  r = cl_test_call (cl_harness_connection (h), CL_MANAGER_PATH, CL_MANAGER_IFACE, "ListCases",
                    g_variant_new ("(@a{sv})", cl_test_fields ("priority", g_variant_new_string ("high"), NULL)), &error);
  cl_assert_dbus_error (error, "org.caselink.Error.InvalidArgs");
  cl_harness_free (h);
}

int
main (int argc, char **argv)
{
  cl_test_init (&argc, &argv);
  g_test_add_func ("/priority/filter", test_priority);
  return g_test_run ();
}
