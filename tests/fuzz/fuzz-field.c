/* fuzz-field.c — field coercion (common/field-value.c) on untrusted values,
 * reached the way caselinkd reaches it.
 *
 * Input: byte 0 picks the mode and a value type, byte 1 the field's max
 * (0 = none), the rest is the value:
 *  - odd byte 0: a whole D-Bus message in wire format. It is demarshalled by
 *    libdbus (which validates it as the bus would), turned into GVariant by
 *    cl_dbus_message_get_args() (common/cl-dbus-variant.c) and each argument
 *    is coerced;
 *  - even byte 0: a GVariant in serialised form of the type picked by
 *    (byte 0 >> 1), loaded as untrusted data.
 * Every value is coerced to every field type; the result must be canonical
 * (s, x, d, b or as), within the field's max, stable when coerced again and
 * survive a trip through a D-Bus message. The GB 11643/GB 32100/date
 * validators also see the raw bytes. */
#include "fuzz.h"

#include "cl-dbus-variant.h"
#include "field-value.h"

#include <dbus/dbus.h>
#include <string.h>

static const char *const value_types[] = {
  "s", "x", "d", "b", "as", "y", "n", "q", "i", "u", "t", "o", "g", "v",
  "ay", "(s)", "a{sv}", "h", "ms", "(xs)", "aas", "av",
};

static const CLFieldType field_types[] = {
  CL_FIELD_STRING, CL_FIELD_TEXT, CL_FIELD_INTEGER, CL_FIELD_NUMBER,
  CL_FIELD_BOOLEAN, CL_FIELD_DATE, CL_FIELD_ENUM, CL_FIELD_AGENCY,
  CL_FIELD_LIST, CL_FIELD_PERSON_ID, CL_FIELD_USCC,
};

static gboolean
agency_ok (const char *id, gpointer data)
{
  return g_str_has_prefix (id, "a");
}

static const char *
canonical_type (CLFieldType t)
{
  switch (t)
    {
    case CL_FIELD_INTEGER: return "x";
    case CL_FIELD_NUMBER: return "d";
    case CL_FIELD_BOOLEAN: return "b";
    case CL_FIELD_LIST: return "as";
    default: return "s";
    }
}

static void
round_trip (GVariant *canon)
{
  DBusMessage *msg = dbus_message_new_method_call ("org.example.Fuzz", "/", "org.example.Fuzz", "F");
  g_autoptr(GVariant) back = NULL;
  g_autoptr(GVariant) child = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  g_assert_true (cl_dbus_message_append_args (msg, canon));
  back = cl_dbus_message_get_args (msg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (back), ==, 1);
  child = g_variant_get_child_value (back, 0);
  g_assert_true (g_variant_equal (child, canon));
  dbus_message_unref (msg);
}

static void
coerce_all (GVariant *value, gint64 max)
{
  static char *enum_values[] = { (char *) "low", (char *) "high", (char *) "中文", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    {
      CLField f = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) canon = NULL;

      f.name = (char *) "f";
      f.type = field_types[i];
      f.values = f.type == CL_FIELD_ENUM ? enum_values : NULL;
      /* the loader allows max on string, text and list fields only */
      if (f.type == CL_FIELD_STRING || f.type == CL_FIELD_TEXT || f.type == CL_FIELD_LIST)
        f.max = max;

      canon = cl_field_coerce (&f, value, agency_ok, NULL, &error);
      if (canon == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_false (g_variant_is_floating (canon));
      /* "" clears a field of any type */
      if (g_variant_is_of_type (canon, G_VARIANT_TYPE_STRING) && f.type != CL_FIELD_LIST)
        g_assert_true (g_str_equal (g_variant_get_type_string (canon), "s"));
      else
        g_assert_cmpstr (g_variant_get_type_string (canon), ==, canonical_type (f.type));
      if (g_variant_is_of_type (canon, G_VARIANT_TYPE_STRING))
        {
          const char *s = g_variant_get_string (canon, NULL);
          g_assert_true (g_utf8_validate (s, -1, NULL));
          g_assert_cmpint (g_utf8_strlen (s, -1), <=, f.max > 0 ? f.max : CL_FIELD_MAX_CHARS);
        }
      if (g_variant_is_of_type (canon, G_VARIANT_TYPE_STRING_ARRAY))
        g_assert_cmpint ((gint64) g_variant_n_children (canon), <=, f.max > 0 ? f.max : CL_FIELD_MAX_ITEMS);
      (void) cl_field_value_is_empty (canon);

      /* canonical values are accepted unchanged */
      {
        g_autoptr(GError) again_error = NULL;
        g_autoptr(GVariant) again = cl_field_coerce (&f, canon, agency_ok, NULL, &again_error);
        g_assert_no_error (again_error);
        g_assert_nonnull (again);
        g_assert_true (g_variant_equal (again, canon));
      }
      round_trip (canon);
    }
}

static void
validators (const uint8_t *data, size_t size)
{
  g_autofree char *s = g_strndup ((const char *) data, size);

  (void) cl_person_id_is_valid (s);
  (void) cl_uscc_is_valid (s);
  (void) cl_date_is_valid (s);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint8 mode, max_byte;

  cl_fuzz_init ();
  if (size < 2)
    return 0;
  mode = data[0];
  max_byte = data[1];
  data += 2;
  size -= 2;
  validators (data, size);

  if (mode & 1)
    {
      DBusError derr;
      DBusMessage *msg;
      g_autoptr(GVariant) args = NULL;
      g_autoptr(GError) error = NULL;

      dbus_error_init (&derr);
      msg = dbus_message_demarshal ((const char *) data, (int) MIN (size, (size_t) G_MAXINT), &derr);
      if (msg == NULL)
        {
          dbus_error_free (&derr);
          return 0;
        }
      args = cl_dbus_message_get_args (msg, &error);
      if (args != NULL)
        {
          g_assert_no_error (error);
          for (gsize i = 0; i < g_variant_n_children (args); i++)
            {
              g_autoptr(GVariant) v = g_variant_get_child_value (args, i);
              coerce_all (v, max_byte);
            }
          /* what came in can be sent back out (replies echo values) */
          {
            DBusMessage *out = dbus_message_new_method_call ("org.example.Fuzz", "/", "org.example.Fuzz", "F");
            g_assert_true (cl_dbus_message_append_args (out, args));
            dbus_message_unref (out);
          }
        }
      else
        g_assert_nonnull (error);
      dbus_message_unref (msg);
    }
  else
    {
      const GVariantType *type = G_VARIANT_TYPE (value_types[(mode >> 1) % G_N_ELEMENTS (value_types)]);
      g_autoptr(GBytes) bytes = g_bytes_new (data, size);
      g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));

      coerce_all (v, max_byte);
    }
  return 0;
}
