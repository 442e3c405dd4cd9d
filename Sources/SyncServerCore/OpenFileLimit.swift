#if canImport(Glibc)
    import Glibc
#endif

/// Connections and open lab files (three descriptors each: file, WAL, shared memory) need more
/// descriptors than the usual soft limit of 1,024 allows (`--max-connections` 512 plus
/// `--max-open-labs` 256): the server raises its soft limit to the hard one, at most 65,536, as the
/// systemd unit of docs/OPERATIONS.md does with `LimitNOFILE`. (`ozg-bench` raises it all the way.)
public enum OpenFileLimit {
    public static func raise(upTo wanted: rlim_t = 65_536) {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return }
        let target = min(limit.rlim_max, wanted)
        guard limit.rlim_cur < target else { return }
        limit.rlim_cur = target
        _ = setrlimit(resource, &limit)
    }
}
