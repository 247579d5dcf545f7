// The image library: decoders, encoders and transforms (see Image.swift).
