/* actors.c — actors.yaml: agencies and members (unix users and groups). */
#define G_LOG_DOMAIN "caselink-actors"

#include "actors.h"
#include "cl-yaml.h"
#include "workflow.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *id;
  char *name;
  char *kind;
} Agency;

typedef struct {
  gboolean is_group;
  char *name;          /* user or group name, NULL when given by number */
  guint32 number;      /* uid or gid when given by number */
  char *agency;
  char **roles;
  char *position;      /* "file:line:column" of the entry, for later checks */
} Member;

struct _CLActors {
  GHashTable *sees_all;    /* roles declared {sees: all} */
  GPtrArray *agencies;     /* Agency* */
  GHashTable *agency_index;
  GPtrArray *members;      /* Member* */
  GHashTable *identities;  /* uid -> CLIdentity*, filled on demand */
};

static void
agency_free (gpointer p)
{
  Agency *a = p;
  g_free (a->id);
  g_free (a->name);
  g_free (a->kind);
  g_free (a);
}

static void
member_free (gpointer p)
{
  Member *m = p;
  g_free (m->name);
  g_free (m->agency);
  g_strfreev (m->roles);
  g_free (m->position);
  g_free (m);
}

static void
identity_free (gpointer p)
{
  CLIdentity *id = p;
  g_free (id->user);
  g_free (id->agency);
  g_strfreev (id->roles);
  g_free (id);
}

void
cl_actors_free (CLActors *actors)
{
  if (actors == NULL)
    return;
  g_hash_table_unref (actors->sees_all);
  g_ptr_array_unref (actors->agencies);
  g_hash_table_unref (actors->agency_index);
  g_ptr_array_unref (actors->members);
  g_hash_table_unref (actors->identities);
  g_free (actors);
}

static gboolean
agency_id_valid (const char *s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 64)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (!(g_ascii_isalnum (*c) || *c == '-' || *c == '_' || *c == '.'))
      return FALSE;
  return TRUE;
}

static gboolean
agency_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  Agency *a = data;
  const char *s = cl_yaml_get_string (y, v);

  if (s == NULL)
    return TRUE;
  if (g_str_equal (key, "id"))
    {
      if (!agency_id_valid (s))
        cl_yaml_error (y, v, "invalid agency id '%s': letters, digits, '-', '_' and '.' only", s);
      else
        a->id = g_strdup (s);
    }
  else if (g_str_equal (key, "name"))
    a->name = g_strdup (s);
  else if (g_str_equal (key, "kind"))
    a->kind = g_strdup (s);
  else
    cl_yaml_error (y, k, "unknown key '%s' in an agency (allowed: id, name, kind)", key);
  return TRUE;
}

typedef struct {
  Member *m;
  gboolean has_user;
  gboolean has_group;
} MemberCtx;

static gboolean
parse_number (const char *s, guint32 *out)
{
  guint64 v;
  return g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32 - 1, &v, NULL) && (*out = (guint32) v, TRUE);
}

static gboolean
member_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  MemberCtx *mc = data;
  Member *m = mc->m;

  if (g_str_equal (key, "user") || g_str_equal (key, "group"))
    {
      const char *s = cl_yaml_get_string (y, v);
      if (s == NULL)
        return TRUE;
      if (g_str_equal (key, "user"))
        mc->has_user = TRUE;
      else
        mc->has_group = TRUE;
      m->is_group = g_str_equal (key, "group");
      /* both user and group given: an error below, but nothing may leak */
      g_clear_pointer (&m->name, g_free);
      if (parse_number (s, &m->number))
        ;
      else if (*s != '\0' && strspn (s, "0123456789") == strlen (s))
        /* all digits but no uid or gid: no account can be named so */
        cl_yaml_error (y, v, "%s %s is out of range (a number from 0 to %u, or a name)", key, s, G_MAXUINT32 - 1);
      else
        m->name = g_strdup (s);
    }
  else if (g_str_equal (key, "agency"))
    {
      const char *s = cl_yaml_get_string (y, v);
      g_free (m->agency);
      m->agency = g_strdup (s);
    }
  else if (g_str_equal (key, "roles"))
    {
      g_strfreev (m->roles);
      m->roles = cl_yaml_get_strv (y, v);
      for (char **r = m->roles; r != NULL && *r != NULL; r++)
        if (!cl_name_is_valid (*r))
          cl_yaml_error (y, v, "invalid role name '%s'", *r);
    }
  else
    cl_yaml_error (y, k, "unknown key '%s' in a member (allowed: user, group, agency, roles)", key);
  return TRUE;
}

typedef struct {
  CLActors *actors;
  const char *role;
} RoleCtx;

static gboolean
role_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  RoleCtx *rc = data;

  if (g_str_equal (key, "sees"))
    {
      const char *s = cl_yaml_get_string (y, v);
      if (g_strcmp0 (s, "all") == 0)
        g_hash_table_add (rc->actors->sees_all, g_strdup (rc->role));
      else if (g_strcmp0 (s, "party") != 0 && s != NULL)
        cl_yaml_error (y, v, "sees is all or party");
    }
  else
    cl_yaml_error (y, k, "unknown key '%s' in a role (allowed: sees)", key);
  return TRUE;
}

static gboolean
role_entry (CLYaml *y, yaml_node_t *k, const char *role, yaml_node_t *v, gpointer data)
{
  RoleCtx rc = { data, role };

  if (!cl_name_is_valid (role))
    cl_yaml_error (y, k, "invalid role name '%s'", role);
  else if (!cl_yaml_is_map (v))
    cl_yaml_error (y, v, "a role is a map such as {sees: all}");
  else
    cl_yaml_map_foreach (y, v, role_key, &rc);
  return TRUE;
}

static gboolean
top_key (CLYaml *y, yaml_node_t *k, const char *key, yaml_node_t *v, gpointer data)
{
  CLActors *actors = data;

  if (g_str_equal (key, "roles"))
    {
      if (cl_yaml_is_map (v))
        cl_yaml_map_foreach (y, v, role_entry, actors);
      else
        cl_yaml_error (y, v, "roles is a map of role name to {sees: all|party}");
      return TRUE;
    }
  if (!g_str_equal (key, "agencies") && !g_str_equal (key, "members"))
    {
      cl_yaml_error (y, k, "unknown key '%s' (allowed: roles, agencies, members)", key);
      return TRUE;
    }
  if (!cl_yaml_is_seq (v))
    {
      cl_yaml_error (y, v, "%s must be a list", key);
      return TRUE;
    }
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
    {
      yaml_node_t *item = cl_yaml_node (y, *it);

      if (!cl_yaml_is_map (item))
        {
          cl_yaml_error (y, item, "each entry of %s must be a map", key);
          continue;
        }
      if (g_str_equal (key, "agencies"))
        {
          Agency *a = g_new0 (Agency, 1);
          cl_yaml_map_foreach (y, item, agency_key, a);
          if (a->id == NULL)
            {
              cl_yaml_error (y, item, "an agency needs an id");
              agency_free (a);
              continue;
            }
          if (g_hash_table_contains (actors->agency_index, a->id))
            {
              cl_yaml_error (y, item, "duplicate agency id '%s'", a->id);
              agency_free (a);
              continue;
            }
          g_ptr_array_add (actors->agencies, a);
          g_hash_table_insert (actors->agency_index, a->id, a);
        }
      else
        {
          MemberCtx mc = { g_new0 (Member, 1), FALSE, FALSE };
          mc.m->position = g_strdup_printf ("%s:%zu:%zu", y->file, item->start_mark.line + 1,
                                            item->start_mark.column + 1);
          cl_yaml_map_foreach (y, item, member_key, &mc);
          if (mc.has_user == mc.has_group)
            cl_yaml_error (y, item, "a member names exactly one of user or group");
          if (mc.m->roles == NULL)
            mc.m->roles = g_new0 (char *, 1);
          /* agencies may come after members in the file: checked at the end */
          g_ptr_array_add (actors->members, mc.m);
        }
    }
  return TRUE;
}

/* A deployment's agencies and users fit in far less. */
#define MAX_ACTORS_FILE (4 * 1024 * 1024)

CLActors *
cl_actors_load (const char *path, GPtrArray *errors)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  CLYaml y = { 0 };
  g_autoptr(CLActors) actors = g_new0 (CLActors, 1);
  yaml_node_t *root;
  gboolean ok;

  actors->sees_all = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  actors->agencies = g_ptr_array_new_with_free_func (agency_free);
  actors->agency_index = g_hash_table_new (g_str_hash, g_str_equal);
  actors->members = g_ptr_array_new_with_free_func (member_free);
  actors->identities = g_hash_table_new_full (NULL, NULL, NULL, identity_free);

  if (!cl_yaml_read_file (path, MAX_ACTORS_FILE, &data, &len, errors))
    return NULL;
  y.errors = g_ptr_array_new_with_free_func (g_free);
  if (!g_utf8_validate (data, len, NULL))
    g_ptr_array_add (y.errors, g_strdup_printf ("%s:1:1: the file is not valid UTF-8", path));
  else if (cl_yaml_parse (&y, path, data, len))
    {
      root = cl_yaml_root (&y);
      if (!cl_yaml_is_map (root))
        cl_yaml_error (&y, root, "actors.yaml must be a map with keys agencies and members");
      else
        {
          cl_yaml_map_foreach (&y, root, top_key, actors);
          for (guint i = 0; i < actors->members->len; i++)
            {
              Member *m = g_ptr_array_index (actors->members, i);
              if (m->agency != NULL && !g_hash_table_contains (actors->agency_index, m->agency))
                g_ptr_array_add (y.errors, g_strdup_printf ("%s: member %s refers to unknown agency '%s'",
                                                            m->position, m->name ? m->name : "(by number)", m->agency));
            }
        }
    }
  ok = y.errors->len == 0;
  for (guint i = 0; i < y.errors->len; i++)
    g_ptr_array_add (errors, g_strdup (g_ptr_array_index (y.errors, i)));
  cl_yaml_clear (&y);
  return ok ? g_steal_pointer (&actors) : NULL;
}

static gboolean
member_matches (const Member *m, guint32 uid, const char *user, const gid_t *groups, int ngroups)
{
  if (!m->is_group)
    return m->name != NULL ? g_strcmp0 (m->name, user) == 0 : m->number == uid;
  for (int i = 0; i < ngroups; i++)
    {
      if (m->name == NULL)
        {
          if (m->number == groups[i])
            return TRUE;
        }
      else
        {
          struct group *gr = getgrgid (groups[i]);
          if (gr != NULL && g_strcmp0 (gr->gr_name, m->name) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

static CLIdentity *
build_identity (CLActors *actors, guint32 uid)
{
  CLIdentity *id = g_new0 (CLIdentity, 1);
  struct passwd *pw = getpwuid (uid);
  gid_t groups[256];
  int ngroups = G_N_ELEMENTS (groups);
  g_autoptr(GStrvBuilder) roles = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *user_agency = NULL, *group_agency = NULL;

  id->uid = uid;
  id->root = uid == 0;
  id->user = pw != NULL ? g_strdup (pw->pw_name) : g_strdup_printf ("%u", uid);
  if (pw == NULL || getgrouplist (pw->pw_name, pw->pw_gid, groups, &ngroups) < 0)
    {
      ngroups = pw != NULL ? 1 : 0;
      if (pw != NULL)
        groups[0] = pw->pw_gid;
    }
  for (guint i = 0; actors != NULL && i < actors->members->len; i++)
    {
      Member *m = g_ptr_array_index (actors->members, i);
      if (!member_matches (m, uid, id->user, groups, ngroups))
        continue;
      id->known = TRUE;
      if (!m->is_group && user_agency == NULL)
        user_agency = m->agency;
      if (m->is_group && group_agency == NULL)
        group_agency = m->agency;
      for (char **r = m->roles; *r != NULL; r++)
        {
          if (g_hash_table_add (seen, *r))
            g_strv_builder_add (roles, *r);
          if (g_hash_table_contains (actors->sees_all, *r))
            id->sees_all = TRUE;
        }
    }
  if (id->root)
    id->known = id->sees_all = TRUE;
  id->agency = g_strdup (user_agency ? user_agency : group_agency ? group_agency : "");
  id->roles = g_strv_builder_end (roles);
  return id;
}

const CLIdentity *
cl_actors_identify (CLActors *actors, guint32 uid)
{
  static GHashTable *no_actors;
  GHashTable *cache;
  CLIdentity *id;

  if (actors == NULL)
    {
      if (no_actors == NULL)
        no_actors = g_hash_table_new_full (NULL, NULL, NULL, identity_free);
      cache = no_actors;
    }
  else
    cache = actors->identities;
  id = g_hash_table_lookup (cache, GUINT_TO_POINTER (uid));
  if (id == NULL)
    {
      id = build_identity (actors, uid);
      g_hash_table_insert (cache, GUINT_TO_POINTER (uid), id);
    }
  return id;
}

gboolean
cl_actors_agency_known (CLActors *actors, const char *id)
{
  return actors != NULL && g_hash_table_contains (actors->agency_index, id);
}

GPtrArray *
cl_actors_agency_ids (CLActors *actors)
{
  GPtrArray *ids = g_ptr_array_new ();
  for (guint i = 0; actors != NULL && i < actors->agencies->len; i++)
    g_ptr_array_add (ids, ((Agency *) g_ptr_array_index (actors->agencies, i))->id);
  return ids;
}

gboolean
cl_actors_role_sees_all (CLActors *actors, const char *role)
{
  return actors != NULL && g_hash_table_contains (actors->sees_all, role);
}

gboolean
cl_actors_role_held (CLActors *actors, const char *role)
{
  for (guint i = 0; actors != NULL && i < actors->members->len; i++)
    {
      Member *m = g_ptr_array_index (actors->members, i);
      if (g_strv_contains ((const char *const *) m->roles, role))
        return TRUE;
    }
  return FALSE;
}

gboolean
cl_identity_has_role (const CLIdentity *id, const char *role)
{
  return id->root || g_strv_contains ((const char *const *) id->roles, role);
}

const char *
cl_identity_pick_role (const CLIdentity *id, const char *const *allowed)
{
  if (allowed == NULL || allowed[0] == NULL)
    return NULL;
  for (const char *const *r = allowed; *r != NULL; r++)
    if (g_strv_contains ((const char *const *) id->roles, *r))
      return *r;
  return id->root ? allowed[0] : NULL;
}

gboolean
cl_identity_is_admin (const CLIdentity *id)
{
  return id->root || g_strv_contains ((const char *const *) id->roles, "admin");
}
