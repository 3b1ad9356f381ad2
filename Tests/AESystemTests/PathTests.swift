import AESystem
import Glibc
import Testing

@Suite struct PathTests {
    /// A hint's path pastes back into a shell as the same one word.
    @Test(arguments: [
        ("runs/m.safetensors", "runs/m.safetensors"),
        ("my run.st", "'my run.st'"),
        ("it's", "'it'\\''s'"),
        ("$HOME;rm", "'$HOME;rm'"),
        ("", "''"),
    ])
    func shellWords(path: String, word: String) {
        #expect(Path.shellWord(path) == word)
    }

    /// And the shell agrees: `printf %s WORD` gives the path back.
    @Test func theShellReadsTheWordBack() throws {
        for path in ["my run.st", "it's \"quoted\"", "a*b?[c]", "tab\there", "$(x)`y`"] {
            let output = try Shell.run("printf %s \(Path.shellWord(path))")
            #expect(output == path)
        }
    }
}

/// Runs a command line through /bin/sh, returning its standard output.
enum Shell {
    static func run(_ line: String) throws -> String {
        guard let pipe = popen(line, "r") else { throw ShellError() }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = fread(&buffer, 1, buffer.count, pipe)
            if got == 0 { break }
            bytes += buffer[..<got]
        }
        pclose(pipe)
        return String(decoding: bytes, as: UTF8.self)
    }

    struct ShellError: Error {}
}
