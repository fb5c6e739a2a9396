/**
 * Queue order: priority classes, then weighted dominant-resource fair share across teams with
 * guaranteed quotas and bounded borrowing, then FIFO inside a team; aging for LOW jobs.
 */
package io.tern.scheduler.core.queue;
