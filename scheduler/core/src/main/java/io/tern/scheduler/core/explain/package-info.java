/** Why a job is pending: typed, grouped and counted reasons with human-readable text. */
package io.tern.scheduler.core.explain;
