/**
 * The job lifecycle as a pure function from (status, event) to (status, effects), the one place a
 * job's state changes; news of stale attempts is ignored.
 */
package io.tern.scheduler.core.state;
