package dev.jbuild.registry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw TCP server on 127.0.0.1 for the hostile behaviour a real registry (and the JDK's
 * HttpServer, whose handlers share one thread) cannot produce: accepting connections and never
 * answering, or sending headers and part of a body and then going silent. Every connection is
 * held open until {@link #close()}. Counts connections and request heads.
 */
public final class HostileServer implements AutoCloseable {
  /** What to do with each request. */
  public enum Behaviour {
    /** Accept, read nothing, answer nothing. */
    SILENT,
    /** Read the request head, send 200 with {@code Content-Length: 1000000} and 1000 bytes, stop. */
    STALL_MID_BODY
  }

  private final ServerSocket server;
  private final Behaviour behaviour;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<String> requestLines = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  public HostileServer(Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "hostile-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(socket);
      connections.incrementAndGet();
      if (behaviour == Behaviour.STALL_MID_BODY) {
        Thread t = new Thread(() -> stallMidBody(socket), "hostile-conn");
        t.setDaemon(true);
        t.start();
      }
    }
  }

  private void stallMidBody(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      requestLines.add(head.lines().findFirst().orElse(""));
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1000]);
      out.flush();
      // ...and nothing more; the socket stays open until close().
    } catch (IOException e) {
      // the client gave up
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  /** {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Request lines read so far ({@link Behaviour#STALL_MID_BODY} only). */
  public List<String> requestLines() {
    return requestLines;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    acceptor.join(5000);
  }
}
