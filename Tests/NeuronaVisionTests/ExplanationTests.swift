// Explanations point at the evidence: a tiny classifier learns pictures whose class depends
// only on a small patch at a random place (horizontal vs vertical stripes, the same
// brightness), and the heat map's peak must fall on that patch for most test pictures.
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

/// S × S grey pictures with a P × P striped patch at a random place on faint noise:
/// class 0 has bright rows 0 and 2 of the patch, class 1 bright columns 0 and 2.
private struct PatchPictures {
  static let size = 20, patch = 4
  var inputs: Tensor
  var labels: Tensor
  var patchOrigins: [(x: Int, y: Int)]

  init(count: Int, seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    let (s, p) = (Self.size, Self.patch)
    var pixels = [Float](repeating: 0, count: count * s * s)
    var labels = [Float]()
    var origins: [(x: Int, y: Int)] = []
    for n in 0..<count {
      for i in 0..<(s * s) { pixels[n * s * s + i] = 0.3 * generator.nextUnitFloat() }
      let label = Int(generator.next() % 2)
      let (x0, y0) = (
        Int(generator.next() % UInt64(s - p + 1)), Int(generator.next() % UInt64(s - p + 1))
      )
      for dy in 0..<p {
        for dx in 0..<p {
          let bright = label == 0 ? dy % 2 == 0 : dx % 2 == 0
          pixels[n * s * s + (y0 + dy) * s + x0 + dx] = bright ? 1 : 0
        }
      }
      labels.append(Float(label))
      origins.append((x0, y0))
    }
    inputs = Tensor(shape: [count, 1, s, s], scalars: pixels)
    self.labels = Tensor(shape: [count], scalars: labels)
    patchOrigins = origins
  }
}

/// Trains a classifier of `architecture` on patch pictures; returns it with its test-set
/// accuracy and the fraction of test pictures whose heat-map peak is within `margin` pixels
/// of the patch.
private func explainedFraction(
  _ architecture: ClassifierArchitecture, epochs: Int, margin: Int
) throws -> (accuracy: Double, onPatch: Double, method: Explanation.Method?) {
  let s = PatchPictures.size
  let description = ClassifierDescription(
    architecture: architecture, classNames: ["rows", "columns"], channels: 1, height: s, width: s,
    mean: [0], std: [1], baseWidth: 8, depth: 2, dropout: 0.2)
  let classifier = try Classifier(description: description, seed: 3)
  let train = PatchPictures(count: 2000, seed: 1)
  let trainer = Trainer(
    model: classifier.network, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 0.003))
  var generator = SplitMix64(seed: 2)
  try trainer.fit(
    TensorDataset(inputs: train.inputs, targets: train.labels), trainIndices: Array(0..<2000),
    epochs: epochs, batchSize: 32, using: &generator)
  let test = PatchPictures(count: 60, seed: 99)
  var right = 0
  var onPatch = 0
  var method: Explanation.Method?
  for n in 0..<60 {
    let input = test.inputs.slice(n..<(n + 1))
    let explanation = try classifier.explain(input)
    method = explanation.method
    if explanation.classIndex == Int(test.labels.scalars[n]) { right += 1 }
    let (x, y) = explanation.peak
    let origin = test.patchOrigins[n]
    let p = PatchPictures.patch
    if x >= origin.x - margin, x < origin.x + p + margin, y >= origin.y - margin,
      y < origin.y + p + margin
    {
      onPatch += 1
    }
  }
  return (Double(right) / 60, Double(onPatch) / 60, method)
}

@Test func gradCAMPeaksOnTheDecisivePatch() throws {
  let result = try explainedFraction(.cnn, epochs: 4, margin: 1)
  #expect(result.method == .gradCAM)
  #expect(result.accuracy >= 0.9, "accuracy \(result.accuracy)")
  // The patch (dilated by 1 px) covers 36 of 400 pixels: chance is 9 %. Measured: 0.83 (twice).
  print("Grad-CAM: accuracy \(result.accuracy), peak on the patch \(result.onPatch)")
  #expect(result.onPatch >= 0.7, "peak on the patch for \(result.onPatch) of test pictures")
}

@Test func saliencyOfAnMLPPeaksOnTheDecisivePatch() throws {
  let result = try explainedFraction(.mlp, epochs: 10, margin: 1)
  #expect(result.method == .saliency)
  #expect(result.accuracy >= 0.8, "accuracy \(result.accuracy)")
  print("saliency: accuracy \(result.accuracy), peak on the patch \(result.onPatch)")
  // Measured: 0.57–0.85; chance is 9 %. Training differs from run to run in the last bits
  // (a product is split between the cores only when no other test holds them), and these
  // small MLPs' maps follow: the bound is five times chance, not the best run.
  #expect(result.onPatch >= 0.45, "peak on the patch for \(result.onPatch) of test pictures")
}

@Test func rowLSTMGetsASaliencyMapOfItsInputSize() throws {
  let description = ClassifierDescription(
    architecture: .lstm, classNames: ["a", "b", "c"], channels: 1, height: 12, width: 10,
    mean: [0], std: [1])
  let classifier = try Classifier(description: description, seed: 1)
  let explanation = try classifier.explain(randomTensor([1, 1, 12, 10]), classIndex: 2)
  #expect(explanation.method == .saliency && explanation.classIndex == 2)
  #expect(explanation.heat.width == 10 && explanation.heat.height == 12)
  #expect(explanation.heat.values.max() == 1)
}
