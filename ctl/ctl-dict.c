/* ctl-dict.c — lenient a{sv} lookups. */
#include "ctl-dict.h"

GVariant *
ctl_dict_value (GVariant *dict, const char *key)
{
  GVariant *value;

  if (dict == NULL || !g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{s*}")))
    return NULL;
  value = g_variant_lookup_value (dict, key, NULL);
  while (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *inner = g_variant_get_variant (value);
      g_variant_unref (value);
      value = inner;
    }
  return value;
}

const char *
ctl_dict_string (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = ctl_dict_value (dict, key);

  /* The string lives inside @dict, which holds the child we looked up. */
  if (value != NULL
      && (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
          || g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH)
          || g_variant_is_of_type (value, G_VARIANT_TYPE_SIGNATURE)))
    return g_variant_get_string (value, NULL);
  return "";
}

gint64
ctl_variant_int (GVariant *value)
{
  if (value == NULL)
    return 0;
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BYTE: return g_variant_get_byte (value);
    case G_VARIANT_CLASS_INT16: return g_variant_get_int16 (value);
    case G_VARIANT_CLASS_UINT16: return g_variant_get_uint16 (value);
    case G_VARIANT_CLASS_INT32: return g_variant_get_int32 (value);
    case G_VARIANT_CLASS_UINT32: return g_variant_get_uint32 (value);
    case G_VARIANT_CLASS_INT64: return g_variant_get_int64 (value);
    case G_VARIANT_CLASS_UINT64: return (gint64) g_variant_get_uint64 (value);
    case G_VARIANT_CLASS_HANDLE: return g_variant_get_handle (value);
    default: return 0;
    }
}

gint64
ctl_dict_int (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = ctl_dict_value (dict, key);

  return ctl_variant_int (value);
}

gboolean
ctl_dict_bool (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = ctl_dict_value (dict, key);

  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN)
         && g_variant_get_boolean (value);
}
