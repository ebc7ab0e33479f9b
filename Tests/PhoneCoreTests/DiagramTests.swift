import Foundation
import PhoneCore
import TestSupport
import XCTest

/// The state diagram of docs/boot-machine.md is generated from `BootTransitions.table`; this fails
/// when the two drift. `UPDATE_DIAGRAM=1 swift test --filter DiagramTests` rewrites it.
final class DiagramTests: XCTestCase {
    static let begin = "<!-- boot-machine diagram: generated from BootTransitions.table -->\n```mermaid\n"
    static let end = "```\n<!-- end of boot-machine diagram -->"

    func testTheDocumentedDiagramMatchesTheTransitionTable() throws {
        let page = Vectors.projectRoot.appendingPathComponent("docs/boot-machine.md")
        let text = try String(contentsOf: page, encoding: .utf8)
        let generated = BootTransitions.mermaid()
        guard let start = text.range(of: Self.begin), let stop = text.range(of: Self.end, range: start.upperBound..<text.endIndex) else {
            return XCTFail("docs/boot-machine.md has no boot-machine diagram block")
        }
        let committed = String(text[start.upperBound..<stop.lowerBound])
        if committed != generated, ProcessInfo.processInfo.environment["UPDATE_DIAGRAM"] == "1" {
            try text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: generated)
                .write(to: page, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(committed, generated, "run UPDATE_DIAGRAM=1 swift test --filter DiagramTests")
    }

    func testEveryStateIsInTheDiagram() {
        let diagram = BootTransitions.mermaid()
        for state in BootStateKind.allCases {
            XCTAssertTrue(diagram.contains(" " + state.rawValue + " "), state.rawValue)
        }
        for input in BootInputKind.allCases {
            XCTAssertTrue(BootTransitions.table.contains { $0.on == input }, input.rawValue)
        }
    }
}
