// Fine-tuning the shipped person segmenter: a few Adam steps on a tiny picture/mask set must
// lower the loss (the pretrained weights train like any other model: every new layer passes
// gradients back). The set: the cat photo, which the pretrained model calls 91 % "selfie",
// with an all-background mask, and the astronaut with MediaPipe's own mask (to keep people).
import Neurona
import NeuronaImage
import NeuronaTestSupport
import NeuronaVision
import Testing

@Test func fineTuningThePersonSegmenterLowersTheLoss() throws {
  let segmenter = try loadPersonSegmenter()
  // 64×64 versions keep the test fast; the network takes any multiple of 16.
  let size = 64
  var pictures: [Float] = []
  var masks: [Float] = []
  for (name, person) in [("chelsea", false), ("astronaut", true)] {
    let image = try Image.read(
      contentsOf: personFixtures.appendingPathComponent("\(name)_input256.png").path)
    pictures += try image.resized(width: size, height: size).floatPlanes()
    if person {
      let mask = try Image.read(
        contentsOf: personFixtures.appendingPathComponent("astronaut_mediapipe_mask.png").path)
      masks += try mask.resized(width: size, height: size).pixels.map { $0 >= 128 ? 1 : 0 }
    } else {
      masks += [Float](repeating: 0, count: size * size)
    }
  }
  let input = Tensor(shape: [2, 3, size, size], scalars: pictures)
  let target = Tensor(shape: [2, 1, size, size], scalars: masks)
  let loss = CombinedLoss([(1, BinaryCrossEntropy()), (1, SoftDiceLoss())])
  let trainer = Trainer(model: segmenter.network, loss: loss, optimizer: Adam(learningRate: 1e-3))
  let before = loss.evaluate(segmenter.network.forward(input, mode: .inference), target).value
  var losses: [Float] = []
  for _ in 0..<6 { losses.append(trainer.step(input: input, target: target).loss) }
  let after = loss.evaluate(segmenter.network.forward(input, mode: .inference), target).value
  print("fine-tuning losses: before \(before), steps \(losses), after \(after)")
  #expect(losses.allSatisfy { $0.isFinite })
  #expect(after < 0.8 * before, "loss \(before) → \(after)")
}
