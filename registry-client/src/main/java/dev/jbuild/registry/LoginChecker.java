package dev.jbuild.registry;

import dev.jbuild.registry.auth.Scope;
import dev.jbuild.registry.http.Request;
import dev.jbuild.registry.http.Response;

/** {@code GET /v2/}: the registry answers and accepts the credentials, as {@code docker login}. */
final class LoginChecker implements RegistryEndpoint<Void> {
  private final RegistryTarget target;

  LoginChecker(RegistryTarget target) {
    this.target = target;
  }

  @Override
  public String actionDescription() {
    return "log in to " + target.registry();
  }

  /** A token request without scope for Bearer registries. */
  @Override
  public Scope scope() {
    return Scope.login();
  }

  @Override
  public Request request() {
    return Request.get(target.urls().ping());
  }

  @Override
  public boolean accepts(int status) {
    return status == 200;
  }

  @Override
  public Void handleResponse(Response response) {
    return null;
  }
}
