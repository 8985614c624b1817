package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a foreign platform's RUN needs of binfmt_misc, against fake binfmt_misc directories. */
class EmulationTest {
  @TempDir Path dir;
  private final Path real = Emulation.binfmtDir;

  @AfterEach
  void restore() {
    Emulation.binfmtDir = real;
  }

  private static Platform foreign() {
    return Platform.host().architecture().equals("arm64")
        ? new Platform("amd64", "linux", null) : new Platform("arm64", "linux", null);
  }

  private static String qemuName() {
    return Platform.host().architecture().equals("arm64") ? "qemu-x86_64" : "qemu-aarch64";
  }

  @Test
  void native_needsNoHandler() {
    Emulation.binfmtDir = dir.resolve("absent");
    assertDoesNotThrow(() -> Emulation.require(Platform.host()));
    assertDoesNotThrow(() -> Emulation.require(null));
  }

  @Test
  void notMounted_saysHowToMountAndNamesThePackage() {
    Emulation.binfmtDir = dir.resolve("absent");
    BuildException e = assertThrows(BuildException.class, () -> Emulation.require(foreign()));
    assertTrue(e.getMessage().contains("is not mounted"), e.getMessage());
    assertTrue(e.getMessage().contains("qemu-user-static"), e.getMessage());
  }

  @Test
  void noHandler_namesThePackage() throws Exception {
    Files.writeString(dir.resolve("register"), "");
    Emulation.binfmtDir = dir;
    BuildException e = assertThrows(BuildException.class, () -> Emulation.require(foreign()));
    assertTrue(e.getMessage().startsWith("cannot run RUN steps for platform " + foreign()),
        e.getMessage());
    assertTrue(e.getMessage().contains("no binfmt_misc handler " + dir.resolve(qemuName())),
        e.getMessage());
    assertTrue(e.getMessage().contains("install Debian's qemu-user-static"), e.getMessage());
  }

  @Test
  void handlerWithoutFixBinaryFlag_isRefused() throws Exception {
    Files.writeString(dir.resolve("register"), "");
    Files.writeString(dir.resolve(qemuName()), "enabled\ninterpreter /usr/bin/qemu\nflags: P\n");
    Emulation.binfmtDir = dir;
    BuildException e = assertThrows(BuildException.class, () -> Emulation.require(foreign()));
    assertTrue(e.getMessage().contains("lacks the F (fix binary) flag"), e.getMessage());
  }

  @Test
  void disabledHandler_isRefused() throws Exception {
    Files.writeString(dir.resolve(qemuName()), "disabled\nflags: PF\n");
    Emulation.binfmtDir = dir;
    BuildException e = assertThrows(BuildException.class, () -> Emulation.require(foreign()));
    assertTrue(e.getMessage().contains("is disabled"), e.getMessage());
  }

  @Test
  void enabledFixBinaryHandler_isEnough() throws Exception {
    Files.writeString(dir.resolve(qemuName()), "enabled\ninterpreter /q\nflags: PF\n");
    Emulation.binfmtDir = dir;
    assertDoesNotThrow(() -> Emulation.require(foreign()));
  }

  @Test
  void otherOs_isRefused() {
    BuildException e = assertThrows(BuildException.class,
        () -> Emulation.require(new Platform("amd64", "windows", null)));
    assertTrue(e.getMessage().contains("only linux binaries"), e.getMessage());
  }
}
