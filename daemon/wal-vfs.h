/* wal-vfs.h — a thin layer over SQLite's default VFS that hands each
 * commit's frames to the write-ahead log in one write.
 *
 * SQLite writes a frame as two write() calls (its 24-byte header, then the
 * page), so a change touching a dozen pages makes two dozen system calls;
 * on a virtual machine each costs several microseconds, more than the
 * frames' bytes. This layer gathers consecutive appends to a "-wal" file
 * in memory and writes them at once when the commit frame (the one whose
 * header carries the database size) is complete, before SQLite publishes
 * the commit in the shared index. Nothing else changes: a commit reaches
 * the file (the page cache) before any connection can see it, and is
 * durable exactly when it was before (the sync that follows). A write
 * before the log's end (a rewrite) goes to the file at once; every other
 * operation on the log (read, sync, size, truncate, close, a lock or
 * barrier on the shared index) first writes what is gathered, so SQLite
 * never sees the file differ from what it wrote. A failed write fails the
 * transaction that needed it, as a failed write() would, and what was
 * gathered for it is dropped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The layer's VFS name, for sqlite3_open_v2(); registered (not as the
 * default) on the first call. NULL (use SQLite's default as it is) when
 * the default VFS is not SQLite's own "unix". */
const char *cl_wal_vfs_name (void);

/* Writes this layer has made to log files so far (all connections). */
guint cl_wal_vfs_log_writes (void);

G_END_DECLS
