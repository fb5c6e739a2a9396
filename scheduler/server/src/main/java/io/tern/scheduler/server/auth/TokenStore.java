package io.tern.scheduler.server.auth;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Timestamps;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.CreateTokenResponse;
import io.tern.api.v1.Role;
import io.tern.api.v1.StoredToken;
import io.tern.api.v1.TokenInfo;
import io.tern.api.v1.TokenMinting;
import io.tern.security.token.BearerToken;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Users' bearer tokens, kept in ZooKeeper under {@code ROOT/auth/tokens/ID} as {@link StoredToken}
 * (a SHA-256 of the value, never the value). Every replica caches them through a Curator cache, so
 * authenticating a call reads no ZooKeeper; a revocation reaches every replica as a watch event,
 * and the replica that revoked knows at once. Tokens are not scheduling state: any replica reads
 * and writes them, leader or not.
 *
 * <p>Thread-safe.
 */
public final class TokenStore implements Closeable {
  static final Duration DEFAULT_TTL = Duration.ofDays(90);
  static final Duration MAX_TTL = Duration.ofDays(3650);

  /** A user name: a token's, or the {@code tern-user} a scheduler without authentication takes. */
  static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  private static final Pattern TEAM = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final int MAX_TEAMS = 64;
  private static final int MAX_DESCRIPTION = 200;

  private final CuratorFramework curator;
  private final String path;
  private final Clock clock;
  private final Map<String, StoredToken> byId = new ConcurrentHashMap<>();
  private CuratorCache cache;

  /**
   * @param root Tern's ZooKeeper root, e.g. {@code /tern}
   */
  public TokenStore(CuratorFramework curator, String root, Clock clock) {
    this.curator = curator;
    this.path = ZKPaths.makePath(root, "auth", "tokens");
    this.clock = clock;
  }

  /** Loads every token and follows changes; returns once the first load is complete. */
  public TokenStore start() throws Exception {
    curator.createContainers(path);
    CountDownLatch loaded = new CountDownLatch(1);
    cache = CuratorCache.build(curator, path);
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forCreatesAndChanges((old, now) -> remember(now))
                .forDeletes(gone -> byId.remove(ZKPaths.getNodeFromPath(gone.getPath())))
                .forInitialized(loaded::countDown)
                .build());
    cache.start();
    if (!loaded.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("tokens did not load from ZooKeeper within 30 s");
    }
    return this;
  }

  private void remember(ChildData data) {
    if (data.getPath().equals(path) || data.getData() == null) {
      return;
    }
    try {
      StoredToken token = StoredToken.parseFrom(data.getData());
      byId.put(token.getInfo().getId(), token);
    } catch (InvalidProtocolBufferException e) {
      // Not a token this version can read: it authenticates nobody.
      byId.remove(ZKPaths.getNodeFromPath(data.getPath()));
    }
  }

  /**
   * The user a token speaks for.
   *
   * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED when the token is unknown, wrong,
   *     revoked or expired (the reason says which, never the token)
   */
  public Principal authenticate(BearerToken token) {
    StoredToken stored = byId.get(token.id());
    if (stored == null) {
      stored = readThrough(token.id()).orElse(null);
    }
    if (stored == null || !token.matches(stored.getSha256())) {
      throw Denials.unauthenticated("unknown token " + token);
    }
    if (stored.getMinted() == TokenMinting.TOKEN_MINTING_UNSPECIFIED
        || stored.getMinted() == TokenMinting.UNRECOGNIZED) {
      throw Denials.unauthenticated(
          "token "
              + token
              + " does not record how it was minted (older tokens may have been minted over"
              + " plaintext, where anyone could): an admin mints a new one with 'tern admin token"
              + " create'");
    }
    TokenInfo info = stored.getInfo();
    if (info.getRevoked()) {
      throw Denials.unauthenticated("token " + token + " was revoked");
    }
    Instant expires =
        info.hasExpiresAt() ? Instant.ofEpochSecond(info.getExpiresAt().getSeconds()) : null;
    if (expires != null && !clock.instant().isBefore(expires)) {
      throw Denials.unauthenticated("token " + token + " expired at " + expires);
    }
    return new Principal(
        Principal.Kind.USER,
        info.getUser(),
        new TreeSet<>(info.getTeamsList()),
        java.util.Set.copyOf(info.getRolesList()),
        expires);
  }

  /** A token made on another replica a moment ago may not be in the cache yet. */
  private Optional<StoredToken> readThrough(String id) {
    try {
      StoredToken token =
          StoredToken.parseFrom(curator.getData().forPath(ZKPaths.makePath(path, id)));
      byId.put(id, token);
      return Optional.of(token);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw Denials.unauthenticated("cannot check tokens now (ZooKeeper: " + e.getMessage() + ")");
    }
  }

  /**
   * Makes a token; its value is in the answer and nowhere else.
   *
   * @param minted how the maker proved it may mint: through ZooKeeper, or as an admin over TLS
   * @throws IllegalArgumentException naming the field when the request is not acceptable
   */
  public CreateTokenResponse create(
      CreateTokenRequest request, String createdBy, TokenMinting minted) throws Exception {
    if (minted == TokenMinting.TOKEN_MINTING_UNSPECIFIED || minted == TokenMinting.UNRECOGNIZED) {
      throw new IllegalStateException("a token is minted through ZooKeeper or over TLS");
    }
    validate(request);
    Duration ttl =
        request.hasTtl()
            ? Duration.ofSeconds(request.getTtl().getSeconds(), request.getTtl().getNanos())
            : DEFAULT_TTL;
    Instant now = clock.instant();
    BearerToken token = BearerToken.generate();
    TokenInfo info =
        TokenInfo.newBuilder()
            .setId(token.id())
            .setUser(request.getUser())
            .addAllTeams(new TreeSet<>(request.getTeamsList()))
            .addAllRoles(new TreeSet<>(request.getRolesList()))
            .setCreatedAt(Timestamps.fromMillis(now.toEpochMilli()))
            .setExpiresAt(Timestamps.fromMillis(now.plus(ttl).toEpochMilli()))
            .setCreatedBy(createdBy)
            .setDescription(request.getDescription())
            .build();
    StoredToken stored =
        StoredToken.newBuilder().setInfo(info).setSha256(token.hash()).setMinted(minted).build();
    curator
        .create()
        .creatingParentContainersIfNeeded()
        .forPath(ZKPaths.makePath(path, token.id()), stored.toByteArray());
    byId.put(token.id(), stored);
    return CreateTokenResponse.newBuilder().setInfo(info).setValue(token.value()).build();
  }

  /** Tokens, newest first; only {@code user}'s when it is not empty. */
  public List<TokenInfo> list(String user, boolean includeInactive) {
    Instant now = clock.instant();
    return byId.values().stream()
        .map(StoredToken::getInfo)
        .filter(info -> user.isEmpty() || info.getUser().equals(user))
        .filter(info -> includeInactive || active(info, now))
        .sorted(
            Comparator.comparing((TokenInfo info) -> Timestamps.toMillis(info.getCreatedAt()))
                .reversed()
                .thenComparing(TokenInfo::getId))
        .toList();
  }

  /** Revokes a token everywhere; revoking twice is harmless. */
  public TokenInfo revoke(String id) throws Exception {
    String znode = ZKPaths.makePath(path, id);
    while (true) {
      Stat stat = new Stat();
      byte[] data;
      try {
        data = curator.getData().storingStatIn(stat).forPath(znode);
      } catch (KeeperException.NoNodeException e) {
        throw new NoSuchElementException("no token with id " + id);
      }
      StoredToken old = StoredToken.parseFrom(data);
      StoredToken revoked =
          old.toBuilder().setInfo(old.getInfo().toBuilder().setRevoked(true)).build();
      try {
        curator.setData().withVersion(stat.getVersion()).forPath(znode, revoked.toByteArray());
        byId.put(id, revoked);
        return revoked.getInfo();
      } catch (KeeperException.BadVersionException e) {
        // changed under us (revoked elsewhere at the same moment): read again
      }
    }
  }

  private static boolean active(TokenInfo info, Instant now) {
    return !info.getRevoked()
        && (!info.hasExpiresAt()
            || now.isBefore(Instant.ofEpochSecond(info.getExpiresAt().getSeconds())));
  }

  static void validate(CreateTokenRequest request) {
    if (!USER.matcher(request.getUser()).matches()) {
      throw new IllegalArgumentException(
          "user: 1-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit; got '"
              + shorten(request.getUser())
              + "'");
    }
    if (request.getTeamsCount() > MAX_TEAMS) {
      throw new IllegalArgumentException("teams: at most " + MAX_TEAMS);
    }
    for (String team : request.getTeamsList()) {
      if (!TEAM.matcher(team).matches()) {
        throw new IllegalArgumentException(
            "teams: '"
                + shorten(team)
                + "' is not a team name (lower-case letters, digits, '_', '-')");
      }
    }
    List<Integer> roles = request.getRolesValueList();
    for (int i = 0; i < roles.size(); i++) {
      Role role = Role.forNumber(roles.get(i));
      if (role == null || role == Role.ROLE_UNSPECIFIED) {
        throw new IllegalArgumentException(
            "roles["
                + i
                + "]: "
                + (role == null ? roles.get(i) : role.name())
                + " is not a Role; use one of "
                + Role.getDescriptor().getValues().stream()
                    .filter(v -> v.getNumber() != 0)
                    .map(EnumValueDescriptor::getName)
                    .collect(Collectors.joining(", ")));
      }
    }
    if (request.getTeamsCount() == 0 && request.getRolesCount() == 0) {
      throw new IllegalArgumentException("teams: a token needs at least one team or a role");
    }
    if (request.hasTtl()) {
      long seconds = request.getTtl().getSeconds();
      if (seconds <= 0 || seconds > MAX_TTL.toSeconds()) {
        throw new IllegalArgumentException("ttl: between 1 second and 10 years");
      }
    }
    if (request.getDescription().length() > MAX_DESCRIPTION) {
      throw new IllegalArgumentException("description: at most " + MAX_DESCRIPTION + " characters");
    }
  }

  private static String shorten(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "…";
  }

  @Override
  public void close() {
    if (cache != null) {
      cache.close();
    }
  }
}
