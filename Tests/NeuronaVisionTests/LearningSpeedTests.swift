// Learning as fast as PyTorch, step for step: FashionNet built by `classify train`'s recipe
// (Adam 1e-3, batch 64, dropout 0.5) on the first 3 600 Fashion-MNIST training images, one
// epoch from seed 0. PyTorch's defaults on the same network and data reach a mean training
// loss of 1.18 in that epoch (its run of the identical recipe, measured for the issue);
// Neurona reached 1.98 while its layers started from He-normal weights, 2.4× PyTorch's spread,
// and 1.14 with PyTorch's U(±1/√fan-in). Needs the Fashion-MNIST package (skipped without it,
// a failure under CI=true).
import Foundation
import Neurona
import NeuronaTestSupport
import NeuronaVision
import Testing

@Test(.enabled(if: prerequisite(FashionMNIST.isDataset(FashionMNIST.defaultDirectory))))
func fashionNetLearnsAsFastAsPyTorchInItsFirstEpoch() throws {
  let (data, _) = try ClassificationData.load(
    FashionMNIST.defaultDirectory, split: .train, description: .fashionNet())
  let classifier = try Classifier(description: .fashionNet(), seed: 0)
  let trainer = Trainer(
    model: classifier.network, loss: SoftmaxCrossEntropy(), optimizer: Adam(learningRate: 1e-3))
  var generator = SplitMix64(seed: 1)
  let report = try trainer.fit(
    data.examples, trainIndices: Array(0..<3600), epochs: 1, batchSize: 64, using: &generator)
  print("FashionNet first-epoch training loss \(report[0].trainLoss)")
  #expect(report[0].trainLoss < 1.3, "mean loss \(report[0].trainLoss) (PyTorch: 1.18)")
}

/// The checkout's root (this file is two levels down).
private let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path

// The same for `segment train`'s recipe (BCE + soft Dice, Adam 1e-3, batch 8, augmented crops)
// on the nuclei training image, with 64² crops to keep the test short: the mean training loss
// of the first 40 steps from seed 0. With He-normal weights it was 1.12; with PyTorch's
// U(±1/√fan-in), which learns faster under batch normalisation (UNet.swift), 0.94.
@Test func uNetLearnsAsFastAsWithPyTorchsInitialWeights() throws {
  let pair = try MaskPairs.load(
    image: "\(checkout)/Datasets/nuclei/train/images/nuclei_left.png",
    mask: "\(checkout)/Datasets/nuclei/train/masks/nuclei_left.png")
  let description = SegmenterDescription(channels: 3, size: 64)
  let segmenter = try Segmenter(description: description, seed: 0)
  let sampler = try SegmentationSampler(
    [pair], description: description, cropSize: 64, cropsPerEpoch: 40 * 8, seed: 1)
  let trainer = Trainer(
    model: segmenter.network, loss: SegmentationTarget.mask.trainingLoss(),
    optimizer: Adam(learningRate: 1e-3))
  var generator = SplitMix64(seed: 2)
  let report = try trainer.fit(
    sampler, trainIndices: Array(0..<sampler.count), epochs: 1, batchSize: 8, using: &generator)
  print("U-Net mean training loss over 40 steps \(report[0].trainLoss)")
  #expect(report[0].trainLoss < 1.05, "mean loss \(report[0].trainLoss) (He-normal: 1.12)")
}
