// Per-channel numbers given on the command line (`--mean 0.5,0.5,0.5`, or one value for every
// channel), as the import commands take a normalisation PyTorch does not store.
import ArgumentParser

/// `count` comma-separated floats from `text` (one value is repeated for every channel).
/// - Throws: `ValidationError` naming `option` when the count or a number is wrong.
func channelValues(_ text: String, option: String, count: Int) throws -> [Float] {
  let fields = text.split(separator: ",")
  let values = fields.compactMap { Float($0) }
  guard values.count == fields.count else {
    throw ValidationError("\(option) needs \(count) comma-separated numbers")
  }
  if values.count == 1 { return [Float](repeating: values[0], count: count) }
  guard values.count == count else {
    throw ValidationError("\(option) needs \(count) comma-separated numbers")
  }
  return values
}
