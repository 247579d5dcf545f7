import Neurona
import NeuronaTestSupport
import Testing

private func parameter(_ values: [Float], gradient: [Float]) -> Parameter {
  let p = Parameter(Tensor(shape: [values.count], scalars: values))
  p.gradient = Tensor(shape: [gradient.count], scalars: gradient)
  return p
}

@Test func sgdStepsAgainstTheGradient() {
  let p = parameter([1, 2], gradient: [0.5, -1])
  SGD(learningRate: 0.1).step([p])
  #expect(isClose(p.value.scalars, [0.95, 2.1], tolerance: 1e-7))
}

@Test func momentumAccumulatesVelocity() {
  let p = parameter([0], gradient: [1])
  let sgd = SGD(learningRate: 0.1, momentum: 0.9)
  sgd.step([p])  // v = 1, w = −0.1
  sgd.step([p])  // v = 1.9, w = −0.29
  #expect(abs(p.value.scalars[0] + 0.29) < 1e-6)
}

@Test func adamMatchesItsFormulaForTwoSteps() {
  // numpy: b1,b2,eps,lr=.9,.999,1e-8,.01; w=1.; m=v=0
  //   for t,g in [(1,.5),(2,-.2)]: m=b1*m+(1-b1)*g; v=b2*v+(1-b2)*g*g
  //     w-=lr*(m/(1-b1**t))/(np.sqrt(v/(1-b2**t))+eps)
  //   → w = 0.99 after step 1, 0.98654394 after step 2
  let p = parameter([1], gradient: [0.5])
  let adam = Adam(learningRate: 0.01)
  adam.step([p])
  #expect(abs(p.value.scalars[0] - 0.99) < 1e-6)
  p.gradient = Tensor(shape: [1], scalars: [-0.2])
  adam.step([p])
  #expect(abs(p.value.scalars[0] - 0.98654394) < 1e-6)
}

// A big parameter's step is split between the workers: each element must come out bit for
// bit as a one-element parameter (one thread) with its gradients, and follow the formula above.
@Test func adamOnABigParameterMatchesOneElementAtATime() {
  let count = 70_001
  let first = (0..<count).map { Float($0 % 7) / 4 - 0.25 }
  let second = (0..<count).map { Float($0 % 5) / 2 - 1.2 }
  let big = parameter([Float](repeating: 1, count: count), gradient: first)
  let adam = Adam(learningRate: 0.01)
  adam.step([big])
  big.gradient = Tensor(shape: [count], scalars: second)
  adam.step([big])
  for index in [0, 17, 35_017, 69_992, count - 1] {
    let single = parameter([1], gradient: [first[index]])
    let reference = Adam(learningRate: 0.01)
    reference.step([single])
    single.gradient = Tensor(shape: [1], scalars: [second[index]])
    reference.step([single])
    #expect(big.value.scalars[index] == single.value.scalars[0])
  }
  for index in [17, 35_017, 69_982] {  // index % 7 = 3 and index % 5 = 2: g = 0.5, then −0.2
    #expect(abs(big.value.scalars[index] - 0.98654394) < 1e-6)
  }
}

@Test func optimizersLeaveBuffersAlone() {
  let buffer = Parameter(Tensor(shape: [1], scalars: [3]), role: .buffer)
  buffer.gradient = Tensor(shape: [1], scalars: [1])
  SGD(learningRate: 1).step([buffer])
  Adam().step([buffer])
  #expect(buffer.value.scalars == [3])
}

@Test func gradientClippingBoundsTheGlobalNorm() {
  let a = parameter([0], gradient: [3])
  let b = parameter([0], gradient: [4])
  let norm = clipGradientNorm([a, b], maxNorm: 1)
  #expect(norm == 5)
  #expect(isClose(a.gradient.scalars + b.gradient.scalars, [0.6, 0.8], tolerance: 1e-6))
}

@Test func initializersHaveTheirIntendedSpread() {
  var generator = SplitMix64(seed: 11)
  let he = Initializer.heNormal.make(shape: [200, 100], fanIn: 100, fanOut: 200, using: &generator)
  let heStd = (he.squaredNorm() / Double(he.count)).squareRoot()
  #expect(abs(heStd - (2.0 / 100).squareRoot()) < 0.005)
  let glorot = Initializer.glorotUniform.make(
    shape: [50, 50], fanIn: 50, fanOut: 50, using: &generator)
  let bound = Float((6.0 / 100).squareRoot())
  #expect(glorot.scalars.allSatisfy { abs($0) <= bound })
  #expect(glorot.scalars.max()! > bound * 0.95)
  #expect(
    Initializer.zeros.make(shape: [3], fanIn: 1, fanOut: 1, using: &generator).scalars == [0, 0, 0])
  var again = SplitMix64(seed: 11)
  #expect(
    Initializer.heNormal.make(shape: [200, 100], fanIn: 100, fanOut: 200, using: &again) == he)
}

/// A parameter's learning-rate factor scales its step (SGD: exactly; 0 freezes it under Adam).
@Test func learningRateScaleScalesTheStep() {
  let (full, half, frozen) = (
    Parameter(Tensor(shape: [2], scalars: [1, 2])), Parameter(Tensor(shape: [2], scalars: [1, 2])),
    Parameter(Tensor(shape: [2], scalars: [1, 2]))
  )
  half.learningRateScale = 0.5
  frozen.learningRateScale = 0
  for parameter in [full, half, frozen] {
    parameter.gradient = Tensor(shape: [2], scalars: [4, -2])
  }
  SGD(learningRate: 0.1).step([full, half])
  #expect(isClose(full.value.scalars, [0.6, 2.2], tolerance: 1e-6))
  #expect(isClose(half.value.scalars, [0.8, 2.1], tolerance: 1e-6))
  Adam(learningRate: 0.1).step([frozen])
  #expect(frozen.value.scalars == [1, 2])
}

@Test func cosineScheduleFallsFromTheBaseRateByHalfACosine() {
  let base: Float = 0.01
  #expect(LearningRateSchedule.constant.rate(base: base, epoch: 7, of: 10) == base)
  #expect(LearningRateSchedule.cosine.rate(base: base, epoch: 1, of: 4) == base)
  #expect(abs(LearningRateSchedule.cosine.rate(base: base, epoch: 3, of: 4) - base / 2) < 1e-9)
  // The last epoch still learns: (1 + cos(3π/4)) / 2 ≈ 0.1464 of the base.
  #expect(abs(LearningRateSchedule.cosine.rate(base: base, epoch: 4, of: 4) - 0.0014645) < 1e-6)
}
