package dev.jbuild.builder.cli;

import dev.jbuild.builder.plan.BuildPlanner;
import dev.jbuild.builder.plan.NetworkPolicy;
import dev.jbuild.builder.plan.PlanOptions;
import dev.jbuild.layerstore.LayerStore;
import dev.jbuild.layerstore.fs.Trees;
import dev.jbuild.layerstore.posix.Posix;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.oci.ImageConfig;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.layerstore.oci.OciJson;
import dev.jbuild.layerstore.oci.Platform;
import dev.jbuild.parser.DockerfileJson;
import dev.jbuild.parser.DockerfileParser;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.expand.VariableExpander;
import dev.jbuild.parser.ignore.DockerIgnore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * A hidden command the launcher runs once after building the jar, with {@code
 * -XX:ArchiveClassesAtExit}: it touches the classes a real command loads (parser, planner,
 * store, JSON) without doing anything, so that the class-data-sharing archive covers them and
 * every later start is faster.
 */
@Command(name = "cds-training", hidden = true)
final class TrainingCommand implements Callable<Integer> {
  private static final String DOCKERFILE = String.join("\n",
      "# syntax=docker/dockerfile:1",
      "ARG BASE=busybox",
      "FROM ${BASE} AS build",
      "WORKDIR /src",
      "COPY --chown=0:0 --chmod=644 . .",
      "ADD a.tar /x/",
      "RUN --mount=type=cache,target=/c make && echo ${V:-x}",
      "RUN <<EOF",
      "echo hi",
      "EOF",
      "ENV A=1 B=\"two words\"",
      "LABEL k=v",
      "EXPOSE 80/tcp",
      "VOLUME /data",
      "USER nobody",
      "HEALTHCHECK --interval=5s CMD true",
      "ONBUILD RUN true",
      "STOPSIGNAL SIGTERM",
      "SHELL [\"/bin/sh\", \"-c\"]",
      "FROM scratch",
      "COPY --from=build /src /app",
      "ENTRYPOINT [\"/app/run\"]",
      "CMD [\"--help\"]",
      "");

  @Override
  public Integer call() throws Exception {
    Warmup.run(); // its own classes too, as a build starts it
    Dockerfile dockerfile = DockerfileParser.parse(DOCKERFILE, "Dockerfile");
    // The base's config comes from a stand-in: training must not touch a store or registry.
    BuildPlanner.plan(dockerfile, DOCKERFILE, new PlanOptions("Dockerfile", null,
        Platform.host(), Map.of(), NetworkPolicy.NONE, false, Set.of()),
        ref -> ImageConfig.scratch(Platform.host()));
    DockerfileJson.toJson(dockerfile);
    VariableExpander.withEscapeToken('\\').expand("${A:-b}", Map.of("A", "a"));
    DockerIgnore.parse("*.md\n!README.md\n").matches("x.md");
    // The registry client and the remote cache format (--cache-from, --push): a client is only
    // created, never contacted, and reads no config.json (a credential helper would run).
    dev.jbuild.registry.RegistryClient.create("127.0.0.1:1", "training/cache",
        dev.jbuild.registry.RegistryOptions.defaults().withDockerConfigDirectory(null));
    dev.jbuild.builder.cache.CacheConfig.parse(new dev.jbuild.builder.cache.CacheConfig(
        dev.jbuild.builder.cache.BuildCache.VERSION, List.of()).toBytes());
    dev.jbuild.builder.cache.CacheSpec.parse("type=registry,ref=127.0.0.1:1/t/c:c,mode=max",
        true);
    Path root = Files.createTempDirectory("jbuild-training-");
    try {
      LayerStore store = LayerStore.open(root);
      ImageConfig config = ImageConfig.scratch(Platform.host());
      Image image = store.images().write(config, List.of());
      store.images().tag(ImageReference.parse("training:latest"), image.manifestDescriptor());
      store.images().list();
      OciJson.fromBytes(image.configBytes(), ImageConfig.class);
      if (Posix.isRoot()) {
        // A failed build still trained what it ran; the archive is worth having (the test
        // checks that it succeeds).
        trainRealBuild(root, WALK_FILES);
      }
    } finally {
      Trees.deleteRecursively(root);
    }
    return 0;
  }

  /**
   * How many files the training context holds besides its own sources, in directories of 500.
   * A Java 25 AOT cache compiles at start-up the methods that training compiled (JEP 515): with
   * the launcher's 20x compile thresholds a 20-file context left the context walk (lstat, the
   * checksum cache, path and string code) interpreted for most of the bench's 20k-file cached
   * COPY, which then cost ~0.4 s more CPU on the build's critical path (issue 18). 4,000 files
   * made the walk hot enough in training; 10,000 measured no better and train slower.
   */
  static final int WALK_FILES = 4000;

  /**
   * A real build through the command line, cold then cached, into the scratch store: what the
   * bench's cached rows and a CI job run (the build command's model, the context checksums, the
   * build cache, layer diffs and gzip, progress output), so that the archive (and a Java 25 AOT
   * cache's method profiles) cover them. Root only: a user's build would re-execute this JVM in
   * a user namespace. Nothing here runs a container, so no RUN step.
   *
   * <p>The Dockerfile has the shape of the bench's cached rows (issue 18): an {@code ARG} base
   * that is an image in the store (resolved through the tag database, as {@code FROM busybox}
   * is), two stages built in parallel and copied from, {@code EXPOSE}: code a cached build runs
   * and {@code FROM scratch} alone did not reach, so that its classes, linked call sites and
   * profiles are in the archive instead of being made on every start.
   *
   * @param walkFiles how many more files the context holds ({@link #WALK_FILES}; a test: fewer)
   * @return 0, or the exit code of the first build that failed
   */
  static int trainRealBuild(Path root, int walkFiles) throws java.io.IOException {
    Path storeRoot = root.resolve("store");
    LayerStore store = LayerStore.open(storeRoot);
    Image base = store.images().write(ImageConfig.scratch(Platform.host()), List.of());
    store.images().tag(ImageReference.parse("training/base:1"), base.manifestDescriptor());
    Path context = root.resolve("context");
    Files.createDirectories(context.resolve("src"));
    Files.writeString(context.resolve("Dockerfile"), String.join("\n",
        "ARG BASE=training/base:1", "FROM ${BASE} AS a", "COPY src/f1 /a",
        "FROM ${BASE} AS b", "COPY src/f2 /b",
        "FROM ${BASE}", "WORKDIR /app", "COPY . /app/", "ADD src /app/src2",
        "COPY --from=a /a /a", "COPY --from=b /b /b", "EXPOSE 80", "ENV NAME=World",
        "LABEL a=b", "CMD [\"/app/run\"]", ""));
    Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
    for (int i = 0; i < 20; i++) {
      Files.writeString(context.resolve("src").resolve("f" + i), "file " + i + "\n");
    }
    for (int d = 0; d * 500 < walkFiles; d++) {
      Path dir = Files.createDirectories(context.resolve("many").resolve("d" + d));
      for (int i = 0; i < Math.min(500, walkFiles - d * 500); i++) {
        Files.writeString(dir.resolve("f" + i), d + " " + i + "\n");
      }
    }
    java.io.StringWriter sink = new java.io.StringWriter();
    int failed = 0;
    for (int run = 0; run < 2; run++) {
      int code = Main.execute(new String[] {"--root", storeRoot.toString(), "build",
          "--progress=plain", "-t", "training/build:latest", context.toString()},
          new java.io.PrintWriter(sink), new java.io.PrintWriter(sink));
      failed = failed != 0 ? failed : code;
    }
    Main.execute(new String[] {"--root", storeRoot.toString(), "images"},
        new java.io.PrintWriter(sink), new java.io.PrintWriter(sink));
    return failed;
  }
}
