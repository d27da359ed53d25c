/* cl-dbus-variant.c — libdbus message arguments <-> GVariant. */
#include "cl-dbus-variant.h"
#include "cl-errors.h"

#include <string.h>

/* D-Bus itself limits nesting to 64; anything deeper is hostile. */
#define MAX_DEPTH 64

static GVariant *iter_to_variant (DBusMessageIter *iter, guint depth, GError **error);

static GVariant *
basic_to_variant (DBusMessageIter *iter, int type)
{
  DBusBasicValue v;

  dbus_message_iter_get_basic (iter, &v);
  switch (type)
    {
    case DBUS_TYPE_BYTE: return g_variant_new_byte (v.byt);
    case DBUS_TYPE_BOOLEAN: return g_variant_new_boolean (v.bool_val != 0);
    case DBUS_TYPE_INT16: return g_variant_new_int16 (v.i16);
    case DBUS_TYPE_UINT16: return g_variant_new_uint16 (v.u16);
    case DBUS_TYPE_INT32: return g_variant_new_int32 (v.i32);
    case DBUS_TYPE_UINT32: return g_variant_new_uint32 (v.u32);
    case DBUS_TYPE_INT64: return g_variant_new_int64 (v.i64);
    case DBUS_TYPE_UINT64: return g_variant_new_uint64 (v.u64);
    case DBUS_TYPE_DOUBLE: return g_variant_new_double (v.dbl);
    /* libdbus validates strings as UTF-8 without NULs on receipt. */
    case DBUS_TYPE_STRING: return g_variant_new_string (v.str);
    case DBUS_TYPE_OBJECT_PATH: return g_variant_new_object_path (v.str);
    case DBUS_TYPE_SIGNATURE: return g_variant_new_signature (v.str);
    default: return NULL;
    }
}

/* An empty array has no child to take its type from: only then is the
 * signature asked for (libdbus builds it by walking the type string). */
static GVariant *
empty_array (DBusMessageIter *iter, GError **error)
{
  g_autofree char *sig = dbus_message_iter_get_signature (iter);
  g_autoptr(GVariantType) vtype = NULL;

  if (sig == NULL || !g_variant_type_string_is_valid (sig))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "unsupported argument type %s", sig ? sig : "?");
      return NULL;
    }
  vtype = g_variant_type_new (sig);
  return g_variant_new_array (g_variant_type_element (vtype), NULL, 0);
}

static void
drop_children (GVariant **children, guint n)
{
  for (guint i = 0; i < n; i++)
    g_variant_unref (g_variant_ref_sink (children[i]));
}

/* Built from the children, whose types libdbus has validated (an array's
 * elements share one type, a dict entry has a basic key and one value):
 * no type string is parsed for the usual a{sv}. */
static GVariant *
container_to_variant (DBusMessageIter *iter, int type, guint depth, GError **error)
{
  DBusMessageIter sub;
  GVariant *stack[16];
  GVariant **children = stack;
  g_autofree GVariant **heap = NULL;
  guint n = 0, cap = G_N_ELEMENTS (stack);
  GVariant *out;

  dbus_message_iter_recurse (iter, &sub);
  if (type == DBUS_TYPE_VARIANT)
    {
      GVariant *inner = iter_to_variant (&sub, depth + 1, error);
      return inner != NULL ? g_variant_new_variant (inner) : NULL;
    }
  if (dbus_message_iter_get_arg_type (&sub) == DBUS_TYPE_INVALID)
    {
      if (type == DBUS_TYPE_ARRAY)
        return empty_array (iter, error);
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "empty structure in the arguments");
      return NULL;
    }
  while (dbus_message_iter_get_arg_type (&sub) != DBUS_TYPE_INVALID)
    {
      GVariant *child = iter_to_variant (&sub, depth + 1, error);

      if (child == NULL)
        {
          drop_children (children, n);
          return NULL;
        }
      if (n == cap)
        {
          cap *= 2;
          if (children == stack)
            {
              heap = g_new (GVariant *, cap);
              memcpy (heap, stack, sizeof stack);
            }
          else
            heap = g_renew (GVariant *, heap, cap);
          children = heap;
        }
      children[n++] = child;
      dbus_message_iter_next (&sub);
    }
  if (type == DBUS_TYPE_ARRAY)
    out = g_variant_new_array (NULL, children, n);
  else if (type == DBUS_TYPE_STRUCT)
    out = g_variant_new_tuple (children, n);
  else if (n == 2)
    out = g_variant_new_dict_entry (children[0], children[1]);
  else
    {
      drop_children (children, n);
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "malformed dictionary entry in the arguments");
      return NULL;
    }
  return out;
}

static GVariant *
iter_to_variant (DBusMessageIter *iter, guint depth, GError **error)
{
  int type = dbus_message_iter_get_arg_type (iter);

  if (depth > MAX_DEPTH)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "arguments nested too deeply");
      return NULL;
    }
  switch (type)
    {
    case DBUS_TYPE_ARRAY:
    case DBUS_TYPE_STRUCT:
    case DBUS_TYPE_DICT_ENTRY:
    case DBUS_TYPE_VARIANT:
      return container_to_variant (iter, type, depth, error);
    case DBUS_TYPE_UNIX_FD:
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "file descriptors are not accepted");
      return NULL;
    default:
      {
        GVariant *v = basic_to_variant (iter, type);
        if (v == NULL)
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGS, "unsupported argument type '%c'", type);
        return v;
      }
    }
}

GVariant *
cl_dbus_message_get_args (DBusMessage *msg, GError **error)
{
  DBusMessageIter iter;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_TUPLE);
  if (dbus_message_iter_init (msg, &iter))
    {
      do
        {
          GVariant *v = iter_to_variant (&iter, 0, error);
          if (v == NULL)
            {
              g_variant_builder_clear (&builder);
              return NULL;
            }
          g_variant_builder_add_value (&builder, v);
        }
      while (dbus_message_iter_next (&iter));
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* ---- GVariant -> message ---------------------------------------------- */

gboolean
cl_dbus_iter_append_value (DBusMessageIter *iter, GVariant *value)
{
  const GVariantType *t = g_variant_get_type (value);
  DBusBasicValue v;
  int dtype;

  memset (&v, 0, sizeof v);
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BOOLEAN: dtype = DBUS_TYPE_BOOLEAN; v.bool_val = g_variant_get_boolean (value); break;
    case G_VARIANT_CLASS_BYTE: dtype = DBUS_TYPE_BYTE; v.byt = g_variant_get_byte (value); break;
    case G_VARIANT_CLASS_INT16: dtype = DBUS_TYPE_INT16; v.i16 = g_variant_get_int16 (value); break;
    case G_VARIANT_CLASS_UINT16: dtype = DBUS_TYPE_UINT16; v.u16 = g_variant_get_uint16 (value); break;
    case G_VARIANT_CLASS_INT32: dtype = DBUS_TYPE_INT32; v.i32 = g_variant_get_int32 (value); break;
    case G_VARIANT_CLASS_UINT32: dtype = DBUS_TYPE_UINT32; v.u32 = g_variant_get_uint32 (value); break;
    case G_VARIANT_CLASS_INT64: dtype = DBUS_TYPE_INT64; v.i64 = g_variant_get_int64 (value); break;
    case G_VARIANT_CLASS_UINT64: dtype = DBUS_TYPE_UINT64; v.u64 = g_variant_get_uint64 (value); break;
    case G_VARIANT_CLASS_DOUBLE: dtype = DBUS_TYPE_DOUBLE; v.dbl = g_variant_get_double (value); break;
    case G_VARIANT_CLASS_STRING: dtype = DBUS_TYPE_STRING; v.str = (char *) g_variant_get_string (value, NULL); break;
    case G_VARIANT_CLASS_OBJECT_PATH: dtype = DBUS_TYPE_OBJECT_PATH; v.str = (char *) g_variant_get_string (value, NULL); break;
    case G_VARIANT_CLASS_SIGNATURE: dtype = DBUS_TYPE_SIGNATURE; v.str = (char *) g_variant_get_string (value, NULL); break;
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr(GVariant) inner = g_variant_get_variant (value);
        return cl_dbus_iter_append_variant (iter, inner);
      }
    case G_VARIANT_CLASS_ARRAY:
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
      {
        DBusMessageIter sub;
        GVariantIter it;
        GVariant *child;
        g_autofree char *elem_sig = NULL;
        gboolean ok = TRUE;

        if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY))
          {
            elem_sig = g_variant_type_dup_string (g_variant_type_element (t));
            dtype = DBUS_TYPE_ARRAY;
          }
        else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DICT_ENTRY))
          dtype = DBUS_TYPE_DICT_ENTRY;
        else
          dtype = DBUS_TYPE_STRUCT;

        if (!dbus_message_iter_open_container (iter, dtype, elem_sig, &sub))
          return FALSE;
        g_variant_iter_init (&it, value);
        while (ok && (child = g_variant_iter_next_value (&it)) != NULL)
          {
            ok = cl_dbus_iter_append_value (&sub, child);
            g_variant_unref (child);
          }
        if (!ok)
          {
            dbus_message_iter_abandon_container (iter, &sub);
            return FALSE;
          }
        return dbus_message_iter_close_container (iter, &sub);
      }
    default:
      /* maybe types and handles have no place in our API */
      return FALSE;
    }
  return dbus_message_iter_append_basic (iter, dtype, &v);
}

gboolean
cl_dbus_iter_append_variant (DBusMessageIter *iter, GVariant *value)
{
  DBusMessageIter sub;

  if (!dbus_message_iter_open_container (iter, DBUS_TYPE_VARIANT, g_variant_get_type_string (value), &sub))
    return FALSE;
  if (!cl_dbus_iter_append_value (&sub, value))
    {
      dbus_message_iter_abandon_container (iter, &sub);
      return FALSE;
    }
  return dbus_message_iter_close_container (iter, &sub);
}

gboolean
cl_dbus_message_append_args (DBusMessage *msg, GVariant *args)
{
  DBusMessageIter iter;

  dbus_message_iter_init_append (msg, &iter);
  if (!g_variant_is_of_type (args, G_VARIANT_TYPE_TUPLE))
    return cl_dbus_iter_append_value (&iter, args);

  for (gsize i = 0; i < g_variant_n_children (args); i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (args, i);
      if (!cl_dbus_iter_append_value (&iter, child))
        return FALSE;
    }
  return TRUE;
}
