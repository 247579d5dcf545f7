import Foundation
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

@Test func idxReaderReadsGzippedAndPlainFiles() throws {
  let directory = try makeTemporaryFolder("idx")
  // Magic 0x00000803 (unsigned bytes, rank 3), dims 2×2×3, then 12 pixels.
  let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3] + Array(0..<12)
  let gzipped = "\(directory)/neurona-\(getpid())-images.gz"
  FileManager.default.createFile(atPath: gzipped, contents: Data(gzip(bytes)))
  let plain = "\(directory)/neurona-\(getpid())-images"
  FileManager.default.createFile(atPath: plain, contents: Data(bytes))
  for path in [gzipped, plain] {
    let idx = try IDXFile.read(contentsOf: path)
    #expect(idx.shape == [2, 2, 3])
    #expect(idx.bytes == Array(0..<12))
  }
}

@Test func idxReaderRefusesBadFiles() throws {
  let directory = try makeTemporaryFolder("idx")
  let cases: [[UInt8]] = [
    [],
    [1, 2, 3, 4],  // bad magic
    [0, 0, 8, 1, 0, 0],  // truncated dimensions
    [0, 0, 8, 1, 0, 0, 0, 9, 1, 2],  // claims 9 bytes, has 2
    [0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // huge
    [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0],  // floats, not bytes
  ]
  for (i, bytes) in cases.enumerated() {
    let path = "\(directory)/neurona-\(getpid())-bad\(i)"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    #expect(throws: ModelFileError.self) { try IDXFile.read(contentsOf: path) }
  }
  #expect(throws: ModelFileError.self) {
    try IDXFile.read(contentsOf: "\(directory)/does-not-exist")
  }
}

@Test(.enabled(if: prerequisite(FashionMNIST.isDataset(FashionMNIST.defaultDirectory))))
func fashionMNISTTestSetLoads() throws {
  let (images, labels) = try FashionMNIST.load(.test)
  #expect(images.shape == [10000, 1, 28, 28])
  #expect(labels.shape == [10000])
  #expect(Set(labels.scalars) == Set((0..<10).map(Float.init)))
}
