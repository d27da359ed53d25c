/* plugin-loader.h — finding, loading and initialising plugins; the registry
 * of the hooks they provide.
 *
 * Self-contained (GModule, the SDK's registration functions, common/): it
 * knows nothing of the store, the bus or the engine, so `caselinkctl
 * workflow validate --plugins DIR` can link it to learn hook names offline
 * (see cl_plugins_load() with probe = TRUE). Hooks run through
 * plugin-hooks.h.
 */
#pragma once

#include <caselink/plugin.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLPlugins CLPlugins;

typedef enum {
  CL_HOOK_VALIDATOR,
  CL_HOOK_GUARD,
  CL_HOOK_ACTION,
  CL_HOOK_REDACTOR,
} CLHookKind;

typedef struct {
  CLHookKind kind;
  char *name;              /* "plugin.hook" */
  CaselinkPlugin *plugin;
  union {
    CaselinkValidator validator;
    CaselinkGuard guard;
    CaselinkAction action;
    CaselinkRedactor redactor;
  } func;                  /* by kind */
  gpointer user_data;
} CLHook;

/* Every *.so in @dir and in its immediate subdirectories (so both the flat
 * installed $libdir/caselink/plugins and a build tree's plugins/NAME/ work).
 * A file without a descriptor, built for another ABI, disabled by
 * [plugin.NAME] enabled=false, or whose init fails is logged with the file
 * and the reason, recorded (cl_plugins_describe) and left out; the others
 * are initialised by priority (higher first, then by name). Never fails.
 * @settings: plugin name -> GHashTable key -> value (CLConfig), may be NULL.
 * @probe: for offline tools: lazy symbol binding, so a plugin using case
 * functions the tool lacks still loads; nothing of a probe may run hooks. */
CLPlugins *cl_plugins_load (const char *dir, GHashTable *settings, gboolean probe);
/* Exit in the reverse order of init, then unload. NULL is fine. */
void cl_plugins_free (CLPlugins *plugins);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLPlugins, cl_plugins_free)

/* NULL when no loaded plugin provides @name. */
const CLHook *cl_plugins_hook (CLPlugins *plugins, const char *name);
/* Hook name -> kind ("validator", "guard", "action", "redactor"), for
 * cl_workflow_check_hooks(). Owned by @plugins; never NULL. */
GHashTable *cl_plugins_hook_kinds (CLPlugins *plugins);
/* Loaded plugins in init order (CaselinkPlugin*, borrowed). */
GPtrArray *cl_plugins_loaded (CLPlugins *plugins);
/* Does @plugin serve @domain? */
gboolean cl_plugin_serves (CaselinkPlugin *plugin, const char *domain);
/* Hooks of @kind of @plugin, in registration order (CLHook*, borrowed). */
GPtrArray *cl_plugin_hooks (CaselinkPlugin *plugin);

/* ListPlugins: aa{sv} with name, version, description, domains (as), hooks
 * (as), loaded (b), error (s), file (s); sorted by name. Floating. */
GVariant *cl_plugins_describe (CLPlugins *plugins);

const char *cl_hook_kind_to_string (CLHookKind kind);

G_END_DECLS
