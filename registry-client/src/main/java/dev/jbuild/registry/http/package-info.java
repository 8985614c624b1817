/**
 * A thin HTTP layer: the only package that imports google-http-client, so the protocol code never
 * sees it. The transport underneath is {@link dev.jbuild.registry.http.JdkHttpTransport}, backed
 * by the JDK's {@code java.net.http.HttpClient}, because chunked uploads need {@code PATCH}, which
 * {@code HttpURLConnection} cannot send.
 */
package dev.jbuild.registry.http;
