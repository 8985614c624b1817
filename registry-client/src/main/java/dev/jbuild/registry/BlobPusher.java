package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.RequestBody;
import dev.jbuild.registry.http.Response;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads one blob: {@code POST /v2/<name>/blobs/uploads/}, then either one {@code PUT} with the
 * whole content (monolithic) or a {@code PATCH} per chunk and a closing {@code PUT}; each request
 * goes to the {@code Location} the previous answer gave, and the {@code PUT} carries
 * {@code digest=}. A transient failure restarts the upload in a new session (after checking whether
 * the blob arrived after all), as distribution 2.8 cannot resume one; an abandoned session is
 * cancelled. Like Jib's {@code BlobPusher}, the three requests are endpoints of their own.
 */
final class BlobPusher {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

  private final RegistryEndpointCaller caller;
  private final RegistryTarget target;
  private final long chunkSize;

  /** @param chunkSize bytes per {@code PATCH}, or 0 for monolithic uploads */
  BlobPusher(RegistryEndpointCaller caller, RegistryTarget target, long chunkSize) {
    this.caller = caller;
    this.target = target;
    this.chunkSize = chunkSize;
  }

  /** See {@link RegistryClient#pushBlob(Digest, long, BlobSource, LongConsumer)}. */
  void push(Digest digest, long size, BlobSource source, LongConsumer progress)
      throws IOException, RegistryException {
    String action = "push blob " + digest + " to " + target.name();
    int[] attempt = {0};
    caller.withRetries(() -> {
      if (attempt[0]++ > 0 && caller.call(new BlobChecker(target, digest)).isPresent()) {
        return null; // the failed attempt completed on the registry's side
      }
      uploadOnce(action, digest, size, source, progress);
      return null;
    });
  }

  private void uploadOnce(
      String action, Digest digest, long size, BlobSource source, LongConsumer progress)
      throws IOException, RegistryException {
    Upload upload = new Upload(action, Scope.push(target.repository()));
    Session session = caller.callOnce(upload.starter(target.urls().uploads()));
    URI location = session.location();
    boolean done = false;
    try {
      long chunk = chunkSize == 0 ? 0 : Math.max(chunkSize, session.minChunk());
      RequestBody last;
      if (chunk == 0 || size <= chunk) {
        last = new BlobSourceBody(source, 0, size, size, digest, progress);
      } else {
        for (long offset = 0; offset < size; offset += chunk) {
          long length = Math.min(chunk, size - offset);
          location = caller.callOnce(upload.patcher(location,
              new BlobSourceBody(source, offset, length, size, digest, progress)));
        }
        last = RequestBody.empty();
      }
      caller.callOnce(upload.committer(RegistryUrls.withDigest(location, digest), last, digest));
      done = true;
    } finally {
      if (!done) {
        cancel(location);
      }
    }
  }

  /**
   * Cancels an upload session ({@code DELETE}). Best effort: a leftover session only wastes
   * registry space until it expires.
   */
  void cancel(URI location) {
    Upload cancel = new Upload("cancel upload", Scope.push(target.repository()));
    try {
      caller.callOnce(cancel.endpoint(Request.delete(location), status -> true, response -> {
        LOG.debug("Cancelled upload session: {}", response.statusCode());
        return null;
      }));
    } catch (IOException | RegistryException e) {
      LOG.debug("Could not cancel an upload session in {}: {}", target.name(), e.getMessage());
    }
  }

  /** An open upload session: where to send the next request, and the smallest chunk allowed. */
  private record Session(URI location, long minChunk) {}

  /** The requests of one upload attempt; they share its action and scope. */
  private static final class Upload {
    final String action;
    final Scope scope;
    final RegistryErrorExceptionBuilder errors;

    Upload(String action, Scope scope) {
      this.action = action;
      this.scope = scope;
      this.errors = new RegistryErrorExceptionBuilder(action);
    }

    /** {@code POST …/blobs/uploads/}: opens a session. */
    RegistryEndpoint<Session> starter(URI uploads) {
      return endpoint(Request.post(uploads, RequestBody.empty()), status -> status == 202,
          response -> new Session(location(response), response.header("oci-chunk-min-length")
              .map(BlobPusher::parseLong).orElse(0L)));
    }

    /** {@code PATCH <location>} with one chunk; yields the location for the next request. */
    RegistryEndpoint<URI> patcher(URI location, BlobSourceBody chunk) {
      long end = chunk.offset() + chunk.length() - 1;
      Request patch = Request.patch(location, chunk).asTransfer()
          .withHeader("Content-Range", chunk.offset() + "-" + end);
      return endpoint(patch, status -> status == 202, response -> {
        Optional<String> range = response.header("range");
        if (range.isPresent() && !range.get().trim().endsWith("-" + end)) {
          // The registry holds a different amount than was sent: restart rather than corrupt.
          throw errors.transientFailure("after a chunk ending at byte " + end
              + " the registry reports range " + range.get());
        }
        return location(response);
      });
    }

    /** {@code PUT <location>&digest=…} with the last bytes (or none): closes the session. */
    RegistryEndpoint<Void> committer(URI put, RequestBody last, Digest digest) {
      return endpoint(Request.put(put, last).asTransfer(),
          status -> status == 201 || status == 204, response -> {
            ContentDigests.checkHeader(action, response, digest);
            return null;
          });
    }

    private URI location(Response response) throws RegistryException {
      Optional<String> location = response.header("location");
      if (location.isEmpty() || location.get().isBlank()) {
        throw errors.failure("the registry started an upload without sending its Location");
      }
      return RegistryUrls.resolveLocation(response.url(), location.get());
    }

    <T> RegistryEndpoint<T> endpoint(Request request, java.util.function.IntPredicate accepts,
        Handler<T> handler) {
      return new RegistryEndpoint<>() {
        @Override
        public String actionDescription() {
          return action;
        }

        @Override
        public Scope scope() {
          return scope;
        }

        @Override
        public Request request() {
          return request;
        }

        @Override
        public boolean accepts(int status) {
          return accepts.test(status);
        }

        @Override
        public T handleResponse(Response response) throws IOException, RegistryException {
          return handler.handle(response);
        }
      };
    }
  }

  /** What an upload request makes of its answer. */
  @FunctionalInterface
  private interface Handler<T> {
    T handle(Response response) throws IOException, RegistryException;
  }

  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
