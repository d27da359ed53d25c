/* actors.h — who a D-Bus caller is: unix uid -> user, agency and roles,
 * from the deployment's actors.yaml. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CLActors CLActors;

typedef struct {
  guint32 uid;
  char *user;          /* login name, or the uid as text */
  char *agency;        /* "" when none */
  char **roles;        /* never NULL */
  gboolean root;       /* uid 0: may act in any role, and is admin */
  gboolean known;      /* listed in actors.yaml (or root) */
  gboolean sees_all;   /* root, or a role declared sees: all */
} CLIdentity;

/* NULL with "file:line:column: message" strings in @errors. */
CLActors *cl_actors_load (const char *path, GPtrArray *errors);
void cl_actors_free (CLActors *actors);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CLActors, cl_actors_free)

/* @actors may be NULL (no actors file). The result is cached per uid and
 * owned by @actors (or by a static table when @actors is NULL). */
const CLIdentity *cl_actors_identify (CLActors *actors, guint32 uid);
gboolean cl_actors_agency_known (CLActors *actors, const char *id);
/* Agencies as (id, name, kind), for listings. */
GPtrArray *cl_actors_agency_ids (CLActors *actors);

/* Is @role declared {sees: all}? */
gboolean cl_actors_role_sees_all (CLActors *actors, const char *role);

/* Does any member of @actors hold @role? */
gboolean cl_actors_role_held (CLActors *actors, const char *role);

gboolean cl_identity_has_role (const CLIdentity *id, const char *role);
/* The first of @allowed that @id holds (root: the first of @allowed), or NULL. */
const char *cl_identity_pick_role (const CLIdentity *id, const char *const *allowed);
gboolean cl_identity_is_admin (const CLIdentity *id);

G_END_DECLS
