import PhoneRuntime
import PhoneWire

/// A command line split into positional arguments and `--name value` options. Small on
/// purpose: the same code runs in the Embedded build, where ArgumentParser cannot.
struct Arguments {
    private(set) var positional: [String] = []
    private var options: [(name: String, value: String)] = []
    private var flags: [String] = []

    struct UsageError: Error {
        let message: String
    }

    /// `valueOptions` take a value; `flagOptions` stand alone. Anything else starting
    /// with `--` is an error.
    init(_ words: ArraySlice<String>, valueOptions: [String], flagOptions: [String] = []) throws(UsageError) {
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            guard word.utf8.starts(with: "--".utf8) else {
                positional.append(word)
                continue
            }
            if flagOptions.contains(where: { sameText($0, word) }) {
                flags.append(word)
            } else if valueOptions.contains(where: { sameText($0, word) }) {
                guard index < words.endIndex else { throw UsageError(message: word + " needs a value") }
                options.append((word, words[index]))
                index += 1
            } else {
                throw UsageError(message: "unknown option " + word)
            }
        }
    }

    /// Whether the command prints JSON: always in the firmware, whose console is its JSON
    /// log (the English view is the host build's; in the firmware it measured 21.9 KB of x86_64
    /// code, room its updater needed), on the host when `--json` is given.
    static func printsJSON(_ arguments: Arguments) -> Bool {
        #if hasFeature(Embedded)
        return true
        #else
        return arguments.flag("--json")
        #endif
    }

    func value(_ name: String) throws(UsageError) -> String? {
        var found: String?
        for option in options where sameText(option.name, name) {
            guard found == nil else { throw UsageError(message: name + " given twice") }
            found = option.value
        }
        return found
    }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = try value(name) else { throw UsageError(message: name + " is required") }
        return value
    }

    func values(_ name: String) -> [String] {
        options.filter { sameText($0.name, name) }.map { $0.value }
    }

    func flag(_ name: String) -> Bool { flags.contains(where: { sameText($0, name) }) }

    func single(_ what: String) throws(UsageError) -> String {
        guard positional.count == 1 else { throw UsageError(message: "expected one " + what) }
        return positional[0]
    }
}

/// The last path component: the name a file is taken to be served under by default.
func baseName(_ path: String) -> String {
    var name: [UInt8] = []
    for byte in path.utf8 {
        if byte == 0x2F { name.removeAll() } else { name.append(byte) }
    }
    return String(decoding: name, as: UTF8.self)
}


extension KeyStoreOptions {
    /// `--pkcs11 MODULE --token LABEL --pin-file F`, all three or none.
    static func parse(_ arguments: Arguments) throws(Arguments.UsageError) -> KeyStoreOptions? {
        let module = try arguments.value("--pkcs11")
        let token = try arguments.value("--token")
        let pinFile = try arguments.value("--pin-file")
        guard let module else {
            guard token == nil, pinFile == nil else { throw Arguments.UsageError(message: "--token and --pin-file go with --pkcs11") }
            return nil
        }
        guard let token, let pinFile else { throw Arguments.UsageError(message: "--pkcs11 needs --token LABEL and --pin-file F") }
        return KeyStoreOptions(module: module, token: token, pinFile: pinFile)
    }
}
