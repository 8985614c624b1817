package dev.jbuild.builder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.export.OutputSpec;
import dev.jbuild.layerstore.oci.ImageReference;
import dev.jbuild.registry.IndexFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BuildOutputs}: buildx's {@code -o type=image|registry} and {@code oci-mediatypes}. */
class BuildOutputsTest {
  @TempDir Path tmp;

  @Test
  void files_areOutputSpecs_andPushNothing() {
    BuildOutputs o = BuildOutputs.parse(List.of("type=oci,dest=a.tar", "out", "type=tar,dest=-"));
    assertEquals(List.of(OutputSpec.parse("type=oci,dest=a.tar"), OutputSpec.parse("out"),
        OutputSpec.parse("type=tar,dest=-")), o.files());
    assertFalse(o.push());
    assertNull(o.ociMediaTypes());
    assertEquals(IndexFormat.OCI_ELSE_DOCKER_LIST, o.indexFormat());
  }

  @Test
  void registry_pushes_imageOnlyWithPushTrue_namesAreTags() {
    BuildOutputs registry = BuildOutputs.parse(List.of("type=registry"));
    assertTrue(registry.push());
    assertTrue(registry.files().isEmpty());
    BuildOutputs image = BuildOutputs.parse(List.of("type=image,name=reg.example/a:1"));
    assertFalse(image.push());
    assertEquals(List.of(ImageReference.parse("reg.example/a:1")), image.names());
    BuildOutputs both = BuildOutputs.parse(List.of("type=image,name=r.example/a:1,"
        + "name=r.example/a:2,push=true", "type=docker,dest=x.tar"));
    assertTrue(both.push());
    assertEquals(2, both.names().size());
    assertEquals(1, both.files().size());
  }

  @Test
  void ociMediaTypes_choosesTheIndexFormat_onImageRegistryOciAndDocker() {
    assertEquals(IndexFormat.DOCKER_LIST, BuildOutputs.parse(List.of(
        "type=registry,oci-mediatypes=false")).indexFormat());
    assertEquals(IndexFormat.OCI, BuildOutputs.parse(List.of(
        "type=image,push=true,oci-mediatypes=TRUE")).indexFormat());
    BuildOutputs oci = BuildOutputs.parse(List.of("type=oci,dest=a.tar,oci-mediatypes=false"));
    assertEquals(Boolean.FALSE, oci.ociMediaTypes());
    assertEquals(OutputSpec.Type.OCI, oci.files().get(0).type());
    // The same value twice is no conflict.
    assertEquals(Boolean.FALSE, BuildOutputs.parse(List.of("type=registry,oci-mediatypes=false",
        "type=oci,dest=a.tar,oci-mediatypes=false")).ociMediaTypes());
  }

  @Test
  void badInput_isRefusedNamingTheValue() {
    for (String bad : List.of("type=registry,oci-mediatypes=maybe",
        "type=registry,oci-mediatypes=",
        "type=registry,push=false",
        "type=image,push=yes",
        "type=image,compression=zstd",
        "type=image,name=",
        "type=image,name=UPPER/Case:1",
        "type=registry,name",
        "type=local,dest=out,oci-mediatypes=false",
        "oci-mediatypes=false,type=tar,dest=x.tar",
        "type=nope,dest=x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BuildOutputs.parse(List.of(bad)), bad);
      assertFalse(e.getMessage().isBlank(), bad);
    }
    IllegalArgumentException conflict = assertThrows(IllegalArgumentException.class,
        () -> BuildOutputs.parse(List.of("type=registry,oci-mediatypes=false",
            "type=oci,dest=a.tar,oci-mediatypes=true")));
    assertTrue(conflict.getMessage().contains("conflicting oci-mediatypes"),
        conflict.getMessage());
  }

  @Test
  void cli_refusesABadOutputInOneLine_beforeBuilding() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"--root", tmp.resolve("store").toString(), "build",
        "-o", "type=registry,oci-mediatypes=nope", tmp.toString()}, new PrintWriter(out),
        new PrintWriter(err));
    assertTrue(code != 0, out + "\n" + err);
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("oci-mediatypes='nope'"), err.toString());
  }
}
