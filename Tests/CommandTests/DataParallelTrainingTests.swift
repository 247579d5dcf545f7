// End to end under `mpirun -np 2` (Open MPI, loaded by the binaries at run time): two ranks
// train the same model as one process, parameter for parameter, for a classifier with dropout
// and a U-Net with batch norm, Dice and augmented crops; rank 0 alone prints; a rank that dies
// ends the run with mpirun's message naming it and the last checkpoint intact, and --resume
// under mpirun then ends with the uninterrupted run's model.
import Foundation
import Neurona
import NeuronaTestSupport
import Testing

/// `mpirun`, when installed (scripts/install-deps.sh --tests installs Open MPI).
private let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}

/// Runs `product arguments` as `ranks` ranks of one mpirun job; what it printed and returned.
private func runRanks(_ ranks: Int, _ product: String, _ arguments: [String]) throws
  -> (status: Int32, standardOutput: String, standardError: String)
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: mpirun ?? "mpirun")
  process.arguments =
    ["-np", "\(ranks)", "--oversubscribe", "--allow-run-as-root", "--bind-to", "none"]
    + [productsFolder().appendingPathComponent(product).path] + arguments
  // Files rather than pipes: nothing to drain while waiting.
  let folder = try makeTemporaryFolder("mpi-log")
  let (out, err) = ("\(folder)/out", "\(folder)/err")
  FileManager.default.createFile(atPath: out, contents: nil)
  FileManager.default.createFile(atPath: err, contents: nil)
  process.standardOutput = FileHandle(forWritingAtPath: out)
  process.standardError = FileHandle(forWritingAtPath: err)
  try process.run()
  process.waitUntilExit()
  return (
    process.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
    (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
  )
}

/// The largest ‖a − b‖∞ / max(‖a‖∞, 1e-3) over the tensors of two model files (the same
/// names). The floor is for tensors that are 0 but for rounding noise: the biases of the
/// convolutions under a BatchNorm, which it cancels (their gradient is 0 up to rounding; they
/// end near 1e-9 to 1e-8, and differ at that level whatever sums them in another order).
private func worstRelativeDifference(_ first: String, _ second: String) throws -> Double {
  let (a, b) = (try ModelFile.read(first).tensors, try ModelFile.read(second).tensors)
  #expect(Set(a.keys) == Set(b.keys))
  var worst = 0.0
  for (name, x) in a {
    guard let y = b[name], x.count > 0 else { continue }
    let scale = x.scalars.map { abs(Double($0)) }.max() ?? 0
    let difference = zip(x.scalars, y.scalars).map { abs(Double($0) - Double($1)) }.max() ?? 0
    worst = max(worst, difference / max(scale, 1e-3))
  }
  return worst
}

@Test(.enabled(if: prerequisite(mpirun != nil)))
func twoRanksTrainTheClassifierOneProcessTrains() throws {
  let root = try makeTemporaryFolder("mpi-classify")
  try writeStripesFolder("\(root)/data", perClass: 20, seed: 5)
  // Momentum SGD: each step moves the weights in proportion to the averaged gradient, so a
  // wrong all-reduce (a missing or mis-scaled share) shows. Adam would hide a scale, and its
  // per-element normalisation turns rounding-level differences in near-zero gradients (the
  // ranks add the batch's gradients in another order; Winograd-domain ∂W rounds differently
  // from im2col's) into whole steps: 1.2e-3 apart after ten.
  let common = [
    "train", "\(root)/data", "--epochs", "2", "--batch-size", "8", "--size", "16", "--seed", "3",
    "--dropout", "0.5", "--threads", "1", "--optimizer", "momentum", "--lr", "0.01",
  ]
  let one = try runProduct("classify", common + ["--output", "\(root)/one.safetensors"])
  #expect(one.status == 0, "\(one.standardError)")
  let two = try runRanks(2, "classify", common + ["--output", "\(root)/two.safetensors"])
  #expect(two.status == 0, "\(two.standardError)")
  let worst = try worstRelativeDifference("\(root)/one.safetensors", "\(root)/two.safetensors")
  #expect(worst < 1e-4, "\(worst)")
  // Rank 0 alone printed: each epoch line once.
  #expect(
    two.standardOutput.components(separatedBy: "epoch 1/2:").count == 2, "\(two.standardOutput)")
  // The checkpoint of a finished run is gone, as alone.
  #expect(!FileManager.default.fileExists(atPath: "\(root)/two.safetensors.checkpoint"))
}

@Test(.enabled(if: prerequisite(mpirun != nil)))
func twoRanksTrainTheUNetOneProcessTrains() throws {
  let root = try makeTemporaryFolder("mpi-segment")
  try writeDiscPairs(root, count: 6, size: 32)
  let one = try runProduct(
    "segment", unetTraining(root) + ["--epochs", "2", "--output", "\(root)/one.safetensors"])
  #expect(one.status == 0, "\(one.standardError)")
  let two = try runRanks(
    2, "segment", unetTraining(root) + ["--epochs", "2", "--output", "\(root)/two.safetensors"])
  #expect(two.status == 0, "\(two.standardError)")
  #expect(try worstRelativeDifference("\(root)/one.safetensors", "\(root)/two.safetensors") < 1e-4)
}

@Test(.enabled(if: prerequisite(mpirun != nil)))
func aDyingRankEndsTheRunAndResumeFinishesIt() throws {
  let root = try makeTemporaryFolder("mpi-resume")
  try writeDiscPairs(root, count: 6, size: 32)
  let arguments = unetTraining(root, steps: 24) + ["--epochs", "3"]
  let model = "\(root)/cut.safetensors"
  // Rank 1 is killed as soon as rank 0 has written the first checkpoint.
  let process = Process()
  process.executableURL = URL(fileURLWithPath: mpirun ?? "mpirun")
  process.arguments =
    ["-np", "2", "--oversubscribe", "--allow-run-as-root", "--bind-to", "none"]
    + [productsFolder().appendingPathComponent("segment").path] + arguments
    + ["--output", model]
  let errors = Pipe()
  process.standardOutput = FileHandle.nullDevice
  process.standardError = errors
  try process.run()
  while process.isRunning, !FileManager.default.fileExists(atPath: model + ".checkpoint") {
    usleep(2000)
  }
  var killed = false
  for rank in children(of: process.processIdentifier) where rankNumber(rank) == 1 {
    killed = kill(rank, SIGKILL) == 0
  }
  let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  process.waitUntilExit()
  try #require(killed, "rank 1 was not found to kill")
  #expect(process.terminationStatus != 0)
  #expect(message.contains("rank 1"), "\(message)")
  // The checkpoint is whole, and --resume under mpirun finishes the model an uninterrupted
  // 2-rank run trains, bit for bit (the same ranks sum in the same order).
  #expect(try ModelFile.read(model + ".checkpoint").tensors.count > 0)
  let resumed = try runRanks(2, "segment", arguments + ["--output", model, "--resume"])
  #expect(resumed.status == 0, "\(resumed.standardError)")
  #expect(resumed.standardOutput.contains("resuming after epoch"), "\(resumed.standardOutput)")
  let whole = try runRanks(2, "segment", arguments + ["--output", "\(root)/whole.safetensors"])
  #expect(whole.status == 0, "\(whole.standardError)")
  #expect(try tensorBytes("\(root)/whole.safetensors") == tensorBytes(model))
}

/// `segment train` of a small U-Net (batch norm, BCE + Dice, augmented crops) on `root`'s
/// discs. Momentum SGD: Adam's first steps move every weight by about ±lr whatever the size of
/// its gradient, so the convolution biases under a BatchNorm, whose true gradient is 0, follow
/// the sign of rounding noise, which any change of summation order (ranks, threads) flips; the
/// classifier test shows Adam where gradients are not 0.
private func unetTraining(_ root: String, steps: Int = 4) -> [String] {
  [
    "train", "--images", "\(root)/images", "--masks", "\(root)/masks", "--batch-size", "4",
    "--lr", "0.01", "--size", "32", "--width", "4", "--depth", "2", "--steps-per-epoch",
    "\(steps)", "--seed", "1", "--validation-split", "0.34", "--optimizer", "momentum",
    "--threads", "1",
  ]
}

/// The processes whose parent is `parent` (Linux /proc).
private func children(of parent: Int32) -> [Int32] {
  let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
  return entries.compactMap(Int32.init).filter { pid in
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    // After "pid (name) state": the parent's pid.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 1 && Int32(fields[1]) == parent
  }
}

/// The MPI rank of a process mpirun started (its OMPI_COMM_WORLD_RANK), if any.
private func rankNumber(_ pid: Int32) -> Int? {
  guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else {
    return nil
  }
  for entry in environment.split(separator: 0) {
    let text = String(decoding: entry, as: UTF8.self)
    if text.hasPrefix("OMPI_COMM_WORLD_RANK=") { return Int(text.dropFirst(21)) }
  }
  return nil
}
