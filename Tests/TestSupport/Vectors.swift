import Foundation
import PhoneCrypto

/// Access to the interop vectors (`Tests/Vectors/`, the repository's copy of `../shared/vectors/`) and test helpers.
public enum Vectors {
    /// The project root: three levels above this file (Tests/TestSupport/Vectors.swift).
    public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let root: URL = projectRoot.appendingPathComponent("Tests/Vectors")

    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    public static func bytes(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url(path).path) else {
            fatalError("vector missing: \(url(path).path)")
        }
        return [UInt8](data)
    }

    public static func text(_ path: String) -> String { String(decoding: bytes(path), as: UTF8.self) }

    public static func identity(_ path: String) throws -> Identity { try Identity(pem: bytes(path)) }

    /// The tests' fixed image-signing key and certificate (`Tests/ImageSigning/`), which the
    /// lab signs loads with and the build's anchor holds.
    public static func imageSigner() throws -> Identity {
        try Identity(pem: [UInt8](try Data(contentsOf: projectRoot.appendingPathComponent("Tests/ImageSigning/test-image-signer.pem"))))
    }

    /// `tvs/verify-transcripts.txt`: each line's direction, certificate file and message bytes.
    public static func tvsTranscript() -> [(direction: String, certificate: String, message: [UInt8])] {
        text("tvs/verify-transcripts.txt").split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let words = line.split(separator: " ")
            guard words.count == 4 else { return nil }
            var bytes: [UInt8] = []
            var index = words[3].startIndex
            while index < words[3].endIndex {
                let next = words[3].index(index, offsetBy: 2)
                bytes.append(UInt8(words[3][index..<next], radix: 16)!)
                index = next
            }
            return (String(words[0]), String(words[2]), bytes)
        }
    }

    public static func certificate(_ path: String) throws -> Certificate { try Certificate(pem: bytes(path)) }

    /// The reference tool's `*.parsed.txt`: "Key: value" lines, grouped into the header
    /// block and one block per record (blank-line separated).
    public static func parsedBlocks(_ path: String) -> [[(key: String, value: String)]] {
        var blocks: [[(key: String, value: String)]] = [[]]
        for line in text(path).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !(blocks.last?.isEmpty ?? true) { blocks.append([]) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            blocks[blocks.count - 1].append((key, value))
        }
        return blocks.filter { !$0.isEmpty }
    }
}

/// A CTR-DRBG seeded from the host's system generator.
public func testRNG() -> RandomGenerator {
    try! RandomGenerator(personalization: Array("tests".utf8)) { buffer in
        var generator = SystemRandomNumberGenerator()
        for index in buffer.indices { buffer[index] = UInt8.random(in: 0...255, using: &generator) }
        return true
    }
}

public func unhex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
