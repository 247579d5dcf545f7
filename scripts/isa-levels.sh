#!/usr/bin/env bash
# The NEURONA_ISA levels this CPU can run, best first (for `make test`), from the kernel's
# flags: avx512 needs avx512 f, bw, vl and dq; avx2 needs avx2 and fma; baseline always.
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { for f in "$@"; do [[ " $flags " == *" $f "* ]] || return 1; done; }
levels=()
if has avx512f avx512bw avx512vl avx512dq avx2 fma; then levels+=(avx512); fi
if has avx2 fma; then levels+=(avx2); fi
levels+=(baseline)
echo "${levels[@]}"
