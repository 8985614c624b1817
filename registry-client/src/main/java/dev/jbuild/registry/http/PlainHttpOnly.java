package dev.jbuild.registry.http;

import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A TLS context that refuses to be used, for clients that only ever speak plain HTTP (loopback
 * and insecure registries). The JDK's {@code HttpClient} otherwise initializes the default TLS
 * context when it is built, which costs 0.3–0.8 s of CPU per jbuild invocation (trust store,
 * signature schemes) for nothing.
 */
final class PlainHttpOnly {
  private PlainHttpOnly() {}

  static SSLContext context() {
    return new SSLContext(new Spi(), null, "none") {};
  }

  private static final class Spi extends SSLContextSpi {
    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException(
          "this client speaks plain HTTP only; it cannot open TLS connections");
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {}

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refused();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refused();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return new SSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return new SSLParameters();
    }
  }
}
