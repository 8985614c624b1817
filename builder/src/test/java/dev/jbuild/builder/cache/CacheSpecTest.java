package dev.jbuild.builder.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CacheSpecTest {
  @Test
  void parsesBuildKitsSpellings() {
    assertEquals(CacheSpec.registry("r:5000/a:c", CacheSpec.Mode.MAX),
        CacheSpec.parse("type=registry,ref=r:5000/a:c,mode=max", true));
    assertEquals(CacheSpec.registry("r:5000/a:c", CacheSpec.Mode.MIN),
        CacheSpec.parse("r:5000/a:c", false));
    assertEquals(CacheSpec.local(Path.of("/c"), CacheSpec.Mode.MIN),
        CacheSpec.parse("type=local,dest=/c", true));
    assertEquals(CacheSpec.local(Path.of("/c"), CacheSpec.Mode.MIN),
        CacheSpec.parse("type=local,src=/c", false));
    assertEquals(CacheSpec.Type.INLINE, CacheSpec.parse("type=inline", true).type());
    // BuildKit's image-manifest/oci-mediatypes: what jbuild always writes (an OCI manifest).
    assertEquals(CacheSpec.registry("r/a:c", CacheSpec.Mode.MIN),
        CacheSpec.parse("type=registry,ref=r/a:c,image-manifest=true,oci-mediatypes=true", true));
    assertEquals(CacheSpec.registry("r/a:c", CacheSpec.Mode.MIN),
        CacheSpec.parse("type=registry,ref=r/a:c,image-manifest=false", false));
  }

  @Test
  void refusesBadValuesWithTheFlagAndWhatIsExpected() {
    for (String[] bad : new String[][] {
        {"type=registry", "to"}, {"type=local,src=/x", "to"}, {"type=local,dest=/x", "from"},
        {"type=inline", "from"}, {"type=s3,ref=x", "to"}, {"ref=x,mode=all", "to"},
        {"ref=x,compression=zstd", "to"}, {"ref=x,bogus=1", "to"}, {"plainref", "to"},
        {"=x", "from"}, {"ref=x,image-manifest=false", "to"}, {"ref=x,oci-mediatypes=no", "to"},
        {"ref=x,image-manifest=yes", "from"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CacheSpec.parse(bad[0], bad[1].equals("to")), bad[0]);
      assertTrue(e.getMessage().startsWith("invalid --cache-" + bad[1] + " '" + bad[0] + "'"),
          e.getMessage());
    }
  }

  @Test
  void cacheConfig_refusesEntriesWithHalfALayer() {
    String json = "{\"version\":\"v\",\"entries\":[{\"key\":\"sha256:"
        + "a".repeat(64) + "\",\"diffID\":\"sha256:" + "b".repeat(64) + "\"}]}";
    assertThrows(java.io.IOException.class,
        () -> CacheConfig.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThrows(java.io.IOException.class,
        () -> CacheConfig.parse("[1,2]".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
