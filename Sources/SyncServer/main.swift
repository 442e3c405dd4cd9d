// Placeholder until the server issue: the executable exists so the package layout is complete.
print("ozg-sync-server: noch nicht gebaut.")
