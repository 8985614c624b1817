package dev.jbuild.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's credentials are read lazily: {@code RegistryOptions.defaults()}, which every command
 * that may reach a registry calls up front, makes no JSON mapper (a cached build never reads
 * {@code config.json}), and the credentials are still found when a push asks for them later.
 * Each test runs the classes in a fresh class loader that records every class it is asked for,
 * so what other tests in this JVM already loaded does not matter.
 */
class LazyCredentialsTest {
  @TempDir Path directory;

  /** Loads this module's classes and its libraries itself, and records every name asked for. */
  private static final class Recording extends URLClassLoader {
    final Set<String> asked = ConcurrentHashMap.newKeySet();

    Recording() throws Exception {
      super(classpath(), ClassLoader.getPlatformClassLoader());
    }

    private static URL[] classpath() throws Exception {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        urls.add(Path.of(entry).toUri().toURL());
      }
      return urls.toArray(new URL[0]);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      asked.add(name);
      return super.loadClass(name, resolve);
    }

    boolean askedForJackson() {
      return asked.stream().anyMatch(n -> n.startsWith("com.fasterxml.jackson."));
    }
  }

  private static Object call(ClassLoader loader, String type, String method, Object target,
      Object... args) throws Exception {
    Class<?> c = Class.forName(type, true, loader);
    for (var m : c.getMethods()) {
      if (m.getName().equals(method) && m.getParameterCount() == args.length) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(type + "." + method);
  }

  @Test
  void defaults_makeNoMapper_andAPushStillFindsTheCredentials() throws Exception {
    Files.writeString(directory.resolve("config.json"), "{\"auths\":{\"127.0.0.1:5000\":{"
        + "\"auth\":\"" + Base64.getEncoder().encodeToString(
            "user:secret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    try (Recording loader = new Recording()) {
      Object options = call(loader, "dev.jbuild.registry.RegistryOptions", "defaults", null);
      options = call(loader, "dev.jbuild.registry.RegistryOptions", "withDockerConfigDirectory",
          options, directory);
      assertTrue(loader.asked.contains("dev.jbuild.registry.auth.DockerConfigCredentials"),
          "the test does not exercise the class it is about");
      assertFalse(loader.askedForJackson(), "a mapper made up front: " + loader.asked.stream()
          .filter(n -> n.startsWith("com.fasterxml")).sorted().limit(3).toList() + "...");

      Object dir = call(loader, "dev.jbuild.registry.RegistryOptions", "dockerConfigDirectory",
          options);
      Object config = call(loader, "dev.jbuild.registry.auth.DockerConfigCredentials", "load",
          null, dir);
      Optional<?> found = (Optional<?>) call(loader,
          "dev.jbuild.registry.auth.DockerConfigCredentials", "find", config, "127.0.0.1:5000");
      assertTrue(found.isPresent(), "no credentials after a lazy start");
      assertEquals("user", call(loader, "dev.jbuild.registry.auth.Credential", "username",
          found.get()));
      assertEquals("secret", call(loader, "dev.jbuild.registry.auth.Credential", "password",
          found.get()));
      assertTrue(loader.askedForJackson(), "the file was read without the mapper?");
    }
  }

  /** Attack: a broken config.json, read lazily, still fails with the file's name. */
  @Test
  void lazyLoad_ofABrokenFile_stillSaysWhichFile() throws Exception {
    Files.writeString(directory.resolve("config.json"), "{\"auths\": [");
    try (Recording loader = new Recording()) {
      call(loader, "dev.jbuild.registry.RegistryOptions", "defaults", null);
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(
          java.lang.reflect.InvocationTargetException.class, () -> call(loader,
              "dev.jbuild.registry.auth.DockerConfigCredentials", "load", null, directory));
      assertTrue(e.getCause() instanceof java.io.IOException, String.valueOf(e.getCause()));
      assertTrue(e.getCause().getMessage().contains(directory.resolve("config.json").toString()),
          e.getCause().getMessage());
    }
  }
}
