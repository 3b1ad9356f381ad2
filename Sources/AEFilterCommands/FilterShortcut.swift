import ArgumentParser

/// The filter's command line read without building the parser's tree: a
/// one-image run spent half its instructions in swift-argument-parser
/// (reflection over every option of every command). It reads the options of
/// ``FilterOptions``, the table the parser's declarations take theirs from,
/// and nothing else; any other word, a repeated option, a value it cannot
/// read or a failed validation gives `nil`, and the full parser then reads
/// the line and words the error. `FilterShortcutTests` checks that it builds
/// exactly what the parser builds, field by field.
package enum FilterShortcut {
    /// The validated filter `arguments` describe, or nil when the full parser must read them.
    static func parse(_ arguments: [String]) -> FilterCommand? {
        guard let filter = read(arguments) else { return nil }
        do {
            try filter.compute.validate()
            try filter.validate()
        } catch {
            return nil
        }
        return filter
    }

    /// The filter `arguments` describe, before validation.
    static func read(_ arguments: [String]) -> FilterCommand? {
        if let first = arguments.first, CommandLineArguments.commands.contains(first) { return nil }
        var given: [String: [String]] = [:]
        var files: [String] = []
        var index = 0
        var afterDashes = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if afterDashes || argument == "-" || !argument.hasPrefix("-") {
                files.append(argument)
                continue
            }
            if argument == "--" {
                afterDashes = true
                continue
            }
            if let flag = FilterOptions.bySpelling[argument], !flag.takesValue {
                given[flag.long, default: []].append("")
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard let option = FilterOptions.bySpelling[name], option.takesValue else { return nil }
            if value == nil {
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            guard let value, !value.isEmpty else { return nil }
            given[option.long, default: []].append(value)
        }
        // Every field set, as the parser sets them: a field of the parser's
        // declarations that is never set cannot be read.
        var filter = FilterCommand()
        filter.compute = ComputeOptions()
        filter.files = files
        for option in FilterOptions.all {
            guard option.apply(&filter, given[option.long] ?? []) else { return nil }
        }
        return filter
    }

    /// For tests: the parser's description of the filter's options (JSON).
    package static var parserDescription: String { FilterCommand._dumpHelp() }

    /// For tests: every spelling of the table's options that take a value, and of its flags.
    package static var spellings: (valued: Set<String>, flags: Set<String>) {
        let valued = FilterOptions.all.filter(\.takesValue).flatMap(\.spellings)
        let flags = FilterOptions.all.filter { !$0.takesValue }.flatMap(\.spellings)
        return (Set(valued), Set(flags))
    }

    /// For tests: every field of what the shortcut and the parser make of
    /// `arguments` (validated), as text; nil where one declines or fails.
    package static func comparison(_ arguments: [String]) -> (shortcut: String?, parser: String?) {
        let parsed = (try? AEFilterCommand.parseAsRoot(arguments)).flatMap { $0 as? FilterCommand }
        return (parse(arguments).map { String(reflecting: $0) }, parsed.map { String(reflecting: $0) })
    }
}
