/// The version of the programs (shell and server), as `--version` prints it and the Debian packages
/// carry it. `scripts/release.sh` reads it from this line; raise it with every release.
public enum ProductVersion {
    public static let current = "0.1.0"
}
