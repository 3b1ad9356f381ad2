/// The model's image size: Fashion-MNIST's 28×28 greyscale.
public enum Geometry {
    /// The width and height of a model image.
    public static let side = 28
    /// The pixels of a model image, 784: the model's input and output size.
    public static let pixels = side * side
}
