// The TFLite reader on MediaPipe's selfie model (Tests/CommandTests/Fixtures, Apache-2.0) and
// on inputs the fuzz target found: a crafted file is a thrown error, never a crash.
import Foundation
import NeuronaVision
import Testing

private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent(
    "CommandTests/Fixtures/selfie_segmentation.tflite")

@Test func readsTheSelfieModelsConstants() throws {
  let file = try TFLiteFile.read(contentsOf: fixture.path)
  let parameters = try PersonSegmenterImport.parameters(from: file)
  #expect(parameters.values.map(\.count).reduce(0, +) == 106_401)
}

/// FuzzTFLite's first crasher (2026-12-07): eleven bytes changed in the selfie model gave a
/// tensor a shape whose element count overflowed (a trap in the multiplication).
@Test func aShapeWhoseSizeOverflowsIsAnError() throws {
  var bytes = try Data(contentsOf: fixture)
  let patch: [(Int, UInt8)] = [
    (9475, 53), (15290, 234), (86645, 152), (210331, 93), (210332, 252), (210333, 64),
    (210334, 53), (210336, 75), (210337, 181), (210338, 241), (241669, 2),
  ]
  for (offset, value) in patch { bytes[offset] = value }
  #expect(throws: (any Error).self) { try TFLiteFile(data: bytes) }
}
