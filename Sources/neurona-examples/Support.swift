// Small helpers shared by the examples: stderr output and option parsing.
#if canImport(Glibc)
  import Glibc
#endif

/// Writes a line to standard error.
func printError(_ message: String) {
  fputs(message + "\n", stderr)
}

/// The value after `--name` in `arguments`, parsed, or `fallback`.
func option<T: LosslessStringConvertible>(
  _ name: String, in arguments: [String], default fallback: T
)
  throws -> T
{
  guard let index = arguments.firstIndex(of: "--\(name)") else { return fallback }
  guard index + 1 < arguments.count, let value = T(arguments[index + 1]) else {
    throw ExampleError("--\(name) needs a value of type \(T.self)")
  }
  return value
}

/// A usage error with a one-line message.
struct ExampleError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
