package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public value types and helper extraction; no root needed. */
class ValuesTest {
  @Test
  void exitStatus_describe() {
    assertEquals("exit code 3", ExitStatus.exited(3).describe());
    assertEquals("killed by signal 9", new ExitStatus(137, 9, false).describe());
    assertEquals("killed by signal 9: out of memory", new ExitStatus(137, 9, true).describe());
    ExitStatus oom = new ExitStatus(137, 9, true, 64L * 1024 * 1024);
    assertEquals("killed by signal 9: out of memory (limit 64 MiB)", oom.describe());
    assertEquals("out of memory (limit 64 MiB)", oom.outOfMemoryDetail());
    assertEquals("out of memory (limit 1.5 GiB)",
        new ExitStatus(137, 9, true, 1536L * 1024 * 1024).outOfMemoryDetail());
    assertEquals("1000 bytes", ExitStatus.formatBytes(1000));
    assertTrue(ExitStatus.exited(0).success());
    assertFalse(new ExitStatus(0, 0, true).success());
  }

  @Test
  void containerSpec_validates() {
    ContainerSpec.Builder ok = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true");
    assertEquals("/", ok.build().workingDir());
    assertThrows(IllegalArgumentException.class, () -> ok.workingDir("rel").build());
    ok.workingDir("/");
    assertThrows(IllegalArgumentException.class, () -> ok.env(List.of("NOEQUALS")).build());
    ok.env(List.of());
    assertThrows(IllegalArgumentException.class, () -> ok.args(List.of()).build());
    assertThrows(IllegalArgumentException.class, () -> ok.args("a\0b").build());
    assertThrows(IllegalArgumentException.class, () -> new BindMount(Path.of("/x"), "rel", true));
    assertEquals("a/b", BindMount.subpath(Path.of("/x"), "a/b", "/t", false).subpath());
    for (String bad : new String[] {"", "/abs", "..", "a/../b", "a/./b", "a//b", "a/", ".", "a\0b"}) {
      assertThrows(IllegalArgumentException.class,
          () -> BindMount.subpath(Path.of("/x"), bad, "/t", false), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new ResourceLimits(-1, 0, 0, 0));
    assertTrue(ResourceLimits.none().isUnlimited());
  }

  @Test
  void rrunBinary_extractsVerifiesAndRepairs(@TempDir Path state) throws Exception {
    Path helper = RrunBinary.extract(state);
    assertTrue(Files.isExecutable(helper));
    String hash = helper.getFileName().toString().substring("rrun-".length());
    assertEquals(hash, RrunBinary.sha256(Files.readAllBytes(helper)));
    Files.setPosixFilePermissions(helper, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.write(helper, new byte[] {1, 2, 3});
    assertEquals(helper, RrunBinary.extract(state));
    assertEquals(hash, RrunBinary.sha256(Files.readAllBytes(helper)), "a corrupt copy is replaced");
    assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(helper)));
  }
}
