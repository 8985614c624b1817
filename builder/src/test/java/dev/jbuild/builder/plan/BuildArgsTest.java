package dev.jbuild.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.parser.DockerfileParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link BuildArgs}: docker's "build-args were not consumed" warning. */
class BuildArgsTest {
  @Test
  void reportsOnlyNamesNoArgDeclares() throws Exception {
    String text = "ARG BASE=x\nFROM scratch AS a\nARG APP_VERSION\nFROM scratch AS b\n"
        + "ARG ONLY_IN_B=1\n";
    Map<String, String> given = new LinkedHashMap<>();
    given.put("APP_VERSOIN", "1");
    given.put("APP_VERSION", "1");
    given.put("BASE", "y");
    given.put("ONLY_IN_B", "z");
    given.put("HTTP_PROXY", "http://p");
    given.put("no_proxy", "x");
    given.put("BUILDKIT_INLINE_CACHE", "1");
    given.put("SOURCE_DATE_EPOCH", "0");
    given.put("zzz", "");
    assertEquals(List.of("APP_VERSOIN", "zzz"),
        BuildArgs.unconsumed(DockerfileParser.parse(text, "Dockerfile"), given));
  }

  @Test
  void namesAreCaseSensitive() throws Exception {
    assertEquals(List.of("version"), BuildArgs.unconsumed(
        DockerfileParser.parse("FROM scratch\nARG VERSION\n", "Dockerfile"),
        Map.of("version", "1")));
  }
}
