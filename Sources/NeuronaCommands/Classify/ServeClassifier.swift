// `classify serve`: the classifier behind HTTP (NeuronaServer): POST /v1/classify answers the
// labels `classify --format json` prints, and GET / is a page to try it in a browser.
import ArgumentParser
import NeuronaServer
import NeuronaVision

struct ServeClassifier: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve classification over HTTP (POST /v1/classify, a page at /).",
    discussion: """
      POST /v1/classify?top_k=N takes a PNG or JPEG as the request body or as the `file` field \
      of a multipart form and answers {"predictions": [{"label": …, "confidence": …}, …]}. Also \
      GET /healthz, /metrics (Prometheus), /v1/models. No TLS and no authentication: see the \
      README for a reverse proxy.
      """)

  @Option(help: "A model file, or the name of a model in Models/.")
  var model = "imagenet"

  @OptionGroup var serve: ServeOptions

  @OptionGroup var compute: ComputeOptions

  func run() throws {
    compute.apply()
    let path = try ModelLocator.resolve(model)
    // One copy of the model per core (the ImageNet model's weights are 19 MB).
    try serve.serve {
      ClassifyEndpoint(
        classifier: try Classifier.load(path), model: ServedModel(name: model, path: path))
    }
  }
}
