import Foundation
import Neurona
import NeuronaTestSupport
import Testing

private func smallModel(seed: UInt64) -> Sequential {
  var generator = SplitMix64(seed: seed)
  return Sequential([Dense(3, 4, using: &generator), ReLU(), Dense(4, 2, using: &generator)])
}

@Test func saveThenLoadGivesIdenticalOutputs() throws {
  let path = scratchPath("roundtrip.safetensors")
  let original = smallModel(seed: 1)
  try ModelFile.save(original, metadata: ["architecture": "mlp"], to: path)
  let file = try ModelFile.read(path)
  #expect(file.metadata["architecture"] == "mlp")
  #expect(file.metadata["format_version"] == "1")
  let restored = smallModel(seed: 2)
  try ModelFile.load(file, into: restored)
  let x = randomTensor([5, 3])
  #expect(original(x) == restored(x))
}

@Test func safetensorsLayoutIsTheStandardOne() throws {
  let file = SafeTensors(tensors: ["a": Tensor(shape: [2], scalars: [1, 2])], metadata: ["k": "v"])
  let bytes = [UInt8](file.encoded())
  let headerSize = Int(bytes[0]) | Int(bytes[1]) << 8
  #expect(bytes[2..<8].allSatisfy { $0 == 0 })
  #expect(headerSize % 8 == 0)
  let header = String(decoding: bytes[8..<(8 + headerSize)], as: UTF8.self)
  #expect(header.contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"))
  #expect(bytes.count == 8 + headerSize + 8)
  #expect(Array(bytes.suffix(8)) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])  // 1.0f, 2.0f little-endian
}

@Test func truncatedAndCorruptFilesAreClearErrors() throws {
  let good = [UInt8](ModelFile.contents(of: smallModel(seed: 1), metadata: [:]).encoded())
  for cut in [0, 4, 8, 20, good.count / 2, good.count - 1] {
    #expect(throws: ModelFileError.self) { try SafeTensors.decode(Data(good.prefix(cut))) }
  }
  var garbage = good
  for i in 8..<16 { garbage[i] = 0x7B }  // "{{{{": not JSON any more
  #expect(throws: ModelFileError.self) { try SafeTensors.decode(Data(garbage)) }
  var hugeHeader = good
  hugeHeader[7] = 0x7F
  #expect(throws: ModelFileError.self) { try SafeTensors.decode(Data(hugeHeader)) }
  // A deterministic mutation loop: whatever bytes change, decoding returns or throws.
  var generator = SplitMix64(seed: 99)
  for _ in 0..<2000 {
    var mutated = good
    for _ in 0..<Int.random(in: 1...8, using: &generator) {
      mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(
        in: 0...255, using: &generator)
    }
    _ = try? SafeTensors.decode(Data(mutated))
  }
}

@Test func loadingAnotherArchitectureIsAClearError() throws {
  let path = scratchPath("other.safetensors")
  try ModelFile.save(smallModel(seed: 1), metadata: [:], to: path)
  var generator = SplitMix64(seed: 1)
  let wider = Sequential([Dense(3, 5, using: &generator), ReLU(), Dense(5, 2, using: &generator)])
  let error = #expect(throws: ModelFileError.self) {
    try ModelFile.load(try ModelFile.read(path), into: wider)
  }
  #expect(error?.description.contains("0.weight") == true)
  let deeper = Sequential([
    Dense(3, 4, using: &generator), ReLU(), Dense(4, 2, using: &generator),
    Dense(2, 2, using: &generator),
  ])
  #expect(throws: ModelFileError.self) {
    try ModelFile.load(try ModelFile.read(path), into: deeper)
  }
}

@Test func aFileThatIsNotOursIsRefused() throws {
  let path = scratchPath("foreign.safetensors")
  try SafeTensors(tensors: ["x": Tensor(zeros: [1])]).write(to: path)
  #expect(throws: ModelFileError.self) { try ModelFile.read(path) }
  #expect(throws: ModelFileError.self) { try ModelFile.read(scratchPath("missing.safetensors")) }
}

@Test func pythonSafetensorsReadsOurFiles() throws {
  // Skipped unless Python has numpy and safetensors (`pip install safetensors numpy`).
  let path = scratchPath("forpython.safetensors")
  try ModelFile.save(smallModel(seed: 4), metadata: ["architecture": "mlp"], to: path)
  let script = """
    import sys
    try:
        from safetensors.numpy import load_file
        from safetensors import safe_open
    except ImportError:
        sys.exit(77)
    t = load_file(sys.argv[1])
    with safe_open(sys.argv[1], "np") as f: meta = f.metadata()
    assert t["0.weight"].shape == (4, 3) and t["2.bias"].shape == (2,), t.keys()
    assert meta["architecture"] == "mlp"
    print(float(t["0.weight"][1, 2]))
    """
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", script, path]
  let output = Pipe()
  process.standardOutput = output
  process.standardError = Pipe()
  guard (try? process.run()) != nil else { return missingPrerequisite("python3") }
  process.waitUntilExit()
  if process.terminationStatus == 77 { return missingPrerequisite("Python's safetensors") }
  #expect(process.terminationStatus == 0)
  let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  let model = smallModel(seed: 4)
  #expect(
    Float(printed.trimmingCharacters(in: .whitespacesAndNewlines))
      == model.layers[0].parameters[0].value[1, 2])
}

/// PyTorch state_dicts carry BatchNorm's `num_batches_tracked` as I64: it loads (as a float).
@Test func integerTensorsLoadAsFloats() throws {
  let header =
    #"{"n":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"m":{"dtype":"I32","shape":[1],"data_offsets":[16,20]}}"#
  var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
  bytes += Array(header.utf8)
  for value in [Int64(7), Int64(-3)] {
    bytes += withUnsafeBytes(of: value.littleEndian) { Array($0) }
  }
  bytes += withUnsafeBytes(of: Int32(12).littleEndian) { Array($0) }
  let file = try SafeTensors.decode(Data(bytes))
  #expect(file.tensors["n"]?.scalars == [7, -3])
  #expect(file.tensors["m"]?.scalars == [12])
}
