/** One class per hard placement rule; each returns a typed veto users see in explanations. */
package io.tern.scheduler.core.placement.filters;
