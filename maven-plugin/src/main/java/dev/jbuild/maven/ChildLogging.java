package dev.jbuild.maven;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * The slf4j jars of the child JVM ({@link CliChild}): the {@code slf4j-api} and {@code
 * slf4j-simple} the {@code jbuild} command is built with, as its launcher has them. Maven keeps
 * both out of the plugin's class realm (its own slf4j-api, 1.7 on Maven 3, replaces the plugin's;
 * the plugin excludes slf4j-simple so as not to bind twice in process), and a child with Maven's
 * API and no binding prints SLF4J's "no binding" lines and drops the command's registry warnings.
 * So the two jars are resolved as plugin dependencies are: from the local repository, else the
 * plugin repositories (offline: the local one only).
 */
final class ChildLogging {
  private ChildLogging() {}

  /**
   * The two jars, api first.
   *
   * @throws IOException saying which jar could not be resolved and why; the caller may then run
   *     the child without them (it still works, without library log lines)
   */
  static List<Path> jars(RepositorySystem system, RepositorySystemSession session,
      List<RemoteRepository> repositories) throws IOException {
    String version = version();
    List<Path> jars = new ArrayList<>();
    for (String artifactId : List.of("slf4j-api", "slf4j-simple")) {
      ArtifactRequest request = new ArtifactRequest(
          new DefaultArtifact("org.slf4j", artifactId, "jar", version), repositories, null);
      try {
        jars.add(system.resolveArtifact(session, request).getArtifact().getFile().toPath());
      } catch (ArtifactResolutionException | RuntimeException e) {
        throw new IOException("Tried to resolve org.slf4j:" + artifactId + ":" + version
            + " for the child JVM's logging but failed because: " + e.getMessage(), e);
      }
    }
    return jars;
  }

  /** The slf4j version the command is built with. */
  static String version() throws IOException {
    Properties p = new Properties();
    try (InputStream in = ChildLogging.class.getResourceAsStream("slf4j.properties")) {
      if (in == null) {
        throw new IOException("the plugin jar has no dev/jbuild/maven/slf4j.properties");
      }
      p.load(in);
    }
    String version = p.getProperty("version", "");
    if (version.isEmpty() || version.startsWith("$")) {
      throw new IOException("the plugin jar's slf4j.properties names no version");
    }
    return version;
  }
}
