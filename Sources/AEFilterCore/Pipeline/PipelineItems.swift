/// An encoded image as read from a file or stream, with its position in the run.
public struct EncodedImage: Sendable {
    public var index: UInt64
    public var bytes: [UInt8]

    /// The bytes of input `index`.
    public init(index: UInt64, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }
}

/// A decoded image: 8-bit samples, `channels` per pixel
/// (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), rows packed.
public struct Bitmap: Sendable, Equatable {
    public var index: UInt64
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// A bitmap; `pixels` holds `width × height × channels` samples.
    public init(index: UInt64 = 0, width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition((1...4).contains(channels) && pixels.count == width * height * channels)
        self.index = index
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// A 28×28 model input: 784 floats in [0, 1], 0 = background.
public struct Sample: Sendable, Equatable {
    public var index: UInt64
    public var pixels: [Float]

    /// A sample of exactly 784 pixels.
    public init(index: UInt64 = 0, pixels: [Float]) {
        precondition(pixels.count == Geometry.pixels)
        self.index = index
        self.pixels = pixels
    }
}

/// A sample and its corrupted copy, the model's actual input.
public struct NoisySample: Sendable, Equatable {
    public var index: UInt64
    public var clean: [Float]
    public var noisy: [Float]

    /// A sample and its corrupted copy.
    public init(index: UInt64, clean: [Float], noisy: [Float]) {
        self.index = index
        self.clean = clean
        self.noisy = noisy
    }
}

/// The model's output next to what it was given.
public struct Denoised: Sendable, Equatable {
    public var index: UInt64
    public var clean: [Float]
    public var noisy: [Float]
    public var output: [Float]

    /// The model's output beside its input.
    public init(index: UInt64, clean: [Float], noisy: [Float], output: [Float]) {
        self.index = index
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
