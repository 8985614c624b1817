package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, resumable: each call fetches the bytes from the first
 * missing one on ({@code Range}); a registry that ignores {@code Range} sends the whole blob again
 * and the bytes already written are skipped. Size is checked while streaming, the digest over the
 * whole blob by {@link #verifyDigest} once the calls are done.
 *
 * <p>Holds the state of one download across attempts, so it is not thread-safe: one instance per
 * download.
 */
final class BlobPuller implements RegistryEndpoint<Void> {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)");

  private final RegistryTarget target;
  private final Descriptor descriptor;
  private final OutputStream out;
  private final LongConsumer progress;
  private final MessageDigest hash;
  private final RegistryErrorExceptionBuilder errors;
  private long written;

  /**
   * @param out receives the blob; not closed
   * @param progress receives the number of bytes written to {@code out} so far
   */
  BlobPuller(RegistryTarget target, Descriptor descriptor, OutputStream out,
      LongConsumer progress) {
    this.target = target;
    this.descriptor = descriptor;
    this.out = out;
    this.progress = progress;
    this.hash = ContentDigests.newMessageDigest(descriptor.digest().algorithm());
    this.errors = new RegistryErrorExceptionBuilder(actionDescription());
  }

  @Override
  public String actionDescription() {
    return "pull blob " + descriptor.digest() + " from " + target.name();
  }

  @Override
  public Scope scope() {
    return Scope.pull(target.repository());
  }

  @Override
  public Request request() {
    Request get = Request.get(target.urls().blob(descriptor.digest())).asTransfer();
    return written > 0 ? get.withHeader("Range", "bytes=" + written + "-") : get;
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || (status == 206 && written > 0);
  }

  @Override
  public ResponseFailures.NotFound notFound() {
    return ResponseFailures.NotFound.BLOB;
  }

  /** Streams the answer into the output; throws a transient failure if it ends early. */
  @Override
  public Void handleResponse(Response response) throws IOException, RegistryException {
    long size = descriptor.size();
    long skip;
    if (response.statusCode() == 206) {
      long start = contentRangeStart(response);
      skip = written - start;
      if (skip < 0) {
        throw errors.contentMismatch("asked to resume at byte " + written
            + ", the registry sent bytes from " + start);
      }
    } else {
      skip = written;
      OptionalLong length = response.contentLength();
      if (length.isPresent() && length.getAsLong() != size) {
        throw errors.contentMismatch(
            "the registry sent " + length.getAsLong() + " bytes, expected " + size);
      }
    }
    InputStream in = response.body();
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = in.read(buffer)) != -1) {
      int from = 0;
      if (skip > 0) {
        from = (int) Math.min(skip, n);
        skip -= from;
      }
      int count = n - from;
      if (count == 0) {
        continue;
      }
      if (written + count > size) {
        throw errors.contentMismatch("the registry sent more than the expected " + size + " bytes");
      }
      hash.update(buffer, from, count);
      try {
        out.write(buffer, from, count);
      } catch (IOException e) {
        throw new LocalIOException(e);
      }
      written += count;
      progress.accept(written);
    }
    if (written != size) {
      throw errors.transientFailure("the registry sent " + written + " of " + size + " bytes");
    }
    return null;
  }

  /** The first byte position of a {@code Content-Range: bytes a-b/n} header. */
  private long contentRangeStart(Response response) throws RegistryException {
    String value = response.header("content-range").orElse("").trim();
    Matcher m = CONTENT_RANGE.matcher(value);
    if (!m.matches()) {
      throw errors.failure("the registry answered a range request with Content-Range '"
          + value + "'");
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * Checks the digest of everything written; call after the last successful call.
   *
   * @throws ContentVerificationException if the content's digest is not the descriptor's
   */
  void verifyDigest() throws ContentVerificationException {
    Digest digest = descriptor.digest();
    Digest actual = new Digest(digest.algorithm(), HexFormat.of().formatHex(hash.digest()));
    if (!actual.equals(digest)) {
      throw errors.contentMismatch("the content's digest is " + actual);
    }
  }
}
