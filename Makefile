# Neurona: the everyday commands. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
RELEASE = $(SWIFT) build -c release

.PHONY: deps build test demo bench examples format

deps:
	scripts/install-deps.sh

build: deps
	$(RELEASE)

# Tests run in release mode: gradient checks and small training runs are slow in debug.
test: deps
	$(SWIFT) test -c release

examples: deps
	$(RELEASE) --product neurona-examples
	.build/release/neurona-examples perceptron
	.build/release/neurona-examples xor

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
