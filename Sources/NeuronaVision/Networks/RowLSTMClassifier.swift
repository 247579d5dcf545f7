// The row-LSTM image classifier (Models/rowlstm.md): an image read as a sequence of its rows, one row
// per time step, by an LSTM whose last hidden state a dense layer turns into class logits.
// N = batch size, R = image rows (time steps), C = image columns (features per step),
// H = LSTM hidden size, K = classes.
import Neurona

/// Image rows → LSTM → last hidden state → Dense: `[N, 1, R, C]` (or `[N, R, C]`) → `[N, K]`.
///
/// The same model as the PyTorch reference (`nn.LSTM(28, 128, batch_first=True)`, then
/// `nn.Linear(128, 10)` on h_T), with parameters `lstm.weight_ih`, `lstm.weight_hh`,
/// `lstm.bias_ih`, `lstm.bias_hh`, `fc.weight`, `fc.bias` (PyTorch's LSTM names end in `_l0`).
/// For 28×28 grey images: 28 steps of 28 inputs, 82 186 parameters with H = 128.
/// It takes pixels as given: the reference recipe feeds pixels/255 normalised with mean 0.2860
/// and std 0.3530 (the caller's job, as for FashionNet); with Adam 1e-3, batch 128, it reaches
/// PyTorch's per-epoch test accuracies on Fashion-MNIST (0.82 after one epoch).
public final class RowLSTMClassifier: Layer {
  /// `[N, R, C] → [N, H]`.
  public let lstm: LSTM
  /// `[N, H] → [N, K]`.
  public let fc: Dense
  /// The image size the model reads: R time steps of C features.
  public let rows: Int
  public let columns: Int
  private var inputShape: [Int] = []

  /// A classifier of images `rows`×`columns` (one channel) into `classes` classes, initialised
  /// as PyTorch does: LSTM U(−1/√H, 1/√H), Dense U(−1/√H, 1/√H) weights and zero bias.
  public init(
    rows: Int = 28, columns: Int = 28, hiddenSize: Int = 128, classes: Int = 10,
    using generator: inout some RandomNumberGenerator
  ) {
    self.rows = rows
    self.columns = columns
    lstm = LSTM(inputSize: columns, hiddenSize: hiddenSize, output: .lastStep, using: &generator)
    fc = Dense(hiddenSize, classes, initializer: .lecunUniform, using: &generator)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed("lstm", lstm) + prefixed("fc", fc)
  }

  public func forward(_ input: Tensor, mode: Mode) -> Tensor {
    precondition(
      (input.rank == 4 && input.shape[1] == 1 || input.rank == 3)
        && Array(input.shape.suffix(2)) == [rows, columns],
      "RowLSTMClassifier needs grey images [N, 1, \(rows), \(columns)] or [N, \(rows), "
        + "\(columns)], got \(input.shape)")
    inputShape = input.shape
    // [N, 1, R, C] → [N, R, C]: row r is time step r.
    let sequence = input.reshaped([input.shape[0], rows, columns])
    return fc.forward(lstm.forward(sequence, mode: mode), mode: mode)
  }

  public func backward(_ outputGradient: Tensor) -> Tensor {
    lstm.backward(fc.backward(outputGradient)).reshaped(inputShape)
  }
}
