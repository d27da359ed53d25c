/* cl-yaml.h — small helpers over libyaml's document API that keep
 * file:line:column for every node, so loaders can report precise errors. */
#pragma once

#include <glib.h>
#include <yaml.h>

G_BEGIN_DECLS

typedef struct {
  yaml_document_t doc;
  gboolean loaded;
  char *file;          /* name used in messages */
  GPtrArray *errors;   /* "file:line:column: message" strings, owned */
  guint condition_parts; /* `when:` parts built from this file (aliases count each use) */
  guint suppressed;    /* errors past CL_YAML_MAX_ERRORS (not listed) */
} CLYaml;

/* Collections nested deeper than this are refused before the document is
 * built (libyaml's time grows with the square of the depth). */
#define CL_YAML_MAX_DEPTH 64
/* Errors listed per file; then one line says more were found, and the
 * mappings of the file are not walked further. An alias is checked again
 * at every use, so a small file could otherwise yield millions (and a
 * Reload answer larger than the bus carries, after seconds of work). */
#define CL_YAML_MAX_ERRORS 100

/* Read @path (a regular file of at most @max bytes) into @data/@len;
 * FALSE with "PATH:1:1: why" added to @errors otherwise. A FIFO or device
 * is refused without reading it (it could block or never end). */
gboolean cl_yaml_read_file (const char *path, gsize max, char **data, gsize *len, GPtrArray *errors);

/* Parse @data (@len bytes) as one YAML document. A syntax error is added to
 * @y->errors (with position) and FALSE returned. @y must be zero-initialised. */
gboolean cl_yaml_parse (CLYaml *y, const char *file, const char *data, gsize len);
void cl_yaml_clear (CLYaml *y);

yaml_node_t *cl_yaml_root (CLYaml *y);
yaml_node_t *cl_yaml_node (CLYaml *y, int index);

/* The scalar text of @node, or NULL when it is not a scalar. */
const char *cl_yaml_scalar (yaml_node_t *node);

void cl_yaml_error (CLYaml *y, yaml_node_t *node, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

gboolean cl_yaml_is_map (yaml_node_t *node);
gboolean cl_yaml_is_seq (yaml_node_t *node);

/* Typed scalars; each reports an error at @node when the value is wrong. */
gboolean cl_yaml_get_bool (CLYaml *y, yaml_node_t *node, gboolean *out);
gboolean cl_yaml_get_int (CLYaml *y, yaml_node_t *node, gint64 min, gint64 max, gint64 *out);
const char *cl_yaml_get_string (CLYaml *y, yaml_node_t *node);

/* A scalar or a sequence of scalars, as a NULL-terminated vector; NULL (with
 * an error reported) on anything else. */
char **cl_yaml_get_strv (CLYaml *y, yaml_node_t *node);

/* Iterate a mapping: reports duplicate keys and non-scalar keys. */
typedef gboolean (*CLYamlPairFunc) (CLYaml *y, yaml_node_t *key_node, const char *key,
                                    yaml_node_t *value, gpointer user_data);
void cl_yaml_map_foreach (CLYaml *y, yaml_node_t *map, CLYamlPairFunc func, gpointer user_data);

G_END_DECLS
