package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.error.BuildException;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --build-context} in the plan, after BuildKit's dockerfile_test {@code
 * TestNamedImageContext}, {@code TestNamedLocalContext} and {@code TestNamedContextStage*}: a
 * named context replaces a stage or an image of its name, and a replaced stage is never built.
 */
class NamedContextTest {
  private static PlanOptions options(Map<String, NamedContext> named) {
    return new PlanOptions("Dockerfile", null, PlanFixtures.AMD64, Map.of(), NetworkPolicy.NONE,
        false, Set.of(), named);
  }

  private static BuildPlan plan(String text, Map<String, NamedContext> named) throws Exception {
    return PlanFixtures.plan(text, options(named), PlanFixtures.busybox());
  }

  @Test
  void imageContext_replacesAStage_whichIsNotBuilt() throws Exception {
    BuildPlan plan = plan("FROM busybox AS base\nRUN false\n"
        + "FROM base\nCOPY --from=Base /etc/passwd /p\n",
        Map.of("base", NamedContext.parse("docker-image://localbase/busybox:1")));
    assertEquals(1, plan.stages().size(), "the replaced stage is not planned");
    ImageReference ref = ImageReference.parse("localbase/busybox:1");
    assertEquals(new FromBaseStep.Image(ref), plan.target().from().base());
    CopyFilesStep copy = (CopyFilesStep) plan.target().steps().get(0);
    assertEquals(new FileOrigin.Image(ref, "Base"), copy.origin());
    assertEquals(Set.of(), plan.target().dependencies());
  }

  @Test
  void imageContext_replacesAnImage_inFromAfterExpansion() throws Exception {
    BuildPlan plan = plan("ARG IMG=alpine\nFROM $IMG\nRUN true\n",
        Map.of("alpine", NamedContext.parse("docker-image://localbase/busybox:1")));
    assertEquals(new FromBaseStep.Image(ImageReference.parse("localbase/busybox:1")),
        plan.target().from().base());
  }

  @Test
  void scratchContext_replacesAnImage_withTheEmptyOne() throws Exception {
    // testNamedImageContextScratch: only the bare name is BuildKit's empty image.
    assertEquals(new NamedContext.Scratch(), NamedContext.parse("docker-image://scratch"));
    assertEquals(new NamedContext.Image(ImageReference.parse("docker.io/library/scratch")),
        NamedContext.parse("docker-image://docker.io/library/scratch"));
    BuildPlan plan = plan("FROM busybox AS build\nCOPY <<EOF /out\nhello\nEOF\n",
        Map.of("busybox", NamedContext.parse("docker-image://scratch")));
    assertEquals(new FromBaseStep.Scratch(), plan.target().from().base());
  }

  @Test
  void directoryContext_isReadByCopyAndMounts_butNotFrom() throws Exception {
    Path dir = Path.of("/srv/files");
    BuildPlan plan = plan("FROM busybox\nCOPY --from=files a /a\n"
        + "RUN --mount=from=files,target=/m cat /m/a\n",
        Map.of("files", NamedContext.parse(dir.toString())));
    CopyFilesStep copy = (CopyFilesStep) plan.target().steps().get(0);
    assertEquals(new FileOrigin.Directory(dir, "files"), copy.origin());
    RunCommandStep run = (RunCommandStep) plan.target().steps().get(1);
    assertEquals(new FileOrigin.Directory(dir, "files"), run.mounts().get(0).origin());
    BuildException e = assertThrows(BuildException.class,
        () -> plan("FROM files\n", Map.of("files", NamedContext.parse(dir.toString()))));
    assertTrue(e.getMessage().startsWith("Dockerfile:1: FROM files: the build context \"files\""
        + " is a directory"), e.getMessage());
  }

  @Test
  void flagValues_parseOrSayWhatIsWrong() {
    assertEquals(Map.entry("base", new NamedContext.Image(ImageReference.parse("busybox:1"))),
        NamedContext.parseFlag("BASE=docker-image://busybox:1"));
    // buildx's oci-layout://PATH[:TAG|@DIGEST]: the digest wins over a tag; latest by default.
    String d = "sha256:" + "ab".repeat(32);
    assertEquals(new NamedContext.OciLayout(Path.of("/l"), "latest", null),
        NamedContext.parse("oci-layout:///l"));
    assertEquals(new NamedContext.OciLayout(Path.of("/a:b/l"), "v1", null),
        NamedContext.parse("oci-layout:///a:b/l:v1"));
    assertEquals(new NamedContext.OciLayout(Path.of("/l"), null, Digest.parse(d)),
        NamedContext.parse("oci-layout:///l:v1@" + d));
    for (String[] c : new String[][] {{"noequals", "expected NAME=docker-image://REF"},
        {"=dir", "expected NAME="}, {"a b=dir", "invalid context name"},
        {"x=git://example.com/r.git", "git contexts are not supported"},
        {"x=https://example.com/c.tar", "https contexts are not supported"},
        {"x=oci-layout://", "needs a directory"}, {"x=oci-layout:///l@sha256:12", "digest"},
        {"x=oci-layout:///l:-v", "invalid tag"}, {"x=", "is empty"},
        {"x=docker-image://UPPER", ""}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> NamedContext.parseFlag(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
    }
  }
}
