/// One line of a CAPF transcript (Tests/Vectors/capf): who sent it, the command name, the
/// whole message.
public struct TranscriptLine {
    public let fromServer: Bool
    public let name: String
    public let bytes: [UInt8]

    public static func load(_ path: String) -> [TranscriptLine] {
        Vectors.text(path).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: " ")
            guard parts.count >= 3 else { return nil }
            return TranscriptLine(fromServer: parts[0] == "server->phone", name: parts[1..<(parts.count - 1)].joined(separator: " "),
                                  bytes: unhex(String(parts[parts.count - 1])))
        }
    }
}
