package dev.jbuild.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild inspect -f} against {@code docker image inspect -f} on the same image (built by
 * jbuild, loaded into docker): a table of the templates CI scripts and docker users write, each
 * printing the same text in both, and templates docker refuses refused by jbuild too.
 */
@Tag("root")
class TemplateInteropTest {
  @TempDir static Path work;
  static Jbuild jbuild;
  static final String NAME = "jbuild-templates-" + UUID.randomUUID().toString().substring(0, 8)
      + ":1";

  @BeforeAll
  static void image() throws Exception {
    jbuild = new Jbuild(work.resolve("store"));
    jbuild.importBusybox(work, "localbase/busybox:1");
    Path ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM localbase/busybox:1\n"
        + "ENV APP_HOME=/opt/app MODE=\"fast & <safe>\"\n"
        + "LABEL org.opencontainers.image.version=1.2 maintainer=\"a b\" empty=\"\"\n"
        + "EXPOSE 8080 53/udp\nVOLUME /data /cache\nWORKDIR /opt/app\nUSER 1000:1000\n"
        + "STOPSIGNAL SIGTERM\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"echo hi\"]\n"
        // A layer with a size, and a tab in its history text (docker history replaces it).
        + "RUN printf 'tab\\there and a long command line past the 45 character cut' > /tmp/f\n");
    jbuild.run("build", "-t", NAME, ctx.toString()).assertSuccess();
    if (Docker.available()) {
      Path saved = work.resolve("saved.tar");
      jbuild.run("save", "-o", saved.toString(), NAME).assertSuccess();
      Jbuild.Result load = Docker.exec(List.of("docker", "load", "-i", saved.toString()));
      assertEquals(0, load.exitCode(), load.stderr());
    }
  }

  @AfterAll
  static void removeDockerImage() throws Exception {
    if (Docker.available()) {
      Docker.exec(List.of("docker", "rmi", "-f", NAME));
    }
  }

  @Test
  void sameTextAsDocker() throws Exception {
    if (!Docker.available()) {
      return;
    }
    List<String> templates = List.of(
        "{{.Os}}/{{.Architecture}}", "{{.Created}}", "{{.Size}}",
        "{{.Config.Env}}", "{{json .Config.Env}}", "{{range .Config.Env}}{{println .}}{{end}}",
        "{{.Config.Labels}}", "{{json .Config.Labels}}",
        "{{index .Config.Labels \"org.opencontainers.image.version\"}}",
        "{{.Config.Labels.maintainer}}",
        "{{index .Config.Labels \"nope\"}}|", "{{if .Config.Labels.empty}}y{{else}}n{{end}}",
        "{{.Config.ExposedPorts}}", "{{json .Config.ExposedPorts}}", "{{.Config.Volumes}}",
        "{{range $p, $_ := .Config.ExposedPorts}}{{$p}};{{end}}",
        "{{.Config.Entrypoint}} {{.Config.Cmd}}", "{{join .Config.Entrypoint \" \"}}",
        "{{json .Config.Cmd}}", "{{.Config.WorkingDir}} {{.Config.User}} {{.Config.StopSignal}}",
        "{{.Config.Healthcheck}} {{.Config.OnBuild}} {{.Config.Shell}}",
        "{{json .Config}}", "{{.RootFS}}", "{{json .RootFS}}", "{{len .RootFS.Layers}}",
        "{{index .RootFS.Layers 0}}", "{{.RootFS.Type | upper}}",
        "{{printf \"%.12s|%q\" .Created .Os}}", "{{with .Config.User}}u={{.}}{{end}}",
        "{{range $i, $e := .Config.Env}}{{$i}}:{{(split $e \"=\") | len}} {{end}}",
        "{{if and .Config.Entrypoint (eq .Os \"linux\")}}ok{{end}}", "{{.Parent}}|{{.Author}}");
    List<String> different = new ArrayList<>();
    compare(templates, different);
    // docker's typed struct calls it ID: {{.Id}} (and {{.Config.Labels.nope}}, which docker's
    // typed run prints as <no value>) only work there through its raw-JSON retry, so they get
    // runs of their own.
    compare(List.of("{{.Id}}", "{{printf \"%.19s\" .Id}}"), different);
    compare(List.of("{{.Config.Labels.nope}}"), different);
    assertEquals(List.of(), different);
  }

  /** Runs all {@code templates} as one template in docker and jbuild, one process each. */
  private static void compare(List<String> templates, List<String> different) throws Exception {
    String all = String.join("\n@@\n", templates);
    Jbuild.Result docker = Docker.exec(List.of("docker", "image", "inspect", "-f", all, NAME));
    assertEquals(0, docker.exitCode(), docker.stderr());
    Jbuild.Result ours = jbuild.run("inspect", "-f", all, NAME).assertSuccess();
    String[] theirs = docker.stdout().split("\n@@\n", -1);
    String[] mine = ours.stdout().split("\n@@\n", -1);
    assertEquals(templates.size(), theirs.length, docker.stdout());
    assertEquals(templates.size(), mine.length, ours.stdout());
    for (int i = 0; i < templates.size(); i++) {
      if (!mine[i].equals(theirs[i])) {
        different.add(templates.get(i) + "\n  docker: " + theirs[i] + "\n  jbuild: " + mine[i]);
      }
    }
  }

  /**
   * {@code jbuild history} prints what {@code docker history} prints for the same image: the
   * default table (but CREATED, which ages while the commands run), {@code --no-trunc}, {@code
   * -H=false}, {@code -q} and {@code --format} with every field and {@code json}.
   */
  @Test
  void historySameAsDocker() throws Exception {
    if (!Docker.available()) {
      return;
    }
    List<List<String>> variants = List.of(
        List.of("--format", "table {{.ID}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"),
        List.of("--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}"),
        List.of("-H=false", "--format", "{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}"),
        List.of("--format", "{{.CreatedAt}}"), List.of("-q"), List.of("-q", "--no-trunc"),
        List.of("--no-trunc", "--format", "{{json .}}", "-H=false"));
    List<String> different = new ArrayList<>();
    for (List<String> flags : variants) {
      List<String> docker = new ArrayList<>(List.of("docker", "history"));
      docker.addAll(flags);
      docker.add(NAME);
      Jbuild.Result theirs = Docker.exec(docker);
      assertEquals(0, theirs.exitCode(), theirs.stderr());
      List<String> args = new ArrayList<>(List.of("history"));
      args.addAll(flags);
      args.add(NAME);
      Jbuild.Result mine = jbuild.run(args.toArray(new String[0])).assertSuccess();
      if (!mine.stdout().equals(theirs.stdout())) {
        different.add(flags + "\n  docker:\n" + theirs.stdout() + "  jbuild:\n" + mine.stdout());
      }
    }
    // The default table: the same but the CREATED column, which ages between the two runs, and
    // the padding: docker pads every column to 10 (its tabwriter's minimum width), jbuild's
    // default table keeps the padding ImageCommandsTest pins (--format table pads as docker).
    String theirs = Docker.exec(List.of("docker", "history", NAME)).stdout();
    String mine = jbuild.run("history", NAME).assertSuccess().stdout();
    if (!withoutAges(mine).equals(withoutAges(theirs))) {
      different.add("table\n  docker:\n" + theirs + "  jbuild:\n" + mine);
    }
    assertEquals(List.of(), different);
  }

  /**
   * {@code jbuild inspect} has docker's fields with docker's values, but for what only a daemon
   * has: its storage driver ({@code GraphDriver}) and the tag time it keeps ({@code Metadata}).
   */
  @Test
  void inspectSameFieldsAsDocker() throws Exception {
    if (!Docker.available()) {
      return;
    }
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode theirs = (com.fasterxml.jackson.databind.node.ObjectNode)
        json.readTree(Docker.exec(List.of("docker", "image", "inspect", NAME)).stdout()).get(0);
    com.fasterxml.jackson.databind.node.ObjectNode mine = (com.fasterxml.jackson.databind.node.ObjectNode)
        json.readTree(jbuild.run("inspect", NAME).assertSuccess().stdout()).get(0);
    // (Descriptor is newer docker's: the manifest jbuild stored, which a 20.10 daemon does not
    // keep for a loaded image.)
    for (String daemonOnly : List.of("GraphDriver", "Metadata", "Descriptor")) {
      theirs.remove(daemonOnly);
      mine.remove(daemonOnly);
    }
    assertEquals(theirs, mine);
  }

  private static String withoutAges(String table) {
    return table.replaceAll("(About )?(an?|\\d+|Less than a) \\w+ ago +", "AGE ")
        .replaceAll("CREATED +", "CREATED ").replaceAll("  +", "   ").replaceAll(" +\n", "\n");
  }

  @Test
  void refusedAsDockerRefusesThem() throws Exception {
    if (!Docker.available()) {
      return;
    }
    // (docker reads .Size as a json.Number, a string, in some paths: {{len .Size}} is not here.)
    for (String t : List.of("{{.Nope}}", "{{nope .Id}}", "{{index .RepoDigests 5}}",
        "{{.Os")) {
      Jbuild.Result docker = Docker.exec(List.of("docker", "image", "inspect", "-f", t, NAME));
      Jbuild.Result ours = jbuild.run("inspect", "-f", t, NAME);
      assertNotEquals(0, docker.exitCode(), t);
      assertNotEquals(0, ours.exitCode(), t);
      assertEquals("", ours.stdout().strip(), t);
      assertEquals(1, ours.stderr().lines().count(), t + ": " + ours.stderr());
    }
  }
}
