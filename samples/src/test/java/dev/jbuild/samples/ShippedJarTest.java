package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The jar the launcher runs ({@code builder/target/jbuild.jar}): its picocli classes are the
 * dependency's, rewritten by the build as version 52 with stack maps (builder/pom.xml,
 * UpgradeClassFiles) so that a Java 25 AOT cache archives them instead of loading and verifying
 * old classes on every start (issue 18). A rewrite that lost a class, or produced one the
 * verifier refuses, would break every command.
 */
class ShippedJarTest {
  private static Path jar() {
    Path jar = Jbuild.samplesDir().getParent().resolve("builder/target/jbuild.jar");
    assertTrue(Files.isRegularFile(jar), "the builder module packages " + jar);
    return jar;
  }

  @Test
  void picocliClasses_areAllThere_asVersion52_andPassTheVerifier() throws Exception {
    Path dependency = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    TreeSet<String> expected = classes(dependency);
    assertTrue(expected.size() > 100, dependency + ": " + expected.size());
    assertEquals(expected, classes(jar()), "the picocli classes of " + jar());
    List<String> old = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar().toFile())) {
      for (String name : expected) {
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
          DataInputStream data = new DataInputStream(in);
          data.readInt(); // magic
          data.readUnsignedShort(); // minor
          if (data.readUnsignedShort() < 50) {
            old.add(name);
          }
        }
      }
    }
    assertEquals(List.of(), old, "classes the AOT cache cannot archive");
    // Initialising links, and linking verifies (with the stack maps the rewrite computed): in a
    // loader of its own that sees only the jar, so these are the jar's classes, not the test's.
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar().toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      for (String name : expected) {
        String binary = name.substring(0, name.length() - ".class".length()).replace('/', '.');
        Class<?> c = Class.forName(binary, true, loader);
        assertEquals(loader, c.getClassLoader(), binary);
      }
    }
  }

  private static TreeSet<String> classes(Path jar) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
          out.add(e.getName());
        }
      }
    }
    return out;
  }
}
