/* cl-yaml.c — libyaml document helpers with positions. */
#include "cl-yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A first pass over the events: refuse hostile nesting cheaply. */
static gboolean
check_depth (CLYaml *y, const char *file, const char *data, gsize len)
{
  yaml_parser_t parser;
  yaml_event_t event;
  int depth = 0;
  gboolean ok = TRUE, done = FALSE;

  if (!yaml_parser_initialize (&parser))
    return TRUE;   /* the real parse reports it */
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);
  while (ok && !done)
    {
      if (!yaml_parser_parse (&parser, &event))
        break;   /* syntax errors: the real parse reports them with position */
      switch (event.type)
        {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
          if (++depth > CL_YAML_MAX_DEPTH)
            {
              g_ptr_array_add (y->errors, g_strdup_printf ("%s:%zu:%zu: nested more than %d levels deep", file,
                                                           event.start_mark.line + 1, event.start_mark.column + 1,
                                                           CL_YAML_MAX_DEPTH));
              ok = FALSE;
            }
          break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
          depth--;
          break;
        case YAML_STREAM_END_EVENT:
          done = TRUE;
          break;
        default:
          break;
        }
      yaml_event_delete (&event);
    }
  yaml_parser_delete (&parser);
  return ok;
}

gboolean
cl_yaml_parse (CLYaml *y, const char *file, const char *data, gsize len)
{
  yaml_parser_t parser;
  gboolean ok;

  y->file = g_strdup (file);
  if (y->errors == NULL)
    y->errors = g_ptr_array_new_with_free_func (g_free);

  if (!check_depth (y, file, data, len))
    return FALSE;
  if (!yaml_parser_initialize (&parser))
    {
      g_ptr_array_add (y->errors, g_strdup_printf ("%s: out of memory", file));
      return FALSE;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);
  ok = yaml_parser_load (&parser, &y->doc) != 0;
  if (!ok)
    {
      g_ptr_array_add (y->errors,
                       g_strdup_printf ("%s:%zu:%zu: %s%s%s", file,
                                        parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                                        parser.problem ? parser.problem : "syntax error",
                                        parser.context ? " " : "", parser.context ? parser.context : ""));
    }
  else
    {
      y->loaded = TRUE;
      if (yaml_document_get_root_node (&y->doc) == NULL)
        {
          g_ptr_array_add (y->errors, g_strdup_printf ("%s:1:1: the file is empty", file));
          ok = FALSE;
        }
    }
  yaml_parser_delete (&parser);
  return ok;
}

void
cl_yaml_clear (CLYaml *y)
{
  if (y->loaded)
    yaml_document_delete (&y->doc);
  y->loaded = FALSE;
  g_clear_pointer (&y->file, g_free);
  g_clear_pointer (&y->errors, g_ptr_array_unref);
}

yaml_node_t *
cl_yaml_root (CLYaml *y)
{
  return y->loaded ? yaml_document_get_root_node (&y->doc) : NULL;
}

yaml_node_t *
cl_yaml_node (CLYaml *y, int index)
{
  return yaml_document_get_node (&y->doc, index);
}

const char *
cl_yaml_scalar (yaml_node_t *node)
{
  if (node == NULL || node->type != YAML_SCALAR_NODE)
    return NULL;
  return (const char *) node->data.scalar.value;
}

void
cl_yaml_error (CLYaml *y, yaml_node_t *node, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  gsize line = node ? node->start_mark.line + 1 : 1;
  gsize col = node ? node->start_mark.column + 1 : 1;

  if (y->errors->len >= CL_YAML_MAX_ERRORS)
    {
      if (y->suppressed++ == 0)
        g_ptr_array_add (y->errors, g_strdup_printf ("%s:%zu:%zu: more errors, not listed (the first %d are; "
                                                     "the file was not read further)",
                                                     y->file, line, col, CL_YAML_MAX_ERRORS));
      return;
    }
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (y->errors, g_strdup_printf ("%s:%zu:%zu: %s", y->file, line, col, msg));
}

gboolean
cl_yaml_read_file (const char *path, gsize max, char **data, gsize *len, GPtrArray *errors)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize got = 0;
  int fd;

  *data = NULL;
  *len = 0;
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: cannot open it: %s", path, g_strerror (saved)));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: not a regular file", path));
      close (fd);
      return FALSE;
    }
  if ((guint64) st.st_size > max)
    {
      g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: file too large (%lld bytes, at most %zu)", path,
                                                (long long) st.st_size, max));
      close (fd);
      return FALSE;
    }
  /* one byte more than allowed: a file that grew since fstat is too large */
  buf = g_malloc (max + 2);
  for (;;)
    {
      ssize_t n = read (fd, buf + got, max + 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: cannot read it: %s", path, g_strerror (saved)));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      got += (gsize) n;
      if (got > max)
        {
          g_ptr_array_add (errors, g_strdup_printf ("%s:1:1: file too large (more than %zu bytes)", path, max));
          close (fd);
          return FALSE;
        }
    }
  close (fd);
  buf[got] = '\0';
  *data = g_realloc (g_steal_pointer (&buf), got + 1);
  *len = got;
  return TRUE;
}

gboolean
cl_yaml_is_map (yaml_node_t *node)
{
  return node != NULL && node->type == YAML_MAPPING_NODE;
}

gboolean
cl_yaml_is_seq (yaml_node_t *node)
{
  return node != NULL && node->type == YAML_SEQUENCE_NODE;
}

gboolean
cl_yaml_get_bool (CLYaml *y, yaml_node_t *node, gboolean *out)
{
  const char *s = cl_yaml_scalar (node);

  if (s != NULL)
    {
      if (g_str_equal (s, "true") || g_str_equal (s, "yes"))
        return (*out = TRUE), TRUE;
      if (g_str_equal (s, "false") || g_str_equal (s, "no"))
        return (*out = FALSE), TRUE;
    }
  cl_yaml_error (y, node, "expected true or false");
  return FALSE;
}

gboolean
cl_yaml_get_int (CLYaml *y, yaml_node_t *node, gint64 min, gint64 max, gint64 *out)
{
  const char *s = cl_yaml_scalar (node);
  gint64 v;
  g_autoptr(GError) err = NULL;

  if (s == NULL || !g_ascii_string_to_signed (s, 10, min, max, &v, &err))
    {
      cl_yaml_error (y, node, "expected a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

const char *
cl_yaml_get_string (CLYaml *y, yaml_node_t *node)
{
  const char *s = cl_yaml_scalar (node);

  if (s == NULL)
    {
      cl_yaml_error (y, node, "expected a text value");
      return NULL;
    }
  return s;
}

char **
cl_yaml_get_strv (CLYaml *y, yaml_node_t *node)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (cl_yaml_scalar (node) != NULL)
    {
      g_strv_builder_add (b, cl_yaml_scalar (node));
      return g_strv_builder_end (b);
    }
  if (!cl_yaml_is_seq (node))
    {
      cl_yaml_error (y, node, "expected a name or a list of names");
      return NULL;
    }
  for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++)
    {
      yaml_node_t *item = cl_yaml_node (y, *it);
      const char *s = cl_yaml_scalar (item);
      if (s == NULL)
        {
          cl_yaml_error (y, item, "expected a name in this list");
          return NULL;
        }
      g_strv_builder_add (b, s);
    }
  return g_strv_builder_end (b);
}

void
cl_yaml_map_foreach (CLYaml *y, yaml_node_t *map, CLYamlPairFunc func, gpointer user_data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
    {
      yaml_node_t *k = cl_yaml_node (y, p->key);
      yaml_node_t *v = cl_yaml_node (y, p->value);
      const char *key = cl_yaml_scalar (k);

      /* past the errors listed, the rest of the file is not walked (an
       * alias repeats its whole subtree at every use) */
      if (y->suppressed > 0)
        return;
      if (key == NULL)
        {
          cl_yaml_error (y, k, "a key must be a plain name");
          continue;
        }
      if (!g_hash_table_add (seen, (gpointer) key))
        {
          cl_yaml_error (y, k, "duplicate key '%s'", key);
          continue;
        }
      if (!func (y, k, key, v, user_data))
        return;
    }
}
