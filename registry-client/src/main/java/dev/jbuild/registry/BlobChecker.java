package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code HEAD /v2/<name>/blobs/<digest>}: the blob's descriptor, or empty if the repository does
 * not have it.
 */
final class BlobChecker implements RegistryEndpoint<Optional<Descriptor>> {
  private final RegistryTarget target;
  private final Digest digest;

  BlobChecker(RegistryTarget target, Digest digest) {
    this.target = target;
    this.digest = digest;
  }

  @Override
  public String actionDescription() {
    return "check blob " + digest + " in " + target.name();
  }

  @Override
  public Scope scope() {
    return Scope.pull(target.repository());
  }

  @Override
  public Request request() {
    return Request.head(target.urls().blob(digest));
  }

  @Override
  public boolean accepts(int status) {
    return status == 200 || status == 404;
  }

  @Override
  public ResponseFailures.NotFound notFound() {
    return ResponseFailures.NotFound.BLOB;
  }

  /**
   * Media type {@code application/octet-stream} unless the registry says otherwise, size from
   * {@code Content-Length} (required).
   */
  @Override
  public Optional<Descriptor> handleResponse(Response response) throws RegistryException {
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    ContentDigests.checkHeader(actionDescription(), response, digest);
    OptionalLong length = response.contentLength();
    if (length.isEmpty()) {
      throw new RegistryErrorExceptionBuilder(actionDescription())
          .failure("the registry sent no Content-Length");
    }
    String mediaType = response.header("content-type").map(ContentDigests::stripParameters)
        .orElse(BlobSourceBody.OCTET_STREAM);
    return Optional.of(Descriptor.of(mediaType, digest, length.getAsLong()));
  }
}
