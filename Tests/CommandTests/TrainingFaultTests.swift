// Faults during training, end to end through the built binaries: a run killed with SIGKILL
// and resumed ends with exactly the model of an uninterrupted run (Dropout masks, shuffling
// and the segmentation sampler's crops included); a diverging run stops with a message that
// names epoch and step and exits non-zero; model outputs that cannot be written fail with
// one line and leave no temporary file.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import Testing

/// The tensor bytes of a safetensors file (everything after the JSON header): equal for two
/// files exactly when their tensors are bit-identical, whatever their metadata says.
func tensorBytes(_ path: String) throws -> Data {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  try #require(data.count >= 8)
  let headerSize = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
  return data.dropFirst(8 + headerSize)
}

/// Starts a built executable and kills it with SIGKILL once its standard output contains
/// `marker` (or after `seconds`, whichever comes first); returns whether it was killed
/// (false: it ended by itself before).
func runAndKill(_ name: String, _ arguments: [String], marker: String?, seconds: Double) throws
  -> Bool
{
  let process = Process()
  process.executableURL = productsFolder().appendingPathComponent(name)
  process.arguments = arguments
  let output = Pipe()
  process.standardOutput = output
  process.standardError = FileHandle.nullDevice
  try process.run()
  let deadline = Date().addingTimeInterval(seconds)
  var seen = Data()
  let reader = output.fileHandleForReading
  let flags = fcntl(reader.fileDescriptor, F_GETFL)
  _ = fcntl(reader.fileDescriptor, F_SETFL, flags | O_NONBLOCK)
  while process.isRunning && Date() < deadline {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = read(reader.fileDescriptor, &buffer, buffer.count)
    if n > 0 { seen.append(contentsOf: buffer[0..<n]) }
    if let marker, String(decoding: seen, as: UTF8.self).contains(marker) { break }
    usleep(2000)
  }
  let killed = process.isRunning
  if killed { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
  return killed && process.terminationReason == .uncaughtSignal
}

/// The per-epoch log lines without their timing and "(best, saved)" notes.
func epochLines(_ output: String) -> Set<String> {
  Set(
    output.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.map {
      String($0).replacingOccurrences(of: #", [0-9.]+ s.*$"#, with: "", options: .regularExpression)
    })
}

/// Files whose names start with a dot in `folder` (where temporary files would be).
func hiddenFiles(_ folder: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }
}

/// Training images and masks of bright discs for `segment train`.
func writeDiscPairs(_ root: String, count: Int, size: Int) throws {
  for folder in ["images", "masks"] {
    try FileManager.default.createDirectory(
      atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
  }
  for index in 0..<count {
    let (image, mask) = try discPicture(width: size, height: size, seed: UInt64(index + 1))
    try image.writePNG(to: "\(root)/images/disc\(index).png")
    try mask.writePNG(to: "\(root)/masks/disc\(index).png")
  }
}

/// A classify and a segment training command over generated data in `root` (Dropout 0.5 in
/// the classifier, augmented crops in the segmenter: both draw random numbers every step).
func trainingCommands(_ root: String, epochs: Int) throws -> [(name: String, arguments: [String])] {
  try writeStripesFolder("\(root)/stripes", perClass: 24, seed: 7)
  try writeDiscPairs(root, count: 4, size: 32)
  return [
    (
      "classify",
      [
        "train", "\(root)/stripes", "--epochs", "\(epochs)", "--batch-size", "8", "--size", "16",
        "--width", "4", "--seed", "11", "--validation-split", "0.25", "--dropout", "0.5",
      ]
    ),
    (
      "segment",
      [
        "train", "--images", "\(root)/images", "--masks", "\(root)/masks", "--epochs", "\(epochs)",
        "--batch-size", "2", "--size", "16", "--width", "4", "--depth", "2",
        "--steps-per-epoch", "6", "--seed", "11", "--validation-split", "0.25",
      ]
    ),
  ]
}

@Test func trainingKilledAfterAnEpochResumesToTheSameModel() throws {
  let root = try makeTemporaryFolder("resume")
  for (name, arguments) in try trainingCommands(root, epochs: 6) {
    let straight = "\(root)/\(name)-straight.safetensors"
    let run = try runProduct(name, arguments + ["--output", straight])
    #expect(run.status == 0, "\(run.standardError)")

    let interrupted = "\(root)/\(name)-interrupted.safetensors"
    let killed = try runAndKill(
      name, arguments + ["--output", interrupted], marker: "epoch 2/6", seconds: 120)
    let resumed = try runProduct(name, arguments + ["--output", interrupted, "--resume"])
    #expect(resumed.status == 0, "\(resumed.standardError)")
    // The kill must have happened (after epoch 2 of 6), or nothing was tested.
    #expect(killed, "\(name): the run ended before it could be killed")
    #expect(
      resumed.standardOutput.contains("resuming after epoch")
        || resumed.standardOutput.contains("starting from"))
    #expect(try tensorBytes(straight) == tensorBytes(interrupted), "\(name): resumed model differs")
    // Every epoch the resumed run trained has the losses and scores of the straight run's.
    let resumedEpochs = epochLines(resumed.standardOutput)
    #expect(!resumedEpochs.isEmpty)
    #expect(
      resumedEpochs.isSubset(of: epochLines(run.standardOutput)),
      "\(name): \(resumed.standardOutput)")
    #expect(!FileManager.default.fileExists(atPath: interrupted + ".checkpoint"))
    #expect(try hiddenFiles(root).isEmpty)
  }
}

/// Kills each training several times at random moments (SIGKILL, possibly mid-write of a
/// checkpoint or model), resuming each time; the final model must equal an uninterrupted
/// run's (a few seconds).
@Test func trainingKilledAtRandomMomentsResumesToTheSameModel() throws {
  let root = try makeTemporaryFolder("resume-random")
  var generator = SystemRandomNumberGenerator()
  for (name, arguments) in try trainingCommands(root, epochs: 40) {
    let straight = "\(root)/\(name)-straight.safetensors"
    let started = Date()
    let run = try runProduct(name, arguments + ["--output", straight])
    #expect(run.status == 0, "\(run.standardError)")
    let duration = Date().timeIntervalSince(started)

    let interrupted = "\(root)/\(name)-interrupted.safetensors"
    var kills = 0
    // Each round resumes the last and is killed after a random time; every resume must find
    // a whole checkpoint (or none yet) whatever the moment of the kill.
    for round in 0..<25 {
      let delay = Double.random(in: 0.02...max(0.05, duration * 0.3), using: &generator)
      let resume = round == 0 ? [] : ["--resume"]
      guard
        try runAndKill(
          name, arguments + ["--output", interrupted] + resume, marker: nil, seconds: delay)
      else { break }
      kills += 1
    }
    let final = try runProduct(name, arguments + ["--output", interrupted, "--resume"])
    #expect(final.status == 0, "\(final.standardError)")
    #expect(kills > 0)
    print("\(name): killed \(kills) times at random moments, then finished")
    #expect(
      try tensorBytes(straight) == tensorBytes(interrupted),
      "\(name): resumed model differs after \(kills) kills")
    #expect(try hiddenFiles(root).isEmpty)
  }
}

@Test func divergingTrainingStopsWithEpochAndStepAndExitsNonZero() throws {
  let root = try makeTemporaryFolder("diverge")
  try writeStripesFolder("\(root)/stripes", perClass: 8, seed: 1)
  let model = "\(root)/m.safetensors"
  let run = try runProduct(
    "classify",
    [
      "train", "\(root)/stripes", "--epochs", "3", "--size", "16", "--width", "4", "--batch-size",
      "4",
      "--optimizer", "sgd", "--lr", "1e30", "--output", model,
    ])
  #expect(run.status != 0)
  let message = run.standardError.split(separator: "\n").last.map(String.init) ?? ""
  #expect(message.contains("training diverged"), "\(run.standardError)")
  #expect(message.contains("at epoch 1, step"))
  #expect(!FileManager.default.fileExists(atPath: model))
  #expect(try hiddenFiles(root).isEmpty)
}
