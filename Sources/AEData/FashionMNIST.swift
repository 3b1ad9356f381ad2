import AEFilterCore
import AESystem

/// The four Fashion-MNIST files, found by their official names (gzipped or not).
public struct FashionMNIST: Sendable {
    public struct File: Sendable {
        public let name: String
        public let md5: String
        public let bytes: Int

        public init(name: String, md5: String, bytes: Int) {
            self.name = name
            self.md5 = md5
            self.bytes = bytes
        }
    }

    /// The official distribution, with the published MD5s.
    public static let files = [
        File(name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d", bytes: 26_421_880),
        File(name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe", bytes: 29_515),
        File(name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79", bytes: 4_422_102),
        File(name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310", bytes: 5_148),
    ]

    /// Where `ae-filter data fetch` downloads them from.
    public static let baseURL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

    public var train: ImageSet
    public var test: ImageSet
    /// MD5 of each file as read, by official name.
    public var md5s: [String: String]

    /// Whether every file read is byte-identical to the official one.
    public var isOfficial: Bool {
        Self.files.allSatisfy { md5s[$0.name] == nil || md5s[$0.name] == $0.md5 }
    }

    /// Loads and validates the four files in `directory`; with `testOnly`,
    /// the two test files alone (`train` is then empty).
    public init(directory: String, testOnly: Bool = false) throws(DataError) {
        var md5s: [String: String] = [:]
        func read(_ file: File) throws(DataError) -> (path: String, bytes: [UInt8]) {
            let gz = "\(directory)/\(file.name)"
            let plain = String(gz.dropLast(3))
            for path in [gz, plain] {
                do {
                    let bytes = try FileReader.read(path)
                    md5s[file.name] = path == gz ? MD5.hex(bytes) : "uncompressed"
                    return (path, bytes)
                } catch  where error.reason == "No such file or directory" {
                    continue
                } catch {
                    throw DataError("\(path): \(error.reason)")
                }
            }
            throw DataError(
                "\(gz): not found (nor uncompressed); get the data with `ae-filter data fetch \(directory)`")
        }
        func split(_ images: File, _ labels: File, expected: Int) throws(DataError) -> ImageSet {
            let imageFile = try read(images)
            let labelFile = try read(labels)
            let parsed: (count: Int, pixels: [UInt8])
            do { parsed = try IDX.images(imageFile.bytes) } catch { throw DataError("\(imageFile.path): \(error)") }
            let labelValues: [UInt8]
            do { labelValues = try IDX.labels(labelFile.bytes) } catch {
                throw DataError("\(labelFile.path): \(error)")
            }
            guard parsed.count == labelValues.count else {
                throw DataError("\(labelFile.path): \(labelValues.count) labels for \(parsed.count) images")
            }
            guard parsed.count == expected else {
                throw DataError("\(imageFile.path): \(parsed.count) images, Fashion-MNIST has \(expected)")
            }
            return ImageSet(pixels: parsed.pixels, labels: labelValues)
        }
        train = testOnly ? ImageSet(pixels: [], labels: []) : try split(Self.files[0], Self.files[1], expected: 60_000)
        test = try split(Self.files[2], Self.files[3], expected: 10_000)
        self.md5s = md5s
    }
}
