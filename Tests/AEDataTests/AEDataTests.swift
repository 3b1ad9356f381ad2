import AEData
import AEFilterCore
import Foundation
import TestSupport
import Testing

@Suite struct MD5Tests {
    /// RFC 1321, A.5: the test suite.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func rfc1321TestSuite(message: String, digest: String) {
        #expect(MD5.hex(Array(message.utf8)) == digest)
    }

    @Test func incrementalMatchesOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var md5 = MD5()
        md5.update(bytes[0..<3])
        md5.update(bytes[3..<200])
        md5.update(bytes[200...])
        #expect(
            md5.finalize()
                == {
                    var one = MD5()
                    one.update(bytes)
                    return one.finalize()
                }())
    }
}

@Suite(.needsData) struct FashionMNISTTests {
    static let directory = Fixtures.dataDirectory

    @Test func loadsTheOfficialFiles() throws {
        let data = try FashionMNIST(directory: Self.directory)
        #expect(data.isOfficial)
        #expect(data.train.count == 60_000 && data.test.count == 10_000)
        #expect(data.train.labels[0] == 9 && data.train.labels[1] == 0 && data.test.labels[10] == 4)
        for label in 0..<10 {
            #expect(data.train.labels.filter { $0 == label }.count == 6_000)
            #expect(data.test.labels.filter { $0 == label }.count == 1_000)
        }
    }

    /// A directory holding the official test split and a given train split.
    func directory(trainImages: [UInt8], trainLabels: [UInt8]) throws -> String {
        let dir = try CLI.temporaryDirectory()
        for name in ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: "\(Self.directory)/\(name)", toPath: "\(dir)/\(name)")
        }
        try Data(trainImages).write(to: URL(fileURLWithPath: "\(dir)/train-images-idx3-ubyte"))
        try Data(trainLabels).write(to: URL(fileURLWithPath: "\(dir)/train-labels-idx1-ubyte"))
        return dir
    }

    static let images = IDX.imagesFile([UInt8](repeating: 7, count: 60_000 * 784))
    static let labels = IDX.labelsFile([UInt8](repeating: 3, count: 60_000))

    @Test func readsUncompressedFilesAndSaysTheyAreNotOfficial() throws {
        let data = try FashionMNIST(directory: directory(trainImages: Self.images, trainLabels: Self.labels))
        #expect(data.train.count == 60_000)
        #expect(!data.isOfficial)
    }

    @Test func corruptFilesAreNamed() throws {
        var badMagic = Self.images
        badMagic[3] = 1
        var badCount = Self.labels
        badCount[7] = 0x5F
        var badLabel = Self.labels
        badLabel[100] = 12
        let cases: [([UInt8], [UInt8], String)] = [
            (badMagic, Self.labels, "train-images-idx3-ubyte: not an IDX images file (magic 2049, expected 2051)"),
            (
                Array(Self.images.dropLast(5)), Self.labels,
                "train-images-idx3-ubyte: header says 60000 images but the file holds 47039995 bytes of pixels, expected 47040000"
            ),
            (Self.images, badCount, "train-labels-idx1-ubyte: header says 59999 labels but the file holds 60000"),
            (Self.images, badLabel, "train-labels-idx1-ubyte: label 12 is not a class (0...9)"),
            (
                Self.images, IDX.labelsFile([UInt8](repeating: 1, count: 59_999)),
                "train-labels-idx1-ubyte: 59999 labels for 60000 images"
            ),
            (Array(Self.images.prefix(10)), Self.labels, "train-images-idx3-ubyte: too short for an IDX images header"),
        ]
        for (images, labels, message) in cases {
            let dir = try directory(trainImages: images, trainLabels: labels)
            #expect(throws: DataError("\(dir)/\(message)")) { try FashionMNIST(directory: dir) }
        }
    }

    @Test func truncatedGzipAndMissingFiles() throws {
        let dir = try CLI.temporaryDirectory()
        let gz = try Fixtures.bytes("\(Self.directory)/t10k-labels-idx1-ubyte.gz")
        #expect(throws: DataError("truncated gzip data")) { try IDX.labels(Array(gz.prefix(gz.count / 2))) }
        #expect(
            throws: DataError(
                "\(dir)/train-images-idx3-ubyte.gz: not found (nor uncompressed); get the data with `ae-filter data fetch \(dir)`"
            )
        ) {
            try FashionMNIST(directory: dir)
        }
    }
}
