/* ctl-json.c — a JSON tree and its writer, in json-glib 1.6's format. */
#include "ctl-json.h"

#include <string.h>

typedef enum {
  CTL_JSON_NULL,
  CTL_JSON_BOOLEAN,
  CTL_JSON_INT,
  CTL_JSON_DOUBLE,
  CTL_JSON_STRING,
  CTL_JSON_ARRAY,
  CTL_JSON_OBJECT,
} CtlJsonType;

typedef struct {
  char *key;
  CtlJson *value;
} Member;

struct _CtlJson {
  CtlJsonType type;
  union {
    gboolean boolean;
    gint64 integer;
    double number;
    char *string;
    GPtrArray *elements;  /* ARRAY: of CtlJson */
    GArray *members;      /* OBJECT: of Member, in the order first set */
  } v;
};

static CtlJson *
node_new (CtlJsonType type)
{
  CtlJson *node = g_new0 (CtlJson, 1);

  node->type = type;
  return node;
}

CtlJson *
ctl_json_null (void)
{
  return node_new (CTL_JSON_NULL);
}

CtlJson *
ctl_json_boolean (gboolean value)
{
  CtlJson *node = node_new (CTL_JSON_BOOLEAN);

  node->v.boolean = value;
  return node;
}

CtlJson *
ctl_json_int (gint64 value)
{
  CtlJson *node = node_new (CTL_JSON_INT);

  node->v.integer = value;
  return node;
}

CtlJson *
ctl_json_double (double value)
{
  CtlJson *node = node_new (CTL_JSON_DOUBLE);

  node->v.number = value;
  return node;
}

CtlJson *
ctl_json_string (const char *text)
{
  CtlJson *node;

  /* As json_object_set_string_member() did with NULL. */
  if (text == NULL)
    return ctl_json_null ();
  node = node_new (CTL_JSON_STRING);
  node->v.string = g_strdup (text);
  return node;
}

CtlJson *
ctl_json_array_new (void)
{
  CtlJson *node = node_new (CTL_JSON_ARRAY);

  node->v.elements = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_json_free);
  return node;
}

static void
member_clear (gpointer data)
{
  Member *member = data;

  g_free (member->key);
  ctl_json_free (member->value);
}

CtlJson *
ctl_json_object_new (void)
{
  CtlJson *node = node_new (CTL_JSON_OBJECT);

  node->v.members = g_array_new (FALSE, FALSE, sizeof (Member));
  g_array_set_clear_func (node->v.members, member_clear);
  return node;
}

void
ctl_json_array_add (CtlJson *array, CtlJson *element)
{
  g_return_if_fail (array->type == CTL_JSON_ARRAY);
  g_ptr_array_add (array->v.elements, element);
}

void
ctl_json_object_set (CtlJson *object, const char *key, CtlJson *value)
{
  Member member;

  g_return_if_fail (object->type == CTL_JSON_OBJECT);
  /* A linear search: objects here have tens of members at most. */
  for (guint i = 0; i < object->v.members->len; i++)
    {
      Member *old = &g_array_index (object->v.members, Member, i);

      if (strcmp (old->key, key) == 0)
        {
          ctl_json_free (old->value);
          old->value = value;
          return;
        }
    }
  member.key = g_strdup (key);
  member.value = value;
  g_array_append_val (object->v.members, member);
}

void
ctl_json_object_set_string (CtlJson *object, const char *key, const char *text)
{
  ctl_json_object_set (object, key, ctl_json_string (text));
}

void
ctl_json_object_set_int (CtlJson *object, const char *key, gint64 value)
{
  ctl_json_object_set (object, key, ctl_json_int (value));
}

void
ctl_json_object_set_boolean (CtlJson *object, const char *key, gboolean value)
{
  ctl_json_object_set (object, key, ctl_json_boolean (value));
}

void
ctl_json_free (CtlJson *node)
{
  if (node == NULL)
    return;
  switch (node->type)
    {
    case CTL_JSON_STRING:
      g_free (node->v.string);
      break;
    case CTL_JSON_ARRAY:
      g_ptr_array_unref (node->v.elements);
      break;
    case CTL_JSON_OBJECT:
      g_array_unref (node->v.members);
      break;
    case CTL_JSON_NULL:
    case CTL_JSON_BOOLEAN:
    case CTL_JSON_INT:
    case CTL_JSON_DOUBLE:
    default:
      break;
    }
  g_free (node);
}

/* ---- writing ---------------------------------------------------------- */

/* Escapes as json-glib 1.6 wrote them: " and \ backslashed; \b \f \n \r
 * \t by name; the other bytes 0x01-0x1e and DEL as \u00xx. 0x1f and all
 * non-ASCII bytes (UTF-8 text, Chinese included) go out as they are. */
static void
write_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
        case '\\':
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x1f || *p == 0x7f)
            g_string_append_printf (out, "\\u00%02x", (unsigned) *p);
          else
            g_string_append_c (out, (char) *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
write_indent (GString *out, guint level, gboolean pretty)
{
  if (pretty)
    {
      for (guint i = 0; i < level * 2; i++)
        g_string_append_c (out, ' ');
    }
}

static void write_node (GString *out, const CtlJson *node, guint level, gboolean pretty);

/* One element or member: its own line when @pretty, the comma after all
 * but the last. An empty container keeps its brackets together, but an
 * empty object still gets its closing indent ("{    }" two levels down),
 * as json-glib wrote it. */
static void
write_array (GString *out, const CtlJson *node, guint level, gboolean pretty)
{
  GPtrArray *elements = node->v.elements;

  g_string_append_c (out, '[');
  if (elements->len == 0)
    {
      g_string_append_c (out, ']');
      return;
    }
  if (pretty)
    g_string_append_c (out, '\n');
  for (guint i = 0; i < elements->len; i++)
    {
      write_indent (out, level + 1, pretty);
      write_node (out, g_ptr_array_index (elements, i), level + 1, pretty);
      if (i + 1 < elements->len)
        g_string_append_c (out, ',');
      if (pretty)
        g_string_append_c (out, '\n');
    }
  write_indent (out, level, pretty);
  g_string_append_c (out, ']');
}

static void
write_object (GString *out, const CtlJson *node, guint level, gboolean pretty)
{
  GArray *members = node->v.members;

  g_string_append_c (out, '{');
  if (pretty && members->len > 0)
    g_string_append_c (out, '\n');
  for (guint i = 0; i < members->len; i++)
    {
      const Member *member = &g_array_index (members, Member, i);

      write_indent (out, level + 1, pretty);
      write_string (out, member->key);
      g_string_append (out, pretty ? " : " : ":");
      write_node (out, member->value, level + 1, pretty);
      if (i + 1 < members->len)
        g_string_append_c (out, ',');
      if (pretty)
        g_string_append_c (out, '\n');
    }
  write_indent (out, level, pretty);
  g_string_append_c (out, '}');
}

static void
write_double (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append (out, buf);
  /* So that it reads back as a double. json-glib 1.6 looked only for the
   * point: 1e+20 is written 1e+20.0, as scripts have been getting it. */
  if (strchr (buf, '.') == NULL)
    g_string_append (out, ".0");
}

static void
write_node (GString *out, const CtlJson *node, guint level, gboolean pretty)
{
  switch (node->type)
    {
    case CTL_JSON_NULL:
      g_string_append (out, "null");
      break;
    case CTL_JSON_BOOLEAN:
      g_string_append (out, node->v.boolean ? "true" : "false");
      break;
    case CTL_JSON_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, node->v.integer);
      break;
    case CTL_JSON_DOUBLE:
      write_double (out, node->v.number);
      break;
    case CTL_JSON_STRING:
      write_string (out, node->v.string);
      break;
    case CTL_JSON_ARRAY:
      write_array (out, node, level, pretty);
      break;
    case CTL_JSON_OBJECT:
      write_object (out, node, level, pretty);
      break;
    default:
      g_assert_not_reached ();
    }
}

char *
ctl_json_to_string (const CtlJson *node, gboolean pretty)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, 0, pretty);
  return g_string_free (out, FALSE);
}
