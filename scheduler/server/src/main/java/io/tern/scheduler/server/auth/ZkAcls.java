package io.tern.scheduler.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * ZooKeeper digest authentication for Tern's tree: the client authenticates as {@code user} and
 * every znode it creates is readable and writable by that identity only, so another ZooKeeper
 * client can neither read tokens' hashes nor change jobs.
 */
public final class ZkAcls {
  private ZkAcls() {}

  /**
   * Adds the digest identity and the ACL provider to a Curator builder; a null digest does nothing.
   */
  public static CuratorFrameworkFactory.Builder apply(
      CuratorFrameworkFactory.Builder builder, String digest) {
    if (digest == null) {
      return builder;
    }
    // A mutable list: ZooKeeper asks it contains(null), which immutable lists answer with an NPE.
    List<ACL> acl =
        new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", hashed(digest)))));
    return builder
        .authorization("digest", digest.getBytes(StandardCharsets.UTF_8))
        .aclProvider(
            new ACLProvider() {
              @Override
              public List<ACL> getDefaultAcl() {
                return acl;
              }

              @Override
              public List<ACL> getAclForPath(String path) {
                return acl;
              }
            });
  }

  private static String hashed(String digest) {
    try {
      return DigestAuthenticationProvider.generateDigest(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
