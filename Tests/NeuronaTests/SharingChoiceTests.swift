import Neurona
import NeuronaTestSupport
import Testing

/// Feeds `calls` calls to `times`, each taking `shared` or `alone` seconds by the way it
/// runs; returns the seconds spent and how many calls ran shared.
private func simulate(
  _ times: inout SharingTimes, calls: Int, shared: Double, alone: Double
) -> (seconds: Double, sharedCalls: Int) {
  var (seconds, sharedCalls) = (0.0, 0)
  for _ in 0..<calls {
    let runsAlone = times.nextRunsAlone
    let time = runsAlone ? alone : shared
    times.record(time, alone: runsAlone)
    seconds += time
    if !runsAlone { sharedCalls += 1 }
  }
  return (seconds, sharedCalls)
}

/// Each way is timed once, then the faster one runs, and the slower one is tried again
/// once every (r − 1)/2 % calls: here twice as slow, once in 51 calls, costing ≤ 2 %.
@Test func sharingTimesRunTheFasterWayAndRetryTheOther() {
  var times = SharingTimes()
  #expect(!times.nextRunsAlone)  // shared first
  times.record(2, alone: false)
  #expect(times.nextRunsAlone)  // then alone
  times.record(1, alone: true)
  #expect(times.aloneIsFaster == true)
  let (seconds, sharedCalls) = simulate(&times, calls: 1020, shared: 2, alone: 1)
  #expect(sharedCalls == 20, "one retry per 51 calls")
  #expect(seconds <= 1020 * 1.02 + 1e-9)
  #expect(times.aloneIsFaster == true)
}

/// When the faster way changes (the cores moved), the choice follows at the next retry.
@Test func sharingTimesFollowAChangeOfPlacement() {
  var times = SharingTimes()
  _ = simulate(&times, calls: 300, shared: 2, alone: 1)
  #expect(times.aloneIsFaster == true)
  // Sharing becomes four times as fast: taken at the next retry, within 51 calls, and kept
  // (alone is then the slower way, retried once in 151 calls).
  var calls = 0
  while times.aloneIsFaster == true, calls < 60 {
    _ = simulate(&times, calls: 1, shared: 0.5, alone: 2)
    calls += 1
  }
  #expect(times.aloneIsFaster == false, "after \(calls) calls")
  #expect(calls <= 51)
  let (_, sharedCalls) = simulate(&times, calls: 302, shared: 0.5, alone: 2)
  #expect(sharedCalls == 300)
}

/// One slow call of the faster way (another program took the core) does not flip the
/// choice; several do.
@Test func sharingTimesWeighOneSlowCallLightly() {
  var times = SharingTimes()
  times.record(1.5, alone: false)
  times.record(1, alone: true)
  times.record(2, alone: true)
  #expect(times.aloneIsFaster == true)
  times.record(2, alone: true)
  #expect(times.aloneIsFaster == false)
}

/// Run alone, a network gives the result it gives shared, to the bit: the same pieces, run
/// in turn. A batch of one and of three, through convolutions big enough to be split
/// (Winograd, im2col bands, pointwise bands), pooling and a dense layer.
@Test(arguments: [1, 3])
func runningAloneGivesTheSharedResult(batch: Int) {
  var generator = SplitMix64(seed: 5)
  let network = Sequential([
    Conv2D(3, 16, kernelSize: 3, padding: 1, using: &generator), ReLU(),
    Conv2D(16, 32, kernelSize: 3, padding: 1, using: &generator), ReLU(),
    Conv2D(32, 32, kernelSize: 1, using: &generator), MaxPool2D(kernelSize: 2), Flatten(),
    Dense(32 * 32 * 32, 10, using: &generator),
  ])
  let input = randomTensor([batch, 3, 64, 64], seed: 6)
  let shared = network.forward(input, mode: .inference)
  let alone = ComputeThreads.serially { network.forward(input, mode: .inference) }
  #expect(shared.scalars == alone.scalars)
  // Through a SharingChoice, whichever way it takes.
  let choice = SharingChoice()
  for _ in 0..<4 { #expect(choice.infer(network, input).scalars == shared.scalars) }
}
