package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RrunSpecTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void toJson_writesEveryFieldRrunReads() throws Exception {
    ContainerSpec spec = ContainerSpec.builder()
        .lowerDirs(List.of(Path.of("/layers/l/2"), Path.of("/layers/l/1"), Path.of("/elsewhere/base")))
        .layersRoot(Path.of("/layers"))
        .upperDir(Path.of("/s/upper")).workDir(Path.of("/s/work"))
        .args("sh", "-c", "echo \"hi\" \u00e9\n")
        .env(List.of("PATH=/bin", "A=b=c"))
        .workingDir("/app").user("nobody:wheel").hostname("h")
        .network(NetworkMode.HOST).noNewPrivileges(true)
        .build();
    byte[] json = RrunSpec.toJson(spec, Path.of("/s/rootfs"),
        List.of(new BindMount(Path.of("/s/hosts"), "/etc/hosts", true)),
        List.of(Path.of("/sys/fs/cgroup/memory/jbuild/x/cgroup.procs")));
    JsonNode root = MAPPER.readTree(json);
    assertEquals("/s/rootfs", root.get("rootfs").asText());
    assertEquals("/layers", root.get("layersRoot").asText());
    assertEquals(List.of("l/2", "l/1", "/elsewhere/base"), strings(root.get("lowerDirs")));
    assertEquals("/s/upper", root.get("upperDir").asText());
    assertEquals("/s/work", root.get("workDir").asText());
    assertEquals(List.of("sh", "-c", "echo \"hi\" \u00e9\n"), strings(root.get("args")));
    assertEquals(List.of("PATH=/bin", "A=b=c"), strings(root.get("env")));
    assertEquals("/app", root.get("cwd").asText());
    assertEquals("nobody:wheel", root.get("user").asText());
    assertEquals("h", root.get("hostname").asText());
    assertEquals("host", root.get("network").asText());
    assertTrue(root.get("noNewPrivileges").asBoolean());
    JsonNode mount = root.get("mounts").get(0);
    assertEquals("/s/hosts", mount.get("source").asText());
    assertEquals("/etc/hosts", mount.get("target").asText());
    assertTrue(mount.get("readOnly").asBoolean());
    assertEquals(List.of("/sys/fs/cgroup/memory/jbuild/x/cgroup.procs"), strings(root.get("cgroupProcs")));
  }

  @Test
  void toJson_subpathOnlyWhenGiven() throws Exception {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true").build();
    JsonNode mounts = MAPPER.readTree(RrunSpec.toJson(spec, Path.of("/r"),
        List.of(BindMount.subpath(Path.of("/cache/x"), "go/pkg", "/c", false),
            new BindMount(Path.of("/s/hosts"), "/etc/hosts", true)), List.of())).get("mounts");
    assertEquals("/cache/x", mounts.get(0).get("source").asText());
    assertEquals("go/pkg", mounts.get(0).get("subpath").asText());
    assertFalse(mounts.get(1).has("subpath"));
  }

  @Test
  void toJson_ebpfDevicePolicy_namesTheCgroupAndRunsDefaultRules() throws Exception {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true").build();
    Path dir = Path.of("/sys/fs/cgroup/jbuild/run-1-a");
    JsonNode root = MAPPER.readTree(RrunSpec.toJson(spec, new RrunSpec.Runtime(Path.of("/r"),
        List.of(), List.of(), List.of(), null, false,
        new DevicePolicy(DevicePolicy.Enforcement.EBPF, dir))));
    assertEquals("ebpf", root.get("devicePolicy").asText());
    assertEquals(dir.toString(), root.get("deviceCgroup").asText());
    assertEquals(DevicePolicy.DEFAULT_RULES, strings(root.get("deviceRules")));
    assertTrue(strings(root.get("deviceRules")).contains("c 136:* rwm"));
  }

  @Test
  void toJson_defaults_noLayersRootAndNoneNetwork() throws Exception {
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(Path.of("/l")))
        .upperDir(Path.of("/u")).workDir(Path.of("/w")).args("true").build();
    JsonNode root = MAPPER.readTree(RrunSpec.toJson(spec, Path.of("/r"), List.of(), List.of()));
    assertFalse(root.has("layersRoot"));
    assertEquals(List.of("/l"), strings(root.get("lowerDirs")));
    assertEquals("none", root.get("network").asText());
    assertEquals("/", root.get("cwd").asText());
    assertEquals("", root.get("user").asText());
    assertEquals("buildkitsandbox", root.get("hostname").asText());
    // Without a device cgroup, rrun must take the safe fallback (no CAP_MKNOD, nodev rootfs).
    assertEquals("none", root.get("devicePolicy").asText());
    assertFalse(root.get("noNewPrivileges").asBoolean());
  }

  @Test
  void lowerDirOption_relativeOnlyInsideLayersRoot() {
    Path root = Path.of("/data/layers");
    assertEquals("l/abc", RrunSpec.lowerDirOption(Path.of("/data/layers/l/abc"), root));
    assertEquals("/data/layersX/a", RrunSpec.lowerDirOption(Path.of("/data/layersX/a"), root));
    assertEquals("/data/layers", RrunSpec.lowerDirOption(root, root));
    assertEquals("/data/other", RrunSpec.lowerDirOption(Path.of("/data/layers/../other"), root));
  }

  private static List<String> strings(JsonNode array) {
    return MAPPER.convertValue(array, MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
  }
}
