package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.RequestBody;
import dev.jbuild.registry.http.Response;

/**
 * {@code PUT /v2/<name>/manifests/<ref>} with the manifest bytes exactly as given; yields their
 * digest. Idempotent: resending the same bytes gives the same result.
 */
final class ManifestPusher implements RegistryEndpoint<Digest> {
  private final RegistryTarget target;
  private final String tagOrDigest;
  private final byte[] bytes;
  private final String mediaType;
  private final Digest computed;

  /**
   * @throws IllegalArgumentException if {@code tagOrDigest} is a digest the bytes do not hash to
   */
  ManifestPusher(RegistryTarget target, String tagOrDigest, byte[] bytes, String mediaType) {
    this.target = target;
    this.tagOrDigest = tagOrDigest;
    this.bytes = bytes;
    this.mediaType = mediaType;
    Digest requested = ContentDigests.parseReference(tagOrDigest);
    this.computed = ContentDigests.of(bytes, requested != null ? requested.algorithm() : "sha256");
    if (requested != null && !requested.equals(computed)) {
      throw new IllegalArgumentException(
          "manifest bytes hash to " + computed + ", not to the digest " + requested
              + " they are pushed as");
    }
  }

  @Override
  public String actionDescription() {
    return "push manifest " + target.display(tagOrDigest);
  }

  @Override
  public Scope scope() {
    return Scope.push(target.repository());
  }

  @Override
  public Request request() {
    return Request.put(target.urls().manifest(tagOrDigest), RequestBody.of(bytes, mediaType));
  }

  @Override
  public boolean accepts(int status) {
    return status >= 200 && status < 300;
  }

  @Override
  public Digest handleResponse(Response response) throws RegistryException {
    ContentDigests.checkHeader(actionDescription(), response, computed);
    return computed;
  }
}
