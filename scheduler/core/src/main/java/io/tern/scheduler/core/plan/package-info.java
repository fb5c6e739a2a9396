/**
 * A plan is data: placements, preemption proposals, checkpoint requests, capacity requests, node
 * releases and an explanation for every job left pending. The caller (live scheduler committer or
 * simulator) applies it; the core never acts on it.
 */
package io.tern.scheduler.core.plan;
