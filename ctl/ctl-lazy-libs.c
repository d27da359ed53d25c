/* ctl-lazy-libs.c — SQLite and libyaml, loaded on first use.
 *
 * Two verbs need them: audit verify --db reads a database file with SQLite,
 * workflow validate parses YAML. Linked the usual way, both libraries would
 * be mapped and relocated on every start of caselinkctl, for every verb
 * (measured as CPU time added to a process start: +1.3 ms for SQLite,
 * +0.5 ms for libyaml; all of `caselinkctl --version` takes about 5 ms).
 *
 * So the functions that caselinkctl and the common/ code linked into it call
 * are defined here: the linker binds every call to these definitions instead
 * of the libraries (whose DT_NEEDED then goes away, --as-needed), and each
 * one dlopen()s its library the first time it runs and jumps to the real
 * function. The prototypes come from the libraries' own headers, so a
 * mismatch does not compile; the version script keeps these symbols local,
 * so plugins never bind to them.
 *
 * A function that the code starts calling and that is missing here still
 * links, straight to the library, which is then loaded at start again: the
 * test ctl-lazy-libs (ctl/meson.build) fails when that happens.
 */
#include <glib.h>

#include <dlfcn.h>
#include <sqlite3.h>
#include <yaml.h>

/* Sonames, as stable as the libraries' ABIs (SQLite 3, libyaml 0.2). */
#define SQLITE_SONAME "libsqlite3.so.0"
#define YAML_SONAME "libyaml-0.so.2"

typedef struct {
  const char *soname;
  void *handle;
} LazyLib;

static LazyLib sqlite_lib = { SQLITE_SONAME, NULL };
static LazyLib yaml_lib = { YAML_SONAME, NULL };

/* The real @name in @lib. Both are hard dependencies of caselink (caselinkd
 * links them), so failing to load one is a broken installation: abort. */
static void *
lazy_symbol (LazyLib *lib, const char *name)
{
  void *symbol;

  if (lib->handle == NULL)
    {
      lib->handle = dlopen (lib->soname, RTLD_NOW | RTLD_LOCAL);
      if (lib->handle == NULL)
        g_error ("cannot load %s: %s", lib->soname, dlerror ());
    }
  symbol = dlsym (lib->handle, name);
  if (symbol == NULL)
    g_error ("%s has no %s: %s", lib->soname, name, dlerror ());
  return symbol;
}

/* Declares `real`, the library's @name, looked up on the first call.
 * caselinkctl calls these from its main thread only. */
#define REAL(lib, name) \
  static __typeof__ (&name) real; \
  if (real == NULL) \
    real = (__typeof__ (&name)) lazy_symbol (&lib, #name)

/* ---- SQLite: audit verify --db (verbs-audit.c, common/audit-chain.c) --- */

int
sqlite3_open_v2 (const char *filename, sqlite3 **db, int flags, const char *vfs)
{
  REAL (sqlite_lib, sqlite3_open_v2);
  return real (filename, db, flags, vfs);
}

int
sqlite3_close (sqlite3 *db)
{
  REAL (sqlite_lib, sqlite3_close);
  return real (db);
}

int
sqlite3_busy_timeout (sqlite3 *db, int ms)
{
  REAL (sqlite_lib, sqlite3_busy_timeout);
  return real (db, ms);
}

const char *
sqlite3_errmsg (sqlite3 *db)
{
  REAL (sqlite_lib, sqlite3_errmsg);
  return real (db);
}

int
sqlite3_exec (sqlite3 *db, const char *sql, int (*callback) (void *, int, char **, char **),
              void *data, char **errmsg)
{
  REAL (sqlite_lib, sqlite3_exec);
  return real (db, sql, callback, data, errmsg);
}

int
sqlite3_prepare_v2 (sqlite3 *db, const char *sql, int n_bytes, sqlite3_stmt **stmt,
                    const char **tail)
{
  REAL (sqlite_lib, sqlite3_prepare_v2);
  return real (db, sql, n_bytes, stmt, tail);
}

int
sqlite3_bind_int64 (sqlite3_stmt *stmt, int index, sqlite3_int64 value)
{
  REAL (sqlite_lib, sqlite3_bind_int64);
  return real (stmt, index, value);
}

int
sqlite3_step (sqlite3_stmt *stmt)
{
  REAL (sqlite_lib, sqlite3_step);
  return real (stmt);
}

int
sqlite3_column_type (sqlite3_stmt *stmt, int column)
{
  REAL (sqlite_lib, sqlite3_column_type);
  return real (stmt, column);
}

sqlite3_int64
sqlite3_column_int64 (sqlite3_stmt *stmt, int column)
{
  REAL (sqlite_lib, sqlite3_column_int64);
  return real (stmt, column);
}

const unsigned char *
sqlite3_column_text (sqlite3_stmt *stmt, int column)
{
  REAL (sqlite_lib, sqlite3_column_text);
  return real (stmt, column);
}

int
sqlite3_reset (sqlite3_stmt *stmt)
{
  REAL (sqlite_lib, sqlite3_reset);
  return real (stmt);
}

int
sqlite3_finalize (sqlite3_stmt *stmt)
{
  REAL (sqlite_lib, sqlite3_finalize);
  return real (stmt);
}

/* ---- libyaml: workflow validate (common/cl-yaml.c) --------------------- */

int
yaml_parser_initialize (yaml_parser_t *parser)
{
  REAL (yaml_lib, yaml_parser_initialize);
  return real (parser);
}

void
yaml_parser_set_input_string (yaml_parser_t *parser, const unsigned char *input, size_t size)
{
  REAL (yaml_lib, yaml_parser_set_input_string);
  real (parser, input, size);
}

int
yaml_parser_parse (yaml_parser_t *parser, yaml_event_t *event)
{
  REAL (yaml_lib, yaml_parser_parse);
  return real (parser, event);
}

int
yaml_parser_load (yaml_parser_t *parser, yaml_document_t *document)
{
  REAL (yaml_lib, yaml_parser_load);
  return real (parser, document);
}

void
yaml_parser_delete (yaml_parser_t *parser)
{
  REAL (yaml_lib, yaml_parser_delete);
  real (parser);
}

void
yaml_event_delete (yaml_event_t *event)
{
  REAL (yaml_lib, yaml_event_delete);
  real (event);
}

yaml_node_t *
yaml_document_get_root_node (yaml_document_t *document)
{
  REAL (yaml_lib, yaml_document_get_root_node);
  return real (document);
}

yaml_node_t *
yaml_document_get_node (yaml_document_t *document, int index)
{
  REAL (yaml_lib, yaml_document_get_node);
  return real (document, index);
}

void
yaml_document_delete (yaml_document_t *document)
{
  REAL (yaml_lib, yaml_document_delete);
  real (document);
}
