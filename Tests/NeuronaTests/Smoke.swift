import Testing
import Neurona
@Test func smoke() { #expect(Tensor(zeros: [2, 3]).count == 6) }
