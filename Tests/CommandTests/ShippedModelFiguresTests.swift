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

@Test(
  .enabled(
    if: prerequisite(
      FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-labels-idx1-ubyte.gz"))))
func shippedFashionNetKeepsItsTestAccuracy() throws {
  // Models/fashionnet.md: test accuracy 0.9296.
  let accuracy = try #require(try testSetAccuracy("fashionnet"))
  #expect(abs(accuracy - 0.9296) <= 0.01, "accuracy \(accuracy), card 0.9296")
}

@Test(
  .enabled(
    if: prerequisite(
      FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-labels-idx1-ubyte.gz"))))
func shippedRowLSTMKeepsItsTestAccuracy() throws {
  // Models/rowlstm.md: test accuracy 0.8941.
  let accuracy = try #require(try testSetAccuracy("rowlstm"))
  #expect(abs(accuracy - 0.8941) <= 0.01, "accuracy \(accuracy), card 0.8941")
}
