import Glibc

/// Waiting for a descriptor without ignoring SIGINT and SIGTERM: system calls
/// restart after the stop handlers run, so a blocked read, write or open
/// would never notice a stop. These wait in slices of 100 ms instead.
public enum Waiting {
    /// Waits until `fd` is ready for `events` (`POLLIN`, `POLLOUT`); false
    /// when a stop was requested first.
    public static func until(_ fd: Int32, is events: Int32) -> Bool {
        while true {
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, 100)
            if ready > 0 { return true }
            if StopSignal.requested() { return false }
            if ready < 0, errno != EINTR { return true }  // let the read or write report it
        }
    }

    /// Opens `path` for reading without blocking on a FIFO that has no writer
    /// yet; reads from it then wait with ``until(_:is:)``.
    public static func openForReading(_ path: String) -> Int32 {
        Path.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    }

    /// Opens `name` in `folder` for writing; a FIFO without a reader is
    /// retried every 100 ms until one comes or a stop is requested.
    public static func openForWriting(_ name: String, in folder: Int32) throws(FileError) -> Int32 {
        while true {
            let fd = Path.withCString(name) { openat(folder, $0, O_WRONLY | O_CLOEXEC | O_NONBLOCK) }
            if fd >= 0 { return fd }
            guard errno == ENXIO else { throw FileError(path: name, errno: errno) }
            if StopSignal.requested() { throw FileError(path: name, reason: "interrupted while waiting for a reader") }
            usleep(100_000)
        }
    }

    /// The error for a read or write given up because a stop was requested.
    public static func interrupted(_ name: String) -> FileError {
        FileError(path: name, reason: "interrupted")
    }
}
