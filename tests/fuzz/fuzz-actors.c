/* fuzz-actors.c — actors.yaml (daemon/actors.c) on arbitrary bytes.
 *
 * cl_actors_load() reads a path, so the input goes into an anonymous memfd
 * and the loader opens it as /proc/self/fd/N: nothing touches the disk and
 * nothing is added to daemon/. A loaded file is then asked what caselinkd
 * asks it: identities (root, the running user, an unknown uid), roles and
 * agencies. */
#include "fuzz.h"

#include "actors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int input_fd = -1;
static char input_path[64];

static void
put_input (const uint8_t *data, size_t size)
{
  size_t done = 0;

  if (input_fd < 0)
    {
      input_fd = memfd_create ("fuzz-actors.yaml", MFD_CLOEXEC);
      if (input_fd < 0)
        {
          perror ("memfd_create");
          abort ();
        }
      g_snprintf (input_path, sizeof input_path, "/proc/self/fd/%d", input_fd);
    }
  if (ftruncate (input_fd, 0) != 0)
    abort ();
  while (done < size)
    {
      ssize_t n = pwrite (input_fd, data + done, size - done, (off_t) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        abort ();
      done += (size_t) n;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(CLActors) actors = NULL;

  cl_fuzz_init ();
  put_input (data, size);
  errors = g_ptr_array_new_with_free_func (g_free);
  actors = cl_actors_load (input_path, errors);
  if (actors == NULL)
    {
      g_assert_cmpuint (errors->len, >, 0);
      return 0;
    }
  g_assert_cmpuint (errors->len, ==, 0);

  {
    static const guint32 uids[] = { 0, 1, 65534, 4000000000u };
    static const char *const allowed[] = { "agency_head", "clerk", "admin", NULL };
    g_autoptr(GPtrArray) ids = cl_actors_agency_ids (actors);

    for (guint i = 0; i < G_N_ELEMENTS (uids) + 1; i++)
      {
        guint32 uid = i < G_N_ELEMENTS (uids) ? uids[i] : (guint32) getuid ();
        const CLIdentity *id = cl_actors_identify (actors, uid);
        g_assert_nonnull (id);
        g_assert_nonnull (id->roles);
        g_assert_nonnull (id->agency);
        /* the second lookup is served from the cache */
        g_assert_true (cl_actors_identify (actors, uid) == id);
        (void) cl_identity_has_role (id, "clerk");
        (void) cl_identity_pick_role (id, allowed);
        (void) cl_identity_is_admin (id);
        if (*id->agency != '\0')
          g_assert_true (cl_actors_agency_known (actors, id->agency));
      }
    for (guint i = 0; i < ids->len; i++)
      g_assert_true (cl_actors_agency_known (actors, g_ptr_array_index (ids, i)));
    (void) cl_actors_role_held (actors, "agency_head");
    (void) cl_actors_agency_known (actors, "");
  }
  return 0;
}
