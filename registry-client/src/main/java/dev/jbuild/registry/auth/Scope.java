package dev.jbuild.registry.auth;

import java.util.Set;
import java.util.TreeSet;

/**
 * The access a request needs, as token-auth resource scopes ({@code docs/spec/auth/scope.md}):
 * for example {@code repository:library/busybox:pull}.
 *
 * @param resources the resource scopes, sorted so that equal access gives equal keys; empty for
 *     {@link #login()}
 */
public record Scope(Set<String> resources) {

  /** Copies into a sorted set. Empty means "authenticate only" (see {@link #login()}). */
  public Scope {
    resources = Set.copyOf(new TreeSet<>(resources));
  }

  /**
   * No resource: what {@code docker login} asks a token server for, to check credentials without
   * naming a repository.
   */
  public static Scope login() {
    return new Scope(Set.of());
  }

  /** Pull access to {@code repository}. */
  public static Scope pull(String repository) {
    return new Scope(Set.of("repository:" + repository + ":pull"));
  }

  /** Push (and pull) access to {@code repository}. */
  public static Scope push(String repository) {
    return new Scope(Set.of("repository:" + repository + ":pull,push"));
  }

  /** Push access to {@code repository} plus pull access to {@code from}, for a cross-repo mount. */
  public static Scope mount(String repository, String from) {
    return new Scope(
        Set.of("repository:" + repository + ":pull,push", "repository:" + from + ":pull"));
  }

  /** The scopes in a stable order, one per {@code scope=} query parameter. */
  public Iterable<String> sorted() {
    return new TreeSet<>(resources);
  }

  @Override
  public String toString() {
    return String.join(" ", new TreeSet<>(resources));
  }
}
