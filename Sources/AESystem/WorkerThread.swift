import Glibc

/// A joinable POSIX thread running one closure.
@usableFromInline
package struct WorkerThread {
    private let thread: pthread_t

    @usableFromInline
    package init(_ body: @escaping @Sendable () -> Void) {
        do {
            self = try Self.start(body)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    private init(thread: pthread_t) { self.thread = thread }

    /// A new thread running `body`, or ``StartError`` when the system has
    /// none to give (a limit on processes or memory).
    @usableFromInline
    package static func start(_ body: @escaping @Sendable () -> Void) throws(StartError) -> WorkerThread {
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
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw StartError(status: status)
        }
        return WorkerThread(thread: thread)
    }

    /// Why a thread could not start.
    @usableFromInline
    package struct StartError: Error, CustomStringConvertible {
        package let status: Int32
        @usableFromInline package var description: String {
            "cannot start a thread: \(String(cString: strerror(status)))"
        }
    }

    @usableFromInline
    package func join() { pthread_join(thread, nil) }

    /// Lets the thread end on its own; it is never joined.
    @usableFromInline
    package func detach() { pthread_detach(thread) }
}
