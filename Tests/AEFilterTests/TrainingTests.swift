import AEData
import AEFilter
import AEFilterCore
import AETraining
import TestSupport
import Testing

extension OpenBLASSuites {
    /// Training on the real Fashion-MNIST data in ../shared, kept short.
    @Suite struct TrainingTests {
        static let data = Result { try FashionMNIST(directory: Fixtures.sharedPath("data/fashion-mnist")) }

        func run(iterations: Int, seed: UInt64 = 0, evalEvery: Int = 1000, threads: Int = 2, test: ImageSet? = nil)
            throws -> TrainingRun
        {
            let data = try Self.data.get()
            var configuration = TrainingConfiguration()
            configuration.iterations = iterations
            configuration.seed = seed
            configuration.evalEvery = evalEvery
            // The trainer splits each step over its own threads: one OpenBLAS thread per call.
            let backend = try PluginSet.standard.backends.make("blas", threads: 1)
            return try TrainingRun(
                configuration: configuration, train: data.train, test: test ?? Self.smallTest(data),
                noise: DropoutNoiseLookup.make(),
                backend: backend, threads: threads)
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

        @Test func sameSeedSameWeightsOtherSeedOtherWeights() throws {
            var a = try run(iterations: 40)
            var b = try run(iterations: 40)
            var c = try run(iterations: 40, seed: 1)
            var one = try run(iterations: 40, threads: 1)
            var three = try run(iterations: 40, threads: 3)
            try a.run()
            try b.run()
            try c.run()
            try one.run()
            try three.run()
            let same = a.trainer.model == b.trainer.model
            let different = a.trainer.model != c.trainer.model
            #expect(same)
            #expect(different)
            let identical = a.checkpoint(resumable: false).serialized() == b.checkpoint(resumable: false).serialized()
            #expect(identical, "same seed and backend must give a byte-identical checkpoint")
            let file = a.checkpoint(resumable: false).serialized()
            #expect(
                one.checkpoint(resumable: false).serialized() == file, "the thread count must not change the checkpoint"
            )
            #expect(
                three.checkpoint(resumable: false).serialized() == file,
                "the thread count must not change the checkpoint")
        }

        @Test func resumedRunEndsWithTheSameWeights() throws {
            var straight = try run(iterations: 700, evalEvery: 250)
            try straight.run()

            var first = try run(iterations: 700, evalEvery: 250)
            var stops = 0
            try first.run(shouldStop: {
                stops += 1
                return stops > 630  // stops after 630 steps, inside the second epoch
            })
            #expect(first.iteration == 630)
            let saved = try Checkpoint(bytes: first.checkpoint(resumable: true).serialized())
            let data = try Self.data.get()
            var resumed = try TrainingRun(
                configuration: TrainingConfiguration(metadata: saved.metadata), train: data.train,
                test: Self.smallTest(data),
                noise: DropoutNoiseLookup.make(), backend: try PluginSet.standard.backends.make("blas", threads: 1),
                threads: 1,
                resume: saved)
            try resumed.run()
            #expect(resumed.iteration == 700)
            let sameWeights = resumed.trainer.model == straight.trainer.model
            #expect(sameWeights)
            let sameFile =
                resumed.checkpoint(resumable: false).serialized() == straight.checkpoint(resumable: false).serialized()
            #expect(sameFile)
            #expect(resumed.history.map(\.iteration) == straight.history.map(\.iteration))
            #expect(resumed.history.last?.testMSE == straight.history.last?.testMSE)
        }

        @Test func referenceCheckpointEvaluatesLikePyTorch() throws {
            let data = try Self.data.get()
            let report = EvaluationReport(
                model: try Fixtures.referenceModel(), backend: try PluginSet.standard.backends.make("auto", threads: 2),
                images: data.test, noise: DropoutNoiseLookup.make(), seed: 0, repeats: 1)
            // ../shared/reference/README.md: 19.48 dB (MSE 0.01127), noisy 9.86 dB, 3×3 median 9.05 dB.
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
        try! PluginSet.standard.noise.make("dropout", level: level)
    }
}
