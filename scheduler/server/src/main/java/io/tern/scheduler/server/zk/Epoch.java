package io.tern.scheduler.server.zk;

/**
 * A leader's term. {@code value} goes on every command to agents (they refuse older epochs); {@code
 * zkVersion} is the version of the epoch znode this leader wrote, checked in every multi so that a
 * deposed leader's writes fail once a newer leader has bumped the epoch.
 */
public record Epoch(long value, int zkVersion) {}
