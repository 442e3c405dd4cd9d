#ifndef OZG_CSQLITE_SHIM_H
#define OZG_CSQLITE_SHIM_H

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type ozg_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
