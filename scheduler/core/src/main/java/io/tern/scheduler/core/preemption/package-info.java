/**
 * Phase one of two-phase preemption: proposes victims (already stopping first, then checkpointable,
 * then least GPU-seconds lost since the last checkpoint) for a job that fits nowhere. The committer
 * re-validates before signalling.
 */
package io.tern.scheduler.core.preemption;
