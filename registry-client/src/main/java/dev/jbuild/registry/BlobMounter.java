package dev.jbuild.registry;

import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.RequestBody;
import dev.jbuild.registry.http.Response;
import java.net.URI;
import java.util.Optional;

/**
 * {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<repo>}: mounts a blob from another
 * repository of the same registry. A registry that declines opens an upload session instead,
 * which the caller should cancel ({@link Outcome#openedSession}).
 */
final class BlobMounter implements RegistryEndpoint<BlobMounter.Outcome> {
  private final RegistryTarget target;
  private final Digest digest;
  private final String fromRepository;

  /**
   * @param mounted true if the blob is now in the repository
   * @param openedSession the upload session the registry opened instead of mounting, if any
   */
  record Outcome(boolean mounted, Optional<URI> openedSession) {}

  BlobMounter(RegistryTarget target, Digest digest, String fromRepository) {
    this.target = target;
    this.digest = digest;
    this.fromRepository = fromRepository;
  }

  @Override
  public String actionDescription() {
    return "mount blob " + digest + " from " + fromRepository + " into " + target.name();
  }

  @Override
  public Scope scope() {
    return Scope.mount(target.repository(), fromRepository);
  }

  @Override
  public Request request() {
    return Request.post(target.urls().mount(digest, fromRepository), RequestBody.empty());
  }

  @Override
  public boolean accepts(int status) {
    return status == 201 || status == 202;
  }

  @Override
  public Outcome handleResponse(Response response) {
    if (response.statusCode() == 201) {
      return new Outcome(true, Optional.empty());
    }
    return new Outcome(false, response.header("location")
        .map(location -> RegistryUrls.resolveLocation(target.urls().uploads(), location)));
  }
}
