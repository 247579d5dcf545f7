// `segment serve`: the segmenter behind HTTP (NeuronaServer): POST /v1/segment answers the
// PNG `segment` would write, and GET / is a page to try it in a browser.
import ArgumentParser
import NeuronaServer
import NeuronaVision

struct ServeSegmenter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve segmentation over HTTP (POST /v1/segment, a page at /).",
    discussion: """
      POST /v1/segment takes a PNG or JPEG as the request body or as the `file` field of a \
      multipart form, with ?output=mask|cutout|overlay|soft (default mask) and ?threshold=; it \
      answers the PNG `segment` writes for that picture. Also GET /healthz, /metrics \
      (Prometheus), /v1/models. No TLS and no authentication: see the README for a reverse \
      proxy.
      """)

  @Option(
    help: "A model file, or the name of a model in Models/ (person, nuclei, nuclei-instances).")
  var model: String?

  @OptionGroup var serve: ServeOptions

  @OptionGroup var compute: ComputeOptions

  func run() throws {
    compute.apply()
    let name = model ?? defaultSegmenterName()
    let path = try ModelLocator.resolve(name)
    // One copy of the model per core (a few hundred kB to a few MB each).
    try serve.serve {
      SegmentEndpoint(
        segmenter: try Segmenter.load(path), model: ServedModel(name: name, path: path))
    }
  }
}
