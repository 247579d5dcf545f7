# Neurona: the everyday commands. `make test` is what CI runs (.ci/run).
SWIFT ?= swift
RELEASE = $(SWIFT) build -c release

.PHONY: deps test-deps build test demo bench bench-peers examples format lint asan tsan fuzz \
  install uninstall mpi

deps:
	scripts/install-deps.sh

# What the test suite also reads: the Fashion-MNIST package, Python's safetensors.
test-deps:
	scripts/install-deps.sh --tests

build: deps
	$(RELEASE)

# Tests run in release mode: gradient checks and small training runs are slow in debug.
# The suite once per instruction-set level this CPU has (NEURONA_ISA=avx512, avx2, baseline:
# the kernels, and OpenBLAS's, that a CPU of that level runs), each fast path being tested
# against the straightforward one in every pass. Then a package that depends on this one by
# URL and version builds and runs a shipped model (scripts/check-consumer.sh), and every fuzz
# target is built and run for 20 s (Fuzz/smoke.sh).
ISA_LEVELS = $(shell scripts/isa-levels.sh)
test: test-deps lint
	$(SWIFT) build -c release --build-tests
	for level in $(ISA_LEVELS); do \
	  echo "== tests at NEURONA_ISA=$$level"; \
	  NEURONA_ISA=$$level $(SWIFT) test -c release --skip-build || exit 1; \
	done
	scripts/check-consumer.sh
	scripts/check-install.sh
	$(MAKE) fuzz
	Fuzz/smoke.sh 20

# The whole suite under AddressSanitizer / ThreadSanitizer, in their own build folders (the
# instrumented binaries the command tests run are the sanitized ones too). Leaks inside the
# toolchain's XCTest and Foundation are suppressed by name (Tests/Sanitizers/lsan.supp).
asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Sanitizers/lsan.supp \
	  $(SWIFT) test -c release --sanitize=address --scratch-path .build/asan

tsan: deps
	TSAN_OPTIONS=halt_on_error=0 \
	  $(SWIFT) test -c release --sanitize=thread --scratch-path .build/tsan

# libFuzzer targets (Fuzz/): PNG, JPEG, sniff+decode, model files, IDX. Built with
# -sanitize=fuzzer,address, apart from the main build; run one with Fuzz/run.sh TARGET SECONDS.
fuzz: deps
	cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
	  -Xcc -fsanitize=fuzzer-no-link,address
	@echo "run one with: Fuzz/run.sh png|jpeg|image|model|idx|tflite SECONDS"

# Whole-model throughput, with fixed peer figures for orientation (release; not in CI).
bench: build
	.build/release/neurona-bench models
	.build/release/neurona-bench conv

# The MPI-capable `classify` and `segment` (training under `mpirun -np P`): the ordinary
# binaries, which load Open MPI's libmpi.so.40 at run time when mpirun starts them, so nothing
# MPI is needed to build; running them under mpirun needs `apt-get install openmpi-bin`.
# The last line is their folder.
mpi: deps
	$(RELEASE) --product classify
	$(RELEASE) --product segment
	@$(RELEASE) --show-bin-path

# The same models beside PyTorch, onnxruntime and Pillow measured in the same run, as a ratio
# table (needs `pip install torch onnxruntime onnx pillow numpy`): three rounds that alternate
# which side goes first, medians and ranges (about 7 minutes).
bench-peers: build
	scripts/bench-vs-peers.sh --no-build --rounds 3

examples: deps
	$(RELEASE) --product neurona-examples
	.build/release/neurona-examples perceptron
	.build/release/neurona-examples xor

# The main job on the shipped models: a person cut out of a photo, nuclei outlined in a
# microscopy image, clothes labelled. Outputs go to demo-output/.
# `make install PREFIX=…` (default /usr/local): the two commands, the shipped models where an
# installed command finds them (PREFIX/share/neurona/Models), man pages (swift-argument-parser's
# generate-manual plugin) and bash/zsh/fish completions. `make uninstall` removes exactly those.
PREFIX ?= /usr/local
TOOLS = classify segment
MODELS = $(wildcard Models/*.safetensors Models/*.md)
MANUALS = .build/plugins/GenerateManual/outputs
install: build
	$(SWIFT) package --disable-sandbox plugin generate-manual
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/neurona/Models \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	for tool in $(TOOLS); do \
	  install -m 755 .build/release/$$tool $(DESTDIR)$(PREFIX)/bin/$$tool && \
	  install -m 644 $(MANUALS)/$$tool/$$tool.1 $(DESTDIR)$(PREFIX)/share/man/man1/$$tool.1 && \
	  .build/release/$$tool --generate-completion-script bash \
	    > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$tool && \
	  .build/release/$$tool --generate-completion-script zsh \
	    > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$tool && \
	  .build/release/$$tool --generate-completion-script fish \
	    > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$tool.fish || exit 1; \
	done
	install -m 644 $(MODELS) $(DESTDIR)$(PREFIX)/share/neurona/Models/

uninstall:
	for tool in $(TOOLS); do \
	  rm -f $(DESTDIR)$(PREFIX)/bin/$$tool $(DESTDIR)$(PREFIX)/share/man/man1/$$tool.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$tool \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$tool \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$tool.fish; \
	done
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/neurona/,$(MODELS))
	rmdir $(DESTDIR)$(PREFIX)/share/neurona/Models $(DESTDIR)$(PREFIX)/share/neurona 2>/dev/null || true

demo: build
	mkdir -p demo-output
	.build/release/segment SampleImages/astronaut.png --cutout -o demo-output --force
	.build/release/segment SampleImages/nuclei.png --model nuclei --overlay -o demo-output --force
	.build/release/segment SampleImages/nuclei.png --model nuclei -o demo-output --force
	.build/release/segment SampleImages/coffee.png --box 70,12,418,380 --cutout -o demo-output --force
	.build/release/classify SampleImages/chelsea.png SampleImages/coffee.png SampleImages/rocket.jpg --top-k 3
	.build/release/classify SampleImages/fashion --model fashionnet --top-k 2
	@echo "written: $$(ls demo-output | tr '\n' ' ')"

# The style (.swift-format: 2 spaces, 100 columns, /// doc comments), applied then checked;
# `make test` runs the check (lint).
FORMATTED = Sources Tests Package.swift Fuzz/Package.swift Fuzz/Targets scripts/consumer
format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)
	$(MAKE) lint

lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)
