// Labels the shipped Fashion-MNIST samples with the shipped FashionNet through the library
// API, as a program that depends on Neurona would: `NeuronaConsumer MODEL IMAGE…`. Each file
// name starts with its true class (`ankle-boot-test0.png`), so the run checks its own answers
// and exits non-zero below 9 of 10 (the model's card: 91.9 % on the test set).
import Foundation
import Neurona
import NeuronaVision

let arguments = CommandLine.arguments.dropFirst()
guard let modelPath = arguments.first, arguments.count > 1 else {
  FileHandle.standardError.write(Data("usage: NeuronaConsumer MODEL IMAGE…\n".utf8))
  exit(2)
}
do {
  let classifier = try Classifier.load(modelPath)
  let paths = Array(arguments.dropFirst())
  let description = classifier.description
  var scalars: [Float] = []
  for path in paths { scalars += try ImageInput.planes(path, for: description) }
  var batch = Tensor(shape: [paths.count] + classifier.inputShape, scalars: scalars)
  classifier.normalize(&batch)
  var right = 0
  for (path, predictions) in zip(paths, classifier.predict(batch)) {
    let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
    let label = predictions[0].label
    // "T-shirt/top" against "tshirt-top-test19.png": letters only on both sides.
    let letters = { (text: Substring) in text.lowercased().filter(\.isLetter) }
    let truth = name.components(separatedBy: "-test").first ?? ""
    if letters(Substring(truth)) == letters(Substring(label)) { right += 1 }
    print("\(name): \(label) (\(String(format: "%.3f", predictions[0].confidence)))")
  }
  print("\(right) of \(paths.count) right, kernels at \(CPUFeatures.active)")
  exit(right * 10 >= paths.count * 9 ? 0 : 1)
} catch {
  FileHandle.standardError.write(Data("NeuronaConsumer: \(error)\n".utf8))
  exit(1)
}
