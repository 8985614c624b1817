package dev.jbuild.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Per-container overhead of {@code true}: from spawning to having the exit status, including
 * the overlay mount, the cgroup (created, joined, removed) and namespaces, for jbuild's runner
 * and for {@code runc run} of the same busybox rootfs (when runc is installed). Not a test and
 * not part of {@code mvn verify}; run as root with:
 *
 * <pre>cd runner && mvn -q -o test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.jbuild.runner.RunnerBenchmark [-Dbench.runs=200]</pre>
 *
 * <p>The two are measured interleaved, so load from other processes affects both alike. runc
 * gets its plain rootfs dir (no overlay: cheaper for runc than what jbuild does), its default
 * cgroup and namespaces; both spawn from this JVM with ProcessBuilder.
 */
public final class RunnerBenchmark {
  private RunnerBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("bench.runs", 200);
    Path dir = Files.createTempDirectory("jbuild-bench");
    Path lower = BusyboxRootfs.create(dir.resolve("lower"));
    // Like every real image: mount points exist, so neither runtime creates stubs.
    for (String d : List.of("proc", "sys", "dev")) {
      Files.createDirectories(lower.resolve(d));
    }
    for (String f : List.of("hosts", "resolv.conf", "hostname")) {
      Files.writeString(lower.resolve("etc").resolve(f), "");
    }
    boolean haveRunc = new ProcessBuilder("sh", "-c", "command -v runc").start().waitFor() == 0;
    Path bundle = haveRunc ? runcBundle(dir.resolve("bundle"), lower) : null;
    List<Double> jbuild = new ArrayList<>();
    List<Double> jbuildNoSeccomp = new ArrayList<>();
    List<Double> runc = new ArrayList<>();
    try (ContainerRunner runner = ContainerRunner.create(dir.resolve("state"))) {
      for (int i = -20; i < n; i++) {
        double a = jbuildRun(runner, dir, lower, i, true);
        double b = jbuildRun(runner, dir, lower, i, false);
        double c = haveRunc ? runcRun(bundle, dir, i) : 0;
        if (i >= 0) {
          jbuild.add(a);
          jbuildNoSeccomp.add(b);
          runc.add(c);
        }
      }
    }
    report("jbuild runner (overlay, cgroup, seccomp)", jbuild);
    report("jbuild runner (overlay, cgroup, no seccomp)", jbuildNoSeccomp);
    if (haveRunc) {
      report("runc run (plain rootfs, cgroup, seccomp off)", runc);
    } else {
      System.out.println("runc is not installed: no comparison");
    }
    new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
  }

  private static double jbuildRun(ContainerRunner runner, Path dir, Path lower, int i,
      boolean seccomp) throws Exception {
    Path run = dir.resolve("j" + i + (seccomp ? "s" : ""));
    ContainerSpec spec = ContainerSpec.builder().lowerDirs(List.of(lower))
        .upperDir(Files.createDirectories(run.resolve("upper")))
        .workDir(Files.createDirectories(run.resolve("work"))).args("/bin/true")
        .seccomp(seccomp).build();
    long start = System.nanoTime();
    ExitStatus status = runner.run(spec, OutputStream.nullOutputStream(),
        OutputStream.nullOutputStream());
    double ms = (System.nanoTime() - start) / 1e6;
    if (!status.success()) {
      throw new IllegalStateException("true failed: " + status.describe());
    }
    return ms;
  }

  private static double runcRun(Path bundle, Path dir, int i) throws Exception {
    long start = System.nanoTime();
    Process p = new ProcessBuilder("runc", "--root", dir.resolve("runc-state").toString(), "run",
        "--bundle", bundle.toString(), "jbuild-bench-" + ProcessHandle.current().pid() + "-" + i)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    int code = p.waitFor();
    double ms = (System.nanoTime() - start) / 1e6;
    if (code != 0) {
      throw new IllegalStateException("runc run failed with " + code);
    }
    return ms;
  }

  /** {@code runc spec}, adjusted: the busybox rootfs read-only, {@code /bin/true}, no tty. */
  private static Path runcBundle(Path bundle, Path rootfs) throws IOException,
      InterruptedException {
    Files.createDirectories(bundle);
    if (new ProcessBuilder("runc", "spec", "--bundle", bundle.toString()).inheritIO().start()
        .waitFor() != 0) {
      throw new IOException("runc spec failed");
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
    ObjectNode root = (ObjectNode) config.get("root");
    root.put("path", rootfs.toString());
    root.put("readonly", true);
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    ArrayNode argv = process.putArray("args");
    argv.add("/bin/true");
    json.writeValue(bundle.resolve("config.json").toFile(), config);
    return bundle;
  }

  private static void report(String what, List<Double> ms) {
    List<Double> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    System.out.printf("%-48s mean %6.2f ms  median %6.2f ms  p10 %6.2f ms  p90 %6.2f ms  (n=%d)%n",
        what, mean, sorted.get(sorted.size() / 2), sorted.get(sorted.size() / 10),
        sorted.get(sorted.size() * 9 / 10), sorted.size());
  }
}
