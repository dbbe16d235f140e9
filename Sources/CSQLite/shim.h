#include <sqlite3.h>

// Extended result codes are macro expressions Swift cannot import.
static const int csqlite_constraint_unique = SQLITE_CONSTRAINT_UNIQUE;
static const int csqlite_constraint_primarykey = SQLITE_CONSTRAINT_PRIMARYKEY;
static const int csqlite_constraint_foreignkey = SQLITE_CONSTRAINT_FOREIGNKEY;

// Process-wide settings; must run before the first connection opens.
// - SQLite's memory statistics take a global mutex on every allocation; we never read them.
// - No page cache starts with 20 pages allocated in one block (SQLITE_DEFAULT_PCACHE_INITSZ,
//   ~86 KB a connection whether it reads or not): telephony keeps 34 connections open, most
//   idle (issue 30). Pages are allocated as they are read instead.
static inline int csqlite_configure_process(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}

// Calls `callback(context, pages)` after each commit with the WAL's size in pages;
// replaces SQLite's automatic checkpoint on that connection.
typedef void (*csqlite_wal_callback)(void *context, int pages);

struct csqlite_wal_hook_target {
    csqlite_wal_callback callback;
    void *context;
};

static inline int csqlite_wal_trampoline(void *target, sqlite3 *db, const char *name, int pages) {
    (void)db;
    (void)name;
    struct csqlite_wal_hook_target *t = (struct csqlite_wal_hook_target *)target;
    t->callback(t->context, pages);
    return SQLITE_OK;
}

/// `target` must outlive the connection.
static inline void csqlite_set_wal_hook(sqlite3 *db, struct csqlite_wal_hook_target *target) {
    sqlite3_wal_hook(db, csqlite_wal_trampoline, target);
}
