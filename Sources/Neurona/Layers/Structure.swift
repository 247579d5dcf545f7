// Layers that arrange other layers or reshape: Sequential (the seed notes' "modelo
// secuencial", as in Keras) and Flatten.

/// Layers applied one after another; backward runs them in reverse (the chain rule).
///
/// Parameter names are the layer's index, as in PyTorch's `nn.Sequential`: `0.weight`.
public final class Sequential: Layer {
  /// The layers, first applied first.
  public private(set) var layers: [Layer]

  /// A model of `layers` in order.
  public init(_ layers: [Layer] = []) { self.layers = layers }

  /// Appends a layer, as Keras's `model.add`.
  public func add(_ layer: Layer) { layers.append(layer) }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { prefixed("\($0.offset)", $0.element) }
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    layers.reduce(input) { $1.forward($0, mode: mode) }
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    layers.reversed().reduce(outputGradient) { $1.backward($0) }
  }
}

/// Flattens every dimension but the first: `[N, C, H, W] → [N, C·H·W]`.
public final class Flatten: Layer {
  private var inputShape: [Int] = []

  public init() {}

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    inputShape = input.shape
    let n = input.shape.first ?? 0
    return input.reshaped([n, n == 0 ? 0 : input.count / n])
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    outputGradient.reshaped(inputShape)
  }
}
