package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Tests for {@link RunMount}: secret targets, ids and BuildKit's {@code env=}. */
class RunMountTest {
  @Test
  void secret_defaultsTargetToRunSecretsId() {
    RunMount m = RunMount.parse("type=secret,id=api", "/");
    assertEquals("/run/secrets/api", m.target());
    assertEquals("api", m.secretId());
    assertNull(m.secretEnv());
    assertTrue(m.readOnly());
  }

  @Test
  void secretEnv_withoutTargetHasNoFile() {
    RunMount m = RunMount.parse("type=secret,id=tok,env=TOKEN", "/");
    assertNull(m.target());
    assertEquals("TOKEN", m.secretEnv());
    assertEquals("tok", m.secretId());
  }

  @Test
  void secretEnv_withTargetIsBoth() {
    RunMount m = RunMount.parse("type=secret,id=tok,env=TOKEN,target=etc/tok", "/app");
    assertEquals("/app/etc/tok", m.target());
    assertEquals("TOKEN", m.secretEnv());
  }

  /** The env name is a cache-key input (the value never is: it is not in the options). */
  @Test
  void secretEnv_nameIsPartOfTheCanonicalForm() {
    assertNotEquals(RunMount.parse("type=secret,id=tok,env=A", "/").canonical(),
        RunMount.parse("type=secret,id=tok,env=B", "/").canonical());
    assertNotEquals(RunMount.parse("type=secret,id=tok,env=A", "/").canonical(),
        RunMount.parse("type=secret,id=tok", "/").canonical());
  }

  @Test
  void env_isOnlyForSecrets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunMount.parse("type=cache,target=/c,env=X", "/"));
    assertEquals("unexpected key 'env' for mount type 'cache'", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> RunMount.parse("type=secret,id=s,env=A=B", "/"));
    assertThrows(IllegalArgumentException.class, () -> RunMount.parse("type=secret,env=X", "/"));
  }

  /**
   * A cache's {@code source=} is cleaned as BuildKit's {@code path.Join("/", source)}: a climb
   * stops at the cache's root, so it can never name a path above the cache by itself (links
   * are the runner's to refuse); the whole cache is null.
   */
  @Test
  void cacheSubpath_isCleanedInsideTheCache() {
    assertEquals("sel", RunMount.parse("type=cache,target=/c,source=sel", "/").cacheSubpath());
    assertEquals("a/b", RunMount.parse("type=cache,target=/c,src=/a//./b/", "/").cacheSubpath());
    assertEquals("etc", RunMount.parse("type=cache,target=/c,source=../../etc", "/")
        .cacheSubpath());
    assertEquals("b", RunMount.parse("type=cache,target=/c,source=a/../b", "/").cacheSubpath());
    for (String whole : new String[] {"/", ".", "..", "../..", "a/..", "./"}) {
      assertNull(RunMount.parse("type=cache,target=/c,source=" + whole, "/").cacheSubpath(),
          whole);
    }
    assertNull(RunMount.parse("type=cache,target=/c", "/").cacheSubpath());
    assertNull(RunMount.parse("type=bind,target=/c,source=sel", "/").cacheSubpath(),
        "only cache mounts have a subpath of their own directory");
    // The subpath is a cache-key input: another source is another step.
    assertNotEquals(RunMount.parse("type=cache,target=/c,source=a", "/").canonical(),
        RunMount.parse("type=cache,target=/c,source=b", "/").canonical());
  }
}
