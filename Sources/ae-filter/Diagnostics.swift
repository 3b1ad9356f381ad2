import Foundation

/// One line on stderr per problem, prefixed with the program name.
enum Diagnostics {
    static func report(_ subject: String, _ message: String) {
        FileHandle.standardError.write(Data("ae-filter: \(subject): \(message)\n".utf8))
    }
}
