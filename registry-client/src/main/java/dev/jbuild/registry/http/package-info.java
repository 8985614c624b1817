/**
 * A thin HTTP layer over google-http-client: the only package that imports it, so the transport
 * can change (for example to one that supports PATCH for chunked uploads) without touching the
 * protocol code.
 */
package dev.jbuild.registry.http;
