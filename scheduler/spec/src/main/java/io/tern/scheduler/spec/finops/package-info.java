/**
 * The FinOps inputs a client checks before sending and the scheduler checks on receipt: team
 * budgets and off-peak windows, each problem named by its {@code tern.v1} field.
 */
package io.tern.scheduler.spec.finops;
