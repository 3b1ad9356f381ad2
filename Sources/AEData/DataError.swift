/// A dataset file that is missing, corrupt or not what it claims to be.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
