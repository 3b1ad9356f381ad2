//  Runs a stage over a stream of records on several threads:
//
//     source ─▶ batches ─▶ worker 1..N (stage.processBatch, finish) ─▶ in order ─▶ deliver
//
//  One thread reads the source, N workers run the stage on whole batches, and
//  the calling thread delivers the batches in input order. At most
//  `maxInFlight` batches exist at once, each of at most `batchSize` records
//  and `maxBatchWeight` bytes (plus one record), so memory is bounded however
//  long the stream, and a slow consumer slows the source down instead of
//  growing queues.

import AESystem

/// Runs a stage concurrently, in batches, delivering results in input order.
public struct OrderedRunner<S: Stage>: Sendable where S.Input: Sendable {
    public var stage: S
    public var workers: Int
    public var batchSize: Int
    public var maxInFlight: Int
    /// A batch ends once its records weigh this much (by `run`'s `weight`),
    /// so that records holding their bytes (a stream's images) bound memory
    /// by size as well as by count.
    public var maxBatchWeight = Int.max

    /// `maxInFlight` defaults to two batches per worker.
    public init(stage: S, workers: Int, batchSize: Int, maxInFlight: Int? = nil) {
        self.stage = stage
        self.workers = max(1, workers)
        self.batchSize = max(1, batchSize)
        self.maxInFlight = max(1, maxInFlight ?? 2 * self.workers)
    }

    /// Pulls `(tag, input)` records from `source`, runs the stage, passes each
    /// result through `finish` on the worker, and hands every batch of finished
    /// results to `deliver` on the calling thread, in source order. An error
    /// thrown by `deliver` stops the run and is rethrown.
    ///
    /// Once `shouldStop` says so, a batch a worker has begun is finished, and
    /// of the batches queued behind it only the records `keepWhenStopping`
    /// wants are run (the filter keeps images already read, and drops paths
    /// not yet opened); so what is delivered stays a prefix of the input.
    /// (Inlinable, so that the per-item work is specialised for the caller's stage.)
    @inlinable
    public func run<Source: RecordSource & SendableMetatype, Tag, Finished: Sendable>(
        source: consuming Source,
        finish: @escaping @Sendable (Tag, Result<S.Output, any Error>) -> Finished,
        deliver: ([Finished]) throws -> Void,
        shouldStop: @escaping @Sendable () -> Bool = { false },
        keepWhenStopping: @escaping @Sendable (S.Input) -> Bool = { _ in true },
        weight: @escaping @Sendable (S.Input) -> Int = { _ in 0 }
    ) throws where Source.Record == (Tag, S.Input) {
        let state = RunState<(Tag, S.Input), Finished>()
        let producer = Shared(source)
        let batchSize = self.batchSize
        let maxInFlight = self.maxInFlight
        let maxBatchWeight = self.maxBatchWeight
        let stage = self.stage

        let reader = try WorkerThread.start {
            var sequence = 0
            var batch: [(Tag, S.Input)] = []
            var ended = false
            while !ended {
                batch.reserveCapacity(batchSize)
                var batchWeight = 0
                while batch.count < batchSize && batchWeight < maxBatchWeight {
                    if !batch.isEmpty, producer.value.isWaiting() { break }
                    guard let record = producer.value.next() else {
                        ended = true
                        break
                    }
                    batchWeight += weight(record.1)
                    batch.append(record)
                }
                if batch.isEmpty { break }
                guard state.submit(sequence, Unchecked(batch), limit: maxInFlight) else { break }
                sequence += 1
                batch = []
            }
            state.finishInput(batches: sequence)
        }
        // The reader, then as many workers as the system gives (a limit on
        // processes may refuse some), at least one.
        var threads: [WorkerThread] = []
        var refusal: WorkerThread.StartError?
        for _ in 0..<workers {
            do {
                threads.append(
                    try WorkerThread.start {
                        while let (sequence, batch) = state.takeWork() {
                            var records = batch.value
                            if shouldStop() { records = records.filter { keepWhenStopping($0.1) } }
                            let results = stage.processBatch(records.map(\.1))
                            let finished = zip(records, results).map { finish($0.0, $1) }
                            state.complete(sequence, finished)
                        }
                    })
            } catch {
                refusal = error
                break
            }
        }
        if threads.isEmpty, let refusal {
            state.cancel()
            reader.detach()
            throw refusal
        }
        var sequence = 0
        do {
            while let finished = state.takeResult(sequence) {
                try deliver(finished)
                sequence += 1
            }
        } catch {
            // The reader may be blocked on input that never comes; it is left
            // behind, as the caller is about to end.
            state.cancel()
            reader.detach()
            for thread in threads { thread.join() }
            throw error
        }
        reader.join()
        for thread in threads { thread.join() }
    }
}

/// A value moved to another thread by a runner that guarantees one owner at a time.
@usableFromInline
struct Unchecked<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

/// A mutable value used by one thread at a time.
@usableFromInline
final class Shared<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

/// The runner's shared state: the work queue, finished batches, the in-flight count.
@usableFromInline
final class RunState<Record, Finished>: @unchecked Sendable {
    private let lock = Lock()
    private var work: [(Int, Unchecked<[Record]>)] = []
    private var workHead = 0
    private var done: [Int: [Finished]] = [:]
    private var inFlight = 0
    private var totalBatches: Int?
    private var cancelled = false

    @usableFromInline init() {}

    /// Queues a batch, waiting while `limit` batches are in flight. False once cancelled.
    @usableFromInline
    func submit(_ sequence: Int, _ batch: Unchecked<[Record]>, limit: Int) -> Bool {
        lock.locked {
            while inFlight >= limit && !cancelled { lock.wait() }
            guard !cancelled else { return false }
            inFlight += 1
            work.append((sequence, batch))
            lock.broadcast()
            return true
        }
    }

    @usableFromInline
    func finishInput(batches: Int) {
        lock.locked {
            totalBatches = batches
            lock.broadcast()
        }
    }

    /// The next batch to work on, or nil when there will be no more.
    @usableFromInline
    func takeWork() -> (Int, Unchecked<[Record]>)? {
        lock.locked {
            while workHead == work.count && totalBatches == nil && !cancelled { lock.wait() }
            guard workHead < work.count, !cancelled else { return nil }
            let item = work[workHead]
            // The slot lets go of its records now: taken slots are dropped
            // only in bulk, and would otherwise keep 64 batches of a
            // stream's images alive.
            work[workHead].1 = Unchecked([])
            workHead += 1
            if workHead > 64 && workHead * 2 > work.count {
                work.removeFirst(workHead)
                workHead = 0
            }
            return item
        }
    }

    @usableFromInline
    func complete(_ sequence: Int, _ finished: [Finished]) {
        lock.locked {
            done[sequence] = finished
            lock.broadcast()
        }
    }

    /// Batch `sequence`'s results once finished, or nil after the last batch.
    @usableFromInline
    func takeResult(_ sequence: Int) -> [Finished]? {
        lock.locked {
            while done[sequence] == nil && (totalBatches.map { sequence < $0 } ?? true) { lock.wait() }
            guard let finished = done.removeValue(forKey: sequence) else { return nil }
            inFlight -= 1
            lock.broadcast()
            return finished
        }
    }

    @usableFromInline
    func cancel() {
        lock.locked {
            cancelled = true
            lock.broadcast()
        }
    }
}
