/**
 * The live scheduler: gRPC services, ZooKeeper state through Curator, leader election, agent
 * sessions, Quartz off-peak triggers, cloud connectors, the cost ledger and metrics. It calls
 * {@code scheduler/core} unchanged. See DESIGN.md, "The live scheduler".
 */
package io.tern.scheduler.server;
