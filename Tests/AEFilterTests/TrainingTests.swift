import AEData
import AEFilter
import AEFilterCore
import AETraining
import TestSupport
import Testing

extension OpenBLASSuites {
    /// Training on the real Fashion-MNIST data, kept short.
    @Suite(.needsData) struct TrainingTests {

        func run(
            iterations: Int, seed: UInt64 = 0, evalEvery: Int = 1000, threads: Int = 2, test: ImageSet? = nil,
            backend name: String = "blas", small: Bool = false
        ) throws -> TrainingRun {
            let data = try Fixtures.fashionMNIST()
            var configuration = TrainingConfiguration()
            configuration.iterations = iterations
            configuration.seed = seed
            configuration.evalEvery = evalEvery
            // The trainer splits each step over its own threads: one backend thread per call.
            let backend = try Fixtures.plugins.backends.make(name, threads: 1)
            return try TrainingRun(
                configuration: configuration, train: small ? Self.smallTrain(data) : data.train,
                test: test ?? Self.smallTest(data),
                noise: DropoutNoiseLookup.make(), architectures: Fixtures.architectures,
                backend: backend, threads: threads)
        }

        /// The first 3,000 training images: epochs of 30 steps, so a short run crosses several.
        static func smallTrain(_ data: FashionMNIST) -> ImageSet {
            ImageSet(pixels: Array(data.train.pixels[0..<3000 * 784]), labels: Array(data.train.labels[0..<3000]))
        }

        /// The first 1,000 test images: enough to see the loss fall.
        static func smallTest(_ data: FashionMNIST) -> ImageSet {
            ImageSet(pixels: Array(data.test.pixels[0..<1000 * 784]), labels: Array(data.test.labels[0..<1000]))
        }

        @Test func testMSEFallsDuringAShortRun() throws {
            var training = try run(iterations: 300, evalEvery: 100)
            let before = training.evaluate(index: 99)
            try training.run()
            let mses = training.history.map(\.testMSE)
            #expect(training.history.map(\.iteration) == [100, 200, 300])
            #expect(before > mses[0] && mses[0] > mses[1] && mses[1] > mses[2])
            #expect(mses[2] < 0.025)
        }

        /// The same seed and backend give the same checkpoint bytes whatever the
        /// thread count: every product is cut into the same blocks.
        @Test(arguments: ["blas", "cpu"])
        func sameSeedSameBytesWhateverTheThreads(backend: String) throws {
            var runs = try [1, 2, 3].map { try run(iterations: 40, threads: $0, backend: backend, small: true) }
            var other = try run(iterations: 40, seed: 1, threads: 2, backend: backend, small: true)
            for index in runs.indices { try runs[index].run() }
            try other.run()
            let file = runs[0].checkpoint(resumable: false).serialized()
            for (index, threads) in [2, 3].enumerated() {
                let bytes = runs[index + 1].checkpoint(resumable: false).serialized()
                #expect(firstDifference(bytes, file) == nil, "\(threads) threads against 1")
            }
            #expect(firstDifference(other.checkpoint(resumable: false).serialized(), file) != nil)
        }

        /// A run stopped and resumed with another thread count ends with the
        /// bytes of one that ran straight through.
        @Test(arguments: ["blas", "cpu"])
        func resumedRunEndsWithTheSameBytes(backend: String) throws {
            var straight = try run(iterations: 100, evalEvery: 40, threads: 2, backend: backend, small: true)
            try straight.run()

            var first = try run(iterations: 100, evalEvery: 40, threads: 2, backend: backend, small: true)
            var steps = 0
            // Stops after 65 steps, inside the third epoch, after an evaluation.
            try first.run(onStep: { steps = $0 }, shouldStop: { steps >= 65 })
            #expect(first.iteration == 65)
            let saved = try Checkpoint(
                bytes: first.checkpoint(resumable: true).serialized(), architectures: Fixtures.architectures)
            let data = try Fixtures.fashionMNIST()
            var resumed = try TrainingRun(
                configuration: TrainingConfiguration(metadata: saved.metadata), train: Self.smallTrain(data),
                test: Self.smallTest(data), noise: DropoutNoiseLookup.make(), architectures: Fixtures.architectures,
                backend: try Fixtures.plugins.backends.make(backend, threads: 1), threads: 1, resume: saved)
            try resumed.run()
            #expect(resumed.iteration == 100)
            let expected = straight.checkpoint(resumable: false).serialized()
            #expect(firstDifference(resumed.checkpoint(resumable: false).serialized(), expected) == nil)
            #expect(resumed.history.map(\.iteration) == straight.history.map(\.iteration))
            #expect(resumed.history.last?.testMSE == straight.history.last?.testMSE)
        }

        @Test func referenceCheckpointEvaluatesLikePyTorch() throws {
            let data = try Fixtures.fashionMNIST()
            let report = EvaluationReport(
                model: try Fixtures.referenceModel(), backend: try Fixtures.plugins.backends.make("auto", threads: 2),
                images: data.test, noise: DropoutNoiseLookup.make(), seed: 0, repeats: 1)
            // Tests/Reference/README.md: 19.48 dB (MSE 0.01127), noisy 9.86 dB, 3×3 median 9.05 dB.
            #expect(abs(report.overall.model.psnr - 19.48) < 0.05)
            #expect(abs(report.overall.model.mse - 0.01127) < 0.0001)
            #expect(abs(report.overall.noisy.psnr - 9.86) < 0.03)
            #expect(abs(report.overall.median.psnr - 9.05) < 0.03)
            #expect(report.rows.count == 11 && report.rows.dropFirst().allSatisfy { $0.count == 1000 })
            #expect(report.overall.model.ssim > report.overall.noisy.ssim)
        }
    }
}

enum DropoutNoiseLookup {
    static func make(_ level: Float = 0.5) -> any NoiseModel {
        try! Fixtures.plugins.noise.make("dropout", level: level)
    }
}
