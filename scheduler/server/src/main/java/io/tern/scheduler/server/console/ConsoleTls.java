package io.tern.scheduler.server.console;

import io.tern.security.pki.PemFiles;
import io.tern.security.tls.ServerTls;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The console's HTTPS: the scheduler's own certificate and key, held in memory. */
final class ConsoleTls {
  private ConsoleTls() {}

  static SslContextFactory.Server of(ServerTls tls) throws IOException {
    List<X509Certificate> chain = PemFiles.readCertificates(tls.certificateChain());
    char[] password = randomPassword();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "scheduler",
          PemFiles.readPrivateKey(tls.privateKey()),
          password,
          chain.toArray(new X509Certificate[0]));
      SslContextFactory.Server factory = new SslContextFactory.Server();
      factory.setKeyStore(store);
      factory.setKeyStorePassword(new String(password));
      factory.setKeyManagerPassword(new String(password));
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IOException(tls.certificateChain() + ": cannot serve it over HTTPS: " + e, e);
    }
  }

  private static char[] randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes).toCharArray();
  }
}
