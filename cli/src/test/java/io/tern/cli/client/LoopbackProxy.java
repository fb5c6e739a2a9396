package io.tern.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback to a local port, for replicas that fail the way processes do: {@link
 * #freeze} passes nothing more and closes nothing (a stopped process, a frozen VM); {@link #cut}
 * resets every connection and stops listening (a killed process).
 */
final class LoopbackProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  LoopbackProxy(int target) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (true) {
                  Socket client = listener.accept();
                  Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                  sockets.add(client);
                  sockets.add(server);
                  pump(client, server);
                  pump(server, client);
                }
              } catch (IOException closed) {
                // cut or closed
              }
            });
  }

  int port() {
    return listener.getLocalPort();
  }

  /** From now on what comes is swallowed, both ways, and nothing is closed. */
  void freeze() {
    frozen = true;
  }

  /** Resets every connection, as the kernel does for a killed process, and stops listening. */
  void cut() {
    try {
      listener.close();
      for (Socket s : sockets) {
        if (!s.isClosed()) {
          s.setSoLinger(true, 0);
          s.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread.ofVirtual()
        .start(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) > 0; ) {
                  if (!frozen) {
                    out.write(buf, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException closed) {
                // either side went away
              }
            });
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
