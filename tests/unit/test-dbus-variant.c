/* test-dbus-variant.c — a call's arguments come out of libdbus as the
 * GVariant that went in: every basic type, empty and nested containers,
 * variants holding containers, and more children than fit on the stack. */
#include <dbus/dbus.h>
#include <glib.h>

#include "cl-dbus-variant.h"

static void
assert_round_trip (const char *text)
{
  /* g_variant_parse() returns a full reference */
  g_autoptr(GVariant) in = g_variant_parse (NULL, text, NULL, NULL, NULL);
  DBusMessage *msg = dbus_message_new_method_call ("org.example.T", "/", "org.example.T", "M");
  g_autoptr(GVariant) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;

  g_assert_nonnull (in);
  g_assert_true (cl_dbus_message_append_args (msg, in));
  out = cl_dbus_message_get_args (msg, &error);
  g_assert_no_error (error);
  printed = g_variant_print (out, TRUE);
  g_assert_true (g_variant_equal (in, out) || (g_printerr ("%s -> %s\n", text, printed), FALSE));
  dbus_message_unref (msg);
}

static void
test_round_trips (void)
{
  const char *cases[] = {
    "('advance', @a{sv} {}, '')",
    "('handoff', {'np_decision_no': <'青检刑不诉〔2026〕1号'>, 'priority': <int64 3>}, 'note')",
    "(byte 0x01, true, int16 -2, uint16 3, -4, uint32 5, int64 -6, uint64 7, 8.5)",
    "(objectpath '/a/b', signature 'a{sv}', 'x')",
    "(@as [], @aa{sv} [], @a(si) [], @av [], @ax [])",
    "(['a', 'b'], [<1>, <'two'>, <[3, 4]>], {1: 'one', 2: 'two'})",
    "([{'k': <{'inner': <@as []>}>}], (1, ('nested', [true, false])))",
    "({'list': <['a', 'b']>, 'empty': <@a{sv} {}>, 'tuple': <(1, 'x')>},)",
    "([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, "
    "30, 31, 32, 33, 34, 35, 36, 37, 38, 39],)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_round_trip (cases[i]);
}

/* A value nested deeper than the limit is refused with an error, not a
 * crash, and nothing leaks on the way out. */
static void
test_too_deep (void)
{
  GVariant *v = g_variant_new_string ("x");
  DBusMessage *msg = dbus_message_new_method_call ("org.example.T", "/", "org.example.T", "M");
  g_autoptr(GVariant) out = NULL;
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 70; i++)
    v = g_variant_new_variant (v);
  args = g_variant_ref_sink (g_variant_new_tuple (&v, 1));
  if (!cl_dbus_message_append_args (msg, args))
    {
      /* libdbus itself refuses this depth: nothing more to check */
      dbus_message_unref (msg);
      return;
    }
  out = cl_dbus_message_get_args (msg, &error);
  g_assert_null (out);
  g_assert_nonnull (error);
  dbus_message_unref (msg);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dbus-variant/round-trips", test_round_trips);
  g_test_add_func ("/dbus-variant/too-deep", test_too_deep);
  return g_test_run ();
}
