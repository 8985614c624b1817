package dev.jbuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code GET /v2/<name>/manifests/<ref>} accepting every OCI and Docker schema 2 type; yields the
 * exact bytes with their media type and digest, checked against {@code Docker-Content-Digest} and,
 * when pulling by digest, against the reference.
 */
final class ManifestPuller implements RegistryEndpoint<ManifestResponse> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryTarget target;
  private final String tagOrDigest;
  private final Digest requested;
  private final RegistryErrorExceptionBuilder errors;

  /** @throws IllegalArgumentException if {@code tagOrDigest} contains ':' but is no digest */
  ManifestPuller(RegistryTarget target, String tagOrDigest) {
    this.target = target;
    this.tagOrDigest = tagOrDigest;
    this.requested = ContentDigests.parseReference(tagOrDigest);
    this.errors = new RegistryErrorExceptionBuilder(actionDescription());
  }

  @Override
  public String actionDescription() {
    return "pull manifest " + target.display(tagOrDigest);
  }

  @Override
  public Scope scope() {
    return Scope.pull(target.repository());
  }

  @Override
  public Request request() {
    return Request.get(target.urls().manifest(tagOrDigest))
        .withHeader("Accept", MediaTypes.MANIFEST_ACCEPT);
  }

  @Override
  public boolean accepts(int status) {
    return status == 200;
  }

  @Override
  public ResponseFailures.NotFound notFound() {
    return ResponseFailures.NotFound.MANIFEST;
  }

  @Override
  public ManifestResponse handleResponse(Response response)
      throws IOException, RegistryException {
    byte[] bytes = response.readBody(RegistryClient.MAX_MANIFEST_BYTES);
    OptionalLong length = response.contentLength();
    if (length.isPresent() && length.getAsLong() != bytes.length) {
      throw errors.transientFailure(
          "the registry sent " + bytes.length + " of " + length.getAsLong() + " bytes");
    }
    Optional<String> contentType = response.header("content-type")
        .map(ContentDigests::stripParameters).filter(t -> !t.isEmpty());
    return verified(bytes, contentType, response.header("docker-content-digest"));
  }

  private ManifestResponse verified(byte[] bytes, Optional<String> contentType,
      Optional<String> digestHeader) throws RegistryException {
    String mediaType = mediaType(bytes, contentType);
    String algorithm = requested != null ? requested.algorithm() : "sha256";
    Digest computed = ContentDigests.of(bytes, algorithm);
    if (requested != null && !requested.equals(computed)) {
      throw errors.contentMismatch("the registry sent content with digest " + computed);
    }
    if (digestHeader.isPresent()) {
      Digest claimed = ContentDigests.parseHeader(actionDescription(), digestHeader.get());
      Digest actual = claimed.algorithm().equals(algorithm) ? computed
          : ContentDigests.of(bytes, claimed.algorithm());
      if (!claimed.equals(actual)) {
        throw errors.contentMismatch(
            "the registry says its digest is " + claimed + " but the bytes hash to " + actual);
      }
    }
    return new ManifestResponse(bytes, mediaType, computed);
  }

  /** The manifest's media type: Content-Type, else its {@code mediaType} field, else its shape. */
  private String mediaType(byte[] bytes, Optional<String> contentType) throws RegistryException {
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (IOException e) {
      throw errors.failure("the manifest is not valid JSON (" + e.getMessage() + ")", e);
    }
    String octetStream = BlobSourceBody.OCTET_STREAM;
    String field = json == null ? "" : json.path("mediaType").asText("");
    if (contentType.isPresent() && !field.isEmpty() && !field.equals(contentType.get())
        && !contentType.get().equals(octetStream)) {
      throw errors.contentMismatch(
          "the registry sent it as " + contentType.get() + " but it says it is " + field);
    }
    if (contentType.isPresent() && !contentType.get().equals(octetStream)) {
      return contentType.get();
    }
    if (!field.isEmpty()) {
      return field;
    }
    return json != null && json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }
}
