/**
 * The job lifecycle as a pure function from (status, event) to (status, effects); stale attempts
 * are ignored and illegal transitions are typed errors.
 */
package io.tern.scheduler.core.state;
