// Layers that arrange other layers or reshape: Sequential (the course's "modelo
// secuencial", as in Keras) and Flatten.

/// Layers applied one after another; backward runs them in reverse (the chain rule).
///
/// Parameter names are the layer's index, as in PyTorch's `nn.Sequential` (`0.weight`), or
/// the name given when the layer was added (`fc1.weight`), as in a PyTorch module's fields.
public final class Sequential: Layer, GeneratorOwner {
  /// The layers, first applied first.
  public private(set) var layers: [Layer]
  /// The name of each layer, used as the prefix of its parameter names.
  public private(set) var names: [String]

  /// A model of `layers` in order, named by their index.
  public init(_ layers: [Layer] = []) {
    self.layers = layers
    self.names = layers.indices.map(String.init)
  }

  /// A model of named layers in order.
  public init(named layers: [(String, Layer)]) {
    self.layers = layers.map(\.1)
    self.names = layers.map(\.0)
  }

  /// Appends a layer, as Keras's `model.add`; it is named by its index unless `name` is given.
  public func add(_ layer: Layer, name: String? = nil) {
    names.append(name ?? String(layers.count))
    layers.append(layer)
  }

  /// Puts `layer` in place of the layer at `index`, keeping its name (a new classifier head
  /// on a pretrained network).
  public func replace(at index: Int, with layer: Layer) {
    layers[index] = layer
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    zip(names, layers).flatMap { prefixed($0, $1) }
  }

  /// The generators of the layers that own some (Dropout), under the layers' names.
  public var generatorStates: [String: UInt64] {
    var states: [String: UInt64] = [:]
    for (name, layer) in zip(names, layers) {
      for (child, state) in Neurona.generatorStates(of: layer) {
        states[joinedGeneratorName(name, child)] = state
      }
    }
    return states
  }

  public func restoreGeneratorStates(_ states: [String: UInt64]) {
    for (name, layer) in zip(names, layers) {
      Neurona.restoreGeneratorStates(childGeneratorStates(states, prefix: name), of: layer)
    }
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    // At inference, convolutions absorb the normalisation and ReLU after them.
    if mode == .inference && fusesForInference { return fusedInferenceForward(input) }
    // In training, a convolution or normalisation rectifies its own output when a ReLU
    // follows, and backward fuses the ReLU into its neighbour (TrainingFusion.swift).
    if mode == .training && fusesForTraining { return fusedTrainingForward(input) }
    return layers.reduce(input) { $1.forward($0, mode: mode) }
  }

  /// Whether inference fuses Conv2D → BatchNorm2D → ReLU runs (InferenceFusion.swift); off,
  /// every layer runs on its own (the reference the fused path is tested against).
  public var fusesForInference = true

  /// Whether training fuses a ReLU with the layer before or after it (TrainingFusion.swift);
  /// off, every layer runs on its own (the reference the fused path is tested against).
  public var fusesForTraining = true

  public func backward(_ outputGradient: Tensor) -> Tensor {
    if fusesForTraining { return fusedBackward(outputGradient) }
    return layers.reversed().reduce(outputGradient) { $1.backward($0) }
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
