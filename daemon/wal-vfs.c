/* wal-vfs.c — one write per commit to the write-ahead log (see the header). */
#define G_LOG_DOMAIN "caselink-store"

#include "wal-vfs.h"

#include <sqlite3.h>
#include <string.h>

#define VFS_NAME "caselink-wal"
/* Gathered bytes are written before they pass this: the default VFS
 * writes at most 128 KiB - 1 per call (it masks the length to 17 bits, and
 * SQLite itself never writes more than a page), so a longer write would
 * fail. A group commit of 16 changes takes three or four writes. */
#define GATHER_MAX (124 * 1024)
/* SQLite's frame header: page number, then the database size in pages,
 * which is zero on every frame but a commit's last. */
#define FRAME_HEADER 24

typedef struct LayerFile LayerFile;

struct LayerFile {
  sqlite3_file base;
  sqlite3_file *real;      /* the default VFS's file, in the same allocation */
  /* on a log */
  gboolean is_log;
  LayerFile *db;           /* the database file this log belongs to */
  char *buf;               /* gathered writes: bytes [off, off + len) */
  gsize len;
  sqlite3_int64 off;
  sqlite3_int64 end;       /* the log's end as written here since it started over */
  sqlite3_int64 commit_page; /* where a commit frame's page follows, or -1 */
  /* on a database file: its open log */
  LayerFile *log;
};

static sqlite3_vfs *real_vfs;
static gint log_writes;

/* Writes what is gathered. The bytes are gone either way: they are always
 * frames of the transaction being written, which a failed write fails
 * (SQLite rolls it back), and kept they would be retried at every later
 * lock, failing reads too, or land over frames written since. */
static int
write_gathered (LayerFile *f)
{
  int rc;

  if (f->len == 0)
    return SQLITE_OK;
  rc = f->real->pMethods->xWrite (f->real, f->buf, (int) f->len, f->off);
  f->len = 0;
  if (rc == SQLITE_OK)
    g_atomic_int_inc (&log_writes);
  return rc;
}

static int
write_through (LayerFile *f, const void *data, int amt, sqlite3_int64 ofs)
{
  int rc = f->real->pMethods->xWrite (f->real, data, amt, ofs);

  if (rc == SQLITE_OK)
    g_atomic_int_inc (&log_writes);
  return rc;
}

static int
layer_close (sqlite3_file *file)
{
  LayerFile *f = (LayerFile *) file;
  int rc = SQLITE_OK;

  if (f->is_log)
    {
      rc = write_gathered (f);
      if (f->db != NULL && f->db->log == f)
        f->db->log = NULL;
      g_free (f->buf);
    }
  else if (f->log != NULL)
    f->log->db = NULL;
  int rc2 = f->real->pMethods->xClose (f->real);
  return rc != SQLITE_OK ? rc : rc2;
}

static int
layer_read (sqlite3_file *file, void *out, int amt, sqlite3_int64 ofs)
{
  LayerFile *f = (LayerFile *) file;
  int rc = write_gathered (f);

  return rc != SQLITE_OK ? rc : f->real->pMethods->xRead (f->real, out, amt, ofs);
}

/* A 24-byte write whose database size is not zero: a commit frame's header */
static gboolean
is_commit_header (const void *data, int amt)
{
  const guint8 *p = data;

  return amt == FRAME_HEADER && (p[4] | p[5] | p[6] | p[7]) != 0;
}

static int
log_write (LayerFile *f, const void *data, int amt, sqlite3_int64 ofs)
{
  gboolean completes_commit = f->commit_page >= 0 && ofs == f->commit_page;
  int rc;

  /* the log's header, written when it starts over */
  if (ofs == 0)
    f->end = 0;
  /* Only appends are gathered. A write before the end rewrites what is
   * there (a page changed again in the same transaction, the checksums
   * SQLite then rewrites, the commit frame's header among them) and goes
   * to the file at once, after what was gathered before it: nothing it
   * writes is left for a lock or a barrier, which cannot report errors. */
  if (ofs < f->end || (gsize) amt > GATHER_MAX)
    {
      f->commit_page = -1;
      rc = write_gathered (f);
      return rc != SQLITE_OK ? rc : write_through (f, data, amt, ofs);
    }
  f->commit_page = is_commit_header (data, amt) ? ofs + amt : -1;
  f->end = ofs + amt;
  /* only a write that continues the gathered bytes joins them */
  if (f->len > 0 && (ofs != f->off + (sqlite3_int64) f->len || f->len + (gsize) amt > GATHER_MAX))
    {
      rc = write_gathered (f);
      if (rc != SQLITE_OK)
        return rc;
    }
  if (f->len == 0)
    f->off = ofs;
  if (f->buf == NULL)
    f->buf = g_malloc (GATHER_MAX);
  memcpy (f->buf + f->len, data, (gsize) amt);
  f->len += (gsize) amt;
  if (!completes_commit)
    return SQLITE_OK;
  /* The commit is complete: it reaches the file before SQLite publishes
   * it. A failure fails the commit. */
  return write_gathered (f);
}

static int
layer_write (sqlite3_file *file, const void *data, int amt, sqlite3_int64 ofs)
{
  LayerFile *f = (LayerFile *) file;

  if (f->is_log)
    return log_write (f, data, amt, ofs);
  return f->real->pMethods->xWrite (f->real, data, amt, ofs);
}

static int
layer_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  LayerFile *f = (LayerFile *) file;
  int rc = write_gathered (f);

  if (f->end > size)
    f->end = size;
  return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate (f->real, size);
}

static int
layer_sync (sqlite3_file *file, int flags)
{
  LayerFile *f = (LayerFile *) file;
  int rc = write_gathered (f);

  return rc != SQLITE_OK ? rc : f->real->pMethods->xSync (f->real, flags);
}

static int
layer_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  LayerFile *f = (LayerFile *) file;
  int rc = write_gathered (f);

  return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize (f->real, size);
}

static int
layer_lock (sqlite3_file *file, int level)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xLock (f->real, level);
}

static int
layer_unlock (sqlite3_file *file, int level)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xUnlock (f->real, level);
}

static int
layer_check_reserved (sqlite3_file *file, int *out)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xCheckReservedLock (f->real, out);
}

static int
layer_file_control (sqlite3_file *file, int op, void *arg)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xFileControl (f->real, op, arg);
}

static int
layer_sector_size (sqlite3_file *file)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xSectorSize (f->real);
}

static int
layer_device_characteristics (sqlite3_file *file)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xDeviceCharacteristics (f->real);
}

/* The shared-index calls arrive on the database file. Whatever its log
 * gathered is written before a lock changes or a barrier passes: SQLite
 * publishes a commit between the two halves of a barrier, so no other
 * connection can learn of frames not yet in the file. (The commit frame
 * normally wrote them already; this holds even if it did not.) */
static int
write_log_of (LayerFile *db)
{
  return db->log != NULL ? write_gathered (db->log) : SQLITE_OK;
}

static int
layer_shm_map (sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xShmMap (f->real, region, size, extend, out);
}

static int
layer_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  LayerFile *f = (LayerFile *) file;
  int rc = write_log_of (f);

  /* an unlock always goes through: a lock must never be left behind */
  if (rc != SQLITE_OK && (flags & SQLITE_SHM_LOCK))
    return rc;
  return f->real->pMethods->xShmLock (f->real, offset, n, flags);
}

static void
layer_shm_barrier (sqlite3_file *file)
{
  LayerFile *f = (LayerFile *) file;

  /* Never reached with bytes gathered: a commit writes them before SQLite
   * publishes it, and rewrites go straight to the file. There is no way to
   * report a failure here, so it is at least logged. */
  if (write_log_of (f) != SQLITE_OK)
    g_critical ("cannot write the database log at a barrier: a transaction's frames were lost");
  f->real->pMethods->xShmBarrier (f->real);
}

static int
layer_shm_unmap (sqlite3_file *file, int delete_flag)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xShmUnmap (f->real, delete_flag);
}

static int
layer_fetch (sqlite3_file *file, sqlite3_int64 ofs, int amt, void **out)
{
  LayerFile *f = (LayerFile *) file;

  if (f->is_log)
    {
      /* never asked of a log; if it were, it must see every write */
      int rc = write_gathered (f);
      if (rc != SQLITE_OK)
        return rc;
    }
  return f->real->pMethods->xFetch (f->real, ofs, amt, out);
}

static int
layer_unfetch (sqlite3_file *file, sqlite3_int64 ofs, void *p)
{
  LayerFile *f = (LayerFile *) file;

  return f->real->pMethods->xUnfetch (f->real, ofs, p);
}

/* One table per version the default VFS's file speaks, so SQLite never
 * calls a method its file lacks. */
#define LAYER_METHODS(version)                                                                         \
  {                                                                                                    \
    version, layer_close, layer_read, layer_write, layer_truncate, layer_sync, layer_file_size,        \
      layer_lock, layer_unlock, layer_check_reserved, layer_file_control, layer_sector_size,           \
      layer_device_characteristics, layer_shm_map, layer_shm_lock, layer_shm_barrier, layer_shm_unmap, \
      layer_fetch, layer_unfetch                                                                       \
  }
static const sqlite3_io_methods layer_methods[4] = {
  LAYER_METHODS (0), LAYER_METHODS (1), LAYER_METHODS (2), LAYER_METHODS (3),
};

static gboolean
is_layer_file (const sqlite3_file *file)
{
  for (guint i = 0; i < G_N_ELEMENTS (layer_methods); i++)
    if (file->pMethods == &layer_methods[i])
      return TRUE;
  return FALSE;
}

static gsize
real_offset (void)
{
  return (sizeof (LayerFile) + 15) & ~(gsize) 15;
}

static int
layer_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  LayerFile *f = (LayerFile *) file;
  int rc;

  (void) vfs;
  memset (f, 0, sizeof *f);
  f->real = (sqlite3_file *) ((char *) file + real_offset ());
  f->commit_page = -1;
  rc = real_vfs->xOpen (real_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK)
    {
      /* SQLite closes only what carries methods: ours stay unset */
      if (f->real->pMethods != NULL)
        f->real->pMethods->xClose (f->real);
      return rc;
    }
  if ((flags & SQLITE_OPEN_WAL) && name != NULL)
    {
      LayerFile *db = (LayerFile *) sqlite3_database_file_object (name);

      f->is_log = TRUE;
      /* a database file opened by another VFS has no link to keep */
      if (db != NULL && is_layer_file (&db->base))
        {
          f->db = db;
          db->log = f;
        }
    }
  f->base.pMethods = &layer_methods[CLAMP (f->real->pMethods->iVersion, 0, 3)];
  return SQLITE_OK;
}

/* The rest is the default VFS's, called with its own pointer. */
static int
layer_delete (sqlite3_vfs *vfs, const char *name, int sync_dir)
{
  (void) vfs;
  return real_vfs->xDelete (real_vfs, name, sync_dir);
}

static int
layer_access (sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
  (void) vfs;
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
layer_full_pathname (sqlite3_vfs *vfs, const char *name, int n, char *out)
{
  (void) vfs;
  return real_vfs->xFullPathname (real_vfs, name, n, out);
}

static void *
layer_dl_open (sqlite3_vfs *vfs, const char *name)
{
  (void) vfs;
  return real_vfs->xDlOpen (real_vfs, name);
}

static void
layer_dl_error (sqlite3_vfs *vfs, int n, char *out)
{
  (void) vfs;
  real_vfs->xDlError (real_vfs, n, out);
}

static void (*layer_dl_sym (sqlite3_vfs *vfs, void *handle, const char *sym)) (void)
{
  (void) vfs;
  return real_vfs->xDlSym (real_vfs, handle, sym);
}

static void
layer_dl_close (sqlite3_vfs *vfs, void *handle)
{
  (void) vfs;
  real_vfs->xDlClose (real_vfs, handle);
}

static int
layer_randomness (sqlite3_vfs *vfs, int n, char *out)
{
  (void) vfs;
  return real_vfs->xRandomness (real_vfs, n, out);
}

static int
layer_sleep (sqlite3_vfs *vfs, int us)
{
  (void) vfs;
  return real_vfs->xSleep (real_vfs, us);
}

static int
layer_current_time (sqlite3_vfs *vfs, double *out)
{
  (void) vfs;
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
layer_get_last_error (sqlite3_vfs *vfs, int n, char *out)
{
  (void) vfs;
  return real_vfs->xGetLastError != NULL ? real_vfs->xGetLastError (real_vfs, n, out) : 0;
}

static int
layer_current_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *out)
{
  double now;
  int rc;

  (void) vfs;
  if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64 != NULL)
    return real_vfs->xCurrentTimeInt64 (real_vfs, out);
  rc = real_vfs->xCurrentTime (real_vfs, &now);
  *out = (sqlite3_int64) (now * 86400000.0);
  return rc;
}

static sqlite3_vfs layer_vfs = {
  .iVersion = 2,
  .zName = VFS_NAME,
  .xOpen = layer_open,
  .xDelete = layer_delete,
  .xAccess = layer_access,
  .xFullPathname = layer_full_pathname,
  .xDlOpen = layer_dl_open,
  .xDlError = layer_dl_error,
  .xDlSym = layer_dl_sym,
  .xDlClose = layer_dl_close,
  .xRandomness = layer_randomness,
  .xSleep = layer_sleep,
  .xCurrentTime = layer_current_time,
  .xGetLastError = layer_get_last_error,
  .xCurrentTimeInt64 = layer_current_time_int64,
};

const char *
cl_wal_vfs_name (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      gsize ok = 1;

      /* Over SQLite's own POSIX VFS only: its files have every method this
       * layer passes on (shared memory included), and its write semantics
       * are the ones described above. Anything else is used as it is. */
      real_vfs = sqlite3_vfs_find (NULL);
      if (real_vfs == NULL || g_strcmp0 (real_vfs->zName, "unix") != 0)
        ok = 2;
      else
        {
          layer_vfs.szOsFile = (int) (real_offset () + (gsize) real_vfs->szOsFile);
          layer_vfs.mxPathname = real_vfs->mxPathname;
          if (sqlite3_vfs_register (&layer_vfs, 0) != SQLITE_OK)
            ok = 2;
        }
      g_once_init_leave (&registered, ok);
    }
  return registered == 1 ? VFS_NAME : NULL;
}

guint
cl_wal_vfs_log_writes (void)
{
  return (guint) g_atomic_int_get (&log_writes);
}
