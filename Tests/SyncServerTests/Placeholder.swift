// The server's tests arrive with the server (see the sync server issue); this target exists so the
// package layout is complete and CI's command does not change when they land.
