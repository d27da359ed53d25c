/* plugin-fields.c — typed readers of a case's fields (see the header). */
#include "plugin-fields.h"

char *
pl_field_string (CaselinkCase *c, const char *name)
{
  g_autoptr(GVariant) v = caselink_case_get_field (c, name);

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) || *g_variant_get_string (v, NULL) == '\0')
    return NULL;
  return g_variant_dup_string (v, NULL);
}

gboolean
pl_field_number (CaselinkCase *c, const char *name, double *out)
{
  g_autoptr(GVariant) v = caselink_case_get_field (c, name);

  if (v == NULL)
    return FALSE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    *out = g_variant_get_double (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    *out = (double) g_variant_get_int64 (v);
  else
    return FALSE;
  return TRUE;
}

gboolean
pl_field_int (CaselinkCase *c, const char *name, gint64 *out)
{
  g_autoptr(GVariant) v = caselink_case_get_field (c, name);

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return FALSE;
  *out = g_variant_get_int64 (v);
  return TRUE;
}

int
pl_field_bool (CaselinkCase *c, const char *name)
{
  g_autoptr(GVariant) v = caselink_case_get_field (c, name);

  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    return -1;
  return g_variant_get_boolean (v) ? 1 : 0;
}
