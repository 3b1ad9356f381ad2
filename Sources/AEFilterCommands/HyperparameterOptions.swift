import AEFilterCore
import AETraining
import ArgumentParser

/// `train`'s options for the architectures' hyper-parameters, one for each
/// that the registry declares (`--hidden N`, `--kernel-size N`). The parser
/// knows only options written in the source, so these are read before it
/// and handed to it as the generic, repeatable `--hyperparameter OPTION=N`.
enum HyperparameterOptions {
    /// The generic option's name.
    static let generic = "--hyperparameter"

    /// Each declared hyper-parameter with its architecture's name, in registration order.
    static func declared(_ registry: ArchitectureRegistry) -> [(
        architecture: String, parameter: ArchitectureRegistry.Hyperparameter
    )] {
        registry.entries.flatMap { entry in entry.hyperparameters.map { (entry.name, $0) } }
    }

    /// `arguments` (a `train` command line) with each `--OPTION N` or
    /// `--OPTION=N` of a declared hyper-parameter as `--hyperparameter OPTION=N`;
    /// throws the parser's message for one without a value.
    static func rewritten(_ arguments: [String], registry: ArchitectureRegistry) throws -> [String] {
        let options = Set(declared(registry).map { $0.parameter.option })
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                out += arguments[(index - 1)...]
                break
            }
            guard argument.hasPrefix("--") else {
                out.append(argument)
                continue
            }
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            guard options.contains(name) else {
                out.append(argument)
                continue
            }
            if body.contains("=") {
                out += [generic, String(body)]
            } else if index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" {
                out += [generic, name + "=" + arguments[index]]
                index += 1
            } else {
                throw ValidationError("Missing value for '--\(name) <N>'")
            }
        }
        return out
    }

    /// The values that `settings` (`OPTION=N` or `NAME=N`) give, by
    /// hyper-parameter name; throws the parser's message for a value that is
    /// not a number, and names the known options for an unknown one.
    static func values(_ settings: [String], registry: ArchitectureRegistry) throws -> [String: Int] {
        let parameters = declared(registry).map { $0.parameter }
        var values: [String: Int] = [:]
        for setting in settings {
            let key = String(setting.prefix { $0 != "=" })
            let text = String(setting.dropFirst(key.count + 1))
            guard let parameter = parameters.first(where: { $0.option == key || $0.name == key }) else {
                let known = Set(parameters.map(\.option)).sorted().joined(separator: ", ")
                throw ValidationError("\(generic): no architecture has a hyper-parameter '\(key)' (known: \(known))")
            }
            guard setting.contains("="), let value = Int(text) else {
                throw ValidationError("The value '\(text)' is invalid for '--\(parameter.option) <N>'")
            }
            values[parameter.name] = value
        }
        return values
    }

    /// The first value among `values` that a hyper-parameter's own check refuses, as a usage error.
    static func check(_ values: [String: Int], registry: ArchitectureRegistry) throws {
        for (_, parameter) in declared(registry) {
            guard let value = values[parameter.name], let problem = parameter.check?(value) else { continue }
            throw ValidationError("--\(parameter.option) \(problem), got \(value)")
        }
    }

    /// The generic option's help: every declared hyper-parameter, its option and its values.
    static func help(_ registry: ArchitectureRegistry) -> ArgumentHelp {
        let lines = declared(registry).map { architecture, parameter in
            "--\(parameter.option) N: \(architecture): \(parameter.meaning) (default \(parameter.defaultValue), "
                + "from \(parameter.values.lowerBound) to \(parameter.values.upperBound))."
        }
        return ArgumentHelp(
            "An architecture's hyper-parameter as OPTION=N (repeatable); each has an option of its own: "
                + lines.joined(separator: " "),
            valueName: "OPTION=N")
    }

    /// The `--architecture` option's help: the registered architectures.
    static func architectureHelp(_ registry: ArchitectureRegistry) -> ArgumentHelp {
        let names = registry.entries.map { "\($0.name) (\($0.summary))" }
        return ArgumentHelp(
            "The model's architecture, \(TrainingConfiguration().architecture) by default: "
                + "\(names.joined(separator: "; ")).", valueName: "NAME")
    }
}
