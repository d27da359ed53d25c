/* cl-dbus-dict.c — a{sv} entries written straight into a libdbus message. */
#include "cl-dbus-dict.h"

/* Opens the entry and its variant, lets @write fill the variant, closes. */
static gboolean
add_entry (DBusMessageIter *dict, const char *key, const char *sig,
           gboolean (*write) (DBusMessageIter *v, gconstpointer data), gconstpointer data)
{
  DBusMessageIter entry, v;

  if (!dbus_message_iter_open_container (dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
    return FALSE;
  if (!dbus_message_iter_append_basic (&entry, DBUS_TYPE_STRING, &key)
      || !dbus_message_iter_open_container (&entry, DBUS_TYPE_VARIANT, sig, &v))
    {
      dbus_message_iter_abandon_container (dict, &entry);
      return FALSE;
    }
  if (!write (&v, data))
    {
      dbus_message_iter_abandon_container (&entry, &v);
      dbus_message_iter_abandon_container (dict, &entry);
      return FALSE;
    }
  return dbus_message_iter_close_container (&entry, &v) && dbus_message_iter_close_container (dict, &entry);
}

static gboolean
write_string (DBusMessageIter *v, gconstpointer data)
{
  const char *s = data;
  return dbus_message_iter_append_basic (v, DBUS_TYPE_STRING, &s);
}

static gboolean
write_boolean (DBusMessageIter *v, gconstpointer data)
{
  dbus_bool_t b = *(const gboolean *) data ? TRUE : FALSE;
  return dbus_message_iter_append_basic (v, DBUS_TYPE_BOOLEAN, &b);
}

static gboolean
write_strv (DBusMessageIter *v, gconstpointer data)
{
  const char *const *strv = data;
  DBusMessageIter array;

  if (!dbus_message_iter_open_container (v, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING_AS_STRING, &array))
    return FALSE;
  for (; strv != NULL && *strv != NULL; strv++)
    if (!dbus_message_iter_append_basic (&array, DBUS_TYPE_STRING, strv))
      {
        dbus_message_iter_abandon_container (v, &array);
        return FALSE;
      }
  return dbus_message_iter_close_container (v, &array);
}

gboolean
cl_dbus_dict_add_string (DBusMessageIter *dict, const char *key, const char *value)
{
  return add_entry (dict, key, DBUS_TYPE_STRING_AS_STRING, write_string, value != NULL ? value : "");
}

gboolean
cl_dbus_dict_add_boolean (DBusMessageIter *dict, const char *key, gboolean value)
{
  return add_entry (dict, key, DBUS_TYPE_BOOLEAN_AS_STRING, write_boolean, &value);
}

gboolean
cl_dbus_dict_add_strv (DBusMessageIter *dict, const char *key, const char *const *strv)
{
  return add_entry (dict, key, "as", write_strv, strv);
}
