/* bus-introspect.c — introspection XML generated from the object tables, so
 * what busctl/gdbus show can never drift from what is dispatched. */
#include "bus-private.h"

#include <dbus/dbus.h>

static const char standard_interfaces[] =
  "  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
  "    <method name=\"Introspect\"><arg name=\"xml_data\" type=\"s\" direction=\"out\"/></method>\n"
  "  </interface>\n"
  "  <interface name=\"org.freedesktop.DBus.Peer\">\n"
  "    <method name=\"Ping\"/>\n"
  "    <method name=\"GetMachineId\"><arg name=\"machine_uuid\" type=\"s\" direction=\"out\"/></method>\n"
  "  </interface>\n"
  "  <interface name=\"org.freedesktop.DBus.Properties\">\n"
  "    <method name=\"Get\">\n"
  "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
  "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
  "      <arg name=\"value\" type=\"v\" direction=\"out\"/>\n"
  "    </method>\n"
  "    <method name=\"GetAll\">\n"
  "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
  "      <arg name=\"properties\" type=\"a{sv}\" direction=\"out\"/>\n"
  "    </method>\n"
  "    <method name=\"Set\">\n"
  "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
  "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
  "      <arg name=\"value\" type=\"v\" direction=\"in\"/>\n"
  "    </method>\n"
  "    <signal name=\"PropertiesChanged\">\n"
  "      <arg name=\"interface_name\" type=\"s\"/>\n"
  "      <arg name=\"changed_properties\" type=\"a{sv}\"/>\n"
  "      <arg name=\"invalidated_properties\" type=\"as\"/>\n"
  "    </signal>\n"
  "  </interface>\n";

/* One <arg/> per complete type of @sig, named from the space-separated @names. */
static void
append_args (GString *xml, const char *sig, const char *names, const char *direction)
{
  DBusSignatureIter it;
  g_auto(GStrv) name_list = g_strsplit (names ? names : "", " ", -1);
  guint i = 0;

  if (sig == NULL || *sig == '\0')
    return;
  dbus_signature_iter_init (&it, sig);
  do
    {
      char *type = dbus_signature_iter_get_signature (&it);
      const char *name = (name_list[i] != NULL && *name_list[i] != '\0') ? name_list[i] : "arg";
      g_string_append_printf (xml, "      <arg name=\"%s\" type=\"%s\"%s%s%s/>\n", name, type,
                              direction ? " direction=\"" : "", direction ? direction : "",
                              direction ? "\"" : "");
      dbus_free (type);
      if (name_list[i] != NULL)
        i++;
    }
  while (dbus_signature_iter_next (&it));
}

static void
append_interface (GString *xml, const CLInterface *iface)
{
  g_string_append_printf (xml, "  <interface name=\"%s\">\n", iface->name);
  for (const CLMethod *m = iface->methods; m != NULL && m->name != NULL; m++)
    {
      g_string_append_printf (xml, "    <method name=\"%s\">\n", m->name);
      append_args (xml, m->in_sig, m->in_names, "in");
      append_args (xml, m->out_sig, m->out_names, "out");
      g_string_append (xml, "    </method>\n");
    }
  for (const CLProperty *p = iface->properties; p != NULL && p->name != NULL; p++)
    {
      if (p->emits == NULL)
        g_string_append_printf (xml, "    <property name=\"%s\" type=\"%s\" access=\"read\"/>\n", p->name, p->sig);
      else
        g_string_append_printf (xml,
                                "    <property name=\"%s\" type=\"%s\" access=\"read\">\n"
                                "      <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"%s\"/>\n"
                                "    </property>\n", p->name, p->sig, p->emits);
    }
  for (const CLSignal *s = iface->signals; s != NULL && s->name != NULL; s++)
    {
      g_string_append_printf (xml, "    <signal name=\"%s\">\n", s->name);
      append_args (xml, s->sig, s->names, NULL);
      g_string_append (xml, "    </signal>\n");
    }
  g_string_append (xml, "  </interface>\n");
}

char *
cl_bus_introspect (CLBus *bus, CLRegistration *reg, const char *path, gboolean leaf)
{
  GString *xml = g_string_new (DBUS_INTROSPECT_1_0_XML_DOCTYPE_DECL_NODE "<node>\n");
  char **children = NULL;

  g_string_append (xml, standard_interfaces);
  if (!reg->fallback || leaf)
    for (const CLInterface *const *i = reg->interfaces; *i != NULL; i++)
      append_interface (xml, *i);

  if (!leaf)
    {
      if (dbus_connection_list_registered (cl_bus_connection (bus), path, &children))
        {
          for (char **c = children; c != NULL && *c != NULL; c++)
            g_string_append_printf (xml, "  <node name=\"%s\"/>\n", *c);
          dbus_free_string_array (children);
        }
      if (reg->fallback && reg->children != NULL)
        {
          g_auto(GStrv) extra = reg->children (bus, reg->data);
          for (char **c = extra; c != NULL && *c != NULL; c++)
            g_string_append_printf (xml, "  <node name=\"%s\"/>\n", *c);
        }
    }
  g_string_append (xml, "</node>\n");
  return g_string_free (xml, FALSE);
}
