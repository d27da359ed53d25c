/* caselink/plugin.h — the caselink plugin SDK: descriptor and hook registration.
 *
 * A plugin is a shared object that caselinkd loads from its plugin directory.
 * It defines exactly one descriptor with CASELINK_PLUGIN_DEFINE(); in its init
 * function it declares the domains it serves and registers named hooks:
 *
 *   validator  checks the fields of every case of the plugin's domains, on
 *              creation and whenever a change sets fields;
 *   guard      may refuse a transition that a workflow names it on;
 *   action     runs inside the atomic change of a transition (or of a
 *              creation) that a workflow names it on, after every check; it
 *              may set fields, create and link cases, and use its key-value
 *              store; if it fails, nothing of the change is written;
 *   redactor   decides which fields of a case of the plugin's domains a
 *              caller may see.
 *
 * Hook names are qualified by the plugin's name: "ecology.region_required".
 * Everything runs on caselinkd's main thread, inside the daemon and with its
 * privileges: hooks must be quick and must not block (no network, no waiting
 * on other processes).
 *
 * Only <caselink/plugin.h>, <caselink/case.h> and <caselink/version.h> are
 * the SDK; nothing else of caselinkd is exported. See docs/plugin-guide.md.
 */
#pragma once

#include <glib.h>
#include <caselink/version.h>

G_BEGIN_DECLS

typedef struct _CaselinkPlugin CaselinkPlugin;
typedef struct _CaselinkCase CaselinkCase;

/* ---- errors ------------------------------------------------------------ */

#define CASELINK_ERROR (caselink_error_quark ())
GQuark caselink_error_quark (void);

typedef enum {
  CASELINK_ERROR_FAILED,       /* internal or storage failure */
  CASELINK_ERROR_INVALID,      /* a bad argument or field value */
  CASELINK_ERROR_NOT_FOUND,    /* no such case, workflow or field */
  CASELINK_ERROR_NOT_ALLOWED,  /* not from this kind of hook (e.g. writing outside an action) */
  CASELINK_ERROR_REJECTED,     /* the plugin says no */
} CaselinkError;

/* ---- the descriptor ------------------------------------------------------ */

#define CASELINK_PLUGIN_PRIORITY_LOW     -100
#define CASELINK_PLUGIN_PRIORITY_DEFAULT 0
#define CASELINK_PLUGIN_PRIORITY_HIGH    100

typedef struct {
  guint32 abi;                 /* CASELINK_SDK_ABI when built; always first */
  const char *name;            /* [a-z][a-z0-9_]*: the hook prefix and [plugin.NAME] */
  const char *version;
  const char *description;
  int priority;                /* higher initialises first, exits last */
  gboolean (*init) (CaselinkPlugin *plugin, GError **error);
  void (*exit) (CaselinkPlugin *plugin);   /* may be NULL */
} CaselinkPluginDescriptor;

#if defined(__GNUC__) || defined(__clang__)
#define CASELINK_PLUGIN_EXPORT __attribute__ ((visibility ("default")))
#else
#define CASELINK_PLUGIN_EXPORT
#endif

/* Defines the one exported symbol caselinkd looks for. @name, @version and
 * @description are string literals; @init and @exit functions (exit may be
 * NULL). Use once, at file scope, in one source file of the plugin. */
#define CASELINK_PLUGIN_DEFINE(name, version, description, priority, init, exit)           \
  CASELINK_PLUGIN_EXPORT extern const CaselinkPluginDescriptor caselink_plugin_descriptor; \
  CASELINK_PLUGIN_EXPORT const CaselinkPluginDescriptor caselink_plugin_descriptor = {     \
    CASELINK_SDK_ABI, name, version, description, priority, init, exit                     \
  };

/* ---- hooks ----------------------------------------------------------------- */

/* FALSE with @error set: the fields are refused; the caller gets
 * org.caselink.Error.InvalidArgs naming the plugin and the message. */
typedef gboolean (*CaselinkValidator) (CaselinkCase *c, gpointer user_data, GError **error);

/* FALSE with *@reason (g_malloc'ed, freed by caselinkd) set: the transition
 * is refused with org.caselink.Error.Rejected "plugin NAME refused
 * transition T: REASON". */
typedef gboolean (*CaselinkGuard) (CaselinkCase *c, const char *transition, gpointer user_data, char **reason);

/* @transition is NULL when the action runs at the creation of a case. FALSE
 * with @error set: nothing of the change is written; the caller gets
 * org.caselink.Error.Rejected (org.caselink.Error.Failed for
 * CASELINK_ERROR_FAILED) naming the plugin and the message. */
typedef gboolean (*CaselinkAction) (CaselinkCase *c, const char *transition, gpointer user_data, GError **error);

/* TRUE: the caller (caselink_case_get_actor_*()) may see @field. A field is
 * shown only when every redactor that applies agrees. */
typedef gboolean (*CaselinkRedactor) (CaselinkCase *c, const char *field, gpointer user_data);

/* The registration functions may be called from init only. They return
 * FALSE (and the daemon logs why) on a bad or duplicate name; a plugin with
 * any failed registration is not loaded, even if its init returns TRUE. */

/* Validators and redactors of this plugin apply to every case whose
 * "domain" field is @domain, whatever its workflow. */
gboolean caselink_plugin_serve_domain (CaselinkPlugin *plugin, const char *domain);

/* @name is "<plugin name>.<hook>", the part after the dot [a-z][a-z0-9_]*. */
gboolean caselink_plugin_add_validator (CaselinkPlugin *plugin, const char *name, CaselinkValidator func,
                                        gpointer user_data);
gboolean caselink_plugin_add_guard (CaselinkPlugin *plugin, const char *name, CaselinkGuard func,
                                    gpointer user_data);
gboolean caselink_plugin_add_action (CaselinkPlugin *plugin, const char *name, CaselinkAction func,
                                     gpointer user_data);
gboolean caselink_plugin_add_redactor (CaselinkPlugin *plugin, const char *name, CaselinkRedactor func,
                                       gpointer user_data);

const char *caselink_plugin_get_name (CaselinkPlugin *plugin);

/* Settings from caselink.conf's [plugin.<name>] group (the key "enabled" is
 * caselinkd's own and not listed). Strings owned by caselinkd, valid until
 * the plugin's exit; NULL when the key is not set. */
const char *caselink_plugin_get_setting (CaselinkPlugin *plugin, const char *key);
/* NULL-terminated, sorted; never NULL. */
const char *const *caselink_plugin_get_settings_keys (CaselinkPlugin *plugin);

G_END_DECLS
