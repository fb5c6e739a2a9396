/**
 * The placement benchmark behind {@code tern bench placement} and the seeded synthetic cluster
 * generator it shares with the randomized tests. Measurement code only: it reads the monotonic
 * clock, which nothing else in the core does.
 */
package io.tern.scheduler.core.bench;
