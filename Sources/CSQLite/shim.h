#include <sqlite3.h>

// Extended result codes are macro expressions Swift cannot import.
static const int csqlite_constraint_unique = SQLITE_CONSTRAINT_UNIQUE;
static const int csqlite_constraint_primarykey = SQLITE_CONSTRAINT_PRIMARYKEY;
static const int csqlite_constraint_foreignkey = SQLITE_CONSTRAINT_FOREIGNKEY;

// SQLite's memory statistics take a global mutex on every allocation; we never read
// them. Must run before the first connection opens.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
