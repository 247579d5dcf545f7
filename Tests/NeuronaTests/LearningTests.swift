// The course's first lessons as tests: a single TLU learns AND and OR but not XOR; an
// MLP with one hidden layer learns XOR by backpropagation.
import Neurona
import NeuronaTestSupport
import Testing

private let truthTable: [[Float]] = [[0, 0], [0, 1], [1, 0], [1, 1]]

@Test func perceptronLearnsANDAndOR() {
  var and = Perceptron(inputCount: 2)
  let andConverged = and.train(inputs: truthTable, targets: [0, 0, 0, 1])
  #expect(andConverged)
  #expect(truthTable.map(and.predict) == [0, 0, 0, 1])
  var or = Perceptron(inputCount: 2)
  let orConverged = or.train(inputs: truthTable, targets: [0, 1, 1, 1])
  #expect(orConverged)
  #expect(truthTable.map(or.predict) == [0, 1, 1, 1])
}

@Test func perceptronCannotLearnXOR() {
  var xor = Perceptron(inputCount: 2)
  let xorConverged = xor.train(inputs: truthTable, targets: [0, 1, 1, 0], maxEpochs: 1000)
  #expect(!xorConverged)
  #expect(truthTable.map(xor.predict) != [0, 1, 1, 0])
}

@Test func mlpLearnsXOR() throws {
  var generator = SplitMix64(seed: 3)
  let model = Sequential([
    Dense(2, 4, initializer: .glorotUniform, using: &generator), Tanh(),
    Dense(4, 1, initializer: .glorotUniform, using: &generator),
  ])
  let data = TensorDataset(
    inputs: Tensor(shape: [4, 2], scalars: truthTable.flatMap { $0 }),
    targets: Tensor(shape: [4, 1], scalars: [0, 1, 1, 0]))
  let trainer = Trainer(
    model: model, loss: BinaryCrossEntropy(), optimizer: Adam(learningRate: 0.05))
  let reports = try trainer.fit(
    data, trainIndices: [0, 1, 2, 3], epochs: 300, batchSize: 4, using: &generator)
  #expect(reports.last!.trainLoss < 0.05)
  let predictions = model(data.inputs).scalars.map { $0 > 0 ? 1 : 0 }
  #expect(predictions == [0, 1, 1, 0])
}

@Test func trainerReportsAccuracyAndValidation() throws {
  // Two well-separated Gaussian blobs: any classifier worth the name gets them all right.
  var generator = SplitMix64(seed: 5)
  var points: [Float] = []
  var labels: [Float] = []
  for i in 0..<200 {
    let label = i % 2
    points += [
      generator.nextGaussian() * 0.3 + (label == 0 ? -2 : 2), generator.nextGaussian() * 0.3,
    ]
    labels.append(Float(label))
  }
  let data = TensorDataset(
    inputs: Tensor(shape: [200, 2], scalars: points), targets: Tensor(shape: [200], scalars: labels)
  )
  let split = trainValidationSplit(count: 200, validationFraction: 0.25, using: &generator)
  #expect(split.train.count == 150 && split.validation.count == 50)
  #expect(Set(split.train).isDisjoint(with: split.validation))
  let model = Sequential([Dense(2, 8, using: &generator), ReLU(), Dense(8, 2, using: &generator)])
  let trainer = Trainer(
    model: model, loss: SoftmaxCrossEntropy(), optimizer: SGD(learningRate: 0.1, momentum: 0.9),
    l2: 1e-4)
  let reports = try trainer.fit(
    data, trainIndices: split.train, validationIndices: split.validation, epochs: 5, batchSize: 16,
    using: &generator)
  #expect(reports.count == 5)
  #expect(reports.last!.validationAccuracy == 1)
  #expect(reports.last!.l2Penalty > 0)
}

@Test func trainerStopsWhenTheLossDiverges() {
  var generator = SplitMix64(seed: 1)
  let model = Sequential([Dense(1, 1, using: &generator)])
  let data = TensorDataset(
    inputs: Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]),
    targets: Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]))
  let trainer = Trainer(model: model, loss: MeanSquaredError(), optimizer: SGD(learningRate: 1e6))
  #expect(throws: DivergenceError.self) {
    try trainer.fit(data, trainIndices: [0, 1, 2, 3], epochs: 50, batchSize: 4, using: &generator)
  }
}
