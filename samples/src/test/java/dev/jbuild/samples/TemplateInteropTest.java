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
        + "STOPSIGNAL SIGTERM\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"echo hi\"]\n");
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
