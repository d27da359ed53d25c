/* gen-field-seeds.c — writes the seed corpus of fuzz-field into the
 * directory given as argument: byte 0 (mode and type), byte 1 (max), then a
 * serialised GVariant or a marshalled D-Bus message (see fuzz-field.c).
 * Not run by the tests; rebuild the seeds with
 *   ninja -C build tests/fuzz/gen-field-seeds && build/tests/fuzz/gen-field-seeds tests/fuzz/corpus/field */
#include "cl-dbus-variant.h"

#include <dbus/dbus.h>
#include <glib.h>
#include <string.h>

/* Keep in step with value_types[] in fuzz-field.c. */
static const char *const value_types[] = {
  "s", "x", "d", "b", "as", "y", "n", "q", "i", "u", "t", "o", "g", "v",
  "ay", "(s)", "a{sv}", "h", "ms", "(xs)", "aas", "av",
};

static int serial;

static void
put (const char *dir, guint8 mode, guint8 max, const void *data, gsize len)
{
  g_autofree char *path = g_strdup_printf ("%s/seed-%03d", dir, serial++);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_byte_array_append (b, &mode, 1);
  g_byte_array_append (b, &max, 1);
  g_byte_array_append (b, data, (guint) len);
  if (!g_file_set_contents (path, (const char *) b->data, b->len, &error))
    g_error ("%s", error->message);
}

static void
put_variant (const char *dir, const char *text, guint8 max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = g_variant_parse (NULL, text, NULL, NULL, &error);
  guint idx;

  if (v == NULL)
    g_error ("%s: %s", text, error->message);
  g_variant_ref_sink (v);
  for (idx = 0; idx < G_N_ELEMENTS (value_types); idx++)
    if (g_str_equal (value_types[idx], g_variant_get_type_string (v)))
      break;
  g_assert (idx < G_N_ELEMENTS (value_types));
  put (dir, (guint8) (idx << 1), max, g_variant_get_data (v), g_variant_get_size (v));
}

static void
put_message (const char *dir, const char *text, guint8 max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = g_variant_parse (NULL, text, NULL, NULL, &error);
  DBusMessage *msg = dbus_message_new_method_call ("org.caselink", "/org/caselink/Case/FX_2026_000001",
                                                   "org.caselink.Case1", "SetFields");
  char *wire = NULL;
  int len = 0;

  if (v == NULL)
    g_error ("%s: %s", text, error->message);
  g_variant_ref_sink (v);
  g_assert (cl_dbus_message_append_args (msg, v));
  dbus_message_set_serial (msg, 7);
  g_assert (dbus_message_marshal (msg, &wire, &len));
  put (dir, 1, max, wire, (gsize) len);
  dbus_free (wire);
  dbus_message_unref (msg);
}

int
main (int argc, char **argv)
{
  const char *dir;

  if (argc != 2)
    {
      g_printerr ("usage: %s DIR\n", argv[0]);
      return 2;
    }
  dir = argv[1];
  g_mkdir_with_parents (dir, 0755);

  put_variant (dir, "'hello'", 0);
  put_variant (dir, "'2026-02-13'", 0);
  put_variant (dir, "'11010519491231002X'", 0);
  put_variant (dir, "'91350100M000100Y43'", 0);
  put_variant (dir, "'多行\\n文本\\t'", 3);
  put_variant (dir, "'-9223372036854775808'", 0);
  put_variant (dir, "'1e308'", 0);
  put_variant (dir, "'yes'", 0);
  put_variant (dir, "''", 0);
  put_variant (dir, "int64 -42", 0);
  put_variant (dir, "3.25", 0);
  put_variant (dir, "true", 0);
  put_variant (dir, "['a', 'b', 'low']", 2);
  put_variant (dir, "@as []", 0);
  put_variant (dir, "byte 0xff", 0);
  put_variant (dir, "int16 -7", 0);
  put_variant (dir, "uint16 7", 0);
  put_variant (dir, "int32 -100000", 0);
  put_variant (dir, "uint32 4000000000", 0);
  put_variant (dir, "uint64 18446744073709551615", 0);
  put_variant (dir, "objectpath '/org/caselink'", 0);
  put_variant (dir, "signature 'a{sv}'", 0);
  put_variant (dir, "<'low'>", 0);
  put_variant (dir, "b'bytes'", 0);
  put_variant (dir, "('x',)", 0);
  put_variant (dir, "{'title': <'t'>, 'n': <int64 3>}", 0);
  put_variant (dir, "handle 0", 0);
  put_variant (dir, "just 'maybe'", 0);
  put_variant (dir, "(int64 1, 'one')", 0);
  put_variant (dir, "[['a'], ['b', 'c']]", 0);
  put_variant (dir, "[<1>, <'s'>]", 0);

  put_message (dir, "('hello',)", 0);
  put_message (dir, "('2026-02-13', int64 5, 2.5, true, ['a', 'b'])", 0);
  put_message (dir, "({'title': <'t'>, 'amount': <'12.5'>, 'tags': <['x']>},)", 4);
  put_message (dir, "(<<'nested'>>, objectpath '/a/b', signature 'as')", 0);
  put_message (dir, "(byte 1, int16 -2, uint16 3, int32 -4, uint32 5, uint64 6, [(int64 1, 'a')])", 0);
  g_print ("%d seeds written to %s\n", serial, dir);
  return 0;
}
