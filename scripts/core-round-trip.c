// The round trip of a cache line between cores 0 and 1: one thread pinned to each passes a
// counter back and forth through one atomic word, a million times; prints the mean round
// trip in nanoseconds. About 60 ns when both cores share a die's cache, 300 ns and more
// when the line must cross between dies (see Sources/Neurona/Runtime/SharingChoice.swift).
//   cc -O2 -pthread scripts/core-round-trip.c -o /tmp/core-round-trip && /tmp/core-round-trip
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

enum { roundTrips = 1000000 };
static _Atomic long counter __attribute__((aligned(64)));

static void pinTo(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// Core 1: answers each odd value with the next even one.
static void *answer(void *unused) {
  (void)unused;
  pinTo(1);
  for (long value = 1; value < 2 * roundTrips; value += 2) {
    while (atomic_load_explicit(&counter, memory_order_acquire) != value) {}
    atomic_store_explicit(&counter, value + 1, memory_order_release);
  }
  return NULL;
}

int main(void) {
  pthread_t other;
  pinTo(0);
  pthread_create(&other, NULL, answer, NULL);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long value = 0; value < 2 * roundTrips; value += 2) {
    atomic_store_explicit(&counter, value + 1, memory_order_release);
    while (atomic_load_explicit(&counter, memory_order_acquire) != value + 2) {}
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  pthread_join(other, NULL);
  double ns = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
  printf("round trip %.0f ns\n", ns / roundTrips);
  return 0;
}
