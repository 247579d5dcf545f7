// The Layer protocol every building block of a network conforms to, and the Parameter
// that carries a learnable tensor with its gradient. Layers that hold layers (Sequential,
// U-Net blocks, LSTM) are layers too, so a model is a layer.

/// Whether a forward pass is for learning or for answering.
///
/// Dropout and batch normalisation behave differently in the two.
public enum Mode: Sendable {
  case training
  case inference
}

/// A learnable tensor and the gradient of the loss with respect to it.
///
/// A class so that the layer, the optimiser and the model file all see the same storage.
public final class Parameter {
  /// What a parameter is for: decides whether L2 applies and whether optimisers update it.
  public enum Role: Sendable {
    /// A weight: regularised by L2 and updated by the optimiser.
    case weight
    /// A bias or a normalisation scale/shift: updated but not regularised.
    case bias
    /// A running statistic (BatchNorm): saved in model files, never updated by the optimiser.
    case buffer
  }

  /// The current value.
  public var value: Tensor { didSet { version &+= 1 } }
  /// Counts changes to `value` (assignments and in-place writes alike), so that a layer can
  /// keep something derived from it — Winograd's transformed filters — until it changes.
  public private(set) var version = 0
  /// ∂loss/∂value, accumulated by `backward` (`+=`) until `zeroGradient()`.
  public var gradient: Tensor
  /// See `Role`.
  public let role: Role
  /// The factor on the optimiser's learning rate for this parameter (PyTorch's parameter
  /// groups): fine-tuning moves a pretrained backbone more gently than its new head; 0
  /// freezes it.
  public var learningRateScale: Float = 1

  /// A parameter starting at `value` with a zero gradient.
  public init(_ value: Tensor, role: Role = .weight) {
    self.value = value
    self.gradient = Tensor(zeros: value.shape)
    self.role = role
  }

  /// Resets the accumulated gradient to zero.
  public func zeroGradient() { gradient.zero() }
}

/// A differentiable function with explicit forward and backward passes.
///
/// `forward` caches what `backward` needs; `backward` receives ∂loss/∂output, **adds**
/// (`+=`) the parameter gradients into each `Parameter.gradient`, and returns
/// ∂loss/∂input. A backward call refers to the most recent forward call.
public protocol Layer: AnyObject {
  /// Computes the output for `input`, caching what `backward` needs when training.
  func forward(_ input: Tensor, mode: Mode) -> Tensor
  /// Back-propagates `outputGradient` through the last forward pass.
  func backward(_ outputGradient: Tensor) -> Tensor
  /// The layer's parameters under stable dotted names in PyTorch's layout (`weight`, `bias`,
  /// `0.weight`, `enc1.conv1.weight`), the same names the model file uses.
  var namedParameters: [(name: String, parameter: Parameter)] { get }
}

extension Layer {
  /// A layer without parameters has none to name.
  public var namedParameters: [(name: String, parameter: Parameter)] { [] }

  /// The parameters alone, in a stable order (what optimisers iterate).
  public var parameters: [Parameter] { namedParameters.map(\.parameter) }

  /// Resets every parameter gradient to zero (before each mini-batch).
  public func zeroGradients() {
    for parameter in parameters { parameter.zeroGradient() }
  }

  /// The number of learnable scalars (buffers not counted).
  public var parameterCount: Int {
    parameters.filter { $0.role != .buffer }.reduce(0) { $0 + $1.value.count }
  }

  /// Inference-mode forward pass.
  public func callAsFunction(_ input: Tensor) -> Tensor { forward(input, mode: .inference) }
}

/// Prefixes each child's parameter names with `prefix.` (how containers build dotted names).
public func prefixed(_ prefix: String, _ layer: Layer) -> [(name: String, parameter: Parameter)] {
  layer.namedParameters.map { (name: "\(prefix).\($0.name)", parameter: $0.parameter) }
}
