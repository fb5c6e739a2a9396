/**
 * Discrete-event replay of workload and spot traces through {@code scheduler/core}, with a virtual
 * clock, and the reports that compare policies. See DESIGN.md, "The simulator".
 */
package io.tern.simulator;
