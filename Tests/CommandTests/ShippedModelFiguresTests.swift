// The figures the model cards give for the shipped Fashion-MNIST classifiers, measured again
// on the test set (Debian's dataset-fashion-mnist, which `make test` installs): a drift in
// the model file, the kernels or the pre-processing shows here. Within 0.01, as every
// instruction-set level rounds a little differently.
import Foundation
import NeuronaTestSupport
import Testing

/// Where Debian's dataset-fashion-mnist puts the IDX files (as FashionMNIST.defaultDirectory).
private let fashionMNIST = "/usr/share/datasets/fashion-mnist"

/// `classify evaluate` of a shipped model on the Fashion-MNIST test set, as JSON.
private func testSetAccuracy(_ model: String) throws -> Double? {
  let evaluation = try runProduct(
    "classify",
    ["evaluate", fashionMNIST, "--model", model, "--format", "json"])
  #expect(evaluation.status == 0, "\(evaluation.standardError)")
  let report =
    try JSONSerialization.jsonObject(with: Data(evaluation.standardOutput.utf8)) as? [String: Any]
  #expect(report?["count"] as? Int == 10_000)
  return report?["accuracy"] as? Double
}

/// Models/fashionnet.md: test accuracy 0.9296; Models/rowlstm.md: 0.8941.
@Test(
  .enabled(
    if: prerequisite(
      FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-labels-idx1-ubyte.gz"))),
  arguments: [("fashionnet", 0.9296), ("rowlstm", 0.8941)])
func shippedClassifierKeepsItsTestAccuracy(model: String, card: Double) throws {
  let accuracy = try #require(try testSetAccuracy(model))
  #expect(abs(accuracy - card) <= 0.01, "\(model): accuracy \(accuracy), card \(card)")
}
