/// An encoded image as read from a file or stream, with its noise stream.
public struct EncodedImage: Sendable {
    public var stream: UInt64
    public var bytes: [UInt8]

    /// The bytes of an input whose noise comes from `stream`.
    public init(stream: UInt64, bytes: [UInt8]) {
        self.stream = stream
        self.bytes = bytes
    }
}

/// A decoded image: 8-bit samples, `channels` per pixel
/// (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), rows packed.
public struct Bitmap: Sendable, Equatable {
    public var stream: UInt64
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// A bitmap; `pixels` holds `width × height × channels` samples.
    public init(stream: UInt64 = 0, width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition((1...4).contains(channels) && pixels.count == width * height * channels)
        self.stream = stream
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// A 28×28 model input: 784 floats in [0, 1], 0 = background.
public struct Sample: Sendable, Equatable {
    public var stream: UInt64
    public var pixels: [Float]

    /// A sample of exactly 784 pixels.
    public init(stream: UInt64 = 0, pixels: [Float]) {
        precondition(pixels.count == Geometry.pixels)
        self.stream = stream
        self.pixels = pixels
    }
}

/// A sample and its corrupted copy, the model's actual input.
public struct NoisySample: Sendable, Equatable {
    public var stream: UInt64
    public var clean: [Float]
    public var noisy: [Float]

    /// A sample and its corrupted copy.
    public init(stream: UInt64, clean: [Float], noisy: [Float]) {
        self.stream = stream
        self.clean = clean
        self.noisy = noisy
    }
}

/// The model's output next to what it was given.
public struct Denoised: Sendable, Equatable {
    public var stream: UInt64
    public var clean: [Float]
    public var noisy: [Float]
    public var output: [Float]

    /// The model's output beside its input.
    public init(stream: UInt64, clean: [Float], noisy: [Float], output: [Float]) {
        self.stream = stream
        self.clean = clean
        self.noisy = noisy
        self.output = output
    }
}

/// An 8-bit greyscale picture, ready to encode.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    /// A picture of `width × height` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
