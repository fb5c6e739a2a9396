/**
 * The node agent: GPU telemetry through NVML (JNA), job processes, the spot-notice watcher and
 * checkpoint commits, speaking to the leader over one AgentService stream. See DESIGN.md, "The
 * agent".
 */
package io.tern.agent;
