package io.tern.scheduler.server.zk;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;

/**
 * One write of a batch the leader commits atomically. Updates and deletes carry the znode version
 * the leader last saw, so a write based on stale state fails instead of overwriting.
 */
public sealed interface ZkWrite {
  String path();

  /** Approximate bytes on the wire, to keep a multi well under ZooKeeper's 1 MB request limit. */
  int size();

  CuratorOp toOp(CuratorFramework client) throws Exception;

  /** Creates a persistent znode that must not exist yet. */
  record Create(String path, byte[] data) implements ZkWrite {
    @Override
    public int size() {
      return path.length() + data.length + 32;
    }

    @Override
    public CuratorOp toOp(CuratorFramework client) throws Exception {
      return client.transactionOp().create().forPath(path, data);
    }
  }

  /** Replaces the data of a znode whose version is still {@code expectedVersion}. */
  record Update(String path, byte[] data, int expectedVersion) implements ZkWrite {
    @Override
    public int size() {
      return path.length() + data.length + 32;
    }

    @Override
    public CuratorOp toOp(CuratorFramework client) throws Exception {
      return client.transactionOp().setData().withVersion(expectedVersion).forPath(path, data);
    }
  }

  /** Deletes a znode whose version is still {@code expectedVersion} (-1: any version). */
  record Delete(String path, int expectedVersion) implements ZkWrite {
    @Override
    public int size() {
      return path.length() + 32;
    }

    @Override
    public CuratorOp toOp(CuratorFramework client) throws Exception {
      return client.transactionOp().delete().withVersion(expectedVersion).forPath(path);
    }
  }
}
