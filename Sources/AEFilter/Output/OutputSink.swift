import AEFilterCore

/// Where a run's results go, and when each is written: under `-o DIR` by the
/// worker that finished it, or on one stream in input order at delivery.
/// With `--on-error stop` a folder's files too are written at delivery, so
/// that none after the first bad input is written.
enum OutputSink {
    case folder(FolderOutput)
    case stream(StreamOutput)

    /// The folder outputs go under, which no input is read from.
    var folder: FolderOutput? {
        if case .folder(let folder) = self { return folder }
        return nil
    }

    /// What the worker that finished a result does with it: writes a
    /// folder's file, unless `policy` is `stop`.
    func onWorker(policy: ErrorPolicy) -> @Sendable (Outcome) -> Outcome {
        guard case .folder(let folder) = self, policy != .stop else { return { $0 } }
        return { outcome in
            Outcome(
                origin: outcome.origin,
                result: outcome.result.flatMap { bytes in
                    Result {
                        try folder.store(bytes, for: outcome.origin)
                        return []
                    }
                })
        }
    }

    /// At delivery, in input order: writes what is still to be written and
    /// hands each failure to `failed`. `delivered` counts the results taken;
    /// throws ``StoppedAtError`` at the first failure under `stop`.
    func deliver(
        _ batch: [Outcome], policy: ErrorPolicy, delivered: inout Int, failed: (Outcome, any Error) -> Void
    ) throws {
        switch self {
        case .stream(let stream):
            var failures = 0
            let taken = try stream.write(batch, policy: policy) { outcome, error in
                failures += 1
                failed(outcome, error)
            }
            delivered += taken
            if taken < batch.count || (policy == .stop && failures > 0) { throw StoppedAtError() }
        case .folder(let folder):
            for outcome in batch {
                delivered += 1
                var result = outcome.result
                if policy == .stop, case .success(let bytes) = result {
                    result = Result { try folder.store(bytes, for: outcome.origin) }.map { [] }
                }
                guard case .failure(let error) = result else { continue }
                failed(Outcome(origin: outcome.origin, result: result), error)
                if policy == .stop { throw StoppedAtError() }
            }
        }
    }

    /// Completes a stream (its trailer; a file output appears).
    func finish() throws {
        if case .stream(let stream) = self { try stream.finish() }
    }
}
