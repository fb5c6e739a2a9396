/**
 * Spot and FinOps policy: off-peak windows, deferral, the deadline rule (in the spirit of Uniform
 * Progress), team budgets as guardrails, capacity requests to cloud pools and idle node releases.
 */
package io.tern.scheduler.core.policy;
