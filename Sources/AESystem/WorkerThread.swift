import Glibc

/// A joinable POSIX thread running one closure.
@usableFromInline
package struct WorkerThread {
    private let thread: pthread_t

    @usableFromInline
    package init(_ body: @escaping @Sendable () -> Void) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { context in
                let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                box.body()
                return nil
            }, context)
        precondition(status == 0, "cannot start a thread: \(String(cString: strerror(status)))")
        self.thread = thread
    }

    @usableFromInline
    package func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own; it is never joined.
    @usableFromInline
    package func detach() { pthread_detach(thread) }
}
