/// The model's image size: Fashion-MNIST's 28×28 greyscale.
public enum Geometry {
    public static let side = 28
    public static let pixels = side * side
}
