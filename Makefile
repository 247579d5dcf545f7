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

# The main job on the shipped models: a person cut out of a photo, nuclei outlined in a
# microscopy image, clothes labelled. Outputs go to demo-output/.
demo: build
	mkdir -p demo-output
	.build/release/segment SampleImages/astronaut.png --cutout -o demo-output --force
	.build/release/segment SampleImages/nuclei.png --model nuclei --overlay -o demo-output --force
	.build/release/segment SampleImages/nuclei.png --model nuclei -o demo-output --force
	.build/release/classify SampleImages/fashion --top-k 2
	@echo "written: $$(ls demo-output | tr '\n' ' ')"

format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
