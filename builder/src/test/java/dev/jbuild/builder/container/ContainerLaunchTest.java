package dev.jbuild.builder.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.layerstore.oci.ContainerConfig;
import dev.jbuild.runner.BindMount;
import dev.jbuild.runner.NetworkMode;
import dev.jbuild.runner.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link ContainerLaunch}: docker run's rules for image defaults and options. */
class ContainerLaunchTest {
  private static final ContainerConfig IMAGE = new ContainerConfig.Builder()
      .entrypoint(List.of("/entry"))
      .cmd(List.of("serve"))
      .env(List.of("PATH=/bin", "A=1"))
      .workingDir("/srv")
      .user("app")
      .build();

  @TempDir Path tmp;

  private static ContainerLaunch.Options options(List<String> command, String entrypoint,
      List<String> env, boolean tty) {
    return new ContainerLaunch.Options(command, entrypoint, env, null, null, null,
        NetworkMode.BRIDGE, ResourceLimits.none(), List.of(), tty);
  }

  @Test
  void of_takesTheImageDefaults() {
    ContainerLaunch launch = ContainerLaunch.of(IMAGE, "abc123",
        options(List.of(), null, List.of(), false), name -> null);
    assertEquals(List.of("/entry", "serve"), launch.argv());
    assertEquals(List.of("PATH=/bin", "A=1"), launch.env());
    assertEquals("/srv", launch.workingDir());
    assertEquals("app", launch.user());
    assertEquals("abc123", launch.hostname());
  }

  @Test
  void of_appliesOverridesAsDockerRunDoes() {
    Map<String, String> host = Map.of("FROM_HOST", "h");
    ContainerLaunch launch = ContainerLaunch.of(IMAGE, "abc123",
        new ContainerLaunch.Options(List.of("ls", "-l"), "", List.of("A=2", "FROM_HOST", "UNSET"),
            "/tmp", "0:0", "box", NetworkMode.NONE, ResourceLimits.none(), List.of(), true),
        host::get);
    assertEquals(List.of("ls", "-l"), launch.argv());
    assertEquals(List.of(), launch.entrypoint());
    assertEquals(List.of("PATH=/bin", "A=2", "FROM_HOST=h", "TERM=xterm"), launch.env());
    assertEquals("/tmp", launch.workingDir());
    assertEquals("0:0", launch.user());
    assertEquals("box", launch.hostname());
    assertEquals(NetworkMode.NONE, launch.network());
  }

  @Test
  void of_entrypointOverride_dropsTheImageCmd_andEmptyMeansRoot() {
    ContainerLaunch launch = ContainerLaunch.of(IMAGE, "x",
        options(List.of(), "/bin/sh", List.of(), false), name -> null);
    assertEquals(List.of("/bin/sh"), launch.argv());
    ContainerLaunch bare = ContainerLaunch.of(ContainerConfig.EMPTY, "x",
        options(List.of("true"), null, List.of(), false), name -> null);
    assertEquals("/", bare.workingDir());
    assertEquals("", bare.user());
  }

  @Test
  void of_refusesNoCommandAndBadEnv() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> ContainerLaunch.of(ContainerConfig.EMPTY, "x",
            options(List.of(), null, List.of(), false), name -> null));
    assertEquals("no command specified: the image has no CMD or ENTRYPOINT; give one after the "
        + "image name", none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.of(IMAGE, "x",
        options(List.of(), null, List.of("=v"), false), name -> null));
  }

  @Test
  void optionValues_parseAsDockerDoes() throws Exception {
    assertEquals(64L << 20, ContainerLaunch.parseBytes("64m"));
    assertEquals(3L << 29, ContainerLaunch.parseBytes("1.5GiB"));
    assertEquals(512, ContainerLaunch.parseBytes("512"));
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.parseBytes("lots"));
    assertEquals(150_000, ContainerLaunch.cpuQuota("1.5"));
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.cpuQuota("-1"));
    assertEquals(NetworkMode.BRIDGE, ContainerLaunch.network("default"));
    assertEquals(NetworkMode.HOST, ContainerLaunch.network("host"));
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.network("overlay"));

    Path missing = tmp.resolve("made/here");
    BindMount mount = ContainerLaunch.volume(missing + ":/data:ro");
    assertEquals(new BindMount(missing, "/data", true), mount);
    assertEquals(true, Files.isDirectory(missing));
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.volume("named:/data"));
    assertThrows(IllegalArgumentException.class, () -> ContainerLaunch.volume("/a:/b:rx"));
  }
}
